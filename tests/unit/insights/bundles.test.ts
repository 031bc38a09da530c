/**
 * Bundles on 34 hand-built orders: 6 × {A, B}, 4 × {A, B, C}, 4 × {A, C}, 20 × {Z}. Counts: A 14, B 10, C 8, AB 10,
 * AC 8, BC 4, ABC 4. One-sided Fisher p-values (exact hypergeometric tails, worked out with exact binomials):
 *   A→B, B→A: C(14,10)/C(34,10) ≈ 7.6e-6     A→C, C→A: C(14,8)/C(34,8) ≈ 1.7e-4
 *   A→{B,C}: C(14,4)/C(34,4) = 1001/46376 ≈ 0.0216
 *   B→C, C→B, B→{A,C}, C→{A,B}: P(X ≥ 4), X ~ Hyp(34, 8, 10) ≈ 0.154
 * Benjamini–Hochberg over these 9: A→{B,C} is 5th, q = 0.0216 · 9/5 ≈ 0.039 ≤ 0.05; the four at 0.154 are not.
 */
import { describe, expect, it } from "vitest";
import type { Basket, InsightProduct } from "../../../app/insights/baskets";
import { bundleDiscount, suggestBundles } from "../../../app/insights/bundles";

const product = (id: string, price: number, unitCost: number | null, extra: Partial<InsightProduct> = {}): InsightProduct => ({
  id,
  title: id,
  productType: "",
  vendor: "",
  tags: [],
  collectionIds: [],
  status: "ACTIVE",
  price,
  unitCost,
  ...extra,
});
const products = new Map([product("A", 1000, 600), product("B", 200, 100), product("C", 300, null), product("Z", 50, 10)].map((p) => [p.id, p]));
const baskets: Basket[] = [];
const add = (times: number, items: string[]) => {
  for (let i = 0; i < times; i++) baskets.push({ orderId: `o${baskets.length}`, customerId: null, createdAt: 0, items });
};
add(6, ["A", "B"]);
add(4, ["A", "B", "C"]);
add(4, ["A", "C"]);
add(20, ["Z"]);

describe("suggestBundles", () => {
  const bundles = suggestBundles(baskets, products, { minCount: 3 });
  const brief = bundles.map((b) => [b.anchor, b.items.join("+"), b.count, b.anchorCount, b.discountPercent]);

  it("per anchor, the significant sets by attach rate; chance-level sets are left out", () => {
    expect(brief).toEqual([
      ["A", "A+B", 10, 14, 20], // 10/14; price 1200, cost 700: margin 41.7 %, half 20.8 % → 20 %
      ["A", "A+C", 8, 14, null], // 8/14; C's cost unknown
      ["A", "A+B+C", 4, 14, null], // 4/14
      ["B", "B+A", 10, 10, 20],
      ["C", "C+A", 8, 8, null],
    ]);
    const [ab, ac, abc] = bundles;
    expect(ab!.attachRate).toBeCloseTo(10 / 14, 15);
    expect(ab!.lift).toBeCloseTo((10 * 34) / (14 * 10), 12);
    expect(ab!.pValue).toBeCloseTo(1001 / 131128140, 12); // C(14,10) / C(34,10)
    expect(abc!.pValue).toBeCloseTo(1001 / 46376, 10);
    expect(abc!.qValue).toBeCloseTo(((1001 / 46376) * 9) / 5, 10);
    expect(ab).toMatchObject({ price: 1200, cost: 700, bundlePrice: 960 });
    expect(ac).toMatchObject({ price: 1300, cost: null, bundlePrice: null });
    expect(ab!.explanation).toBe("71 % of orders with the A also have the B (10 orders)");
    expect(abc!.explanation).toBe("29 % of orders with the A also have the B and the C (4 orders)");
  });

  it("one anchor, a cap per anchor, and pairs only", () => {
    expect(suggestBundles(baskets, products, { minCount: 3, anchor: "A", perAnchor: 1 }).map((b) => b.items)).toEqual([["A", "B"]]);
    expect(suggestBundles(baskets, products, { minCount: 3, maxSize: 2 }).some((b) => b.items.length > 2)).toBe(false);
  });

  it("never suggests a bundle with an unpublished or out-of-stock product", () => {
    const drafts = new Map(products);
    drafts.set("C", { ...products.get("C")!, status: "DRAFT" });
    drafts.set("B", { ...products.get("B")!, available: false });
    expect(suggestBundles(baskets, drafts, { minCount: 3 })).toEqual([]);
  });
});

describe("bundleDiscount: half the margin, at most 20 %, rounded down to 5 %", () => {
  it.each([
    [1000, 700, 15], // margin 30 % → 15 %
    [1000, 750, 10], // 25 % → 12.5 % → 10 %
    [1000, 400, 20], // 60 % → 30 % → capped at 20 %
    [1000, 900, 5], // 10 % → 5 %
    [1000, 950, 0], // 5 % → 2.5 % → 0
    [1000, 1100, 0], // a loss: no discount
    [0, 0, 0],
  ])("price %i, cost %i → %i %%", (price, cost, depth) => expect(bundleDiscount(price, cost)).toBe(depth));
});
