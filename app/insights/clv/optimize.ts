/**
 * A small unconstrained minimiser (BFGS with a backtracking Armijo line search) and the numerical second derivatives
 * used for standard errors. The models optimise over log-parameters, so "unconstrained" is enough.
 */

export interface Objective {
  /** f(θ) and its gradient; f may be +Infinity or NaN outside the domain (the line search backs off). */
  (theta: readonly number[]): { value: number; gradient: number[] };
}

export interface MinimizeOptions {
  maxIterations?: number;
  /** Stop when every |∂f/∂θᵢ| is below this. */
  gradientTolerance?: number;
  /**
   * A starting inverse Hessian (e.g. from a fit on coarsened data): near the optimum the first steps are then
   * Newton steps. Without it the identity is used, rescaled by sᵀy / yᵀy after the first step (Shanno & Phua 1978)
   * so that the line search does not spend evaluations on the identity's arbitrary scale.
   */
  initialInverseHessian?: readonly (readonly number[])[];
}

export interface MinimizeResult {
  theta: number[];
  value: number;
  gradient: number[];
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

const dot = (u: readonly number[], v: readonly number[]) => u.reduce((s, ui, i) => s + ui * v[i]!, 0);
const maxAbs = (v: readonly number[]) => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

export function minimizeBfgs(f: Objective, start: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const n = start.length;
  const maxIterations = options.maxIterations ?? 500;
  const gtol = options.gradientTolerance ?? 1e-9;
  let theta = [...start];
  let current = f(theta);
  let evaluations = 1;
  if (!Number.isFinite(current.value)) {
    return { theta, value: current.value, gradient: current.gradient, iterations: 0, evaluations, converged: false, message: "the starting point has no finite objective" };
  }
  // Inverse Hessian approximation, starting at the identity (or the one given).
  const given = options.initialInverseHessian;
  let H: number[][] = given ? given.map((row) => [...row]) : Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let scaled = given !== undefined;
  let stalls = 0;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const g = current.gradient;
    if (maxAbs(g) < gtol) return { theta, value: current.value, gradient: g, iterations: iteration - 1, evaluations, converged: true, message: "gradient below tolerance" };
    let direction = H.map((row) => -dot(row, g));
    let slope = dot(direction, g);
    if (!(slope < 0)) {
      // Not a descent direction (the approximation went bad): restart from steepest descent.
      H = H.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
      scaled = false;
      direction = g.map((x) => -x);
      slope = dot(direction, g);
    }
    // Keep a step from jumping more than e^5 in any log-parameter.
    let step = Math.min(1, 5 / Math.max(maxAbs(direction), 1e-300));
    let next: { value: number; gradient: number[] } | undefined;
    let nextTheta: number[] = theta;
    const scale = maxAbs(direction);
    for (let k = 0; k < 60; k++) {
      // Below these a step moves no parameter by more than rounding, or promises a decrease below the objective's
      // rounding: more halvings would only spend evaluations (near the optimum the objective is flat to the last bit).
      if (k > 0 && (step * scale < 1e-12 || -step * slope < 1e-17 * Math.max(1, Math.abs(current.value)))) break;
      nextTheta = theta.map((t, i) => t + step * direction[i]!);
      const trial = f(nextTheta);
      evaluations++;
      if (Number.isFinite(trial.value) && trial.value <= current.value + 1e-4 * step * slope && trial.gradient.every(Number.isFinite)) {
        next = trial;
        break;
      }
      step *= 0.5;
    }
    if (!next) {
      const small = maxAbs(g) < gtol * 1e3;
      return { theta, value: current.value, gradient: g, iterations: iteration, evaluations, converged: small, message: small ? "no further decrease at a near-stationary point" : "the line search failed" };
    }
    const s = nextTheta.map((t, i) => t - theta[i]!);
    const y = next.gradient.map((x, i) => x - g[i]!);
    const sy = dot(s, y);
    if (sy > 1e-300) {
      if (!scaled) {
        // First update from the identity: scale it to the curvature seen along the step.
        const gamma = sy / dot(y, y);
        H = H.map((row) => row.map((v) => v * gamma));
        scaled = true;
      }
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
      const rho = 1 / sy;
      const Hy = H.map((row) => dot(row, y));
      const yHy = dot(y, Hy);
      H = H.map((row, i) => row.map((hij, j) => hij - rho * (s[i]! * Hy[j]! + Hy[i]! * s[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!));
    }
    const decrease = current.value - next.value;
    theta = nextTheta;
    current = next;
    stalls = decrease <= 1e-15 * Math.max(1, Math.abs(current.value)) ? stalls + 1 : 0;
    if (stalls >= 5) {
      const small = maxAbs(current.gradient) < gtol * 1e3;
      return { theta, value: current.value, gradient: current.gradient, iterations: iteration, evaluations, converged: small, message: small ? "no further decrease" : "stalled away from a stationary point" };
    }
  }
  return { theta, value: current.value, gradient: current.gradient, iterations: maxIterations, evaluations, converged: false, message: `no convergence in ${maxIterations} iterations` };
}

/** The Hessian by central differences of an analytic gradient, symmetrised. Steps are relative to each coordinate. */
export function numericalHessian(gradient: (x: readonly number[]) => number[], x: readonly number[], relativeStep = 1e-5): number[][] {
  const n = x.length;
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    const h = relativeStep * Math.max(Math.abs(x[j]!), 1e-8);
    const up = [...x];
    const down = [...x];
    up[j] = x[j]! + h;
    down[j] = x[j]! - h;
    const gu = gradient(up);
    const gd = gradient(down);
    for (let i = 0; i < n; i++) H[i]![j] = (gu[i]! - gd[i]!) / (2 * h);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const m = (H[i]![j]! + H[j]![i]!) / 2;
      H[i]![j] = m;
      H[j]![i] = m;
    }
  }
  return H;
}

/** The lower-triangular Cholesky factor L (A = L Lᵀ) of a symmetric matrix, or null when it is not positive definite. */
export function cholesky(A: readonly (readonly number[])[]): number[][] | null {
  const n = A.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        L[i]![i] = Math.sqrt(s);
      } else L[i]![j] = s / L[j]![j]!;
    }
  }
  return L;
}

/** Inverse of a symmetric positive definite matrix by Cholesky, or null when it is not positive definite. */
export function invertPositiveDefinite(A: readonly (readonly number[])[]): number[][] | null {
  const n = A.length;
  const L = cholesky(A);
  if (!L) return null;
  // Solve L Lᵀ X = I column by column.
  const inv = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let col = 0; col < n; col++) {
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = i === col ? 1 : 0;
      for (let k = 0; k < i; k++) s -= L[i]![k]! * y[k]!;
      y[i] = s / L[i]![i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let k = i + 1; k < n; k++) s -= L[k]![i]! * inv[k]![col]!;
      inv[i]![col] = s / L[i]![i]!;
    }
  }
  return inv;
}

/** Standard errors from the Hessian of a log-likelihood at its maximum: √diag((−H)⁻¹), or null if −H is not PD. */
export function standardErrors(hessianOfLogLikelihood: readonly (readonly number[])[]): { se: number[]; covariance: number[][] } | null {
  const negative = hessianOfLogLikelihood.map((row) => row.map((v) => -v));
  const covariance = invertPositiveDefinite(negative);
  if (!covariance) return null;
  return { se: covariance.map((row, i) => Math.sqrt(row[i]!)), covariance };
}
