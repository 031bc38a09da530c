/**
 * Every job handler, registered in one place. The web process (embedded database) and `npm run worker` (PostgreSQL)
 * both call registerHandlers on their queue (app/jobs/queue.server.ts).
 *
 * Handlers are thin: they read the job's stored record and call one domain function per shop. Webhook upserts are
 * batched (one writer call for up to 100 deliveries of a shop), which is what lets a burst of thousands of
 * orders/create be absorbed in seconds.
 *
 * JOB.syncBulkFinished wakes (or, if its process died, resumes) the sync waiting for the finished operation; it loads
 * app/lib/sync.server.ts lazily, since that module brings the Shopify app configuration with it.
 */
import type { PrismaClient } from "@prisma/client";
import { exportCustomerData, redactCustomer } from "../lib/compliance/customer-data.server";
import { redactShop } from "../lib/compliance/shop-redact.server";
import {
  applyCustomerUpserts,
  applyOrderUpserts,
  applyProductUpserts,
  applyRefund,
  deleteOrders,
  markProductsDeleted,
  markWebhooksProcessed,
} from "../lib/webhooks/apply.server";
import type {
  CustomerDataRequestRecord,
  CustomerRecord,
  CustomerRedactRecord,
  OrderRecord,
  ProductRecord,
  RefundRecord,
} from "../shopify/mappers/webhook-payloads";
import { mapOrderRecord } from "../shopify/mappers/webhooks";
import type { IngestOrder } from "../lib/ingest/types";
import { JOB } from "./names";
import { eachJob, type Job, type JobBatchResult, type JobPayload, type JobQueue } from "./types";

export interface HandlerDeps {
  db?: PrismaClient;
  now?: () => Date;
  /** bulk_operations/finish; default: app/lib/sync.server.ts onBulkOperationFinished. */
  bulkFinished?: (args: { shop: string; operationId: string; db?: PrismaClient; now: Date }) => Promise<unknown>;
}

type Delivered<T> = T & { webhookId: string };

/** Runs `fn` once per shop in the batch; a shop whose call throws fails its jobs only. */
async function perShop<T extends JobPayload>(
  jobs: Job<T>[],
  fn: (shop: string, jobs: Job<T>[]) => Promise<{ id: string; error: unknown }[] | void>,
): Promise<JobBatchResult> {
  const groups = new Map<string, Job<T>[]>();
  for (const job of jobs) groups.set(job.shop, [...(groups.get(job.shop) ?? []), job]);
  const failed: JobBatchResult["failed"] = [];
  for (const [shop, group] of groups) {
    try {
      failed.push(...((await fn(shop, group)) ?? []));
    } catch (error) {
      failed.push(...group.map((j) => ({ id: j.id, error })));
    }
  }
  return { failed };
}

/**
 * Writes a shop's batch in one call; if that fails, writes its jobs one by one so that one bad record (say, a payload
 * the database refuses) fails alone instead of holding back the whole batch on every retry.
 */
async function batchThenEach<T extends JobPayload>(
  group: Job<T>[],
  write: (jobs: Job<T>[]) => Promise<unknown>,
): Promise<{ id: string; error: unknown }[]> {
  try {
    await write(group);
    return [];
  } catch (error) {
    if (group.length === 1) return [{ id: group[0]!.id, error }];
  }
  const failed: { id: string; error: unknown }[] = [];
  for (const job of group) {
    try {
      await write([job]);
    } catch (error) {
      failed.push({ id: job.id, error });
    }
  }
  return failed;
}

export function registerHandlers(queue: JobQueue, { db, now = () => new Date(), bulkFinished }: HandlerDeps = {}): void {
  const processed = (shop: string, jobs: Job<Delivered<JobPayload>>[]) =>
    markWebhooksProcessed({ shop, webhookIds: jobs.map((j) => j.payload.webhookId), db, now: now() });

  queue.work(
    JOB.insightsRecompute,
    eachJob(async (job) => {
      try {
        await (await import("../lib/insights/recompute.server")).recomputeInsights({ shop: job.shop, db, now: now() });
      } finally {
        // Segments published to Shopify follow the new scores: members who left lose the tag, newcomers get it.
        await (await import("../lib/segments/publish.server")).resyncPublishedSegments({ shop: job.shop, db, queue });
      }
    }),
  );

  queue.work(
    JOB.storefrontPublish,
    eachJob(async (job) => {
      const outcome = await (await import("../lib/storefront/publish.server")).publishStorefrontOffers({ shop: job.shop, db, now: now() });
      if (outcome.status === "FAILED") throw new Error(`storefront publication failed: ${outcome.error ?? "see the publication row"}`);
    }),
  );

  queue.work(
    JOB.segmentsSync,
    eachJob(async (job) => {
      // Throws on an error the Admin client gave up on: the retry continues from the member rows.
      await (await import("../lib/segments/publish.server")).syncSegmentPublications({ shop: job.shop, db, now: now() });
    }),
  );

  queue.work<Delivered<{ bulkOperationId: string }>>(
    JOB.syncBulkFinished,
    eachJob(async (job) => {
      const finished = bulkFinished ?? (await import("../lib/sync.server")).onBulkOperationFinished;
      await finished({ shop: job.shop, operationId: job.payload.bulkOperationId, db, now: now() });
      await processed(job.shop, [job]);
    }),
  );

  queue.work<Delivered<{ order: OrderRecord }>>(
    JOB.orderUpsert,
    (jobs) =>
      perShop(jobs, async (shop, group) => {
        const failed: { id: string; error: unknown }[] = [];
        const mapped: { job: (typeof group)[number]; order: IngestOrder }[] = [];
        for (const job of group) {
          try {
            mapped.push({ job, order: mapOrderRecord(job.payload.order) }); // e.g. an amount the currency cannot hold
          } catch (error) {
            failed.push({ id: job.id, error });
          }
        }
        const orderOf = new Map(mapped.map((m) => [m.job.id, m.order]));
        const ok = mapped.map((m) => m.job);
        failed.push(...(await batchThenEach(ok, (part) => applyOrderUpserts({ shop, orders: part.map((j) => orderOf.get(j.id)!), db, now: now() }))));
        const failedIds = new Set(failed.map((f) => f.id));
        await processed(shop, ok.filter((j) => !failedIds.has(j.id)));
        return failed;
      }),
    { batchSize: 100 },
  );

  queue.work<Delivered<{ id: string }>>(
    JOB.orderDelete,
    (jobs) =>
      perShop(jobs, async (shop, group) => {
        await deleteOrders({ shop, orderIds: group.map((j) => j.payload.id), db });
        await processed(shop, group);
      }),
    { batchSize: 100 },
  );

  queue.work<Delivered<{ refund: RefundRecord & { orderId: string } }>>(
    JOB.refundCreate,
    eachJob(async (job) => {
      await applyRefund({ shop: job.shop, refund: job.payload.refund, db, now: now() });
      await processed(job.shop, [job]);
    }),
  );

  queue.work<Delivered<{ product: ProductRecord }>>(
    JOB.productUpsert,
    (jobs) =>
      perShop(jobs, async (shop, group) => {
        const failed = await batchThenEach(group, (part) => applyProductUpserts({ shop, products: part.map((j) => j.payload.product), db, now: now() }));
        await processed(shop, group.filter((j) => !failed.some((f) => f.id === j.id)));
        return failed;
      }),
    { batchSize: 50 },
  );

  queue.work<Delivered<{ id: string; deletedAt: string }>>(
    JOB.productDelete,
    (jobs) =>
      perShop(jobs, async (shop, group) => {
        await markProductsDeleted({ shop, deletions: group.map((j) => ({ id: j.payload.id, deletedAt: new Date(j.payload.deletedAt) })), db });
        await processed(shop, group);
      }),
    { batchSize: 100 },
  );

  queue.work<Delivered<{ customer: CustomerRecord }>>(
    JOB.customerUpsert,
    (jobs) =>
      perShop(jobs, async (shop, group) => {
        const failed = await batchThenEach(group, (part) => applyCustomerUpserts({ shop, customers: part.map((j) => j.payload.customer), db, now: now() }));
        await processed(shop, group.filter((j) => !failed.some((f) => f.id === j.id)));
        return failed;
      }),
    { batchSize: 100 },
  );

  /** After a redaction, finished jobs that carried the customer's id lose their payloads. */
  const scrub = async (shop: string, customerIds: string[]) => {
    for (const id of customerIds) await queue.scrubFinished(shop, id);
  };

  queue.work<Delivered<{ id: string }>>(
    JOB.customerDelete,
    eachJob(async (job) => {
      const { customerIds } = await redactCustomer({ shop: job.shop, customerId: job.payload.id, db });
      await scrub(job.shop, customerIds.length > 0 ? customerIds : [job.payload.id]);
      await processed(job.shop, [job]);
    }),
  );

  queue.work<Delivered<{ request: CustomerDataRequestRecord }>>(
    JOB.customerDataRequest,
    eachJob(async (job) => {
      const { customerId, ordersRequested, dataRequestId } = job.payload.request;
      await exportCustomerData({ shop: job.shop, customerId, ordersRequested, dataRequestId, db, now: now() });
      await processed(job.shop, [job]);
    }),
  );

  queue.work<Delivered<{ request: CustomerRedactRecord }>>(
    JOB.customerRedact,
    eachJob(async (job) => {
      const { customerId, ordersToRedact } = job.payload.request;
      const { customerIds } = await redactCustomer({ shop: job.shop, customerId, ordersToRedact, db });
      await scrub(job.shop, customerIds);
      await processed(job.shop, [job]);
    }),
  );

  queue.work<Delivered<{ request: Record<string, never> }>>(
    JOB.shopRedact,
    eachJob(async (job) => {
      // The shop's WebhookEvent rows go with it: nothing to mark processed afterwards.
      await redactShop({ shop: job.shop, db });
      await queue.purgeShop(job.shop);
    }),
  );
}
