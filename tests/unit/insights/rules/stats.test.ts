/**
 * Significance and thresholds against independent values: exact BigInt hypergeometric sums, the p-values printed in R's
 * ?fisher.test examples, R's p.adjust(…, "BH") on a hand-checked vector, textbook normal quantiles and Wilson bounds.
 */
import { describe, expect, it } from "vitest";
import {
  benjaminiHochberg,
  decimalFraction,
  erfc,
  fisherGreaterLogP,
  logFactorial,
  minCount,
  normalQuantile,
  reaches,
  wilsonLower,
} from "../../../../app/insights/rules";
import { exactFisherGreaterLog, logRatio } from "../../../support/brute-force-miner";

describe("Fisher exact test, one-sided (greater)", () => {
  it("equals the exact hypergeometric tail on every table with N <= 14", () => {
    for (let N = 1; N <= 14; N++)
      for (let K = 0; K <= N; K++)
        for (let n = 0; n <= N; n++)
          for (let a = Math.max(0, n + K - N); a <= Math.min(n, K); a++) {
            const p = Math.exp(fisherGreaterLogP(a, N, K, n));
            const exact = Math.exp(exactFisherGreaterLog(a, N, K, n));
            expect(Math.abs(p - exact), `a=${a} N=${N} K=${K} n=${n}`).toBeLessThan(1e-14);
          }
  });

  it("gives R's printed p-values: TeaTasting 0.2429 (= 17/70), Convictions 0.0004652", () => {
    // fisher.test(matrix(c(3, 1, 1, 3), 2), alternative = "greater"): P(X >= 3), N 8, 4 true cups, 4 guessed.
    expect(Math.exp(fisherGreaterLogP(3, 8, 4, 4))).toBeCloseTo(17 / 70, 14);
    // fisher.test(matrix(c(2, 10, 15, 3), 2), alternative = "less"): P(X <= 2) = P(Y >= 17 - 2) for the other column.
    expect(Math.exp(fisherGreaterLogP(15, 30, 18, 17))).toBeCloseTo(0.0004652, 7);
  });

  it("stays exact in log space at N = 1,000,000 (p-values far below the smallest double)", { timeout: 20_000 }, () => {
    for (const [a, N, K, n] of [
      [40, 1_000_000, 2000, 500],
      [3, 1_000_000, 2000, 500],
      [1, 1_000_000, 2000, 500],
      [300, 1_000_000, 600, 450],
    ] as const) {
      const exact = exactFisherGreaterLog(a, N, K, n);
      const log = fisherGreaterLogP(a, N, K, n);
      expect(Math.abs(log - exact), `${a} ${N} ${K} ${n}: ${log} vs ${exact}`).toBeLessThan(1e-7 * Math.max(1, Math.abs(exact)));
    }
    expect(fisherGreaterLogP(300, 1_000_000, 600, 450)).toBeLessThan(-1500); // exp() of it would underflow
  });
});

describe("log factorials", () => {
  it("match ln(k!) computed from the exact BigInt factorial", () => {
    let f = 1n;
    for (let k = 1; k <= 3000; k++) {
      f *= BigInt(k);
      if (k <= 40 || k % 97 === 0) expect(Math.abs(logFactorial(k) - logRatio(f, 1n)), `k=${k}`).toBeLessThan(1e-12 * Math.max(1, logRatio(f, 1n)));
    }
  });
});

describe("Benjamini–Hochberg", () => {
  it("matches p.adjust(c(0.01, 0.04, 0.03, 0.005), 'BH') = 0.02 0.04 0.04 0.02", () => {
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005].map(Math.log));
    expect(Array.from(q).map((x) => +x.toFixed(12))).toEqual([0.02, 0.04, 0.04, 0.02]);
  });

  it("caps at 1 and keeps q monotone in p", () => {
    const q = benjaminiHochberg([0.9, 0.8, 0.85].map(Math.log));
    expect(Array.from(q).map((x) => +x.toFixed(12))).toEqual([0.9, 0.9, 0.9]);
  });
});

describe("normal quantile and Wilson lower bound", () => {
  it("gives the textbook quantiles", () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489004, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 11);
    expect(erfc(1)).toBeCloseTo(0.15729920705028513, 15);
  });

  it("Wilson bound of 8/10 at 95% two-sided (97.5% one-sided) is 0.4902; of 0/n is 0", () => {
    expect(wilsonLower(8, 10, 0.975)).toBeCloseTo(0.4902, 4);
    // By hand: p = 0.8, z = 1.959964: (0.8 + z²/20 − z·sqrt(0.016 + z²/400)) / (1 + z²/10).
    const z = 1.959963984540054;
    expect(wilsonLower(8, 10, 0.975)).toBeCloseTo((0.8 + (z * z) / 20 - z * Math.sqrt(0.016 + (z * z) / 400)) / (1 + (z * z) / 10), 12);
    expect(wilsonLower(0, 25)).toBe(0);
  });
});

describe("exact thresholds", () => {
  it("reads a threshold as the decimal written, not the double", () => {
    expect(decimalFraction(0.07)).toMatchObject({ num: 7n, den: 100n });
    expect(decimalFraction(1e-7)).toMatchObject({ num: 1n, den: 10_000_000n });
    expect(decimalFraction(2.5e-3)).toMatchObject({ num: 25n, den: 10_000n });
    expect(decimalFraction(1)).toMatchObject({ num: 1n, den: 1n });
  });

  it("count exactly minSupport · N is frequent, one less is not (where the double product errs)", () => {
    expect(0.07 * 100).toBeGreaterThan(7); // 7.000000000000001: a naive ceil would ask for 8
    expect(minCount(100, decimalFraction(0.07))).toBe(7);
    expect(reaches(7, 100, decimalFraction(0.07))).toBe(true);
    expect(reaches(6, 100, decimalFraction(0.07))).toBe(false);
    expect(minCount(9835, decimalFraction(0.01))).toBe(99); // 98.35 rounded up
    expect(minCount(1_000_000, decimalFraction(0.001))).toBe(1000);
    expect(0.29 * 100).toBeLessThan(29); // 28.999999999999996
    expect(minCount(100, decimalFraction(0.29))).toBe(29);
    expect(reaches(3, 10, decimalFraction(0.3))).toBe(true);
  });
});
