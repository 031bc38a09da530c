import type { ActionFunctionArgs } from "@remix-run/node";
import { jobQueue } from "../jobs/queue.server";
import { receiveWebhook, webhookResponse } from "../lib/webhooks/receive.server";
import { authenticate } from "../shopify.server";

const TOPICS = ["customers/data_request", "customers/redact", "shop/redact"];

// Mandatory compliance topics: a bad HMAC is refused with 401 by authenticate.webhook, before anything is stored.
// data_request stores an export for the merchant; redact removes the customer's identifiers; shop/redact removes the shop.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload, triggeredAt } = await authenticate.webhook(request);
  const result = await receiveWebhook({ shop, topic: String(topic), webhookId, payload, triggeredAt, topics: TOPICS, queue: jobQueue() });
  return webhookResponse(result);
};
