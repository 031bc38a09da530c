/**
 * Accepting a webhook delivery (the routes call this once authenticate.webhook has checked its HMAC):
 *
 * 1. The payload is validated and reduced to what the app keeps (app/shopify/mappers/webhook-payloads.ts): a
 *    malformed one is refused (400) and nothing is stored.
 * 2. Atomically (JobQueue.enqueueGuarded: one statement on the embedded database, one transaction with pg-boss): the
 *    delivery's `X-Shopify-Webhook-Id` is inserted into WebhookEvent — a duplicate (Shopify's retry, a replay) inserts
 *    nothing and the delivery is acknowledged with nothing else done — and the job that will do the work is enqueued.
 *    Either both are stored or neither, so a crash never loses an acknowledged event.
 * 3. The caller answers 200 at once; mapping and writing happen in the job (app/lib/webhooks/apply.server.ts).
 *
 * A delivery for a shop the app does not know (never installed, or already redacted) is acknowledged and dropped.
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { JOB, type JobName } from "../../jobs/names";
import type { EnqueueOptions, JobPayload, JobQueue } from "../../jobs/types";
import {
  parseBulkOperationFinishWebhook,
  parseCustomerDataRequestWebhook,
  parseCustomerRedactWebhook,
  parseCustomerWebhook,
  parseDeleteWebhook,
  parseOrderWebhook,
  parseProductWebhook,
  parseRefundWebhook,
  parseShopRedactWebhook,
  WebhookPayloadError,
} from "../../shopify/mappers/webhook-payloads";

interface Delivery {
  webhookId: string;
  topic: string;
  /** X-Shopify-Triggered-At, else when we received it: the event's time for deletes. */
  triggeredAt: string;
}

interface Route {
  job: JobName;
  build: (payload: unknown, delivery: Delivery) => JobPayload;
  options?: (record: JobPayload) => Partial<EnqueueOptions>;
}

const deleteAt = (payload: unknown, d: Delivery) => ({ webhookId: d.webhookId, ...parseDeleteWebhook(payload), deletedAt: d.triggeredAt });

/** Topics as the Shopify library names them (ORDERS_CREATE), each with its job. */
const ROUTES: Record<string, Route> = {
  ORDERS_CREATE: { job: JOB.orderUpsert, build: (p, d) => ({ webhookId: d.webhookId, order: parseOrderWebhook(p) }) },
  ORDERS_UPDATED: { job: JOB.orderUpsert, build: (p, d) => ({ webhookId: d.webhookId, order: parseOrderWebhook(p) }) },
  ORDERS_DELETE: { job: JOB.orderDelete, build: deleteAt },
  REFUNDS_CREATE: { job: JOB.refundCreate, build: (p, d) => ({ webhookId: d.webhookId, refund: parseRefundWebhook(p) }) },
  PRODUCTS_CREATE: { job: JOB.productUpsert, build: (p, d) => ({ webhookId: d.webhookId, product: parseProductWebhook(p) }) },
  PRODUCTS_UPDATE: { job: JOB.productUpsert, build: (p, d) => ({ webhookId: d.webhookId, product: parseProductWebhook(p) }) },
  PRODUCTS_DELETE: { job: JOB.productDelete, build: deleteAt },
  CUSTOMERS_CREATE: { job: JOB.customerUpsert, build: (p, d) => ({ webhookId: d.webhookId, customer: parseCustomerWebhook(p) }) },
  CUSTOMERS_UPDATE: { job: JOB.customerUpsert, build: (p, d) => ({ webhookId: d.webhookId, customer: parseCustomerWebhook(p) }) },
  CUSTOMERS_DELETE: { job: JOB.customerDelete, build: (p, d) => ({ webhookId: d.webhookId, ...parseDeleteWebhook(p) }) },
  BULK_OPERATIONS_FINISH: {
    job: JOB.syncBulkFinished,
    build: (p, d) => ({ webhookId: d.webhookId, ...parseBulkOperationFinishWebhook(p) }),
    // One job per operation, however often Shopify delivers its finish.
    options: (record) => ({ singletonKey: `bulk/${String(record.bulkOperationId).split("/").pop()}` }),
  },
  CUSTOMERS_DATA_REQUEST: {
    job: JOB.customerDataRequest,
    build: (p, d) => ({ webhookId: d.webhookId, request: parseCustomerDataRequestWebhook(p) }),
  },
  CUSTOMERS_REDACT: { job: JOB.customerRedact, build: (p, d) => ({ webhookId: d.webhookId, request: parseCustomerRedactWebhook(p) }) },
  SHOP_REDACT: { job: JOB.shopRedact, build: (p, d) => ({ webhookId: d.webhookId, request: parseShopRedactWebhook(p) }) },
};

/** "orders/create" or "ORDERS_CREATE" → "ORDERS_CREATE". */
export const topicKey = (topic: string) => topic.toUpperCase().replace(/[/.]/g, "_");


export type ReceiveResult =
  | { status: "accepted"; jobId: string | null }
  | { status: "duplicate" }
  | { status: "unknown-shop" }
  | { status: "invalid"; message: string }
  | { status: "unsupported"; message: string };

export async function receiveWebhook({
  shop,
  topic,
  webhookId,
  payload,
  triggeredAt,
  topics,
  queue,
  db = defaultPrisma,
  now = new Date(),
}: {
  shop: string;
  topic: string;
  webhookId: string;
  payload: unknown;
  triggeredAt?: string;
  /** The topics the calling route serves (others are refused as misrouted). */
  topics?: readonly string[];
  queue: JobQueue;
  db?: PrismaClient;
  now?: Date;
}): Promise<ReceiveResult> {
  const key = topicKey(topic);
  const route = ROUTES[key];
  if (!route || (topics && !topics.map(topicKey).includes(key))) {
    return { status: "unsupported", message: `This endpoint does not handle ${topic} webhooks` };
  }
  const at = triggeredAt && !Number.isNaN(Date.parse(triggeredAt)) ? new Date(triggeredAt).toISOString() : now.toISOString();
  let record: JobPayload;
  try {
    record = route.build(payload, { webhookId, topic: key, triggeredAt: at });
  } catch (error) {
    if (error instanceof WebhookPayloadError) return { status: "invalid", message: error.message };
    throw error;
  }
  // The delivery's idempotency row is the guard of its job: both are stored, or neither (app/jobs/types.ts).
  const { guarded, jobId } = await queue.enqueueGuarded(
    {
      sql: `INSERT INTO "WebhookEvent" ("shop", "webhookId", "topic", "receivedAt")
            SELECT "domain", $2::text, $3::text, $4::timestamptz FROM "Shop" WHERE "domain" = $1::text
            ON CONFLICT ("shop", "webhookId") DO NOTHING
            RETURNING 1`,
      params: [shop, webhookId, key, now.toISOString()],
    },
    route.job,
    record,
    { shop, ...route.options?.(record) },
  );
  let result: ReceiveResult = { status: "accepted", jobId };
  if (!guarded) result = (await db.shop.count({ where: { domain: shop } })) === 0 ? { status: "unknown-shop" } : { status: "duplicate" };
  // A shop we hold nothing for may still have sessions (tokens): shop/redact removes them at once.
  if (result.status === "unknown-shop" && key === "SHOP_REDACT") await db.session.deleteMany({ where: { shop } });
  return result;
}

/** The HTTP answer to a delivery: 200 unless the payload is malformed (400) or misrouted (404). */
export function webhookResponse(result: ReceiveResult): Response {
  switch (result.status) {
    case "invalid":
      return new Response(result.message, { status: 400 });
    case "unsupported":
      return new Response(result.message, { status: 404 });
    default:
      return new Response(null, { status: 200 });
  }
}
