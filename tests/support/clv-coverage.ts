/**
 * Coverage of the lifetime value intervals (app/insights/clv/intervals.ts) by simulation, shared by the unit test and
 * `npm run bench -- clv-intervals`: customers drawn from a planted MBG/NBD purchase story and a planted Gamma-Gamma
 * spend story, both models fitted, and the interval of the customers' total expected value checked against the same
 * total at the planted parameters (the quantity the interval claims to cover).
 */
import { countTriples, fitRepeatModel } from "../../app/insights/clv/bgnbd";
import { customerLifetimeValue, fitGammaGamma } from "../../app/insights/clv/gamma-gamma";
import { lifetimeValueIntervals } from "../../app/insights/clv/intervals";
import { seededRng } from "../../app/insights/trends/random";
import { simulateCustomers } from "./clv-simulate";

export const PLANTED = { r: 0.5, alpha: 6, a: 0.9, b: 1.6 };
export const SPEND = { p: 6, q: 4, v: 15 };
export const OPTIONS = { horizon: 26, periodLength: 13, discountRate: 0.02 };

export function coverageRun(replications: number, customers: number, draws: number, seed: number, level = 0.9) {
  let covered = 0;
  let below = 0;
  let width = 0;
  for (let rep = 0; rep < replications; rep++) {
    const sim = simulateCustomers({ seed: seed + rep, customers, bgnbd: PLANTED, model: "mbgnbd", spend: SPEND, minT: 13, maxT: 52, resolution: 1 });
    const fit = fitRepeatModel("mbgnbd", countTriples(sim));
    const gg = fitGammaGamma(sim);
    if (!fit.covariance || !gg.covariance) continue;
    const truth = sim.reduce((s, c) => s + customerLifetimeValue({ kind: "mbgnbd", params: PLANTED }, SPEND, c, OPTIONS), 0);
    const interval = lifetimeValueIntervals(sim, {
      ...OPTIONS,
      purchases: { kind: "mbgnbd", params: fit.params },
      purchasesCovariance: fit.covariance,
      spend: gg.params,
      spendCovariance: gg.covariance,
      draws,
      level,
      random: seededRng(seed * 7 + rep),
    }).total;
    if (interval.low <= truth && truth <= interval.high) covered++;
    else if (truth < interval.low) below++;
    width += (interval.high - interval.low) / truth;
  }
  return { coverage: covered / replications, below: below / replications, meanRelativeWidth: width / replications };
}

