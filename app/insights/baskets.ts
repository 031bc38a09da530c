/**
 * Basket preparation: plain order records → one market-basket transaction per order, ready for the rules miner
 * (app/insights/rules), recommendations, upgrades, bundles and the backtest. Pure: plain data in, plain data out.
 *
 * An item is a product id (default) or a variant id (`level: "variant"`; a line without a variant id falls back to
 * its product id). Quantities are collapsed: an order contains an item or not.
 *
 * Left out, and counted by reason (a line is counted under the FIRST reason that applies, in this order):
 *   orders:  cancelled (cancelledAt set), then test orders;
 *   lines:   gift cards → custom lines and tips (isCustom, or no product id: also lines of deleted products) →
 *            fully refunded lines (refundedQuantity ≥ quantity) → merchant exclusions, by product id, then tag, then
 *            collection, then vendor (tags compare case-insensitively, as Shopify's do);
 *   orders left with no line are not baskets (`emptyOrders`): they do not count in N.
 * A line whose product id is not in the product map is kept (its product may simply not have been synced) and counted
 * as `unknownProductLines`; merchant exclusions other than by id cannot apply to it.
 */

/** A product's attributes, looked up by id from the product map. Money: integer minor units of the shop currency. */
export interface InsightProduct {
  id: string;
  title: string;
  productType: string;
  vendor: string;
  tags: readonly string[];
  collectionIds: readonly string[];
  /** Shopify's product status: only ACTIVE products are offered to shoppers. */
  status: string;
  /** Current price (the lowest variant price), minor units. */
  price: number;
  /** Unit cost when the shop tracks it (minor units), else null/undefined. */
  unitCost?: number | null;
  /** In stock / available for sale (default true). */
  available?: boolean;
  /** Product line (e.g. "VietBook 14"), when the catalog says so; upgrades also infer it from titles. */
  line?: string | null;
}

export interface InsightLine {
  productId: string | null;
  variantId: string | null;
  quantity: number;
  refundedQuantity: number;
  isGiftCard: boolean;
  isCustom: boolean;
}

/** Times are milliseconds since the epoch, or Dates. */
export interface InsightOrder {
  id: string;
  createdAt: number | Date;
  cancelledAt: number | Date | null;
  test: boolean;
  customerId: string | null;
  lines: readonly InsightLine[];
}

export interface MerchantExclusions {
  productIds?: readonly string[];
  tags?: readonly string[];
  collectionIds?: readonly string[];
  vendors?: readonly string[];
}

export interface BasketOptions {
  /** Item granularity (default "product"). */
  level?: "product" | "variant";
  exclude?: MerchantExclusions;
}

export interface Basket {
  orderId: string;
  customerId: string | null;
  /** ms since the epoch. */
  createdAt: number;
  /** Distinct item ids, in code-unit order. */
  items: string[];
}

export interface BasketExclusions {
  cancelledOrders: number;
  testOrders: number;
  /** Orders left without any line after the line exclusions (not baskets). */
  emptyOrders: number;
  giftCardLines: number;
  customLines: number;
  refundedLines: number;
  merchant: { productIds: number; tags: number; collections: number; vendors: number };
}

export interface BasketResult {
  baskets: Basket[];
  /** Orders read (all of them). */
  orders: number;
  /** Lines read (of orders that were not cancelled or test). */
  lines: number;
  excluded: BasketExclusions;
  /** Lines kept whose product is not in the product map. */
  unknownProductLines: number;
}

export type ProductMap = ReadonlyMap<string, InsightProduct>;

/** A time as ms since the epoch. */
export function timeOf(t: number | Date): number {
  return typeof t === "number" ? t : t.getTime();
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function prepareBaskets(orders: Iterable<InsightOrder>, products: ProductMap, options: BasketOptions = {}): BasketResult {
  const level = options.level ?? "product";
  const ex = options.exclude ?? {};
  const excludedIds = new Set(ex.productIds ?? []);
  const excludedTags = new Set((ex.tags ?? []).map((t) => t.trim().toLowerCase()));
  const excludedCollections = new Set(ex.collectionIds ?? []);
  const excludedVendors = new Set(ex.vendors ?? []);
  const excluded: BasketExclusions = {
    cancelledOrders: 0,
    testOrders: 0,
    emptyOrders: 0,
    giftCardLines: 0,
    customLines: 0,
    refundedLines: 0,
    merchant: { productIds: 0, tags: 0, collections: 0, vendors: 0 },
  };
  const baskets: Basket[] = [];
  let orderCount = 0;
  let lineCount = 0;
  let unknownProductLines = 0;

  for (const order of orders) {
    orderCount++;
    if (order.cancelledAt !== null && order.cancelledAt !== undefined) {
      excluded.cancelledOrders++;
      continue;
    }
    if (order.test) {
      excluded.testOrders++;
      continue;
    }
    const items = new Set<string>();
    for (const line of order.lines) {
      lineCount++;
      if (line.isGiftCard) {
        excluded.giftCardLines++;
        continue;
      }
      if (line.isCustom || line.productId === null || line.productId === "") {
        excluded.customLines++;
        continue;
      }
      if (line.refundedQuantity >= line.quantity) {
        excluded.refundedLines++;
        continue;
      }
      const productId = line.productId;
      if (excludedIds.has(productId)) {
        excluded.merchant.productIds++;
        continue;
      }
      const product = products.get(productId);
      if (product) {
        if (excludedTags.size > 0 && product.tags.some((t) => excludedTags.has(t.trim().toLowerCase()))) {
          excluded.merchant.tags++;
          continue;
        }
        if (excludedCollections.size > 0 && product.collectionIds.some((c) => excludedCollections.has(c))) {
          excluded.merchant.collections++;
          continue;
        }
        if (excludedVendors.has(product.vendor)) {
          excluded.merchant.vendors++;
          continue;
        }
      } else {
        unknownProductLines++;
      }
      items.add(level === "variant" && line.variantId ? line.variantId : productId);
    }
    if (items.size === 0) {
      excluded.emptyOrders++;
      continue;
    }
    baskets.push({ orderId: order.id, customerId: order.customerId, createdAt: timeOf(order.createdAt), items: [...items].sort(byCodeUnit) });
  }
  return { baskets, orders: orderCount, lines: lineCount, excluded, unknownProductLines };
}

/** Whether a product may be offered to shoppers: published (ACTIVE) and available (in stock). */
export function isOfferable(product: InsightProduct | undefined): product is InsightProduct {
  return product !== undefined && product.status.toUpperCase() === "ACTIVE" && product.available !== false;
}

/**
 * Each basket's items mapped to a group (e.g. productType), distinct and sorted; items without a group (unknown
 * product, empty group) are dropped. Baskets are kept even when empty, so N stays the number of orders.
 */
export function groupBaskets(baskets: readonly Basket[], groupOf: (itemId: string) => string | null): string[][] {
  return baskets.map((b) => {
    const groups = new Set<string>();
    for (const item of b.items) {
      const g = groupOf(item);
      if (g) groups.add(g);
    }
    return [...groups].sort(byCodeUnit);
  });
}
