/**
 * A small seeded pseudo-random number generator and the distributions the demo-store generator draws from. Everything
 * is deterministic: the same seed (and stream) gives the same sequence on every machine, because only integer
 * arithmetic on 32-bit words and IEEE-754 doubles is used. Math.random is never used.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's "small fast chaotic" generator, 128-bit state, passes PractRand), seeded
 * through splitmix32 so that nearby seeds (42, 43, …) and (seed, stream, index) triples give unrelated streams.
 */

/** splitmix32: a 32-bit mixing step, used to expand seeds into sfc32 state words. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [next, z >>> 0];
}

/** Hash a list of integers (e.g. seed, stream, index) into one 32-bit word. */
export function hashInts(...values: number[]): number {
  let state = 0x2545f491;
  let out = 0;
  for (const value of values) {
    // Fold in both 32-bit halves so seeds beyond 2^32 still matter.
    const low = value | 0;
    const high = Math.floor(value / 4294967296) | 0;
    [state, out] = splitmix32(state ^ low);
    [state, out] = splitmix32(state ^ high ^ out);
  }
  return out;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Box–Muller makes normals in pairs; the second is kept for the next call. */
  private spareNormal: number | null = null;

  /** A generator for `seed`, optionally a separate stream (e.g. one per customer) by extra integers. */
  constructor(seed: number, ...stream: number[]) {
    let state = hashInts(seed, ...stream);
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [next, out] = splitmix32(state);
      state = next;
      words.push(out);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // Warm up: sfc32's first outputs are still close to the seeding.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** sfc32: the next uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform on (0, 1): never 0, so safe under log(). */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Uniform on [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.uniform() * (hi - lo + 1));
  }

  /** true with probability p. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }

  /** Standard normal N(0, 1) by the Box–Muller transform (polar-free form: sqrt(-2 ln U1)·cos/sin(2π U2)). */
  normal(mean = 0, sd = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + sd * z;
    }
    const radius = Math.sqrt(-2 * Math.log(this.uniformOpen()));
    const angle = 2 * Math.PI * this.uniform();
    this.spareNormal = radius * Math.sin(angle);
    return mean + sd * radius * Math.cos(angle);
  }

  /** Exponential with the given rate (mean 1/rate), by inversion. */
  exponential(rate: number): number {
    return -Math.log(this.uniformOpen()) / rate;
  }

  /**
   * Gamma(shape, rate): density ∝ x^(shape-1) e^(-rate·x), mean shape/rate. Marsaglia & Tsang (2000) squeeze method
   * for shape ≥ 1; for shape < 1, Gamma(shape) = Gamma(shape + 1) · U^(1/shape).
   */
  gamma(shape: number, rate = 1): number {
    if (!(shape > 0) || !(rate > 0)) throw new RangeError(`gamma needs shape > 0 and rate > 0 (got ${shape}, ${rate})`);
    if (shape < 1) {
      const boosted = this.gamma(shape + 1, 1);
      return (boosted * Math.pow(this.uniformOpen(), 1 / shape)) / rate;
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniformOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return (d * v) / rate;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
    }
  }

  /** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b); mean a / (a + b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }

  /**
   * Poisson(mean): Knuth's multiplication method below mean 10, Hörmann's PTRS transformed rejection (1993, as in
   * NumPy) above it.
   */
  poisson(mean: number): number {
    if (mean < 0) throw new RangeError(`poisson needs mean ≥ 0 (got ${mean})`);
    if (mean === 0) return 0;
    if (mean < 10) {
      const limit = Math.exp(-mean);
      let k = 0;
      let product = this.uniform();
      while (product > limit) {
        k++;
        product *= this.uniform();
      }
      return k;
    }
    const slam = Math.sqrt(mean);
    const loglam = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logGamma(k + 1)) {
        return k;
      }
    }
  }

  /** Geometric: the number of failures before the first success, success probability p (mean (1-p)/p). */
  geometric(p: number): number {
    if (!(p > 0 && p <= 1)) throw new RangeError(`geometric needs 0 < p ≤ 1 (got ${p})`);
    if (p === 1) return 0;
    return Math.floor(Math.log(this.uniformOpen()) / Math.log(1 - p));
  }

  /** An index drawn with probability proportional to weights[i] (non-negative, not all zero). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    if (!(total > 0)) throw new RangeError("weightedIndex needs a positive total weight");
    let target = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      target -= weights[i] ?? 0;
      if (target < 0) return i;
    }
    // Rounding: fall back to the last positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] ?? 0) > 0) return i;
    return 0;
  }

  /** An item drawn with probability proportional to its weight. */
  weightedChoice<T>(items: readonly T[], weights: readonly number[]): T {
    const item = items[this.weightedIndex(weights)];
    if (item === undefined) throw new RangeError("weightedChoice: items and weights differ in length");
    return item;
  }

  /** A uniformly chosen item of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.uniform() * items.length)];
    if (item === undefined) throw new RangeError("pick: empty list");
    return item;
  }
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = c[0] ?? 0;
  for (let i = 1; i < 9; i++) sum += (c[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
