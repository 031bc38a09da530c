import type { ActionFunctionArgs } from "@remix-run/node";
import { jobQueue } from "../jobs/queue.server";
import { receiveWebhook, webhookResponse } from "../lib/webhooks/receive.server";
import { authenticate } from "../shopify.server";

const TOPICS = ["orders/create", "orders/updated", "orders/delete"];

// Orders: stored once per webhook id and acknowledged at once; a job writes (or deletes) the order and its lines.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload, triggeredAt } = await authenticate.webhook(request);
  const result = await receiveWebhook({ shop, topic: String(topic), webhookId, payload, triggeredAt, topics: TOPICS, queue: jobQueue() });
  return webhookResponse(result);
};
