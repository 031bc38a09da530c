import type { ActionFunctionArgs } from "@remix-run/node";
import { jobQueue } from "../jobs/queue.server";
import { receiveWebhook, webhookResponse } from "../lib/webhooks/receive.server";
import { authenticate } from "../shopify.server";

const TOPICS = ["customers/create", "customers/update", "customers/delete"];

// Customers (no personal data is kept): a job upserts the customer, or removes its identifiers on delete.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload, triggeredAt } = await authenticate.webhook(request);
  const result = await receiveWebhook({ shop, topic: String(topic), webhookId, payload, triggeredAt, topics: TOPICS, queue: jobQueue() });
  return webhookResponse(result);
};
