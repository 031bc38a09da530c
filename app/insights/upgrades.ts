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
 * Baseline (ADR 025): a popular pricier product is bought later by many customers whatever they bought first, so a share
 * alone makes it look like an upgrade of everything. Beside the share stands how often COMPARABLE customers who did not
 * buy A bought B: registered customers who bought a product of A's type (any product when A has none) but never A,
 * counted from their first purchase of that type, over the same window and with the same censoring rule; the share
 * of them who first bought B in a later order within the window is the baseline, and lift = share / baseline. With at
 * least `minComparable` (default 10) such customers, a B that is not of A's line counts its path as evidence only when
 * the share is significantly above the baseline (one-sided Fisher exact test of the 2 × 2 table A's buyers vs
 * comparable customers × bought B or not, p ≤ `alpha`, default 0.05), and then scores the Wilson lower bound LESS the
 * baseline; a path at the baseline scores nothing (the candidate stays only on title similarity). A tier step of A's
 * own line (sameLine) is a step up by the catalog's structure: its path stays evidence and scores as before, with its
 * lift shown beside the share. With fewer comparable customers there is no baseline.
 *
 * Score = Wilson lower bound (95 %, one-sided) of the share [− baseline] + similarityWeight (default 0.1) × similarity:
 * observed behaviour dominates once there are buyers enough, and the similarity ranks candidates without history. Ties by price
 * (the nearer step up first), then id. Explanations: "12 % of VietBook 14 buyers came back for the VietBook 14 Pro, a
 * median 160 days later", or, without paths, "a step up from the VietBook 14: same line, 1.6× the price".
 */
import { isOfferable, type Basket, type InsightProduct, type ProductMap } from "./baskets";
import { compareText, fisherGreaterLogP, wilsonLower } from "./rules";
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
  /** Fewest comparable non-buyers of A for a baseline (default 10). */
  minComparable?: number;
  /** Significance of "share above the baseline" (default 0.05). */
  alpha?: number;
}

/** How often comparable customers who did not buy A bought B (see the header). */
export interface UpgradeBaseline {
  /** Comparable customers who never bought A (window observed, or all of them when the path is censored). */
  customers: number;
  /** Of them, those who first bought B in a later order within the window. */
  bought: number;
  share: number;
  /** The path's share / this share (null when no comparable customer bought B). */
  lift: number | null;
  /** One-sided Fisher exact p-value of "A's buyers come back for B more often than comparable customers". */
  pValue: number;
  /** p ≤ alpha: the path counts as evidence of an upgrade. */
  aboveBaseline: boolean;
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
  /** The path against comparable non-buyers of A; null without a path or without comparable customers enough. */
  baseline?: UpgradeBaseline | null;
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
  const minComparable = options.minComparable ?? 10;
  const alpha = options.alpha ?? 0.05;

  // Comparable customers (the baseline): each customer's first purchase of each product type ("*": of anything), and
  // per (type, B) how many of the type's customers first bought B in a later order within the window, all and
  // observed (first purchase of the type + window ≤ asOf).
  const typeOf = (id: string) => products.get(id)?.productType.trim() ?? "";
  const groupOf = (id: string) => typeOf(id) || "*";
  const customers = [...firstPurchases(baskets).values()];
  const refTimes = customers.map((firsts) => {
    const ref = new Map<string, number>();
    for (const [item, t] of firsts) {
      for (const g of typeOf(item) ? [typeOf(item), "*"] : ["*"]) {
        const seen = ref.get(g);
        if (seen === undefined || t < seen) ref.set(g, t);
      }
    }
    return ref;
  });
  const groupCustomers = new Map<string, { all: number; observed: number }>();
  const groupBought = new Map<string, Map<string, { all: number; observed: number }>>();
  const customersOf = new Map<string, number[]>();
  customers.forEach((firsts, c) => {
    for (const item of firsts.keys()) {
      let list = customersOf.get(item);
      if (!list) customersOf.set(item, (list = []));
      list.push(c);
    }
    for (const [g, t0] of refTimes[c]!) {
      const old = t0 + windowMs <= asOf;
      const n = groupCustomers.get(g) ?? { all: 0, observed: 0 };
      n.all++;
      if (old) n.observed++;
      groupCustomers.set(g, n);
      let row = groupBought.get(g);
      if (!row) groupBought.set(g, (row = new Map()));
      for (const [b, tb] of firsts) {
        if (!(tb > t0 && tb - t0 <= windowMs)) continue;
        const x = row.get(b) ?? { all: 0, observed: 0 };
        x.all++;
        if (old) x.observed++;
        row.set(b, x);
      }
    }
  });
  /** A's own buyers within its group's counts, to be taken out: comparable customers never bought A. */
  const ownCounts = (a: string) => {
    const g = groupOf(a);
    const n = { all: 0, observed: 0 };
    const bought = new Map<string, { all: number; observed: number }>();
    for (const c of customersOf.get(a) ?? []) {
      const t0 = refTimes[c]!.get(g)!;
      const old = t0 + windowMs <= asOf;
      n.all++;
      if (old) n.observed++;
      for (const [b, tb] of customers[c]!) {
        if (!(tb > t0 && tb - t0 <= windowMs)) continue;
        const x = bought.get(b) ?? { all: 0, observed: 0 };
        x.all++;
        if (old) x.observed++;
        bought.set(b, x);
      }
    }
    return { g, n, bought };
  };
  let own: ReturnType<typeof ownCounts> | null = null;
  let ownOf = "";

  // Paths: per (A, B), the customers' delays and whether A's window had ended; per A, buyers and observed buyers.
  const buyers = new Map<string, { all: number; observed: number }>();
  const paths = new Map<string, Map<string, { days: number[]; observed: number }>>();
  for (const firsts of customers) {
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
    let baseline: UpgradeBaseline | null = null;
    if (path) {
      if (ownOf !== a.id) {
        own = ownCounts(a.id);
        ownOf = a.id;
      }
      const mine = own!;
      const key = path.censored ? "all" : "observed";
      const comparable = (groupCustomers.get(mine.g)?.[key] ?? 0) - mine.n[key];
      const bought = (groupBought.get(mine.g)?.get(b.id)?.[key] ?? 0) - (mine.bought.get(b.id)?.[key] ?? 0);
      if (comparable >= minComparable) {
        const base = path.censored ? path.buyers : path.observedBuyers;
        const share = bought / comparable;
        const pValue = Math.exp(fisherGreaterLogP(path.upgraded, base + comparable, path.upgraded + bought, base));
        baseline = { customers: comparable, bought, share, lift: share > 0 ? path.share / share : null, pValue, aboveBaseline: pValue <= alpha };
      }
    }
    // A tier step of the same line is a step up by the catalog's own structure: its path stays evidence, shown with its
    // lift. Any other pricier product of the type must beat the comparable customers to count, and scores its excess.
    const evidence = path !== null && (baseline === null || sameLine || baseline.aboveBaseline);
    if (!evidence && similarity < minSimilarity) return null;
    const priceRatio = a.price > 0 ? b.price / a.price : Number.POSITIVE_INFINITY;
    const wilson = path ? wilsonLower(path.upgraded, path.censored ? path.buyers : path.observedBuyers) : 0;
    const behaviour = !evidence ? 0 : baseline && !sameLine ? Math.max(0, wilson - baseline.share) : wilson;
    const score = behaviour + similarityWeight * similarity;
    const explanation = evidence
      ? `${percent(path!.share)} of ${a.title} buyers came back for the ${b.title}, a median ${Math.round(path!.medianDays)} days later`
      : `a step up from the ${a.title}: ${sameLine ? "same line" : "similar name"}${Number.isFinite(priceRatio) ? `, ${priceRatio.toFixed(1)}× the price` : ""}`;
    return { productId: b.id, title: b.title, price: b.price, priceRatio, sameType, sharedCollections, sameLine, similarity, path, baseline, score, explanation };
  }
}
