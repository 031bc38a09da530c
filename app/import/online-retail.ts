/**
 * UCI Online Retail (a UK gift retailer, 2010-12-01 … 2011-12-09): one row per invoice line, header
 * `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country`, usually gzipped.
 *
 * Rules:
 * - One order per InvoiceNo (id and name = the invoice number). Its rows may be interleaved with nearby invoices (see
 *   OrderGrouper); date, customer and country come from its first row.
 * - Money is GBP, exact to the penny. A UnitPrice with a non-zero third decimal (four rows of 0.001) cannot be
 *   stored exactly and is skipped and reported, not rounded. A negative UnitPrice (two "Adjust bad debt" rows) is
 *   skipped and reported.
 * - InvoiceDate (`YYYY-MM-DD HH:MM:SS`) is wall-clock time in the shop's zone, Europe/London (GMT in winter, BST in
 *   summer), converted to UTC; `--tz` overrides the zone.
 * - Cancellations: an invoice starting with "C" is stored as its own cancelled order (cancelledAt = its date), with
 *   positive quantities and amounts, every line's refundedQuantity = its quantity and totalRefunded = total, so its net
 *   value is zero. It is NOT netted against the invoice it reverses: the data does not say which one that is, so the
 *   original invoice keeps its full value (analytics that exclude cancelled orders see the purchases as made). Its
 *   rows must have a negative Quantity (all 9,288 do).
 * - A negative Quantity on an invoice that is not a cancellation (1,336 rows: stock adjustments such as "damaged", with
 *   no customer and a zero price) is not a sale: skipped and reported. A Quantity of 0 likewise.
 * - CustomerID empty -> a guest order (customerId null). Otherwise the customer's countryCode is the ISO 3166-1 code of
 *   Country on their first row (United Kingdom -> GB, EIRE -> IE, RSA -> ZA, USA -> US, ...); names that are not one
 *   country (Channel Islands, European Community, Unspecified) give null.
 * - Lines: sku = StockCode, title = Description (the StockCode when empty). Service codes that are not goods (POST,
 *   DOT, C2 carriage, M/m manual, D discount, S samples, B bad debt, BANK CHARGES, AMAZONFEE, CRUK) are custom lines
 *   without a product; gift_* codes are gift cards. Every other StockCode is a product (id = StockCode, title = the
 *   first Description seen).
 */
import type { Readable } from "node:stream";
import type { IngestLine, IngestOrder } from "../lib/ingest/types";
import { columnsOf, countryCode, csvRows, linesSubtotal, OrderGrouper, parseInteger, parseMoney, parseTimestamp } from "./common";
import { RowError, type ParseContext, type ResolvedOptions } from "./types";

export const ONLINE_RETAIL_CURRENCY = "GBP";
export const ONLINE_RETAIL_TIME_ZONE = "Europe/London";

const SERVICE_CODES = new Set(["POST", "DOT", "C2", "M", "D", "S", "B", "BANK CHARGES", "AMAZONFEE", "CRUK"]);

interface Invoice {
  id: string;
  createdAt: Date;
  cancelled: boolean;
  customerId: string | null;
  countryCode: string | null;
  lines: IngestLine[];
}

function finish(invoice: Invoice): IngestOrder {
  const subtotal = linesSubtotal(invoice.lines);
  return {
    id: invoice.id,
    name: invoice.id,
    createdAt: invoice.createdAt,
    processedAt: invoice.createdAt,
    updatedAt: invoice.createdAt,
    cancelledAt: invoice.cancelled ? invoice.createdAt : null,
    currency: ONLINE_RETAIL_CURRENCY,
    subtotal,
    total: subtotal,
    totalDiscounts: 0n,
    totalRefunded: invoice.cancelled ? subtotal : 0n,
    test: false,
    sourceName: "online-retail",
    discountCodes: [],
    customerId: invoice.customerId,
    lines: invoice.lines,
  };
}

export async function* parseOnlineRetail(input: Readable, ctx: ParseContext, options: ResolvedOptions): AsyncGenerator<IngestOrder> {
  const rows = csvRows(input, ctx);
  const first = await rows.next();
  if (first.done) return;
  const c = columnsOf(first.value.fields, ["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice"], ["Description", "CustomerID", "Country"], {
    file: ctx.file,
    line: first.value.line,
    format: "online-retail",
  });
  const grouper = new OrderGrouper<Invoice>(options.groupWindow);
  const dates = new Map<string, Date>(); // many lines share a timestamp: convert each distinct one once
  const timestamp = (text: string) => {
    let d = dates.get(text);
    if (!d) {
      d = parseTimestamp(text, options.tz, "InvoiceDate");
      if (dates.size >= 100_000) dates.clear();
      dates.set(text, d);
    }
    return d;
  };

  for await (const { line, fields } of rows) {
    ctx.rowsRead++;
    try {
      const id = (fields[c.InvoiceNo] ?? "").trim();
      if (id === "") throw new RowError("InvoiceNo is empty");
      let invoice = grouper.get(id);
      if (!invoice && grouper.isClosed(id)) {
        throw new RowError(`invoice ${id} was already complete: its rows are more than ${options.groupWindow} invoices apart (sort the file by InvoiceNo)`);
      }
      const cancelled = /^c/i.test(id);
      const quantityText = fields[c.Quantity] ?? "";
      const quantity = parseInteger(quantityText, "Quantity");
      if (quantity === 0) throw new RowError("Quantity is 0");
      if (quantity < 0 && !cancelled) {
        throw new RowError(`Quantity ${quantity} is negative on invoice ${id}, which is not a cancellation (no "C" prefix): a stock adjustment, not a sale`);
      }
      if (quantity > 0 && cancelled) throw new RowError(`Quantity ${quantity} is positive on cancellation invoice ${id}`);
      const priceText = fields[c.UnitPrice] ?? "";
      const unitPrice = parseMoney(priceText, ONLINE_RETAIL_CURRENCY, "UnitPrice");
      if (unitPrice < 0n) throw new RowError(`UnitPrice ${priceText.trim()} is negative`);
      const code = (fields[c.StockCode] ?? "").trim();
      if (code === "") throw new RowError("StockCode is empty");
      const createdAt = timestamp(fields[c.InvoiceDate] ?? "");
      const description = c.Description === undefined ? "" : (fields[c.Description] ?? "").trim();

      if (!invoice) {
        const customer = c.CustomerID === undefined ? "" : (fields[c.CustomerID] ?? "").trim();
        invoice = {
          id,
          createdAt,
          cancelled,
          customerId: customer === "" ? null : customer,
          countryCode: c.Country === undefined ? null : countryCode(fields[c.Country] ?? ""),
          lines: [],
        };
        for (const done of grouper.add(id, invoice)) if (done.lines.length > 0) yield finish(done);
      }
      const service = SERVICE_CODES.has(code.toUpperCase());
      const amount = Math.abs(quantity);
      invoice.lines.push({
        id: `${id}-${invoice.lines.length + 1}`,
        productId: service ? null : code,
        variantId: null,
        title: description || code,
        variantTitle: null,
        sku: code,
        quantity: amount,
        unitPrice,
        totalDiscount: 0n,
        refundedQuantity: cancelled ? amount : 0,
        isGiftCard: /^gift_/i.test(code),
        isCustom: service,
      });
      if (!service) ctx.product(code, description || code);
      if (invoice.customerId !== null) ctx.customer(invoice.customerId, invoice.createdAt, invoice.countryCode);
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      ctx.skip(line, error.message);
    }
  }
  for (const done of grouper.drain()) if (done.lines.length > 0) yield finish(done);
}
