/**
 * The backtest on a tiny history, every rank worked out by hand.
 *
 * Before the cutoff (N = 20): 6 × {a, b}, 6 × {c, d}, 8 × {e}. Pairs a–b and c–d: p = 1/C(20,6) = 1/38760 each, all
 * four rules significant. Best sellers: e (8), then a, b, c, d (6 each, by id).
 * After: {a, b}, {a, e}, {c, x} (x never sold before), {d} (one item: not a case). k = 2.
 *
 *   basket  hidden  cart   model list          rank   popularity list   rank
 *   {a,b}   a       b      a (rule), e          1      e, a               2
 *   {a,b}   b       a      b (rule), e          1      e, b               2
 *   {a,e}   a       e      a, b (best sellers)  1      a, b               1
 *   {a,e}   e       a      b (rule), e          2      e, b               1
 *   {c,x}   c       x      e, a                 –      e, a               –
 *   {c,x}   x       c      d (rule), e          –      e, a               –
 * Model: 4 hits of 6, MAP (1 + 1 + 1 + ½) / 6; popularity: 4 hits, MAP (½ + ½ + 1 + 1) / 6.
 */
import { describe, expect, it } from "vitest";
import { backtest } from "../../../app/insights/backtest";
import type { Basket, InsightProduct } from "../../../app/insights/baskets";

const DAY = 86_400_000;
const cutoff = 100 * DAY;
const baskets: Basket[] = [];
const add = (times: number, day: number, items: string[]) => {
  for (let i = 0; i < times; i++) baskets.push({ orderId: `o${baskets.length}`, customerId: null, createdAt: day * DAY, items });
};
add(6, 10, ["a", "b"]);
add(6, 20, ["c", "d"]);
add(8, 30, ["e"]);
add(1, 100, ["a", "b"]); // at the cutoff: evaluated, not learnt
add(1, 120, ["a", "e"]);
add(1, 130, ["c", "x"]);
add(1, 140, ["d"]);

describe("backtest", () => {
  it("leave-one-out hit rate, precision and MAP at k against the popularity baseline", () => {
    const r = backtest(baskets, { cutoff, k: 2, minCount: 2 });
    expect(r).toMatchObject({ cutoff, k: 2, trainBaskets: 20, testBaskets: 3, coverage: 5 / 6 });
    expect(r.model).toEqual({
      cases: 6,
      hits: 4,
      hitRate: 4 / 6,
      precision: 4 / 12,
      map: 3.5 / 6,
      hitsBySource: { "co-purchase": 2, "complementary-type": 0, bestseller: 2 },
    });
    expect(r.popularity).toEqual({ cases: 6, hits: 4, hitRate: 4 / 6, precision: 4 / 12, map: 3 / 6 });
    expect(r.rules).toEqual({ productRules: 4, significantProductRules: 4, typeRules: 0, significantTypeRules: 0 });
  });

  it("k = 1: only first places count", () => {
    const r = backtest(baskets, { cutoff, k: 1, minCount: 2 });
    // Model first places: a, b, a (hits), b (miss, e hidden), e, d → 3 hits; popularity: e, e, a (hit), e (hit), e, e → 2.
    expect(r.model).toMatchObject({ hits: 3, hitRate: 0.5, precision: 0.5, map: 0.5 });
    expect(r.popularity).toMatchObject({ hits: 2, map: 2 / 6 });
  });

  it("with a product map, unpublished products are neither recommended nor in the baseline", () => {
    const product = (id: string, status = "ACTIVE"): InsightProduct => ({ id, title: id, productType: "", vendor: "", tags: [], collectionIds: [], status, price: 1 });
    const products = new Map(["a", "b", "c", "d", "x"].map((id) => [id, product(id)]));
    products.set("e", product("e", "ARCHIVED"));
    const r = backtest(baskets, { cutoff, k: 2, minCount: 2, products });
    // e is never shown. Model: {a,b} ranks 1, 1; {a,e}: hide a (cart e) → a, b: rank 1; hide e: miss; {c,x}: misses.
    // Popularity lists are now a, b, c, …: hide a (cart b) → a, c: 1; hide b (cart a) → b, c: 1; hide a (cart e) → a: 1.
    expect(r.model).toMatchObject({ hits: 3, map: 3 / 6 });
    expect(r.popularity).toMatchObject({ hits: 3, map: 3 / 6 });
  });

  it("rejects a bad k or cutoff", () => {
    expect(() => backtest(baskets, { cutoff, k: 0 })).toThrow(/k must be/);
    expect(() => backtest(baskets, { cutoff: Number.NaN })).toThrow(/cutoff/);
  });
});
