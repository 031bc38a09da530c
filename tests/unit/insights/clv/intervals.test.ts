/**
 * Intervals on lifetime value (app/insights/clv/intervals.ts), calibrated by simulation: customers are drawn from a
 * planted MBG/NBD purchase story and a planted Gamma-Gamma spend story (tests/support/clv-simulate.ts), both models are
 * fitted, and the 90 % interval of the customers' total expected value is checked against the same total computed with
 * the planted parameters (the quantity the interval claims to cover). Over the replications the coverage must be near
 * 90 %. A larger run is `npm run bench -- clv-intervals`.
 */
import { describe, expect, it } from "vitest";
import { countTriples, fitRepeatModel } from "../../../../app/insights/clv/bgnbd";
import { fitGammaGamma } from "../../../../app/insights/clv/gamma-gamma";
import { lifetimeValueIntervals } from "../../../../app/insights/clv/intervals";
import { seededRng } from "../../../../app/insights/trends/random";
import { coverageRun, OPTIONS, PLANTED, SPEND } from "../../../support/clv-coverage";
import { simulateCustomers } from "../../../support/clv-simulate";

describe("lifetime value intervals", () => {
  it("cover the planted model's expected value about 90 % of the time (80 replications, 600 customers each)", () => {
    const { coverage, below } = coverageRun(80, 600, 100, 9100);
    console.info(`lifetime value interval coverage: ${(coverage * 100).toFixed(1)} % (nominal 90 %), below ${(below * 100).toFixed(1)} %`);
    // Binomial SE at 90 % over 80 replications is 3.4 %: accept 80–97 %, and misses on both sides.
    expect(coverage).toBeGreaterThanOrEqual(0.8);
    expect(coverage).toBeLessThanOrEqual(0.97);
    expect(below).toBeLessThan(0.1);
  }, 30_000);

  it("the estimate lies inside its interval, groups are per-customer means, and more data narrows it", () => {
    const make = (n: number) => {
      const sim = simulateCustomers({ seed: 5, customers: n, bgnbd: PLANTED, model: "mbgnbd", spend: SPEND, minT: 13, maxT: 52, resolution: 1 });
      const fit = fitRepeatModel("mbgnbd", countTriples(sim));
      const gg = fitGammaGamma(sim);
      const rows = sim.map((c, i) => ({ ...c, group: i % 2 === 0 ? "even" : "odd" }));
      return lifetimeValueIntervals(rows, {
        ...OPTIONS,
        purchases: { kind: "mbgnbd", params: fit.params },
        purchasesCovariance: fit.covariance!,
        spend: gg.params,
        spendCovariance: gg.covariance!,
        draws: 100,
        random: seededRng(1),
      });
    };
    const small = make(500);
    const large = make(4000);
    for (const i of [small.total, small.perCustomer, small.groups.even!, large.total]) {
      expect(i.low).toBeLessThan(i.estimate);
      expect(i.estimate).toBeLessThan(i.high);
    }
    expect(small.groups.even!.customers + small.groups.odd!.customers).toBe(500);
    expect(small.perCustomer.estimate).toBeCloseTo(small.total.estimate / 500, 9);
    const relative = (i: { low: number; high: number; estimate: number }) => (i.high - i.low) / i.estimate;
    expect(relative(large.total)).toBeLessThan(relative(small.total) * 0.6);
  });
});
