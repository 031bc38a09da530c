/**
 * Significance of a rule A → c, all in log space so that N = 1,000,000 neither overflows nor underflows:
 *
 * - One-sided Fisher exact test (the hypergeometric upper tail): with N transactions, n(A) containing A, n(c)
 *   containing c and n(A∪c) containing both, X ~ Hypergeometric(N, n(c), n(A)) and p = P(X >= n(A∪c)): the chance of
 *   seeing at least this much co-occurrence if A and c were independent. Equals R's
 *   `fisher.test(matrix(c(a, b, c, d), 2), alternative = "greater")$p.value`.
 * - Benjamini–Hochberg q-values over a family of p-values (R's `p.adjust(p, "BH")`).
 * - The Wilson score lower bound of a proportion (the confidence of a rule), one-sided at a level.
 */

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SMALL_LOG_FACTORIALS = (() => {
  const table = new Float64Array(21);
  let f = 1;
  for (let k = 1; k <= 20; k++) {
    f *= k; // exact up to 18!, then within one rounding
    table[k] = Math.log(f);
  }
  return table;
})();

/** ln(k!) for an integer k >= 0: exact-ish for k <= 20, Stirling's series with four corrections beyond (error < 2e-15). */
export function logFactorial(k: number): number {
  if (k <= 20) return SMALL_LOG_FACTORIALS[k]!;
  const inv = 1 / k;
  const inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return k * Math.log(k) - k + 0.5 * Math.log(k) + LN_SQRT_2PI + series;
}

/** ln C(n, k). */
export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** ln P(X = k), X ~ Hypergeometric(population N, K successes, n draws). */
export function logHypergeometric(k: number, N: number, K: number, n: number): number {
  return logChoose(K, k) + logChoose(N - K, n - k) - logChoose(N, n);
}

/**
 * ln P(X >= a), X ~ Hypergeometric(N, K, n): the one-sided ("greater") Fisher exact p-value of the 2x2 table
 * [[a, n − a], [K − a, N − K − n + a]], in log space. Sums from the tail end that is smaller, each term from the previous
 * by the exact ratio of consecutive probabilities, and stops when the rest cannot change the sum in double precision.
 */
export function fisherGreaterLogP(a: number, N: number, K: number, n: number): number {
  const lo = Math.max(0, n + K - N);
  const hi = Math.min(n, K);
  if (a <= lo) return 0;
  if (a > hi) return Number.NEGATIVE_INFINITY;
  const mode = Math.floor(((n + 1) * (K + 1)) / (N + 2));
  if (a > mode) {
    // Upper tail: terms decrease from a upwards.
    let sum = 1;
    let term = 1;
    for (let k = a; k < hi; k++) {
      const ratio = ((K - k) * (n - k)) / ((k + 1) * (N - K - n + k + 1));
      term *= ratio;
      sum += term;
      if (ratio < 1 && (term * ratio) / (1 - ratio) < sum * 1e-17) break;
    }
    return logHypergeometric(a, N, K, n) + Math.log(sum);
  }
  // a <= mode: P(X >= a) = 1 − P(X <= a − 1); the lower tail's terms decrease from a − 1 downwards.
  let sum = 1;
  let term = 1;
  for (let k = a - 1; k > lo; k--) {
    const ratio = (k * (N - K - n + k)) / ((K - k + 1) * (n - k + 1));
    term *= ratio;
    sum += term;
    if (ratio < 1 && (term * ratio) / (1 - ratio) < sum * 1e-17) break;
  }
  const lower = Math.exp(logHypergeometric(a - 1, N, K, n)) * sum;
  return Math.log1p(-Math.min(lower, 1));
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values) of a family, from natural-log p-values: q(i) = min over j >= i of
 * p(j) · m / j in ascending order, capped at 1. Returns q-values in the input order (as plain numbers, which may
 * underflow to 0 for extreme p-values; the order is decided in log space).
 */
export function benjaminiHochberg(logP: ArrayLike<number>): Float64Array {
  const m = logP.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((x, y) => logP[x]! - logP[y]! || x - y);
  const q = new Float64Array(m);
  const logM = Math.log(m);
  let running = 0; // ln 1
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r]!;
    running = Math.min(running, logP[i]! + logM - Math.log(r + 1));
    q[i] = Math.exp(running);
  }
  return q;
}

/**
 * The standard normal quantile (inverse CDF), Acklam's rational approximation (relative error < 1.2e-9), refined by one
 * Halley step on erfc, which makes it accurate to about 1e-15.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  const e = 0.5 * erfc(-x / Math.SQRT2) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** The complementary error function, to about 1e-16 relative (W. J. Cody's rational approximations). */
export function erfc(x: number): number {
  const ax = Math.abs(x);
  let result: number;
  if (ax < 0.5) {
    const t = x * x;
    const top = (((0.18577770618460315 * t + 3.1611237438705655) * t + 113.86415415105016) * t + 377.485237685302) * t + 3209.3775891384694;
    const bot = (((t + 23.601290952344122) * t + 244.02463793444417) * t + 1282.6165260773723) * t + 2844.236833439171;
    return 1 - (x * top) / bot;
  } else if (ax < 4) {
    const top =
      (((((((2.1531153547440383e-8 * ax + 0.5641884969886701) * ax + 8.883149794388377) * ax + 66.11919063714163) * ax + 298.6351381974001) * ax +
        881.952221241769) * ax + 1712.0476126340707) * ax + 2051.0783778260716) * ax + 1230.3393547979972;
    const bot =
      (((((((ax + 15.744926110709835) * ax + 117.6939508913125) * ax + 537.1811018620099) * ax + 1621.3895745666903) * ax + 3290.7992357334597) * ax +
        4362.619090143247) * ax + 3439.3676741437216) * ax + 1230.3393548037495;
    result = (Math.exp(-ax * ax) * top) / bot;
  } else {
    const z = 1 / (ax * ax);
    const top = ((((0.016315387137302097 * z + 0.30532663496123236) * z + 0.36034489994980445) * z + 0.12578172611122926) * z + 0.016083785148742275) * z + 0.0006587491615298378;
    const bot = ((((z + 2.568520192289822) * z + 1.8729528499234673) * z + 0.5279051029514285) * z + 0.06051834131244132) * z + 0.0023352049762686918;
    result = (Math.exp(-ax * ax) / ax) * (1 / Math.sqrt(Math.PI) - (z * top) / bot);
  }
  return x < 0 ? 2 - result : result;
}

/**
 * Wilson score lower bound of a proportion `successes / trials`, one-sided at `level` (0.95: the true proportion is
 * above the bound with 95% confidence). 0 when trials is 0.
 */
export function wilsonLower(successes: number, trials: number, level = 0.95): number {
  if (trials <= 0) return 0;
  const z = normalQuantile(level);
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const spread = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return Math.max(0, (centre - spread) / (1 + z2 / trials));
}
