/**
 * The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for
 * Customer Base Analysis"; Hardie's note "The Gamma-Gamma Model of Monetary Value", 2013), and customer lifetime value
 * from it and the BG/NBD model.
 *
 * A customer's transactions have values z ~ Gamma(p, ν) (mean p/ν), and ν ~ Gamma(q, v) across customers. Data: x
 * repeat transactions (x > 0) with mean value m. The model assumes spend is independent of the purchase process.
 * Log-likelihood of one customer (the density of m̄ given x):
 *   lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln v + (px−1) ln m + px ln x − (px+q) ln(v + x m).
 * Fit by maximum likelihood on unique (x, m) pairs (BFGS on log-parameters, analytic gradient), standard errors from
 * the numerical Hessian. Amounts are in whatever unit they are given (minor units in the app): p and q are unit-free,
 * v scales with the unit.
 */
import { InsufficientDataError, ModelInputError, type BgNbdParams } from "./bgnbd";
import { asRepeatModel, expectedRepeatPurchases, type RepeatModel } from "./repeat-model";
import { CountTable } from "./count-table";
import { minimizeBfgs, numericalHessian, standardErrors } from "./optimize";
import { digamma, lgamma } from "./special";

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface SpendRow {
  /** Repeat transactions. Rows with x = 0 carry no spend information and are skipped. */
  x: number;
  /** Mean value of those transactions (> 0). */
  monetary: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLikelihood: number;
  standardErrors: GammaGammaParams | null;
  /** Covariance of (p, q, v) from the Hessian; null with the standard errors. */
  covariance: number[][] | null;
  converged: boolean;
  iterations: number;
  message: string;
  /** Customers the fit used (x > 0 and monetary > 0). */
  customers: number;
  /** Repeat customers left out because their mean spend is 0 (free orders): the model needs positive values. */
  zeroSpendCustomers: number;
  warnings: string[];
}

interface Pairs {
  x: Float64Array;
  lnX: Float64Array;
  lnM: Float64Array;
  /** Distinct x values, and each pair's index into them. */
  xValues: number[];
  xIndex: Int32Array;
  m: Float64Array;
  count: Float64Array;
  size: number;
  customers: number;
  zeroSpend: number;
}

function countPairs(rows: Iterable<SpendRow>): Pairs {
  const table = new CountTable(Array.isArray(rows) ? Math.max(1024, rows.length) : 1024);
  let customers = 0;
  let zeroSpend = 0;
  for (const row of rows) {
    if (!Number.isInteger(row.x) || row.x < 0) throw new ModelInputError(`x must be a non-negative integer, got ${row.x}`);
    if (row.x === 0) continue;
    if (!(row.monetary >= 0) || !Number.isFinite(row.monetary)) throw new ModelInputError(`monetary must be a non-negative number, got ${row.monetary}`);
    if (row.monetary === 0) {
      zeroSpend++;
      continue;
    }
    customers++;
    table.add(row.x, row.monetary, 0, 1);
  }
  const { x, tx: m, count, size } = table.columns();
  const xValues = [...new Set(x)];
  const at = new Map(xValues.map((value, j) => [value, j]));
  return {
    x,
    lnX: x.map(Math.log),
    lnM: m.map(Math.log),
    xValues,
    xIndex: Int32Array.from(x, (value) => at.get(value)!),
    m,
    count,
    size,
    customers,
    zeroSpend,
  };
}

function evaluate({ p, q, v }: GammaGammaParams, d: Pairs, withGradient: boolean): { ll: number; gradient: [number, number, number] } {
  if (!(p > 0 && q > 0 && v > 0) || ![p, q, v].every(Number.isFinite)) return { ll: Number.NEGATIVE_INFINITY, gradient: [Number.NaN, Number.NaN, Number.NaN] };
  // The gamma-function terms depend on x only: once per distinct x (a million customers have a few hundred).
  const lgQ = lgamma(q);
  const lnV = Math.log(v);
  const psiQ = withGradient ? digamma(q) : 0;
  const k = d.xValues.length;
  const lgTerm = new Float64Array(k);
  const psiPxQ = new Float64Array(k);
  const psiPx = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const px = p * d.xValues[j]!;
    lgTerm[j] = lgamma(px + q) - lgamma(px) - lgQ;
    if (withGradient) {
      psiPxQ[j] = digamma(px + q);
      psiPx[j] = digamma(px);
    }
  }
  let ll = 0;
  let dp = 0;
  let dq = 0;
  let dv = 0;
  for (let i = 0; i < d.size; i++) {
    const x = d.x[i]!;
    const m = d.m[i]!;
    const w = d.count[i]!;
    const j = d.xIndex[i]!;
    const px = p * x;
    const lnM = d.lnM[i]!;
    const lnX = d.lnX[i]!;
    const lnS = Math.log(v + x * m);
    ll += w * (lgTerm[j]! + q * lnV + (px - 1) * lnM + px * lnX - (px + q) * lnS);
    if (withGradient) {
      dp += w * x * (psiPxQ[j]! - psiPx[j]! + lnM + lnX - lnS);
      dq += w * (psiPxQ[j]! - psiQ + lnV - lnS);
      dv += w * (q / v - (px + q) / (v + x * m));
    }
  }
  return { ll, gradient: [dp, dq, dv] };
}

export function gammaGammaLogLikelihood(params: GammaGammaParams, rows: Iterable<SpendRow>): number {
  return evaluate(params, countPairs(rows), false).ll;
}

export interface GammaGammaFitOptions {
  /** Fewest repeat customers with positive spend (default 20). */
  minCustomers?: number;
  maxIterations?: number;
}

export function fitGammaGamma(rows: Iterable<SpendRow>, options: GammaGammaFitOptions = {}): GammaGammaFit {
  const data = countPairs(rows);
  const minCustomers = options.minCustomers ?? 20;
  if (data.customers < minCustomers) {
    throw new InsufficientDataError(
      `not enough repeat customers to fit the Gamma-Gamma spend model: ${data.customers} with repeat purchases of positive value, at least ${minCustomers} needed`,
      "repeatCustomers",
      minCustomers,
      data.customers,
    );
  }
  let meanM = 0;
  for (let i = 0; i < data.size; i++) meanM += data.m[i]! * data.count[i]!;
  meanM /= data.customers;
  const n = data.customers;
  const toParams = (t: readonly number[]): GammaGammaParams => ({ p: Math.exp(t[0]!), q: Math.exp(t[1]!), v: Math.exp(t[2]!) });
  const objective = (t: readonly number[]) => {
    const params = toParams(t);
    const e = evaluate(params, data, true);
    const natural = [params.p, params.q, params.v];
    return { value: -e.ll / n, gradient: e.gradient.map((g, i) => (-g * natural[i]!) / n) };
  };
  // Start where E[z] = p v / (q − 1) equals the mean spend.
  const starts = [
    [1, 2, meanM],
    [5, 5, meanM * 4],
  ];
  let best: ReturnType<typeof minimizeBfgs> | undefined;
  for (const start of starts) {
    const result = minimizeBfgs(objective, start.map(Math.log), { maxIterations: options.maxIterations ?? 500, gradientTolerance: 1e-10 });
    if (!best || (Number.isFinite(result.value) && result.value < best.value - 1e-12) || (!best.converged && result.converged)) best = result;
    if (best.converged) break;
  }
  const result = best!;
  const params = toParams(result.theta);
  const hessian = numericalHessian((v) => evaluate({ p: v[0]!, q: v[1]!, v: v[2]! }, data, true).gradient, [params.p, params.q, params.v]);
  const errors = hessian.every((row) => row.every(Number.isFinite)) ? standardErrors(hessian) : null;
  const warnings: string[] = [];
  if (!result.converged) warnings.push(`the Gamma-Gamma fit did not converge: ${result.message}`);
  if (!errors) warnings.push("the Hessian at the estimate is not negative definite: no standard errors");
  if (params.q <= 1) warnings.push(`q = ${params.q.toFixed(3)} ≤ 1: the population mean spend is infinite, expected spend is unreliable`);
  if (data.zeroSpend > 0) warnings.push(`${data.zeroSpend} repeat customer(s) with a mean spend of 0 left out of the spend model`);
  return {
    params,
    logLikelihood: -result.value * n,
    standardErrors: errors ? { p: errors.se[0]!, q: errors.se[1]!, v: errors.se[2]! } : null,
    covariance: errors?.covariance ?? null,
    converged: result.converged,
    iterations: result.iterations,
    message: result.message,
    customers: n,
    zeroSpendCustomers: data.zeroSpend,
    warnings,
  };
}

/**
 * E[Z | x, m̄]: the expected value of this customer's future transactions (FHL 2005 "RFM and CLV" eq. 5), a weighted
 * mean of the population mean p·v/(q−1) and the customer's own mean m̄:
 *   (p (v + x m̄)) / (p x + q − 1).
 * For x = 0 it is the population mean. Needs q > 1 (+Infinity otherwise).
 */
export function expectedAverageSpend({ p, q, v }: GammaGammaParams, x: number, monetary: number): number {
  if (q <= 1 && x === 0) return Number.POSITIVE_INFINITY;
  return (p * (v + x * monetary)) / (p * x + q - 1);
}

export interface ClvOptions {
  /** How far ahead, in the summary's time units (e.g. 39 weeks). */
  horizon: number;
  /** Length of one discounting period in time units (default: a month, 52/12 weeks or 365.25/12 days). */
  periodLength: number;
  /** Discount rate per period (e.g. 0.01 a month ≈ 12.7% a year); 0 for undiscounted. */
  discountRate: number;
}

/**
 * Customer lifetime value over a finite horizon: expected spend of the customer's future transactions in (T, T+H],
 * discounted per period. The horizon is cut into periods of length Δ (the last may be shorter); the expected
 * transactions in period k are E[Y(kΔ)] − E[Y((k−1)Δ)] from the repeat-purchase model (BG/NBD or MBG/NBD), each worth
 * E[Z | x, m̄] (spend is independent of the purchase process in the model), discounted by (1 + d)^k:
 *   CLV = E[Z | x, m̄] · Σₖ (E[Y(min(kΔ, H))] − E[Y((k−1)Δ)]) / (1 + d)^k.
 * With d = 0 this is E[Z] · E[Y(H)]. Same unit as the spend (minor units in the app).
 */
export function customerLifetimeValue(
  purchases: RepeatModel | BgNbdParams,
  gammaGamma: GammaGammaParams,
  customer: { x: number; t_x: number; T: number; monetary: number },
  options: ClvOptions,
): number {
  const { horizon, periodLength, discountRate } = options;
  if (!(horizon >= 0) || !(periodLength > 0) || !(discountRate > -1)) throw new ModelInputError("CLV needs horizon ≥ 0, periodLength > 0 and discountRate > −1");
  const spend = expectedAverageSpend(gammaGamma, customer.x, customer.monetary);
  return spend * discountedPurchases(asRepeatModel(purchases), customer, options);
}

/**
 * Σₖ (E[Y(min(kΔ, H))] − E[Y((k−1)Δ)]) / (1 + d)^k: the expected repeat purchases over the horizon, each discounted to
 * the end of its period. Depends on (x, t_x, T) only, so callers with many customers compute it once per history.
 */
export function discountedPurchases(model: RepeatModel, customer: { x: number; t_x: number; T: number }, options: ClvOptions): number {
  const { horizon, periodLength, discountRate } = options;
  let value = 0;
  let previous = 0;
  const periods = Math.ceil(horizon / periodLength - 1e-12);
  for (let k = 1; k <= periods; k++) {
    const cumulative = expectedRepeatPurchases(model, customer.x, customer.t_x, customer.T, Math.min(k * periodLength, horizon));
    value += (cumulative - previous) / Math.pow(1 + discountRate, k);
    previous = cumulative;
  }
  return value;
}
