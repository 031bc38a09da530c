/**
 * Exact thresholds. A minimum support or confidence is given as a JavaScript number, but it stands for the decimal the
 * user wrote: 0.07 means 7/100, not the binary double nearest to it (0.07000000000000000666…, which would exclude a
 * count of exactly 7 in 100). So a threshold is read as the rational number of its shortest round-trip decimal form
 * (`String(x)`: "0.07" → 7/100, "1e-7" → 1/10^7), and every comparison is done on integers:
 *
 *   count / N >= num / den   ⇔   count · den >= num · N
 *
 * evaluated exactly (Number when both products are safe integers, else BigInt). The smallest frequent count is then
 * minCount = ceil(num · N / den), also computed exactly. An itemset whose count is exactly minSupport · N is frequent.
 */

export interface Fraction {
  /** Numerator, ≥ 0. */
  readonly num: bigint;
  /** Denominator, a power of ten, ≥ 1. */
  readonly den: bigint;
  /** The same as Numbers when both are safe integers (the fast path), else null. */
  readonly small: { num: number; den: number } | null;
}

export class ThresholdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ThresholdError";
  }
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;

/** The decimal fraction a non-negative finite number stands for: 0.07 → 7/100, 2.5e-3 → 25/10000. */
export function decimalFraction(value: number, name = "value"): Fraction {
  if (!Number.isFinite(value) || value < 0) throw new ThresholdError(`${name} must be a finite number ≥ 0, got ${value}`);
  const m = DECIMAL.exec(String(value));
  if (!m) throw new ThresholdError(`${name}: cannot read ${value} as a decimal`);
  const [, whole, frac = "", exp = "0"] = m;
  let num = BigInt(whole! + frac);
  let scale = frac.length - Number(exp);
  if (scale < 0) {
    num *= 10n ** BigInt(-scale);
    scale = 0;
  }
  const den = 10n ** BigInt(scale);
  const small = num <= BigInt(Number.MAX_SAFE_INTEGER) && den <= BigInt(Number.MAX_SAFE_INTEGER) ? { num: Number(num), den: Number(den) } : null;
  return { num, den, small };
}

/** Whether count / base >= fraction, exactly. base > 0. */
export function reaches(count: number, base: number, f: Fraction): boolean {
  if (f.small) {
    const left = count * f.small.den;
    const right = f.small.num * base;
    if (Number.isSafeInteger(left) && Number.isSafeInteger(right)) return left >= right;
  }
  return BigInt(count) * f.den >= f.num * BigInt(base);
}

/** The smallest integer count with count / n >= fraction: ceil(num · n / den), exactly. At least 1. */
export function minCount(n: number, f: Fraction): number {
  const product = f.num * BigInt(n);
  const c = (product + f.den - 1n) / f.den;
  return Math.max(1, Number(c));
}
