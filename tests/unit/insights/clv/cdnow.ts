/**
 * The CDNOW files (../shared/datasets/cdnow/, resolved from the project root), read independently of app/import so the
 * summary and model tests compare against the published files only.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Purchase } from "../../../../app/insights/clv/summary";

export const CDNOW_DIR = path.resolve(import.meta.dirname, "../../../../../shared/datasets/cdnow");

/** CDNOW_sample.txt as purchases: customer = the sample id (the ID of the summary files), 00:00 UTC, cents. */
export function cdnowSamplePurchases(): Purchase[] {
  const text = readFileSync(path.join(CDNOW_DIR, "CDNOW_sample.txt"), "utf8");
  const purchases: Purchase[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 5) continue;
    const [, id, day, , dollars] = fields as [string, string, string, string, string];
    const [whole, cents = ""] = dollars.split(".");
    purchases.push({
      customerId: String(Number(id)),
      at: Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))),
      amount: Number(whole) * 100 + Number(cents.padEnd(2, "0")),
    });
  }
  return purchases;
}

/** A CSV of the summary files as rows of numbers keyed by header. */
export function readSummaryCsv(name: string): Record<string, number>[] {
  const [header, ...rows] = readFileSync(path.join(CDNOW_DIR, name), "utf8").trim().split(/\r?\n/);
  const columns = header!.split(",");
  return rows.map((row) => Object.fromEntries(row.split(",").map((v, i) => [columns[i]!, Number(v)])));
}
