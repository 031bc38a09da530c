import type { ActionFunctionArgs } from "@remix-run/node";
import { jobQueue } from "../jobs/queue.server";
import { signedShopDomain } from "../lib/compliance/signed-shop";
import { receiveWebhook, webhookResponse } from "../lib/webhooks/receive.server";
import { authenticate } from "../shopify.server";
import { limitBody, WEBHOOK_BODY_LIMIT } from "../lib/body-limits.server";

const TOPICS = ["customers/data_request", "customers/redact", "shop/redact"];

// Mandatory compliance topics: a bad HMAC is refused with 401 by authenticate.webhook, before anything is stored.
// data_request stores an export for the merchant; redact removes the customer's identifiers; shop/redact removes the shop.
// They act on the shop named in the signed body (shop_domain), never on the unsigned X-Shopify-Shop-Domain header.
export const action = async ({ request }: ActionFunctionArgs) => {
  // Capped before anything reads it: the HMAC check then runs over exactly the bytes kept (ADR 028).
  const limited = await limitBody(request, WEBHOOK_BODY_LIMIT);
  if (limited instanceof Response) return limited;
  const { shop: headerShop, topic, webhookId, payload, triggeredAt } = await authenticate.webhook(limited);
  const signed = signedShopDomain(payload, headerShop);
  if (!signed.ok) return new Response(signed.message, { status: 400 });
  if (signed.headerMismatch) {
    console.warn(
      `[webhooks] ${String(topic)} ${webhookId}: the X-Shopify-Shop-Domain header (${headerShop}) is not the signed shop_domain (${signed.shop}); acting on ${signed.shop}`,
    );
  }
  const result = await receiveWebhook({ shop: signed.shop, topic: String(topic), webhookId, payload, triggeredAt, topics: TOPICS, queue: jobQueue() });
  return webhookResponse(result);
};
