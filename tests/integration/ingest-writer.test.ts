/** The batched writer every source uses (runs on PGlite and PostgreSQL). */
import { describe, expect, it } from "vitest";
import { writeCustomers, writeOrders, writeProducts, writeCollections } from "../../app/lib/ingest/writer.server";
import { createShop } from "../factories";
import { ingestLine, ingestOrder } from "../factories/ingest";
import { testDb } from "../support/db";

const NOW = new Date("2026-11-23T00:00:00Z");

describe("ingest writer", () => {
  it("stores orders with their lines, money exact, codes and flags intact", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const order = ingestOrder("1001", {
      discountCodes: ["BTS2024", "WELCOME5"],
      customerId: "c1",
      cancelledAt: new Date("2025-03-02T00:00:00Z"),
      lines: [ingestLine("l1"), ingestLine("l2", { productId: null, variantId: null, isCustom: true, title: "Tip", unitPrice: 9_000_000_000_000n })],
    });
    expect(await writeOrders(db, domain, [order], NOW)).toBe(1);
    const stored = await db.order.findUniqueOrThrow({ where: { shop_id: { shop: domain, id: "1001" } }, include: { lines: { orderBy: { id: "asc" } } } });
    expect(stored).toMatchObject({ discountCodes: ["BTS2024", "WELCOME5"], customerId: "c1", subtotal: 16_490_000n, test: false });
    expect(stored.cancelledAt).toEqual(new Date("2025-03-02T00:00:00Z"));
    expect(stored.lines.map((l) => [l.id, l.isCustom, l.unitPrice])).toEqual([["l1", false, 16_490_000n], ["l2", true, 9_000_000_000_000n]]);
    // The customer the order points at exists (as a stub until the customer itself is written).
    expect(await db.customer.findUnique({ where: { shop_id: { shop: domain, id: "c1" } } })).toMatchObject({ createdAt: order.createdAt });
  });

  it("is idempotent: the same batch twice leaves one copy", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const batch = [ingestOrder("1"), ingestOrder("2"), ingestOrder("3")];
    await writeOrders(db, domain, batch, NOW);
    await writeOrders(db, domain, batch, NOW);
    expect(await db.order.count({ where: { shop: domain } })).toBe(3);
    expect(await db.orderLine.count({ where: { shop: domain } })).toBe(3);
  });

  it("is stale-safe: an older version never overwrites a newer one; a newer one replaces the lines", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const newer = ingestOrder("9", { updatedAt: new Date("2025-03-05T00:00:00Z"), lines: [ingestLine("a", { refundedQuantity: 1 })] });
    const older = ingestOrder("9", { updatedAt: new Date("2025-03-01T00:00:00Z"), lines: [ingestLine("a"), ingestLine("b")] });
    await writeOrders(db, domain, [newer], NOW);
    expect(await writeOrders(db, domain, [older], NOW)).toBe(0);
    let lines = await db.orderLine.findMany({ where: { shop: domain, orderId: "9" } });
    expect(lines.map((l) => [l.id, l.refundedQuantity])).toEqual([["a", 1]]);
    const newest = ingestOrder("9", { updatedAt: new Date("2025-03-09T00:00:00Z"), lines: [ingestLine("c")] });
    expect(await writeOrders(db, domain, [newest], NOW)).toBe(1);
    lines = await db.orderLine.findMany({ where: { shop: domain, orderId: "9" } });
    expect(lines.map((l) => l.id)).toEqual(["c"]);
  });

  it("keeps shops apart", async () => {
    const db = testDb();
    const a = await createShop(db);
    const b = await createShop(db);
    await writeOrders(db, a.domain, [ingestOrder("1")], NOW);
    await writeOrders(db, b.domain, [ingestOrder("1", { total: 5n })], NOW);
    const totals = await db.order.findMany({ where: { id: "1", shop: { in: [a.domain, b.domain] } }, orderBy: { total: "asc" }, select: { shop: true, total: true } });
    expect(totals).toEqual([{ shop: b.domain, total: 5n }, { shop: a.domain, total: 16_490_000n }]);
  });

  it("fills a stub customer in and writes the catalog with variants and collections", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    await writeOrders(db, domain, [ingestOrder("1", { customerId: "c9" })], NOW);
    await writeCustomers(db, domain, [
      { id: "c9", createdAt: new Date("2024-01-01T00:00:00Z"), updatedAt: new Date("2025-01-01T00:00:00Z"), tags: ["age:15-22"], rfmGroup: "CHAMPIONS", predictedSpendTier: "HIGH", locale: "vi", countryCode: "VN", emailMarketing: "SUBSCRIBED", smsMarketing: null },
    ], NOW);
    expect(await db.customer.findUniqueOrThrow({ where: { shop_id: { shop: domain, id: "c9" } } })).toMatchObject({ tags: ["age:15-22"], rfmGroup: "CHAMPIONS", countryCode: "VN" });
    await writeCollections(db, domain, [{ id: "k1", title: "Laptops", handle: "laptops" }], NOW);
    await writeProducts(db, domain, [
      {
        id: "p1", title: "VietBook 14", handle: "vietbook-14", productType: "Laptop", vendor: "Viet", tags: ["laptop"], status: "ACTIVE",
        createdAt: null, updatedAt: new Date("2025-01-01T00:00:00Z"), collectionIds: ["k1", "missing"],
        variants: [{ id: "v1", title: "Silver", sku: "VB14-S", currency: "VND", price: 16_490_000n, compareAtPrice: null, unitCost: 11_000_000n, inventoryQuantity: 4, availableForSale: true }],
      },
    ], NOW);
    const product = await db.product.findUniqueOrThrow({ where: { shop_id: { shop: domain, id: "p1" } }, include: { variants: true, collections: true } });
    expect(product.variants[0]).toMatchObject({ price: 16_490_000n, unitCost: 11_000_000n, inventoryQuantity: 4 });
    expect(product.collections.map((c) => c.collectionId)).toEqual(["k1"]);
  });
});
