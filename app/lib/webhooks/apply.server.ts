/**
 * The work behind webhook jobs: map the stored webhook records to ingest records and write them through the one writer
 * (app/lib/ingest/writer.server.ts), in batches. Every function takes the shop explicitly, filters every query by it,
 * and does nothing for a shop that is gone (redacted while its jobs waited).
 *
 * - Idempotent: writes are upserts; a job that runs twice changes nothing the second time.
 * - Stale-safe: the writer keeps the version with the newer `updated_at`; within one batch the newest version of each
 *   record is the one written. A refund only touches an order stored from before it (see applyRefund).
 * - Fields webhooks do not carry are kept from the stored row instead of being blanked: a product's collections and
 *   variants' unit costs, a customer's RFM group and predicted spend tier (all from the full sync).
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { redactedCustomerIds } from "../compliance/customer-data.server";
import type { IngestCustomer, IngestOrder, IngestProduct } from "../ingest/types";
import { writeCustomers, writeOrders, writeProducts } from "../ingest/writer.server";
import type { CustomerRecord, ProductRecord, RefundRecord } from "../../shopify/mappers/webhook-payloads";
import { mapCustomerRecord, mapProductRecord, mapRefundRecord } from "../../shopify/mappers/webhooks";

type Db = PrismaClient | Prisma.TransactionClient;

interface Ctx {
  shop: string;
  db?: PrismaClient;
  now?: Date;
}

async function shopCurrency(db: Db, shop: string): Promise<string | null> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true } });
  return row?.currency ?? null;
}

/** Of several versions of one record, the newest (the last given wins a tie). */
function newestById<T extends { id: string }>(items: readonly T[], updatedAt: (item: T) => Date | null): T[] {
  const newest = new Map<string, T>();
  for (const item of items) {
    const seen = newest.get(item.id);
    const a = updatedAt(item)?.getTime() ?? -Infinity;
    const b = seen ? (updatedAt(seen)?.getTime() ?? -Infinity) : -Infinity;
    if (!seen || a >= b) newest.set(item.id, item);
  }
  return [...newest.values()];
}

/** Records that the jobs of these deliveries are done (WebhookEvent.processedAt). */
export async function markWebhooksProcessed({ shop, webhookIds, db = defaultPrisma, now = new Date() }: Ctx & { webhookIds: string[] }) {
  if (webhookIds.length === 0) return;
  await db.$executeRawUnsafe(
    `UPDATE "WebhookEvent" SET "processedAt" = $3::timestamptz WHERE "shop" = $1 AND "webhookId" = ANY($2::text[])`,
    shop,
    webhookIds,
    now.toISOString(),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Orders

/** orders/create and orders/updated, many at once. Returns the orders written (stale versions are not). */
export async function applyOrderUpserts({ shop, orders, db = defaultPrisma, now = new Date() }: Ctx & { orders: readonly IngestOrder[] }): Promise<number> {
  if (orders.length === 0 || (await shopCurrency(db, shop)) === null) return 0;
  const newest = newestById(orders, (o) => o.updatedAt);
  return db.$transaction(async (tx) => writeOrders(tx, shop, await dropRedactedCustomers(tx, shop, newest), now));
}

/** Orders of redacted customers stay anonymous: their customerId is dropped (no stub customer is created either). */
async function dropRedactedCustomers(db: Db, shop: string, orders: IngestOrder[]): Promise<IngestOrder[]> {
  const redacted = await redactedCustomerIds({ shop, customerIds: orders.flatMap((o) => (o.customerId ? [o.customerId] : [])), db });
  return redacted.size === 0 ? orders : orders.map((o) => (o.customerId && redacted.has(o.customerId) ? { ...o, customerId: null } : o));
}

/** orders/delete: the order and its lines go (lines cascade). */
export async function deleteOrders({ shop, orderIds, db = defaultPrisma }: Ctx & { orderIds: string[] }): Promise<number> {
  const { count } = await db.order.deleteMany({ where: { shop, id: { in: orderIds } } });
  return count;
}

export type RefundOutcome = "applied" | "already-included" | "order-unknown" | "shop-unknown";

/**
 * refunds/create: adds the refunded quantities (never above a line's quantity) and amount to the stored order, and
 * moves the order's `updatedAt` to the refund's time — only if the stored version is older than the refund, i.e. does
 * not include it yet. So the refund is applied once however often it is delivered; an orders/updated that includes it
 * (Shopify sends one with every refund) replaces the order wholesale; an older orders/updated arriving late is refused
 * as stale. An order not stored yet is left alone: the order's own webhook or sync brings its refunds.
 * Limitation: two refunds of one order in the same second: the second one waits for that order's orders/updated.
 */
export async function applyRefund({ shop, refund, db = defaultPrisma, now = new Date() }: Ctx & { refund: RefundRecord & { orderId: string } }): Promise<RefundOutcome> {
  return db.$transaction(async (tx): Promise<RefundOutcome> => {
    const orders = await tx.$queryRawUnsafe<{ currency: string; updatedAt: Date; cancelledAt: Date | null }[]>(
      `SELECT "currency", "updatedAt", "cancelledAt" FROM "Order" WHERE "shop" = $1 AND "id" = $2 FOR UPDATE`,
      shop,
      refund.orderId,
    );
    const order = orders[0];
    if (!order) return (await shopCurrency(tx, shop)) === null ? "shop-unknown" : "order-unknown";
    const delta = mapRefundRecord(refund, order.currency);
    if (order.updatedAt.getTime() >= delta.createdAt.getTime()) return "already-included";
    const lines = [...delta.quantities.entries()];
    if (lines.length > 0 && order.cancelledAt === null) {
      await tx.$executeRawUnsafe(
        `UPDATE "OrderLine" AS l SET "refundedQuantity" = LEAST(l."quantity", l."refundedQuantity" + u.q)
         FROM unnest($3::text[], $4::integer[]) AS u(id, q)
         WHERE l."shop" = $1 AND l."orderId" = $2 AND l."id" = u.id`,
        shop,
        refund.orderId,
        lines.map(([id]) => id),
        lines.map(([, q]) => q),
      );
    }
    await tx.$executeRawUnsafe(
      `UPDATE "Order" SET "totalRefunded" = "totalRefunded" + $3::bigint, "updatedAt" = $4::timestamptz, "syncedAt" = $5::timestamptz
       WHERE "shop" = $1 AND "id" = $2`,
      shop,
      refund.orderId,
      delta.amount.toString(),
      delta.createdAt.toISOString(),
      now.toISOString(),
    );
    return "applied";
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Products

/** products/create and products/update (prices in the shop's currency). Returns the products written. */
export async function applyProductUpserts({ shop, products, db = defaultPrisma, now = new Date() }: Ctx & { products: readonly ProductRecord[] }): Promise<number> {
  const currency = await shopCurrency(db, shop);
  if (products.length === 0 || currency === null) return 0;
  const mapped = newestById(
    products.map((p) => mapProductRecord(p, currency)),
    (p) => p.updatedAt,
  );
  const ids = mapped.map((p) => p.id);
  return db.$transaction(async (tx) => {
    // The writer upserts variants even when their product is stale: leave stale products out altogether.
    const stored = await tx.product.findMany({ where: { shop, id: { in: ids } }, select: { id: true, updatedAt: true } });
    const storedAt = new Map(stored.map((p) => [p.id, p.updatedAt]));
    const fresh = mapped.filter((p) => {
      const at = storedAt.get(p.id);
      return !at || !p.updatedAt || p.updatedAt.getTime() >= at.getTime();
    });
    if (fresh.length === 0) return 0;
    const freshIds = fresh.map((p) => p.id);
    const [links, costs] = await Promise.all([
      tx.productCollection.findMany({ where: { shop, productId: { in: freshIds } }, select: { productId: true, collectionId: true } }),
      tx.variant.findMany({ where: { shop, productId: { in: freshIds }, unitCost: { not: null } }, select: { id: true, unitCost: true } }),
    ]);
    const unitCost = new Map(costs.map((v) => [v.id, v.unitCost]));
    const withKept: IngestProduct[] = fresh.map((p) => ({
      ...p,
      collectionIds: links.filter((l) => l.productId === p.id).map((l) => l.collectionId),
      variants: p.variants.map((v) => ({ ...v, unitCost: unitCost.get(v.id) ?? null })),
    }));
    return writeProducts(tx, shop, withKept, now);
  });
}

/**
 * products/delete: the product stays (order lines keep resolving) with `deletedAt`; its `updatedAt` moves to the
 * deletion so that an older products/update delivered later cannot bring it back.
 */
export async function markProductsDeleted({ shop, deletions, db = defaultPrisma }: Ctx & { deletions: { id: string; deletedAt: Date }[] }): Promise<number> {
  if (deletions.length === 0) return 0;
  return db.$executeRawUnsafe(
    `UPDATE "Product" AS p SET "deletedAt" = u.at, "updatedAt" = GREATEST(COALESCE(p."updatedAt", u.at), u.at)
     FROM (SELECT id, max(at::timestamptz) AS at FROM unnest($2::text[], $3::text[]) AS t(id, at) GROUP BY id) AS u
     WHERE p."shop" = $1 AND p."id" = u.id`,
    shop,
    deletions.map((d) => d.id),
    deletions.map((d) => d.deletedAt.toISOString()),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Customers

/** customers/create and customers/update. Returns the customers written. */
export async function applyCustomerUpserts({ shop, customers, db = defaultPrisma, now = new Date() }: Ctx & { customers: readonly CustomerRecord[] }): Promise<number> {
  if (customers.length === 0 || (await shopCurrency(db, shop)) === null) return 0;
  const all = newestById(customers.map(mapCustomerRecord), (c) => c.updatedAt);
  return db.$transaction(async (tx) => {
    const redacted = await redactedCustomerIds({ shop, customerIds: all.map((c) => c.id), db: tx });
    const mapped = all.filter((c) => !redacted.has(c.id)); // a redacted customer is not stored again
    if (mapped.length === 0) return 0;
    const stored = await tx.customer.findMany({
      where: { shop, id: { in: mapped.map((c) => c.id) } },
      select: { id: true, rfmGroup: true, predictedSpendTier: true },
    });
    const kept = new Map(stored.map((c) => [c.id, c]));
    const withKept: IngestCustomer[] = mapped.map((c) => ({
      ...c,
      rfmGroup: kept.get(c.id)?.rfmGroup ?? null,
      predictedSpendTier: kept.get(c.id)?.predictedSpendTier ?? null,
    }));
    return writeCustomers(tx, shop, withKept, now);
  });
}
