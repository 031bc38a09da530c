/**
 * The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"):
 * while alive a customer buys at rate λ ~ Gamma(r, α) (a Poisson process); after every repeat purchase they drop out
 * with probability p ~ Beta(a, b). Data per customer: (x, t_x, T) from summary.ts, in one time unit (weeks or days);
 * α is in that unit.
 *
 * - Fit by maximum likelihood on the unique (x, t_x, T) triples with their counts, so a million customers cost what
 *   their distinct histories cost. The log-likelihood is computed in log space (lgamma, log-sum-exp for the x > 0
 *   term, FHL eq. 6); the gradient is analytic; BFGS runs on log-parameters.
 * - Standard errors: √diag of the inverse of minus the numerical Hessian (central differences of the analytic
 *   gradient) at the maximum, in the natural parameters.
 * - Too little data is refused with InsufficientDataError; a fit that does not converge says so (`converged: false`,
 *   `message`), it is not silently returned as good.
 */
import { CountTable } from "./count-table";
import { invertPositiveDefinite, minimizeBfgs, numericalHessian, standardErrors } from "./optimize";
import { digamma, hyp2f1, lgamma, log2F1 } from "./special";

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface Triple {
  x: number;
  t_x: number;
  T: number;
}

/** Customers grouped by identical (x, t_x, T). */
export interface TripleCounts {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  count: Float64Array;
  /** Number of distinct triples. */
  size: number;
  /** Number of customers (the sum of counts). */
  customers: number;
  repeatCustomers: number;
  maxT: number;
}

export class InsufficientDataError extends Error {
  constructor(
    message: string,
    readonly requirement: "customers" | "repeatCustomers" | "history",
    readonly required: number,
    readonly actual: number,
  ) {
    super(message);
    this.name = "InsufficientDataError";
  }
}

export class ModelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelInputError";
  }
}

/** Groups customers by identical (x, t_x, T), validating each: x a non-negative integer, 0 ≤ t_x ≤ T. */
export function countTriples(rows: Iterable<Triple>): TripleCounts {
  const table = new CountTable(Array.isArray(rows) ? Math.max(1024, rows.length) : 1024);
  let customers = 0;
  let repeatCustomers = 0;
  let maxT = 0;
  for (const row of rows) {
    const { x, t_x, T } = row;
    if (!Number.isInteger(x) || x < 0) throw new ModelInputError(`x must be a non-negative integer, got ${x}`);
    if (!(t_x >= 0 && T >= t_x && Number.isFinite(T))) throw new ModelInputError(`need 0 ≤ t_x ≤ T, got t_x = ${t_x}, T = ${T}`);
    if (x === 0 && t_x !== 0) throw new ModelInputError(`t_x must be 0 when x = 0, got ${t_x}`);
    customers++;
    if (x > 0) repeatCustomers++;
    if (T > maxT) maxT = T;
    // +0 folds −0 into 0, which the table would otherwise keep apart.
    table.add(x, t_x + 0, T + 0, 1);
  }
  return { ...table.columns(), customers, repeatCustomers, maxT };
}

/**
 * The triples on a coarser time grid (t_x and T rounded to multiples of `grid`, t_x kept ≤ T): far fewer distinct
 * triples, a likelihood surface close to the exact one. Used only to find a starting point and curvature.
 */
function coarsenTriples(data: TripleCounts, grid: number): TripleCounts {
  const table = new CountTable(4096);
  for (let i = 0; i < data.size; i++) {
    const T = Math.round(data.T[i]! / grid) * grid;
    const tx = Math.min(Math.round(data.tx[i]! / grid) * grid, T);
    table.add(data.x[i]!, tx, T, data.count[i]!);
  }
  return { ...table.columns(), customers: data.customers, repeatCustomers: data.repeatCustomers, maxT: data.maxT };
}

interface Evaluation {
  logLikelihood: number;
  /** ∂LL/∂(r, α, a, b). */
  gradient: [number, number, number, number];
}

interface Distinct {
  values: number[];
  of: Int32Array;
}

function distinct(column: Float64Array): Distinct {
  const at = new Map<number, number>();
  const values: number[] = [];
  const of = new Int32Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    let k = at.get(v);
    if (k === undefined) {
      k = values.length;
      at.set(v, k);
      values.push(v);
    }
    of[i] = k;
  }
  return { values, of };
}

/** Distinct x, T and t_x values with each triple's index into them: functions of them are computed once per value. */
interface Prepared {
  xs: Distinct;
  Ts: Distinct;
  txs: Distinct;
}

function prepare(data: TripleCounts): Prepared {
  return { xs: distinct(data.x), Ts: distinct(data.T), txs: distinct(data.tx) };
}

/**
 * The log-likelihood and its gradient. `modified` is the MBG/NBD variant (Batislam, Denizel & Filiztekin 2007): a
 * customer may also drop out right after the first purchase, so every customer has x + 1 chances to drop out (at 0 and
 * after each repeat purchase) instead of x. Per customer (x, t_x, T), with s = 1 for MBG/NBD and 0 for BG/NBD:
 *   L = Γ(r+x)αʳ/Γ(r) · B(a, b+x+s)/B(a, b) · [(α+T)^−(r+x) + 1{x>0 or s=1} · a/(b+x−1+s) · (α+t_x)^−(r+x)].
 */
function evaluate({ r, alpha, a, b }: BgNbdParams, data: TripleCounts, prep: Prepared, withGradient: boolean, modified = false): Evaluation {
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0) || ![r, alpha, a, b].every(Number.isFinite)) {
    return { logLikelihood: Number.NEGATIVE_INFINITY, gradient: [Number.NaN, Number.NaN, Number.NaN, Number.NaN] };
  }
  const { xs, Ts, txs } = prep;
  const lgR = lgamma(r);
  const lgB = lgamma(b);
  const lgAB = lgamma(a + b);
  const psiR = withGradient ? digamma(r) : 0;
  const psiB = withGradient ? digamma(b) : 0;
  const psiAB = withGradient ? digamma(a + b) : 0;
  const lnAlpha = Math.log(alpha);
  const lnA = Math.log(a);
  const s = modified ? 1 : 0;
  // Per distinct x: A1 + A2 (FHL eq. 6), ln(a/(b+x−1)), and their derivatives.
  const m = xs.values.length;
  const base = new Float64Array(m);
  const odds = new Float64Array(m);
  const dBaseR = new Float64Array(m);
  const dBaseA = new Float64Array(m);
  const dBaseB = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const x = xs.values[k]!;
    // The dropout term: BG/NBD has it only for x > 0 (x chances to drop out), MBG/NBD for every x (x + 1 chances).
    const dropout = x > 0 || modified;
    const bx = b + x + s;
    base[k] = lgamma(r + x) - lgR + r * lnAlpha + (dropout ? lgAB + lgamma(bx) - lgB - lgamma(a + bx) : 0);
    odds[k] = dropout ? lnA - Math.log(bx - 1) : 0;
    if (withGradient) {
      dBaseR[k] = digamma(r + x) - psiR + lnAlpha;
      dBaseA[k] = dropout ? psiAB - digamma(a + bx) : 0;
      dBaseB[k] = dropout ? psiAB + digamma(bx) - psiB - digamma(a + bx) : 0;
    }
  }
  // Per distinct T and t_x: ln(α + ·) and 1/(α + ·).
  const lnT = Float64Array.from(Ts.values, (T) => Math.log(alpha + T));
  const invT = Float64Array.from(Ts.values, (T) => 1 / (alpha + T));
  const lnTx = Float64Array.from(txs.values, (t) => Math.log(alpha + t));
  const invTx = Float64Array.from(txs.values, (t) => 1 / (alpha + t));
  let ll = 0;
  let dr = 0;
  let dalpha = 0;
  let da = 0;
  let db = 0;
  const xOf = xs.of;
  const TOf = Ts.of;
  const txOf = txs.of;
  for (let i = 0; i < data.size; i++) {
    const x = data.x[i]!;
    const w = data.count[i]!;
    const k = xOf[i]!;
    const j = TOf[i]!;
    const lT = lnT[j]!;
    const A3 = -(r + x) * lT;
    if (x > 0 || modified) {
      const h = txOf[i]!;
      const lTx = lnTx[h]!;
      // ln(e^A3 + e^A4) = A3 + ln(1 + e^d), d = A4 − A3; w4 = e^A4 / (e^A3 + e^A4) = 1 / (1 + e^−d).
      const d = odds[k]! - (r + x) * (lTx - lT);
      let lse: number;
      let w4: number;
      if (d > 0) {
        const e = Math.exp(-d);
        lse = A3 + d + Math.log1p(e);
        w4 = 1 / (1 + e);
      } else {
        const e = Math.exp(d);
        lse = A3 + Math.log1p(e);
        w4 = e / (1 + e);
      }
      const w3 = 1 - w4;
      ll += w * (base[k]! + lse);
      if (withGradient) {
        dr += w * (dBaseR[k]! - w3 * lT - w4 * lTx);
        dalpha += w * (r / alpha - (r + x) * (w3 * invT[j]! + w4 * invTx[h]!));
        da += w * (dBaseA[k]! + w4 / a);
        db += w * (dBaseB[k]! - w4 / (b + x - 1 + s));
      }
    } else {
      ll += w * (base[k]! + A3);
      if (withGradient) {
        dr += w * (dBaseR[k]! - lT);
        dalpha += w * (r / alpha - r * invT[j]!);
      }
    }
  }
  return { logLikelihood: ll, gradient: [dr, dalpha, da, db] };
}

/** The BG/NBD log-likelihood of the data (a sum over customers). */
export function bgnbdLogLikelihood(params: BgNbdParams, data: TripleCounts | Iterable<Triple>): number {
  const counts = isCounts(data) ? data : countTriples(data);
  return evaluate(params, counts, prepare(counts), false).logLikelihood;
}

/** The MBG/NBD log-likelihood of the data (Batislam et al. 2007; see `evaluate`). */
export function mbgnbdLogLikelihood(params: BgNbdParams, data: TripleCounts | Iterable<Triple>): number {
  const counts = isCounts(data) ? data : countTriples(data);
  return evaluate(params, counts, prepare(counts), false, true).logLikelihood;
}

/** The two repeat-purchase models fitted here: they share parameters (r, α, a, b) and the data (x, t_x, T). */
export type RepeatModelKind = "bgnbd" | "mbgnbd";
export const REPEAT_MODEL_NAMES: Record<RepeatModelKind, string> = { bgnbd: "BG/NBD", mbgnbd: "MBG/NBD" };

function isCounts(data: TripleCounts | Iterable<Triple>): data is TripleCounts {
  return (data as TripleCounts).count instanceof Float64Array;
}

export interface BgNbdFitOptions {
  /** Fewest customers to fit on (default 100). */
  minCustomers?: number;
  /** Fewest customers with a repeat purchase (default 20): without repeats a and b are not identified. */
  minRepeatCustomers?: number;
  /** Shortest history, in time units: the oldest customer's T must reach it (default 0; the CLI asks 13 weeks / 91 days). */
  minHistory?: number;
  start?: BgNbdParams;
  maxIterations?: number;
  /**
   * With more than 20,000 distinct triples, start on a coarse time grid and polish on the exact data (default true).
   * The maximum is the exact data's either way; false takes the direct path (slower on large data).
   */
  coarseStart?: boolean;
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLikelihood: number;
  /** Standard errors of r, α, a, b; null when the Hessian is not negative definite (a warning says so). */
  standardErrors: BgNbdParams | null;
  covariance: number[][] | null;
  converged: boolean;
  iterations: number;
  message: string;
  customers: number;
  repeatCustomers: number;
  uniqueTriples: number;
  warnings: string[];
}

/** Above this many distinct triples the fit starts on a coarse time grid of COARSE_LEVELS steps up to the oldest T. */
const COARSE_ABOVE = 20_000;
const COARSE_LEVELS = 64;

const toParams = (theta: readonly number[]): BgNbdParams => ({ r: Math.exp(theta[0]!), alpha: Math.exp(theta[1]!), a: Math.exp(theta[2]!), b: Math.exp(theta[3]!) });
const asArray = (p: BgNbdParams) => [p.r, p.alpha, p.a, p.b];

export function checkBgNbdData(data: TripleCounts, options: BgNbdFitOptions = {}): void {
  const minCustomers = options.minCustomers ?? 100;
  const minRepeat = options.minRepeatCustomers ?? 20;
  const minHistory = options.minHistory ?? 0;
  if (data.customers < minCustomers) {
    throw new InsufficientDataError(
      `not enough customers to fit the BG/NBD model: ${data.customers} in the calibration period, at least ${minCustomers} needed`,
      "customers",
      minCustomers,
      data.customers,
    );
  }
  if (data.repeatCustomers < minRepeat) {
    throw new InsufficientDataError(
      `not enough repeat customers to fit the BG/NBD model: ${data.repeatCustomers} customers bought again in the calibration period, at least ${minRepeat} needed (without repeat purchases the dropout rate cannot be estimated)`,
      "repeatCustomers",
      minRepeat,
      data.repeatCustomers,
    );
  }
  if (data.maxT < minHistory) {
    throw new InsufficientDataError(
      `not enough history to fit the BG/NBD model: the oldest customer is ${data.maxT.toFixed(2)} time units old at the calibration end, at least ${minHistory} needed`,
      "history",
      minHistory,
      data.maxT,
    );
  }
}

/** Maximum-likelihood BG/NBD fit (see the module comment). */
export function fitBgNbd(data: TripleCounts | Iterable<Triple>, options: BgNbdFitOptions = {}): BgNbdFit {
  return fitRepeatModel("bgnbd", data, options);
}

/**
 * Maximum-likelihood fit of BG/NBD or MBG/NBD (the same optimiser, starts, coarse-grid path and standard errors; the
 * likelihoods differ only in the dropout chance at the first purchase, see `evaluate`).
 */
export function fitRepeatModel(kind: RepeatModelKind, data: TripleCounts | Iterable<Triple>, options: BgNbdFitOptions = {}): BgNbdFit {
  const counts = isCounts(data) ? data : countTriples(data);
  const modified = kind === "mbgnbd";
  const name = REPEAT_MODEL_NAMES[kind];
  checkBgNbdData(counts, options);
  const xs = prepare(counts);
  const n = counts.customers;
  let meanT = 0;
  for (let i = 0; i < counts.size; i++) meanT += counts.T[i]! * counts.count[i]!;
  meanT /= n;
  const objectiveOn = (d: TripleCounts, prep: Prepared) => (theta: readonly number[]) => {
    const p = toParams(theta);
    const e = evaluate(p, d, prep, true, modified);
    const natural = asArray(p);
    return { value: -e.logLikelihood / n, gradient: e.gradient.map((g, i) => (-g * natural[i]!) / n) };
  };
  const objective = objectiveOn(counts, xs);
  const starts: BgNbdParams[] = options.start
    ? [options.start]
    : [
        { r: 1, alpha: Math.max(meanT, 1e-3), a: 1, b: 1 },
        { r: 0.3, alpha: Math.max(meanT / 5, 1e-3), a: 0.5, b: 3 },
        { r: 3, alpha: Math.max(meanT * 5, 1e-3), a: 2, b: 0.5 },
      ];
  const maxIterations = options.maxIterations ?? 500;
  const search = (f: ReturnType<typeof objectiveOn>) => {
    let found: ReturnType<typeof minimizeBfgs> | undefined;
    for (const start of starts) {
      const result = minimizeBfgs(f, asArray(start).map(Math.log), { maxIterations, gradientTolerance: 1e-10 });
      if (!found || (Number.isFinite(result.value) && (result.value < found.value - 1e-12 || (!found.converged && result.converged)))) found = result;
      if (found.converged && options.start === undefined && starts.indexOf(start) === 0) break;
    }
    return found!;
  };
  let best: ReturnType<typeof minimizeBfgs> | undefined;
  if (options.coarseStart !== false && counts.size > COARSE_ABOVE && counts.maxT > 0) {
    // Many distinct histories (day resolution, a million customers): find the optimum on a coarse time grid, then
    // polish it on the exact data starting from the coarse optimum and its curvature (a few Newton-like steps). The
    // result is the exact data's maximum; only the path to it is cheaper.
    const coarse = coarsenTriples(counts, counts.maxT / COARSE_LEVELS);
    const coarseObjective = objectiveOn(coarse, prepare(coarse));
    const first = search(coarseObjective);
    if (first.converged) {
      const curvature = numericalHessian((theta) => coarseObjective(theta).gradient, first.theta);
      const inverse = curvature.every((row) => row.every(Number.isFinite)) ? invertPositiveDefinite(curvature) : null;
      const polished = minimizeBfgs(objective, first.theta, { maxIterations, gradientTolerance: 1e-10, ...(inverse ? { initialInverseHessian: inverse } : {}) });
      if (polished.converged) best = polished;
    }
  }
  best ??= search(objective);
  const result = best!;
  const params = toParams(result.theta);
  const warnings: string[] = [];
  const gradientNatural = (v: readonly number[]) => evaluate({ r: v[0]!, alpha: v[1]!, a: v[2]!, b: v[3]! }, counts, xs, true, modified).gradient;
  const hessian = numericalHessian(gradientNatural, asArray(params));
  const errors = hessian.every((row) => row.every(Number.isFinite)) ? standardErrors(hessian) : null;
  if (!result.converged) warnings.push(`the ${name} fit did not converge: ${result.message}`);
  if (!errors) warnings.push("the Hessian at the estimate is not negative definite: no standard errors (the maximum may be flat or on a boundary)");
  if (Math.abs(params.a - 1) < 1e-3) warnings.push("a is close to 1, where expected-purchase formulas lose precision");
  for (const [name, value] of Object.entries(params)) {
    if (value < 1e-6 || value > 1e6) warnings.push(`${name} = ${value.toExponential(3)} is at an extreme: the data may not identify it`);
  }
  return {
    params,
    logLikelihood: -result.value * n,
    standardErrors: errors ? { r: errors.se[0]!, alpha: errors.se[1]!, a: errors.se[2]!, b: errors.se[3]! } : null,
    covariance: errors?.covariance ?? null,
    converged: result.converged,
    iterations: result.iterations,
    message: result.message,
    customers: n,
    repeatCustomers: counts.repeatCustomers,
    uniqueTriples: counts.size,
    warnings,
  };
}

/** ln of the odds term a/(b+x−1) · ((α+T)/(α+t_x))^(r+x) (x > 0), whose 1/(1 + ·) is P(alive). */
function logDeadOdds({ r, alpha, a, b }: BgNbdParams, x: number, t_x: number, T: number): number {
  if (x === 0) return Number.NEGATIVE_INFINITY;
  return Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + t_x));
}

/** P(alive at T | x, t_x, T) (FHL 2005; Fader, Hardie & Lee 2008 note). 1 for customers without repeat purchases. */
export function probabilityAlive(params: BgNbdParams, x: number, t_x: number, T: number): number {
  const lo = logDeadOdds(params, x, t_x, T);
  return lo === Number.NEGATIVE_INFINITY ? 1 : 1 / (1 + Math.exp(lo));
}

/**
 * E[Y(t) | x, t_x, T]: expected repeat purchases in (T, T + t] (FHL 2005 eq. 10):
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive).
 */
export function conditionalExpectedPurchases(params: BgNbdParams, x: number, t_x: number, T: number, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  return ((a + b + x - 1) / (a - 1)) * oneMinusScaled2F1(r + x, b + x, a + b + x - 1, z, (r + x) * Math.log((alpha + T) / (alpha + T + t))) * probabilityAlive(params, x, t_x, T);
}

/** E[X(t)]: expected repeat purchases in (0, t] of a customer whose first purchase is at 0 (FHL 2005 eq. 7). */
export function expectedPurchasesNewCustomer(params: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  return ((a + b - 1) / (a - 1)) * oneMinusScaled2F1(r, b, a + b - 1, t / (alpha + t), r * Math.log(alpha / (alpha + t)));
}

/**
 * 1 − e^logScale · ₂F₁(a, b; c; z): in log space (expm1, no cancellation) when c > 0; with c < 0 (a fit with a + b < 1,
 * common on small shops) ₂F₁ can be negative and the product is formed directly.
 */
export function oneMinusScaled2F1(a: number, b: number, c: number, z: number, logScale: number): number {
  if (c > 0) return -Math.expm1(logScale + log2F1(a, b, c, z));
  return 1 - Math.exp(logScale) * hyp2f1(a, b, c, z);
}

export interface NextPurchase {
  probabilityAlive: number;
  /**
   * Median wait from T to the next purchase if the customer is alive, in time units. Given alive, λ | data ~
   * Gamma(r+x, α+T) and the wait is Lomax: P(wait > w) = ((α+T)/(α+T+w))^(r+x), median (α+T)(2^(1/(r+x)) − 1).
   */
  medianWaitIfAlive: number;
  /** Mean wait if alive, (α+T)/(r+x−1); null when r + x ≤ 1 (the mean is infinite). */
  meanWaitIfAlive: number | null;
  /** P(at least one purchase in (T, T + horizon]) = P(alive) · (1 − ((α+T)/(α+T+horizon))^(r+x)). */
  probabilityWithin: (horizon: number) => number;
}

export function nextPurchase(params: BgNbdParams, x: number, t_x: number, T: number): NextPurchase {
  const { r, alpha } = params;
  const alive = probabilityAlive(params, x, t_x, T);
  const shape = r + x;
  return {
    probabilityAlive: alive,
    medianWaitIfAlive: (alpha + T) * Math.expm1(Math.LN2 / shape),
    meanWaitIfAlive: shape > 1 ? (alpha + T) / (shape - 1) : null,
    probabilityWithin: (horizon) => (horizon <= 0 ? 0 : alive * -Math.expm1(shape * Math.log((alpha + T) / (alpha + T + horizon)))),
  };
}
