/**
 * Calibration of the impact verdicts on simulated shops with serially correlated demand and repeat customers
 * (tests/support/impact-simulate.ts; the large study is `npm run bench -- calibration --part impact`).
 * Oracle: the simulator's planted truth (zero for placebos). Each rate is checked against its nominal level with an exact
 * binomial tail: the observed count must not be significantly worse than nominal at the 1 % level.
 */
import { describe, expect, it } from "vitest";
import { evaluateAction } from "../../../../app/insights/impact/evaluate";
import { binomialUpperTail, simulateShop } from "../../../support/impact-simulate";

const options = (seed: number) => ({ timeZone: "UTC", asOf: "2026-01-01", seed, bootstrap: 150 });
/** P(X ≤ k) for X ~ Binomial(n, p). */
const lowerTail = (k: number, n: number, p: number) => 1 - binomialUpperTail(k + 1, n, p);

describe("placebo launches (no effect) on serially correlated shops (AR(1) φ = 0.5 shop-wide and per product)", () => {
  it("units per day: achieved at most 2.5 %, significant at most 5 %, within simulation error (200 shops)", () => {
    let achieved = 0;
    let significant = 0;
    let n = 0;
    const estimates: number[] = [];
    const mdes: number[] = [];
    for (let s = 0; s < 200; s++) {
      const shop = simulateShop({ seed: 10_000 + s, phi: 0.5, products: 5 });
      const r = evaluateAction(shop.orders, shop.action("units", 0.05), options(s));
      if (!r.ci) continue;
      n++;
      if (r.verdict === "achieved") achieved++;
      if (r.significant) significant++;
      estimates.push(r.estimate!);
      mdes.push(r.mde!.value);
    }
    expect(n).toBeGreaterThan(190);
    // The minimum detectable effect is (z(0.975) + z(0.8)) ≈ 2.80 standard errors: the spread of the estimates across
    // the placebo shops is an independent measure of that standard error.
    const mean = estimates.reduce((a, x) => a + x, 0) / n;
    const sd = Math.sqrt(estimates.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
    const medianMde = [...mdes].sort((a, b) => a - b)[n >> 1]!;
    console.log(`units placebo: achieved ${achieved}/${n}, significant ${significant}/${n}; sd of estimates ${sd.toFixed(3)}, median MDE / 2.80 ${(medianMde / 2.8).toFixed(3)}`);
    expect(medianMde / 2.8 / sd).toBeGreaterThan(0.8);
    expect(medianMde / 2.8 / sd).toBeLessThan(1.6);
    expect(binomialUpperTail(achieved, n, 0.025)).toBeGreaterThan(0.01);
    expect(binomialUpperTail(significant, n, 0.05)).toBeGreaterThan(0.01);
  }, 30_000);

  it("attach rate (customers as clusters): achieved at most 2.5 %, significant at most 5 % (30 shops)", () => {
    let achieved = 0;
    let significant = 0;
    let n = 0;
    for (let s = 0; s < 30; s++) {
      const shop = simulateShop({ seed: 20_000 + s, phi: 0.5, products: 4 });
      const r = evaluateAction(shop.orders, shop.action("attach-rate", 0.02), options(s));
      if (!r.ci) continue;
      n++;
      if (r.verdict === "achieved") achieved++;
      if (r.significant) significant++;
    }
    expect(n).toBeGreaterThan(27);
    console.log(`attach-rate placebo: achieved ${achieved}/${n}, significant ${significant}/${n}`);
    expect(binomialUpperTail(achieved, n, 0.025)).toBeGreaterThan(0.01);
    expect(binomialUpperTail(significant, n, 0.05)).toBeGreaterThan(0.01);
  }, 30_000);
});

describe("planted effects: the 95 % intervals cover the truth at about their level", () => {
  it("units +25 % (80 shops)", () => {
    let covered = 0;
    let n = 0;
    for (let s = 0; s < 80; s++) {
      const shop = simulateShop({ seed: 30_000 + s, phi: 0.5, products: 5, unitsEffect: 0.25 });
      const r = evaluateAction(shop.orders, shop.action("units", 0.05), options(s));
      if (!r.ci) continue;
      n++;
      if (r.ci.lower <= shop.truth.units && shop.truth.units <= r.ci.upper) covered++;
    }
    console.log(`units +25 %: covered ${covered}/${n}`);
    expect(n).toBeGreaterThan(76);
    expect(lowerTail(covered, n, 0.95)).toBeGreaterThan(0.01);
  }, 30_000);

  it("attach rate +8 points (30 shops)", () => {
    let covered = 0;
    let n = 0;
    for (let s = 0; s < 30; s++) {
      const shop = simulateShop({ seed: 40_000 + s, phi: 0.5, products: 4, attachEffect: 0.08 });
      const r = evaluateAction(shop.orders, shop.action("attach-rate", 0.02), options(s));
      if (!r.ci) continue;
      n++;
      if (r.ci.lower <= shop.truth.attachRate && shop.truth.attachRate <= r.ci.upper) covered++;
    }
    console.log(`attach-rate +8 points: covered ${covered}/${n}`);
    expect(n).toBeGreaterThan(27);
    expect(lowerTail(covered, n, 0.95)).toBeGreaterThan(0.01);
  }, 30_000);
});
