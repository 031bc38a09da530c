import type { ActionFunctionArgs } from "@remix-run/node";
import { jobQueue } from "../jobs/queue.server";
import { receiveWebhook, webhookResponse } from "../lib/webhooks/receive.server";
import { authenticate } from "../shopify.server";

const TOPICS = ["products/create", "products/update", "products/delete"];

// Products: a job upserts the product and its variants, or marks it deleted (order lines keep resolving).
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload, triggeredAt } = await authenticate.webhook(request);
  const result = await receiveWebhook({ shop, topic: String(topic), webhookId, payload, triggeredAt, topics: TOPICS, queue: jobQueue() });
  return webhookResponse(result);
};
