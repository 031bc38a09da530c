/** The pieces of ADR 023's inference against hand-worked oracles: block weights, block length, Benjamini–Hochberg. */
import { describe, expect, it } from "vitest";
import { blockDayWeights, blockLength, lagOneAutocorrelation, MIN_BLOCK_DAYS } from "../../../../app/insights/impact/block-bootstrap";
import { benjaminiHochberg } from "../../../../app/insights/impact/fdr";
import { seededRng } from "../../../../app/insights/trends/random";

describe("moving-block day weights", () => {
  it("fill each segment exactly, leave other days at 0, and draw whole runs of consecutive (circular) days", () => {
    const rng = seededRng(4);
    for (let r = 0; r < 50; r++) {
      const w = blockDayWeights(rng, 40, [[0, 19], [25, 34]], 5);
      expect(w.slice(0, 20).reduce((s, x) => s + x, 0)).toBe(20);
      expect(w.slice(25, 35).reduce((s, x) => s + x, 0)).toBe(10);
      expect([...w.slice(20, 25), ...w.slice(35)].every((x) => x === 0)).toBe(true);
    }
    // One block of the whole 10-day segment: every day exactly once.
    expect([...blockDayWeights(seededRng(1), 10, [[0, 9]], 10)]).toEqual(new Array(10).fill(1));
  });
});

describe("block length", () => {
  it("is at least a week, grows with the autocorrelation, and is capped", () => {
    expect(blockLength(0, 120, 10)).toBe(MIN_BLOCK_DAYS);
    // (6 · 0.8² / (1 − 0.8²)²)^(1/3) · 120^(1/3) = 3.086 · 4.932 = 15.2 → 16, capped at 30 / 3 = 10 or left at 16.
    expect(blockLength(0.8, 120, 40)).toBe(16);
    expect(blockLength(0.8, 120, 10)).toBe(10);
    expect(lagOneAutocorrelation([1, -1, 1, -1, 1, -1])).toBeCloseTo(-5 / 6, 10);
  });
});

describe("Benjamini–Hochberg", () => {
  it("matches the step-up rule worked by hand", () => {
    // m = 5, q = 0.05: thresholds 0.01, 0.02, 0.03, 0.04, 0.05. Sorted p: 0.001, 0.012, 0.035, 0.039, 0.6 → the largest
    // k with p(k) ≤ k q / m is k = 4 (0.039 ≤ 0.04), so the four smallest survive, 0.035 included though above 0.03.
    expect(benjaminiHochberg([0.6, 0.035, 0.001, 0.039, 0.012], 0.05)).toEqual([false, true, true, true, true]);
    expect(benjaminiHochberg([0.02, 0.4, 0.8], 0.025)).toEqual([false, false, false]); // 0.02 > 0.025 / 3
    expect(benjaminiHochberg([0.02, null], 0.025)).toEqual([true, false]); // a family of one: the test alone
  });
});
