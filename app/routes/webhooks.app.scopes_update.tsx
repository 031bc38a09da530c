import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "../shopify.server";
import { updateSessionScopes } from "../lib/uninstall-shop.server";
import { limitBody, WEBHOOK_BODY_LIMIT } from "../lib/body-limits.server";

const Payload = z.object({ current: z.array(z.string()) });

// app/scopes_update: keep the stored offline session's scopes equal to what the merchant granted.
export const action = async ({ request }: ActionFunctionArgs) => {
  // Capped before anything reads it: the HMAC check then runs over exactly the bytes kept (ADR 028).
  const limited = await limitBody(request, WEBHOOK_BODY_LIMIT);
  if (limited instanceof Response) return limited;
  const { shop, payload } = await authenticate.webhook(limited);
  const parsed = Payload.safeParse(payload);
  if (!parsed.success) return new Response("payload.current must be a list of scopes", { status: 400 });
  await updateSessionScopes({ shop, scopes: parsed.data.current });
  return new Response();
};
