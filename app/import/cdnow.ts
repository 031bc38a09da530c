/**
 * CDNOW transactions (Fader, Hardie & Lee 2005; the files of the python `lifetimes` package), whitespace-separated:
 *
 * - master layout, 4 fields: customer id, date YYYYMMDD, number of CDs, dollar value (CDNOW_master.txt, with a
 *   header line `customer_id date number_of_cds dollar_value`);
 * - sample layout, 5 fields: master customer id, sample id (1–2357), date, number of CDs, dollar value
 *   (CDNOW_sample.txt, no header).
 *
 * Rules:
 * - The layout is the field count of the first data row; a row with another count is skipped and reported. A first
 *   line whose first field is not a number is the header.
 * - Each row is one order in USD: id `<customer>-<YYYYMMDD>-<n>` where n counts the customer's rows on that day in
 *   file order (the master file has 1,774 same-day repeats), so re-imports update the same orders.
 * - The date is a day: 00:00 in `--tz` (default UTC), so bucketing by the shop's time zone gives the file's day back.
 * - Customer id = the master customer id as written (zero-padded, e.g. `00004`), the same in both layouts. In the
 *   sample layout the customer also gets the tag `cdnow-sample-id:<n>` (the ID of cdnow_customers_summary.csv).
 * - One product, `cd` ("CD"). The dollar value is the order's total, exact to the cent; it is spread over the CDs as
 *   whole cents: with V cents for N CDs, V mod N CDs cost floor(V/N)+1 and the others floor(V/N) (at most two lines),
 *   so quantities and the total are both exact. Rows with 0 CDs or a negative value are skipped and reported; a value
 *   of 0.00 (80 master rows) is kept.
 */
import type { Readable } from "node:stream";
import type { IngestLine, IngestOrder } from "../lib/ingest/types";
import { parseDay, parseInteger, parseMoney, textLines } from "./common";
import { RowError, type ParseContext, type ResolvedOptions } from "./types";

export const CDNOW_CURRENCY = "USD";
export const CDNOW_PRODUCT = { id: "cd", title: "CD" } as const;

type Layout = "master" | "sample";

function line(orderId: string, n: number, quantity: number, unitPrice: bigint): IngestLine {
  return {
    id: `${orderId}-${n}`,
    productId: CDNOW_PRODUCT.id,
    variantId: null,
    title: CDNOW_PRODUCT.title,
    variantTitle: null,
    sku: null,
    quantity,
    unitPrice,
    totalDiscount: 0n,
    refundedQuantity: 0,
    isGiftCard: false,
    isCustom: false,
  };
}

export async function* parseCdnow(input: Readable, ctx: ParseContext, options: ResolvedOptions): AsyncGenerator<IngestOrder> {
  let layout: Layout | undefined;
  let seenData = false;
  const sameDay = new Map<string, number>();
  for await (const { line: lineNo, text } of textLines(input, ctx)) {
    const fields = text.trim().split(/\s+/);
    if (fields.length === 1 && fields[0] === "") continue; // blank line
    if (!seenData && !/^\d+$/.test(fields[0] ?? "")) {
      seenData = true; // the header line
      continue;
    }
    seenData = true;
    ctx.rowsRead++;
    try {
      if (layout === undefined) {
        if (fields.length === 4) layout = "master";
        else if (fields.length === 5) layout = "sample";
        else throw new RowError(`has ${fields.length} fields; CDNOW rows have 4 (master layout) or 5 (sample layout)`);
      }
      const expected = layout === "master" ? 4 : 5;
      if (fields.length !== expected) throw new RowError(`has ${fields.length} fields; the ${layout} layout has ${expected}`);
      const [customer, sampleId, day, cds, dollars] = (layout === "master" ? [fields[0], undefined, ...fields.slice(1)] : fields) as [
        string,
        string | undefined,
        string,
        string,
        string,
      ];
      if (!/^\d+$/.test(customer)) throw new RowError(`customer id ${JSON.stringify(customer)} is not a number`);
      if (sampleId !== undefined && !/^\d+$/.test(sampleId)) throw new RowError(`sample id ${JSON.stringify(sampleId)} is not a number`);
      if (!/^\d{8}$/.test(day)) throw new RowError(`date ${JSON.stringify(day)} is not YYYYMMDD`);
      const createdAt = parseDay(day, options.tz, "date");
      const quantity = parseInteger(cds, "number of CDs");
      if (quantity < 1) throw new RowError(`number of CDs is ${quantity}; an order needs at least 1`);
      const value = parseMoney(dollars, CDNOW_CURRENCY, "dollar value");
      if (value < 0n) throw new RowError(`dollar value ${dollars} is negative`);

      const key = `${customer}-${day}`;
      const n = (sameDay.get(key) ?? 0) + 1;
      sameDay.set(key, n);
      const id = `${key}-${n}`;
      const unit = value / BigInt(quantity);
      const extra = Number(value % BigInt(quantity)); // CDs that cost one cent more
      const lines = extra === 0 ? [line(id, 1, quantity, unit)] : [line(id, 1, extra, unit + 1n), line(id, 2, quantity - extra, unit)];
      ctx.product(CDNOW_PRODUCT.id, CDNOW_PRODUCT.title);
      ctx.customer(customer, createdAt, null, sampleId === undefined ? [] : [`cdnow-sample-id:${sampleId}`]);
      yield {
        id,
        name: id,
        createdAt,
        processedAt: createdAt,
        updatedAt: createdAt,
        cancelledAt: null,
        currency: CDNOW_CURRENCY,
        subtotal: value,
        total: value,
        totalDiscounts: 0n,
        totalRefunded: 0n,
        test: false,
        sourceName: "cdnow",
        discountCodes: [],
        customerId: customer,
        lines,
      };
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      ctx.skip(lineNo, error.message);
    }
  }
}
