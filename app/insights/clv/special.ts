/**
 * Special functions the customer-value models need, written here so the core depends on nothing: log-gamma, digamma,
 * log-sum-exp and the Gauss hypergeometric function ₂F₁ (in log space, for the BG/NBD conditional expectation).
 */

// Lanczos approximation, g = 7, n = 9 (relative error about 1e-15 for x > 0.5).
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0. */
export function lgamma(x: number): number {
  if (!(x > 0)) {
    if (x === 0) return Number.POSITIVE_INFINITY;
    if (Number.isNaN(x)) return Number.NaN;
    // Reflection for negative non-integers: ln|Γ(x)| = ln(π / |sin(πx)|) − ln Γ(1 − x).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const y = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ψ(x) = d/dx ln Γ(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic series. */
export function digamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let result = 0;
  while (x < 10) {
    result -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  // ln x − 1/(2x) − Σ B₂ₖ / (2k x²ᵏ)
  const series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f * (1 / 132 - f * (691 / 32760 - f / 12))))));
  return result + Math.log(x) - 0.5 / x - series;
}

/** ln(eᵃ + eᵇ) without overflow or underflow. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

export class SeriesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SeriesError";
  }
}

/**
 * ln ₂F₁(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, by the power series Σ (a)ₖ(b)ₖ / ((c)ₖ k!) zᵏ. With positive
 * parameters every term is positive, so the sum has no cancellation; it is kept rescaled so that terms in the 1e300s
 * (large a and b) cannot overflow. Converges for every z < 1 (slowly as z → 1: at most `maxTerms` terms).
 */
export function log2F1(a: number, b: number, c: number, z: number, maxTerms = 1_000_000): number {
  if (!(a > 0 && b > 0 && c > 0)) throw new RangeError(`log2F1 needs a, b, c > 0 (got ${a}, ${b}, ${c})`);
  if (!(z >= 0 && z < 1)) throw new RangeError(`log2F1 needs 0 ≤ z < 1 (got ${z})`);
  if (z === 0) return 0;
  let logScale = 0; // the true sum is exp(logScale) · sum
  let term = 1;
  let sum = 1;
  for (let k = 0; k < maxTerms; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
    // Past the peak the ratio of successive terms is < 1 and falls towards z: the tail is below term · ratio / (1 − ratio).
    const ratio = ((a + k + 1) * (b + k + 1) * z) / ((c + k + 1) * (k + 2));
    if (ratio < 1 && term * (ratio / (1 - ratio)) < 1e-17 * sum) return logScale + Math.log(sum);
    if (sum > 1e250) {
      sum /= 1e250;
      term /= 1e250;
      logScale += 250 * Math.LN10;
    }
  }
  throw new SeriesError(`₂F₁(${a}, ${b}; ${c}; ${z}) did not converge in ${maxTerms} terms`);
}

/**
 * ₂F₁(a, b; c; z) for 0 ≤ z < 1, a, b > 0 and any c that is not 0 or a negative integer. With a, b, c > 0 it is
 * exp(log2F1). With c < 0 (fitted BG/NBD parameters with a + b < 1 give c = a + b − 1 < 0) the first ⌈−c⌉ terms change
 * sign and the plain power series is summed; it converges like the positive case (the term ratio tends to z).
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 1_000_000): number {
  if (a > 0 && b > 0 && c > 0) return Math.exp(log2F1(a, b, c, z, maxTerms));
  if (!(a > 0 && b > 0)) throw new RangeError(`hyp2f1 needs a, b > 0 (got ${a}, ${b})`);
  if (!Number.isFinite(c) || (c <= 0 && Number.isInteger(c))) throw new RangeError(`hyp2f1 is undefined for c = ${c} (0 or a negative integer)`);
  if (!(z >= 0 && z < 1)) throw new RangeError(`hyp2f1 needs 0 ≤ z < 1 (got ${z})`);
  let term = 1;
  let sum = 1;
  const signChanges = Math.ceil(-c);
  for (let k = 0; k < maxTerms; k++) {
    term *= ((a + k) * (b + k) * z) / ((c + k) * (k + 1));
    sum += term;
    if (k < signChanges) continue;
    const ratio = ((a + k + 1) * (b + k + 1) * z) / ((c + k + 1) * (k + 2));
    if (ratio > 0 && ratio < 1 && Math.abs(term) * (ratio / (1 - ratio)) < 1e-17 * Math.abs(sum)) return sum;
    if (!Number.isFinite(sum)) break;
  }
  throw new SeriesError(`₂F₁(${a}, ${b}; ${c}; ${z}) did not converge in ${maxTerms} terms`);
}
