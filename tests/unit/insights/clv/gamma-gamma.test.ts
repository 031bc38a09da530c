/**
 * Gamma-Gamma against Hardie's published CDNOW estimates (p = 6.25, q = 3.74, γ = 15.44 on the 946 repeat customers'
 * zbar, also asserted by the lifetimes test suite), and parameter recovery from data simulated with planted values
 * (tests/support/clv-simulate.ts) for both models; CLV and the holdout check by hand and against the simulation.
 */
import { describe, expect, it } from "vitest";
import { conditionalExpectedPurchases, fitBgNbd, type BgNbdParams } from "../../../../app/insights/clv/bgnbd";
import { customerLifetimeValue, expectedAverageSpend, fitGammaGamma, gammaGammaLogLikelihood } from "../../../../app/insights/clv/gamma-gamma";
import { calibrationHoldoutCheck } from "../../../../app/insights/clv/holdout";
import { simulateCustomers } from "../../../support/clv-simulate";
import { readSummaryCsv } from "./cdnow";

const cdnow = readSummaryCsv("cdnow_customers_summary_with_transactions.csv").map((r) => ({ x: r.x!, t_x: r.t_x!, T: r.T!, monetary: r.zbar! }));

describe("Gamma-Gamma on CDNOW (dollars)", () => {
  const fit = fitGammaGamma(cdnow);

  it("reproduces Hardie's estimates p = 6.25, q = 3.74, γ = 15.44 (946 repeat customers)", () => {
    expect(fit.converged, fit.message).toBe(true);
    expect(fit.customers).toBe(946);
    expect(fit.params.p.toFixed(2)).toBe("6.25");
    expect(fit.params.q.toFixed(2)).toBe("3.74");
    // The maximum is at γ = 15.448: the published 15.44 is truncated (or the spreadsheet's solver stopped short).
    expect(Math.abs(fit.params.v - 15.44)).toBeLessThan(0.01);
    expect(fit.standardErrors).not.toBeNull();
  });

  it("v scales with the money unit (cents), p and q do not, and the fit is the maximum", () => {
    const cents = fitGammaGamma(cdnow.map((c) => ({ ...c, monetary: c.monetary * 100 })));
    expect(cents.params.p).toBeCloseTo(fit.params.p, 4);
    expect(cents.params.q).toBeCloseTo(fit.params.q, 4);
    expect(cents.params.v / 100).toBeCloseTo(fit.params.v, 3);
    for (const key of ["p", "q", "v"] as const) {
      for (const f of [0.99, 1.01]) expect(gammaGammaLogLikelihood({ ...fit.params, [key]: fit.params[key] * f }, cdnow)).toBeLessThan(fit.logLikelihood);
    }
  });

  it("expected average spend is the weighted mean of the population mean and the customer's mean", () => {
    const { p, q, v } = fit.params;
    const population = (p * v) / (q - 1);
    expect(expectedAverageSpend(fit.params, 0, 0)).toBeCloseTo(population, 12);
    const weight = (p * 2) / (p * 2 + q - 1);
    expect(expectedAverageSpend(fit.params, 2, 50)).toBeCloseTo((1 - weight) * population + weight * 50, 10);
  });

  it("CLV: undiscounted is E[Z]·E[Y(H)]; discounting lowers it; monthly steps by hand", () => {
    const bg: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const c = { x: 2, t_x: 30.43, T: 38.86, monetary: 22.35 };
    const spend = expectedAverageSpend(fit.params, 2, 22.35);
    const flat = customerLifetimeValue(bg, fit.params, c, { horizon: 39, periodLength: 52 / 12, discountRate: 0 });
    expect(flat).toBeCloseTo(spend * conditionalExpectedPurchases(bg, 2, 30.43, 38.86, 39), 10);
    const discounted = customerLifetimeValue(bg, fit.params, c, { horizon: 39, periodLength: 13, discountRate: 0.03 });
    const e = [13, 26, 39].map((t) => conditionalExpectedPurchases(bg, 2, 30.43, 38.86, t));
    expect(discounted).toBeCloseTo(spend * (e[0]! / 1.03 + (e[1]! - e[0]!) / 1.03 ** 2 + (e[2]! - e[1]!) / 1.03 ** 3), 10);
    expect(discounted).toBeLessThan(flat);
  });
});

const within = (estimate: number, truth: number, se: number, k = 3) => Math.abs(estimate - truth) <= k * se;

describe("parameter recovery from simulated customers (planted parameters)", () => {
  const planted = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const spend = { p: 6, q: 3.8, v: 15 };
  const customers = simulateCustomers({ seed: 20240917, customers: 30_000, bgnbd: planted, spend, minT: 27, maxT: 39, holdout: 39 });

  it("BG/NBD recovers r, α, a, b within 3 standard errors", () => {
    const fit = fitBgNbd(customers);
    expect(fit.converged).toBe(true);
    const se = fit.standardErrors!;
    for (const key of ["r", "alpha", "a", "b"] as const) {
      expect(within(fit.params[key], planted[key], se[key]), `${key} = ${fit.params[key]} ± ${se[key]} vs ${planted[key]}`).toBe(true);
    }
  });

  it("Gamma-Gamma recovers p, q, v within 3 standard errors", () => {
    const fit = fitGammaGamma(customers);
    expect(fit.converged).toBe(true);
    const se = fit.standardErrors!;
    for (const key of ["p", "q", "v"] as const) {
      expect(within(fit.params[key], spend[key], se[key]), `${key} = ${fit.params[key]} ± ${se[key]} vs ${spend[key]}`).toBe(true);
    }
  });

  it("calibration/holdout: with the planted parameters the predicted holdout purchases match the simulated ones per bucket", () => {
    const check = calibrationHoldoutCheck(planted, customers.map((c) => ({ ...c, holdout: { x: c.holdoutX } })), 39);
    expect(check.buckets.map((b) => b.frequency)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7+"]);
    expect(check.buckets.reduce((s, b) => s + b.customers, 0)).toBe(30_000);
    expect(Math.abs(check.totalActual - check.totalPredicted) / check.totalPredicted).toBeLessThan(0.03);
    for (const b of check.buckets.slice(0, 4)) {
      expect(Math.abs(b.actual - b.predicted), `bucket ${b.frequency}: ${b.actual} vs ${b.predicted}`).toBeLessThan(0.1 * b.predicted + 0.02);
    }
  });
});
