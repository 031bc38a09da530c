/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): an item-to-item linear model fitted in
 * closed form. Pure.
 *
 * With X the baskets × items 0/1 matrix and G = XᵀX its Gram (co-purchase counts, item counts on the diagonal):
 *   P = (G + λI)⁻¹,   B = I − P · diagMat(1 / diag(P)),   i.e. B_ij = −P_ij / P_jj (i ≠ j), B_jj = 0.
 * Column j of B is the ridge regression of "basket has j" on the other items (the zero diagonal stops an item
 * explaining itself); a cart's score for item j is Σ_{i ∈ cart} B_ij.
 *
 * The inversion is O(n³), so only the items that matter enter the model: items in at least `minBaskets` baskets
 * (default 3), the `maxItems` most frequent (default 1,500; ties by id). Items outside have no score (callers fall
 * back to their own order). G + λI is symmetric positive definite for λ > 0, so it is inverted through its Cholesky
 * factor L (G + λI = LLᵀ, P = L⁻ᵀL⁻¹) on Float64Arrays: about ⅔ n³ multiply-adds.
 */
import { compareText } from "./rules";

export interface EaseOptions {
  /** The ridge penalty λ > 0. */
  lambda: number;
  /** Most items in the model, the most frequent first (default 1,500). */
  maxItems?: number;
  /** Fewest baskets an item needs to enter the model (default 3). */
  minBaskets?: number;
}

export interface EaseModel {
  readonly lambda: number;
  /** The modelled items, most frequent first; index i is row/column i of B. */
  readonly items: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** n × n, row-major: B[i · n + j] = B_ij, the weight item i gives item j. */
  readonly weights: Float64Array;
  /** Σ_{i ∈ context} B_ij for every modelled j (context items outside the model add nothing). */
  scores(context: readonly string[]): Float64Array;
  /** The k best modelled items for the context, not in it and accepted, best first (ties by item order). */
  top(context: readonly string[], k: number, accept?: (id: string) => boolean): string[];
}

/** The inverse of a symmetric positive definite n × n matrix (row-major), through its Cholesky factor. */
export function spdInverse(matrix: Float64Array, n: number): Float64Array {
  if (matrix.length !== n * n) throw new RangeError(`expected ${n * n} entries, got ${matrix.length}`);
  // L, lower triangle, row-major: L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj; the inner sums run along rows.
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = matrix[ri + j]!;
      for (let k = 0; k < j; k++) s -= L[ri + k]! * L[rj + k]!;
      if (i === j) {
        if (!(s > 0)) throw new RangeError("the matrix is not positive definite");
        L[ri + i] = Math.sqrt(s);
      } else {
        L[ri + j] = s / L[rj + j]!;
      }
    }
  }
  // X = L⁻¹, lower: row_i(X) = (e_i − Σ_{k<i} L_ik row_k(X)) / L_ii, row operations on contiguous memory.
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k]!;
      if (l === 0) continue;
      const rk = k * n;
      for (let c = 0; c <= k; c++) X[ri + c]! -= l * X[rk + c]!;
    }
    X[ri + i] = 1;
    const d = L[ri + i]!;
    for (let c = 0; c <= i; c++) X[ri + c]! /= d;
  }
  // P = XᵀX: P_ab = Σ_{i ≥ max(a,b)} X_ia X_ib, accumulated row by row into the lower triangle, then mirrored.
  const P = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let a = 0; a <= i; a++) {
      const xa = X[ri + a]!;
      if (xa === 0) continue;
      const ra = a * n;
      for (let b = 0; b <= a; b++) P[ra + b]! += xa * X[ri + b]!;
    }
  }
  for (let a = 0; a < n; a++) for (let b = 0; b < a; b++) P[b * n + a] = P[a * n + b]!;
  return P;
}

/** The items EASE models: in ≥ minBaskets baskets, the maxItems most frequent (ties by id). */
export function easeItems(baskets: readonly (readonly string[])[], maxItems = 1500, minBaskets = 3): string[] {
  const counts = new Map<string, number>();
  for (const b of baskets) for (const item of b) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts.entries()]
    .filter(([, c]) => c >= minBaskets)
    .sort((x, y) => y[1] - x[1] || compareText(x[0], y[0]))
    .slice(0, maxItems)
    .map(([id]) => id);
}

/** The Gram matrix XᵀX over the given items (row-major n × n). */
export function gram(baskets: readonly (readonly string[])[], index: ReadonlyMap<string, number>): Float64Array {
  const n = index.size;
  const G = new Float64Array(n * n);
  const rows: number[] = [];
  for (const b of baskets) {
    rows.length = 0;
    for (const item of new Set(b)) {
      const i = index.get(item);
      if (i !== undefined) rows.push(i);
    }
    for (const i of rows) {
      const ri = i * n;
      for (const j of rows) G[ri + j]!++;
    }
  }
  return G;
}

/** EASE on a precomputed Gram matrix (several λ on one Gram: fitEaseOnGram(G, …) does not change G). */
export function fitEaseOnGram(G: Float64Array, items: readonly string[], lambda: number): EaseModel {
  if (!(lambda > 0)) throw new RangeError(`lambda must be > 0, got ${lambda}`);
  const n = items.length;
  const A = Float64Array.from(G);
  for (let i = 0; i < n; i++) A[i * n + i]! += lambda;
  const P = n > 0 ? spdInverse(A, n) : new Float64Array(0);
  const B = P; // reused in place: B_ij = −P_ij / P_jj, B_jj = 0
  const diag = new Float64Array(n);
  for (let j = 0; j < n; j++) diag[j] = P[j * n + j]!;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < n; j++) B[ri + j] = i === j ? 0 : -P[ri + j]! / diag[j]!;
  }
  const index = new Map(items.map((id, i) => [id, i]));
  const scores = (context: readonly string[]) => {
    const s = new Float64Array(n);
    for (const id of new Set(context)) {
      const i = index.get(id);
      if (i === undefined) continue;
      const ri = i * n;
      for (let j = 0; j < n; j++) s[j]! += B[ri + j]!;
    }
    return s;
  };
  return {
    lambda,
    items,
    index,
    weights: B,
    scores,
    top(context, k, accept) {
      const s = scores(context);
      const skip = new Set<number>();
      for (const id of context) {
        const i = index.get(id);
        if (i !== undefined) skip.add(i);
      }
      // Selection of the k best: a short sorted list (k is small).
      const best: number[] = [];
      for (let j = 0; j < n; j++) {
        if (skip.has(j)) continue;
        const v = s[j]!;
        if (best.length >= k && v <= s[best[best.length - 1]!]!) continue;
        if (accept && !accept(items[j]!)) continue;
        let at = best.length < k ? best.length : k - 1;
        if (best.length < k) best.push(j);
        while (at > 0 && s[best[at - 1]!]! < v) {
          best[at] = best[at - 1]!;
          at--;
        }
        best[at] = j;
      }
      return best.map((j) => items[j]!);
    },
  };
}

/** EASE fitted on the baskets (each an array of item ids). */
export function fitEase(baskets: readonly (readonly string[])[], options: EaseOptions): EaseModel {
  const items = easeItems(baskets, options.maxItems ?? 1500, options.minBaskets ?? 3);
  const index = new Map(items.map((id, i) => [id, i]));
  return fitEaseOnGram(gram(baskets, index), items, options.lambda);
}
