import type { ActionFunctionArgs } from "@remix-run/node";
import { jobQueue } from "../jobs/queue.server";
import { receiveWebhook, webhookResponse } from "../lib/webhooks/receive.server";
import { authenticate } from "../shopify.server";
import { limitBody, WEBHOOK_BODY_LIMIT } from "../lib/body-limits.server";

const TOPICS = ["bulk_operations/finish"];

// bulk_operations/finish: one sync.bulk-finished job per operation; the sync picks the finished operation up.
export const action = async ({ request }: ActionFunctionArgs) => {
  // Capped before anything reads it: the HMAC check then runs over exactly the bytes kept (ADR 028).
  const limited = await limitBody(request, WEBHOOK_BODY_LIMIT);
  if (limited instanceof Response) return limited;
  const { shop, topic, webhookId, payload, triggeredAt } = await authenticate.webhook(limited);
  const result = await receiveWebhook({ shop, topic: String(topic), webhookId, payload, triggeredAt, topics: TOPICS, queue: jobQueue() });
  return webhookResponse(result);
};
