/** Each import format on small inline fixtures: the rules of its doc comment, bad rows with their line numbers. */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { IngestOrder } from "../../../app/lib/ingest/types";
import { openImport, openStream, readOrders, resolveOptions } from "../../../app/import/read";
import { ImportError, type ImportOptions } from "../../../app/import/types";

async function parse(format: string, text: string, options: ImportOptions = {}) {
  const source = openStream(Readable.from([text]), format, options, "fixture");
  const orders: IngestOrder[] = [];
  for await (const order of source.orders) orders.push(order);
  return { orders, ctx: source.context, byId: new Map(orders.map((o) => [o.id, o])) };
}

const dir = mkdtempSync(path.join(tmpdir(), "import-formats-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------------------------

// The column order of Shopify's orders export.
const SHOPIFY_HEADER = [
  "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing", "Currency",
  "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method", "Created at",
  "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price", "Lineitem sku",
  "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
  "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip", "Billing Province",
  "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street", "Shipping Address1", "Shipping Address2",
  "Shipping Company", "Shipping City", "Shipping Zip", "Shipping Province", "Shipping Country", "Shipping Phone", "Notes",
  "Note Attributes", "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
  "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount",
  "Tax 1 Name", "Tax 1 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name", "Shipping Province Name",
  "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
];

function shopifyCsv(rows: Record<string, string>[]): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [SHOPIFY_HEADER.join(","), ...rows.map((r) => SHOPIFY_HEADER.map((h) => cell(r[h] ?? "")).join(","))].join("\n") + "\n";
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("shopify-csv", () => {
  const text = shopifyCsv([
    {
      Name: "#1001", Email: "Lan.Nguyen@Example.com", "Financial Status": "paid", Currency: "EUR", Subtotal: "53.91", Shipping: "0.00",
      Taxes: "8.99", Total: "53.91", "Discount Code": "WELCOME10", "Discount Amount": "5.99", "Created at": "2025-10-07 09:50:26 +0200",
      "Lineitem quantity": "1", "Lineitem name": "Masque Bio-Collagène", "Lineitem price": "34.90", "Lineitem sku": "MBC-1",
      "Billing Name": "Lan Nguyen", "Billing Street": "13 rue de Berri", "Billing Country": "FR", "Billing Phone": "+33610826417",
      Vendor: "Leaf", Id: "7410991464714", Source: "web", "Lineitem discount": "3.49",
    },
    { Name: "#1001", Email: "Lan.Nguyen@Example.com", "Created at": "2025-10-07 09:50:26 +0200", "Lineitem quantity": "2", "Lineitem name": "Sérum", "Lineitem price": "12.50", "Lineitem sku": "", Vendor: "Leaf" },
    { Name: "#1001", "Lineitem quantity": "abc", "Lineitem name": "Broken", "Lineitem price": "1.00" },
    {
      Name: "#1002", Email: "", Currency: "EUR", "Created at": "2025-10-08 10:00:00 +0200", "Cancelled at": "2025-10-09 08:00:00 +0200",
      "Refunded Amount": "20.00", "Lineitem quantity": "1", "Lineitem name": "Gift box", "Lineitem price": "20.00", Id: "7410991464715",
    },
    { Name: "#1003", Email: "someone@example.com", Currency: "EUR", "Created at": "not a date", "Lineitem quantity": "1", "Lineitem name": "X", "Lineitem price": "1.00" },
    { Name: "#1003", "Lineitem quantity": "1", "Lineitem name": "Y", "Lineitem price": "1.00" },
    { Name: "#1004", Email: "LAN.NGUYEN@example.com ", Currency: "EUR", "Created at": "2025-11-01 12:00:00 +0100", "Lineitem quantity": "1", "Lineitem name": "Sérum", "Lineitem price": "12.50" },
  ]);

  it("groups line-item rows into orders with exact money, offsets honoured, Id as the order id", async () => {
    const { orders, byId, ctx } = await parse("shopify-csv", text);
    expect(orders.map((o) => o.id)).toEqual(["7410991464714", "7410991464715", "#1004"]);
    const first = byId.get("7410991464714")!;
    expect(first).toMatchObject({
      name: "#1001", currency: "EUR", subtotal: 5391n, total: 5391n, totalDiscounts: 599n, totalRefunded: 0n,
      discountCodes: ["WELCOME10"], sourceName: "web", cancelledAt: null,
    });
    expect(first.createdAt.toISOString()).toBe("2025-10-07T07:50:26.000Z");
    expect(first.lines.map((l) => [l.id, l.productId, l.sku, l.title, l.quantity, l.unitPrice, l.totalDiscount])).toEqual([
      ["7410991464714-1", "MBC-1", "MBC-1", "Masque Bio-Collagène", 1, 3490n, 349n],
      ["7410991464714-2", "serum", null, "Sérum", 2, 1250n, 0n],
    ]);
    const cancelled = byId.get("7410991464715")!;
    expect(cancelled).toMatchObject({ customerId: null, totalRefunded: 2000n, subtotal: 2000n, total: 2000n, totalDiscounts: 0n, sourceName: "shopify-csv" });
    expect(cancelled.cancelledAt?.toISOString()).toBe("2025-10-09T06:00:00.000Z");
    expect(ctx.products.get("MBC-1")).toMatchObject({ title: "Masque Bio-Collagène", vendor: "Leaf", handle: "masque-bio-collagene" });
  });

  it("derives the customer id from a SHA-256 of the lower-cased email and stores no personal data", async () => {
    const { orders, ctx } = await parse("shopify-csv", text);
    const id = sha256("lan.nguyen@example.com");
    expect(orders.filter((o) => o.customerId === id).map((o) => o.name)).toEqual(["#1001", "#1004"]);
    expect([...ctx.customers.values()]).toEqual([
      expect.objectContaining({ id, countryCode: "FR", createdAt: new Date("2025-10-07T07:50:26.000Z") }),
    ]);
    const everything = JSON.stringify({ orders, customers: [...ctx.customers.values()], products: [...ctx.products.values()] }, (_, v) =>
      typeof v === "bigint" ? v.toString() : v,
    );
    expect(everything).not.toMatch(/@|nguyen|Berri|\+336/i);
  });

  it("skips bad rows with their line and reason; a bad first row skips its whole order", async () => {
    const { ctx } = await parse("shopify-csv", text);
    expect(ctx.rowsRead).toBe(7);
    expect(ctx.rowsSkipped).toBe(3);
    expect(ctx.problems).toEqual([
      { line: 4, message: 'Lineitem quantity "abc" is not an integer' },
      { line: 6, message: 'Created at "not a date" is not a date (expected YYYY-MM-DD or ISO 8601)' },
      { line: 7, message: 'order #1003 is skipped: its first row (line 6) is bad: Created at "not a date" is not a date (expected YYYY-MM-DD or ISO 8601)' },
    ]);
  });

  it("stops on a header without the columns it needs", async () => {
    await expect(parse("shopify-csv", "Name,Email\n#1,a@b.c\n")).rejects.toThrow(/fixture: line 1: the header has no "Created at" column/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

const RETAIL_HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";

describe("online-retail", () => {
  const text = [
    RETAIL_HEADER,
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850,United Kingdom",
    "536366,22633,HAND WARMER UNION JACK,6,2011-06-01 10:00:00,1.85,,EIRE",
    'C536367,22633,"HAND WARMER, UNION JACK",-2,2011-06-01 11:00:00,1.85,12583,France',
    "C536367,POST,POSTAGE,-1,2011-06-01 11:00:00,18,12583,France",
    "536365,22752,SET 7 BABUSHKA NESTING BOXES,2,2010-12-01 08:26:00,7.65,17850,United Kingdom",
    "536368,21275,,-10,2010-12-01 09:00:00,0,,United Kingdom",
    "536369,PADS,PADS TO MATCH ALL CUSHIONS,1,2011-04-15 09:27:00,0.001,13952,United Kingdom",
    "A563186,B,Adjust bad debt,1,2011-08-12 14:51:00,-11062.06,,United Kingdom",
    "536370,gift_0001_20,Dotcomgiftshop Gift Voucher £20.00,1,2011-12-01 10:00:00,17.02,,Unspecified",
    "536371,22633,HAND WARMER UNION JACK,six,2011-12-01 10:00:00,1.85,,United Kingdom",
  ].join("\n");

  it("makes one order per invoice, in GBP, with Europe/London wall time converted to UTC", async () => {
    const { orders, byId } = await parse("online-retail", text);
    expect(orders.map((o) => o.id).sort()).toEqual(["536365", "536366", "536370", "C536367"]);
    const a = byId.get("536365")!;
    expect(a).toMatchObject({ currency: "GBP", customerId: "17850", subtotal: 1530n + 2034n + 1530n, cancelledAt: null, totalRefunded: 0n, sourceName: "online-retail" });
    expect(a.createdAt.toISOString()).toBe("2010-12-01T08:26:00.000Z"); // GMT
    // Interleaved: the third line of 536365 comes after other invoices and still joins it.
    expect(a.lines.map((l) => [l.id, l.sku, l.quantity, l.unitPrice])).toEqual([
      ["536365-1", "85123A", 6, 255n], ["536365-2", "71053", 6, 339n], ["536365-3", "22752", 2, 765n],
    ]);
    const guest = byId.get("536366")!;
    expect(guest.customerId).toBeNull();
    expect(guest.createdAt.toISOString()).toBe("2011-06-01T09:00:00.000Z"); // BST
  });

  it("stores a C-invoice as its own cancelled, fully refunded order with positive quantities", async () => {
    const { byId, ctx } = await parse("online-retail", text);
    const c = byId.get("C536367")!;
    expect(c).toMatchObject({ subtotal: 370n + 1800n, total: 2170n, totalRefunded: 2170n, customerId: "12583" });
    expect(c.cancelledAt).toEqual(c.createdAt);
    expect(c.lines.map((l) => [l.title, l.quantity, l.refundedQuantity, l.productId, l.isCustom])).toEqual([
      ["HAND WARMER, UNION JACK", 2, 2, "22633", false],
      ["POSTAGE", 1, 1, null, true],
    ]);
    expect(ctx.customers.get("12583")).toMatchObject({ countryCode: "FR" });
    expect(ctx.customers.get("17850")).toMatchObject({ countryCode: "GB", createdAt: new Date("2010-12-01T08:26:00Z") });
    expect(byId.get("536370")!.lines[0]).toMatchObject({ isGiftCard: true, productId: "gift_0001_20" });
    expect(ctx.products.has("POST")).toBe(false);
    expect(ctx.products.get("22633")?.title).toBe("HAND WARMER UNION JACK");
  });

  it("skips stock adjustments, inexact or negative prices and bad numbers, each with its line", async () => {
    const { ctx } = await parse("online-retail", text);
    expect(ctx.rowsRead).toBe(11);
    expect(ctx.rowsSkipped).toBe(4);
    expect(ctx.problems).toEqual([
      { line: 8, message: 'Quantity -10 is negative on invoice 536368, which is not a cancellation (no "C" prefix): a stock adjustment, not a sale' },
      { line: 9, message: 'UnitPrice "0.001" has more decimals than GBP allows (2)' },
      { line: 10, message: "UnitPrice -11062.06 is negative" },
      { line: 12, message: 'Quantity "six" is not an integer' },
    ]);
  });

  it("reports a row whose invoice was already written out (rows too far apart)", async () => {
    const far = [RETAIL_HEADER, "1,A,a,1,2011-01-01 10:00,1,,", "2,B,b,1,2011-01-01 10:00,1,,", "3,C,c,1,2011-01-01 10:00,1,,", "1,D,d,1,2011-01-01 10:00,1,,"];
    const { orders, ctx } = await parse("online-retail", far.join("\n"), { groupWindow: 2 });
    expect(orders.map((o) => [o.id, o.lines.length])).toEqual([["1", 1], ["2", 1], ["3", 1]]);
    expect(ctx.problems).toEqual([{ line: 5, message: "invoice 1 was already complete: its rows are more than 2 invoices apart (sort the file by InvoiceNo)" }]);
  });

  it("reads a gzipped file whatever its name, and --tz overrides the zone", async () => {
    const file = path.join(dir, "retail.data");
    writeFileSync(file, gzipSync(text));
    const orders: IngestOrder[] = [];
    for await (const o of readOrders(file, "online-retail", { tz: "UTC" })) orders.push(o);
    expect(orders.find((o) => o.id === "536366")!.createdAt.toISOString()).toBe("2011-06-01T10:00:00.000Z");
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("baskets", () => {
  it("makes one dated guest order per line, trims names, merges repeats, slugs product ids", async () => {
    const text = 'citrus fruit,semi-finished bread,margarine,ready soups\ncream cheese ,whole milk,cream cheese\n\n"nuts, roasted",rolls/buns\n , \n';
    const { orders, ctx } = await parse("baskets", text, { date: "2024-02-10", tz: "Asia/Ho_Chi_Minh", currency: "VND" });
    expect(orders.map((o) => [o.id, o.name, o.lines.length])).toEqual([["basket-1", "Basket 1", 4], ["basket-2", "Basket 2", 2], ["basket-4", "Basket 4", 2]]);
    expect(orders[0]!.createdAt.toISOString()).toBe("2024-02-09T17:00:00.000Z");
    expect(orders.every((o) => o.currency === "VND" && o.total === 0n && o.customerId === null)).toBe(true);
    expect(orders[1]!.lines.map((l) => [l.productId, l.title, l.quantity, l.unitPrice])).toEqual([["cream-cheese", "cream cheese", 2, 0n], ["whole-milk", "whole milk", 1, 0n]]);
    expect(orders[2]!.lines.map((l) => l.productId)).toEqual(["nuts-roasted", "rolls-buns"]);
    expect(ctx.products.get("rolls-buns")?.title).toBe("rolls/buns");
    expect(ctx.problems).toEqual([{ line: 5, message: "the basket has no item names" }]);
    expect([ctx.rowsRead, ctx.rowsSkipped]).toEqual([4, 1]);
  });

  it("defaults to 2000-01-01 in UTC and USD", async () => {
    const { orders } = await parse("baskets", "milk\n");
    expect(orders[0]).toMatchObject({ currency: "USD", createdAt: new Date("2000-01-01T00:00:00Z") });
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("cdnow", () => {
  it("reads the master layout (with its header), one order per row, the value spread exactly over the CDs", async () => {
    const text = " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00004 19970118  2   29.73\r\n 00004 19970118  3   30.00\r\n 00005 19970102  0   10.00\r\n 00006 1997013  1   1.00\r\n";
    const { orders, ctx } = await parse("cdnow", text);
    expect(orders.map((o) => [o.id, o.customerId, o.total, o.lines.map((l) => [l.quantity, l.unitPrice])])).toEqual([
      ["00001-19970101-1", "00001", 1177n, [[1, 1177n]]],
      ["00004-19970118-1", "00004", 2973n, [[1, 1487n], [1, 1486n]]],
      ["00004-19970118-2", "00004", 3000n, [[3, 1000n]]],
    ]);
    expect(orders[0]!.createdAt.toISOString()).toBe("1997-01-01T00:00:00.000Z");
    expect(orders.every((o) => o.currency === "USD")).toBe(true);
    expect(ctx.problems).toEqual([
      { line: 5, message: "number of CDs is 0; an order needs at least 1" },
      { line: 6, message: 'date "1997013" is not YYYYMMDD' },
    ]);
    expect(ctx.customers.get("00004")).toMatchObject({ createdAt: new Date("1997-01-18T00:00:00Z"), tags: [] });
  });

  it("reads the sample layout (extra sample id, no header) and tags the customer with it", async () => {
    const text = " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n 00018 0002 19970102  2   26.48\r\n 00018 19970102  2   26.48\r\n";
    const { orders, ctx } = await parse("cdnow", text, { tz: "America/New_York" });
    expect(orders.map((o) => o.id)).toEqual(["00004-19970101-1", "00004-19970118-1", "00018-19970102-1"]);
    expect(orders[0]!.lines.map((l) => [l.quantity, l.unitPrice])).toEqual([[1, 1467n], [1, 1466n]]);
    expect(orders[0]!.createdAt.toISOString()).toBe("1997-01-01T05:00:00.000Z");
    expect(ctx.customers.get("00018")?.tags).toEqual(["cdnow-sample-id:0002"]);
    expect(ctx.problems).toEqual([{ line: 4, message: "has 4 fields; the sample layout has 5" }]);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("csv (generic, mapped)", () => {
  const text = [
    "Invoice,When,Cust,Item,Qty,Price,Cur,Code,Void,Land",
    "INV-1,2025-03-01 10:00,c1,Laptop Pro 14,1,29990000,VND,LP14,no,Vietnam",
    "INV-1,2025-03-01 10:00,c1,Mouse,2,,VND,,,",
    "INV-2,2025-03-02T08:00:00Z,,Laptop Pro 14,,29990000,,LP14,yes,",
    "INV-3,2025-03-03,c2,Bag,-1,10,USD,,,",
    "INV-3,2025-03-03,c2,Bag,1,10.505,USD,,,",
    "INV-4,03/04/2025,c3,Bag,1,10,USD,,,",
    "INV-5,2025-03-05,c3,Bag,1,10,USD,,2025-03-06,",
  ].join("\n");
  const map = ["order_id=Invoice", "date=When", "Cust=customer_id", "product=Item", "quantity=Qty", "price=Price", "currency=Cur", "sku=Code", "cancelled=Void", "country=Land"];

  it("maps columns to fields in either direction, with defaults and --tz for dates without an offset", async () => {
    const { orders, byId, ctx } = await parse("csv", text, { map, tz: "Asia/Ho_Chi_Minh" });
    expect(orders.map((o) => o.id)).toEqual(["INV-1", "INV-2", "INV-5"]);
    const one = byId.get("INV-1")!;
    expect(one).toMatchObject({ currency: "VND", customerId: "c1", subtotal: 29_990_000n, cancelledAt: null, sourceName: "csv" });
    expect(one.createdAt.toISOString()).toBe("2025-03-01T03:00:00.000Z");
    expect(one.lines.map((l) => [l.productId, l.sku, l.quantity, l.unitPrice])).toEqual([["LP14", "LP14", 1, 29_990_000n], ["mouse", null, 2, 0n]]);
    const two = byId.get("INV-2")!;
    expect(two).toMatchObject({ currency: "USD", customerId: null });
    expect(two.cancelledAt).toEqual(new Date("2025-03-02T08:00:00Z"));
    expect(two.lines[0]).toMatchObject({ quantity: 1 });
    expect(byId.get("INV-5")!.cancelledAt).toEqual(new Date("2025-03-05T17:00:00Z"));
    expect(ctx.customers.get("c1")?.countryCode).toBe("VN");
    expect(ctx.problems).toEqual([
      { line: 5, message: "Qty -1 is not at least 1" },
      { line: 6, message: 'Price "10.505" has more decimals than USD allows (2)' },
      { line: 7, message: 'When "03/04/2025" is not a date (expected YYYY-MM-DD or ISO 8601)' },
    ]);
  });

  it("takes required fields from same-named columns and --currency as the default currency", async () => {
    const { orders } = await parse("csv", "order_id,date,product,price\n1,2025-01-01,Tea,2.5\n", { currency: "EUR" });
    expect(orders[0]).toMatchObject({ currency: "EUR", total: 250n });
  });

  it("refuses a mapping it cannot apply, naming the pair or the field", async () => {
    await expect(parse("csv", text, { map: ["order_id=Nope"] })).rejects.toThrow(/--map order_id=Nope: the header has no column "Nope"/);
    await expect(parse("csv", text, { map: ["Invoice=When"] })).rejects.toThrow(/neither side is a field/);
    await expect(parse("csv", text, { map: ["order_id=Invoice"] })).rejects.toThrow(/no column for the required field date: add --map date=<column>/);
    await expect(parse("csv", text, { map: ["order_id=Invoice", "Invoice=order_id"] })).rejects.toThrow(/mapped twice/);
    await expect(parse("csv", text, { map: ["order_id"] })).rejects.toThrow(/--map "order_id" is not field=column/);
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe("options and files", () => {
  it("rejects unknown formats and options that do not apply, naming them", async () => {
    expect(() => resolveOptions("cdnow", { currency: "EUR" })).toThrow("--currency EUR: cdnow amounts are in USD");
    expect(() => resolveOptions("baskets", { map: ["a=b"] })).toThrow("--map applies to --format csv only, not baskets");
    expect(() => resolveOptions("csv", { date: "2020-01-01" })).toThrow("--date applies to --format baskets only");
    expect(() => resolveOptions("baskets", { date: "2020-02-30" })).toThrow(/--date "2020-02-30" is not a date/);
    expect(() => resolveOptions("csv", { currency: "XX" })).toThrow(/--currency "XX" is not an ISO 4217 currency code/);
    expect(() => resolveOptions("csv", { tz: "Nowhere" })).toThrow(/--tz "Nowhere"/);
    expect(resolveOptions("online-retail")).toMatchObject({ tz: "Europe/London", currency: "GBP" });
    await expect(openImport(path.join(dir, "x.csv"), "excel")).rejects.toThrow(/unknown format "excel" \(formats: shopify-csv, online-retail, baskets, cdnow, csv\)/);
  });

  it("fails on a file it cannot read or decompress, naming the file", async () => {
    const missing = path.join(dir, "missing.csv");
    await expect(openImport(missing, "csv")).rejects.toThrow(ImportError);
    await expect(openImport(missing, "csv")).rejects.toThrow(`${missing}: cannot read the file (no such file)`);
    await expect(openImport(dir, "csv")).rejects.toThrow(/is a folder/);
    const broken = path.join(dir, "broken.csv.gz");
    const gz = gzipSync(`${RETAIL_HEADER}\n${"1,A,a,1,2011-01-01 10:00,1,,\n".repeat(5000)}`);
    writeFileSync(broken, gz.subarray(0, gz.length / 2));
    const consume = async () => {
      for await (const o of readOrders(broken, "online-retail")) void o;
    };
    await expect(consume()).rejects.toThrow(/broken\.csv\.gz: cannot decompress the file: unexpected end of file/);
  });
});
