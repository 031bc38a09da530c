/**
 * Intervals on lifetime value from the uncertainty of the fitted parameters (a parametric bootstrap).
 *
 * The repeat-purchase parameters (r, α, a, b) and the spend parameters (p, q, v) are estimated; their sampling
 * distribution is approximately normal with the inverse observed information as covariance (the Hessians of the
 * fits). Draws are taken on the log scale, where the parameters are positive and closer to normal: with θ̂ and Σ in
 * natural units, ln θ ~ N(ln θ̂, D⁻¹ Σ D⁻¹), D = diag(θ̂) (delta method). The two models are fitted separately and
 * drawn independently. For each draw the customers' lifetime values are recomputed and summed (over the shop and
 * per group); the interval is the draws' percentile interval at the chosen level.
 *
 * What it covers: the uncertainty of the model's expected value that comes from estimating the parameters, i.e. how
 * far Σ E[value | history, θ̂] may be from Σ E[value | history, θ]. It does not cover the purchases' own randomness
 * (what a customer will actually spend around that expectation), nor a wrong model (the holdout check's job).
 * Calibration (coverage near nominal when the model is right) is checked by simulation in the unit tests and in
 * `npm run bench -- clv-intervals`.
 *
 * Cost: the expected purchases depend on (x, t_x, T) only, so each draw evaluates them once per distinct history. A
 * large shop has hundreds of thousands of histories: the draws then run on a seeded sample of at most `samplePerGroup`
 * customers per group (and of the ungrouped), and each group's value in a draw is its exact value at the estimate
 * times the sample's ratio value(draw) / value(estimate) (a ratio estimator: parameter changes move similar customers
 * alike). The total is the sum of the groups' values in the same draw, so the groups' uncertainties add up jointly.
 */
import { ModelInputError } from "./bgnbd";
import { discountedPurchases, expectedAverageSpend, type ClvOptions, type GammaGammaParams } from "./gamma-gamma";
import { cholesky } from "./optimize";
import type { RepeatModel } from "./repeat-model";

export interface IntervalCustomer {
  x: number;
  t_x: number;
  T: number;
  monetary: number;
  /** Groups to report an interval for (e.g. an RFM group); absent: only in the total. */
  group?: string;
}

export interface ValueInterval {
  /** At the fitted parameters. */
  estimate: number;
  low: number;
  high: number;
}

export interface LifetimeValueIntervals {
  level: number;
  draws: number;
  /** Draws that gave no finite value (e.g. q ≤ 1: infinite mean spend), left out of the percentiles. */
  failedDraws: number;
  total: ValueInterval;
  /** Total / customers. */
  perCustomer: ValueInterval;
  groups: Record<string, ValueInterval & { customers: number }>;
}

export interface IntervalOptions extends ClvOptions {
  purchases: RepeatModel;
  /** Covariance of (r, α, a, b), natural units. */
  purchasesCovariance: readonly (readonly number[])[];
  spend: GammaGammaParams;
  /** Covariance of (p, q, v), natural units. */
  spendCovariance: readonly (readonly number[])[];
  draws?: number;
  /** Customers per group (and among the ungrouped) the draws are computed on; default 300. */
  samplePerGroup?: number;
  /** Default 0.9. */
  level?: number;
  /** Uniform [0, 1) source (seeded by the caller). */
  random: () => number;
}

/** A sampler of log-normal parameter vectors around `mean` with natural-scale covariance `cov` (delta method). */
function logNormalSampler(mean: readonly number[], cov: readonly (readonly number[])[], normal: () => number): () => number[] {
  const logCov = cov.map((row, i) => row.map((v, j) => v / (mean[i]! * mean[j]!)));
  const L = cholesky(logCov);
  if (!L) throw new ModelInputError("the parameters' covariance is not positive definite: no interval");
  return () => {
    const z = mean.map(() => normal());
    return mean.map((m, i) => m * Math.exp(L[i]!.reduce((s, l, k) => s + l * z[k]!, 0)));
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (h - lo);
}

export function lifetimeValueIntervals(customers: readonly IntervalCustomer[], options: IntervalOptions): LifetimeValueIntervals {
  const draws = options.draws ?? 200;
  const level = options.level ?? 0.9;
  const perGroup = options.samplePerGroup ?? 300;
  if (!(level > 0 && level < 1)) throw new ModelInputError(`the interval level must be in (0, 1), got ${level}`);
  if (!(draws >= 10)) throw new ModelInputError(`at least 10 draws are needed, got ${draws}`);
  if (!(perGroup >= 10)) throw new ModelInputError(`at least 10 customers per group are needed, got ${perGroup}`);
  if (customers.length === 0) throw new ModelInputError("no customers to value");
  const random = options.random;

  // Buckets: the named groups, then the ungrouped (index groupNames.length).
  const groupNames = [...new Set(customers.flatMap((c) => (c.group === undefined ? [] : [c.group])))].sort();
  const groupIndex = new Map(groupNames.map((g, i) => [g, i]));
  const buckets = groupNames.length + 1;
  const bucketOf = (c: IntervalCustomer) => (c.group === undefined ? groupNames.length : groupIndex.get(c.group)!);
  const members: number[][] = Array.from({ length: buckets }, () => []);
  customers.forEach((c, i) => members[bucketOf(c)]!.push(i));

  // The sample each draw is computed on: every customer of a small bucket, a seeded sample of a large one.
  const sample: number[] = [];
  for (const list of members) {
    if (list.length <= perGroup) sample.push(...list);
    else {
      const pool = [...list];
      for (let k = 0; k < perGroup; k++) {
        const j = k + Math.floor(random() * (pool.length - k));
        [pool[k], pool[j]] = [pool[j]!, pool[k]!];
      }
      sample.push(...pool.slice(0, perGroup));
    }
  }
  const historyKey = (c: IntervalCustomer) => `${c.x} ${c.t_x} ${c.T}`;
  const distinct = (indices: readonly number[]) => {
    const histories: { x: number; t_x: number; T: number }[] = [];
    const at = new Map<string, number>();
    const of = indices.map((i) => {
      const c = customers[i]!;
      const key = historyKey(c);
      let k = at.get(key);
      if (k === undefined) {
        k = histories.length;
        at.set(key, k);
        histories.push({ x: c.x, t_x: c.t_x, T: c.T });
      }
      return k;
    });
    return { histories, of };
  };
  /** Value per bucket of the given customers under the given parameters. */
  const valueOf = (indices: readonly number[], set: ReturnType<typeof distinct>, purchases: RepeatModel, spend: GammaGammaParams) => {
    const dp = set.histories.map((h) => discountedPurchases(purchases, h, options));
    const out = new Array<number>(buckets).fill(0);
    indices.forEach((i, k) => {
      const c = customers[i]!;
      out[bucketOf(c)]! += expectedAverageSpend(spend, c.x, c.monetary) * dp[set.of[k]!]!;
    });
    return out;
  };

  const all = customers.map((_, i) => i);
  const exact = valueOf(all, distinct(all), options.purchases, options.spend);
  const sampleSet = distinct(sample);
  const samplePoint = valueOf(sample, sampleSet, options.purchases, options.spend);

  // Standard normals by Box–Muller from the caller's uniforms.
  let spare: number | null = null;
  const normal = () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = Math.max(random(), 1e-300);
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
  const { r, alpha, a, b } = options.purchases.params;
  const drawPurchases = logNormalSampler([r, alpha, a, b], options.purchasesCovariance, normal);
  const { p, q, v } = options.spend;
  const drawSpend = logNormalSampler([p, q, v], options.spendCovariance, normal);

  const totals: number[] = [];
  const groupDraws = groupNames.map(() => [] as number[]);
  let failed = 0;
  for (let d = 0; d < draws; d++) {
    const [dr, dalpha, da, db] = drawPurchases();
    const [dp, dq, dv] = drawSpend();
    // q ≤ 1 makes the population mean spend infinite; a = 1 is a removable singularity of E[Y]: such draws fail.
    if (dq! <= 1 || Math.abs(da! - 1) < 1e-9) {
      failed++;
      continue;
    }
    const drawn = valueOf(sample, sampleSet, { kind: options.purchases.kind, params: { r: dr!, alpha: dalpha!, a: da!, b: db! } }, { p: dp!, q: dq!, v: dv! });
    // Each bucket: its exact value times the sample's ratio (exactly the drawn value when the whole bucket is sampled).
    const scaled = drawn.map((value, g) => (samplePoint[g]! > 0 ? (exact[g]! * value) / samplePoint[g]! : 0));
    const total = scaled.reduce((x, y) => x + y, 0);
    if (!Number.isFinite(total)) {
      failed++;
      continue;
    }
    totals.push(total);
    groupNames.forEach((_, g) => groupDraws[g]!.push(scaled[g]!));
  }
  const tail = (1 - level) / 2;
  const interval = (estimate: number, values: number[]): ValueInterval => {
    const sorted = values.sort((x, y) => x - y);
    return { estimate, low: percentile(sorted, tail), high: percentile(sorted, 1 - tail) };
  };
  const total = interval(
    exact.reduce((x, y) => x + y, 0),
    totals,
  );
  const n = customers.length;
  return {
    level,
    draws,
    failedDraws: failed,
    total,
    perCustomer: { estimate: total.estimate / n, low: total.low / n, high: total.high / n },
    groups: Object.fromEntries(
      groupNames.map((g, i) => {
        const size = members[i]!.length;
        return [g, { ...interval(exact[i]! / size, groupDraws[i]!.map((x) => x / size)), customers: size }];
      }),
    ),
  };
}
