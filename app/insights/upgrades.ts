/**
 * Upgrades: for each product A, higher-tier alternatives B, with their evidence. Pure.
 *
 * A candidate B is offerable (ACTIVE and available), costs more than A (price(B) > minPriceRatio · price(A), default
 * ratio 1) and is related to A: the same product type, a shared collection, the same product line (both `line`s set
 * and equal, or the same title once tier words are removed: text-similarity.ts), or a title similarity of at least
 * `minSimilarity`. An upgrade replaces what was bought, so when both products have a type, B must be of A's type: a
 * keyboard bought after a mouse of the same brand and collection is a later cross-sell, not an upgrade. It is kept
 * when one of two kinds of evidence supports it:
 *
 * - Observed upgrade paths: registered customers whose first purchase of A was followed by a first purchase of B in a
 *   LATER order within `windowDays` (default 365). `count` counts them all; `share` is taken over A's buyers whose
 *   window has fully elapsed by `asOf` (first purchase of A + window ≤ asOf), counting only their paths, so recent
 *   buyers who have not had time to come back do not dilute it (when no buyer is that old, over all buyers, and
 *   `censored` says so). `medianDays`: median days from A to B over the paths. Needs count ≥ minPaths (default 3).
 * - Title similarity ≥ minSimilarity (default 0.5): the cold start, before anyone has upgraded.
 *
 * Score = Wilson lower bound (95 %, one-sided) of the share + similarityWeight (default 0.1) × similarity: observed
 * behaviour dominates once there are buyers enough, and the similarity ranks candidates without history. Ties by price
 * (the nearer step up first), then id. Explanations: "12 % of VietBook 14 buyers came back for the VietBook 14 Pro, a
 * median 160 days later", or, without paths, "a step up from the VietBook 14: same line, 1.6× the price".
 */
import { isOfferable, type Basket, type InsightProduct, type ProductMap } from "./baskets";
import { compareText, wilsonLower } from "./rules";
import { jaccard, lineTokens } from "./text-similarity";

const DAY_MS = 86_400_000;

export interface UpgradeOptions {
  /** The analysis date (ms or Date): shares only count buyers whose window ended by then. */
  asOf: number | Date;
  windowDays?: number;
  minPaths?: number;
  minSimilarity?: number;
  similarityWeight?: number;
  minPriceRatio?: number;
  /** Most upgrades listed per product (default 5). */
  maxPerProduct?: number;
}

export interface UpgradePath {
  /** Customers who bought A, then B in a later order within the window. */
  count: number;
  /** Customers who bought A (registered customers only). */
  buyers: number;
  /** A's buyers whose window ended by asOf, and how many of them upgraded: share = upgraded / observedBuyers. */
  observedBuyers: number;
  upgraded: number;
  share: number;
  /** True when no buyer's window has ended: share is then over all buyers and understates the rate. */
  censored: boolean;
  medianDays: number;
}

export interface UpgradeCandidate {
  productId: string;
  title: string;
  price: number;
  /** price(B) / price(A). */
  priceRatio: number;
  sameType: boolean;
  sharedCollections: string[];
  sameLine: boolean;
  similarity: number;
  path: UpgradePath | null;
  score: number;
  explanation: string;
}

export interface ProductUpgrades {
  productId: string;
  title: string;
  price: number;
  upgrades: UpgradeCandidate[];
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percent(share: number): string {
  const p = share * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)} %`;
}

/** First purchase time of each product by each registered customer. */
function firstPurchases(baskets: readonly Basket[]): Map<string, Map<string, number>> {
  const byCustomer = new Map<string, Map<string, number>>();
  for (const b of baskets) {
    if (b.customerId === null) continue;
    let firsts = byCustomer.get(b.customerId);
    if (!firsts) byCustomer.set(b.customerId, (firsts = new Map()));
    for (const item of b.items) {
      const seen = firsts.get(item);
      if (seen === undefined || b.createdAt < seen) firsts.set(item, b.createdAt);
    }
  }
  return byCustomer;
}

export function findUpgrades(baskets: readonly Basket[], products: ProductMap, options: UpgradeOptions): ProductUpgrades[] {
  const asOf = typeof options.asOf === "number" ? options.asOf : options.asOf.getTime();
  if (!Number.isFinite(asOf)) throw new RangeError("asOf must be a valid time");
  const windowDays = options.windowDays ?? 365;
  if (!(windowDays > 0)) throw new RangeError(`windowDays must be > 0, got ${windowDays}`);
  const windowMs = windowDays * DAY_MS;
  const minPaths = options.minPaths ?? 3;
  const minSimilarity = options.minSimilarity ?? 0.5;
  const similarityWeight = options.similarityWeight ?? 0.1;
  const minPriceRatio = options.minPriceRatio ?? 1;
  const maxPerProduct = options.maxPerProduct ?? 5;

  // Paths: per (A, B), the customers' delays and whether A's window had ended; per A, buyers and observed buyers.
  const buyers = new Map<string, { all: number; observed: number }>();
  const paths = new Map<string, Map<string, { days: number[]; observed: number }>>();
  for (const firsts of firstPurchases(baskets).values()) {
    const bought = [...firsts.entries()].sort((x, y) => x[1] - y[1]);
    for (let i = 0; i < bought.length; i++) {
      const [a, ta] = bought[i]!;
      const old = ta + windowMs <= asOf;
      const counts = buyers.get(a) ?? { all: 0, observed: 0 };
      counts.all++;
      if (old) counts.observed++;
      buyers.set(a, counts);
      for (let j = i + 1; j < bought.length; j++) {
        const [b, tb] = bought[j]!;
        if (tb === ta) continue; // same order (or same instant): not a later purchase
        if (tb - ta > windowMs) break;
        let row = paths.get(a);
        if (!row) paths.set(a, (row = new Map()));
        let cell = row.get(b);
        if (!cell) row.set(b, (cell = { days: [], observed: 0 }));
        cell.days.push((tb - ta) / DAY_MS);
        if (old) cell.observed++;
      }
    }
  }

  const all = [...products.values()];
  const tokens = new Map(all.map((p) => [p.id, lineTokens(p.title).tokens]));
  const offerable = all.filter((p) => isOfferable(p));
  const result: ProductUpgrades[] = [];
  for (const a of [...all].sort((x, y) => compareText(x.id, y.id))) {
    const upgrades: UpgradeCandidate[] = [];
    for (const b of offerable) {
      if (b.id === a.id || !(b.price > a.price * minPriceRatio) || !(a.price >= 0)) continue;
      const candidate = assess(a, b);
      if (candidate) upgrades.push(candidate);
    }
    if (upgrades.length === 0) continue;
    upgrades.sort((x, y) => y.score - x.score || x.price - y.price || compareText(x.productId, y.productId));
    result.push({ productId: a.id, title: a.title, price: a.price, upgrades: upgrades.slice(0, maxPerProduct) });
  }
  return result;

  function assess(a: InsightProduct, b: InsightProduct): UpgradeCandidate | null {
    const typeA = a.productType.trim();
    const typeB = b.productType.trim();
    if (typeA !== "" && typeB !== "" && typeA !== typeB) return null;
    const sameType = typeA !== "" && typeA === typeB;
    const sharedCollections = a.collectionIds.filter((c) => b.collectionIds.includes(c));
    const ta = tokens.get(a.id)!;
    const tb = tokens.get(b.id)!;
    const similarity = jaccard(ta, tb);
    const sameLine = a.line && b.line ? a.line === b.line : ta.size > 0 && similarity === 1;
    if (!(sameType || sharedCollections.length > 0 || sameLine || similarity >= minSimilarity)) return null;
    const cell = paths.get(a.id)?.get(b.id);
    let path: UpgradePath | null = null;
    if (cell && cell.days.length >= minPaths) {
      const counts = buyers.get(a.id)!;
      const censored = counts.observed === 0;
      const upgraded = censored ? cell.days.length : cell.observed;
      const base = censored ? counts.all : counts.observed;
      path = {
        count: cell.days.length,
        buyers: counts.all,
        observedBuyers: counts.observed,
        upgraded,
        share: upgraded / base,
        censored,
        medianDays: median([...cell.days].sort((x, y) => x - y)),
      };
    }
    if (!path && similarity < minSimilarity) return null;
    const priceRatio = a.price > 0 ? b.price / a.price : Number.POSITIVE_INFINITY;
    const score = (path ? wilsonLower(path.upgraded, path.censored ? path.buyers : path.observedBuyers) : 0) + similarityWeight * similarity;
    const explanation = path
      ? `${percent(path.share)} of ${a.title} buyers came back for the ${b.title}, a median ${Math.round(path.medianDays)} days later`
      : `a step up from the ${a.title}: ${sameLine ? "same line" : "similar name"}${Number.isFinite(priceRatio) ? `, ${priceRatio.toFixed(1)}× the price` : ""}`;
    return { productId: b.id, title: b.title, price: b.price, priceRatio, sameType, sharedCollections, sameLine, similarity, path, score, explanation };
  }
}
