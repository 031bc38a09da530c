/**
 * Quasi-Poisson regression (log link) by iteratively reweighted least squares: the model behind the seasonal effects.
 * E[y] = exp(Xβ), Var[y] = φ·E[y]; φ is estimated from Pearson's χ² / (n − p), so counts that vary more than Poisson
 * (customers who buy in bursts, days of a promotion) widen the intervals instead of making them falsely precise.
 * Works for any non-negative series (order counts, revenue in minor units): β does not depend on the unit.
 */
import { invertPositiveDefinite } from "../clv/optimize";

export interface GlmFit {
  beta: number[];
  /** φ·(XᵀWX)⁻¹. */
  covariance: number[][];
  dispersion: number;
  fitted: number[];
  deviance: number;
  iterations: number;
  converged: boolean;
}

export class GlmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GlmError";
  }
}

function solveInverse(A: number[][]): number[][] {
  const inv = invertPositiveDefinite(A);
  if (!inv) throw new GlmError("the design is singular: some effects cannot be told apart with this history");
  return inv;
}

export function fitQuasiPoisson(X: readonly (readonly number[])[], y: readonly number[], maxIterations = 50): GlmFit {
  const n = y.length;
  const p = X[0]?.length ?? 0;
  if (n <= p) throw new GlmError(`${n} observations for ${p} parameters`);
  const mean = y.reduce((s, v) => s + v, 0) / n;
  if (!(mean > 0)) throw new GlmError("the series is all zeros");
  const scaled = y.map((v) => v / mean); // β does not depend on the unit; this keeps the weights near 1
  let beta = new Array<number>(p).fill(0);
  beta[0] = 0; // intercept column first: log(mean of scaled) = 0
  let deviance = Number.POSITIVE_INFINITY;
  let converged = false;
  let iterations = 0;
  let xtwxInv: number[][] = [];
  const eta = new Float64Array(n);
  for (; iterations < maxIterations; iterations++) {
    const xtwx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    const xtwz = new Array<number>(p).fill(0);
    for (let i = 0; i < n; i++) {
      const row = X[i]!;
      let e = 0;
      for (let j = 0; j < p; j++) e += row[j]! * beta[j]!;
      eta[i] = e;
      const mu = Math.exp(e);
      const z = e + (scaled[i]! - mu) / mu;
      for (let j = 0; j < p; j++) {
        const wxj = mu * row[j]!;
        if (wxj === 0) continue;
        xtwz[j]! += wxj * z;
        for (let k = 0; k <= j; k++) xtwx[j]![k]! += wxj * row[k]!;
      }
    }
    for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) xtwx[k]![j] = xtwx[j]![k]!;
    xtwxInv = solveInverse(xtwx);
    const next = xtwxInv.map((r) => r.reduce((s, v, k) => s + v * xtwz[k]!, 0));
    let dev = 0;
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = 0; j < p; j++) e += X[i]![j]! * next[j]!;
      const mu = Math.exp(e);
      const yi = scaled[i]!;
      dev += 2 * ((yi > 0 ? yi * Math.log(yi / mu) : 0) - (yi - mu));
    }
    beta = next;
    if (Math.abs(deviance - dev) <= 1e-10 * (Math.abs(dev) + 1)) {
      deviance = dev;
      converged = true;
      iterations++;
      break;
    }
    deviance = dev;
  }
  // Final weights at the converged β.
  const xtwx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const fitted: number[] = [];
  let pearson = 0;
  for (let i = 0; i < n; i++) {
    const row = X[i]!;
    let e = 0;
    for (let j = 0; j < p; j++) e += row[j]! * beta[j]!;
    const mu = Math.exp(e);
    fitted.push(mu * mean);
    pearson += (scaled[i]! - mu) ** 2 / mu;
    for (let j = 0; j < p; j++) for (let k = 0; k <= j; k++) xtwx[j]![k]! += mu * row[j]! * row[k]!;
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) xtwx[k]![j] = xtwx[j]![k]!;
  xtwxInv = solveInverse(xtwx);
  const dispersion = Math.max(pearson / (n - p), 1e-12);
  const covariance = xtwxInv.map((r) => r.map((v) => v * dispersion));
  const out = [...beta];
  out[0] = beta[0]! + Math.log(mean);
  return { beta: out, covariance, dispersion: dispersion * mean, fitted, deviance: deviance * mean, iterations, converged };
}

/** c'β and its standard error √(c'Σc). */
export function contrast(fit: Pick<GlmFit, "beta" | "covariance">, c: readonly number[]): { estimate: number; se: number } {
  let estimate = 0;
  let variance = 0;
  for (let i = 0; i < c.length; i++) {
    if (c[i] === 0) continue;
    estimate += c[i]! * fit.beta[i]!;
    for (let j = 0; j < c.length; j++) if (c[j] !== 0) variance += c[i]! * fit.covariance[i]![j]! * c[j]!;
  }
  return { estimate, se: Math.sqrt(Math.max(variance, 0)) };
}
