/**
 * A seeded uniform generator for bootstraps and simulations in the pure core: the caller passes the seed (or its own
 * generator), so the same inputs give the same intervals. Mulberry32 (Tommy Ettinger): 32-bit state, period 2³²,
 * passes gjrand/PractRand at the sizes a bootstrap uses.
 */
export type Rng = () => number;

/** A uniform [0, 1) generator from a 32-bit integer seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniform integer in [0, n). */
export function randomIndex(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng() * n));
}

/** Quantile of a sample by linear interpolation between order statistics (type 7, R's default). Sorts a copy. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
