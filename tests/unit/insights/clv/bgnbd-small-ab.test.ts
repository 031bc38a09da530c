/**
 * BG/NBD predictions when a + b < 1 (the hypergeometric's c = a + b + x − 1 is then negative for x = 0), as small
 * shops' fits give: checked against the model's own generative story, simulated (tests/support/clv-simulate.ts), not
 * against the formulas being tested.
 */
import { describe, expect, it } from "vitest";
import { conditionalExpectedPurchases, expectedPurchasesNewCustomer } from "../../../../app/insights/clv/bgnbd";
import { hyp2f1 } from "../../../../app/insights/clv/special";
import { simulateCustomers } from "../../../support/clv-simulate";

// The parameters a 1,000-order demo shop's fit produced (r + x = 0.27, b + x = 0.385, a + b + x − 1 = −0.444 at x = 0).
const params = { r: 0.27, alpha: 12, a: 0.171, b: 0.385 };
const T = 60;
const horizon = 90;

const meanAndSe = (xs: number[]) => {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, se: Math.sqrt(variance / xs.length) };
};

describe("BG/NBD with a + b < 1", () => {
  const customers = simulateCustomers({ seed: 2026, customers: 200_000, bgnbd: params, minT: T, maxT: T, holdout: horizon });

  it("E[X(t)] of a new customer matches the simulated mean number of repeat purchases", () => {
    const { mean, se } = meanAndSe(customers.map((c) => c.x));
    const predicted = expectedPurchasesNewCustomer(params, T);
    expect(Number.isFinite(predicted)).toBe(true);
    expect(Math.abs(predicted - mean)).toBeLessThan(4 * se);
  });

  it("E[Y(t) | x = 0, T] matches the simulated purchases in (T, T + t] of customers with no repeat by T", () => {
    const quiet = customers.filter((c) => c.x === 0).map((c) => c.holdoutX);
    expect(quiet.length).toBeGreaterThan(50_000);
    const { mean, se } = meanAndSe(quiet);
    const predicted = conditionalExpectedPurchases(params, 0, 0, T, horizon);
    expect(Math.abs(predicted - mean)).toBeLessThan(4 * se);
  });

  it("₂F₁ with a negative c: the series equals the closed form 2F1(a, b; c; z) = (1 − z)^(c − a − b) · 2F1(c − a, c − b; c; z) at a terminating case", () => {
    // With c − a = −1 the right-hand series stops after one term: 2F1(−1, c − b; c; z) = 1 − (c − b) z / c.
    const b = 0.4;
    const c = -0.35;
    const a = c + 1; // a = 0.65 > 0
    for (const z of [0.05, 0.3, 0.6, 0.9]) {
      const closed = Math.pow(1 - z, c - a - b) * (1 - ((c - b) * z) / c);
      expect(hyp2f1(a, b, c, z)).toBeCloseTo(closed, 10);
    }
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(/undefined for c = -2/);
  });
});
