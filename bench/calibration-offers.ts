/**
 * `npm run bench -- offers [--replicates 5000] [--seed 1] [--sizes 5000,10000,30000,100000] [--bandit-seeds 1000]`:
 * calibration of the storefront-offer statistics on simulated shops with planted truths (the unit tests run the same
 * simulations small: tests/unit/insights/offers/).
 *
 * - Lift intervals (app/insights/offers/lift.ts): for each number of exposed visitors (10 % holdout), the share of
 *   replicates whose 95 % interval holds the planted difference, for revenue per visitor, conversion and AOV, absolute
 *   and relative; the base shop (order-value lognormal σ = 0.8 per order, 0.4 per visitor) and a heavier-tailed one
 *   (σ = 1 and 0.5). Goal: 95 % (± 0.6 points of simulation error at 5 000 replicates).
 * - A/A placebo (no effect planted): how often an increase goal of 0 is called "achieved" (10-order minimum, so the
 *   small sizes are judged too). Goal: ≤ 2.5 %.
 * - Bandit (app/insights/offers/bandit.ts): block views until the planted best candidate settles in first place.
 */
import { type LiftGoal, type LiftMetric } from "../app/insights/offers/lift";
import { BANDIT_PLAN, simulateBandit } from "../tests/unit/insights/offers/bandit-simulate";
import { BASE_PLAN, HEAVY_PLAN, coverage, type VisitorPlan } from "../tests/unit/insights/offers/simulate";
import { option, positive } from "./args";


const METRICS: [LiftMetric, string][] = [
  ["revenue-per-visitor", "RPV"],
  ["conversion", "conv"],
  ["aov", "AOV"],
];
const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)}`.padStart(5);

export async function benchOffers(args: string[]): Promise<void> {
  const replicates = positive(option(args, "replicates", "5000"), "replicates");
  const seed = positive(option(args, "seed", "1"), "seed");
  const sizes = option(args, "sizes", "5000,10000,30000,100000").split(",").map((s) => positive(s, "sizes"));
  const banditSeeds = positive(option(args, "bandit-seeds", "1000"), "bandit-seeds");
  const se = 100 * Math.sqrt((0.95 * 0.05) / replicates);
  console.log(`Lift interval coverage, % of ${replicates} replicates (nominal 95, simulation sd ${se.toFixed(2)} points); 10 % holdout`);
  console.log(
    "A/A: % of placebo replicates called achieved for an increase goal of 0 (nominal ≤ 2.5), with a 10-order minimum instead of the default 100 so the small sizes show the intervals' own calibration",
  );

  for (const [label, base] of [["base", BASE_PLAN], ["heavy", HEAVY_PLAN]] as const) {
    console.log(`\n${label} shop: order value lognormal σ ${base.basketSigma} per order, ${base.visitorSigma} per visitor; conversion 3.0 % → 3.3 %, basket +5 %`);
    console.log(
      `${"visitors".padStart(9)} ${"holdout buyers".padStart(14)} | ${METRICS.map(([, m]) => `${m} abs/rel`.padStart(13)).join(" ")} | ${METRICS.map(([, m]) => `A/A ${m}`.padStart(9)).join(" ")} | seconds`,
    );
    for (const visitors of sizes) {
      const started = performance.now();
      const plan: VisitorPlan = { ...base, visitors };
      const tally = coverage(plan, replicates, seed + visitors);
      const placebo: VisitorPlan = { ...plan, conversion: { treatment: 0.03, holdout: 0.03 }, basketLift: { treatment: 1, holdout: 1 } };
      const goals: LiftGoal[] = METRICS.map(([metric]) => ({ metric, value: 0, kind: "absolute" }));
      const aa = coverage(placebo, replicates, seed + visitors + 1, goals, { minOrders: 10 });
      const cells = METRICS.map(([m]) => {
        const c = tally.covered[m];
        const usable = replicates - tally.missing[m];
        return `${pct(c.absolute, usable)}/${pct(c.relative, usable)}`.padStart(13);
      });
      const aaCells = METRICS.map((_, i) => pct(aa.verdicts[i]!.achieved, replicates).padStart(9));
      const buyers = Math.round(visitors * plan.holdoutShare * plan.conversion.holdout);
      console.log(
        `${String(visitors).padStart(9)} ${String(buyers).padStart(14)} | ${cells.join(" ")} | ${aaCells.join(" ")} | ${((performance.now() - started) / 1000).toFixed(1)}`,
      );
    }
  }

  const started = performance.now();
  const views: number[] = [];
  let never = 0;
  for (let s = 1; s <= banditSeeds; s++) {
    const run = simulateBandit(BANDIT_PLAN, s);
    if (run.viewsToFirst === null) never++;
    else views.push(run.viewsToFirst);
  }
  views.sort((a, b) => a - b);
  const q = (p: number) => (views.length ? views[Math.min(views.length - 1, Math.ceil(p * views.length) - 1)]! : Number.NaN);
  const perView = BANDIT_PLAN.seen.reduce((a, b) => a + b, 0);
  console.log(
    `\nBandit: ${BANDIT_PLAN.candidates.length} admitted candidates, ${BANDIT_PLAN.slots} slots (seen ${BANDIT_PLAN.seen.join("/")}, attention ${BANDIT_PLAN.attention.join("/")}), ` +
      `publication every ${BANDIT_PLAN.batch} block views, exploration ${BANDIT_PLAN.explorationShare}; planted best (8 %) ranked last by the engine.`,
  );
  console.log(
    `Block views until it settles first (first in ${BANDIT_PLAN.settle} bandit publications in a row), ${banditSeeds} seeds: median ${q(0.5)}, ` +
      `p90 ${q(0.9)}, p95 ${q(0.95)}, p99 ${q(0.99)}, max ${views.at(-1)}; never within ${BANDIT_PLAN.maxPublications * BANDIT_PLAN.batch}: ${never} ` +
      `(${perView.toFixed(1)} product impressions per block view; ${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}
