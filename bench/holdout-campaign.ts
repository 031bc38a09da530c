/**
 * `npm run bench -- holdout-campaign [--replicates 2000] [--seed 1] [--sizes 200,1000,5000] [--permutations 2000] [--welch]`:
 * calibration of the campaign holdout evaluation (app/insights/impact/holdout-campaign.ts) on simulated segment
 * campaigns with planted truths and realistic noise (tests/unit/insights/impact/campaign-simulate.ts: gamma(0.5)
 * purchase rates, lognormal order values shared within a customer, an AR(1) daily shock common to both arms, 5 % of
 * orders refunded, 28 days, 10 % holdout; the unit test runs the same simulation small).
 *
 * - Coverage: the share of replicates whose 95 % interval holds the planted effect (+15 % purchase rate), for orders
 *   and revenue per customer, absolute and relative; in brackets the misses with the interval wholly below / above.
 *   Goal 95 %.
 * - Placebo (no effect planted): how often an increase goal is called "achieved": goal 0 (the sharp case, nominal
 *   ≤ 2.5 %) and goal +5 % (nominal well below); with the default minimum-sample rule (30 customers, 10 orders per arm)
 *   and without it ("raw"), and how often the rule makes the verdict inconclusive.
 * - `--welch`: the same with Welch's t and Hall's correction instead of the permutation test (the rejected method).
 */
import type { CampaignGoal } from "../app/insights/impact/holdout-campaign";
import { BASE_CAMPAIGN, calibrate, type Calibration } from "../tests/unit/insights/impact/campaign-simulate";
import { option, positive } from "./args";


const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)}`;
const GOALS: CampaignGoal[] = [
  { metric: "orders-per-customer", value: 0, kind: "relative", direction: "increase" },
  { metric: "revenue-per-customer", value: 0, kind: "relative", direction: "increase" },
  { metric: "revenue-per-customer", value: 0.05, kind: "relative", direction: "increase" },
];

export async function benchHoldoutCampaign(args: string[]): Promise<void> {
  const replicates = positive(option(args, "replicates", "2000"), "replicates");
  const seed = positive(option(args, "seed", "1"), "seed");
  const sizes = option(args, "sizes", "200,1000,5000").split(",").map((s) => positive(s, "sizes"));
  const permutations = positive(option(args, "permutations", "2000"), "permutations");
  const interval = args.includes("--welch") ? ("welch-hall" as const) : ("permutation" as const);
  const seCoverage = 100 * Math.sqrt((0.95 * 0.05) / replicates);
  const sePlacebo = 100 * Math.sqrt((0.025 * 0.975) / replicates);
  console.log(
    `Campaign holdout evaluation (${interval === "permutation" ? `studentized permutation test, ${permutations} re-draws` : "Welch t with Hall's correction"}), ` +
      `${replicates} replicates per size; simulation sd ${seCoverage.toFixed(2)} points on coverage, ${sePlacebo.toFixed(2)} on a 2.5 % rate`,
  );
  console.log(
    `Plan: ${BASE_CAMPAIGN.days} days, mean ${(BASE_CAMPAIGN.ratePerDay * BASE_CAMPAIGN.days).toFixed(2)} orders per member, rate shape ${BASE_CAMPAIGN.rateShape}, ` +
      `AR(1) shock φ ${BASE_CAMPAIGN.shock.phi} sd ${BASE_CAMPAIGN.shock.sd}, order value σ ${BASE_CAMPAIGN.orderSigma} per order and ${BASE_CAMPAIGN.customerSigma} per customer, ` +
      `${BASE_CAMPAIGN.refundShare * 100} % refunded, holdout ${BASE_CAMPAIGN.holdoutShare * 100} %, planted lift +${BASE_CAMPAIGN.lift * 100} %`,
  );
  const cell = (c: Calibration, m: "orders-per-customer" | "revenue-per-customer", k: "absolute" | "relative") =>
    `${pct(c.covered[m][k], c.usable[m][k])} (${c.below[m][k]}/${c.above[m][k]})`.padStart(15);
  console.log(
    `\n${"members".padStart(7)} ${"holdout cust/orders".padStart(19)} | ${"orders abs".padStart(15)} ${"orders rel".padStart(15)} ${"revenue abs".padStart(15)} ${"revenue rel".padStart(15)} | ` +
      `placebo achieved % raw (orders g0 / revenue g0 / revenue g+5%) | with the 30/10 rule | inconclusive by rule % | seconds`,
  );
  for (const members of sizes) {
    const started = performance.now();
    const cover = calibrate({ ...BASE_CAMPAIGN, members }, replicates, seed * 1_000_003 + members, [], { interval, permutations });
    const raw = calibrate({ ...BASE_CAMPAIGN, members, lift: 0 }, replicates, seed * 1_000_003 + members + 1, GOALS, { interval, permutations, minCustomers: 2, minOrders: 1 });
    const ruled = calibrate({ ...BASE_CAMPAIGN, members, lift: 0 }, replicates, seed * 1_000_003 + members + 1, GOALS, { interval, permutations });
    const rates = (c: Calibration) => c.verdicts.map((v) => pct(v.achieved, replicates)).join(" / ");
    console.log(
      `${String(members).padStart(7)} ${`${cover.holdoutCustomers.toFixed(0)}/${cover.holdoutOrders.toFixed(0)}`.padStart(19)} | ` +
        `${cell(cover, "orders-per-customer", "absolute")} ${cell(cover, "orders-per-customer", "relative")} ${cell(cover, "revenue-per-customer", "absolute")} ${cell(cover, "revenue-per-customer", "relative")} | ` +
        `${rates(raw).padStart(20)} | ${rates(ruled).padStart(20)} | ${pct(ruled.belowMinimum, replicates).padStart(5)} | ${((performance.now() - started) / 1000).toFixed(1)}`,
    );
  }
}
