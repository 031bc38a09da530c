/**
 * Simulated exposed visitors for the lift tests and `npm run bench -- offers`, with planted truths:
 * - arm: holdout with probability `holdoutShare` (a Bernoulli draw per visitor, as cookie assignment gives);
 * - conversion: a visitor buys with probability `conversion[arm]` (most visitors buy nothing: zero inflation);
 * - clustering: a buyer places 1 + Poisson(`extraOrders`) orders, and all of a visitor's orders share a lognormal
 *   visitor multiplier exp(τZ − τ²/2) (mean 1), so orders of one visitor are correlated;
 * - basket: each order is lognormal(μ, σ) × `basketLift[arm]` × the visitor multiplier, rounded to minor units
 *   (heavy right tail: σ = 1 gives a mean 1.65× the median).
 * True values: conversion p; AOV = e^(μ+σ²/2) × basketLift; RPV = p × (1 + extraOrders) × AOV (rounding to whole
 * minor units moves these by far less than a unit).
 */
import { judgeLift, randomizedLift, type LiftGoal, type LiftMetric, type VisitorOutcome } from "../../../../app/insights/offers/lift";
import { seededRng, type Rng } from "../../../../app/insights/trends/random";

export interface VisitorPlan {
  visitors: number;
  holdoutShare: number;
  conversion: { treatment: number; holdout: number };
  basketLift: { treatment: number; holdout: number };
  extraOrders: number;
  visitorSigma: number;
  basketMu: number;
  basketSigma: number;
}

/**
 * A shop like a small apparel store: 3 % conversion, median basket 40.00 (in cents), lognormal σ = 0.8 per order and
 * 0.4 per visitor (order values with a coefficient of variation about 1.1, as shop data typically show), 25 % of
 * buyers order again. Planted: conversion 3.0 % → 3.3 % and baskets +5 % in the treatment.
 */
export const BASE_PLAN: VisitorPlan = {
  visitors: 20_000,
  holdoutShare: 0.1,
  conversion: { treatment: 0.033, holdout: 0.03 },
  basketLift: { treatment: 1.05, holdout: 1 },
  extraOrders: 0.25,
  visitorSigma: 0.4,
  basketMu: Math.log(4000),
  basketSigma: 0.8,
};

/** The same shop with heavier tails (σ = 1 per order, 0.5 per visitor: order-value CV about 1.6). */
export const HEAVY_PLAN: VisitorPlan = { ...BASE_PLAN, visitorSigma: 0.5, basketSigma: 1 };

export function normal(rng: Rng): number {
  let u = rng();
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A Poisson draw: Knuth's product of uniforms, a rounded normal above a mean of 30 (where it is close and cheaper). */
export function poisson(rng: Rng, lambda: number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rng)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** Non-buyers share one frozen record per arm (the simulation makes millions of them). */
const NO_ORDER = { treatment: Object.freeze({ arm: "treatment", orders: 0, revenue: 0 }), holdout: Object.freeze({ arm: "holdout", orders: 0, revenue: 0 }) } as const;

export function simulateVisitors(plan: VisitorPlan, rng: Rng): VisitorOutcome[] {
  const out: VisitorOutcome[] = new Array(plan.visitors);
  const tau = plan.visitorSigma;
  for (let i = 0; i < plan.visitors; i++) {
    // One uniform decides the arm and, rescaled within the arm's part of [0, 1), whether the visitor buys.
    const u = rng();
    const arm = u < plan.holdoutShare ? "holdout" : "treatment";
    const within = arm === "holdout" ? u / plan.holdoutShare : (u - plan.holdoutShare) / (1 - plan.holdoutShare);
    if (within >= plan.conversion[arm]) {
      out[i] = NO_ORDER[arm];
      continue;
    }
    const orders = 1 + poisson(rng, plan.extraOrders);
    const visitor = Math.exp(tau * normal(rng) - (tau * tau) / 2) * plan.basketLift[arm];
    let revenue = 0;
    for (let k = 0; k < orders; k++) revenue += Math.round(Math.exp(plan.basketMu + plan.basketSigma * normal(rng)) * visitor);
    out[i] = { arm, orders, revenue };
  }
  return out;
}

export type Truth = Record<LiftMetric, { treatment: number; holdout: number; absolute: number; relative: number }>;

export function plantedTruth(plan: VisitorPlan): Truth {
  const basket = Math.exp(plan.basketMu + (plan.basketSigma * plan.basketSigma) / 2);
  const arm = (a: "treatment" | "holdout") => {
    const aov = basket * plan.basketLift[a];
    const conversion = plan.conversion[a];
    return { conversion, aov, "revenue-per-visitor": conversion * (1 + plan.extraOrders) * aov };
  };
  const t = arm("treatment");
  const h = arm("holdout");
  const pair = (m: LiftMetric) => ({ treatment: t[m], holdout: h[m], absolute: t[m] - h[m], relative: t[m] / h[m] - 1 });
  return { "revenue-per-visitor": pair("revenue-per-visitor"), conversion: pair("conversion"), aov: pair("aov") };
}

export type VerdictTally = { achieved: number; "not-achieved": number; inconclusive: number };

export interface CoverageTally {
  replicates: number;
  /** Replicates whose interval held the planted difference, per metric, absolute and relative. */
  covered: Record<LiftMetric, { absolute: number; relative: number }>;
  /** Replicates where the metric could not be estimated (no orders in an arm). */
  missing: Record<LiftMetric, number>;
  /** Verdicts for each of `goals`, in order. */
  verdicts: VerdictTally[];
}

/** Runs `replicates` simulated experiments and counts how often each interval covers the planted difference. */
export function coverage(
  plan: VisitorPlan,
  replicates: number,
  seed: number,
  goals: readonly LiftGoal[] = [],
  minimum: { minVisitors?: number; minOrders?: number } = {},
  level = 0.95,
): CoverageTally {
  const rng = seededRng(seed);
  const truth = plantedTruth(plan);
  const metrics: LiftMetric[] = ["revenue-per-visitor", "conversion", "aov"];
  const tally: CoverageTally = {
    replicates,
    covered: { "revenue-per-visitor": { absolute: 0, relative: 0 }, conversion: { absolute: 0, relative: 0 }, aov: { absolute: 0, relative: 0 } },
    missing: { "revenue-per-visitor": 0, conversion: 0, aov: 0 },
    verdicts: goals.map(() => ({ achieved: 0, "not-achieved": 0, inconclusive: 0 })),
  };
  for (let r = 0; r < replicates; r++) {
    const result = randomizedLift(simulateVisitors(plan, rng), { level });
    for (const m of metrics) {
      const lift = result.metrics[m];
      if (!lift || !lift.relative) {
        tally.missing[m]++;
        continue;
      }
      if (lift.absolute.lower <= truth[m].absolute && truth[m].absolute <= lift.absolute.upper) tally.covered[m].absolute++;
      if (lift.relative.lower <= truth[m].relative && truth[m].relative <= lift.relative.upper) tally.covered[m].relative++;
    }
    goals.forEach((goal, i) => tally.verdicts[i]![judgeLift(result, goal, minimum).status]++);
  }
  return tally;
}
