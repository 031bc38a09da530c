/**
 * Cross-sell recommendations for an anchor product (or a cart of several), with a cold-start chain. Pure.
 *
 * From the baskets (baskets.ts) the recommender learns, once:
 *   (a) co-purchase pair rules A → c on products (rules/: FP-growth, Fisher + Benjamini–Hochberg). Only rules marked
 *       `significant` are ever shown: a pair that co-occurs no more than chance allows is noise, whatever its count.
 *       Explanation: "bought together in 412 orders — 4.1× more than chance" (count and lift of the rule).
 *   (b) complementary groups: the same miner on the same baskets mapped to product types ("Laptop → Mouse"), again
 *       significant rules only; a type's products are offered by their order count (its best sellers).
 *       Explanation: "shoppers who buy Laptops often add Mice".
 *   (c) best sellers of the whole shop, by order count. Explanation: "a bestseller — in 1,234 orders".
 * For a request, (a) fills the list first, then (b), then (c), without repeats; every recommendation carries its
 * `source` and explanation. Products that are not offerable (not ACTIVE, or out of stock: baskets.ts isOfferable) and
 * the anchors themselves are never recommended.
 *
 * Order within (a): with `diversify` (default) the candidates are grouped by product type, the types ordered by how
 * often the anchor's orders contain that type (the anchor's attach rate to the type; several anchors: the largest),
 * and taken round-robin, best first within a type (by confidence, then count): a laptop gets a mouse, a bag and a
 * warranty before a second mouse. Without it, by confidence then count. Within (b): types by the type rule's
 * confidence, round-robin over their best sellers.
 *
 * With a `CandidateScorer` (e.g. EASE, ease.ts; ADR 025) the candidates of (a) are ordered by its score instead of by
 * confidence (within each type lane, the lanes still in the same order): the significance gate still decides which
 * candidates exist and the explanation still cites the best rule's count and lift.
 *
 * `minCount` (default 5) is the fewest orders a pair must share to be mined at all; it becomes the miner's exact
 * support threshold as (minCount − ½) / N, whose ceiling · N is minCount whatever the decimal rounding.
 */
import { groupBaskets, isOfferable, type Basket, type ProductMap } from "./baskets";
import { associationRules, compareText, encodeTransactions, type AssociationRule } from "./rules";

export type RecommendationSource = "co-purchase" | "complementary-type" | "bestseller";

export interface Recommendation {
  productId: string;
  source: RecommendationSource;
  /** One line a shopper or merchant can read. */
  explanation: string;
  /** Ranking score within its source: the rule's confidence (a), the type rule's confidence (b), orders (c). */
  score: number;
  evidence: {
    /** (a) the anchor the rule starts from; (b) the anchor's type and the complementary type. */
    anchor?: string;
    count?: number;
    lift?: number;
    confidence?: number;
    qValue?: number;
    fromType?: string;
    toType?: string;
    /** (b), (c): orders containing the product. */
    orders?: number;
  };
}

export interface RecommenderOptions {
  /** Fewest orders a pair (of products, or of types) must share to be mined (default 5). */
  minCount?: number;
  /** False discovery rate of `significant` (default 0.05). */
  alpha?: number;
  /** Round-robin over product types in (a) (default true). */
  diversify?: boolean;
  /** Group of a product for (b) and diversity (default: its productType; null or "" = none). */
  groupOf?: (productId: string) => string | null;
  /** Whether a product may be recommended (default: isOfferable on the product map). */
  offerable?: (productId: string) => boolean;
  /** Rules kept per anchor, best first (default 200): bounds the work per request. */
  maxRulesPerAnchor?: number;
  /**
   * One weight per basket (rules/decayWeights: recent orders count more): confidence and lift of the mined rules use
   * them; significance and `count` stay on whole orders, and a pair is still mined only with ≥ minCount orders' weight.
   */
  weights?: ArrayLike<number>;
}

/**
 * A ranker of the admitted co-purchase candidates (e.g. EASE, ease.ts): for a context, a score per candidate, higher
 * first. NaN means unscored: such candidates follow the scored ones, in today's order (confidence, then count).
 * The significance gate still decides which candidates exist; the explanation still cites the best rule's count and lift.
 */
export type CandidateScorer = (context: readonly string[]) => (productId: string) => number;

export interface Recommender {
  /** Up to k recommendations for one anchor product. */
  recommend(anchorId: string, k: number, scorer?: CandidateScorer): Recommendation[];
  /** Up to k recommendations for a cart (several anchors): none of them is recommended. */
  recommendFor(context: readonly string[], k: number, scorer?: CandidateScorer): Recommendation[];
  /** Offerable products by order count, best first. */
  readonly bestsellers: readonly string[];
  readonly stats: { baskets: number; productRules: number; significantProductRules: number; typeRules: number; significantTypeRules: number };
}

interface PairRule {
  to: string;
  count: number;
  lift: number;
  confidence: number;
  qValue: number;
}

const formatCount = (n: number) => n.toLocaleString("en-US");

/** English plural of a product type's last word: Mouse → Mice, Laptop Bag → Laptop Bags, Warranty → Warranties. */
export function pluralize(name: string): string {
  const match = /^(.*?)([A-Za-z]+)$/.exec(name);
  if (!match) return name;
  const head = match[1] ?? "";
  const word = match[2] ?? "";
  if (word.length > 1 && word === word.toUpperCase()) return `${name}s`; // PC → PCs, SSD → SSDs
  const irregular = IRREGULAR[word.toLowerCase()];
  let plural: string;
  if (irregular) plural = word[0] === word[0]!.toUpperCase() ? irregular[0]!.toUpperCase() + irregular.slice(1) : irregular;
  else if (/[^aeiou]y$/i.test(word)) plural = `${word.slice(0, -1)}ies`;
  else if (/(s|x|z|ch|sh)$/i.test(word)) plural = `${word}es`;
  else plural = `${word}s`;
  return head + plural;
}

const IRREGULAR: Record<string, string> = { mouse: "mice", person: "people", child: "children", man: "men", woman: "women", foot: "feet" };

/** Keeps `list` as the best `k` entries (best first) after offering `entry`. */
function insertTopK<T>(list: T[], entry: T, k: number, cmp: (a: T, b: T) => number): void {
  if (list.length >= k && cmp(entry, list[list.length - 1]!) >= 0) return;
  let i = list.length;
  if (list.length < k) list.push(entry);
  else i = list.length - 1;
  while (i > 0 && cmp(entry, list[i - 1]!) < 0) {
    list[i] = list[i - 1]!;
    i--;
  }
  list[i] = entry;
}

function minSupportFor(minCount: number, n: number): number {
  return Math.min(1, (minCount - 0.5) / n);
}

/**
 * Significant pair rules by antecedent, best first (confidence, then count, then the consequent's id), keeping only
 * consequents `accept`s, at most `keep` per antecedent.
 */
function pairRules(
  transactions: string[][],
  minCount: number,
  alpha: number,
  keep: number,
  accept: (to: string) => boolean = () => true,
  weights?: ArrayLike<number>,
) {
  const by = new Map<string, PairRule[]>();
  const tx = encodeTransactions(transactions);
  if (tx.n === 0) return { by, total: 0, significant: 0 };
  let minSupport = minSupportFor(minCount, tx.n);
  if (weights) {
    if (weights.length !== tx.n) throw new RangeError(`weights: ${weights.length} for ${tx.n} baskets`);
    let total = 0;
    let smallest = Infinity;
    for (let i = 0; i < weights.length; i++) {
      total += weights[i]!;
      smallest = Math.min(smallest, weights[i]!);
    }
    // minCount orders of the lightest weight: a weighted threshold that never drops a pair the unweighted one keeps.
    minSupport = total > 0 ? Math.min(1, ((minCount - 0.5) * smallest) / total) : minSupport;
  }
  const mined = associationRules(tx, { minSupport, minConfidence: 0, maxSize: 2, alpha, ...(weights ? { weights } : {}) });
  let significant = 0;
  for (const r of mined.rules as AssociationRule[]) {
    if (!r.significant || r.count < minCount) continue;
    significant++;
    if (!accept(r.consequent[0]!)) continue;
    const from = r.antecedent[0]!;
    let list = by.get(from);
    if (!list) by.set(from, (list = []));
    list.push({ to: r.consequent[0]!, count: r.count, lift: r.lift, confidence: r.confidence, qValue: r.qValue });
  }
  for (const [from, list] of by) {
    list.sort((x, y) => y.confidence - x.confidence || y.count - x.count || compareText(x.to, y.to));
    if (list.length > keep) by.set(from, list.slice(0, keep));
  }
  return { by, total: mined.rules.length, significant };
}

export function buildRecommender(baskets: readonly Basket[], products: ProductMap, options: RecommenderOptions = {}): Recommender {
  const minCount = options.minCount ?? 5;
  if (!Number.isInteger(minCount) || minCount < 1) throw new RangeError(`minCount must be an integer ≥ 1, got ${minCount}`);
  const alpha = options.alpha ?? 0.05;
  const diversify = options.diversify ?? true;
  const keep = options.maxRulesPerAnchor ?? 200;
  const groupOf =
    options.groupOf ??
    ((id: string) => {
      const t = products.get(id)?.productType.trim();
      return t ? t : null;
    });
  const offerable = options.offerable ?? ((id: string) => isOfferable(products.get(id)));

  // Order counts, and each product's attach counts to each group (orders of the product containing ANOTHER product of
  // that group).
  const orders = new Map<string, number>();
  const attach = new Map<string, Map<string, number>>();
  const groupCounts = new Map<string, number>();
  for (const b of baskets) {
    groupCounts.clear();
    for (const item of b.items) {
      orders.set(item, (orders.get(item) ?? 0) + 1);
      const g = groupOf(item);
      if (g) groupCounts.set(g, (groupCounts.get(g) ?? 0) + 1);
    }
    if (!diversify) continue;
    for (const item of b.items) {
      const own = groupOf(item);
      let row = attach.get(item);
      for (const [g, c] of groupCounts) {
        if (g === own && c < 2) continue;
        if (!row) attach.set(item, (row = new Map()));
        row.set(g, (row.get(g) ?? 0) + 1);
      }
    }
  }
  const byOrders = (a: string, b: string) => orders.get(b)! - orders.get(a)! || compareText(a, b);
  const bestsellers = [...orders.keys()].filter(offerable).sort(byOrders);
  const groupBest = new Map<string, string[]>();
  for (const id of bestsellers) {
    const g = groupOf(id);
    if (!g) continue;
    let list = groupBest.get(g);
    if (!list) groupBest.set(g, (list = []));
    list.push(id);
  }

  const items = pairRules(
    baskets.map((b) => b.items),
    minCount,
    alpha,
    keep,
    offerable,
    options.weights,
  );
  // Each rule's diversity lane, and how many lanes each anchor's rules span.
  const laneOf = (id: string) => (diversify ? (groupOf(id) ?? "") : "");
  const lanesByAnchor = new Map<string, { lanes: string[]; total: number }>();
  for (const [anchor, list] of items.by) {
    const lanes = list.map((r) => laneOf(r.to));
    lanesByAnchor.set(anchor, { lanes, total: new Set(lanes).size });
  }
  const groups = pairRules(groupBaskets(baskets, groupOf), minCount, alpha, keep, undefined, options.weights);
  // For a scorer's scan of every admitted rule of every anchor: consequents interned, so the per-rule work of a cart is
  // typed-array reads (a cart of 200 products scans up to 40,000 rules).
  const consequents: string[] = [];
  const consequentIndex = new Map<string, number>();
  const toIndex = new Map<string, Int32Array>();
  for (const [anchor, list] of items.by) {
    const to = new Int32Array(list.length);
    list.forEach((r, i) => {
      let j = consequentIndex.get(r.to);
      if (j === undefined) consequentIndex.set(r.to, (j = consequents.push(r.to) - 1));
      to[i] = j;
    });
    toIndex.set(anchor, to);
  }
  const seenAt = new Int32Array(consequents.length);
  const contextAt = new Int32Array(consequents.length);
  const bestRule: PairRule[] = new Array<PairRule>(consequents.length);
  const bestAnchor: string[] = new Array<string>(consequents.length);
  let generation = 0;

  function recommendFor(context: readonly string[], k: number, scorer?: CandidateScorer): Recommendation[] {
    const inContext = new Set(context);
    const out: Recommendation[] = [];
    const chosen = new Set<string>();
    const push = (r: Recommendation) => {
      out.push(r);
      chosen.add(r.productId);
    };
    if (k <= 0) return out;

    // (a) co-purchase: the best rule per candidate over the anchors. Only an anchor's first k candidates of each lane
    // can be shown (each later one has k better products in its lane from that anchor alone), so the scan of an
    // anchor's rules stops once every lane has k: a cart of n products costs O(n · k), not O(n · rules). With a
    // scorer the order is the scorer's, so every admitted rule of each anchor is a candidate.
    const scoreOf = scorer ? scorer(context) : null;
    const best = new Map<string, { rule: PairRule; anchor: string; score: number }>();
    if (scoreOf) {
      if (++generation === 0x7fffffff) {
        seenAt.fill(0);
        contextAt.fill(0);
        generation = 1;
      }
      for (const id of inContext) {
        const j = consequentIndex.get(id);
        if (j !== undefined) contextAt[j] = generation;
      }
      const candidates: number[] = [];
      for (const anchor of inContext) {
        const list = items.by.get(anchor);
        if (!list) continue;
        const to = toIndex.get(anchor)!;
        for (let i = 0; i < list.length; i++) {
          const j = to[i]!;
          if (contextAt[j] === generation) continue;
          const rule = list[i]!;
          if (seenAt[j] !== generation) {
            seenAt[j] = generation;
            bestRule[j] = rule;
            bestAnchor[j] = anchor;
            candidates.push(j);
          } else {
            const seen = bestRule[j]!;
            if (rule.confidence > seen.confidence || (rule.confidence === seen.confidence && rule.count > seen.count)) {
              bestRule[j] = rule;
              bestAnchor[j] = anchor;
            }
          }
        }
      }
      for (const j of candidates) {
        const v = scoreOf(consequents[j]!);
        best.set(consequents[j]!, { rule: bestRule[j]!, anchor: bestAnchor[j]!, score: Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v });
      }
    }
    const taken = new Map<string, number>();
    for (const anchor of scoreOf ? [] : inContext) {
      const list = items.by.get(anchor);
      if (!list) continue;
      const { lanes, total } = lanesByAnchor.get(anchor)!;
      taken.clear();
      let full = 0;
      for (let i = 0; i < list.length && full < total; i++) {
        const rule = list[i]!;
        if (inContext.has(rule.to)) continue;
        const lane = lanes[i]!;
        const t = taken.get(lane) ?? 0;
        if (t >= k) continue;
        taken.set(lane, t + 1);
        if (t + 1 === k) full++;
        const seen = best.get(rule.to);
        if (!seen) {
          best.set(rule.to, { rule, anchor, score: 0 });
        } else if (rule.confidence > seen.rule.confidence || (rule.confidence === seen.rule.confidence && rule.count > seen.rule.count)) {
          seen.rule = rule;
          seen.anchor = anchor;
        }
      }
    }
    // Only the best k of each lane can ever be shown: select them instead of sorting every candidate. With a scorer,
    // by its score first (the rule's order breaks ties and orders the unscored).
    type Entry = [string, { rule: PairRule; anchor: string; score: number }];
    const better = ([a, x]: Entry, [b, y]: Entry) =>
      (x.score === y.score ? 0 : y.score > x.score ? 1 : -1) || y.rule.confidence - x.rule.confidence || y.rule.count - x.rule.count || compareText(a, b);
    const lanes = new Map<string, Entry[]>();
    for (const entry of best) {
      const g = laneOf(entry[0]);
      let lane = lanes.get(g);
      if (!lane) lanes.set(g, (lane = []));
      insertTopK(lane, entry, k, better);
    }
    const typeScore = new Map<string, number>();
    for (const g of lanes.keys()) {
      let score = 0;
      for (const anchor of inContext) {
        const n = orders.get(anchor) ?? 0;
        if (n > 0) score = Math.max(score, (attach.get(anchor)?.get(g) ?? 0) / n);
      }
      typeScore.set(g, score);
    }
    const laneOrder = [...lanes.keys()].sort((a, b) => typeScore.get(b)! - typeScore.get(a)! || compareText(a, b));
    const ordered: Entry[] = [];
    for (let depth = 0; depth < k; depth++) {
      for (const g of laneOrder) {
        const e = lanes.get(g)![depth];
        if (e) ordered.push(e);
      }
    }
    for (const [id, { rule, anchor }] of ordered) {
      if (out.length >= k) return out;
      push({
        productId: id,
        source: "co-purchase",
        explanation: `bought together in ${formatCount(rule.count)} orders — ${rule.lift.toFixed(1)}× more than chance`,
        score: rule.confidence,
        evidence: { anchor, count: rule.count, lift: rule.lift, confidence: rule.confidence, qValue: rule.qValue },
      });
    }

    // (b) complementary types: the best type rule per complementary type over the anchors' types.
    const typeRules = new Map<string, { rule: PairRule; fromType: string }>();
    for (const anchor of inContext) {
      const from = groupOf(anchor);
      if (!from) continue;
      for (const rule of groups.by.get(from) ?? []) {
        const seen = typeRules.get(rule.to);
        if (!seen || rule.confidence > seen.rule.confidence) typeRules.set(rule.to, { rule, fromType: from });
      }
    }
    const typeOrder = [...typeRules.entries()].sort(([a, x], [b, y]) => y.rule.confidence - x.rule.confidence || compareText(a, b));
    const cursor = typeOrder.map(() => 0);
    for (let progress = true; progress && out.length < k; ) {
      progress = false;
      typeOrder.forEach(([toType, { rule, fromType }], i) => {
        if (out.length >= k) return;
        const list = groupBest.get(toType) ?? [];
        while (cursor[i]! < list.length && (chosen.has(list[cursor[i]!]!) || inContext.has(list[cursor[i]!]!))) cursor[i]!++;
        const id = list[cursor[i]!];
        if (id === undefined) return;
        cursor[i]!++;
        progress = true;
        push({
          productId: id,
          source: "complementary-type",
          explanation: `shoppers who buy ${pluralize(fromType)} often add ${pluralize(toType)}`,
          score: rule.confidence,
          evidence: { fromType, toType, count: rule.count, lift: rule.lift, confidence: rule.confidence, qValue: rule.qValue, orders: orders.get(id) },
        });
      });
    }

    // (c) best sellers.
    for (const id of bestsellers) {
      if (out.length >= k) break;
      if (chosen.has(id) || inContext.has(id)) continue;
      const n = orders.get(id)!;
      push({ productId: id, source: "bestseller", explanation: `a bestseller — in ${formatCount(n)} orders`, score: n, evidence: { orders: n } });
    }
    return out;
  }

  return {
    recommend: (anchorId, k, scorer) => recommendFor([anchorId], k, scorer),
    recommendFor,
    bestsellers,
    stats: {
      baskets: baskets.length,
      productRules: items.total,
      significantProductRules: items.significant,
      typeRules: groups.total,
      significantTypeRules: groups.significant,
    },
  };
}
