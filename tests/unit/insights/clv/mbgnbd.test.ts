/**
 * MBG/NBD (Batislam, Denizel & Filiztekin 2007) against independent oracles:
 * - the CDNOW estimates published with BTYDplus and asserted by the lifetimes test suite: r 0.525, α 6.183, a 0.891,
 *   b 1.614 (cdnow_customers_summary.csv, weeks);
 * - P(alive), E[Y(t) | x, t_x, T] and E[X(t)] against a brute-force numerical integration of Bayes' rule over (λ, p),
 *   written from the model's story (not from the closed forms);
 * - parameter recovery from the seeded simulator's MBG/NBD story (tests/support/clv-simulate.ts).
 */
import { describe, expect, it } from "vitest";
import { countTriples, fitBgNbd, fitRepeatModel, mbgnbdLogLikelihood, probabilityAlive, type BgNbdParams } from "../../../../app/insights/clv/bgnbd";
import { conditionalExpectedPurchasesMbg, expectedPurchasesNewCustomerMbg, probabilityAliveMbg } from "../../../../app/insights/clv/mbgnbd";
import { lgamma } from "../../../../app/insights/clv/special";
import { simulateCustomers } from "../../../support/clv-simulate";
import { readSummaryCsv } from "./cdnow";

const cdnow = readSummaryCsv("cdnow_customers_summary.csv").map((r) => ({ x: r.frequency!, t_x: r.recency!, T: r.T! }));
/** Within 0.1 % (the integration's own error is about 0.03 % at this grid). */
const near = (actual: number, expected: number, what: string) => expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThan(1e-3 * Math.max(Math.abs(expected), 0.1));

const PUBLISHED: BgNbdParams = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };

/**
 * Posterior expectations by a midpoint rule on log-grids of λ and p. Story: λ ~ Gamma(r, α), p ~ Beta(a, b); a drop-out
 * chance with probability p right after the first purchase and after each repeat purchase; purchases Poisson(λ) while
 * alive. Likelihood of (x, t_x, T): alive at T, λˣe^(−λT)(1−p)^(x+1); gone right after the purchase at t_x,
 * λˣe^(−λ t_x) p (1−p)^x. Alive and rate λ, p: expected purchases in t are (1 − e^(−λpt))/p.
 */
function oracle({ r, alpha, a, b }: BgNbdParams, x: number, t_x: number, T: number, t: number) {
  const N = 1000;
  const lamMax = Math.log(400 / (alpha + t_x));
  const lamMin = -30;
  const pMin = -40;
  let total = 0;
  let alive = 0;
  let expected = 0;
  for (let i = 0; i < N; i++) {
    const y = lamMin + ((i + 0.5) * (lamMax - lamMin)) / N;
    const lam = Math.exp(y);
    // Gamma prior density × Jacobian λ, times λˣ (normalising constants cancel in the ratios).
    const wl = Math.exp((r + x) * y - alpha * lam);
    const eT = Math.exp(-lam * T);
    const eTx = Math.exp(-lam * t_x);
    for (let j = 0; j < N; j++) {
      const z = pMin + ((j + 0.5) * -pMin) / N;
      const p = Math.exp(z);
      const q = -Math.expm1(z);
      const wp = Math.exp(a * z + (b - 1) * Math.log(q)) * Math.pow(q, x);
      const aliveW = wl * wp * eT * q;
      alive += aliveW;
      total += aliveW + wl * wp * eTx * p;
      expected += aliveW * (-Math.expm1(-lam * p * t) / p);
    }
  }
  return { alive: alive / total, expected: expected / total };
}

/** E[X(t)] of a new customer by the same integration over the prior (normalised numerically). */
function oracleNew({ r, alpha, a, b }: BgNbdParams, t: number) {
  const N = 1000;
  let norm = 0;
  let expected = 0;
  for (let i = 0; i < N; i++) {
    const y = -30 + ((i + 0.5) * (Math.log(400 / alpha) + 30)) / N;
    const lam = Math.exp(y);
    const wl = Math.exp(r * y - alpha * lam);
    for (let j = 0; j < N; j++) {
      const z = -40 + ((j + 0.5) * 40) / N;
      const p = Math.exp(z);
      const q = -Math.expm1(z);
      const w = wl * Math.exp(a * z + (b - 1) * Math.log(q));
      norm += w;
      expected += w * q * (-Math.expm1(-lam * p * t) / p);
    }
  }
  return expected / norm;
}

describe("MBG/NBD", () => {
  it("reproduces the published CDNOW estimates (BTYDplus, lifetimes: r 0.525, α 6.183, a 0.891, b 1.614)", () => {
    const fit = fitRepeatModel("mbgnbd", countTriples(cdnow));
    expect(fit.converged).toBe(true);
    expect(fit.params.r).toBeCloseTo(PUBLISHED.r, 3);
    expect(fit.params.alpha).toBeCloseTo(PUBLISHED.alpha, 3);
    expect(fit.params.a).toBeCloseTo(PUBLISHED.a, 3);
    expect(fit.params.b).toBeCloseTo(PUBLISHED.b, 3);
    // Its log-likelihood is a little higher than BG/NBD's −9582.43 on the same data (one more way to drop out).
    expect(fit.logLikelihood).toBeCloseTo(-9582.13, 2);
    expect(fit.logLikelihood).toBeCloseTo(mbgnbdLogLikelihood(fit.params, cdnow), 8);
    expect(fit.logLikelihood).toBeGreaterThan(fitBgNbd(countTriples(cdnow)).logLikelihood);
    expect(fit.standardErrors).not.toBeNull();
  });

  it("the log-likelihood of one customer is the integral of the story's likelihood over the prior", () => {
    // Closed form against the same midpoint integration: ln ∫∫ L(λ, p) dG(λ) dB(p), with the priors' constants.
    for (const [x, t_x, T] of [
      [0, 0, 20],
      [3, 12.5, 30],
    ] as const) {
      const { r, alpha, a, b } = PUBLISHED;
      const N = 1000;
      let sum = 0;
      const lamMax = Math.log(400 / alpha);
      for (let i = 0; i < N; i++) {
        const y = -30 + ((i + 0.5) * (lamMax + 30)) / N;
        const lam = Math.exp(y);
        const gammaDensityTimesJacobian = Math.exp(r * Math.log(alpha) + r * y - alpha * lam - lgamma(r));
        for (let j = 0; j < N; j++) {
          const z = -40 + ((j + 0.5) * 40) / N;
          const p = Math.exp(z);
          const q = -Math.expm1(z);
          const betaDensityTimesJacobian = Math.exp(a * z + (b - 1) * Math.log(q) + lgamma(a + b) - lgamma(a) - lgamma(b));
          const L = Math.pow(lam, x) * (Math.exp(-lam * T) * Math.pow(q, x + 1) + Math.exp(-lam * t_x) * p * Math.pow(q, x));
          sum += gammaDensityTimesJacobian * betaDensityTimesJacobian * L * ((lamMax + 30) / N) * (40 / N);
        }
      }
      const L = Math.exp(mbgnbdLogLikelihood(PUBLISHED, [{ x, t_x, T }]));
      expect(Math.abs(L / sum - 1), `L ${x} ${t_x} ${T}: ${L} vs ${sum}`).toBeLessThan(1e-3);
    }
  });

  it("P(alive) and expected purchases match the integration of Bayes' rule, one-time buyers included", () => {
    for (const [x, t_x, T, t] of [
      [0, 0, 38, 39],
      [0, 0, 5, 10],
      [2, 30.43, 38.86, 39],
      [7, 20, 50, 52],
    ] as const) {
      const o = oracle(PUBLISHED, x, t_x, T, t);
      near(probabilityAliveMbg(PUBLISHED, x, t_x, T), o.alive, `P(alive) ${x} ${t_x} ${T}`);
      near(conditionalExpectedPurchasesMbg(PUBLISHED, x, t_x, T, t), o.expected, `E[Y] ${x} ${t_x} ${T}`);
    }
    for (const t of [1, 32, 78]) near(expectedPurchasesNewCustomerMbg(PUBLISHED, t), oracleNew(PUBLISHED, t), `E[X(${t})]`);
  });

  it("a one-time buyer's chance of being alive falls with time (BG/NBD keeps it at 1)", () => {
    const p = [1, 13, 52, 104].map((T) => probabilityAliveMbg(PUBLISHED, 0, 0, T));
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeLessThan(p[i - 1]!);
    expect(p[3]!).toBeLessThan(0.5);
    expect(probabilityAlive(PUBLISHED, 0, 0, 104)).toBe(1);
  });

  it("recovers planted parameters from the simulator's MBG/NBD story within 3 standard errors", () => {
    const planted = { r: 0.5, alpha: 6, a: 0.9, b: 1.6 };
    const customers = simulateCustomers({ seed: 4242, customers: 6000, bgnbd: planted, model: "mbgnbd", minT: 20, maxT: 52 });
    const fit = fitRepeatModel("mbgnbd", countTriples(customers));
    expect(fit.converged).toBe(true);
    for (const k of ["r", "alpha", "a", "b"] as const) {
      expect(Math.abs(fit.params[k] - planted[k]) / fit.standardErrors![k], k).toBeLessThan(3);
    }
  });
});
