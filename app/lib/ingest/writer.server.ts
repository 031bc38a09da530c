/**
 * The one way rows get into the commerce tables: batched, set-based upserts. Each call sends one statement per table
 * with every column as an array parameter (`unnest`), so a batch of thousands of rows is a handful of round trips —
 * never Prisma's row-by-row createMany — and works the same on PGlite and PostgreSQL.
 *
 * - Idempotent: rows are upserted by (shop, id); writing the same batch twice changes nothing.
 * - Stale-safe: an order or customer is only overwritten by a version whose updatedAt is not older.
 * - An order's lines are replaced with the version written (only when the order itself was written).
 * - Customers an order points at are created as stubs when missing (a webhook or an import can bring an order before
 *   its customer); a later customer write fills them in.
 * - Storefront attribution (Order.visitorId/offerArm, OrderLine.offerWidget/offerSlot/offerRank) arrives validated from
 *   the mappers; an order from a source without attributes (imports) keeps what a sync or webhook stored.
 * Callers choose atomicity by passing a transaction client.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import type { IngestCollection, IngestCustomer, IngestLine, IngestOrder, IngestProduct, IngestVariant } from "./types";

type Db = PrismaClient | Prisma.TransactionClient;

const iso = (d: Date | null) => (d === null ? null : d.toISOString());
const str = (v: bigint | number | null) => (v === null ? null : v.toString());
const bool = (v: boolean) => (v ? "t" : "f");
const json = (v: string[]) => JSON.stringify(v);

/** `$n::text[]` columns turned into typed rows; `json` columns become text[] per row. */
function unnest(columns: [name: string, type: string][]) {
  const select = columns
    .map(([name, type], i) =>
      type === "text[]"
        ? `ARRAY(SELECT json_array_elements_text(c${i}::json)) AS "${name}"`
        : `c${i}::${type} AS "${name}"`,
    )
    .join(", ");
  const args = columns.map((_, i) => `$${i + 1}::text[]`).join(", ");
  const aliases = columns.map((_, i) => `c${i}`).join(", ");
  return `SELECT ${select} FROM unnest(${args}) AS t(${aliases})`;
}

export async function writeCustomers(db: Db, shop: string, customers: readonly IngestCustomer[], now: Date): Promise<number> {
  if (customers.length === 0) return 0;
  const cols: [string, string][] = [
    ["id", "text"], ["createdAt", "timestamptz"], ["updatedAt", "timestamptz"], ["tags", "text[]"], ["rfmGroup", "text"],
    ["predictedSpendTier", "text"], ["locale", "text"], ["countryCode", "text"], ["emailMarketing", "text"], ["smsMarketing", "text"],
  ];
  const names = cols.map(([n]) => `"${n}"`).join(", ");
  const updates = cols.slice(1).map(([n]) => `"${n}" = EXCLUDED."${n}"`).join(", ");
  return db.$executeRawUnsafe(
    `INSERT INTO "Customer" ("shop", ${names}, "syncedAt")
     SELECT $${cols.length + 1}, ${cols.map(([n]) => `u."${n}"`).join(", ")}, $${cols.length + 2}::timestamptz FROM (${unnest(cols)}) u
     ON CONFLICT ("shop", "id") DO UPDATE SET ${updates}, "syncedAt" = EXCLUDED."syncedAt"
     WHERE "Customer"."updatedAt" IS NULL OR EXCLUDED."updatedAt" IS NULL OR EXCLUDED."updatedAt" >= "Customer"."updatedAt"`,
    customers.map((c) => c.id),
    customers.map((c) => iso(c.createdAt)),
    customers.map((c) => iso(c.updatedAt)),
    customers.map((c) => json(c.tags)),
    customers.map((c) => c.rfmGroup),
    customers.map((c) => c.predictedSpendTier),
    customers.map((c) => c.locale),
    customers.map((c) => c.countryCode),
    customers.map((c) => c.emailMarketing),
    customers.map((c) => c.smsMarketing),
    shop,
    now.toISOString(),
  );
}

export async function writeCollections(db: Db, shop: string, collections: readonly IngestCollection[], now: Date): Promise<number> {
  if (collections.length === 0) return 0;
  return db.$executeRawUnsafe(
    `INSERT INTO "Collection" ("shop", "id", "title", "handle", "syncedAt")
     SELECT $4, u.id, u.title, u.handle, $5::timestamptz FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, title, handle)
     ON CONFLICT ("shop", "id") DO UPDATE SET "title" = EXCLUDED."title", "handle" = EXCLUDED."handle", "syncedAt" = EXCLUDED."syncedAt"`,
    collections.map((c) => c.id),
    collections.map((c) => c.title),
    collections.map((c) => c.handle),
    shop,
    now.toISOString(),
  );
}

/** Upserts products (stale-safe) with their variants, and replaces their collection links. Returns products written. */
export async function writeProducts(db: Db, shop: string, products: readonly IngestProduct[], now: Date): Promise<number> {
  if (products.length === 0) return 0;
  const written = new Set(await upsertProductHeaders(db, shop, products, now));
  if (written.size === 0) return 0;
  const kept = products.filter((p) => written.has(p.id));
  await deleteProductCollections(db, shop, [...written]);
  await insertVariants(db, shop, kept.flatMap((p) => p.variants.map((v): VariantRow => ({ ...v, productId: p.id }))), now);
  await insertProductCollections(db, shop, kept.flatMap((p) => p.collectionIds.map((collectionId) => ({ productId: p.id, collectionId }))), now);
  return written.size;
}

/** Upserts products themselves (stale-safe by updatedAt); written products get syncedAt = `writtenAt`. Returns ids written. */
export async function upsertProductHeaders(db: Db, shop: string, products: readonly IngestProduct[], writtenAt: Date): Promise<string[]> {
  if (products.length === 0) return [];
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO "Product" ("shop", "id", "title", "handle", "productType", "vendor", "tags", "status", "createdAt", "updatedAt", "deletedAt", "syncedAt")
     SELECT $10, u.id, u.title, u.handle, u.pt, u.vendor, ARRAY(SELECT json_array_elements_text(u.tags::json)), u.status::"ProductStatus",
            u.created::timestamptz, u.updated::timestamptz, NULL, $11::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
          AS u(id, title, handle, pt, vendor, tags, status, created, updated)
     ON CONFLICT ("shop", "id") DO UPDATE SET "title" = EXCLUDED."title", "handle" = EXCLUDED."handle",
       "productType" = EXCLUDED."productType", "vendor" = EXCLUDED."vendor", "tags" = EXCLUDED."tags", "status" = EXCLUDED."status",
       "createdAt" = EXCLUDED."createdAt", "updatedAt" = EXCLUDED."updatedAt", "deletedAt" = NULL, "syncedAt" = EXCLUDED."syncedAt"
     WHERE "Product"."updatedAt" IS NULL OR EXCLUDED."updatedAt" IS NULL OR EXCLUDED."updatedAt" >= "Product"."updatedAt"
     RETURNING "id"`,
    products.map((p) => p.id),
    products.map((p) => p.title),
    products.map((p) => p.handle),
    products.map((p) => p.productType),
    products.map((p) => p.vendor),
    products.map((p) => json(p.tags)),
    products.map((p) => p.status),
    products.map((p) => iso(p.createdAt)),
    products.map((p) => iso(p.updatedAt)),
    shop,
    writtenAt.toISOString(),
  );
  return rows.map((r) => r.id);
}

export interface VariantRow extends IngestVariant {
  productId: string;
}

/** Upserts variants of products written with syncedAt = `writtenAt`; returns the variant ids written. */
export async function insertVariants(db: Db, shop: string, variants: readonly VariantRow[], writtenAt: Date): Promise<string[]> {
  if (variants.length === 0) return [];
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO "Variant" ("shop", "id", "productId", "title", "sku", "currency", "price", "compareAtPrice", "unitCost", "inventoryQuantity", "availableForSale", "syncedAt")
     SELECT $11, u.id, u.pid, u.title, u.sku, u.cur, u.price::bigint, u.cap::bigint, u.cost::bigint, u.inv::integer, u.afs::boolean, $12::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
          AS u(id, pid, title, sku, cur, price, cap, cost, inv, afs)
     JOIN "Product" p ON p."shop" = $11 AND p."id" = u.pid AND p."syncedAt" = $12::timestamptz
     ON CONFLICT ("shop", "id") DO UPDATE SET "productId" = EXCLUDED."productId", "title" = EXCLUDED."title", "sku" = EXCLUDED."sku",
       "currency" = EXCLUDED."currency", "price" = EXCLUDED."price", "compareAtPrice" = EXCLUDED."compareAtPrice",
       "unitCost" = EXCLUDED."unitCost", "inventoryQuantity" = EXCLUDED."inventoryQuantity",
       "availableForSale" = EXCLUDED."availableForSale", "syncedAt" = EXCLUDED."syncedAt"
     RETURNING "id"`,
    variants.map((v) => v.id),
    variants.map((v) => v.productId),
    variants.map((v) => v.title),
    variants.map((v) => v.sku),
    variants.map((v) => v.currency),
    variants.map((v) => str(v.price)),
    variants.map((v) => str(v.compareAtPrice)),
    variants.map((v) => str(v.unitCost)),
    variants.map((v) => str(v.inventoryQuantity)),
    variants.map((v) => bool(v.availableForSale)),
    shop,
    writtenAt.toISOString(),
  );
  return rows.map((r) => r.id);
}

export async function deleteProductCollections(db: Db, shop: string, productIds: readonly string[]): Promise<void> {
  if (productIds.length === 0) return;
  await db.$executeRawUnsafe(`DELETE FROM "ProductCollection" WHERE "shop" = $1 AND "productId" = ANY($2::text[])`, shop, productIds);
}

/**
 * Links products written with syncedAt = `writtenAt` to collections that exist; returns the links written as
 * "productId/collectionId".
 */
export async function insertProductCollections(
  db: Db,
  shop: string,
  links: readonly { productId: string; collectionId: string }[],
  writtenAt: Date,
): Promise<string[]> {
  if (links.length === 0) return [];
  const rows = await db.$queryRawUnsafe<{ productId: string; collectionId: string }[]>(
    `INSERT INTO "ProductCollection" ("shop", "productId", "collectionId")
     SELECT $3, u.p, u.c FROM unnest($1::text[], $2::text[]) AS u(p, c)
     JOIN "Product" p ON p."shop" = $3 AND p."id" = u.p AND p."syncedAt" = $4::timestamptz
     WHERE EXISTS (SELECT 1 FROM "Collection" k WHERE k."shop" = $3 AND k."id" = u.c)
     ON CONFLICT DO NOTHING
     RETURNING "productId", "collectionId"`,
    links.map((l) => l.productId),
    links.map((l) => l.collectionId),
    shop,
    writtenAt.toISOString(),
  );
  return rows.map((r) => `${r.productId}/${r.collectionId}`);
}

/**
 * Upserts orders (stale-safe) and replaces the lines of every order actually written. Returns orders written.
 * The pieces (upsertOrderHeaders, deleteOrderLines, insertOrderLines) are what the streamed full sync uses.
 */
export async function writeOrders(db: Db, shop: string, orders: readonly IngestOrder[], now: Date): Promise<number> {
  if (orders.length === 0) return 0;
  const written = await upsertOrderHeaders(db, shop, orders, now);
  if (written.length === 0) return 0;
  const ids = new Set(written);
  await deleteOrderLines(db, shop, written);
  const lines = orders.filter((o) => ids.has(o.id)).flatMap((o) => o.lines.map((l): OrderLineRow => ({ ...l, orderId: o.id })));
  await insertOrderLines(db, shop, lines, null);
  return written.length;
}

/**
 * Upserts the orders themselves (not their lines), stale-safe: an order is only overwritten by a version whose
 * updatedAt is not older. Every written order gets syncedAt = `writtenAt`, which is how insertOrderLines recognises the
 * orders this writer (or this sync run) wrote. Customers the orders point at are created as stubs when missing.
 * Returns the ids written.
 */
export async function upsertOrderHeaders(db: Db, shop: string, orders: readonly IngestOrder[], writtenAt: Date): Promise<string[]> {
  if (orders.length === 0) return [];
  const customerIds = [...new Set(orders.flatMap((o) => (o.customerId === null ? [] : [o.customerId])))];
  if (customerIds.length > 0) {
    const firstSeen = new Map<string, Date>();
    for (const o of orders) {
      if (o.customerId === null) continue;
      const seen = firstSeen.get(o.customerId);
      if (!seen || o.createdAt < seen) firstSeen.set(o.customerId, o.createdAt);
    }
    // Usually every customer is already there (the sync brings customers first): probe before the speculative insert.
    await db.$executeRawUnsafe(
      `INSERT INTO "Customer" ("shop", "id", "createdAt", "syncedAt")
       SELECT $3, u.id, u.created::timestamptz, $4::timestamptz FROM unnest($1::text[], $2::text[]) AS u(id, created)
       WHERE NOT EXISTS (SELECT 1 FROM "Customer" c WHERE c."shop" = $3 AND c."id" = u.id)
       ON CONFLICT ("shop", "id") DO NOTHING`,
      customerIds,
      customerIds.map((id) => firstSeen.get(id)!.toISOString()),
      shop,
      writtenAt.toISOString(),
    );
  }
  // A source that carries no attributes (file imports: `visitorId` undefined) keeps the attribution a sync or webhook
  // stored; one that does (even none, or only invalid ones: null) replaces it.
  const known = orders.filter((o) => o.visitorId !== undefined || o.offerArm !== undefined);
  const unknown = orders.filter((o) => o.visitorId === undefined && o.offerArm === undefined);
  const written = [
    ...(await upsertOrderRows(db, shop, known, writtenAt, true)),
    ...(await upsertOrderRows(db, shop, unknown, writtenAt, false)),
  ];
  return written;
}

async function upsertOrderRows(db: Db, shop: string, orders: readonly IngestOrder[], writtenAt: Date, replaceAttribution: boolean) {
  if (orders.length === 0) return [];
  const attribution = (column: string) => (replaceAttribution ? `EXCLUDED."${column}"` : `"Order"."${column}"`);
  const written = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO "Order" ("shop", "id", "name", "createdAt", "processedAt", "updatedAt", "cancelledAt", "currency", "subtotal", "total",
                          "totalDiscounts", "totalRefunded", "test", "sourceName", "discountCodes", "customerId", "visitorId",
                          "offerArm", "syncedAt")
     SELECT $18, u.id, u.name, u.created::timestamptz, u.processed::timestamptz, u.updated::timestamptz, u.cancelled::timestamptz, u.cur,
            u.sub::bigint, u.tot::bigint, u.disc::bigint, u.ref::bigint, u.test::boolean, u.src,
            CASE WHEN u.codes = '[]' THEN '{}'::text[] ELSE ARRAY(SELECT json_array_elements_text(u.codes::json)) END, u.cust,
            u.vis, u.arm, $19::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                 $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])
          AS u(id, name, created, processed, updated, cancelled, cur, sub, tot, disc, ref, test, src, codes, cust, vis, arm)
     ON CONFLICT ("shop", "id") DO UPDATE SET "name" = EXCLUDED."name", "createdAt" = EXCLUDED."createdAt",
       "processedAt" = EXCLUDED."processedAt", "updatedAt" = EXCLUDED."updatedAt", "cancelledAt" = EXCLUDED."cancelledAt",
       "currency" = EXCLUDED."currency", "subtotal" = EXCLUDED."subtotal", "total" = EXCLUDED."total",
       "totalDiscounts" = EXCLUDED."totalDiscounts", "totalRefunded" = EXCLUDED."totalRefunded", "test" = EXCLUDED."test",
       "sourceName" = EXCLUDED."sourceName", "discountCodes" = EXCLUDED."discountCodes", "customerId" = EXCLUDED."customerId",
       "visitorId" = ${attribution("visitorId")}, "offerArm" = ${attribution("offerArm")}, "syncedAt" = EXCLUDED."syncedAt"
     WHERE EXCLUDED."updatedAt" >= "Order"."updatedAt"
     RETURNING "id"`,
    orders.map((o) => o.id),
    orders.map((o) => o.name),
    orders.map((o) => iso(o.createdAt)),
    orders.map((o) => iso(o.processedAt)),
    orders.map((o) => iso(o.updatedAt)),
    orders.map((o) => iso(o.cancelledAt)),
    orders.map((o) => o.currency),
    orders.map((o) => str(o.subtotal)),
    orders.map((o) => str(o.total)),
    orders.map((o) => str(o.totalDiscounts)),
    orders.map((o) => str(o.totalRefunded)),
    orders.map((o) => bool(o.test)),
    orders.map((o) => o.sourceName),
    orders.map((o) => json(o.discountCodes)),
    orders.map((o) => o.customerId),
    orders.map((o) => o.visitorId ?? null),
    orders.map((o) => o.offerArm ?? null),
    shop,
    writtenAt.toISOString(),
  );
  return written.map((r) => r.id);
}

export async function deleteOrderLines(db: Db, shop: string, orderIds: readonly string[]): Promise<void> {
  if (orderIds.length === 0) return;
  await db.$executeRawUnsafe(`DELETE FROM "OrderLine" WHERE "shop" = $1 AND "orderId" = ANY($2::text[])`, shop, orderIds);
}

/** A line with its order. `currentQuantity` (bulk exports) replaces refundedQuantity: see insertOrderLines. */
export interface OrderLineRow extends IngestLine {
  orderId: string;
  currentQuantity?: number;
}

/**
 * Upserts order lines; returns the ids of the lines written.
 * - `writtenAt` null: the caller has just written every line's order and deleted its old lines (the lines'
 *   refundedQuantity is final); a plain insert.
 * - `writtenAt` a time: only lines whose order was written with syncedAt = writtenAt are written (a line whose order
 *   is missing, or was kept because a newer version is stored, is not). A row with `currentQuantity` then gets
 *   refundedQuantity = quantity − currentQuantity, or 0 when its order is cancelled (a cancelled order's lines stay as
 *   bought): the one place that knows the order when lines arrive apart from it, as in bulk exports.
 */
export async function insertOrderLines(db: Db, shop: string, lines: readonly OrderLineRow[], writtenAt: Date | null): Promise<string[]> {
  if (lines.length === 0) return [];
  const checked = writtenAt !== null;
  const run = (sql: string, ...args: unknown[]) =>
    checked ? db.$queryRawUnsafe<{ id: string }[]>(sql, ...args) : db.$executeRawUnsafe(sql, ...args).then(() => lines.map((l) => ({ id: l.id })));
  const rows = await run(
    `INSERT INTO "OrderLine" ("shop", "orderId", "id", "productId", "variantId", "title", "variantTitle", "sku", "quantity",
                              "unitPrice", "totalDiscount", "refundedQuantity", "isGiftCard", "isCustom", "offerWidget",
                              "offerSlot", "offerRank")
     SELECT $15, u.oid, u.id, u.pid, u.vid, u.title, u.vtitle, u.sku, u.qty::integer, u.price::bigint, u.disc::bigint,
            ${checked ? `CASE WHEN u.cur IS NULL THEN u.refq::integer WHEN o."cancelledAt" IS NULL THEN GREATEST(0, u.qty::integer - u.cur::integer) ELSE 0 END` : `u.refq::integer`},
            u.gift::boolean, u.custom::boolean, u.ow, u.os::integer, u.orank
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                 $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $17::text[], $18::text[], $19::text[])
          AS u(oid, id, pid, vid, title, vtitle, sku, qty, price, disc, refq, cur, gift, custom, ow, os, orank)
     ${
       checked
         ? `JOIN "Order" o ON o."shop" = $15 AND o."id" = u.oid AND o."syncedAt" = $16::timestamptz
     ON CONFLICT ("shop", "id") DO UPDATE SET "orderId" = EXCLUDED."orderId", "productId" = EXCLUDED."productId",
       "variantId" = EXCLUDED."variantId", "title" = EXCLUDED."title", "variantTitle" = EXCLUDED."variantTitle",
       "sku" = EXCLUDED."sku", "quantity" = EXCLUDED."quantity", "unitPrice" = EXCLUDED."unitPrice",
       "totalDiscount" = EXCLUDED."totalDiscount", "refundedQuantity" = EXCLUDED."refundedQuantity",
       "isGiftCard" = EXCLUDED."isGiftCard", "isCustom" = EXCLUDED."isCustom", "offerWidget" = EXCLUDED."offerWidget",
       "offerSlot" = EXCLUDED."offerSlot", "offerRank" = EXCLUDED."offerRank"
     RETURNING "id"`
         : // The orders were just written and their old lines deleted: nothing can conflict.
           `WHERE $16::text IS NULL`
     }`,
    lines.map((l) => l.orderId),
    lines.map((l) => l.id),
    lines.map((l) => l.productId),
    lines.map((l) => l.variantId),
    lines.map((l) => l.title),
    lines.map((l) => l.variantTitle),
    lines.map((l) => l.sku),
    lines.map((l) => String(l.quantity)),
    lines.map((l) => str(l.unitPrice)),
    lines.map((l) => str(l.totalDiscount)),
    lines.map((l) => String(l.refundedQuantity)),
    lines.map((l) => (l.currentQuantity === undefined ? null : String(l.currentQuantity))),
    lines.map((l) => bool(l.isGiftCard)),
    lines.map((l) => bool(l.isCustom)),
    shop,
    writtenAt === null ? null : writtenAt.toISOString(),
    lines.map((l) => l.offerWidget ?? null),
    lines.map((l) => (l.offerSlot === undefined || l.offerSlot === null ? null : String(l.offerSlot))),
    lines.map((l) => l.offerRank ?? null),
  );
  return rows.map((r) => r.id);
}
