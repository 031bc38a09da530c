/**
 * Bundles: the best 2–3 product sets per anchor product, from frequent itemsets, with their historical attach rate
 * and a suggested discount on the add-ons from the what-if economics. Pure.
 *
 * - Sets: frequent itemsets of 2 to `maxSize` (default 3) products mined from the baskets (rules/: FP-growth) in at
 *   least `minCount` orders (default 5; threshold (minCount − ½) / N, as recommend.ts).
 * - For each set S and each anchor a ∈ S, the candidate "a + the rest R": attach rate = n(S) / n(a), the share of
 *   orders with the anchor that also contain all of the rest; lift = n(S) · N / (n(a) · n(R)). Each candidate is
 *   tested like a rule a → R (one-sided Fisher exact test, Benjamini–Hochberg over all candidates, rules/stats.ts); only
 *   significant candidates whose products are all offerable (ACTIVE and available) are suggested.
 * - Order (ADR 025): high lift and low attach first, by `rank` = (1 − attach rate) · (1 − 1/lift₋): the share of anchor
 *   orders that do not take the rest yet (the headroom, and the orders a discount does not subsidise) times the share
 *   of the co-purchase beyond chance (how surely the products go together), lift₋ being the lift at the conservative
 *   count n(S) − 1.645·√n(S) (bundleRank). Pairs come before larger sets (one add-on: the launch's what-if is per
 *   add-on, and a pair's evidence is the firmest), then rank, count, ids. `perAnchor` (default 3) kept per anchor;
 *   the list is in that order across anchors.
 * - Discount, when every product's unit cost is known: the what-if's choice (impact/what-if.ts chooseBundleDiscount)
 *   for "d off the rest when bought with the anchor": the discount on a grid of 5 % to 30 % (never below the rest's
 *   cost) with the largest expected incremental margin per anchor order, the attach rate rising a₀ · (1 + ε · d) with
 *   ε uniform in a stated range (default 0.5 to 3, the what-if's); 0 when none pays. `economics` carries the break-even
 *   and the assumption in words. Unknown cost: null (no suggestion rather than a guess). `bundlePrice` = the anchor's
 *   price + the rest's price · (1 − d), rounded to the minor unit.
 */
import { isOfferable, type Basket, type ProductMap } from "./baskets";
import { benjaminiHochberg, compareText, encodeTransactions, fisherGreaterLogP, frequentItemsets, type FrequentItemset } from "./rules";
import { chooseBundleDiscount, type DiscountChoice } from "./impact/what-if";
import { percent } from "./upgrades";

export interface BundleOptions {
  minCount?: number;
  maxSize?: number;
  alpha?: number;
  perAnchor?: number;
  /** Only bundles of this anchor. */
  anchor?: string;
  /** The elasticity range of the discount's economics (default 0.5 to 3). */
  elasticity?: { low: number; high: number };
}

export interface Bundle {
  anchor: string;
  /** The anchor first, then the rest in id order. */
  items: string[];
  /** Orders containing the whole set, and the anchor. */
  count: number;
  anchorCount: number;
  attachRate: number;
  lift: number;
  pValue: number;
  qValue: number;
  /** Sum of one unit of each product, minor units. */
  price: number;
  /** Sum of unit costs, or null when any is unknown. */
  cost: number | null;
  /** Suggested discount on the add-ons in percent (0, 5, …, 30), or null without costs. */
  discountPercent: number | null;
  bundlePrice: number | null;
  /** (1 − attach rate) · (1 − 1/lift): high lift, low attach first (absent in older snapshots). */
  rank?: number;
  /** The what-if economics behind discountPercent: break-even and the assumption (null without costs). */
  economics?: DiscountChoice | null;
  explanation: string;
}

/**
 * The order of bundle ideas: high lift and low attach first (see the header). With `count`, the lift is taken at a
 * conservative count, count − 1.645·√count (a one-sided 95 % Poisson margin), so a set seen in a handful of orders does
 * not outrank a well-evidenced pair on a lucky lift.
 */
export function bundleRank(attachRate: number, lift: number, count?: number): number {
  const shrunk = count === undefined ? lift : (lift * Math.max(0, count - 1.645 * Math.sqrt(count))) / count;
  return (1 - attachRate) * (shrunk > 1 ? 1 - 1 / shrunk : 0);
}

export function suggestBundles(baskets: readonly Basket[], products: ProductMap, options: BundleOptions = {}): Bundle[] {
  const minCount = options.minCount ?? 5;
  const maxSize = options.maxSize ?? 3;
  const alpha = options.alpha ?? 0.05;
  const perAnchor = options.perAnchor ?? 3;
  if (!Number.isInteger(minCount) || minCount < 1) throw new RangeError(`minCount must be an integer ≥ 1, got ${minCount}`);
  if (!Number.isInteger(maxSize) || maxSize < 2) throw new RangeError(`maxSize must be an integer ≥ 2, got ${maxSize}`);
  const tx = encodeTransactions(baskets.map((b) => b.items));
  if (tx.n === 0) return [];
  const mined = frequentItemsets(tx, { minSupport: Math.min(1, (minCount - 0.5) / tx.n), maxSize });
  const index = new Map<string, FrequentItemset>(mined.itemsets.map((s) => [s.items.join(","), s]));

  interface Candidate {
    anchor: number;
    set: FrequentItemset;
    rest: FrequentItemset;
    logP: number;
  }
  const candidates: Candidate[] = [];
  for (const set of mined.itemsets) {
    if (set.items.length < 2) continue;
    for (const anchor of set.items) {
      const rest = index.get(set.items.filter((g) => g !== anchor).join(","))!;
      const anchorSet = index.get(String(anchor))!;
      candidates.push({ anchor, set, rest, logP: fisherGreaterLogP(set.count, tx.n, rest.count, anchorSet.count) });
    }
  }
  const q = benjaminiHochberg(candidates.map((c) => c.logP));
  const byAnchor = new Map<string, Bundle[]>();
  candidates.forEach((c, i) => {
    const anchorId = tx.names[c.anchor]!;
    if (options.anchor !== undefined && anchorId !== options.anchor) return;
    if (!(q[i]! <= alpha)) return;
    const restIds = c.rest.items.map((g) => tx.names[g]!).sort(compareText);
    const ids = [anchorId, ...restIds];
    if (!ids.every((id) => isOfferable(products.get(id)))) return;
    const anchorCount = tx.itemCounts[c.anchor]!;
    let price = 0;
    let cost: number | null = 0;
    let restPrice = 0;
    let restCost: number | null = 0;
    for (const id of ids) {
      const p = products.get(id)!;
      const unitCost = p.unitCost === null || p.unitCost === undefined ? null : p.unitCost;
      price += p.price;
      cost = cost === null || unitCost === null ? null : cost + unitCost;
      if (id === anchorId) continue;
      restPrice += p.price;
      restCost = restCost === null || unitCost === null ? null : restCost + unitCost;
    }
    const attachRate = c.set.count / anchorCount;
    const lift = (c.set.count * tx.n) / (anchorCount * c.rest.count);
    const economics =
      cost === null || restCost === null || !(restPrice > 0) ? null : chooseBundleDiscount({ attachRate, addOnPrice: restPrice, addOnUnitCost: restCost, ...(options.elasticity ? { elasticity: options.elasticity } : {}) });
    const discountPercent = economics === null ? null : Math.round(economics.discount * 100);
    const title = (id: string) => products.get(id)?.title ?? id;
    const bundle: Bundle = {
      anchor: anchorId,
      items: ids,
      count: c.set.count,
      anchorCount,
      attachRate,
      lift,
      pValue: Math.exp(c.logP),
      qValue: q[i]!,
      price,
      cost,
      discountPercent,
      bundlePrice: discountPercent === null ? null : Math.round(price - (restPrice * discountPercent) / 100),
      rank: bundleRank(attachRate, lift, c.set.count),
      economics,
      explanation: `${percent(attachRate)} of orders with the ${title(anchorId)} also have the ${restIds.map(title).join(" and the ")} (${c.set.count.toLocaleString("en-US")} orders)`,
    };
    let list = byAnchor.get(anchorId);
    if (!list) byAnchor.set(anchorId, (list = []));
    list.push(bundle);
  });
  const order = (x: Bundle, y: Bundle) => x.items.length - y.items.length || y.rank! - x.rank! || y.count - x.count || compareText(x.items.join(","), y.items.join(","));
  const out: Bundle[] = [];
  for (const list of byAnchor.values()) {
    list.sort(order);
    out.push(...list.slice(0, perAnchor));
  }
  return out.sort(order);
}
