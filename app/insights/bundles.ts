/**
 * Bundles: the best 2–3 product sets per anchor product, from frequent itemsets, with their historical attach rate
 * and a suggested discount depth. Pure.
 *
 * - Sets: frequent itemsets of 2 to `maxSize` (default 3) products mined from the baskets (rules/: FP-growth) in at
 *   least `minCount` orders (default 5; threshold (minCount − ½) / N, as recommend.ts).
 * - For each set S and each anchor a ∈ S, the candidate "a + the rest R": attach rate = n(S) / n(a), the share of
 *   orders with the anchor that also contain all of the rest; lift = n(S) · N / (n(a) · n(R)). Each candidate is
 *   tested like a rule a → R (one-sided Fisher exact test, Benjamini–Hochberg over all candidates, rules/stats.ts); only
 *   significant candidates whose products are all offerable (ACTIVE and available) are suggested.
 * - Order per anchor: attach rate, then count, then fewer items, then ids; `perAnchor` (default 3) kept.
 * - Discount depth, when every product's unit cost is known: half the bundle's margin, at most 20 %, rounded DOWN to a
 *   multiple of 5 % (so it never exceeds half the margin): depth = 5 % · min(4, floor(10 · (price − cost) / price)),
 *   price and cost summed over one unit of each product; 0 when the margin is under 10 %. Unknown cost: null (no
 *   suggestion rather than a guess). `bundlePrice` = price · (1 − depth), rounded to the minor unit.
 */
import { isOfferable, type Basket, type ProductMap } from "./baskets";
import { benjaminiHochberg, compareText, encodeTransactions, fisherGreaterLogP, frequentItemsets, type FrequentItemset } from "./rules";
import { percent } from "./upgrades";

export interface BundleOptions {
  minCount?: number;
  maxSize?: number;
  alpha?: number;
  perAnchor?: number;
  /** Only bundles of this anchor. */
  anchor?: string;
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
  /** Suggested discount in percent (0, 5, …, 20), or null without costs. */
  discountPercent: number | null;
  bundlePrice: number | null;
  explanation: string;
}

/** Suggested discount percent for a bundle of this price and cost (see the header). */
export function bundleDiscount(price: number, cost: number): number {
  if (!(price > 0) || cost >= price) return 0;
  return 5 * Math.min(4, Math.floor(((price - cost) * 10) / price));
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
    for (const id of ids) {
      const p = products.get(id)!;
      price += p.price;
      cost = cost === null || p.unitCost === null || p.unitCost === undefined ? null : cost + p.unitCost;
    }
    const discountPercent = cost === null ? null : bundleDiscount(price, cost);
    const attachRate = c.set.count / anchorCount;
    const title = (id: string) => products.get(id)?.title ?? id;
    const bundle: Bundle = {
      anchor: anchorId,
      items: ids,
      count: c.set.count,
      anchorCount,
      attachRate,
      lift: (c.set.count * tx.n) / (anchorCount * c.rest.count),
      pValue: Math.exp(c.logP),
      qValue: q[i]!,
      price,
      cost,
      discountPercent,
      bundlePrice: discountPercent === null ? null : Math.round((price * (100 - discountPercent)) / 100),
      explanation: `${percent(attachRate)} of orders with the ${title(anchorId)} also have the ${restIds.map(title).join(" and the ")} (${c.set.count.toLocaleString("en-US")} orders)`,
    };
    let list = byAnchor.get(anchorId);
    if (!list) byAnchor.set(anchorId, (list = []));
    list.push(bundle);
  });
  const out: Bundle[] = [];
  for (const anchor of [...byAnchor.keys()].sort(compareText)) {
    const list = byAnchor.get(anchor)!;
    list.sort((x, y) => y.attachRate - x.attachRate || y.count - x.count || x.items.length - y.items.length || compareText(x.items.join(","), y.items.join(",")));
    out.push(...list.slice(0, perAnchor));
  }
  return out;
}
