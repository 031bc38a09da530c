/**
 * A shop's orders and catalog, read from the database into the plain records the analytics core takes
 * (app/insights/). Read in keyset pages, so no single query result is huge; money stays integer minor units (Numbers:
 * every amount the writer stores is a safe integer).
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import type { InsightOrder, InsightProduct } from "../../insights/baskets";

type Db = PrismaClient | Prisma.TransactionClient;

export interface LoadedLine {
  productId: string | null;
  variantId: string | null;
  quantity: number;
  refundedQuantity: number;
  isGiftCard: boolean;
  isCustom: boolean;
  unitPrice: number;
  totalDiscount: number;
}

export interface LoadedOrder extends InsightOrder {
  createdAt: Date;
  cancelledAt: Date | null;
  currency: string;
  /** Lines after discounts, before tax and shipping (Shopify's subtotal). */
  subtotal: number;
  total: number;
  totalRefunded: number;
  discountCodes: string[];
  /** Shopify's sourceName (web, pos, …): the channel of a customer's first order. */
  sourceName: string | null;
  lines: LoadedLine[];
}

const PAGE = 20_000;

/** What each insight computation takes: the shop, the clock, and the shop's orders when the caller loaded them once. */
export interface InsightInput {
  db: PrismaClient;
  shop: string;
  now: Date;
  /** The shop's orders (loadOrders); read here when not given. */
  orders?: LoadedOrder[];
}

/** Every order of the shop with its lines, oldest first. */
export async function loadOrders(db: Db, shop: string): Promise<LoadedOrder[]> {
  const orders: LoadedOrder[] = [];
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const page: {
      id: string;
      createdAt: Date;
      cancelledAt: Date | null;
      test: boolean;
      customerId: string | null;
      currency: string;
      subtotal: bigint;
      total: bigint;
      totalRefunded: bigint;
      discountCodes: string[];
      sourceName: string | null;
    }[] = await db.$queryRawUnsafe(
      `SELECT "id", "createdAt", "cancelledAt", "test", "customerId", "currency", "subtotal", "total", "totalRefunded", "discountCodes", "sourceName"
       FROM "Order" WHERE "shop" = $1 ${after ? `AND ("createdAt", "id") > ($2::timestamptz, $3)` : ""}
       ORDER BY "createdAt", "id" LIMIT ${PAGE}`,
      shop,
      ...(after ? [after.createdAt.toISOString(), after.id] : []),
    );
    if (page.length === 0) break;
    const lines: (Omit<LoadedLine, "unitPrice" | "totalDiscount"> & { orderId: string; unitPrice: bigint; totalDiscount: bigint })[] =
      await db.$queryRawUnsafe(
        `SELECT "orderId", "productId", "variantId", "quantity", "refundedQuantity", "isGiftCard", "isCustom", "unitPrice", "totalDiscount"
         FROM "OrderLine" WHERE "shop" = $1 AND "orderId" = ANY($2::text[])`,
        shop,
        page.map((o) => o.id),
      );
    const byOrder = new Map<string, LoadedLine[]>();
    for (const l of lines) {
      const list = byOrder.get(l.orderId) ?? [];
      list.push({
        productId: l.productId,
        variantId: l.variantId,
        quantity: l.quantity,
        refundedQuantity: l.refundedQuantity,
        isGiftCard: l.isGiftCard,
        isCustom: l.isCustom,
        unitPrice: Number(l.unitPrice),
        totalDiscount: Number(l.totalDiscount),
      });
      byOrder.set(l.orderId, list);
    }
    for (const o of page) {
      orders.push({
        id: o.id,
        createdAt: o.createdAt,
        cancelledAt: o.cancelledAt,
        test: o.test,
        customerId: o.customerId,
        currency: o.currency,
        subtotal: Number(o.subtotal),
        total: Number(o.total),
        totalRefunded: Number(o.totalRefunded),
        discountCodes: o.discountCodes,
        sourceName: o.sourceName,
        lines: byOrder.get(o.id) ?? [],
      });
    }
    const last = page.at(-1)!;
    after = { createdAt: last.createdAt, id: last.id };
    if (page.length < PAGE) break;
  }
  return orders;
}

/**
 * The shop's products (deleted ones included: old orders still name them) as the core sees them: price = the lowest
 * variant price, unit cost = that variant's, available = any variant for sale.
 */
export async function loadProducts(db: Db, shop: string): Promise<Map<string, InsightProduct & { deleted: boolean }>> {
  const rows = await db.product.findMany({
    where: { shop },
    select: {
      id: true,
      title: true,
      productType: true,
      vendor: true,
      tags: true,
      status: true,
      deletedAt: true,
      variants: { select: { price: true, unitCost: true, availableForSale: true } },
      collections: { select: { collectionId: true } },
    },
  });
  const products = new Map<string, InsightProduct & { deleted: boolean }>();
  for (const p of rows) {
    const cheapest = [...p.variants].sort((a, b) => (a.price < b.price ? -1 : a.price > b.price ? 1 : 0))[0];
    products.set(p.id, {
      id: p.id,
      title: p.title,
      productType: p.productType,
      vendor: p.vendor,
      tags: p.tags,
      collectionIds: p.collections.map((c) => c.collectionId),
      // A product deleted in Shopify is never offered again.
      status: p.deletedAt ? "DELETED" : p.status,
      deleted: p.deletedAt !== null,
      price: cheapest ? Number(cheapest.price) : 0,
      unitCost: cheapest?.unitCost === null || cheapest?.unitCost === undefined ? null : Number(cheapest.unitCost),
      available: p.variants.some((v) => v.availableForSale),
    });
  }
  return products;
}
