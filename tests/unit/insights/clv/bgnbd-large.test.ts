/**
 * The large-data path of the BG/NBD fit (coarse time grid first, then polished on the exact triples) must land on the
 * exact data's maximum: the same estimate as the direct fit, within the optimiser's tolerance, and a stationary point
 * of the exact log-likelihood. Data: 150,000 simulated customers at day resolution (tests/support/clv-simulate.ts).
 */
import { describe, expect, it } from "vitest";
import { bgnbdLogLikelihood, countTriples, fitBgNbd } from "../../../../app/insights/clv/bgnbd";
import { simulateCustomers } from "../../../support/clv-simulate";

describe("BG/NBD fit on many distinct histories", () => {
  const planted = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const triples = countTriples(simulateCustomers({ seed: 99, customers: 150_000, bgnbd: planted, minT: 0, maxT: 130, resolution: 1 / 7 }));

  it("coarse-then-exact gives the direct fit's maximum", { timeout: 30_000 }, () => {
    expect(triples.size).toBeGreaterThan(20_000); // the coarse path is taken
    const fast = fitBgNbd(triples);
    const direct = fitBgNbd(triples, { coarseStart: false });
    expect(fast.converged && direct.converged).toBe(true);
    for (const k of ["r", "alpha", "a", "b"] as const) expect(Math.abs(fast.params[k] / direct.params[k] - 1), k).toBeLessThan(1e-6);
    expect(Math.abs(fast.logLikelihood - direct.logLikelihood)).toBeLessThan(1e-6);
    for (const k of ["r", "alpha", "a", "b"] as const) expect(Math.abs(fast.standardErrors![k] / direct.standardErrors![k] - 1), k).toBeLessThan(1e-4);
    // Stationary on the exact data: moving any parameter by ±0.01 % lowers the log-likelihood.
    for (const k of ["r", "alpha", "a", "b"] as const) {
      for (const f of [0.9999, 1.0001]) expect(bgnbdLogLikelihood({ ...fast.params, [k]: fast.params[k] * f }, triples)).toBeLessThan(fast.logLikelihood);
    }
  });

  it("groups like a plain map", () => {
    const rows = [
      { x: 0, t_x: 0, T: 5 },
      { x: 0, t_x: -0, T: 5 },
      { x: 2, t_x: 1.5, T: 5 },
      { x: 2, t_x: 1.5, T: 5 },
      { x: 2, t_x: 1.5, T: 6 },
      { x: 3, t_x: 1.5, T: 5 },
    ];
    const c = countTriples(rows);
    const got = Array.from({ length: c.size }, (_, i) => `${c.x[i]} ${c.tx[i]} ${c.T[i]} ${c.count[i]}`).sort();
    expect(got).toEqual(["0 0 5 2", "2 1.5 5 2", "2 1.5 6 1", "3 1.5 5 1"]);
    expect([c.customers, c.repeatCustomers, c.maxT]).toEqual([6, 4, 6]);
    // Growing past the initial capacity keeps every count.
    const many = countTriples(Array.from({ length: 5000 }, (_, i) => ({ x: i % 7, t_x: i % 7 === 0 ? 0 : (i % 50) / 7, T: 10 + (i % 50) / 7 })).values());
    let total = 0;
    for (let i = 0; i < many.size; i++) total += many.count[i]!;
    expect(total).toBe(5000);
    expect(many.size).toBe(new Set(Array.from({ length: 5000 }, (_, i) => `${i % 7} ${i % 7 === 0 ? 0 : (i % 50) / 7} ${10 + (i % 50) / 7}`)).size);
  });
});
