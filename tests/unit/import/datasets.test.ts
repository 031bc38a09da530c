/**
 * The parsers on the real shared datasets (../shared/datasets, see its README). Every expected number is computed here
 * independently — plain line splitting — or is the figure the datasets' README publishes, never a second parser run.
 */
import { readFileSync, createReadStream } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { IngestOrder } from "../../../app/lib/ingest/types";
import { openImport } from "../../../app/import/read";

const DATASETS = path.resolve(import.meta.dirname, "../../../../shared/datasets");
const GROCERIES = path.join(DATASETS, "groceries/groceries.csv");
const CDNOW_SAMPLE = path.join(DATASETS, "cdnow/CDNOW_sample.txt");
const CDNOW_MASTER = path.join(DATASETS, "cdnow/CDNOW_master.txt");
const ONLINE_RETAIL = path.join(DATASETS, "online-retail/online_retail.csv.gz");

async function parseAll(file: string, format: string) {
  const source = await openImport(file, format);
  const orders: IngestOrder[] = [];
  for await (const order of source.orders) orders.push(order);
  return { orders, ctx: source.context };
}

/** "29.33" -> 2933n, for amounts written with exactly two decimals. */
const cents = (text: string) => {
  expect(text).toMatch(/^\d+\.\d\d$/);
  return BigInt(text.replace(".", ""));
};

describe("groceries baskets", () => {
  it("has 9,835 baskets of 169 distinct items, 43,367 occurrences; whole milk in 2,513", { timeout: 30_000 }, async () => {
    const baskets = readFileSync(GROCERIES, "utf8").split("\n").filter((l) => l.length > 0).map((l) => l.split(",").map((i) => i.trim()));
    const items = new Set(baskets.flat());
    expect([baskets.length, items.size, baskets.flat().length]).toEqual([9835, 169, 43367]); // the README's figures

    const { orders, ctx } = await parseAll(GROCERIES, "baskets");
    expect(orders).toHaveLength(baskets.length);
    expect(ctx.products.size).toBe(items.size);
    expect(orders.reduce((n, o) => n + o.lines.length, 0)).toBe(43367);
    expect(orders.filter((o) => o.lines.some((l) => l.productId === "whole-milk")).length).toBe(2513);
    expect([ctx.rowsRead, ctx.rowsSkipped, ctx.problemCount]).toEqual([9835, 0, 0]);
  });
});

describe("CDNOW", () => {
  const rows = (file: string) =>
    readFileSync(file, "utf8").split(/\r?\n/).map((l) => l.trim()).filter((l) => /^\d/.test(l)).map((l) => l.split(/\s+/));

  it("sample: 6,919 transactions by 2,357 customers, every cent accounted for", { timeout: 30_000 }, async () => {
    const data = rows(CDNOW_SAMPLE);
    expect(data).toHaveLength(6919);
    const customers = new Set(data.map((r) => r[0]));
    expect(customers.size).toBe(2357);
    const total = data.reduce((sum, r) => sum + cents(r[4]!), 0n);
    const cds = data.reduce((sum, r) => sum + Number(r[3]), 0);

    const { orders, ctx } = await parseAll(CDNOW_SAMPLE, "cdnow");
    expect(orders).toHaveLength(6919);
    expect(ctx.customers.size).toBe(2357);
    expect(orders.reduce((s, o) => s + o.total, 0n)).toBe(total);
    expect(orders.reduce((s, o) => s + o.lines.reduce((n, l) => n + l.quantity, 0), 0)).toBe(cds);
    for (const o of orders) expect(o.lines.reduce((s, l) => s + BigInt(l.quantity) * l.unitPrice, 0n)).toBe(o.total);
    expect(new Set([...ctx.customers.values()].map((c) => c.tags[0])).size).toBe(2357); // one sample id each
    expect(ctx.problemCount).toBe(0);
  });

  it("master: 69,659 transactions by 23,570 customers worth $2,500,315.63, 1997-01-01 to 1998-06-30", { timeout: 30_000 }, async () => {
    const data = rows(CDNOW_MASTER);
    expect(data).toHaveLength(69659);
    expect(new Set(data.map((r) => r[0])).size).toBe(23570);
    expect(data.reduce((sum, r) => sum + cents(r[3]!), 0n)).toBe(250_031_563n);

    const { orders, ctx } = await parseAll(CDNOW_MASTER, "cdnow");
    expect(orders).toHaveLength(69659);
    expect(new Set(orders.map((o) => o.id)).size).toBe(69659);
    expect(ctx.customers.size).toBe(23570);
    expect(orders.reduce((s, o) => s + o.total, 0n)).toBe(250_031_563n);
    const days = orders.map((o) => o.createdAt.toISOString().slice(0, 10)).sort();
    expect([days[0], days[days.length - 1]]).toEqual(["1997-01-01", "1998-06-30"]);
  });
});

describe("UCI Online Retail", () => {
  it("reads all 541,909 rows; 9,288 cancellation lines; skips exactly the non-sales and inexact prices", async () => {
    // Independent pass: split each line from the right (only Description may hold quoted commas).
    const SERVICE = new Set(["POST", "DOT", "C2", "M", "D", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK"]);
    let rows = 0;
    let cancellationLines = 0;
    const skippedLines: number[] = [];
    const invoices = new Set<string>();
    const cancelledInvoices = new Set<string>();
    const customers = new Set<string>();
    const products = new Set<string>();
    let pence = 0n;
    let interleaved = 0;
    let lineNo = 0;
    const lines = createInterface({ input: createReadStream(ONLINE_RETAIL).pipe(createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) {
      lineNo++;
      if (lineNo === 1) continue;
      rows++;
      const f = line.split(",");
      const invoice = f[0]!;
      const stockCode = f[1]!;
      const quantity = Number(f[f.length - 5]);
      const price = f[f.length - 3]!;
      const customer = f[f.length - 2]!;
      const cancellation = invoice.startsWith("C");
      if (cancellation) cancellationLines++;
      const inexact = /\.\d\d[1-9]/.test(price);
      if ((quantity < 0 && !cancellation) || quantity === 0 || price.startsWith("-") || inexact) {
        skippedLines.push(lineNo);
        continue;
      }
      invoices.add(invoice);
      if (invoice === "542806") interleaved++;
      if (cancellation) cancelledInvoices.add(invoice);
      if (customer !== "") customers.add(customer);
      if (!SERVICE.has(stockCode.toUpperCase())) products.add(stockCode);
      const [whole, fraction = ""] = price.split(".");
      pence += BigInt(Math.abs(quantity)) * BigInt(whole! + fraction.padEnd(2, "0").slice(0, 2));
    }
    expect(rows).toBe(541_909); // README: header + 541,909 rows
    expect(cancellationLines).toBe(9288); // README: 9,288 cancellation lines
    expect(customers.size).toBe(4372); // README: 4,372 customers (none is lost to a skipped row)
    expect(skippedLines).toHaveLength(1336 + 2 + 4); // README: stock adjustments, negative prices; 4 prices of 0.001

    const { orders, ctx } = await parseAll(ONLINE_RETAIL, "online-retail");
    expect([ctx.rowsRead, ctx.rowsSkipped, ctx.rowsImported]).toEqual([rows, skippedLines.length, rows - skippedLines.length]);
    expect(ctx.problemCount).toBe(skippedLines.length);
    expect(ctx.problems).toHaveLength(100);
    expect(ctx.problems.map((p) => p.line)).toEqual(skippedLines.slice(0, 100));
    expect(orders).toHaveLength(invoices.size);
    expect(orders.filter((o) => o.cancelledAt !== null)).toHaveLength(cancelledInvoices.size);
    expect(orders.reduce((n, o) => n + o.lines.length, 0)).toBe(rows - skippedLines.length);
    expect(orders.reduce((s, o) => s + o.total, 0n)).toBe(pence);
    expect(ctx.customers.size).toBe(customers.size);
    expect(ctx.products.size).toBe(products.size);
    // Invoice 542806's rows are interrupted by a C-invoice and still form one order.
    expect(orders.filter((o) => o.id === "542806")).toHaveLength(1);
    expect(orders.find((o) => o.id === "542806")!.lines).toHaveLength(interleaved);
  }, 120_000);
});
