/**
 * The storefront cart's live discounts: which of the shop's discounts (modules/discounts.ts, created through the Admin
 * API) apply to a cart, and how much each takes off each line. Amounts are minor units of the shop's currency here;
 * cart.ts and objects.ts turn them into the cents the Ajax API and Liquid show.
 *
 * Reproduced Shopify behaviour:
 * - A discount applies only while its status is ACTIVE (not SCHEDULED, not EXPIRED or deactivated; a deleted one no
 *   longer exists). Automatic discounts apply by themselves; a code discount only once its code is on the cart
 *   (`/cart/update.js {discount}`, `/discount/<code>`, `Shopify.actions.updateCart({discountCodes})`), codes compared
 *   case-insensitively. The cart lists each code with `applicable` true when its discount ended up applied.
 * - Context: a discount limited to customers or customer segments never applies here, because the local storefront has
 *   no customer accounts (every cart is a guest's, as Shopify treats a cart without a logged-in buyer).
 * - Buy X get Y (https://shopify.dev/docs/api/admin-graphql/2026-01/objects/DiscountAutomaticBxgy): each use needs the
 *   `customerBuys` items (a quantity of units, or units whose prices reach the amount) and discounts up to
 *   `customerGets.value.discountOnQuantity.quantity` units of the `customerGets` items with the effect (a percentage
 *   of each unit, or an amount off each unit, at most its price); as many uses as the cart holds, at most
 *   `usesPerOrderLimit`. A unit counts for one side of one use only. The discounted units are the cheapest eligible
 *   ones, as Shopify's help centre describes buy X get Y ("the discount applies to the lowest-priced eligible items";
 *   https://help.shopify.com/manual/discounts/discount-types/buy-x-get-y — not readable from here, so this is from
 *   memory of that page); the prerequisite units are taken from those that cannot be discounted first, then the most
 *   expensive, so a unit the customer "gets" is not spent as one they "buy". Guesses, marked as such: a use with fewer
 *   "gets" units in the cart than the quantity discounts those it has; an amount condition is met per use by the
 *   most expensive remaining units.
 * - Amount off products and orders ("basic"): a percentage of each entitled line, an amount off each item
 *   (`appliesOnEachItem`), or one amount across the entitled lines (in proportion to their prices); the minimum
 *   subtotal or quantity is checked on the entitled items. A discount on all items is an order discount (a cart-level
 *   application, allocated across the lines after their product discounts).
 * - Combinations (https://help.shopify.com/manual/discounts/discount-combinations, and the 2026-01 schema's
 *   DiscountCombinesWith; later versions' `productDiscountsWithTagsOnSameCartLine` says "By default, only one product
 *   discount applies per line"): two discounts apply to the same cart only if each one's `combinesWith` allows the
 *   other's class (product or order). Among discounts that do not combine, the one that takes off more wins (ties: the
 *   older). On one line at most one product discount applies, the one that takes more off that line; combinable product
 *   discounts therefore add up only across different lines. Order discounts apply after product discounts.
 *   The subset left out: shipping discounts, Plus tag stacking, app (Function) discounts, subscriptions.
 */
import { currencyDigits } from "../gid";
import { discountStatus, storefrontDiscounts, type DiscountRecord, type Effect, type Items } from "../modules/discounts";
import type { ShopState } from "../store";
import type { CartLine, CartRecord, Catalog } from "./objects";

export interface DiscountApplication {
  discountId: number;
  type: "automatic" | "discount_code";
  /** The discount's title; for a code discount, the code (as Shopify titles code applications). */
  title: string;
  code: string | null;
  valueType: "percentage" | "fixed_amount";
  /** Percent (10 for 10%) or minor units. */
  value: number;
  allocationMethod: "each" | "across";
  targetSelection: "all" | "entitled";
  level: "line" | "cart";
  createdAt: number;
  /** Minor units allocated over all lines. */
  totalAllocated: number;
}

export interface LineAllocation {
  application: DiscountApplication;
  /** Minor units. */
  amount: number;
}

export interface PricedLine {
  line: CartLine;
  /** Minor units, before discounts. */
  unitPrice: number;
  originalLinePrice: number;
  lineLevel: LineAllocation[];
  cartLevel: LineAllocation[];
  lineLevelDiscount: number;
  /** After line-level discounts (what Shopify calls the final line price). */
  finalLinePrice: number;
}

export interface PricedCart {
  lines: PricedLine[];
  /** Applied discounts: line level first, then cart level. */
  applications: DiscountApplication[];
  codes: { code: string; applicable: boolean }[];
  originalTotal: number;
  /** After line-level discounts. */
  itemsSubtotal: number;
  totalDiscount: number;
  total: number;
}

type DiscountClass = "product" | "order";

interface Proposal {
  discount: DiscountRecord;
  code: string | null;
  cls: DiscountClass;
  /** Minor units per line index (product discounts), or the standalone total (order discounts: in `total`). */
  perLine: Map<number, number>;
  total: number;
}

const classOf = (d: DiscountRecord): DiscountClass => (d.type === "basic" && d.gets.items.kind === "all" ? "order" : "product");

function matches(catalog: Catalog, items: Items, line: CartLine): boolean {
  if (items.kind === "all") return true;
  if (items.kind === "products") return items.products.includes(line.productId) || items.variants.includes(line.variantId);
  const product = catalog.product(line.productId);
  return product !== undefined && product.collectionIds.some((id) => items.collections.includes(id));
}

/** Splits `total` over `weights` in proportion, in whole minor units (largest remainders get the leftovers). */
function spread(total: number, weights: number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum <= 0 || total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((s, x) => s + x, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]! += 1;
    left -= 1;
  }
  return out;
}

const effectOn = (effect: Effect, price: number) => (effect.kind === "percentage" ? Math.round(price * effect.percentage) : Math.min(effect.minor, price));

interface Unit {
  line: number;
  price: number;
  seq: number;
}

function proposeBxgy(catalog: Catalog, d: DiscountRecord, lines: PricedLine[], digits: number): Map<number, number> {
  const buys = d.buys!;
  const gets = d.gets;
  if (gets.value.kind !== "onQuantity") return new Map();
  const { quantity: getQuantity, effect } = gets.value;
  const units: Unit[] = lines.flatMap((l, i) => Array.from({ length: l.line.quantity }, (_, k) => ({ line: i, price: l.unitPrice, seq: k })));
  const canBuy = (u: Unit) => matches(catalog, buys.items, lines[u.line]!.line);
  const canGet = (u: Unit) => matches(catalog, gets.items, lines[u.line]!.line);
  const used = new Set<Unit>();
  const discounted: Unit[] = [];
  const limit = d.usesPerOrderLimit ?? Number.POSITIVE_INFINITY;
  for (let uses = 0; uses < limit; uses++) {
    const available = units
      .filter((u) => !used.has(u) && canBuy(u))
      .sort((a, b) => Number(canGet(a)) - Number(canGet(b)) || b.price - a.price || a.line - b.line || a.seq - b.seq);
    let taken: Unit[];
    if (buys.value.kind === "quantity") {
      if (available.length < buys.value.quantity) break;
      taken = available.slice(0, buys.value.quantity);
    } else {
      const needed = Math.round(Number(buys.value.amount) * 10 ** digits);
      taken = [];
      let sum = 0;
      for (const u of [...available].sort((a, b) => b.price - a.price || a.line - b.line || a.seq - b.seq)) {
        if (sum >= needed) break;
        taken.push(u);
        sum += u.price;
      }
      if (sum < needed) break;
    }
    const chosen = new Set(taken);
    const free = units.filter((u) => !used.has(u) && !chosen.has(u) && canGet(u)).sort((a, b) => a.price - b.price || a.line - b.line || a.seq - b.seq);
    if (free.length === 0) break;
    const got = free.slice(0, getQuantity);
    for (const u of [...taken, ...got]) used.add(u);
    discounted.push(...got);
    if (got.length < getQuantity) break;
  }
  const perLine = new Map<number, number>();
  for (const u of discounted) perLine.set(u.line, (perLine.get(u.line) ?? 0) + effectOn(effect, u.price));
  return perLine;
}

function proposeBasicProduct(catalog: Catalog, d: DiscountRecord, lines: PricedLine[]): Map<number, number> {
  const entitled = lines.map((l, i) => [l, i] as const).filter(([l]) => matches(catalog, d.gets.items, l.line));
  const subtotal = entitled.reduce((s, [l]) => s + l.originalLinePrice, 0);
  const count = entitled.reduce((s, [l]) => s + l.line.quantity, 0);
  if (entitled.length === 0 || !meetsMinimum(d, subtotal, count)) return new Map();
  const value = d.gets.value;
  if (value.kind === "onQuantity") return new Map();
  if (value.kind === "percentage") return new Map(entitled.map(([l, i]) => [i, Math.round(l.originalLinePrice * value.percentage)]));
  if (value.appliesOnEachItem) return new Map(entitled.map(([l, i]) => [i, Math.min(value.minor, l.unitPrice) * l.line.quantity]));
  const shares = spread(Math.min(value.minor, subtotal), entitled.map(([l]) => l.originalLinePrice));
  return new Map(entitled.map(([, i], k) => [i, shares[k]!]));
}

function meetsMinimum(d: DiscountRecord, subtotal: number, count: number): boolean {
  if (d.minimum === null) return true;
  return d.minimum.kind === "quantity" ? count >= d.minimum.quantity : subtotal >= d.minimum.minor;
}

/** The order discount's amount on the given line prices, allocated across them. */
function orderAllocation(d: DiscountRecord, prices: number[], count: number): number[] {
  const subtotal = prices.reduce((s, p) => s + p, 0);
  if (subtotal <= 0 || !meetsMinimum(d, subtotal, count)) return prices.map(() => 0);
  const value = d.gets.value;
  if (value.kind === "onQuantity") return prices.map(() => 0);
  const total = value.kind === "percentage" ? Math.round(subtotal * value.percentage) : Math.min(value.minor, subtotal);
  return spread(total, prices);
}

function applicationOf(d: DiscountRecord, code: string | null, level: "line" | "cart"): DiscountApplication {
  const effect: Effect | null = d.gets.value.kind === "onQuantity" ? d.gets.value.effect : d.gets.value;
  const percentage = effect.kind === "percentage";
  return {
    discountId: d.id,
    type: code === null ? "automatic" : "discount_code",
    title: code ?? d.title,
    code,
    valueType: percentage ? "percentage" : "fixed_amount",
    value: effect.kind === "percentage" ? Math.round(effect.percentage * 100 * 1e6) / 1e6 : effect.minor,
    allocationMethod: d.type === "bxgy" || (effect.kind === "amount" && effect.appliesOnEachItem) ? "each" : "across",
    targetSelection: level === "cart" ? "all" : "entitled",
    level,
    createdAt: d.createdAt,
    totalAllocated: 0,
  };
}

const compatible = (a: Proposal, b: Proposal) =>
  a.discount.combinesWith[b.cls === "product" ? "productDiscounts" : "orderDiscounts"] && b.discount.combinesWith[a.cls === "product" ? "productDiscounts" : "orderDiscounts"];

/** Prices a cart with the shop's live discounts at `now` (ms). */
export function priceCart(catalog: Catalog, shop: ShopState, cart: CartRecord, now: number): PricedCart {
  const digits = currencyDigits(shop.seed.shop.currencyCode);
  const lines: PricedLine[] = cart.lines.map((line) => {
    const found = catalog.variant(line.variantId);
    if (!found) throw new Error(`Cart line ${line.key} points at variant ${line.variantId}, which does not exist`);
    const unitPrice = found.variant.price;
    const originalLinePrice = unitPrice * line.quantity;
    return { line, unitPrice, originalLinePrice, lineLevel: [], cartLevel: [], lineLevelDiscount: 0, finalLinePrice: originalLinePrice };
  });
  const codes = (cart.discountCodes ?? []).map((code) => ({ code, applicable: false }));
  const wanted = new Map(codes.map((c) => [c.code.toLowerCase(), c.code]));

  const proposals: Proposal[] = [];
  for (const d of storefrontDiscounts(shop)) {
    if (discountStatus(d, now) !== "ACTIVE" || d.context.kind !== "all") continue;
    let code: string | null = null;
    if (d.method === "code") {
      const match = d.codes.find((c) => wanted.has(c.code.toLowerCase()));
      if (!match) continue;
      code = wanted.get(match.code.toLowerCase())!;
    }
    const cls = classOf(d);
    let perLine = new Map<number, number>();
    let total: number;
    if (cls === "order") {
      total = orderAllocation(d, lines.map((l) => l.originalLinePrice), lines.reduce((s, l) => s + l.line.quantity, 0)).reduce((s, x) => s + x, 0);
    } else {
      perLine = d.type === "bxgy" ? proposeBxgy(catalog, d, lines, digits) : proposeBasicProduct(catalog, d, lines);
      total = [...perLine.values()].reduce((s, x) => s + x, 0);
    }
    if (total > 0) proposals.push({ discount: d, code, cls, perLine, total });
  }

  // Discounts that do not combine: the larger wins (ties: the older).
  proposals.sort((a, b) => b.total - a.total || a.discount.id - b.discount.id);
  const selected: Proposal[] = [];
  for (const p of proposals) if (selected.every((s) => compatible(s, p))) selected.push(p);

  // One product discount per line: the one taking the most off that line.
  const applications: DiscountApplication[] = [];
  const lineApps = new Map<Proposal, DiscountApplication>();
  for (const p of selected.filter((s) => s.cls === "product")) lineApps.set(p, applicationOf(p.discount, p.code, "line"));
  lines.forEach((line, i) => {
    let best: Proposal | null = null;
    for (const p of lineApps.keys()) {
      const amount = p.perLine.get(i) ?? 0;
      if (amount > 0 && (best === null || amount > best.perLine.get(i)!)) best = p;
    }
    if (!best) return;
    const application = lineApps.get(best)!;
    const amount = Math.min(best.perLine.get(i)!, line.originalLinePrice);
    application.totalAllocated += amount;
    line.lineLevel.push({ application, amount });
    line.lineLevelDiscount += amount;
    line.finalLinePrice -= amount;
  });
  for (const application of lineApps.values()) if (application.totalAllocated > 0) applications.push(application);

  for (const p of selected.filter((s) => s.cls === "order")) {
    const application = applicationOf(p.discount, p.code, "cart");
    const current = lines.map((l) => l.finalLinePrice - l.cartLevel.reduce((s, a) => s + a.amount, 0));
    const shares = orderAllocation(p.discount, current, lines.reduce((s, l) => s + l.line.quantity, 0));
    shares.forEach((amount, i) => {
      if (amount <= 0) return;
      lines[i]!.cartLevel.push({ application, amount });
      application.totalAllocated += amount;
    });
    if (application.totalAllocated > 0) applications.push(application);
  }

  for (const c of codes) c.applicable = applications.some((a) => a.code !== null && a.code.toLowerCase() === c.code.toLowerCase());
  const originalTotal = lines.reduce((s, l) => s + l.originalLinePrice, 0);
  const itemsSubtotal = lines.reduce((s, l) => s + l.finalLinePrice, 0);
  const totalDiscount = applications.reduce((s, a) => s + a.totalAllocated, 0);
  return { lines, applications, codes, originalTotal, itemsSubtotal, totalDiscount, total: originalTotal - totalDiscount };
}

/** Codes as a cart stores them: `"A, B"` or a list; blanks dropped, duplicates (case-insensitive) once. */
export function parseDiscountCodes(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw.map(String) : String(raw ?? "").split(",");
  const out: string[] = [];
  for (const code of list.map((c) => c.trim()).filter(Boolean)) if (!out.some((c) => c.toLowerCase() === code.toLowerCase())) out.push(code);
  return out;
}
