/**
 * The randomized lift: the arithmetic against independent references (SciPy's Student t and Welch test), then the
 * statistical claims on simulated shops with planted effects (tests/unit/insights/offers/simulate.ts): interval coverage,
 * the A/A false-achievement rate, power at the minimum detectable effect, and the verdicts. Seeded, so reproducible;
 * `npm run bench -- offers` runs the same simulation at 5 000 replicates and several sizes.
 */
import { describe, expect, it } from "vitest";
import { normalQuantile } from "../../../../app/insights/rules/stats";
import {
  LIFT_METHOD,
  LiftError,
  minimumDetectableEffect,
  randomizedLift,
  studentTQuantile,
  type LiftMetric,
  type VisitorOutcome,
} from "../../../../app/insights/offers/lift";
import { seededRng } from "../../../../app/insights/trends/random";
import { BASE_PLAN, coverage, type VisitorPlan } from "./simulate";

/** A cap for the simulation tests (about 1–2 s each on an idle machine; the cap allows for a loaded one). */
const SIMULATION_TIMEOUT = 60_000;
const METRICS: LiftMetric[] = ["revenue-per-visitor", "conversion", "aov"];
const Z999 = normalQuantile(0.9995);

/** The two-sided 99.9 % binomial band of a rate p over n replicates. */
const band = (p: number, n: number) => {
  const half = Z999 * Math.sqrt((p * (1 - p)) / n);
  return [p - half, p + half] as const;
};

/** Visitors whose revenue is the listed amounts (0 = no order, else one order of that amount). */
const visitorsOf = (arm: "treatment" | "holdout", amounts: number[], times: number): VisitorOutcome[] =>
  Array.from({ length: times }, () => amounts.map((revenue) => ({ arm, orders: revenue > 0 ? 1 : 0, revenue }))).flat();

describe("studentTQuantile", () => {
  // scipy.stats.t.ppf
  it.each([
    [0.975, 1, 12.706204736174694],
    [0.975, 2.5, 3.5746548420036817],
    [0.975, 10, 2.228138851986274],
    [0.975, 37.3, 2.0256425230779604],
    [0.975, 1000, 1.9623390808264083],
    [0.9, 2.5, 1.7302509288071766],
    [0.9, 10, 1.372183641110336],
  ])("p %s, df %s is %s", (p, df, expected) => {
    expect(studentTQuantile(p, df)).toBeCloseTo(expected, 9);
    expect(studentTQuantile(1 - p, df)).toBeCloseTo(-expected, 9);
  });
});

describe("randomizedLift: the arithmetic", () => {
  // Symmetric outcomes (no skewness), so the intervals are exactly Welch's and the delta method's.
  const data = [...visitorsOf("treatment", [0, 1000, 2000, 3000, 4000], 30), ...visitorsOf("holdout", [0, 500, 1000], 40)];
  const result = randomizedLift(data, { goal: { metric: "revenue-per-visitor", value: 0, kind: "absolute" } });

  it("counts visitors, buyers, orders and revenue per arm", () => {
    expect(result.method).toBe(LIFT_METHOD);
    expect(result.counts).toEqual({
      treatment: { visitors: 150, orders: 120, buyers: 120, revenue: 300_000 },
      holdout: { visitors: 120, orders: 80, buyers: 80, revenue: 60_000 },
    });
  });

  it("revenue per visitor: Welch's interval (SciPy ttest_ind, equal_var=False)", () => {
    const rpv = result.metrics["revenue-per-visitor"]!;
    expect(rpv.treatment).toBe(2000);
    expect(rpv.holdout).toBe(500);
    expect(rpv.absolute.estimate).toBe(1500);
    expect(rpv.absolute.df).toBeCloseTo(179.27221455453386, 8);
    expect(rpv.absolute.lower).toBeCloseTo(1259.749981312746, 6);
    expect(rpv.absolute.upper).toBeCloseTo(1740.250018687254, 6);
  });

  it("AOV: the delta method for the ratio of per-visitor sums, df from buyers (reference computed in NumPy)", () => {
    const aov = result.metrics.aov!;
    expect(aov.treatment).toBe(2500);
    expect(aov.holdout).toBe(750);
    expect(aov.absolute.df).toBeCloseTo(136.39207517714837, 8);
    expect(aov.absolute.lower).toBeCloseTo(1540.026153285748, 6);
    expect(aov.absolute.upper).toBeCloseTo(1959.973846714252, 6);
    expect(aov.relative!.estimate).toBeCloseTo(2500 / 750 - 1, 12);
    expect(aov.relative!.lower).toBeCloseTo(1.9878369340876882, 9);
    expect(aov.relative!.upper).toBeCloseTo(2.71878096302595, 9);
  });

  it("conversion is the share of visitors with an order; a visitor with several orders counts once", () => {
    const clustered = [
      ...Array.from({ length: 200 }, (_, i) => ({ arm: "treatment" as const, orders: i < 20 ? 3 : 0, revenue: i < 20 ? 9000 : 0 })),
      ...Array.from({ length: 200 }, (_, i) => ({ arm: "holdout" as const, orders: i < 10 ? 1 : 0, revenue: i < 10 ? 3000 : 0 })),
    ];
    const r = randomizedLift(clustered);
    expect(r.metrics.conversion!.treatment).toBe(0.1);
    expect(r.metrics.conversion!.holdout).toBe(0.05);
    expect(r.metrics.aov!.treatment).toBe(3000);
    expect(r.counts.treatment.orders).toBe(60);
    expect(r.metrics.aov!.absolute.estimate).toBe(0);
  });

  it("a skewed holdout widens the interval on the side its tail hides (Hall's correction), and the relative interval is asymmetric", () => {
    const skewed = [...visitorsOf("treatment", [0, 0, 0, 3000, 3000], 200), ...visitorsOf("holdout", [0, 0, 0, 0, 0, 0, 0, 0, 1000, 20000], 20)];
    const rpv = randomizedLift(skewed).metrics["revenue-per-visitor"]!;
    const below = rpv.absolute.estimate - rpv.absolute.lower;
    const above = rpv.absolute.upper - rpv.absolute.estimate;
    expect(below).toBeGreaterThan(above);
    expect(rpv.relative!.upper - rpv.relative!.estimate).toBeGreaterThan(rpv.relative!.estimate - rpv.relative!.lower);
  });

  it("the relative difference is null when the holdout's value is 0, and AOV is null without holdout orders", () => {
    const r = randomizedLift([...visitorsOf("treatment", [0, 1000], 100), ...visitorsOf("holdout", [0], 100)]);
    expect(r.metrics["revenue-per-visitor"]!.relative).toBeNull();
    expect(r.metrics.aov).toBeNull();
    const verdict = randomizedLift([...visitorsOf("treatment", [0, 1000], 100), ...visitorsOf("holdout", [0], 100)], {
      goal: { metric: "aov", value: 0, kind: "absolute" },
      minOrders: 1,
    }).verdict!;
    expect(verdict.status).toBe("inconclusive");
    expect(verdict.reason).toMatch(/too little data: holdout has 0 orders/);
  });

  it("is inconclusive, with the reason, below the minimum visitors or orders in either arm", () => {
    const few = [...visitorsOf("treatment", [0, 5000], 500), ...visitorsOf("holdout", [0, 0, 0, 0, 0, 0, 0, 0, 0, 1000], 9)];
    const verdict = randomizedLift(few, { goal: { metric: "revenue-per-visitor", value: 0, kind: "absolute" } }).verdict!;
    expect(verdict.status).toBe("inconclusive");
    expect(verdict.reason).toBe("too little data: holdout has 90 visitors (minimum 100); holdout has 9 orders (minimum 100)");
    const custom = randomizedLift(few, { goal: { metric: "conversion", value: 0, kind: "absolute" }, minVisitors: 50, minOrders: 10 }).verdict!;
    expect(custom.reason).toBe("too little data: holdout has 9 orders (minimum 10)");
    // The defaults: 100 visitors and 100 orders in each arm.
    const enough = [...visitorsOf("treatment", [0, 5000], 100), ...visitorsOf("holdout", [0, 1000], 100)];
    expect(randomizedLift(enough, { goal: { metric: "conversion", value: 0, kind: "absolute" } }).verdict!.reason).toMatch(/interval .* contains the goal 0/);
    expect(randomizedLift(enough.slice(0, -2), { goal: { metric: "conversion", value: 0, kind: "absolute" } }).verdict!.reason).toBe(
      "too little data: holdout has 99 orders (minimum 100)",
    );
  });

  it("judges the goal by the whole interval: achieved, not achieved, inconclusive, and for a decrease", () => {
    const rpv = result.metrics["revenue-per-visitor"]!.absolute; // about [1260, 1740]
    const judge = (value: number, direction?: "increase" | "decrease") =>
      randomizedLift(data, { goal: { metric: "revenue-per-visitor", value, kind: "absolute", direction }, minOrders: 10 }).verdict!.status;
    expect(judge(rpv.lower - 1)).toBe("achieved");
    expect(judge(rpv.lower + 1)).toBe("inconclusive");
    expect(judge(rpv.upper + 1)).toBe("not-achieved");
    expect(judge(rpv.upper + 1, "decrease")).toBe("achieved");
    expect(judge(rpv.lower - 1, "decrease")).toBe("not-achieved");
    const relative = randomizedLift(data, { goal: { metric: "aov", value: 1.9, kind: "relative" }, minOrders: 10 }).verdict!;
    expect(relative.status).toBe("achieved");
    expect(relative.reason).toMatch(/95 % interval .* of the relative difference in AOV lies entirely at or beyond the goal 1.9/);
    // The one-sided p-value of falling short of a relative goal (ADR 023's FDR family) is the interval's own t test:
    // at or below 2.5 % exactly when the 95 % interval's lower bound clears the goal.
    const aov = result.metrics.aov!.relative!;
    for (const goalValue of [aov.lower - 0.01, aov.lower + 0.01, aov.estimate, aov.upper + 0.01]) {
      const v = randomizedLift(data, { goal: { metric: "aov", value: goalValue, kind: "relative" }, minOrders: 10 }).verdict!;
      expect(v.pGoal! <= 0.025).toBe(v.status === "achieved");
      expect(v.pGoal!).toBeGreaterThan(0);
    }
    const atEstimate = randomizedLift(data, { goal: { metric: "aov", value: aov.estimate, kind: "relative" }, minOrders: 10 }).verdict!;
    expect(atEstimate.pGoal).toBeCloseTo(0.5, 10);
    const down = randomizedLift(data, { goal: { metric: "aov", value: aov.upper + 0.01, kind: "relative", direction: "decrease" }, minOrders: 10 }).verdict!;
    expect(down.status).toBe("achieved");
    expect(down.pGoal!).toBeLessThanOrEqual(0.025);
    // Absolute goals carry none (their interval is Hall-corrected, not a plain t).
    expect(randomizedLift(data, { goal: { metric: "aov", value: 0, kind: "absolute" }, minOrders: 10 }).verdict!.pGoal).toBeUndefined();
  });

  it("rejects bad input with clear errors", () => {
    expect(() => randomizedLift([{ arm: "control" as "holdout", orders: 0, revenue: 0 }])).toThrow(/visitor 0: arm must be/);
    expect(() => randomizedLift([{ arm: "holdout", orders: 1.5, revenue: 10 }])).toThrow(/orders must be a non-negative integer/);
    expect(() => randomizedLift([{ arm: "holdout", orders: 1, revenue: Number.NaN }])).toThrow(/revenue must be a finite number/);
    expect(() => randomizedLift([{ arm: "holdout", orders: 0, revenue: 10 }])).toThrow(/revenue 10 without orders/);
    expect(() => randomizedLift([], { level: 1 })).toThrow(LiftError);
    expect(() => randomizedLift([], { goal: { metric: "clicks" as "aov", value: 0, kind: "absolute" } })).toThrow(/goal.metric must be one of/);
    expect(() => randomizedLift([], { goal: { metric: "aov", value: -1, kind: "relative" } })).toThrow(/above -1/);
  });
});

describe("randomizedLift: calibration on simulated shops with planted effects", () => {
  // 30 000 exposed visitors, 10 % holdout: about 90 holdout buyers and 110 holdout orders, lognormal baskets
  // (σ = 0.8) with a shared visitor multiplier (σ = 0.4) and repeat orders. Planted: conversion 3.0 % → 3.3 %,
  // baskets +5 %. With fewer holdout orders or heavier tails the intervals cover less than 95 % (the benchmark
  // `npm run bench -- offers` prints how much).
  const plan: VisitorPlan = { ...BASE_PLAN, visitors: 30_000 };
  const replicates = 400;

  it("the 95 % intervals cover the planted differences at 95 % ± simulation error (400 replicates, 99.9 % band)", () => {
    const tally = coverage(plan, replicates, 20261202);
    const [lo, hi] = band(0.95, replicates);
    for (const m of METRICS) {
      expect(tally.missing[m]).toBe(0);
      expect(tally.covered[m].absolute / replicates, `${m} absolute`).toBeGreaterThanOrEqual(lo);
      expect(tally.covered[m].absolute / replicates, `${m} absolute`).toBeLessThanOrEqual(hi);
      expect(tally.covered[m].relative / replicates, `${m} relative`).toBeGreaterThanOrEqual(lo);
      expect(tally.covered[m].relative / replicates, `${m} relative`).toBeLessThanOrEqual(hi);
    }
  }, SIMULATION_TIMEOUT);

  it("an A/A placebo is called achieved for an increase no more often than 2.5 % + simulation error", () => {
    const placebo: VisitorPlan = { ...plan, conversion: { treatment: 0.03, holdout: 0.03 }, basketLift: { treatment: 1, holdout: 1 } };
    // Goal 0 is the most lenient increase goal: any positive goal is achieved less often.
    const goals = [
      { metric: "revenue-per-visitor", value: 0, kind: "absolute" },
      { metric: "conversion", value: 0, kind: "relative" },
      { metric: "aov", value: 0, kind: "absolute" },
      { metric: "revenue-per-visitor", value: 0.02, kind: "relative" },
    ] as const;
    const tally = coverage(placebo, replicates, 99, goals);
    const [, hi] = band(0.025, replicates);
    goals.forEach((goal, i) => expect(tally.verdicts[i]!.achieved / replicates, `${goal.metric} ${goal.kind} ${goal.value}`).toBeLessThanOrEqual(hi));
  }, SIMULATION_TIMEOUT);

  it("a real lift with enough visitors is achieved: RPV +26 % against a goal of +5 %, 600 000 visitors", () => {
    const big: VisitorPlan = { ...BASE_PLAN, visitors: 600_000, conversion: { treatment: 0.036, holdout: 0.03 } };
    const goals = [
      { metric: "revenue-per-visitor", value: 0.05, kind: "relative" },
      { metric: "revenue-per-visitor", value: 0.6, kind: "relative" }, // beyond the planted lift
    ] as const;
    const tally = coverage(big, 3, 3, goals);
    expect(tally.verdicts[0]).toEqual({ achieved: 3, "not-achieved": 0, inconclusive: 0 });
    expect(tally.verdicts[1]).toEqual({ achieved: 0, "not-achieved": 3, inconclusive: 0 });
  }, SIMULATION_TIMEOUT);
});

describe("minimumDetectableEffect", () => {
  it("is (z(1-α/2) + z(power)) σ √(1/nₜ + 1/nₕ)", () => {
    const mde = minimumDetectableEffect({ visitorsPerArm: { treatment: 9000, holdout: 1000 }, baselineMean: 0.03, baselineSd: Math.sqrt(0.03 * 0.97) });
    const expected = (normalQuantile(0.975) + normalQuantile(0.8)) * Math.sqrt(0.03 * 0.97) * Math.sqrt(1 / 9000 + 1 / 1000);
    expect(mde.absolute).toBeCloseTo(expected, 12);
    expect(mde.relative).toBeCloseTo(expected / 0.03, 12);
    expect(minimumDetectableEffect({ visitorsPerArm: 500, baselineMean: 0, baselineSd: 1 }).relative).toBeNull();
    expect(() => minimumDetectableEffect({ visitorsPerArm: 1, baselineMean: 1, baselineSd: 1 })).toThrow(/visitorsPerArm.treatment must be at least 2/);
    expect(() => minimumDetectableEffect({ visitorsPerArm: 10, baselineMean: 1, baselineSd: 1, power: 1 })).toThrow(/power must be in/);
  });

  it("a planted effect equal to the MDE is achieved (goal 0) with the stated power, ± simulation error", () => {
    // Conversion 30 % in both arms of 1 000 visitors; the treatment gets +MDE.
    const n = 1000;
    const p = 0.3;
    const mde = minimumDetectableEffect({ visitorsPerArm: n, baselineMean: p, baselineSd: Math.sqrt(p * (1 - p)), power: 0.8 }).absolute;
    const pt = p + mde;
    // The treatment's own variance is a little larger than the baseline's, so the exact power is a little under 0.8.
    const seTrue = Math.sqrt((p * (1 - p) + pt * (1 - pt)) / n);
    const expectedPower = 1 - 0.5 * (1 + erf((normalQuantile(0.975) * seTrue - mde) / seTrue / Math.SQRT2));
    const rng = seededRng(8);
    const replicates = 400;
    let achieved = 0;
    for (let r = 0; r < replicates; r++) {
      const visitors: VisitorOutcome[] = [];
      for (let i = 0; i < n; i++) {
        const t = rng() < pt;
        const h = rng() < p;
        visitors.push({ arm: "treatment", orders: t ? 1 : 0, revenue: t ? 100 : 0 }, { arm: "holdout", orders: h ? 1 : 0, revenue: h ? 100 : 0 });
      }
      const v = randomizedLift(visitors, { goal: { metric: "conversion", value: 0, kind: "absolute" } }).verdict!;
      if (v.status === "achieved") achieved++;
    }
    const [lo, hi] = band(expectedPower, replicates);
    expect(expectedPower).toBeGreaterThan(0.78);
    expect(achieved / replicates).toBeGreaterThanOrEqual(lo);
    expect(achieved / replicates).toBeLessThanOrEqual(hi);
  }, SIMULATION_TIMEOUT);
});

function erf(x: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): enough for an expected power.
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}
