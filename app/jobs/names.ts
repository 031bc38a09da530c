/**
 * Every job name the app enqueues, and what each queue needs from pg-boss. Handlers are registered in
 * app/jobs/handlers.server.ts.
 */
export const JOB = {
  /** orders/create, orders/updated: upsert the order and its lines (batched, stale-safe). */
  orderUpsert: "webhooks.order-upsert",
  /** orders/delete: delete the order and its lines. */
  orderDelete: "webhooks.order-delete",
  /** refunds/create: add the refunded quantities and amount to a stored order that does not include them yet. */
  refundCreate: "webhooks.refund-create",
  /** products/create, products/update. */
  productUpsert: "webhooks.product-upsert",
  /** products/delete: mark deletedAt (order lines keep resolving). */
  productDelete: "webhooks.product-delete",
  /** customers/create, customers/update. */
  customerUpsert: "webhooks.customer-upsert",
  /** customers/delete: the customer's identifiers go, as with customers/redact. */
  customerDelete: "webhooks.customer-delete",
  /** customers/data_request: store an export of everything about the customer. */
  customerDataRequest: "compliance.customer-data-request",
  /** customers/redact. */
  customerRedact: "compliance.customer-redact",
  /** shop/redact: every row of the shop. */
  shopRedact: "compliance.shop-redact",
  /** bulk_operations/finish: the sync (app/shopify/sync/) picks up the finished operation. Keyed by operation. */
  syncBulkFinished: "sync.bulk-finished",
  /** After a full sync or an import: recompute the shop's insights (app/lib/insights/). Keyed by shop. */
  insightsRecompute: "insights.recompute",
  /** After the storefront settings change (holdout, widgets on/off): publish them and the offers. Keyed by shop. */
  storefrontPublish: "storefront.publish",
  /** Segments to Shopify: tag, untag and (un)publish every publication of the shop that has work. Keyed by shop. */
  segmentsSync: "segments.sync",
} as const;

export type JobName = (typeof JOB)[keyof typeof JOB];

/**
 * pg-boss queue policies. `exclusive` = at most one queued or active job per singletonKey (what enqueue's
 * singletonKey promises); such queues must always be given a key. Every other queue is `standard`.
 */
export const EXCLUSIVE_QUEUES: ReadonlySet<string> = new Set<string>([JOB.syncBulkFinished, JOB.insightsRecompute, JOB.storefrontPublish, JOB.segmentsSync]);
