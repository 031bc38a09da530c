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
import { easeItems, fitEase, fitEaseOnGram, gram, type EaseModel } from "./ease";
import { buildRecommender, type CandidateScorer, type RecommendationSource, type Recommender, type RecommenderOptions } from "./recommend";

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

// ---------------------------------------------------------------------------------------------------------------------
// Two tasks, several rankers, and the shop's choice of ranker (ADR 025).

/** A ranker as the two-task backtest sees it: up to k products for a context, best first, none of the context. */
export interface ListRanker {
  name: string;
  label: string;
  list(context: readonly string[], k: number): string[];
}

export interface TaskMetrics {
  /** Cases (one per hidden item, or per anchor) and the test baskets they come from. */
  cases: number;
  baskets: number;
  hits5: number;
  hits10: number;
  hitRate5: number;
  hitRate10: number;
  /** Mean of 1/rank of the first relevant product within the first 10 (0 when none). */
  mrr10: number;
  /** Binomial standard error of hitRate5, √(p(1 − p)/cases): cases taken as independent. */
  se5: number;
  /** The same, clustered by basket (a basket's cases share a shopper): the honest one, usually larger. */
  clusteredSe5: number;
}

export interface RankerTasks {
  name: string;
  label: string;
  /** Cart completion: each item of a test basket hidden in turn, the rest is the cart. */
  cart: TaskMetrics;
  /** Single anchor (the product page): each item alone is the anchor, a hit when the list holds another of its basket's items. */
  anchor: TaskMetrics;
}

class Tally {
  cases = 0;
  baskets = 0;
  hits5 = 0;
  hits10 = 0;
  reciprocal = 0;
  // Per basket: Σ (h_b − p · m_b)² needs p, so keep (hits, cases) per basket.
  perBasket: number[] = [];
  add(rank: number) {
    this.cases++;
    if (rank <= 5) this.hits5++;
    if (rank <= 10) {
      this.hits10++;
      this.reciprocal += 1 / rank;
    }
  }
  result(): TaskMetrics {
    const n = this.cases;
    const p = n > 0 ? this.hits5 / n : 0;
    let ss = 0;
    for (let i = 0; i < this.perBasket.length; i += 2) {
      const d = this.perBasket[i]! - p * this.perBasket[i + 1]!;
      ss += d * d;
    }
    return {
      cases: n,
      baskets: this.baskets,
      hits5: this.hits5,
      hits10: this.hits10,
      hitRate5: p,
      hitRate10: n > 0 ? this.hits10 / n : 0,
      mrr10: n > 0 ? this.reciprocal / n : 0,
      se5: n > 0 ? Math.sqrt((p * (1 - p)) / n) : 0,
      clusteredSe5: n > 0 ? Math.sqrt(ss) / n : 0,
    };
  }
}

/**
 * Both tasks for every ranker on the test baskets (those with ≥ 2 distinct products). Lists of 10 are asked for once
 * per case and HR@5 read from their first 5 (every ranker here returns a best-first prefix-consistent list).
 * Single-anchor lists depend on the anchor only, so each anchor's list is asked for once.
 */
export function evaluateTasks(test: readonly Basket[], rankers: readonly ListRanker[]): RankerTasks[] {
  const baskets = test.map((b) => [...new Set(b.items)]).filter((items) => items.length >= 2);
  return rankers.map((ranker) => {
    const cart = new Tally();
    const anchor = new Tally();
    const byAnchor = new Map<string, string[]>();
    const context: string[] = [];
    for (const items of baskets) {
      let cartHits = 0;
      let anchorHits = 0;
      for (let h = 0; h < items.length; h++) {
        const hidden = items[h]!;
        context.length = 0;
        for (let j = 0; j < items.length; j++) if (j !== h) context.push(items[j]!);
        const list = ranker.list(context, 10);
        const r = list.indexOf(hidden);
        const rank = r < 0 ? Infinity : r + 1;
        cart.add(rank);
        if (rank <= 5) cartHits++;

        let single = byAnchor.get(hidden);
        if (!single) byAnchor.set(hidden, (single = ranker.list([hidden], 10)));
        let first = Infinity;
        for (let i = 0; i < single.length; i++) {
          if (single[i] !== hidden && items.includes(single[i]!)) {
            first = i + 1;
            break;
          }
        }
        anchor.add(first);
        if (first <= 5) anchorHits++;
      }
      cart.baskets++;
      anchor.baskets++;
      cart.perBasket.push(cartHits, items.length);
      anchor.perBasket.push(anchorHits, items.length);
    }
    return { name: ranker.name, label: ranker.label, cart: cart.result(), anchor: anchor.result() };
  });
}

/** Best sellers of the training baskets (created at or after `since`, when given), ties by id. */
export function popularityRanker(train: readonly Basket[], options: { name: string; label: string; since?: number; offerable?: (id: string) => boolean }): ListRanker {
  const counts = new Map<string, number>();
  for (const b of train) {
    if (options.since !== undefined && b.createdAt < options.since) continue;
    for (const item of new Set(b.items)) counts.set(item, (counts.get(item) ?? 0) + 1);
  }
  const offerable = options.offerable ?? (() => true);
  const order = [...counts.entries()]
    .filter(([id]) => offerable(id))
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .map(([id]) => id);
  return {
    name: options.name,
    label: options.label,
    list(context, k) {
      const out: string[] = [];
      for (const id of order) {
        if (out.length >= k) break;
        if (!context.includes(id)) out.push(id);
      }
      return out;
    },
  };
}

/** The recommender (today's ranker, or with a scorer) as a ListRanker. */
export function recommenderRanker(model: Recommender, name: string, label: string, scorer?: CandidateScorer): ListRanker {
  return { name, label, list: (context, k) => model.recommendFor(context, k, scorer).map((r) => r.productId) };
}

/** EASE's scores as a CandidateScorer for the recommender (products outside the model: NaN, i.e. unscored). */
export function easeScorer(model: EaseModel): CandidateScorer {
  return (context) => {
    const s = model.scores(context);
    return (id) => {
      const j = model.index.get(id);
      return j === undefined ? Number.NaN : s[j]!;
    };
  };
}

/** λ values tried on the validation slice. */
export const EASE_LAMBDAS = [5, 20, 80, 300, 1000] as const;

/**
 * λ for EASE, chosen on a validation slice of the training period: fit on its first part, score cart completion
 * (HR@5, then MRR) on its last `share` of baskets (at most `maxBaskets`, the latest), largest λ on ties. Never looks
 * at the test period.
 */
export function chooseLambda(
  train: readonly Basket[],
  options: { lambdas?: readonly number[]; maxItems?: number; share?: number; maxBaskets?: number; offerable?: (id: string) => boolean } = {},
): { lambda: number; validation: { lambda: number; hitRate5: number; mrr10: number }[] } {
  const lambdas = options.lambdas ?? EASE_LAMBDAS;
  const sorted = [...train].sort((a, b) => a.createdAt - b.createdAt);
  const at = Math.floor(sorted.length * (1 - (options.share ?? 0.2)));
  const fitOn = sorted.slice(0, at).map((b) => b.items);
  const check = sorted.slice(at).slice(-(options.maxBaskets ?? 1000));
  const items = easeItems(fitOn, options.maxItems ?? 1000);
  const G = gram(fitOn, new Map(items.map((id, i) => [id, i])));
  const validation = lambdas.map((lambda) => {
    const model = fitEaseOnGram(G, items, lambda);
    const ranker: ListRanker = { name: "ease", label: "EASE", list: (context, k) => model.top(context, k, options.offerable) };
    const { cart } = evaluateTasks(check, [ranker])[0]!;
    return { lambda, hitRate5: cart.hitRate5, mrr10: cart.mrr10 };
  });
  const best = [...validation].sort((x, y) => y.hitRate5 - x.hitRate5 || y.mrr10 - x.mrr10 || y.lambda - x.lambda)[0];
  return { lambda: best?.lambda ?? lambdas[lambdas.length - 1] ?? 100, validation };
}

export type RankerName = "rules" | "ease";

export const RANKER_LABEL: Record<RankerName, string> = { rules: "co-purchase confidence", ease: "EASE" };

export interface RankerChoice {
  /** The product page (one anchor): the ranker of the stored per-product suggestions. */
  anchor: RankerName;
  /** A cart of several products. */
  cart: RankerName;
  /** For the merchant: which ranker and why ("ranked by … because its backtest HR@5 was … vs …"). */
  reason: string;
  lambda: number | null;
  easeItems: number;
  cutoff: number | null;
  trainBaskets: number;
  testBaskets: number;
  /** Every ranker's figures on both tasks (null when there was too little data to backtest). */
  results: RankerTasks[] | null;
}

export interface ChooseRankerOptions {
  recommender?: RecommenderOptions;
  /** Share of the baskets (the latest) held out as the test period (default 0.2). */
  testShare?: number;
  /** Most cart-completion cases scored (the latest baskets; default 20,000): bounds the recompute's time on big shops. */
  maxTestCases?: number;
  /** Most items in EASE (default 1,000). */
  maxItems?: number;
  lambdas?: readonly number[];
  /** Fewest training baskets and fewest cases per task for the backtest to decide (defaults 200 and 300). */
  minTrainBaskets?: number;
  minCases?: number;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/**
 * The shop's rankers, chosen by its own backtest: learn before the latest `testShare` of its baskets, evaluate both
 * tasks on the rest. For each task, EASE ranks the admitted candidates when, with data enough (≥ minTrainBaskets
 * learnt, ≥ minCases cases), its HR@5 beats today's; otherwise today's ranker (also the fallback without data).
 */
export function chooseRanker(baskets: readonly Basket[], products: ProductMap, options: ChooseRankerOptions = {}): RankerChoice {
  const minTrain = options.minTrainBaskets ?? 200;
  const minCases = options.minCases ?? 300;
  const maxItems = options.maxItems ?? 1000;
  const maxCases = options.maxTestCases ?? 20_000;
  const sorted = [...baskets].sort((a, b) => a.createdAt - b.createdAt);
  const at = Math.floor(sorted.length * (1 - (options.testShare ?? 0.2)));
  const cutoff = sorted[at]?.createdAt ?? null;
  const train = cutoff === null ? sorted : sorted.filter((b) => b.createdAt < cutoff);
  const later = cutoff === null ? [] : sorted.filter((b) => b.createdAt >= cutoff && new Set(b.items).size >= 2);
  const test: Basket[] = [];
  let cases = 0;
  for (let i = later.length - 1; i >= 0 && cases < maxCases; i--) {
    test.push(later[i]!);
    cases += new Set(later[i]!.items).size;
  }
  test.reverse();
  const none = (reason: string): RankerChoice => ({ anchor: "rules", cart: "rules", reason, lambda: null, easeItems: 0, cutoff, trainBaskets: train.length, testBaskets: test.length, results: null });
  if (train.length < minTrain || cases < minCases) {
    return none(`Ranked by co-purchase confidence (today's ranker): too little history for a backtest (${train.length} orders to learn from, ${cases} test cases; needs ${minTrain} and ${minCases}).`);
  }
  const offerable = (id: string) => isOfferable(products.get(id));
  const { lambda } = chooseLambda(train, { lambdas: options.lambdas, maxItems, offerable });
  const ease = fitEase(
    train.map((b) => b.items),
    { lambda, maxItems },
  );
  const rules = buildRecommender(train, products, options.recommender ?? {});
  const last = train[train.length - 1]!.createdAt;
  const results = evaluateTasks(test, [
    recommenderRanker(rules, "rules", "co-purchase confidence (today)"),
    recommenderRanker(rules, "ease", "EASE over the admitted pairs", easeScorer(ease)),
    popularityRanker(train, { name: "popular", label: "best sellers, all time", offerable }),
    popularityRanker(train, { name: "popular-30d", label: "best sellers, last 30 days", since: last - 30 * 86_400_000, offerable }),
  ]);
  const today = results[0]!;
  const eased = results[1]!;
  const anchor: RankerName = eased.anchor.hitRate5 > today.anchor.hitRate5 ? "ease" : "rules";
  const cart: RankerName = eased.cart.hitRate5 > today.cart.hitRate5 ? "ease" : "rules";
  const because = (task: "anchor" | "cart", chosen: RankerName) => {
    const [mine, other] = chosen === "ease" ? [eased[task], today[task]] : [today[task], eased[task]];
    const otherName = RANKER_LABEL[chosen === "ease" ? "rules" : "ease"];
    return `ranked by ${RANKER_LABEL[chosen]} because its backtest HR@5 was ${pct(mine.hitRate5)} vs ${pct(other.hitRate5)} for ${otherName}`;
  };
  const reason =
    `Product pages ${because("anchor", anchor)}; carts ${because("cart", cart)} ` +
    `(learnt from ${train.length.toLocaleString("en-US")} orders, tested on the next ${test.length.toLocaleString("en-US")} with 2+ products).`;
  return { anchor, cart, reason, lambda, easeItems: ease.items.length, cutoff, trainBaskets: train.length, testBaskets: test.length, results };
}
