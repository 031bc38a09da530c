/**
 * Resampling weights for impact inference that respect serial correlation and customer clustering (ADR 023).
 *
 * - Days: a circular moving-block bootstrap inside each period (pre, post), the same blocks of days for target and
 *   control, so a common shock that lasts several days moves both cells of a draw together and a product's own
 *   persistent shock stays whole inside a block. A day's weight is the number of times it was drawn.
 * - Customers: Poisson(1) weights per customer (a guest order is its own cluster), multiplied with the day weights for
 *   the order-level metrics (attach rate, AOV): a two-way (customers × days) resample.
 * - Block length: the circular block bootstrap's MSE-optimal length for an AR(1) series (Politis & White 2004, with
 *   Patton, Politis & White's 2009 correction): b = (6 ρ² / (1 − ρ²)²)^(1/3) n^(1/3), ρ the lag-1 autocorrelation of
 *   the pre period's daily target − control contrast; at least a week, at most a third of the shorter period.
 */
import type { Rng } from "../trends/random";

/** A period of days (indices, inclusive) resampled on its own. */
export type Segment = readonly [number, number];

/**
 * Day weights of one draw: for each segment, blocks of `block` consecutive days (wrapping around inside the segment)
 * drawn with uniform starts until the segment's length is filled; days outside every segment weigh 0.
 */
export function blockDayWeights(rng: Rng, days: number, segments: readonly Segment[], block: number, out?: Float64Array): Float64Array {
  const w = out ?? new Float64Array(days);
  w.fill(0);
  for (const [a, c] of segments) {
    const length = c - a + 1;
    if (length <= 0) continue;
    const b = Math.max(1, Math.min(block, length));
    let placed = 0;
    while (placed < length) {
      const start = Math.min(length - 1, Math.floor(rng() * length));
      for (let k = 0; k < b && placed < length; k++, placed++) w[a + ((start + k) % length)]! += 1;
    }
  }
  return w;
}

/** A Poisson(1) draw (inversion; the mean is small, so a handful of uniforms). */
const POISSON_ONE_CDF = (() => {
  const cdf: number[] = [];
  let p = Math.exp(-1);
  let sum = p;
  for (let k = 0; k < 20; k++) {
    cdf.push(sum);
    p /= k + 1;
    sum += p;
  }
  return cdf;
})();

export function poissonOne(rng: Rng): number {
  const u = rng();
  let k = 0;
  while (k < 19 && u > POISSON_ONE_CDF[k]!) k++;
  return k;
}

/** Poisson(1) weights, one per cluster. */
export function clusterWeights(rng: Rng, clusters: number, out?: Float64Array): Float64Array {
  const w = out ?? new Float64Array(clusters);
  for (let i = 0; i < clusters; i++) w[i] = poissonOne(rng);
  return w;
}

/** Lag-1 autocorrelation of a series (0 for fewer than 3 values or no variation). */
export function lagOneAutocorrelation(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 3) return 0;
  let mean = 0;
  for (const x of xs) mean += x / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - mean;
    den += d * d;
    if (i > 0) num += d * (xs[i - 1]! - mean);
  }
  return den > 0 ? num / den : 0;
}

/**
 * The block length for a series of `n` days with lag-1 autocorrelation `rho`: at least a week (a daily series is
 * mostly Poisson noise, so its lag-1 autocorrelation understates a persistent shock underneath; a week also keeps
 * weekday patterns whole), longer when the autocorrelation asks for it, capped at `max` days.
 */
export const MIN_BLOCK_DAYS = 7;
export function blockLength(rho: number, n: number, max: number): number {
  const r = Math.min(0.95, Math.max(0, rho));
  const b = r === 0 ? 1 : Math.ceil(Math.cbrt((6 * r * r) / (1 - r * r) ** 2) * Math.cbrt(n));
  return Math.max(1, Math.min(Math.max(b, MIN_BLOCK_DAYS), Math.floor(max)));
}
