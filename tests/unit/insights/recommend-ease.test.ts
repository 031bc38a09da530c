/**
 * EASE (app/insights/ease.ts) against independent oracles, and EASE as the ranker of the admitted suggestions.
 *
 * - The Cholesky inverse against Gauss–Jordan elimination with partial pivoting on a seeded random SPD matrix.
 * - The closed form B = I − P·diagMat(1/diag(P)) against its definition: column j of B is the ridge regression of
 *   column j of X on the other columns, min ‖X_j − X_{−j} b‖² + λ‖b‖², solved here by Gaussian elimination on the
 *   normal equations (X_{−j}ᵀX_{−j} + λI) b = X_{−j}ᵀX_j, one column at a time (no inverse, no Cholesky).
 */
import { describe, expect, it } from "vitest";
import type { Basket, InsightProduct } from "../../../app/insights/baskets";
import { easeScorer } from "../../../app/insights/backtest";
import { easeItems, fitEase, spdInverse } from "../../../app/insights/ease";
import { buildRecommender } from "../../../app/insights/recommend";
import { seededRng } from "../../../app/insights/trends/random";

/** Solves A x = b (A n × n as rows) by Gaussian elimination with partial pivoting. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

describe("spdInverse", () => {
  it("matches Gauss–Jordan on a random SPD matrix", () => {
    const rnd = seededRng(7);
    const n = 12;
    const R = Array.from({ length: n }, () => Array.from({ length: n }, () => rnd() - 0.5));
    const A = R.map((_, i) => R.map((__, j) => R.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? 0.5 : 0)));
    const P = spdInverse(Float64Array.from(A.flat()), n);
    for (let j = 0; j < n; j++) {
      const col = solve(A, A.map((_, i) => (i === j ? 1 : 0)));
      for (let i = 0; i < n; i++) expect(P[i * n + j]!).toBeCloseTo(col[i]!, 10);
    }
  });

  it("refuses a matrix that is not positive definite", () => {
    expect(() => spdInverse(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/positive definite/);
  });
});

describe("fitEase", () => {
  const baskets = [["a", "b"], ["a", "b", "c"], ["b", "c"], ["c", "d"], ["a", "d"], ["a", "b", "d"], ["d"], ["b", "c", "d"]];
  const lambda = 1.5;
  const model = fitEase(baskets, { lambda, minBaskets: 1 });

  it("equals the per-column ridge regressions its closed form solves, with a zero diagonal", () => {
    const items = model.items;
    const n = items.length;
    const X = baskets.map((b) => items.map((id) => (b.includes(id) ? 1 : 0)));
    for (let j = 0; j < n; j++) {
      const others = items.map((_, i) => i).filter((i) => i !== j);
      const A = others.map((p) => others.map((q) => X.reduce((s, row) => s + row[p]! * row[q]!, 0) + (p === q ? lambda : 0)));
      const rhs = others.map((p) => X.reduce((s, row) => s + row[p]! * row[j]!, 0));
      const b = solve(A, rhs);
      expect(model.weights[j * n + j]).toBe(0);
      others.forEach((i, r) => expect(model.weights[i * n + j]!).toBeCloseTo(b[r]!, 12));
    }
  });

  it("scores a cart as the sum of its items' rows; top leaves the cart out, best first", () => {
    const n = model.items.length;
    const [ia, ib] = [model.index.get("a")!, model.index.get("b")!];
    const s = model.scores(["a", "b"]);
    for (let j = 0; j < n; j++) expect(s[j]).toBeCloseTo(model.weights[ia * n + j]! + model.weights[ib * n + j]!, 14);
    const top = model.top(["a", "b"], 5);
    expect(top).toHaveLength(2);
    expect(top.some((id) => id === "a" || id === "b")).toBe(false);
    expect(s[model.index.get(top[0]!)!]!).toBeGreaterThanOrEqual(s[model.index.get(top[1]!)!]!);
    expect(model.top(["a"], 5, (id) => id !== "c")).not.toContain("c");
  });

  it("keeps the most frequent items, at least minBaskets each", () => {
    expect(easeItems(baskets, 2, 1)).toEqual(["b", "d"]); // b 5, d 5 (ties by id), then a 4, c 4
    expect(easeItems(baskets, 10, 5)).toEqual(["b", "d"]);
    expect(() => fitEase(baskets, { lambda: 0 })).toThrow(/lambda/);
  });
});

describe("EASE behind the significance gate", () => {
  // x and y are both significant partners of a; a → x has the highest confidence of all rules from the cart {a, w}
  // (12/20 against a → y 8/20, w → y 13/28, w → z 15/28), so today's ranker puts x first; EASE adds a's and w's
  // evidence for y and puts y first. z co-occurs with w but never with a: not admitted for {a} alone.
  const baskets: Basket[] = [];
  const add = (times: number, items: string[]) => {
    for (let i = 0; i < times; i++) baskets.push({ orderId: `o${baskets.length}`, customerId: null, createdAt: 0, items });
  };
  add(12, ["a", "x"]);
  add(8, ["a", "y", "w"]);
  add(5, ["w", "y"]);
  add(15, ["w", "z"]);
  add(40, ["n"]);
  const product = (id: string): InsightProduct => ({ id, title: id, productType: "", vendor: "", tags: [], collectionIds: [], status: "ACTIVE", price: 1 });
  const products = new Map(["a", "x", "y", "w", "z", "n"].map((id) => [id, product(id)]));
  const rec = buildRecommender(baskets, products, { minCount: 3 });
  const ease = fitEase(
    baskets.map((b) => b.items),
    { lambda: 1, minBaskets: 1 },
  );
  const scorer = easeScorer(ease);

  it("reorders only the admitted candidates; explanations still cite the rule's count and lift", () => {
    const today = rec.recommendFor(["a", "w"], 3).filter((r) => r.source === "co-purchase");
    const eased = rec.recommendFor(["a", "w"], 3, scorer).filter((r) => r.source === "co-purchase");
    expect(new Set(eased.map((r) => r.productId))).toEqual(new Set(today.map((r) => r.productId)));
    expect(today[0]!.productId).toBe("x");
    expect(eased[0]!.productId).toBe("y");
    for (const r of eased) expect(r.explanation).toMatch(/^bought together in \d+ orders — \d+\.\d× more than chance$/);
    // A single anchor: EASE may rank a's partners, never z (no significant a → z rule).
    const single = rec.recommend("a", 5, scorer).filter((r) => r.source === "co-purchase").map((r) => r.productId);
    expect(single).not.toContain("z");
    expect(new Set(single)).toEqual(new Set(rec.recommend("a", 5).filter((r) => r.source === "co-purchase").map((r) => r.productId)));
  });
});
