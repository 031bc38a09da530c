/**
 * BG/NBD against published numbers: Fader, Hardie & Lee (2005) on CDNOW (r, α, a, b, log-likelihood), the conditional
 * expectation of Hardie's spreadsheet (1.226 purchases in 39 weeks for x = 2, t_x = 30.43, T = 38.86; also asserted by
 * the lifetimes test suite) and lifetimes' documented standard errors; special functions against closed forms.
 */
import { describe, expect, it } from "vitest";
import {
  bgnbdLogLikelihood,
  conditionalExpectedPurchases,
  countTriples,
  expectedPurchasesNewCustomer,
  fitBgNbd,
  InsufficientDataError,
  nextPurchase,
  probabilityAlive,
  type BgNbdParams,
} from "../../../../app/insights/clv/bgnbd";
import { digamma, hyp2f1, lgamma, log2F1 } from "../../../../app/insights/clv/special";
import { readSummaryCsv } from "./cdnow";

const cdnow = readSummaryCsv("cdnow_customers_summary.csv").map((r) => ({ x: r.frequency!, t_x: r.recency!, T: r.T! }));
const PAPER: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe("special functions", () => {
  it("lgamma and digamma match closed forms", () => {
    expect(lgamma(1)).toBeCloseTo(0, 14);
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(lgamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(lgamma(1e-3)).toBeCloseTo(6.907178885383853, 12); // −ln(0.001) − γ·0.001 + …
    expect(lgamma(101)).toBeCloseTo(Array.from({ length: 100 }, (_, k) => Math.log(k + 1)).reduce((a, b) => a + b, 0), 9); // ln 100!
    expect(lgamma(0.25 + 1) - lgamma(0.25)).toBeCloseTo(Math.log(0.25), 13); // Γ(x+1) = xΓ(x)
    const eulerGamma = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-eulerGamma, 13);
    expect(digamma(0.5)).toBeCloseTo(-eulerGamma - 2 * Math.LN2, 13);
    expect(digamma(10)).toBeCloseTo(-eulerGamma + [1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((s, k) => s + 1 / k, 0), 13);
  });

  it("₂F₁ matches closed forms, including z close to 1 and large parameters", () => {
    for (const z of [0, 0.1, 0.5, 0.9, 0.99, 0.999]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(z === 0 ? 1 : -Math.log(1 - z) / z, 10); // −ln(1−z)/z
      expect(hyp2f1(0.7, 2.5, 2.5, z)).toBeCloseTo(Math.pow(1 - z, -0.7), 9); // (1−z)^−a
      const s = Math.sqrt(z);
      expect(hyp2f1(0.5, 0.5, 1.5, z)).toBeCloseTo(z === 0 ? 1 : Math.asin(s) / s, 10); // arcsin(√z)/√z
    }
    // (1−z)^−a for a = 400: ln = 400·ln 10 ≈ 921 at z = 0.9, beyond what a double can hold.
    expect(log2F1(400, 3, 3, 0.9)).toBeCloseTo(400 * Math.log(10), 8);
  });
});

describe("BG/NBD on CDNOW (2,357 customers, weeks)", () => {
  const fit = fitBgNbd(cdnow);

  it("reproduces Fader, Hardie & Lee (2005): r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4", () => {
    expect(fit.converged, fit.message).toBe(true);
    expect(fit.warnings).toEqual([]);
    expect(fit.params.r.toFixed(3)).toBe("0.243");
    expect(fit.params.alpha.toFixed(3)).toBe("4.414");
    expect(fit.params.a.toFixed(3)).toBe("0.793");
    expect(fit.params.b.toFixed(3)).toBe("2.426");
    expect(fit.logLikelihood.toFixed(1)).toBe("-9582.4");
    expect(fit).toMatchObject({ customers: 2357, repeatCustomers: 946 });
    expect(fit.uniqueTriples).toBeLessThan(2357);
  });

  it("standard errors from the numerical Hessian match lifetimes' documented ones (0.0126, 0.378, 0.186, 0.705)", () => {
    expect(fit.standardErrors).not.toBeNull();
    const se = fit.standardErrors!;
    expect(se.r).toBeCloseTo(0.012557, 4);
    expect(se.alpha).toBeCloseTo(0.378221, 3);
    expect(se.a).toBeCloseTo(0.185719, 3);
    expect(se.b).toBeCloseTo(0.705345, 3);
  });

  it("the log-likelihood is the sum of per-customer terms (grouping by triple changes nothing) and peaks at the fit", () => {
    const grouped = bgnbdLogLikelihood(fit.params, countTriples(cdnow));
    const oneByOne = cdnow.reduce((s, c) => s + bgnbdLogLikelihood(fit.params, [c]), 0);
    expect(grouped).toBeCloseTo(oneByOne, 6);
    for (const key of ["r", "alpha", "a", "b"] as const) {
      for (const f of [0.99, 1.01]) expect(bgnbdLogLikelihood({ ...fit.params, [key]: fit.params[key] * f }, cdnow)).toBeLessThan(grouped);
    }
  });

  it("one customer's likelihood by hand: x = 0 is (α/(α+T))^r", () => {
    const p = PAPER;
    expect(bgnbdLogLikelihood(p, [{ x: 0, t_x: 0, T: 38.86 }])).toBeCloseTo(p.r * Math.log(p.alpha / (p.alpha + 38.86)), 12);
  });

  it("conditional expectation: 1.226 purchases in the next 39 weeks for x = 2, t_x = 30.43, T = 38.86 (Hardie)", () => {
    expect(conditionalExpectedPurchases(fit.params, 2, 30.43, 38.86, 39)).toBeCloseTo(1.226, 3);
  });

  it("P(alive), the new-customer expectation and the next purchase behave as the model says", () => {
    const p = fit.params;
    expect(probabilityAlive(p, 0, 0, 30)).toBe(1);
    // By hand: 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)).
    const byHand = 1 / (1 + (p.a / (p.b + 2 - 1)) * Math.pow((p.alpha + 38.86) / (p.alpha + 30.43), p.r + 2));
    expect(probabilityAlive(p, 2, 30.43, 38.86)).toBeCloseTo(byHand, 14);
    expect(probabilityAlive(p, 2, 5, 38.86)).toBeLessThan(probabilityAlive(p, 2, 30, 38.86));
    // A brand-new customer (x = 0, t_x = 0, T = 0) expects what E[X(t)] says.
    expect(conditionalExpectedPurchases(p, 0, 0, 0, 39)).toBeCloseTo(expectedPurchasesNewCustomer(p, 39), 12);
    // E[X(t)] by numerical integration of the model: ∫∫ E[X(t) | λ, p] — checked via its derivative at 0: r/α per week.
    expect(expectedPurchasesNewCustomer(p, 1e-4) / 1e-4).toBeCloseTo(p.r / p.alpha, 4);
    const next = nextPurchase(p, 2, 30.43, 38.86);
    expect(next.probabilityWithin(1e9)).toBeCloseTo(next.probabilityAlive, 6);
    // The median wait halves the survival: ((α+T)/(α+T+m))^(r+x) = 1/2.
    expect(Math.pow((p.alpha + 38.86) / (p.alpha + 38.86 + next.medianWaitIfAlive), p.r + 2)).toBeCloseTo(0.5, 12);
    expect(next.meanWaitIfAlive).toBeCloseTo((p.alpha + 38.86) / (p.r + 1), 12);
  });

  it("refuses too little data with a clear message", () => {
    expect(() => fitBgNbd(cdnow.slice(0, 50))).toThrow(InsufficientDataError);
    expect(() => fitBgNbd(cdnow.slice(0, 50))).toThrow(/50 in the calibration period, at least 100 needed/);
    const noRepeats = cdnow.filter((c) => c.x === 0);
    expect(() => fitBgNbd(noRepeats)).toThrow(/0 customers bought again/);
    expect(() => fitBgNbd(cdnow, { minHistory: 52 })).toThrow(/not enough history/);
    expect(() => fitBgNbd([{ x: 1, t_x: 5, T: 3 }])).toThrow(/t_x ≤ T/);
  });

  it("reports a fit that did not converge instead of passing it off as good", () => {
    const capped = fitBgNbd(cdnow, { maxIterations: 2, start: { r: 5, alpha: 50, a: 5, b: 0.2 } });
    expect(capped.converged).toBe(false);
    expect(capped.warnings.join(" ")).toMatch(/did not converge/);
  });
});
