/**
 * Market-basket transactions from an import file, without a database: the orders of the format's parser (read.ts), one
 * transaction per order, encoded for app/insights/rules as they stream by.
 *
 * - An item is a line's product named as in the file: the SKU when the line has one (Online Retail's StockCode, Shopify's
 *   Lineitem sku, a mapped `sku` column), else the line's title (baskets' item names, Shopify's Lineitem name).
 * - Quantities are collapsed: an order contains an item or not.
 * - Cancelled orders (Online Retail's C-invoices, Shopify's Cancelled at, a csv `cancelled` column) are left out.
 * - Lines without a product (Online Retail's postage, fees and manual lines; custom lines) are left out, and so is an
 *   order left with no product at all: it is not a basket (it does not count in N).
 * - Bad rows are skipped and reported by the parser as for an import (`source.context`).
 */
import type { IngestLine } from "../lib/ingest/types";
import { TransactionEncoder, type EncodedTransactions } from "../insights/rules/encode";
import { openImport, type ImportSource } from "./read";
import type { ImportOptions } from "./types";

export interface TransactionsRead {
  transactions: EncodedTransactions;
  /** Each transaction's order time (ms since the epoch), by transaction index. */
  times: Float64Array;
  /** Orders read, cancelled ones and those without any product line included. */
  orders: number;
  cancelledOrders: number;
  ordersWithoutProducts: number;
  linesWithoutProduct: number;
  source: ImportSource;
}

/** The item a line stands for, or null when the line is not a product. */
export function itemOf(line: IngestLine): string | null {
  if (line.productId === null || line.isCustom) return null;
  const sku = line.sku?.trim();
  return sku ? sku : line.title;
}

export async function readTransactions(file: string, format: string, options: ImportOptions = {}): Promise<TransactionsRead> {
  const source = await openImport(file, format, options);
  const encoder = new TransactionEncoder();
  let times = new Float64Array(1024);
  let orders = 0;
  let cancelledOrders = 0;
  let ordersWithoutProducts = 0;
  let linesWithoutProduct = 0;
  const items: string[] = [];
  for await (const order of source.orders) {
    orders++;
    if (order.cancelledAt !== null) {
      cancelledOrders++;
      continue;
    }
    items.length = 0;
    for (const line of order.lines) {
      const item = itemOf(line);
      if (item === null) linesWithoutProduct++;
      else items.push(item);
    }
    if (items.length === 0) {
      ordersWithoutProducts++;
      continue;
    }
    const t = encoder.add(items);
    if (t >= times.length) {
      const grown = new Float64Array(times.length * 2);
      grown.set(times);
      times = grown;
    }
    times[t] = order.createdAt.getTime();
  }
  const transactions = encoder.finish();
  return { transactions, times: times.slice(0, transactions.n), orders, cancelledOrders, ordersWithoutProducts, linesWithoutProduct, source };
}
