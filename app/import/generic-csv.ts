/**
 * Any CSV of order lines with a header row, mapped onto our fields with `--map`:
 *
 *   --map order_id=Invoice --map date=Date --map product=Item --map quantity=Qty --map price=Price
 *
 * Fields:
 * | field       | required | meaning                                                                                   |
 * |-------------|----------|-------------------------------------------------------------------------------------------|
 * | order_id    | yes      | rows with the same value are one order (its id and name)                                  |
 * | date        | yes      | the order's date: YYYY-MM-DD (local midnight) or ISO 8601, offset optional                |
 * | product     | yes      | the item's name (line and product title)                                                  |
 * | customer_id | no       | the buyer's id as text; empty -> a guest order                                            |
 * | quantity    | no       | a whole number ≥ 1; default 1 (also when empty)                                           |
 * | price       | no       | unit price, a plain decimal (`12.50`), exact; default 0 (also when empty); not negative    |
 * | currency    | no       | ISO 4217 code of the row's order; default `--currency`, else USD                          |
 * | sku         | no       | the product id (else the slug of the product name) and the line's SKU                     |
 * | cancelled   | no       | yes/no, true/false, 1/0, y/n, or a date (cancelledAt); yes -> cancelled at the order date  |
 * | country     | no       | the customer's country: ISO 3166-1 alpha-2 or an English country name                     |
 *
 * Rules:
 * - A pair may be written `field=column` or `column=field`: the side that names one of the fields above and the side
 *   that names a header column (case-insensitive) decide; when both readings fit, `field=column` wins. A field left
 *   unmapped is taken from a column of the same name when the header has one (and no pair uses that column).
 * - Dates without an offset are wall-clock times in `--tz` (default UTC).
 * - Order-level values (date, customer, currency, cancelled, country) come from the order's first row; its rows may be
 *   interleaved with nearby orders (see OrderGrouper). A bad first row skips the whole order.
 * - Subtotal = total = Σ quantity × price; no discounts, refunds or taxes.
 */
import type { Readable } from "node:stream";
import type { IngestLine, IngestOrder } from "../lib/ingest/types";
import {
  checkCurrency,
  countryCode,
  csvRows,
  linesSubtotal,
  OrderGrouper,
  parseInteger,
  parseMoney,
  parseTimestamp,
  productIdOf,
} from "./common";
import { ImportError, RowError, type ParseContext, type ResolvedOptions } from "./types";

export const CSV_FIELDS = ["order_id", "date", "product", "customer_id", "quantity", "price", "currency", "sku", "cancelled", "country"] as const;
export type CsvField = (typeof CSV_FIELDS)[number];
const REQUIRED: readonly CsvField[] = ["order_id", "date", "product"];
const isField = (text: string): text is CsvField => (CSV_FIELDS as readonly string[]).includes(text.toLowerCase());

/** Splits `a=b` pairs; an ImportError for one without `=` or with an empty side. */
export function parseMapPairs(pairs: readonly string[]): [string, string][] {
  return pairs.map((pair) => {
    const eq = pair.indexOf("=");
    const left = eq === -1 ? "" : pair.slice(0, eq).trim();
    const right = eq === -1 ? "" : pair.slice(eq + 1).trim();
    if (left === "" || right === "") {
      throw new ImportError(`--map ${JSON.stringify(pair)} is not field=column (fields: ${CSV_FIELDS.join(", ")})`, { field: "--map" });
    }
    return [left, right];
  });
}

/** Column index of each mapped field, from the --map pairs and the header. */
export function resolveMapping(pairs: readonly string[], header: readonly string[], where: { file: string; line: number }): Partial<Record<CsvField, number>> {
  const columns = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!columns.has(key)) columns.set(key, i);
  });
  const fail = (message: string, field = "--map") => new ImportError(message, { ...where, field });
  const headerList = header.map((h) => JSON.stringify(h)).join(", ");
  const mapping: Partial<Record<CsvField, number>> = {};
  for (const [left, right] of parseMapPairs(pairs)) {
    let field: CsvField;
    let column: string;
    if (isField(left) && columns.has(right.toLowerCase())) [field, column] = [left.toLowerCase() as CsvField, right];
    else if (isField(right) && columns.has(left.toLowerCase())) [field, column] = [right.toLowerCase() as CsvField, left];
    else if (isField(left) || isField(right)) {
      const missing = isField(left) ? right : left;
      throw fail(`--map ${left}=${right}: the header has no column ${JSON.stringify(missing)} (header: ${headerList})`);
    } else throw fail(`--map ${left}=${right}: neither side is a field (fields: ${CSV_FIELDS.join(", ")})`);
    if (mapping[field] !== undefined) throw fail(`--map: the field ${field} is mapped twice`);
    mapping[field] = columns.get(column.toLowerCase())!;
  }
  const used = new Set(Object.values(mapping));
  for (const field of CSV_FIELDS) {
    if (mapping[field] !== undefined) continue;
    const same = columns.get(field);
    if (same !== undefined && !used.has(same)) mapping[field] = same;
    else if (REQUIRED.includes(field)) {
      throw fail(`no column for the required field ${field}: add --map ${field}=<column> (header: ${headerList})`, field);
    }
  }
  return mapping;
}

const YES = new Set(["yes", "y", "true", "t", "1", "cancelled", "canceled"]);
const NO = new Set(["", "no", "n", "false", "f", "0"]);

interface Draft {
  firstLine: number;
  failed?: string;
  order?: Omit<IngestOrder, "lines" | "subtotal" | "total">;
  countryCode: string | null;
  lines: IngestLine[];
}

function finish(draft: Draft): IngestOrder | undefined {
  if (!draft.order || draft.lines.length === 0) return undefined;
  const subtotal = linesSubtotal(draft.lines);
  return { ...draft.order, subtotal, total: subtotal, lines: draft.lines };
}

export async function* parseGenericCsv(input: Readable, ctx: ParseContext, options: ResolvedOptions): AsyncGenerator<IngestOrder> {
  const rows = csvRows(input, ctx);
  const first = await rows.next();
  if (first.done) return;
  const header = first.value.fields;
  const map = resolveMapping(options.map, header, { file: ctx.file, line: first.value.line });
  const name = (field: CsvField) => (map[field] === undefined ? field : (header[map[field]] ?? field).trim());
  const grouper = new OrderGrouper<Draft>(options.groupWindow);

  for await (const { line, fields } of rows) {
    ctx.rowsRead++;
    const get = (field: CsvField) => {
      const i = map[field];
      return i === undefined ? "" : (fields[i] ?? "").trim();
    };
    try {
      const orderId = get("order_id");
      if (orderId === "") throw new RowError(`${name("order_id")} is empty`);
      let draft = grouper.get(orderId);
      if (!draft && grouper.isClosed(orderId)) {
        throw new RowError(`order ${orderId} was already complete: its rows are more than ${options.groupWindow} orders apart (sort the file by ${name("order_id")})`);
      }
      if (!draft) {
        draft = { firstLine: line, countryCode: null, lines: [] };
        for (const done of grouper.add(orderId, draft)) {
          const order = finish(done);
          if (order) yield order;
        }
        try {
          draft.order = orderFields(orderId, get, name, options);
          draft.countryCode = countryCode(get("country"));
        } catch (error) {
          if (!(error instanceof RowError)) throw error;
          draft.failed = error.message;
          throw error;
        }
      }
      if (draft.failed !== undefined) throw new RowError(`order ${orderId} is skipped: its first row (line ${draft.firstLine}) is bad: ${draft.failed}`);
      const o = draft.order!;
      const title = get("product");
      if (title === "") throw new RowError(`${name("product")} is empty`);
      const quantityText = get("quantity");
      const quantity = quantityText === "" ? 1 : parseInteger(quantityText, name("quantity"));
      if (quantity < 1) throw new RowError(`${name("quantity")} ${quantity} is not at least 1`);
      const priceText = get("price");
      const unitPrice = priceText === "" ? 0n : parseMoney(priceText, o.currency, name("price"));
      if (unitPrice < 0n) throw new RowError(`${name("price")} ${priceText} is negative`);
      const sku = get("sku") || null;
      const productId = sku ?? productIdOf(title);
      ctx.product(productId, title);
      draft.lines.push({
        id: `${orderId}-${draft.lines.length + 1}`,
        productId,
        variantId: null,
        title,
        variantTitle: null,
        sku,
        quantity,
        unitPrice,
        totalDiscount: 0n,
        refundedQuantity: 0,
        isGiftCard: false,
        isCustom: false,
      });
      if (o.customerId !== null) ctx.customer(o.customerId, o.createdAt, draft.countryCode);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      ctx.skip(line, error.message);
    }
  }
  for (const done of grouper.drain()) {
    const order = finish(done);
    if (order) yield order;
  }
}

function orderFields(
  id: string,
  get: (field: CsvField) => string,
  name: (field: CsvField) => string,
  options: ResolvedOptions,
): NonNullable<Draft["order"]> {
  const dateText = get("date");
  if (dateText === "") throw new RowError(`${name("date")} is empty`);
  const createdAt = parseTimestamp(dateText, options.tz, name("date"));
  const currencyText = get("currency");
  let currency = options.currency ?? "USD";
  if (currencyText !== "") {
    try {
      currency = checkCurrency(currencyText, name("currency"));
    } catch {
      throw new RowError(`${name("currency")} ${JSON.stringify(currencyText)} is not an ISO 4217 code`);
    }
  }
  const cancelledText = get("cancelled");
  let cancelledAt: Date | null;
  if (YES.has(cancelledText.toLowerCase())) cancelledAt = createdAt;
  else if (NO.has(cancelledText.toLowerCase())) cancelledAt = null;
  else {
    try {
      cancelledAt = parseTimestamp(cancelledText, options.tz, name("cancelled"));
    } catch {
      throw new RowError(`${name("cancelled")} ${JSON.stringify(cancelledText)} is neither yes/no nor a date`);
    }
  }
  const customer = get("customer_id");
  return {
    id,
    name: id,
    createdAt,
    processedAt: createdAt,
    updatedAt: cancelledAt && cancelledAt > createdAt ? cancelledAt : createdAt,
    cancelledAt,
    currency,
    totalDiscounts: 0n,
    totalRefunded: 0n,
    test: false,
    sourceName: "csv",
    discountCodes: [],
    customerId: customer === "" ? null : customer,
  };
}
