/**
 * Standard errors of a quasi-Poisson GLM's effects that respect serial correlation (ADR 024).
 *
 * A shop's days are not independent: demand drifts for days or weeks (a campaign, a competitor, the weather), so a
 * month's orders vary from one year's occurrence to the next far more than Poisson noise says. The fitted β̂ of the
 * working-independence GLM is still consistent; only its covariance is wrong. We model the drift as multiplicative
 * shocks shared by blocks of days, two nested time scales:
 *
 *   Var(y) = φ·D + Σ_j τ_j² · D G_j G_jᵀ D,     D = diag(μ),  G_j = day → block indicator of clustering j
 *
 * (clustering "week": consecutive 7-day blocks; clustering "month": each occurrence of a month of the model's calendar,
 * e.g. lunar month 7 of 2024). τ_j² is the relative variance of a block's shock. Then
 *
 *   Cov(β̂) = S·(φ XᵀDX + Σ_j τ_j² XᵀD G_j G_jᵀ D X)·S = φ S + Σ_j τ_j² H_jᵀ H_j,   S = (XᵀDX)⁻¹, H_j = G_jᵀDX·S.
 *
 * φ and the τ_j² are estimated by the method of moments from the residuals r = y − μ̂: the day-level Pearson statistic
 * Σ r_d²/μ_d and, per clustering k, Σ_c R_c²/M_c (R_c, M_c the block sums of r and μ). Their expectations are linear
 * in (φ, τ²) and are computed EXACTLY through the fit's projection (r ≈ (I − DXSXᵀ)(y − μ)), so what the trend and the
 * month dummies absorb — with two occurrences a month's two blocks are forced to sum to zero — is accounted for
 * (an unbiased, REML-like estimator; a negative τ² is set to 0 and the others re-solved).
 *
 * A contrast's variance is a sum of components v_0 + Σ v_j, each estimated with few degrees of freedom when there are
 * few blocks; its reference distribution is Student's t with Satterthwaite's degrees of freedom
 * (Σ v)² / Σ (v_k² / df_k), df_0 = n − p, df_j = blocks − parameters that vary between blocks. With two or three
 * years the month component has few degrees of freedom and the intervals are honestly wide.
 */
import { studentTCdf, studentTQuantile } from "../offers/lift";
import type { GlmFit } from "./glm";

export interface Clustering {
  name: string;
  /** Block index of each day, 0-based. */
  block: Int32Array;
  /** Parameters of the model that vary between this clustering's blocks (they use up its degrees of freedom). */
  betweenParameters: number;
}

export interface VarianceComponents {
  /** Day-level dispersion φ (in the series' units, as GlmFit.dispersion). */
  dispersion: number;
  /** Relative variance τ² of each clustering's block shock, and its degrees of freedom. */
  components: { name: string; blocks: number; tau2: number; df: number }[];
  /** Degrees of freedom of φ: n − p. */
  dispersionDf: number;
}

export interface RobustCovariance extends VarianceComponents {
  /** S = (XᵀDX)⁻¹. */
  S: number[][];
  /** H_j = G_jᵀDX·S per clustering (blocks × p). */
  H: number[][][];
}

export interface RobustContrast {
  estimate: number;
  se: number;
  df: number;
  /** Two-sided p-value of estimate = 0 on Student's t with df. */
  pValue: number;
}

function solve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    if (Math.abs(M[piv]![c]!) < 1e-300) return null;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      if (f !== 0) for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => row[n]! / row[i]!);
}

/** Variance components and the robust covariance of a fitted quasi-Poisson GLM. */
export function robustCovariance(X: readonly (readonly number[])[], y: readonly number[], fit: GlmFit, clusterings: readonly Clustering[]): RobustCovariance {
  const n = y.length;
  const p = fit.beta.length;
  const mu = fit.fitted;
  const S = fit.covariance.map((row) => row.map((v) => v / fit.dispersion));
  // u_d = S x_d
  const U: Float64Array[] = X.map((x) => {
    const u = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      let s = 0;
      const Sj = S[j]!;
      for (let k = 0; k < p; k++) s += Sj[k]! * x[k]!;
      u[j] = s;
    }
    return u;
  });
  const counts = clusterings.map((c) => {
    let m = 0;
    for (let d = 0; d < n; d++) m = Math.max(m, c.block[d]! + 1);
    return m;
  });
  // g_c = Σ_{d∈c} μ_d x_d and H = G·S (blocks × p), per clustering.
  const Gs: number[][][] = clusterings.map((c, j) => {
    const g = Array.from({ length: counts[j]! }, () => new Array<number>(p).fill(0));
    for (let d = 0; d < n; d++) {
      const row = g[c.block[d]!]!;
      const x = X[d]!;
      for (let k = 0; k < p; k++) row[k]! += mu[d]! * x[k]!;
    }
    return g;
  });
  const H: number[][][] = Gs.map((g) => g.map((gc) => S.map((_, k) => gc.reduce((s, v, i) => s + v * S[i]![k]!, 0))));
  const K = clusterings.length;
  const r = y.map((v, d) => v - mu[d]!);

  // Statistics and their expectations' coefficients: row 0 = day-level Pearson, row 1 + k = clustering k.
  const stats = new Array<number>(K + 1).fill(0);
  const coef = Array.from({ length: K + 1 }, () => new Array<number>(K + 1).fill(0));
  for (let d = 0; d < n; d++) stats[0]! += (r[d]! * r[d]!) / mu[d]!;
  coef[0]![0] = n - p;
  // E[Σ r²/μ] τ_j part: Σ_d μ_d Σ_{c'} (1(d∈c') − u_d·g_{c'})².
  for (let j = 0; j < K; j++) {
    const g = Gs[j]!;
    const blockOf = clusterings[j]!.block;
    let total = 0;
    for (let d = 0; d < n; d++) {
      const u = U[d]!;
      let s = 0;
      for (let c = 0; c < g.length; c++) {
        const gc = g[c]!;
        let dot = 0;
        for (let k = 0; k < p; k++) dot += u[k]! * gc[k]!;
        const q = (blockOf[d] === c ? 1 : 0) - dot;
        s += q * q;
      }
      total += mu[d]! * s;
    }
    coef[0]![1 + j] = total;
  }
  for (let k = 0; k < K; k++) {
    const blockOf = clusterings[k]!.block;
    const Hk = H[k]!;
    const R = new Array<number>(counts[k]!).fill(0);
    const M = new Array<number>(counts[k]!).fill(0);
    for (let d = 0; d < n; d++) {
      R[blockOf[d]!]! += r[d]!;
      M[blockOf[d]!]! += mu[d]!;
    }
    for (let c = 0; c < counts[k]!; c++) if (M[c]! > 0) stats[1 + k]! += (R[c]! * R[c]!) / M[c]!;
    // Q_cd = 1(d∈c) − H_c·x_d
    const sums = clusterings.map((_, j) => new Float64Array(counts[j]!));
    for (let c = 0; c < counts[k]!; c++) {
      if (!(M[c]! > 0)) continue;
      const h = Hk[c]!;
      for (const s of sums) s.fill(0);
      let phiPart = 0;
      for (let d = 0; d < n; d++) {
        const x = X[d]!;
        let dot = 0;
        for (let i = 0; i < p; i++) dot += h[i]! * x[i]!;
        const q = (blockOf[d] === c ? 1 : 0) - dot;
        phiPart += q * q * mu[d]!;
        for (let j = 0; j < K; j++) sums[j]![clusterings[j]!.block[d]!]! += q * mu[d]!;
      }
      coef[1 + k]![0]! += phiPart / M[c]!;
      for (let j = 0; j < K; j++) coef[1 + k]![1 + j]! += sums[j]!.reduce((s, v) => s + v * v, 0) / M[c]!;
    }
  }

  // Solve with τ² ≥ 0: drop the most negative component until all are non-negative.
  let active = Array.from({ length: K }, (_, j) => j);
  let phi = stats[0]! / (n - p);
  let tau2 = new Array<number>(K).fill(0);
  for (;;) {
    const idx = [0, ...active.map((j) => 1 + j)];
    const A = idx.map((i) => idx.map((j) => coef[i]![j]!));
    const b = idx.map((i) => stats[i]!);
    const sol = solve(A, b);
    if (!sol || !(sol[0]! > 0)) {
      active = [];
      phi = stats[0]! / (n - p);
      tau2 = new Array<number>(K).fill(0);
      break;
    }
    const next = new Array<number>(K).fill(0);
    active.forEach((j, i) => (next[j] = sol[1 + i]!));
    const negative = active.filter((j) => next[j]! < 0);
    if (negative.length === 0) {
      phi = sol[0]!;
      tau2 = next;
      break;
    }
    const worst = negative.reduce((a, b) => (next[a]! < next[b]! ? a : b));
    active = active.filter((j) => j !== worst);
  }
  return {
    dispersion: Math.max(phi, 1e-12),
    dispersionDf: n - p,
    components: clusterings.map((c, j) => ({ name: c.name, blocks: counts[j]!, tau2: tau2[j]!, df: Math.max(1, counts[j]! - c.betweenParameters) })),
    S,
    H,
  };
}

/** c'β̂ with its robust standard error, Satterthwaite degrees of freedom and two-sided p-value. */
export function robustContrast(fit: Pick<GlmFit, "beta">, cov: RobustCovariance, c: readonly number[]): RobustContrast {
  let estimate = 0;
  for (let i = 0; i < c.length; i++) estimate += c[i]! * fit.beta[i]!;
  let cSc = 0;
  for (let i = 0; i < c.length; i++) {
    if (c[i] === 0) continue;
    for (let j = 0; j < c.length; j++) if (c[j] !== 0) cSc += c[i]! * cov.S[i]![j]! * c[j]!;
  }
  const parts: { v: number; df: number }[] = [{ v: cov.dispersion * Math.max(cSc, 0), df: cov.dispersionDf }];
  cov.components.forEach((comp, j) => {
    if (comp.tau2 <= 0) return;
    let s = 0;
    for (const h of cov.H[j]!) {
      let dot = 0;
      for (let i = 0; i < c.length; i++) dot += h[i]! * c[i]!;
      s += dot * dot;
    }
    // Components with the same degrees of freedom are estimated from the same blocks (a month clustering and its
    // shifted copy): their estimates are not independent, so they count as one part in Satterthwaite's formula.
    const same = parts.find((q, i) => i > 0 && q.df === comp.df);
    if (same) same.v += comp.tau2 * s;
    else parts.push({ v: comp.tau2 * s, df: comp.df });
  });
  const variance = parts.reduce((s, q) => s + q.v, 0);
  const denominator = parts.reduce((s, q) => s + (q.v * q.v) / q.df, 0);
  const df = denominator > 0 ? Math.max(1, (variance * variance) / denominator) : cov.dispersionDf;
  const se = Math.sqrt(Math.max(variance, 0));
  const t = se > 0 ? Math.abs(estimate) / se : estimate === 0 ? 0 : Number.POSITIVE_INFINITY;
  const pValue = Number.isFinite(t) ? Math.min(1, 2 * (1 - studentTCdf(t, df))) : 0;
  return { estimate, se, df, pValue };
}

/** The two-sided critical value of Student's t for a confidence level. */
export function tCritical(level: number, df: number): number {
  return studentTQuantile(0.5 + level / 2, df);
}
