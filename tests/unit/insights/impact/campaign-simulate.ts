/**
 * Simulated segment campaigns with a randomized holdout, for the calibration test
 * (holdout-campaign.test.ts) and `npm run bench -- holdout-campaign`, with planted truths and realistic noise:
 * - members: each is held out with probability `holdoutShare` (a Bernoulli draw per member, as the sticky draw is);
 * - customers are clustered and overdispersed: each has a purchase rate λᵢ ~ Gamma(shape k, mean `ratePerDay`)
 *   (order counts are then negative binomial: most members buy nothing, a few buy often), and a lognormal value
 *   multiplier exp(τZᵢ) shared by all their orders;
 * - days are serially correlated and common to everyone: a log shock xₜ = φ·xₜ₋₁ + εₜ (AR(1), stationary sd
 *   `shock.sd`), sₜ = exp(xₜ − sd²/2), multiplies every customer's rate on day t in both arms (a slow week, a sale
 *   elsewhere); a member's orders in the window are Poisson(λᵢ · Σₜ sₜ · (1 + lift if treated));
 * - each order's value is lognormal (median e^μ, σ per order) × the customer's multiplier, rounded to minor units;
 *   a share `refundShare` of orders is refunded in full (net revenue 0, the order still counts).
 * Truth, given the window's shocks S = Σₜ sₜ (the estimand: the campaign's effect in this window): relative lift =
 * `lift` for both metrics; orders per customer: lift · m · S; revenue per customer: lift · m · S · e^(μ + (τ² + σ²)/2)
 * · (1 − refundShare), with m = ratePerDay.
 */
import { analyzeArms, DEFAULT_MIN_CUSTOMERS, DEFAULT_MIN_ORDERS, judgeCampaign, type CampaignGoal, type CampaignMetric, type CustomerOutcome } from "../../../../app/insights/impact/holdout-campaign";
import { sampleGamma } from "../../../../app/insights/offers/bandit";
import { seededRng, type Rng } from "../../../../app/insights/trends/random";
import { normal, poisson } from "../offers/simulate";

export interface CampaignPlan {
  members: number;
  holdoutShare: number;
  days: number;
  ratePerDay: number;
  rateShape: number;
  shock: { phi: number; sd: number };
  valueMu: number;
  customerSigma: number;
  orderSigma: number;
  refundShare: number;
  /** Relative change of the treated members' purchase rate (0 = placebo). */
  lift: number;
}

/**
 * A shop's segment over a 28-day window: the mean member places 0.56 orders in 28 days (0.02 a day), rate shape 0.5 (coefficient of variation √2 between customers); daily shocks
 * AR(1) φ = 0.7 with sd 0.3 on the log scale; order values median 40.00 (cents), σ 0.8 per order and 0.5 per customer;
 * 5 % refunded; 10 % holdout; planted +15 % purchase rate.
 */
export const BASE_CAMPAIGN: CampaignPlan = {
  members: 1000,
  holdoutShare: 0.1,
  days: 28,
  ratePerDay: 0.02,
  rateShape: 0.5,
  shock: { phi: 0.7, sd: 0.3 },
  valueMu: Math.log(4000),
  customerSigma: 0.5,
  orderSigma: 0.8,
  refundShare: 0.05,
  lift: 0.15,
};


export interface SimulatedCampaign {
  outcomes: CustomerOutcome[];
  /** The window's summed daily shock S. */
  shock: number;
  truth: Record<CampaignMetric, { absolute: number; relative: number }>;
}

export function simulateCampaign(plan: CampaignPlan, rng: Rng): SimulatedCampaign {
  const { phi, sd } = plan.shock;
  const innovation = sd * Math.sqrt(1 - phi * phi);
  let x = sd * normal(rng); // start from the stationary distribution
  let S = 0;
  for (let t = 0; t < plan.days; t++) {
    if (t > 0) x = phi * x + innovation * normal(rng);
    S += Math.exp(x - (sd * sd) / 2);
  }
  const outcomes: CustomerOutcome[] = [];
  const scale = plan.ratePerDay / plan.rateShape;
  for (let i = 0; i < plan.members; i++) {
    const holdout = rng() < plan.holdoutShare;
    const rate = sampleGamma(rng, plan.rateShape) * scale;
    const orders = poisson(rng, rate * S * (holdout ? 1 : 1 + plan.lift));
    const customer = plan.customerSigma * normal(rng);
    let revenue = 0;
    for (let k = 0; k < orders; k++) {
      const value = Math.round(Math.exp(plan.valueMu + customer + plan.orderSigma * normal(rng)));
      if (rng() >= plan.refundShare) revenue += value;
    }
    outcomes.push({ holdout, orders, revenue });
  }
  const ordersEffect = plan.lift * plan.ratePerDay * S;
  const meanValue = Math.exp(plan.valueMu + (plan.customerSigma ** 2 + plan.orderSigma ** 2) / 2) * (1 - plan.refundShare);
  return {
    outcomes,
    shock: S,
    truth: {
      "orders-per-customer": { absolute: ordersEffect, relative: plan.lift },
      "revenue-per-customer": { absolute: ordersEffect * meanValue, relative: plan.lift },
    },
  };
}

export interface Calibration {
  replicates: number;
  /** Replicates whose interval was computed (both arms with ≥ 2 customers and, for relative, a holdout mean > 0). */
  usable: Record<CampaignMetric, { absolute: number; relative: number }>;
  covered: Record<CampaignMetric, { absolute: number; relative: number }>;
  /** Misses by side: the interval lies wholly below / above the truth. */
  below: Record<CampaignMetric, { absolute: number; relative: number }>;
  above: Record<CampaignMetric, { absolute: number; relative: number }>;
  verdicts: { goal: CampaignGoal; achieved: number; notAchieved: number; inconclusive: number }[];
  holdoutCustomers: number;
  holdoutOrders: number;
  /** Replicates below the default minimum-sample rule (an arm with < 30 customers or < 10 orders): inconclusive by rule. */
  belowMinimum: number;
}

const zeroPair = () => ({ "orders-per-customer": { absolute: 0, relative: 0 }, "revenue-per-customer": { absolute: 0, relative: 0 } });

/** Runs `replicates` simulated campaigns: interval coverage of the planted truth, and the verdicts for `goals`. */
export function calibrate(plan: CampaignPlan, replicates: number, seed: number, goals: CampaignGoal[] = [], options: { interval?: "permutation" | "welch-hall"; permutations?: number; minCustomers?: number; minOrders?: number } = {}): Calibration {
  const rng = seededRng(seed);
  const out: Calibration = {
    replicates,
    usable: zeroPair(),
    covered: zeroPair(),
    below: zeroPair(),
    above: zeroPair(),
    verdicts: goals.map((goal) => ({ goal, achieved: 0, notAchieved: 0, inconclusive: 0 })),
    holdoutCustomers: 0,
    holdoutOrders: 0,
    belowMinimum: 0,
  };
  for (let r = 0; r < replicates; r++) {
    const sim = simulateCampaign(plan, rng);
    const analysis = analyzeArms(sim.outcomes, { interval: options.interval, permutations: options.permutations, seed: seed + r });
    const c = analysis.comparison;
    out.holdoutCustomers += c.arms.holdout.customers;
    out.holdoutOrders += c.arms.holdout.orders;
    if ([c.arms.treated, c.arms.holdout].some((a) => a.customers < DEFAULT_MIN_CUSTOMERS || a.orders < DEFAULT_MIN_ORDERS)) out.belowMinimum++;
    for (const metric of ["orders-per-customer", "revenue-per-customer"] as const) {
      const m = c.metrics[metric];
      if (!m) continue;
      for (const kind of ["absolute", "relative"] as const) {
        const interval = m[kind];
        if (!interval) continue;
        const truth = sim.truth[metric][kind];
        out.usable[metric][kind]++;
        if (interval.lower > truth) out.above[metric][kind]++;
        else if (interval.upper !== null && interval.upper < truth) out.below[metric][kind]++;
        else out.covered[metric][kind]++;
      }
    }
    goals.forEach((goal, i) => {
      const v = judgeCampaign(analysis, goal, options).verdict;
      const tally = out.verdicts[i]!;
      if (v === "achieved") tally.achieved++;
      else if (v === "not achieved") tally.notAchieved++;
      else tally.inconclusive++;
    });
  }
  out.holdoutCustomers /= replicates;
  out.holdoutOrders /= replicates;
  return out;
}
