/**
 * The two-task backtest (cart completion, single anchor), every figure of a tiny case worked out by hand, and a
 * planted store where the structure is in the combination of a cart's items: EASE must beat popularity there, and the
 * shop's ranker choice must follow its own backtest (with today's ranker as the fallback without data).
 */
import { describe, expect, it } from "vitest";
import { chooseLambda, chooseRanker, easeScorer, evaluateTasks, popularityRanker, recommenderRanker, type ListRanker } from "../../../app/insights/backtest";
import type { Basket, InsightProduct } from "../../../app/insights/baskets";
import { fitEase } from "../../../app/insights/ease";
import { buildRecommender } from "../../../app/insights/recommend";
import { seededRng } from "../../../app/insights/trends/random";

const DAY = 86_400_000;
const basket = (i: number, items: string[], day = i): Basket => ({ orderId: `o${i}`, customerId: null, createdAt: day * DAY, items });

describe("evaluateTasks", () => {
  it("counts hits, MRR and both standard errors as worked out by hand", () => {
    // A constant ranker: b, c, x, minus the context. Baskets {a, b}, {a, c, d}.
    const fixed: ListRanker = { name: "fixed", label: "fixed", list: (ctx, k) => ["b", "c", "x"].filter((id) => !ctx.includes(id)).slice(0, k) };
    const [r] = evaluateTasks([basket(0, ["a", "b"]), basket(1, ["a", "c", "d"]), basket(2, ["q"])], [fixed]);
    // Cart: hide a (cart b) → c, x: miss; hide b → b first; hide a (c, d) → b, x: miss; hide c (a, d) → c 2nd; hide d: miss.
    expect(r!.cart).toMatchObject({ cases: 5, baskets: 2, hits5: 2, hits10: 2, hitRate5: 0.4 });
    expect(r!.cart.mrr10).toBeCloseTo(1.5 / 5, 14);
    expect(r!.cart.se5).toBeCloseTo(Math.sqrt((0.4 * 0.6) / 5), 14);
    // Clustered by basket: (1 − 0.4·2)² + (1 − 0.4·3)² = 0.08.
    expect(r!.cart.clusteredSe5).toBeCloseTo(Math.sqrt(0.08) / 5, 14);
    // Anchor: a → b first (basket 1); b → c, x: miss; a → c 2nd (basket 2); c → b, x: miss; d → c 2nd.
    expect(r!.anchor).toMatchObject({ cases: 5, hits5: 3 });
    expect(r!.anchor.mrr10).toBeCloseTo(2 / 5, 14);
  });
});

/**
 * Planted store: 8 themes of 5 products; a basket picks a theme and 3 of its products, plus with probability 0.7 one
 * of 4 store-wide best sellers. Popularity only knows the best sellers; a model of the baskets knows the theme mates.
 */
function plantedStore(n: number, seed: number): Basket[] {
  const rnd = seededRng(seed);
  const out: Basket[] = [];
  for (let i = 0; i < n; i++) {
    const theme = Math.floor(rnd() * 8);
    const members = [0, 1, 2, 3, 4].map((m) => `t${theme}-${m}`);
    for (let d = members.length - 1; d > 0; d--) {
      const j = Math.floor(rnd() * (d + 1));
      [members[d], members[j]] = [members[j]!, members[d]!];
    }
    const items = members.slice(0, 3);
    if (rnd() < 0.7) items.push(`best${Math.floor(rnd() * 4)}`);
    out.push(basket(i, items, Math.floor(i / 10)));
  }
  return out;
}

describe("on a planted store", () => {
  const all = plantedStore(1500, 20261202);
  const train = all.slice(0, 1200);
  const test = all.slice(1200);
  const product = (id: string): InsightProduct => ({ id, title: id, productType: "", vendor: "", tags: [], collectionIds: [], status: "ACTIVE", price: 1 });
  const products = new Map([...new Set(all.flatMap((b) => b.items))].map((id) => [id, product(id)]));

  it("EASE beats popularity on both tasks, by far on cart completion", () => {
    const { lambda } = chooseLambda(train);
    const ease = fitEase(
      train.map((b) => b.items),
      { lambda },
    );
    const rules = buildRecommender(train, products, { minCount: 5 });
    const [gated, pure, popular] = evaluateTasks(test, [
      recommenderRanker(rules, "ease-gated", "EASE over the admitted pairs", easeScorer(ease)),
      { name: "ease", label: "EASE", list: (c, k) => ease.top(c, k) },
      popularityRanker(train, { name: "popular", label: "popular" }),
    ]);
    // Hiding a theme product leaves two theme mates in the cart: the hidden one is among the 3 unseen mates, so a
    // model that knows the themes hits it within 5 whenever it is a theme product (3 of ~3.7 items).
    expect(pure!.cart.hitRate5).toBeGreaterThan(0.75);
    expect(gated!.cart.hitRate5).toBeGreaterThan(0.75);
    expect(popular!.cart.hitRate5).toBeLessThan(0.3);
    expect(pure!.cart.hitRate5 - popular!.cart.hitRate5).toBeGreaterThan(10 * pure!.cart.clusteredSe5);
    expect(pure!.anchor.hitRate5).toBeGreaterThan(popular!.anchor.hitRate5);
  });

  it("the shop's choice follows its backtest; too little history keeps today's ranker", () => {
    const choice = chooseRanker(all, products, { minCases: 300 });
    expect(choice.results!.map((r) => r.name)).toEqual(["rules", "ease", "popular", "popular-30d"]);
    const [today, eased] = choice.results!;
    expect(choice.cart).toBe(eased!.cart.hitRate5 > today!.cart.hitRate5 ? "ease" : "rules");
    expect(choice.anchor).toBe(eased!.anchor.hitRate5 > today!.anchor.hitRate5 ? "ease" : "rules");
    expect(choice.reason).toMatch(/^Product pages ranked by (EASE|co-purchase confidence) because its backtest HR@5 was \d+\.\d % vs \d+\.\d % for/);
    expect(choice.lambda).not.toBeNull();

    const small = chooseRanker(all.slice(0, 150), products);
    expect(small).toMatchObject({ anchor: "rules", cart: "rules", results: null, lambda: null });
    expect(small.reason).toMatch(/too little history/);
  });
});
