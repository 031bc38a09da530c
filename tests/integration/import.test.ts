/**
 * File imports end to end into the database (PGlite and PostgreSQL): what lands in the tables, idempotent re-imports,
 * bad rows reported, and all-or-nothing when the database or the file fails half-way.
 */
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { createGunzip, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFile } from "../../app/import/import.server";
import { ImportError } from "../../app/import/types";
import { createCustomer, createShop } from "../factories";
import { SHOPIFY_CSV, tableCounts } from "../factories/import-files";
import { testDb } from "../support/db";

const DATASETS = path.resolve(import.meta.dirname, "../../../shared/datasets");
const NOW = new Date("2026-11-23T00:00:00Z");
const dir = mkdtempSync(path.join(tmpdir(), "import-it-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


// ---------------------------------------------------------------------------------------------------------------------


describe("shopify-csv import", () => {
  it("stores orders, lines, a pseudonymous customer and products; reports the bad row by line", async () => {
    const db = testDb();
    const file = path.join(dir, "orders_export.csv");
    writeFileSync(file, SHOPIFY_CSV);
    const shop = "shopify-csv.myshopify.com";
    const report = await importFile({ db, shop, file, format: "shopify-csv", options: { tz: "Asia/Ho_Chi_Minh" }, now: NOW });
    expect(report).toMatchObject({
      format: "shopify-csv", shop, rowsRead: 5, rowsImported: 4, rowsSkipped: 1, orders: 3, cancelledOrders: 1, lines: 4,
      customers: 1, products: 3, currency: "VND", timezone: "Asia/Ho_Chi_Minh", shopCreated: true, problemCount: 1,
      problems: [{ line: 5, message: 'Lineitem quantity "one" is not an integer' }],
    });
    expect(await tableCounts(shop)).toEqual({ shops: 1, orders: 3, lines: 4, customers: 1, products: 3 });
    const order = await db.order.findUniqueOrThrow({ where: { shop_id: { shop, id: "6001" } }, include: { lines: { orderBy: { id: "asc" } } } });
    expect(order).toMatchObject({ name: "#1001", subtotal: 45_980_000n, totalDiscounts: 1_000_000n, discountCodes: ["TET2025"], sourceName: "web" });
    expect(order.createdAt.toISOString()).toBe("2025-02-01T03:00:00.000Z");
    expect(order.lines.map((l) => [l.title, l.quantity, l.unitPrice, l.productId])).toEqual([
      ["VietBook 14 Pro", 1, 29_990_000n, "VB14P"],
      ["Chuột không dây", 2, 7_990_000n, "chuot-khong-day"],
    ]);
    const customerId = createHash("sha256").update("an.tran@example.com").digest("hex");
    expect(order.customerId).toBe(customerId);
    expect(await db.customer.findMany({ where: { shop }, select: { id: true, countryCode: true } })).toEqual([{ id: customerId, countryCode: "VN" }]);
    expect(await db.order.findUniqueOrThrow({ where: { shop_id: { shop, id: "6003" } } })).toMatchObject({ totalRefunded: 990_000n, customerId });
    const stored = JSON.stringify(await db.customer.findMany({ where: { shop } })) + JSON.stringify(await db.order.findMany({ where: { shop } }), (_, v) => (typeof v === "bigint" ? `${v}` : v));
    expect(stored).not.toMatch(/@|an\.tran|An Tran/i);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

/** The first `rows` rows of Online Retail as their own gzip file, and the figures expected of it (plain splitting). */
async function onlineRetailSlice(rows: number) {
  const out: string[] = [];
  const lines = createInterface({ input: createReadStream(path.join(DATASETS, "online-retail/online_retail.csv.gz")).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    out.push(line);
    if (out.length > rows) break;
  }
  lines.close();
  const file = path.join(dir, `online_retail_${rows}.csv.gz`);
  writeFileSync(file, gzipSync(`${out.join("\n")}\n`));
  const invoices = new Set<string>();
  const cancelled = new Set<string>();
  const customers = new Set<string>();
  let skipped = 0;
  for (const line of out.slice(1)) {
    const f = line.split(",");
    const invoice = f[0]!;
    const quantity = Number(f[f.length - 5]);
    const price = f[f.length - 3]!;
    if ((quantity < 0 && !invoice.startsWith("C")) || price.startsWith("-") || /\.\d\d[1-9]/.test(price)) {
      skipped++;
      continue;
    }
    invoices.add(invoice);
    if (invoice.startsWith("C")) cancelled.add(invoice);
    if (f[f.length - 2] !== "") customers.add(f[f.length - 2]!);
  }
  return { file, rows, skipped, orders: invoices.size, cancelled: cancelled.size, customers: customers.size };
}

describe("online-retail import", () => {
  let slice: Awaited<ReturnType<typeof onlineRetailSlice>>;
  beforeAll(async () => {
    slice = await onlineRetailSlice(20_000);
  });

  it("imports 20,000 rows into GBP orders in Europe/London, and a second import changes nothing", async () => {
    const db = testDb();
    const shop = "online-retail.myshopify.com";
    const first = await importFile({ db, shop, file: slice.file, format: "online-retail", now: NOW });
    expect(first).toMatchObject({
      rowsRead: slice.rows, rowsSkipped: slice.skipped, rowsImported: slice.rows - slice.skipped, orders: slice.orders,
      cancelledOrders: slice.cancelled, lines: slice.rows - slice.skipped, customers: slice.customers,
      currency: "GBP", timezone: "Europe/London", shopCreated: true,
    });
    expect(slice.skipped).toBeGreaterThan(0);
    expect(first.problems[0]).toEqual({ line: 2408, message: expect.stringMatching(/^Quantity -10 is negative on invoice 536589/) });
    const after = await tableCounts(shop);
    expect(after).toEqual({ shops: 1, orders: slice.orders, lines: slice.rows - slice.skipped, customers: slice.customers, products: first.products });

    const invoice = await db.order.findUniqueOrThrow({ where: { shop_id: { shop, id: "536365" } }, include: { lines: true } });
    expect(invoice).toMatchObject({ currency: "GBP", customerId: "17850", cancelledAt: null, sourceName: "online-retail" });
    expect(invoice.createdAt.toISOString()).toBe("2010-12-01T08:26:00.000Z");
    expect(invoice.lines).toHaveLength(7);
    const cancellation = await db.order.findFirstOrThrow({ where: { shop, id: { startsWith: "C" } } });
    expect(cancellation.cancelledAt).toEqual(cancellation.createdAt);
    expect(cancellation.totalRefunded).toBe(cancellation.total);
    expect(await db.customer.findUniqueOrThrow({ where: { shop_id: { shop, id: "17850" } } })).toMatchObject({ countryCode: "GB" });
    expect(await db.order.count({ where: { shop, customerId: null } })).toBeGreaterThan(0); // guests

    const second = await importFile({ db, shop, file: slice.file, format: "online-retail", now: new Date(NOW.getTime() + 1000) });
    expect({ ...second, elapsedMs: 0 }).toEqual({ ...first, elapsedMs: 0, shopCreated: false });
    expect(await tableCounts(shop)).toEqual(after);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------------------

describe("baskets and CDNOW imports", () => {
  it("imports the 9,835 groceries baskets as dated guest orders of 169 products", async () => {
    const db = testDb();
    const shop = "groceries";
    const report = await importFile({ db, shop, file: path.join(DATASETS, "groceries/groceries.csv"), format: "baskets", options: { date: "2024-01-01" }, now: NOW });
    expect(report).toMatchObject({ rowsRead: 9835, rowsSkipped: 0, orders: 9835, lines: 43367, customers: 0, products: 169, currency: "USD" });
    expect(await tableCounts(shop)).toEqual({ shops: 1, orders: 9835, lines: 43367, customers: 0, products: 169 });
    expect(await db.orderLine.count({ where: { shop, productId: "whole-milk" } })).toBe(2513);
    expect(await db.order.count({ where: { shop, createdAt: new Date("2024-01-01T00:00:00Z") } })).toBe(9835);
  }, 120_000);

  it("imports the CDNOW sample: 6,919 orders of 2,357 customers, totals to the cent", async () => {
    const db = testDb();
    const shop = "cdnow-sample";
    const file = path.join(DATASETS, "cdnow/CDNOW_sample.txt");
    const rows = readFileSync(file, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "").map((l) => l.trim().split(/\s+/));
    const cents = rows.reduce((s, r) => s + BigInt(r[4]!.replace(".", "")), 0n);
    const report = await importFile({ db, shop, file, format: "cdnow", now: NOW });
    expect(report).toMatchObject({ rowsRead: 6919, orders: 6919, customers: 2357, products: 1, currency: "USD", timezone: "UTC" });
    expect(await tableCounts(shop)).toMatchObject({ orders: 6919, customers: 2357, products: 1 });
    const sum = await db.order.aggregate({ where: { shop }, _sum: { total: true } });
    expect(sum._sum.total).toBe(cents);
    expect(await db.customer.findUniqueOrThrow({ where: { shop_id: { shop, id: "00004" } } })).toMatchObject({
      tags: ["cdnow-sample-id:0001"],
      createdAt: new Date("1997-01-01T00:00:00Z"),
    });
  }, 120_000);
});

describe("successive imports into one shop", () => {
  it("keeps a customer's earliest date and what the file does not say (tags, Shopify's RFM group)", async () => {
    const db = testDb();
    const { domain } = await createShop(db, { currency: "USD" });
    await createCustomer(db, domain, { id: "c1", createdAt: new Date("2025-02-01T00:00:00Z"), tags: ["vip"], rfmGroup: "LOYAL" });
    const jan = path.join(dir, "jan.csv");
    const mar = path.join(dir, "mar.csv");
    writeFileSync(jan, "order_id,date,customer_id,product\nJ1,2025-01-10,c1,Tea\nJ2,2025-01-11,c2,Tea\n");
    writeFileSync(mar, "order_id,date,customer_id,product,country\nM1,2025-03-10,c1,Cup,Vietnam\nM2,2025-03-11,c2,Cup,\n");
    await importFile({ db, shop: domain, file: jan, format: "csv", now: NOW });
    await importFile({ db, shop: domain, file: mar, format: "csv", now: NOW });
    const customers = await db.customer.findMany({ where: { shop: domain }, orderBy: { id: "asc" }, select: { id: true, createdAt: true, tags: true, rfmGroup: true, countryCode: true } });
    expect(customers).toEqual([
      { id: "c1", createdAt: new Date("2025-01-10T00:00:00Z"), tags: ["vip"], rfmGroup: "LOYAL", countryCode: "VN" },
      { id: "c2", createdAt: new Date("2025-01-11T00:00:00Z"), tags: [], rfmGroup: null, countryCode: null },
    ]);
    expect(await db.order.count({ where: { shop: domain } })).toBe(4);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

/** A generic CSV of `orders` one-line orders; order 1234 is the only one whose product is named POISON. */
function genericCsv(orders: number, tail = "") {
  const lines = ["order_id,date,customer_id,product,quantity,price"];
  for (let i = 1; i <= orders; i++) lines.push(`O${i},2025-01-${String((i % 28) + 1).padStart(2, "0")},c${i % 50},${i === 1234 ? "POISON" : `Item ${i % 40}`},1,9.99`);
  return `${lines.join("\n")}\n${tail}`;
}

describe("all or nothing", () => {
  it("leaves nothing behind when the database rejects a batch half-way (new shop and existing shop)", async () => {
    const db = testDb();
    const file = path.join(dir, "poisoned.csv");
    writeFileSync(file, genericCsv(1500));
    // A constraint only this test's database has: the batch holding order 1234 violates it, after 12 batches of 100
    // orders were written inside the import's transaction.
    await db.$executeRawUnsafe(`ALTER TABLE "OrderLine" ADD CONSTRAINT "test_no_poison" CHECK ("title" <> 'POISON')`);
    try {
      let written = 0;
      const attempt = (shop: string) =>
        importFile({ db, shop, file, format: "csv", options: { batchOrders: 100, onProgress: (p) => (written = p.orders) }, now: NOW });
      const error = await attempt("poisoned-new").catch((e: unknown) => e);
      expect(written).toBe(1200); // twelve batches went through the writer before the thirteenth failed
      expect(error).toBeInstanceOf(ImportError);
      expect((error as ImportError).message).toMatch(/poisoned\.csv: the database rejected the import, nothing was written: .*test_no_poison/);
      expect(await tableCounts("poisoned-new")).toEqual({ shops: 0, orders: 0, lines: 0, customers: 0, products: 0 });

      const { domain } = await createShop(db);
      await expect(attempt(domain)).rejects.toThrow(/nothing was written/);
      expect(await tableCounts(domain)).toEqual({ shops: 1, orders: 0, lines: 0, customers: 0, products: 0 });
    } finally {
      await db.$executeRawUnsafe(`ALTER TABLE "OrderLine" DROP CONSTRAINT "test_no_poison"`);
    }
    // The same file imports fine once the database accepts it.
    const report = await importFile({ db, shop: "poisoned-new", file, format: "csv", options: { batchOrders: 100 }, now: NOW });
    expect(report).toMatchObject({ orders: 1500, customers: 50, products: 41 });
  }, 120_000);

  it("leaves nothing behind when the file turns out broken after thousands of rows", async () => {
    const db = testDb();
    const unclosed = path.join(dir, "unclosed.csv");
    writeFileSync(unclosed, genericCsv(1500, 'O1501,2025-01-01,c1,"never closed,1,1\nO1502,2025-01-01,c1,x,1,1\n'));
    await expect(importFile({ db, shop: "broken-quote", file: unclosed, format: "csv", options: { batchOrders: 100 }, now: NOW })).rejects.toThrow(
      /unclosed\.csv: line 1502: a quoted field opened after line 1501 is never closed/,
    );
    expect(await tableCounts("broken-quote")).toEqual({ shops: 0, orders: 0, lines: 0, customers: 0, products: 0 });

    const truncated = path.join(dir, "truncated.csv.gz");
    const gz = gzipSync(genericCsv(1500));
    writeFileSync(truncated, gz.subarray(0, Math.floor(gz.length * 0.8)));
    await expect(importFile({ db, shop: "broken-gzip", file: truncated, format: "csv", options: { batchOrders: 100 }, now: NOW })).rejects.toThrow(
      /truncated\.csv\.gz: cannot decompress the file/,
    );
    expect(await tableCounts("broken-gzip")).toEqual({ shops: 0, orders: 0, lines: 0, customers: 0, products: 0 });
  }, 120_000);

  it("fails before touching the database on an unknown format or an unreadable file", async () => {
    const db = testDb();
    await expect(importFile({ db, shop: "x", file: path.join(dir, "nope.csv"), format: "csv" })).rejects.toThrow(/nope\.csv: cannot read the file \(no such file\)/);
    await expect(importFile({ db, shop: "x", file: path.join(dir, "nope.csv"), format: "xlsx" })).rejects.toThrow(/unknown format "xlsx"/);
    await expect(importFile({ db, shop: " ", file: path.join(dir, "nope.csv"), format: "csv" })).rejects.toThrow(/--shop/);
    expect(await tableCounts("x")).toMatchObject({ shops: 0 });
  });
});
