import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "../shopify.server";
import { markShopUninstalled } from "../lib/uninstall-shop.server";

// app/uninstalled: the shop's tokens are dead; forget them and remember when. Data stays until shop/redact.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop } = await authenticate.webhook(request);
  await markShopUninstalled({ shop, now: new Date() });
  return new Response();
};
