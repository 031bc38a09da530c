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
 * Callers choose atomicity by passing a transaction client.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import type { IngestCollection, IngestCustomer, IngestOrder, IngestProduct } from "./types";

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

export async function writeProducts(db: Db, shop: string, products: readonly IngestProduct[], now: Date): Promise<number> {
  if (products.length === 0) return 0;
  const written = await db.$executeRawUnsafe(
    `INSERT INTO "Product" ("shop", "id", "title", "handle", "productType", "vendor", "tags", "status", "createdAt", "updatedAt", "deletedAt", "syncedAt")
     SELECT $10, u.id, u.title, u.handle, u.pt, u.vendor, ARRAY(SELECT json_array_elements_text(u.tags::json)), u.status::"ProductStatus",
            u.created::timestamptz, u.updated::timestamptz, NULL, $11::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
          AS u(id, title, handle, pt, vendor, tags, status, created, updated)
     ON CONFLICT ("shop", "id") DO UPDATE SET "title" = EXCLUDED."title", "handle" = EXCLUDED."handle",
       "productType" = EXCLUDED."productType", "vendor" = EXCLUDED."vendor", "tags" = EXCLUDED."tags", "status" = EXCLUDED."status",
       "createdAt" = EXCLUDED."createdAt", "updatedAt" = EXCLUDED."updatedAt", "deletedAt" = NULL, "syncedAt" = EXCLUDED."syncedAt"
     WHERE "Product"."updatedAt" IS NULL OR EXCLUDED."updatedAt" IS NULL OR EXCLUDED."updatedAt" >= "Product"."updatedAt"`,
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
    now.toISOString(),
  );
  const variants = products.flatMap((p) => p.variants.map((v) => ({ ...v, productId: p.id })));
  if (variants.length > 0) {
    await db.$executeRawUnsafe(
      `INSERT INTO "Variant" ("shop", "id", "productId", "title", "sku", "currency", "price", "compareAtPrice", "unitCost", "inventoryQuantity", "availableForSale", "syncedAt")
       SELECT $11, u.id, u.pid, u.title, u.sku, u.cur, u.price::bigint, u.cap::bigint, u.cost::bigint, u.inv::integer, u.afs::boolean, $12::timestamptz
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
            AS u(id, pid, title, sku, cur, price, cap, cost, inv, afs)
       ON CONFLICT ("shop", "id") DO UPDATE SET "productId" = EXCLUDED."productId", "title" = EXCLUDED."title", "sku" = EXCLUDED."sku",
         "currency" = EXCLUDED."currency", "price" = EXCLUDED."price", "compareAtPrice" = EXCLUDED."compareAtPrice",
         "unitCost" = EXCLUDED."unitCost", "inventoryQuantity" = EXCLUDED."inventoryQuantity",
         "availableForSale" = EXCLUDED."availableForSale", "syncedAt" = EXCLUDED."syncedAt"`,
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
      now.toISOString(),
    );
  }
  const links = products.flatMap((p) => p.collectionIds.map((c) => [p.id, c] as const));
  await db.$executeRawUnsafe(
    `DELETE FROM "ProductCollection" WHERE "shop" = $1 AND "productId" = ANY($2::text[])`,
    shop,
    products.map((p) => p.id),
  );
  if (links.length > 0) {
    await db.$executeRawUnsafe(
      `INSERT INTO "ProductCollection" ("shop", "productId", "collectionId")
       SELECT $3, u.p, u.c FROM unnest($1::text[], $2::text[]) AS u(p, c)
       WHERE EXISTS (SELECT 1 FROM "Collection" k WHERE k."shop" = $3 AND k."id" = u.c)
       ON CONFLICT DO NOTHING`,
      links.map(([p]) => p),
      links.map(([, c]) => c),
      shop,
    );
  }
  return written;
}

/** Upserts orders (stale-safe) and replaces the lines of every order actually written. Returns orders written. */
export async function writeOrders(db: Db, shop: string, orders: readonly IngestOrder[], now: Date): Promise<number> {
  if (orders.length === 0) return 0;
  const customerIds = [...new Set(orders.flatMap((o) => (o.customerId === null ? [] : [o.customerId])))];
  if (customerIds.length > 0) {
    const firstSeen = new Map<string, Date>();
    for (const o of orders) {
      if (o.customerId === null) continue;
      const seen = firstSeen.get(o.customerId);
      if (!seen || o.createdAt < seen) firstSeen.set(o.customerId, o.createdAt);
    }
    await db.$executeRawUnsafe(
      `INSERT INTO "Customer" ("shop", "id", "createdAt", "syncedAt")
       SELECT $3, u.id, u.created::timestamptz, $4::timestamptz FROM unnest($1::text[], $2::text[]) AS u(id, created)
       ON CONFLICT ("shop", "id") DO NOTHING`,
      customerIds,
      customerIds.map((id) => firstSeen.get(id)!.toISOString()),
      shop,
      now.toISOString(),
    );
  }
  const written = await db.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO "Order" ("shop", "id", "name", "createdAt", "processedAt", "updatedAt", "cancelledAt", "currency", "subtotal", "total",
                          "totalDiscounts", "totalRefunded", "test", "sourceName", "discountCodes", "customerId", "syncedAt")
     SELECT $16, u.id, u.name, u.created::timestamptz, u.processed::timestamptz, u.updated::timestamptz, u.cancelled::timestamptz, u.cur,
            u.sub::bigint, u.tot::bigint, u.disc::bigint, u.ref::bigint, u.test::boolean, u.src,
            ARRAY(SELECT json_array_elements_text(u.codes::json)), u.cust, $17::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                 $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
          AS u(id, name, created, processed, updated, cancelled, cur, sub, tot, disc, ref, test, src, codes, cust)
     ON CONFLICT ("shop", "id") DO UPDATE SET "name" = EXCLUDED."name", "createdAt" = EXCLUDED."createdAt",
       "processedAt" = EXCLUDED."processedAt", "updatedAt" = EXCLUDED."updatedAt", "cancelledAt" = EXCLUDED."cancelledAt",
       "currency" = EXCLUDED."currency", "subtotal" = EXCLUDED."subtotal", "total" = EXCLUDED."total",
       "totalDiscounts" = EXCLUDED."totalDiscounts", "totalRefunded" = EXCLUDED."totalRefunded", "test" = EXCLUDED."test",
       "sourceName" = EXCLUDED."sourceName", "discountCodes" = EXCLUDED."discountCodes", "customerId" = EXCLUDED."customerId",
       "syncedAt" = EXCLUDED."syncedAt"
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
    shop,
    now.toISOString(),
  );
  if (written.length === 0) return 0;
  const ids = new Set(written.map((r) => r.id));
  const lines = orders.filter((o) => ids.has(o.id)).flatMap((o) => o.lines.map((l) => ({ ...l, orderId: o.id })));
  await db.$executeRawUnsafe(`DELETE FROM "OrderLine" WHERE "shop" = $1 AND "orderId" = ANY($2::text[])`, shop, [...ids]);
  if (lines.length > 0) {
    await db.$executeRawUnsafe(
      `INSERT INTO "OrderLine" ("shop", "orderId", "id", "productId", "variantId", "title", "variantTitle", "sku", "quantity",
                                "unitPrice", "totalDiscount", "refundedQuantity", "isGiftCard", "isCustom")
       SELECT $14, u.oid, u.id, u.pid, u.vid, u.title, u.vtitle, u.sku, u.qty::integer, u.price::bigint, u.disc::bigint,
              u.refq::integer, u.gift::boolean, u.custom::boolean
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::text[], $12::text[], $13::text[])
            AS u(oid, id, pid, vid, title, vtitle, sku, qty, price, disc, refq, gift, custom)
       ON CONFLICT ("shop", "id") DO UPDATE SET "orderId" = EXCLUDED."orderId", "productId" = EXCLUDED."productId",
         "variantId" = EXCLUDED."variantId", "title" = EXCLUDED."title", "variantTitle" = EXCLUDED."variantTitle",
         "sku" = EXCLUDED."sku", "quantity" = EXCLUDED."quantity", "unitPrice" = EXCLUDED."unitPrice",
         "totalDiscount" = EXCLUDED."totalDiscount", "refundedQuantity" = EXCLUDED."refundedQuantity",
         "isGiftCard" = EXCLUDED."isGiftCard", "isCustom" = EXCLUDED."isCustom"`,
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
      lines.map((l) => bool(l.isGiftCard)),
      lines.map((l) => bool(l.isCustom)),
      shop,
    );
  }
  return written.length;
}
