import { describe, expect, it } from "vitest";
import { Rng, hashInts, logGamma } from "../../demo-store/random";

const N = 200_000;

/** Sample mean and variance of n draws. */
function moments(draw: () => number, n = N): { mean: number; variance: number } {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean };
}

/** |observed − expected| within 4 standard errors of a mean of n draws with the given variance. */
function expectMean(observed: number, expected: number, variance: number, n = N) {
  expect(Math.abs(observed - expected)).toBeLessThan(4 * Math.sqrt(variance / n));
}

describe("seeded generator", () => {
  it("repeats its sequence for the same seed and stream, and differs across seeds and streams", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => new Rng(43).nextUint32())).not.toEqual(seqA);
    const s1 = new Rng(42, 1, 0);
    const s2 = new Rng(42, 1, 1);
    expect(s1.nextUint32()).not.toBe(s2.nextUint32());
    expect(hashInts(1, 2)).not.toBe(hashInts(2, 1));
    expect(hashInts(2 ** 40)).not.toBe(hashInts(0));
  });

  it("draws uniforms in [0, 1) with the right mean and variance", () => {
    const rng = new Rng(1);
    let min = 1;
    let max = 0;
    const { mean, variance } = moments(() => {
      const u = rng.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      return u;
    });
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expectMean(mean, 0.5, 1 / 12);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it("draws integers inclusively and choices by weight", () => {
    const rng = new Rng(2);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) counts[rng.int(0, 3)]! += 1;
    for (const c of counts) expect(Math.abs(c / N - 0.25)).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / N));
    const weights = [1, 0, 3];
    const picks = [0, 0, 0];
    for (let i = 0; i < N; i++) picks[rng.weightedIndex(weights)]! += 1;
    expect(picks[1]).toBe(0);
    expect(Math.abs(picks[2]! / N - 0.75)).toBeLessThan(4 * Math.sqrt((0.75 * 0.25) / N));
  });

  it("draws normals (Box–Muller) with mean and sd as asked", () => {
    const rng = new Rng(3);
    const { mean, variance } = moments(() => rng.normal(10, 2));
    expectMean(mean, 10, 4);
    expect(Math.sqrt(variance)).toBeCloseTo(2, 1);
  });

  it("draws gammas (Marsaglia–Tsang) for shapes below and above 1", () => {
    for (const [shape, rate] of [
      [0.3, 4],
      [1, 1],
      [5, 0.5],
    ] as const) {
      const rng = new Rng(4, shape * 10);
      const { mean, variance } = moments(() => rng.gamma(shape, rate));
      expectMean(mean, shape / rate, shape / rate ** 2);
      expect(variance / (shape / rate ** 2)).toBeGreaterThan(0.9);
      expect(variance / (shape / rate ** 2)).toBeLessThan(1.1);
    }
    expect(() => new Rng(1).gamma(0)).toThrow(RangeError);
  });

  it("draws betas, exponentials and geometrics with the right means", () => {
    const rng = new Rng(5);
    const [a, b] = [0.8, 2.5];
    const betaVar = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expectMean(moments(() => rng.beta(a, b)).mean, a / (a + b), betaVar);
    expectMean(moments(() => rng.exponential(0.25)).mean, 4, 16);
    const p = 0.3;
    expectMean(moments(() => rng.geometric(p)).mean, (1 - p) / p, (1 - p) / p ** 2);
  });

  it("draws Poisson counts for small (Knuth) and large (PTRS) means", () => {
    for (const mean of [3, 50]) {
      const rng = new Rng(6, mean);
      const m = moments(() => rng.poisson(mean));
      expectMean(m.mean, mean, mean);
      expect(m.variance / mean).toBeGreaterThan(0.95);
      expect(m.variance / mean).toBeLessThan(1.05);
    }
    expect(new Rng(7).poisson(0)).toBe(0);
  });

  it("computes ln Γ", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(101)).toBeCloseTo(363.73937555556347, 9);
  });
});
