/** The data model on a real database (runs on PGlite and on PostgreSQL). */
import { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { getHomeOverview } from "../../app/lib/home-overview.server";
import { markShopUninstalled } from "../../app/lib/uninstall-shop.server";
import { createCustomer, createOrder, createProduct, createShop } from "../factories";
import { testDb } from "../support/db";

describe("data model", () => {
  it("is fully migrated by prisma migrate deploy", async () => {
    const rows = await testDb().$queryRaw<{ migration_name: string; finished_at: Date | null }[]>`
      SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`;
    expect(rows.map((r) => r.migration_name)).toContain("20261123000000_init");
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it("keeps money exact in minor units, beyond 32-bit, with its currency", async () => {
    const db = testDb();
    const shop = await createShop(db);
    const big = 9_000_000_000_000n; // 9 trillion VND: a wholesale order beyond int32
    const order = await createOrder(db, shop.domain, { lines: [{ productId: null, unitPrice: big }] });
    const read = await db.order.findUniqueOrThrow({ where: { shop_id: { shop: shop.domain, id: order.id } } });
    expect(read.subtotal).toBe(big);
    expect(read.currency).toBe("VND");
  });

  it("keys every row by shop: the same external id lives in two shops", async () => {
    const db = testDb();
    const a = await createShop(db);
    const b = await createShop(db);
    await createProduct(db, a.domain, { id: "100", title: "Laptop A" });
    await createProduct(db, b.domain, { id: "100", title: "Laptop B" });
    const duplicate = createProduct(db, a.domain, { id: "100" });
    await expect(duplicate).rejects.toThrow(Prisma.PrismaClientKnownRequestError);
    await expect(duplicate).rejects.toMatchObject({ code: "P2002" });
    const titles = await db.product.findMany({ where: { id: "100" }, orderBy: { shop: "asc" }, select: { title: true } });
    expect(titles.map((t) => t.title).sort()).toEqual(["Laptop A", "Laptop B"]);
  });

  it("deletes everything a shop owns when the shop is deleted (shop/redact), and nothing of other shops", async () => {
    const db = testDb();
    const doomed = await createShop(db);
    const kept = await createShop(db);
    for (const shop of [doomed.domain, kept.domain]) {
      const customer = await createCustomer(db, shop, { tags: ["age:15-22"] });
      const product = await createProduct(db, shop);
      await createOrder(db, shop, { customerId: customer.id, lines: [{ productId: product.id, unitPrice: 100n }] });
      await db.syncRun.create({ data: { shop, kind: "full" } });
      await db.job.create({ data: { shop, name: "sync" } });
    }
    await db.shop.delete({ where: { domain: doomed.domain } });
    const count = (shop: string) =>
      Promise.all([
        db.customer.count({ where: { shop } }),
        db.product.count({ where: { shop } }),
        db.order.count({ where: { shop } }),
        db.orderLine.count({ where: { shop } }),
        db.syncRun.count({ where: { shop } }),
        db.job.count({ where: { shop } }),
      ]);
    expect(await count(doomed.domain)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await count(kept.domain)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("refuses an order line whose order belongs to another shop", async () => {
    const db = testDb();
    const a = await createShop(db);
    const b = await createShop(db);
    const order = await createOrder(db, a.domain);
    const crossShop = db.orderLine.create({
      data: { shop: b.domain, orderId: order.id, id: "x1", title: "Mouse", quantity: 1, unitPrice: 1n },
    });
    await expect(crossShop).rejects.toThrow(Prisma.PrismaClientKnownRequestError);
    await expect(crossShop).rejects.toMatchObject({ code: "P2003" });
  });

  it("marks an uninstall once and forgets the shop's sessions", async () => {
    const db = testDb();
    const shop = await createShop(db);
    await db.session.create({ data: { id: `offline_${shop.domain}`, shop: shop.domain, state: "", accessToken: "t" } });
    const first = new Date("2026-02-01T00:00:00Z");
    await markShopUninstalled({ shop: shop.domain, now: first, db });
    await markShopUninstalled({ shop: shop.domain, now: new Date("2026-03-01T00:00:00Z"), db });
    const read = await db.shop.findUniqueOrThrow({ where: { domain: shop.domain } });
    expect(read.uninstalledAt).toEqual(first);
    expect(await db.session.count({ where: { shop: shop.domain } })).toBe(0);
    expect((await getHomeOverview({ shop: shop.domain, db })).installed).toBe(false);
  });

  it("summarises a shop for the home page from that shop's rows only", async () => {
    const db = testDb();
    const mine = await createShop(db);
    const other = await createShop(db);
    await createOrder(db, mine.domain, { processedAt: new Date("2024-02-10T01:00:00Z") });
    await createOrder(db, other.domain, { processedAt: new Date("2020-01-01T00:00:00Z") });
    const overview = await getHomeOverview({ shop: mine.domain, db });
    expect(overview.counts.orders).toBe(1);
    expect(overview.firstOrderAt).toBe("2024-02-10T01:00:00.000Z");
    expect(overview.currency).toBe("VND");
    expect(overview.uiLocale).toBe("en");
  });
});
