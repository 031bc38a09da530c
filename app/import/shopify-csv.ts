/**
 * Shopify's orders export (Admin → Orders → Export, "CSV for Excel, Numbers, or other spreadsheet programs"): one row
 * per line item; the order-level columns (Email, Financial Status, Paid at, Currency, Subtotal, Shipping, Taxes, Total,
 * Discount Code, Discount Amount, Created at, Cancelled at, Refunded Amount, Id, Source, Billing Country …) are filled on
 * the order's first row and may be blank or repeated on the others. Columns are found by header name, in any order.
 *
 * Rules:
 * - Rows are grouped by Name (`#1001`); the order id is the `Id` column (Shopify's numeric id, so a later API sync of
 *   the same store updates the same rows) or, without one, the Name. Order-level values come from the order's first
 *   row; a bad value there (no Created at, no Currency and no `--currency`) skips every row of that order.
 * - Created at / Cancelled at carry their offset (`2025-10-07 09:50:26 +0200`); one without an offset is read in
 *   `--tz` (default UTC). processedAt = createdAt.
 * - Money is exact minor units of the order's Currency. Subtotal, Total, Discount Amount and Refunded Amount are taken
 *   as exported; when blank they are computed from the lines (subtotal = Σ quantity × price − line discount) or 0.
 *   Shipping and Taxes are not stored separately (they are part of Total).
 * - Lines: title = Lineitem name, sku = Lineitem sku, quantity = Lineitem quantity (an integer ≥ 0), unit price =
 *   Lineitem price, discount = Lineitem discount. The product id is the SKU, or the slug of the name when the SKU is
 *   empty; the product's vendor is the Vendor column.
 * - Customer: the export has no customer id column, and we store no personal data. The customer id is the SHA-256 (hex)
 *   of the trimmed, lower-cased Email — stable across imports, never the email itself. It is pseudonymous, not
 *   anonymous: whoever knows an email can recompute it (which also lets a customers/redact request find the customer).
 *   A blank Email is a guest order. The customer's countryCode is Billing Country (else Shipping Country) when it is a
 *   two-letter code or a known country name. Names, addresses and phones are ignored.
 * - Discount Code may list several codes separated by commas. Tags, notes, payment and fulfillment columns are ignored.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { IngestLine, IngestOrder } from "../lib/ingest/types";
import {
  checkCurrency,
  columnsOf,
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

const REQUIRED = ["Name", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price"] as const;
const OPTIONAL = [
  "Id",
  "Email",
  "Currency",
  "Subtotal",
  "Total",
  "Discount Code",
  "Discount Amount",
  "Cancelled at",
  "Refunded Amount",
  "Source",
  "Billing Country",
  "Shipping Country",
  "Lineitem sku",
  "Lineitem discount",
  "Vendor",
] as const;

/** SHA-256 of the trimmed, lower-cased email: the pseudonymous customer id. */
export function customerIdFromEmail(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("hex");
}

interface Draft {
  name: string;
  firstLine: number;
  /** Why the order cannot be imported (its first row was bad); its other rows are skipped too. */
  failed?: string;
  order?: Omit<IngestOrder, "lines" | "subtotal" | "total" | "totalDiscounts"> & {
    subtotal: bigint | null;
    total: bigint | null;
    totalDiscounts: bigint | null;
  };
  lines: IngestLine[];
  countryCode?: string | null;
}

function finish(draft: Draft): IngestOrder | undefined {
  const o = draft.order;
  if (!o || draft.lines.length === 0) return undefined;
  const subtotal = o.subtotal ?? linesSubtotal(draft.lines);
  let lineDiscounts = 0n;
  for (const l of draft.lines) lineDiscounts += l.totalDiscount;
  return {
    ...o,
    subtotal,
    total: o.total ?? subtotal,
    totalDiscounts: o.totalDiscounts ?? lineDiscounts,
    lines: draft.lines,
  };
}

export async function* parseShopifyCsv(input: Readable, ctx: ParseContext, options: ResolvedOptions): AsyncGenerator<IngestOrder> {
  const rows = csvRows(input, ctx);
  const first = await rows.next();
  if (first.done) return;
  const c = columnsOf(first.value.fields, REQUIRED, OPTIONAL, { file: ctx.file, line: first.value.line, format: "shopify-csv" });
  if (c.Currency === undefined && options.currency === undefined) {
    throw new ImportError('the header has no "Currency" column; pass --currency to say which currency the amounts are in', {
      file: ctx.file,
      line: first.value.line,
      field: "Currency",
    });
  }
  const grouper = new OrderGrouper<Draft>(options.groupWindow);

  for await (const { line, fields } of rows) {
    ctx.rowsRead++;
    const get = (column: number | undefined) => (column === undefined ? "" : (fields[column] ?? "").trim());
    try {
      const name = get(c.Name);
      if (name === "") throw new RowError("Name is empty");
      let draft = grouper.get(name);
      if (!draft && grouper.isClosed(name)) {
        throw new RowError(`order ${name} was already complete: its rows are more than ${options.groupWindow} orders apart (sort the file by Name)`);
      }
      if (!draft) {
        draft = { name, firstLine: line, lines: [] };
        for (const done of grouper.add(name, draft)) {
          const order = finish(done);
          if (order) yield order;
        }
        try {
          draft.order = orderFields(get, c, options);
        } catch (error) {
          if (!(error instanceof RowError)) throw error;
          draft.failed = error.message;
          throw error;
        }
        draft.countryCode = countryCode(get(c["Billing Country"])) ?? countryCode(get(c["Shipping Country"]));
      }
      if (draft.failed !== undefined) throw new RowError(`order ${name} is skipped: its first row (line ${draft.firstLine}) is bad: ${draft.failed}`);
      const o = draft.order!;
      const quantity = parseInteger(get(c["Lineitem quantity"]), "Lineitem quantity");
      if (quantity < 0) throw new RowError(`Lineitem quantity ${quantity} is negative`);
      const unitPrice = parseMoney(get(c["Lineitem price"]), o.currency, "Lineitem price");
      const discountText = get(c["Lineitem discount"]);
      const totalDiscount = discountText === "" ? 0n : parseMoney(discountText, o.currency, "Lineitem discount");
      const title = get(c["Lineitem name"]);
      if (title === "") throw new RowError("Lineitem name is empty");
      const sku = get(c["Lineitem sku"]) || null;
      const productId = sku ?? productIdOf(title);
      ctx.product(productId, title, get(c.Vendor));
      draft.lines.push({
        id: `${o.id}-${draft.lines.length + 1}`,
        productId,
        variantId: null,
        title,
        variantTitle: null,
        sku,
        quantity,
        unitPrice,
        totalDiscount,
        refundedQuantity: 0,
        isGiftCard: false,
        isCustom: false,
      });
      if (o.customerId !== null) ctx.customer(o.customerId, o.createdAt, draft.countryCode ?? null);
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

type Columns = Record<(typeof REQUIRED)[number], number> & Partial<Record<(typeof OPTIONAL)[number], number>>;

function orderFields(get: (column: number | undefined) => string, c: Columns, options: ResolvedOptions): NonNullable<Draft["order"]> {
  const currencyText = get(c.Currency);
  let currency: string;
  if (currencyText === "") {
    if (options.currency === undefined) throw new RowError("Currency is empty on the order's first row (pass --currency to assume one)");
    currency = options.currency;
  } else {
    try {
      currency = checkCurrency(currencyText, "Currency");
    } catch {
      throw new RowError(`Currency ${JSON.stringify(currencyText)} is not an ISO 4217 code`);
    }
  }
  const createdText = get(c["Created at"]);
  if (createdText === "") throw new RowError("Created at is empty on the order's first row");
  const createdAt = parseTimestamp(createdText, options.tz, "Created at");
  const cancelledText = get(c["Cancelled at"]);
  const cancelledAt = cancelledText === "" ? null : parseTimestamp(cancelledText, options.tz, "Cancelled at");
  const money = (column: (typeof OPTIONAL)[number]) => {
    const text = get(c[column]);
    return text === "" ? null : parseMoney(text, currency, column);
  };
  const email = get(c.Email);
  const name = get(c.Name);
  return {
    id: get(c.Id) || name,
    name,
    createdAt,
    processedAt: createdAt,
    updatedAt: cancelledAt && cancelledAt > createdAt ? cancelledAt : createdAt,
    cancelledAt,
    currency,
    subtotal: money("Subtotal"),
    total: money("Total"),
    totalDiscounts: money("Discount Amount"),
    totalRefunded: money("Refunded Amount") ?? 0n,
    test: false,
    sourceName: get(c.Source) || "shopify-csv",
    discountCodes: get(c["Discount Code"])
      .split(",")
      .map((code) => code.trim())
      .filter(Boolean),
    // Pseudonymous customer id: SHA-256 of the lower-cased email; the email itself is never stored.
    customerId: email === "" ? null : customerIdFromEmail(email),
  };
}
