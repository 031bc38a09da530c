/**
 * The per-day metrics (units, revenue, margin) count only the targeted customers' target lines, and the control never
 * counts a line from an order that also holds a target product. A statistician's counter-example: only untargeted
 * customers change, and the per-day branch used to report "achieved, +200 %".
 */
import { describe, expect, it } from "vitest";
import { evaluateAction, type Action, type ImpactOrder } from "../../../../app/insights/impact/evaluate";
import { addDays } from "../../../../app/insights/trends/series";
import { poisson, testRng } from "../../../support/series-fixtures";

const WINDOW = { start: "2024-05-01", end: "2024-05-31" };

/**
 * Product T is bought by targeted customers (ids t0..t99) and untargeted ones (u0..u99); C1..C4 by everyone.
 * Inside the window the untargeted customers buy three times as much T (and each of those orders also holds C1);
 * the targeted customers, the action's audience, do not change at all.
 */
function shop(seed: number): ImpactOrder[] {
  const rng = testRng(seed);
  const orders: ImpactOrder[] = [];
  let id = 1;
  const order = (day: string, customer: string, products: string[]): ImpactOrder => ({
    id: String(id++),
    createdAt: new Date(`${day}T05:00:00Z`),
    customerId: customer,
    currency: "VND",
    total: 100_000 * products.length,
    totalRefunded: 0,
    cancelledAt: null,
    test: false,
    lines: products.map((productId) => ({ productId, quantity: 1, refundedQuantity: 0, amount: 100_000, unitCost: 60_000 })),
  });
  for (let i = 0; i < 182; i++) {
    const day = addDays("2024-01-01", i);
    const win = day >= WINDOW.start && day <= WINDOW.end;
    for (let k = poisson(rng, 8); k > 0; k--) orders.push(order(day, `t${Math.floor(rng() * 100)}`, ["T"]));
    for (let k = poisson(rng, win ? 24 : 8); k > 0; k--) orders.push(order(day, `u${Math.floor(rng() * 100)}`, win ? ["T", "C1"] : ["T"]));
    for (const c of ["C1", "C2", "C3", "C4"]) for (let k = poisson(rng, 8); k > 0; k--) orders.push(order(day, `c${Math.floor(rng() * 500)}`, [c]));
  }
  return orders;
}

const targeted = Array.from({ length: 100 }, (_, i) => `t${i}`);
const action = (metric: Action["metric"]): Action => ({
  id: "a1",
  kind: "campaign",
  target: { products: ["T"], customers: targeted },
  window: WINDOW,
  metric,
  goal: { direction: "increase", minimumEffect: 0.1 },
  decidedOn: "2024-04-20",
});

describe("per-day metrics respect the targeted customers and keep target orders out of the control", () => {
  for (const metric of ["units", "revenue", "margin"] as const) {
    it(`${metric}: untargeted customers tripling their purchases is no effect of the action`, () => {
      const r = evaluateAction(shop(11), action(metric), { timeZone: "UTC", asOf: "2024-07-01", seed: 3, bootstrap: 400 });
      // The targeted customers' T lines: about 8 a day before and during the window (one unit of 100,000, margin 40,000).
      const perUnit = metric === "units" ? 1 : metric === "revenue" ? 100_000 : 40_000;
      expect(r.target.pre.value! / perUnit).toBeGreaterThan(6);
      expect(r.target.pre.value! / perUnit).toBeLessThan(10);
      expect(r.target.post.value! / perUnit).toBeLessThan(10);
      expect(r.verdict).not.toBe("achieved");
      expect(r.ci!.lower).toBeLessThanOrEqual(0);
      expect(r.ci!.upper).toBeGreaterThanOrEqual(0);
      expect(Math.abs(r.estimate!)).toBeLessThan(0.3);
    });
  }
});

describe("the donor pool", () => {
  it("leaves out substitutes (a target's product type) and states the rule (complements: tests/integration/impact-actions.test.ts)", () => {
    // In the window every untargeted customer's T order also holds C1 — but C1 is co-bought only in the window, so in
    // the pre period it is no complement; it is a substitute here because it shares T's product type.
    const types: Record<string, string> = { T: "Mugs", C1: "Mugs", C2: "Plates", C3: "Bowls", C4: "Cups" };
    const r = evaluateAction(shop(12), action("units"), { timeZone: "UTC", asOf: "2024-07-01", seed: 3, bootstrap: 200, productType: (id) => types[id] });
    expect(r.donors.substitutes).toEqual(["C1"]);
    expect(r.donors.rule).toMatch(/excluding substitutes \(the same product type as a target\) and complements/);
    expect(r.control!.products).not.toContain("C1");
    // Without types nothing is a substitute; C1 may then be chosen.
    expect(evaluateAction(shop(12), action("units"), { timeZone: "UTC", asOf: "2024-07-01", seed: 3, bootstrap: 200 }).donors.substitutes).toEqual([]);
  });
});
