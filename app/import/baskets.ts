/**
 * Groceries-style market baskets: one basket per line, its item names separated by commas, no header, no ids, no
 * dates, no prices (the arules "Groceries" file: 9,835 baskets of 169 items).
 *
 * Rules:
 * - Each non-blank line is one guest order: id `basket-<line>`, name `Basket <line>` (the line number is the only
 *   stable key the file has, so re-importing the same file updates the same orders).
 * - Date: there is none, so every basket gets the same synthetic instant: `--date` (default 2000-01-01) at 00:00 in
 *   `--tz` (default UTC). Time-based analytics (trends, recency, CLV) are meaningless on such an import.
 * - Item names are trimmed (the Groceries file has "cream cheese " and "roll products " with a trailing space; no name
 *   exists in both spellings, so counts are unchanged) and empty names are ignored. An item named twice in one basket
 *   becomes one line of quantity 2.
 * - Every line has price 0 in `--currency` (default USD); the product id is the slug of the name ("rolls/buns" ->
 *   `rolls-buns`), the product title the name.
 * - A line with no item names is skipped and reported. Standard CSV quoting is honoured, so a name may contain a comma
 *   when quoted.
 */
import type { Readable } from "node:stream";
import type { IngestLine, IngestOrder } from "../lib/ingest/types";
import { csvRows, parseDay, productIdOf } from "./common";
import type { ParseContext, ResolvedOptions } from "./types";

export const BASKETS_DEFAULT_DATE = "2000-01-01";

export async function* parseBaskets(input: Readable, ctx: ParseContext, options: ResolvedOptions): AsyncGenerator<IngestOrder> {
  const currency = options.currency ?? "USD";
  const at = parseDay(options.date, options.tz, "--date");
  for await (const { line, fields } of csvRows(input, ctx, { relaxColumnCount: true })) {
    ctx.rowsRead++;
    const items = new Map<string, { title: string; quantity: number }>();
    for (const raw of fields) {
      const title = raw.trim();
      if (title === "") continue;
      const id = productIdOf(title);
      const known = items.get(id);
      if (known) known.quantity++;
      else items.set(id, { title, quantity: 1 });
    }
    if (items.size === 0) {
      ctx.skip(line, "the basket has no item names");
      continue;
    }
    const id = `basket-${line}`;
    const lines: IngestLine[] = [];
    for (const [productId, { title, quantity }] of items) {
      ctx.product(productId, title);
      lines.push({
        id: `${id}-${lines.length + 1}`,
        productId,
        variantId: null,
        title,
        variantTitle: null,
        sku: null,
        quantity,
        unitPrice: 0n,
        totalDiscount: 0n,
        refundedQuantity: 0,
        isGiftCard: false,
        isCustom: false,
      });
    }
    yield {
      id,
      name: `Basket ${line}`,
      createdAt: at,
      processedAt: at,
      updatedAt: at,
      cancelledAt: null,
      currency,
      subtotal: 0n,
      total: 0n,
      totalDiscounts: 0n,
      totalRefunded: 0n,
      test: false,
      sourceName: "baskets",
      discountCodes: [],
      customerId: null,
      lines,
    };
  }
}
