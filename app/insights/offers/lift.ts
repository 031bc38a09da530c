/**
 * "Did the widget work?": the randomized comparison of a storefront widget's exposed visitors, treatment against the
 * holdout that saw nothing (ADR 019). Visitors are the randomization unit, so every quantity is computed from one
 * record per exposed visitor (their orders in the window and the net revenue of those orders), never per order.
 *
 * Method — "randomized holdout: Welch/delta method on per-visitor outcomes":
 * - Revenue per exposed visitor (RPV) and conversion (share of visitors with ≥ 1 order) are means of per-visitor
 *   outcomes; their difference gets Welch's unequal-variance interval (Welch 1947): d ± t(df) · √(s²ₜ/nₜ + s²ₕ/nₕ), with
 *   the Welch–Satterthwaite degrees of freedom (Satterthwaite 1946), corrected for skewness (Hall, below). For conversion that is the unpooled Wald interval.
 * - AOV (revenue / orders, both summed over the arm's visitors) is a ratio of two per-visitor means whose numerator and
 *   denominator are correlated (a visitor's orders are a cluster). Its variance is the delta method for a ratio
 *   estimator (Cochran 1977 §6; Deng, Knoblich & Lu 2018, "Applying the delta method in metric analytics"):
 *   Var(R̂) ≈ Var(rᵢ − R̂·oᵢ) / (n · ō²). Non-buyers contribute exactly 0 to rᵢ − R̂·oᵢ, so the degrees of freedom use
 *   the arms' buyer counts instead of visitor counts (a conservative choice for a variance estimated from few buyers).
 * - Relative difference (treatment / holdout − 1): the delta method on the log ratio, se² = vₜ/μₜ² + vₕ/μₕ² (vₐ the
 *   variance of the arm's estimate), interval exp(log(μₜ/μₕ) ± t(df) · se) − 1 with Welch–Satterthwaite df on the two
 *   terms. Not Fieller: the log form is never unbounded, and when the holdout's mean is many standard errors from 0
 *   (as the default minimums make it) the two agree to first order. Undefined (null) when either arm's value is ≤ 0.
 * - The absolute intervals carry Hall's (1992) skewness-removing transformation of the studentized difference,
 *   t ↦ t + a·t²/3 + a²·t³/27 + a/6 with a = κ₃(d̂)/se³, κ₃ of each arm's estimate = its outcome's third central moment
 *   / n² (for AOV, of the linearized rᵢ − R̂·oᵢ): revenue is right-skewed and the small holdout arm dominates, so a
 *   symmetric interval misses mostly on one side. With zero skewness the interval is exactly Welch's; in the
 *   simulations below it cuts the A/A false-achievement rate for RPV from 6.7 to 3.6 % (30 holdout buyers, 2 000 runs).
 * - Verdict for the goal fixed before launch (metric, value, absolute or relative, direction — increase by default):
 *   achieved when the whole interval reaches the goal (lower bound ≥ goal; for a decrease, upper bound ≤ goal);
 *   not achieved when the whole interval falls short (upper bound < goal; for a decrease, lower bound > goal);
 *   otherwise inconclusive — and always inconclusive, with the reason, when either arm has fewer than `minVisitors`
 *   visitors or `minOrders` orders (defaults 100 and 100: see the calibration below).
 * - `minimumDetectableEffect`: the smallest true difference in a mean that the verdict calls achieved (goal 0) with
 *   probability `power`: (z₍₁₊level₎/₂ + z_power) · σ · √(1/nₜ + 1/nₕ) (the normal approximation; the interval is
 *   two-sided at `level`, so "achieved" is one-sided at (1 + level)/2).
 *
 * Calibration (`npm run bench -- offers`, 5 000 replicates; simulated visitors with 3 % conversion, lognormal order
 * values σ = 0.8 per order and 0.4 per visitor, repeat orders, 10 % holdout; tests/unit/insights/offers/simulate.ts):
 * coverage of the 95 % intervals (RPV / conversion / AOV) is 92.0 / 95.5 / 89.4 % with 15 holdout buyers,
 * 93.2 / 95.4 / 91.8 % with 30, 94.2 / 94.7 / 93.5 % with 90 and 94.8 / 94.6 / 94.8 % with 300; an A/A placebo is
 * called "achieved" for an increase in 4.3 / 0.5 / 8.6 % of replicates with 15 holdout buyers, 3.2 / 2.7 / 4.3 %
 * with 90 and 2.9 / 2.3 / 3.1 % with 300 (nominal 2.5 %). Heavy tails converge slowly, hence the default minimum of
 * 100 orders per arm (a 10-order minimum would let AOV be called achieved ~3.5× too often).
 */
import { normalQuantile } from "../rules/stats";
import { lgamma } from "../clv/special";
import type { Arm } from "./assignment";

export const LIFT_METHOD = "randomized holdout: Welch/delta method on per-visitor outcomes";

export const DEFAULT_MIN_VISITORS = 100;
export const DEFAULT_MIN_ORDERS = 100;

export type LiftMetric = "revenue-per-visitor" | "conversion" | "aov";
export const LIFT_METRICS: readonly LiftMetric[] = ["revenue-per-visitor", "conversion", "aov"];

export interface VisitorOutcome {
  arm: Arm;
  /** Orders the visitor placed in the evaluation window (cancelled orders excluded). */
  orders: number;
  /** Net revenue of those orders (after refunds), minor units of the shop's currency. */
  revenue: number;
}

export interface LiftGoal {
  metric: LiftMetric;
  /** Absolute: in the metric's units (minor units for RPV and AOV, a share for conversion). Relative: 0.05 = +5 %. */
  value: number;
  kind: "absolute" | "relative";
  /** Default "increase". */
  direction?: "increase" | "decrease";
}

export interface LiftOptions {
  /** Two-sided confidence level of the intervals, default 0.95. */
  level?: number;
  goal?: LiftGoal;
  /** Below this many visitors in either arm the verdict is inconclusive. Default 100. */
  minVisitors?: number;
  /** Below this many orders in either arm the verdict is inconclusive. Default 100 (see the calibration above). */
  minOrders?: number;
}

export interface LiftInterval {
  estimate: number;
  lower: number;
  upper: number;
  /** Standard error: of the difference (absolute) or of the log ratio (relative). */
  se: number;
  df: number;
}

export interface MetricLift {
  metric: LiftMetric;
  treatment: number;
  holdout: number;
  /** treatment − holdout. */
  absolute: LiftInterval;
  /** treatment / holdout − 1; null when either value is ≤ 0. */
  relative: LiftInterval | null;
}

export interface ArmCounts {
  visitors: number;
  orders: number;
  /** Visitors with at least one order. */
  buyers: number;
  revenue: number;
}

export type LiftVerdictStatus = "achieved" | "not-achieved" | "inconclusive";

export interface LiftVerdict {
  goal: LiftGoal & { direction: "increase" | "decrease" };
  status: LiftVerdictStatus;
  reason: string;
  /**
   * One-sided p-value of "the effect falls short of the goal" (small: the goal was reached), for the shop-wide false
   * discovery rate control (ADR 023). Relative goals only, from the log-ratio's t (the interval's own); else absent.
   */
  pGoal?: number;
}

export interface LiftResult {
  method: string;
  level: number;
  counts: Record<Arm, ArmCounts>;
  /** A metric is null when it cannot be estimated (an arm with fewer than 2 visitors; AOV: an arm without orders). */
  metrics: Record<LiftMetric, MetricLift | null>;
  verdict: LiftVerdict | null;
}

export class LiftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LiftError";
  }
}

/** An arm's estimate of one metric and the estimated variance of that estimate. */
interface ArmEstimate {
  value: number;
  variance: number;
  /** Sample size behind the variance estimate (for Welch–Satterthwaite). */
  n: number;
  /** Estimated third cumulant of the estimate (third central moment of the outcome / n²), for the skewness correction. */
  cumulant3: number;
}

function checkLevel(level: number, name = "level"): void {
  if (!(typeof level === "number" && level > 0 && level < 1)) throw new LiftError(`${name} must be in (0, 1), got ${String(level)}`);
}

/**
 * Per-arm estimates of the three metrics from the arm's visitor count and its buyers (visitors with ≥ 1 order; the
 * others have revenue 0 and orders 0, and enter the centred sums in closed form). Two passes over the buyers (means,
 * then centred sums) for numerical stability.
 */
function armEstimates(n: number, buyerRows: readonly VisitorOutcome[]): { counts: ArmCounts; rpv: ArmEstimate | null; conversion: ArmEstimate | null; aov: ArmEstimate | null } {
  const buyers = buyerRows.length;
  let revenue = 0;
  let orders = 0;
  for (const r of buyerRows) {
    revenue += r.revenue;
    orders += r.orders;
  }
  const counts = { visitors: n, orders, buyers, revenue };
  if (n < 2) return { counts, rpv: null, conversion: null, aov: null };
  const meanR = revenue / n;
  const meanO = orders / n;
  const p = buyers / n;
  const ratio = orders > 0 ? revenue / orders : Number.NaN;
  const nonBuyers = n - buyers;
  let ssR = nonBuyers * meanR * meanR;
  let cubeR = -nonBuyers * meanR * meanR * meanR;
  let ssZ = 0; // rᵢ − R̂·oᵢ: 0 for non-buyers, and its mean is exactly 0
  let cubeZ = 0;
  for (const r of buyerRows) {
    const dr = r.revenue - meanR;
    ssR += dr * dr;
    cubeR += dr * dr * dr;
    const z = r.revenue - ratio * r.orders;
    ssZ += z * z;
    cubeZ += z * z * z;
  }
  const n2 = n * n;
  const rpv = { value: meanR, variance: ssR / (n - 1) / n, n, cumulant3: cubeR / n / n2 };
  const conversion = { value: p, variance: (p * (1 - p) * n) / (n - 1) / n, n, cumulant3: (p * (1 - p) * (1 - 2 * p)) / n2 };
  const aov =
    orders > 0
      ? { value: ratio, variance: ssZ / (n - 1) / n / (meanO * meanO), n: Math.max(2, buyers), cumulant3: cubeZ / n / n2 / (meanO * meanO * meanO) }
      : null;
  return { counts, rpv, conversion, aov };
}

/** Welch–Satterthwaite degrees of freedom for a sum of two independent variance estimates. */
function welchDf(a: number, na: number, b: number, nb: number): number {
  const num = (a + b) ** 2;
  const den = (na > 1 ? (a * a) / (na - 1) : Number.POSITIVE_INFINITY) + (nb > 1 ? (b * b) / (nb - 1) : Number.POSITIVE_INFINITY);
  if (num === 0) return Math.max(1, Math.min(na, nb) - 1); // both variances 0: the interval is a point anyway
  return Math.max(1, num / den);
}

/**
 * The inverse of Hall's transformation g(t) = t + a·t²/3 + a²·t³/27 + a/6 = ((1 + a·t/3)³ − 1)/a + a/6, which is
 * monotone, so the inverse is closed-form: t = (3/a)·(∛(1 + a·(x − a/6)) − 1). With a = 0 it is the identity.
 */
function hallInverse(x: number, a: number): number {
  if (Math.abs(a) < 1e-12) return x;
  return (3 / a) * (Math.cbrt(1 + a * (x - a / 6)) - 1);
}

function compare(metric: LiftMetric, t: ArmEstimate, h: ArmEstimate, level: number): MetricLift {
  const tail = (1 + level) / 2;
  const diff = t.value - h.value;
  const se = Math.sqrt(t.variance + h.variance);
  const df = welchDf(t.variance, t.n, h.variance, h.n);
  const q = studentTQuantile(tail, df);
  // Hall's (1992) skewness-removing transformation of the studentized difference, a = κ₃(d̂)/se³.
  const a = se > 0 ? (t.cumulant3 - h.cumulant3) / se ** 3 : 0;
  const absolute = { estimate: diff, lower: diff - se * hallInverse(q, a), upper: diff - se * hallInverse(-q, a), se, df };
  let relative: LiftInterval | null = null;
  if (t.value > 0 && h.value > 0) {
    const a = t.variance / (t.value * t.value);
    const b = h.variance / (h.value * h.value);
    const seLog = Math.sqrt(a + b);
    const dfLog = welchDf(a, t.n, b, h.n);
    const qLog = studentTQuantile(tail, dfLog);
    const logRatio = Math.log(t.value / h.value);
    relative = {
      estimate: t.value / h.value - 1,
      lower: Math.exp(logRatio - qLog * seLog) - 1,
      upper: Math.exp(logRatio + qLog * seLog) - 1,
      se: seLog,
      df: dfLog,
    };
  }
  return { metric, treatment: t.value, holdout: h.value, absolute, relative };
}

function validateGoal(goal: LiftGoal): LiftGoal & { direction: "increase" | "decrease" } {
  if (!LIFT_METRICS.includes(goal.metric)) throw new LiftError(`goal.metric must be one of ${LIFT_METRICS.join(", ")}, got ${String(goal.metric)}`);
  if (goal.kind !== "absolute" && goal.kind !== "relative") throw new LiftError(`goal.kind must be "absolute" or "relative", got ${String(goal.kind)}`);
  if (!Number.isFinite(goal.value)) throw new LiftError(`goal.value must be a finite number, got ${String(goal.value)}`);
  const direction = goal.direction ?? "increase";
  if (direction !== "increase" && direction !== "decrease") throw new LiftError(`goal.direction must be "increase" or "decrease", got ${String(direction)}`);
  if (goal.kind === "relative" && goal.value <= -1) throw new LiftError(`a relative goal must be above -1 (-100 %), got ${goal.value}`);
  return { ...goal, direction };
}

const METRIC_LABEL: Record<LiftMetric, string> = { "revenue-per-visitor": "revenue per visitor", conversion: "conversion", aov: "AOV" };

function judge(goal: LiftGoal & { direction: "increase" | "decrease" }, lift: MetricLift | null, level: number): LiftVerdict {
  const label = METRIC_LABEL[goal.metric];
  const interval = lift ? (goal.kind === "relative" ? lift.relative : lift.absolute) : null;
  if (!interval) {
    return { goal, status: "inconclusive", reason: `the ${goal.kind} difference in ${label} cannot be estimated (an arm's value is zero or missing)` };
  }
  const pct = `${Math.round(level * 100)} %`;
  const range = `[${interval.lower}, ${interval.upper}]`;
  const up = goal.direction === "increase";
  let pGoal: number | undefined;
  if (goal.kind === "relative" && lift?.relative && lift.relative.se > 0) {
    const t = (Math.log(1 + lift.relative.estimate) - Math.log(1 + goal.value)) / lift.relative.se;
    pGoal = up ? 1 - studentTCdf(t, lift.relative.df) : studentTCdf(t, lift.relative.df);
  }
  const withP = (v: LiftVerdict): LiftVerdict => (pGoal === undefined ? v : { ...v, pGoal });
  if (up ? interval.lower >= goal.value : interval.upper <= goal.value) {
    return withP({ goal, status: "achieved", reason: `the ${pct} interval ${range} of the ${goal.kind} difference in ${label} lies entirely at or beyond the goal ${goal.value}` });
  }
  if (up ? interval.upper < goal.value : interval.lower > goal.value) {
    return withP({ goal, status: "not-achieved", reason: `the ${pct} interval ${range} of the ${goal.kind} difference in ${label} lies entirely short of the goal ${goal.value}` });
  }
  return withP({ goal, status: "inconclusive", reason: `the ${pct} interval ${range} of the ${goal.kind} difference in ${label} contains the goal ${goal.value}: more visitors are needed` });
}

/** Treatment against holdout for revenue per visitor, conversion and AOV, with intervals and the goal's verdict. */
export function randomizedLift(visitors: readonly VisitorOutcome[], options: LiftOptions = {}): LiftResult {
  const level = options.level ?? 0.95;
  checkLevel(level);
  const minVisitors = options.minVisitors ?? DEFAULT_MIN_VISITORS;
  const minOrders = options.minOrders ?? DEFAULT_MIN_ORDERS;
  if (!(Number.isInteger(minVisitors) && minVisitors >= 2)) throw new LiftError(`minVisitors must be an integer ≥ 2, got ${String(minVisitors)}`);
  if (!(Number.isInteger(minOrders) && minOrders >= 1)) throw new LiftError(`minOrders must be an integer ≥ 1, got ${String(minOrders)}`);
  const goal = options.goal ? validateGoal(options.goal) : null;

  const buyers: Record<Arm, VisitorOutcome[]> = { treatment: [], holdout: [] };
  let holdoutVisitors = 0;
  for (let i = 0; i < visitors.length; i++) {
    const v = visitors[i]!;
    if (v.arm !== "treatment" && v.arm !== "holdout") throw new LiftError(`visitor ${i}: arm must be "treatment" or "holdout", got ${String(v.arm)}`);
    if (!(Number.isInteger(v.orders) && v.orders >= 0)) throw new LiftError(`visitor ${i}: orders must be a non-negative integer, got ${String(v.orders)}`);
    if (!Number.isFinite(v.revenue)) throw new LiftError(`visitor ${i}: revenue must be a finite number of minor units, got ${String(v.revenue)}`);
    if (v.orders === 0 && v.revenue !== 0) throw new LiftError(`visitor ${i}: revenue ${v.revenue} without orders`);
    if (v.arm === "holdout") holdoutVisitors++;
    if (v.orders > 0) buyers[v.arm].push(v);
  }
  const t = armEstimates(visitors.length - holdoutVisitors, buyers.treatment);
  const h = armEstimates(holdoutVisitors, buyers.holdout);
  const pair = (a: ArmEstimate | null, b: ArmEstimate | null, metric: LiftMetric) => (a && b ? compare(metric, a, b, level) : null);
  const metrics: Record<LiftMetric, MetricLift | null> = {
    "revenue-per-visitor": pair(t.rpv, h.rpv, "revenue-per-visitor"),
    conversion: pair(t.conversion, h.conversion, "conversion"),
    aov: pair(t.aov, h.aov, "aov"),
  };
  const counts = { treatment: t.counts, holdout: h.counts };

  const result: LiftResult = { method: LIFT_METHOD, level, counts, metrics, verdict: null };
  if (goal) result.verdict = judgeLift(result, goal, { minVisitors, minOrders });
  return result;
}

/**
 * The verdict of a computed comparison for a goal (randomizedLift calls it for `options.goal`; call it again to judge
 * other goals on the same data). Inconclusive below the minimum visitors or orders in either arm.
 */
export function judgeLift(result: LiftResult, goal: LiftGoal, minimum: { minVisitors?: number; minOrders?: number } = {}): LiftVerdict {
  const checked = validateGoal(goal);
  const minVisitors = minimum.minVisitors ?? DEFAULT_MIN_VISITORS;
  const minOrders = minimum.minOrders ?? DEFAULT_MIN_ORDERS;
  const short = (["treatment", "holdout"] as const).flatMap((arm) => {
    const c = result.counts[arm];
    const out: string[] = [];
    if (c.visitors < minVisitors) out.push(`${arm} has ${c.visitors} visitors (minimum ${minVisitors})`);
    if (c.orders < minOrders) out.push(`${arm} has ${c.orders} orders (minimum ${minOrders})`);
    return out;
  });
  if (short.length > 0) return { goal: checked, status: "inconclusive", reason: `too little data: ${short.join("; ")}` };
  return judge(checked, result.metrics[goal.metric], result.level);
}

export interface MinimumDetectableEffectInput {
  /** Visitors in each arm: one number for equal arms, or each arm's (a 10 % holdout is far from equal). */
  visitorsPerArm: number | { treatment: number; holdout: number };
  /** The holdout's mean of the per-visitor outcome (e.g. RPV in minor units, or the conversion rate). */
  baselineMean: number;
  /** Per-visitor standard deviation of the outcome (for conversion √(p(1 − p))). */
  baselineSd: number;
  level?: number;
  power?: number;
}

/** The smallest true difference in a per-visitor mean that is called achieved (goal 0) with probability `power`. */
export function minimumDetectableEffect(input: MinimumDetectableEffectInput): { absolute: number; relative: number | null } {
  const { baselineMean, baselineSd } = input;
  const level = input.level ?? 0.95;
  const power = input.power ?? 0.8;
  checkLevel(level);
  checkLevel(power, "power");
  const arms = typeof input.visitorsPerArm === "number" ? { treatment: input.visitorsPerArm, holdout: input.visitorsPerArm } : input.visitorsPerArm;
  for (const [arm, n] of Object.entries(arms)) {
    if (!(Number.isFinite(n) && n >= 2)) throw new LiftError(`visitorsPerArm.${arm} must be at least 2, got ${String(n)}`);
  }
  if (!(Number.isFinite(baselineSd) && baselineSd >= 0)) throw new LiftError(`baselineSd must be a non-negative number, got ${String(baselineSd)}`);
  if (!Number.isFinite(baselineMean)) throw new LiftError(`baselineMean must be a finite number, got ${String(baselineMean)}`);
  const absolute = (normalQuantile((1 + level) / 2) + normalQuantile(power)) * baselineSd * Math.sqrt(1 / arms.treatment + 1 / arms.holdout);
  return { absolute, relative: baselineMean > 0 ? absolute / baselineMean : null };
}

// ---- Student's t distribution --------------------------------------------------------------------------------------

/** Continued fraction of the regularized incomplete beta function (modified Lentz; Numerical Recipes §6.4). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is). */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t (bisection on the CDF to 1e-12; the normal quantile beyond 1e7 df). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`studentTQuantile: df must be positive, got ${df}`);
  if (df > 1e7) return normalQuantile(p);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  if (p === 0.5) return 0;
  let lo = 0;
  let hi = Math.max(1, normalQuantile(p));
  while (studentTCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
