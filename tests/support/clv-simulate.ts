/**
 * Seeded simulators of the BG/NBD purchase process and Gamma-Gamma spend, written from the models' generative stories
 * (not from the fitting code), for parameter-recovery tests and benchmarks:
 *
 * - λ ~ Gamma(shape r, rate α), p ~ Beta(a, b) per customer; the first purchase is at 0; while alive, purchases follow
 *   a Poisson process of rate λ; after each repeat purchase the customer drops out with probability p.
 * - MBG/NBD (`model: "mbgnbd"`, Batislam et al. 2007): the same, but the customer may also drop out right after the
 *   first purchase (with the same probability p), so a one-time buyer can be gone.
 * - ν ~ Gamma(shape q, rate v) per customer; each transaction's value z ~ Gamma(shape p, rate ν).
 */

import { Rng } from "../demo-store/random";

/** The project's one seeded generator for simulations (sfc32, with uniform, normal, gamma, beta, exponential). */
export { Rng };

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
  /** Which story (default "bgnbd"): "mbgnbd" adds a dropout chance right after the first purchase. */
  model?: "bgnbd" | "mbgnbd";
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
    // MBG/NBD: a dropout chance right after the first purchase, drawn only in that story (the BG/NBD stream is unchanged).
    const goneAtFirst = options.model === "mbgnbd" && rng.uniform() < dropout;
    while (!goneAtFirst) {
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
