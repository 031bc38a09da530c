/**
 * `npm run bench -- calibration --part impact [--shops 100] [--draws 300] [--phis 0,0.5,0.8] [--seed 1]`: the calibration
 * of "did it work?" (ADR 023) on simulated shops with serially correlated demand (tests/support/impact-simulate.ts:
 * shop-wide and per-product AR(1) shocks on the log rate, repeat customers, six products).
 *
 * For each autocorrelation φ and metric (units per day, attach rate):
 * - placebo: no effect planted; how often the verdict is "achieved" (nominal at most (1 − level)/2 = 2.5 %: the lower
 *   bound must clear a positive goal) and how often the interval excludes zero ("significant", nominal 5 %);
 * - planted effect: how often the interval covers the planted truth (nominal 95 %);
 * - the old method (tests/support/impact-legacy.ts: i.i.d. bootstrap, fixed control, "achieved" on the point estimate)
 *   on the same placebo shops.
 * Each rate is printed with its Monte-Carlo standard error √(p(1 − p)/n).
 */
import { evaluateAction, type ImpactMetric } from "../app/insights/impact/evaluate";
import { simulateShop } from "../tests/support/impact-simulate";
import { evaluateAction as legacyEvaluate } from "../tests/support/impact-legacy";
import { option, positive } from "./args";

const GOALS: Record<"units" | "attach-rate", number> = { units: 0.05, "attach-rate": 0.02 };
const PLANTED = { units: 0.25, "attach-rate": 0.08 };

function rate(k: number, n: number): string {
  const p = n > 0 ? k / n : Number.NaN;
  return `${(p * 100).toFixed(1).padStart(5)} % ± ${((Math.sqrt((p * (1 - p)) / n) || 0) * 100).toFixed(1)} (${k}/${n})`;
}

export async function benchImpactCalibration(args: string[]): Promise<void> {
  const shops = positive(option(args, "shops", "100"), "shops");
  const draws = positive(option(args, "draws", "300"), "draws");
  const seed = positive(option(args, "seed", "1"), "seed");
  const phis = option(args, "phis", "0,0.5,0.8").split(",").map(Number);
  const metrics = option(args, "metrics", "units,attach-rate").split(",") as ("units" | "attach-rate")[];
  const legacy = option(args, "legacy", "yes") !== "no";
  console.log(`impact calibration: ${shops} shops per cell, ${draws} bootstrap draws, level 95 %, goals ${JSON.stringify(GOALS)}, planted ${JSON.stringify(PLANTED)}`);
  for (const phi of phis) {
    for (const metric of metrics) {
      const started = Date.now();
      let achieved = 0, significant = 0, inconclusiveChecks = 0, evaluated = 0;
      let oldAchieved = 0, oldSignificant = 0, oldEvaluated = 0;
      let covered = 0, plantedN = 0, plantedAchieved = 0;
      const mdes: number[] = [];
      for (let s = 0; s < shops; s++) {
        const shopSeed = seed * 1_000_003 + s * 7919 + Math.round(phi * 100);
        const placebo = simulateShop({ seed: shopSeed, phi });
        const action = placebo.action(metric as ImpactMetric, GOALS[metric]);
        const options = { timeZone: "UTC", asOf: "2026-01-01", seed: shopSeed, bootstrap: draws };
        const r = evaluateAction(placebo.orders, action, options);
        if (r.ci) {
          evaluated++;
          if (r.verdict === "achieved") achieved++;
          if (r.significant) significant++;
          if (r.placebo?.passed === false || r.preFit?.poor) inconclusiveChecks++;
          if (r.mde) mdes.push(r.mde.value);
        }
        if (legacy) {
          const old = legacyEvaluate(placebo.orders, action, options);
          if (old.ci) {
            oldEvaluated++;
            if (old.verdict === "achieved") oldAchieved++;
            if (old.ci.lower > 0 || old.ci.upper < 0) oldSignificant++;
          }
        }
        const effect = simulateShop({ seed: shopSeed + 1, phi, unitsEffect: metric === "units" ? PLANTED.units : 0, attachEffect: metric === "attach-rate" ? PLANTED["attach-rate"] : 0 });
        const e = evaluateAction(effect.orders, effect.action(metric as ImpactMetric, GOALS[metric]), { ...options, seed: shopSeed + 1 });
        if (e.ci) {
          plantedN++;
          const truth = metric === "units" ? effect.truth.units : effect.truth.attachRate;
          if (e.ci.lower <= truth && truth <= e.ci.upper) covered++;
          if (e.verdict === "achieved") plantedAchieved++;
        }
      }
      mdes.sort((a, b) => a - b);
      console.log(`\nφ = ${phi}, ${metric} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      console.log(`  placebo achieved     ${rate(achieved, evaluated)}   (nominal ≤ 2.5 %)`);
      console.log(`  placebo significant  ${rate(significant, evaluated)}   (nominal 5 %)`);
      console.log(`  placebo made inconclusive by the pre-period checks ${rate(inconclusiveChecks, evaluated)}`);
      console.log(`  coverage of planted ${metric === "units" ? `+${PLANTED.units * 100} %` : `+${PLANTED["attach-rate"] * 100} points`}  ${rate(covered, plantedN)}   (nominal 95 %); achieved ${rate(plantedAchieved, plantedN)}`);
      if (mdes.length > 0) console.log(`  median MDE (80 % power): ${metric === "units" ? `${(mdes[mdes.length >> 1]! * 100).toFixed(1)} %` : `${(mdes[mdes.length >> 1]! * 100).toFixed(1)} points`}`);
      if (legacy) {
        console.log(`  OLD method: placebo achieved ${rate(oldAchieved, oldEvaluated)}, significant ${rate(oldSignificant, oldEvaluated)}`);
      }
    }
  }
}
