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
import { bundleRank, suggestBundles } from "../../../app/insights/bundles";
import { chooseBundleDiscount } from "../../../app/insights/impact/what-if";

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

  it("the significant sets, pairs first, high lift and low attach first; chance-level sets are left out", () => {
    // Every candidate from A has lift 34/14, taken at the conservative count n − 1.645·√n: A+B (n = 10) at
    // 34/14 · 0.4798 = 1.165, rank (1 − 10/14)(1 − 1/1.165) ≈ 0.0405; A+C (n = 8) at 34/14 · 0.4184 = 1.016, rank
    // ≈ 0.0067; B+A and C+A attach always (rank 0, then by count); the triple A+B+C (n = 4) last: its lift at 4 − 3.29
    // orders is below 1 (rank 0).
    expect(brief).toEqual([
      ["A", "A+B", 10, 14, 0], // 71 % attach already: every discount on the grid mostly subsidises (worked out below)
      ["A", "A+C", 8, 14, null], // C's cost unknown
      ["B", "B+A", 10, 10, 0], // attach 100 %: a discount cannot add a sale
      ["C", "C+A", 8, 8, null],
      ["A", "A+B+C", 4, 14, null],
    ]);
    const shrunk = (n: number) => ((34 / 14) * (n - 1.645 * Math.sqrt(n))) / n;
    expect(bundles[0]!.rank).toBeCloseTo((4 / 14) * (1 - 1 / shrunk(10)), 12);
    expect(bundles[1]!.rank).toBeCloseTo((6 / 14) * (1 - 1 / shrunk(8)), 12);
    expect(bundles[4]!.rank).toBe(0);
    const [ab, ac, , , abc] = bundles;
    expect(ab!.attachRate).toBeCloseTo(10 / 14, 15);
    expect(ab!.lift).toBeCloseTo((10 * 34) / (14 * 10), 12);
    expect(ab!.pValue).toBeCloseTo(1001 / 131128140, 12); // C(14,10) / C(34,10)
    expect(abc!.pValue).toBeCloseTo(1001 / 46376, 10);
    expect(abc!.qValue).toBeCloseTo(((1001 / 46376) * 9) / 5, 10);
    expect(ab).toMatchObject({ price: 1200, cost: 700, bundlePrice: 1200 });
    // A → B: a₀ = 10/14, B at 200 with cost 100, ε uniform in [0.5, 3] (mean 1.75, no cap below 0.4/d ≥ 1.33… for
    // d ≤ 0.3 the cap ε = (14/10 − 1)/d exceeds 3 only for d < 0.134): at 5 %, 0.714 · 0.05 · (1.75 · 90 − 200) < 0.
    expect(ab!.economics!.discount).toBe(0);
    expect(ab!.economics!.evaluated[0]!.expectedMarginPerOrder).toBeCloseTo((10 / 14) * 0.05 * (1.75 * 90 - 200), 9);
    expect(ab!.economics!.assumption).toMatch(/^No discount from 5 % to 30 % pays/);
    expect(ac).toMatchObject({ price: 1300, cost: null, bundlePrice: null });
    expect(ab!.explanation).toBe("71 % of orders with the A also have the B (10 orders)");
    expect(abc!.explanation).toBe("29 % of orders with the A also have the B and the C (4 orders)");
  });

  it("one anchor, a cap per anchor, and pairs only", () => {
    expect(suggestBundles(baskets, products, { minCount: 3, anchor: "A", perAnchor: 1 }).map((b) => b.items)).toEqual([["A", "B"]]); // the best rank
    expect(suggestBundles(baskets, products, { minCount: 3, maxSize: 2 }).some((b) => b.items.length > 2)).toBe(false);
  });

  it("never suggests a bundle with an unpublished or out-of-stock product", () => {
    const drafts = new Map(products);
    drafts.set("C", { ...products.get("C")!, status: "DRAFT" });
    drafts.set("B", { ...products.get("B")!, available: false });
    expect(suggestBundles(baskets, drafts, { minCount: 3 })).toEqual([]);
  });
});

describe("chooseBundleDiscount: the what-if's expected margin per anchor order", () => {
  it("picks the grid discount with the largest expected margin, with its break-even", () => {
    // a₀ = 0.1, p = 1000, c = 200, ε ~ U[2, 3] (no cap: 0.1 · (1 + 3 · 0.3) < 1). Expected margin per anchor order
    // = a₀ · d · (2.5 · (1000(1 − d) − 200) − 1000) = 100 d − 250 d²: 9.375 at 15 %, 10 at 20 %, 9.375 at 25 %.
    const r = chooseBundleDiscount({ attachRate: 0.1, addOnPrice: 1000, addOnUnitCost: 200, elasticity: { low: 2, high: 3 } });
    expect(r.discount).toBe(0.2);
    expect(r.expectedMarginPerOrder).toBeCloseTo(10, 9);
    expect(r.evaluated.map((e) => e.expectedMarginPerOrder)).toEqual([4.375, 7.5, 9.375, 10, 9.375, 7.5].map((x) => expect.closeTo(x, 9)));
    // Break-even at 20 %: ε = 1000 / (800 − 200) = 5/3, the attach rate 0.1 · (1 + 5/3 · 0.2) = 0.1333.
    expect(r.breakEven.elasticity).toBeCloseTo(5 / 3, 12);
    expect(r.breakEven.attachRate).toBeCloseTo(0.1 * (1 + (5 / 3) * 0.2), 12);
    expect(r.assumption).toBe("20 % off the add-on gives the largest expected margin per anchor order if a discount d lifts the attach rate a₀ = 10 % to a₀·(1 + ε·d), ε between 2 and 3 (the what-if's range); it breaks even at ε = 1.67, an attach rate of 13.3 %.");
  });

  it("the expectation over ε is exact where the attach rate reaches 100 % (against a fine numerical average)", () => {
    const a0 = 0.8;
    const r = chooseBundleDiscount({ attachRate: a0, addOnPrice: 1000, addOnUnitCost: 100 });
    for (const { discount: d, expectedMarginPerOrder } of r.evaluated) {
      let mean = 0;
      const steps = 200_000;
      for (let i = 0; i < steps; i++) mean += Math.min(1, a0 * (1 + (0.5 + (2.5 * (i + 0.5)) / steps) * d)) / steps;
      expect(expectedMarginPerOrder).toBeCloseTo((mean - a0) * (1000 * (1 - d) - 100) - a0 * d * 1000, 3);
    }
  });

  it("never below cost; nothing from a zero attach rate; errors", () => {
    const tight = chooseBundleDiscount({ attachRate: 0.1, addOnPrice: 1000, addOnUnitCost: 880 });
    expect(tight.evaluated.map((e) => e.discount)).toEqual([0.05, 0.1]); // 15 % would sell at 850 < 880
    const none = chooseBundleDiscount({ attachRate: 0, addOnPrice: 1000, addOnUnitCost: 100 });
    expect(none.discount).toBe(0);
    expect(none.assumption).toMatch(/cannot grow from 0/);
    expect(() => chooseBundleDiscount({ attachRate: 1.5, addOnPrice: 1, addOnUnitCost: 0 })).toThrow(RangeError);
  });
});

describe("bundleRank", () => {
  it("favours high lift and low attach; chance-level pairs rank 0", () => {
    expect(bundleRank(0.1, 5)).toBeGreaterThan(bundleRank(0.5, 5));
    expect(bundleRank(0.1, 5)).toBeGreaterThan(bundleRank(0.1, 2));
    expect(bundleRank(0.1, 1)).toBe(0);
    expect(bundleRank(0.2, 4)).toBeCloseTo(0.8 * 0.75, 14);
    // Few orders: the lift is taken at n − 1.645·√n orders, so a lucky lift on 5 orders ranks below a solid one.
    expect(bundleRank(0.1, 10, 5)).toBeLessThan(bundleRank(0.1, 6, 200));
  });
});
