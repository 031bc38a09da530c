import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { markShopUninstalled } from "../lib/uninstall-shop.server";
import { limitBody, WEBHOOK_BODY_LIMIT } from "../lib/body-limits.server";

// app/uninstalled: the shop's tokens are dead; forget them and remember when. Data stays until shop/redact.
export const action = async ({ request }: ActionFunctionArgs) => {
  // Capped before anything reads it: the HMAC check then runs over exactly the bytes kept (ADR 028).
  const limited = await limitBody(request, WEBHOOK_BODY_LIMIT);
  if (limited instanceof Response) return limited;
  const { shop } = await authenticate.webhook(limited);
  await markShopUninstalled({ shop, now: new Date() });
  return new Response();
};
