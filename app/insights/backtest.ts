/**
 * Offline backtest of the recommender (recommend.ts) against a popularity baseline. Pure.
 *
 * - Learn from the baskets created strictly before `cutoff`; evaluate on the baskets created at or after it that hold
 *   at least two products.
 * - Leave one out, every item in turn: for a basket of n items there are n cases; in each, one item is hidden and the
 *   k recommendations for the other n − 1 (the cart, recommendFor) are compared with it. No randomness.
 * - Per case there is one relevant item, so with r its rank in the list (∞ when absent):
 *     hit-rate@k   = share of cases with r ≤ k;
 *     precision@k  = hits / (cases · k)  (a list shorter than k still counts k slots);
 *     MAP@k        = mean of 1/r over cases (0 when r > k): the average precision of one relevant item is 1/r.
 * - Baseline: the k products most often bought before the cutoff, skipping those in the cart.
 * - `coverage`: share of cases whose hidden item was bought before the cutoff at all (no learner can hit the others).
 * Without a product map every product counts as offerable and has no type (so step (b) of the chain is empty).
 */
import { isOfferable, type Basket, type ProductMap } from "./baskets";
import { buildRecommender, type RecommendationSource, type RecommenderOptions } from "./recommend";

export interface BacktestOptions {
  cutoff: number | Date;
  k?: number;
  /** Fewest orders a pair needs to be learnt (default 5). */
  minCount?: number;
  alpha?: number;
  diversify?: boolean;
  products?: ProductMap;
}

export interface Metrics {
  cases: number;
  hits: number;
  hitRate: number;
  precision: number;
  map: number;
}

export interface BacktestResult {
  cutoff: number;
  k: number;
  trainBaskets: number;
  testBaskets: number;
  coverage: number;
  model: Metrics & { hitsBySource: Record<RecommendationSource, number> };
  popularity: Metrics;
  rules: { productRules: number; significantProductRules: number; typeRules: number; significantTypeRules: number };
}

function metrics(cases: number, hits: number, reciprocal: number, k: number): Metrics {
  return {
    cases,
    hits,
    hitRate: cases > 0 ? hits / cases : 0,
    precision: cases > 0 ? hits / (cases * k) : 0,
    map: cases > 0 ? reciprocal / cases : 0,
  };
}

export function backtest(baskets: readonly Basket[], options: BacktestOptions): BacktestResult {
  const cutoff = typeof options.cutoff === "number" ? options.cutoff : options.cutoff.getTime();
  if (!Number.isFinite(cutoff)) throw new RangeError("cutoff must be a valid time");
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be an integer ≥ 1, got ${k}`);
  const train = baskets.filter((b) => b.createdAt < cutoff);
  const test = baskets.filter((b) => b.createdAt >= cutoff && b.items.length >= 2);
  const products = options.products;
  const recommenderOptions: RecommenderOptions = { minCount: options.minCount, alpha: options.alpha, diversify: options.diversify };
  if (!products) {
    recommenderOptions.offerable = () => true;
    recommenderOptions.groupOf = () => null;
  }
  const model = buildRecommender(train, products ?? new Map(), recommenderOptions);
  const offerable = products ? (id: string) => isOfferable(products.get(id)) : () => true;
  const seen = new Set<string>();
  for (const b of train) for (const item of b.items) seen.add(item);
  const popular = model.bestsellers.filter(offerable);

  let cases = 0;
  let covered = 0;
  let hits = 0;
  let reciprocal = 0;
  let baseHits = 0;
  let baseReciprocal = 0;
  const hitsBySource: Record<RecommendationSource, number> = { "co-purchase": 0, "complementary-type": 0, bestseller: 0 };
  const context: string[] = [];
  for (const basket of test) {
    for (let h = 0; h < basket.items.length; h++) {
      const hidden = basket.items[h]!;
      context.length = 0;
      for (let j = 0; j < basket.items.length; j++) if (j !== h) context.push(basket.items[j]!);
      cases++;
      if (seen.has(hidden)) covered++;
      const list = model.recommendFor(context, k);
      const rank = list.findIndex((r) => r.productId === hidden);
      if (rank >= 0) {
        hits++;
        reciprocal += 1 / (rank + 1);
        hitsBySource[list[rank]!.source]++;
      }
      // Baseline: the first k best sellers not in the cart.
      let shown = 0;
      for (const id of popular) {
        if (shown >= k) break;
        if (context.includes(id)) continue;
        shown++;
        if (id === hidden) {
          baseHits++;
          baseReciprocal += 1 / shown;
          break;
        }
      }
    }
  }
  const { baskets: _n, ...rules } = model.stats;
  return {
    cutoff,
    k,
    trainBaskets: train.length,
    testBaskets: test.length,
    coverage: cases > 0 ? covered / cases : 0,
    model: { ...metrics(cases, hits, reciprocal, k), hitsBySource },
    popularity: metrics(cases, baseHits, baseReciprocal, k),
    rules,
  };
}
