/**
 * Seeded simulators of the BG/NBD purchase process and Gamma-Gamma spend, written from the models' generative stories
 * (not from the fitting code), for parameter-recovery tests and benchmarks:
 *
 * - λ ~ Gamma(shape r, rate α), p ~ Beta(a, b) per customer; the first purchase is at 0; while alive, purchases follow
 *   a Poisson process of rate λ; after each repeat purchase the customer drops out with probability p.
 * - ν ~ Gamma(shape q, rate v) per customer; each transaction's value z ~ Gamma(shape p, rate ν).
 */

/** xoshiro128** seeded by splitmix32: fast, deterministic, good enough for simulation. */
export class Rng {
  private s: Uint32Array;
  private spare: number | null = null;
  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s = new Uint32Array([next(), next(), next(), next()]);
  }
  /** Uniform in (0, 1). */
  uniform(): number {
    const s = this.s;
    const result = Math.imul(((Math.imul(s[1]!, 5) << 7) | (Math.imul(s[1]!, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = ((s[3]! << 11) | (s[3]! >>> 21)) >>> 0;
    return (result + 0.5) / 4294967296;
  }
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    const u = this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
  /** Gamma(shape, rate) by Marsaglia & Tsang (2000), with the shape < 1 boost. */
  gamma(shape: number, rate: number): number {
    if (shape < 1) return this.gamma(shape + 1, rate) * Math.pow(this.uniform(), 1 / shape);
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
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
    }
  }
  beta(a: number, b: number): number {
    const x = this.gamma(a, 1);
    return x / (x + this.gamma(b, 1));
  }
  exponential(rate: number): number {
    return -Math.log(this.uniform()) / rate;
  }
}

export interface SimulatedCustomer {
  x: number;
  t_x: number;
  T: number;
  /** Repeat purchases in (T, T + holdout] (0 without a holdout). */
  holdoutX: number;
  /** Mean value of the x calibration repeat purchases (0 when x = 0). */
  monetary: number;
  /** The customer's true λ, p and, with spend, true mean transaction value p_spend/ν. */
  truth: { lambda: number; dropout: number; meanSpend: number };
}

export interface SimulateOptions {
  seed: number;
  customers: number;
  bgnbd: { r: number; alpha: number; a: number; b: number };
  spend?: { p: number; q: number; v: number };
  /** Each customer's age T at the calibration end: uniform in [minT, maxT]. */
  minT: number;
  maxT: number;
  /** Holdout length after T (default 0). */
  holdout?: number;
  /** Round t_x and T to whole multiples of this (e.g. 1/7 of a week: day resolution); default no rounding. */
  resolution?: number;
}

export function simulateCustomers(options: SimulateOptions): SimulatedCustomer[] {
  const rng = new Rng(options.seed);
  const { r, alpha, a, b } = options.bgnbd;
  const holdout = options.holdout ?? 0;
  const res = options.resolution;
  const round = (t: number) => (res ? Math.round(t / res) * res : t);
  const out: SimulatedCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const T = round(options.minT + (options.maxT - options.minT) * rng.uniform());
    const lambda = rng.gamma(r, alpha);
    const dropout = rng.beta(a, b);
    const nu = options.spend ? rng.gamma(options.spend.q, options.spend.v) : 0;
    let t = 0;
    let x = 0;
    let last = 0;
    let holdoutX = 0;
    let spent = 0;
    for (;;) {
      t += rng.exponential(lambda);
      if (t > T + holdout) break;
      if (round(t) <= T) {
        x++;
        last = t;
        if (options.spend) spent += rng.gamma(options.spend.p, nu);
      } else holdoutX++;
      if (rng.uniform() < dropout) break;
    }
    const t_x = Math.min(round(last), T);
    out.push({ x, t_x: x === 0 ? 0 : t_x, T, holdoutX, monetary: x > 0 ? spent / x : 0, truth: { lambda, dropout, meanSpend: options.spend ? options.spend.p / nu : 0 } });
  }
  return out;
}
