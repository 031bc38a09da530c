/**
 * Impact evaluation against planted effects: synthetic shops built here (effects set by hand, plus a common shock that
 * a pre/post comparison would wrongly credit to the action), and the demo store's BTS2024 promotion.
 */
import { describe, expect, it } from "vitest";
import { evaluateAction, ImpactError, type Action, type ImpactOrder } from "../../../../app/insights/impact/evaluate";
import { addDays } from "../../../../app/insights/trends/series";
import { generateDemoStore } from "../../../demo-store/generate";
import { poisson, seriesOrderOf, testRng } from "../../../support/series-fixtures";

const TZ = "Asia/Ho_Chi_Minh";
const WINDOW = { start: "2024-05-01", end: "2024-05-31" };
const inWindow = (day: string) => day >= WINDOW.start && day <= WINDOW.end;

interface Plan {
  /** Target anchor orders per day, and their attach rate to the add-on outside / inside the window. */
  targetPerDay: number;
  targetRate: number;
  targetRateInWindow: number;
  /** Every anchor's attach rate moves by this much inside the window (a season, not the action). */
  commonShock: number;
  /** Units: the target's daily units multiplier inside the window, and the common one. */
  unitsLift?: number;
  unitsShock?: number;
  days?: number;
}

/** Orders of one shop: anchors T (target) and C1..C5 (untargeted), add-on M. Each order has one anchor. */
function shop(plan: Plan, seed: number): ImpactOrder[] {
  const rng = testRng(seed);
  const orders: ImpactOrder[] = [];
  let id = 1;
  const days = plan.days ?? 182;
  for (let i = 0; i < days; i++) {
    const day = addDays("2024-01-01", i);
    const win = inWindow(day);
    const anchors: [string, number, number][] = [
      ["T", plan.targetPerDay * (win ? (plan.unitsLift ?? 1) * (plan.unitsShock ?? 1) : 1), (win ? plan.targetRateInWindow : plan.targetRate) + (win ? plan.commonShock : 0)],
      ...["C1", "C2", "C3", "C4", "C5"].map((c, k): [string, number, number] => [c, 4 * (win ? (plan.unitsShock ?? 1) : 1), 0.28 + 0.01 * k + (win ? plan.commonShock : 0)]),
    ];
    for (const [product, perDay, rate] of anchors) {
      const n = poisson(rng, perDay);
      for (let k = 0; k < n; k++) {
        const withAddOn = rng() < rate;
        orders.push({
          id: String(id++),
          createdAt: new Date(`${day}T05:00:00Z`),
          customerId: String(Math.floor(rng() * 5000)),
          currency: "VND",
          total: withAddOn ? 1_500_000 : 1_000_000,
          totalRefunded: 0,
          cancelledAt: null,
          test: false,
          lines: [
            { productId: product, quantity: 1, refundedQuantity: 0, amount: 1_000_000 },
            ...(withAddOn ? [{ productId: "M", quantity: 1, refundedQuantity: 0, amount: 500_000 }] : []),
          ],
        });
      }
    }
  }
  return orders;
}

const action = (o: Partial<Action> = {}): Action => ({
  id: "a1",
  kind: "bundle-discount",
  target: { products: ["T"], addOns: ["M"] },
  window: WINDOW,
  metric: "attach-rate",
  goal: { direction: "increase", minimumEffect: 0.05 },
  decidedOn: "2024-04-20",
  ...o,
});
const options = { timeZone: TZ, asOf: "2024-07-01", seed: 9 };

describe("evaluateAction on synthetic shops", () => {
  it("recovers a planted attach-rate effect (0.30 → 0.45) by difference-in-differences, not the +0.05 common shock", () => {
    const r = evaluateAction(shop({ targetPerDay: 12, targetRate: 0.3, targetRateInWindow: 0.45, commonShock: 0.05 }, 1), action(), options);
    expect(r.method).toBe("difference-in-differences");
    expect(r.control!.products.every((p) => p.startsWith("C"))).toBe(true);
    expect(r.ci!.lower).toBeLessThanOrEqual(0.15);
    expect(r.ci!.upper).toBeGreaterThanOrEqual(0.15);
    expect(r.prePost! - r.estimate!).toBeGreaterThan(0.02); // pre/post also credits the shock
    // ADR 023: achieved only when the interval's lower bound reaches the goal. With a goal of 5 points the interval
    // still holds values short of it: inconclusive, with the share of bootstrap draws at or beyond the goal.
    expect(r.ci!.lower).toBeLessThan(0.05);
    expect(r.verdict).toBe("inconclusive");
    expect(r.goalShare!).toBeGreaterThan(0.5);
    expect(r.reason).toMatch(/bootstrap resamples of the data give an effect at or beyond the goal/);
    // Against a goal the whole interval clears, the same evaluation is achieved.
    const low = evaluateAction(shop({ targetPerDay: 12, targetRate: 0.3, targetRateInWindow: 0.45, commonShock: 0.05 }, 1), action({ goal: { direction: "increase", minimumEffect: 0.01 } }), options);
    expect(low.ci).toEqual(r.ci);
    expect(low.ci!.lower).toBeGreaterThanOrEqual(0.01);
    expect(low.verdict).toBe("achieved");
  });

  it("a null effect is not credited: not achieved or inconclusive", () => {
    for (const seed of [2, 3]) {
      const r = evaluateAction(shop({ targetPerDay: 12, targetRate: 0.3, targetRateInWindow: 0.3, commonShock: 0.05 }, seed), action(), options);
      expect(r.ci!.lower).toBeLessThanOrEqual(0);
      expect(r.ci!.upper).toBeGreaterThanOrEqual(0);
      expect(["not achieved", "inconclusive"]).toContain(r.verdict);
    }
    // With a goal far beyond what the data allow, a null effect is clearly short of it.
    const r = evaluateAction(shop({ targetPerDay: 12, targetRate: 0.3, targetRateInWindow: 0.3, commonShock: 0 }, 4), action({ goal: { direction: "increase", minimumEffect: 0.3 } }), options);
    expect(r.verdict).toBe("not achieved");
  });

  it("too little data, a window not over yet, a blocking caveat: inconclusive with the reason", () => {
    const few = evaluateAction(shop({ targetPerDay: 0.4, targetRate: 0.3, targetRateInWindow: 0.6, commonShock: 0 }, 5), action(), options);
    expect(few.verdict).toBe("inconclusive");
    expect(few.reason).toMatch(/^too little data/);
    const orders = shop({ targetPerDay: 12, targetRate: 0.3, targetRateInWindow: 0.45, commonShock: 0 }, 6);
    expect(evaluateAction(orders, action(), { ...options, asOf: "2024-05-20" }).reason).toMatch(/^too early/);
    const blocked = evaluateAction(orders, action(), { ...options, caveats: [{ code: "currency-mix", severity: "blocking", message: "Two currencies." }] });
    expect(blocked.verdict).toBe("inconclusive");
    expect(blocked.reason).toMatch(/^data quality/);
    const margin = evaluateAction(orders, action({ metric: "margin" }), options);
    expect(margin.reason).toMatch(/^data quality/); // no unit costs
  });

  it("recovers a relative units lift (+30 %) against a common +10 % shock", () => {
    const orders = shop({ targetPerDay: 10, targetRate: 0.3, targetRateInWindow: 0.3, commonShock: 0, unitsLift: 1.3, unitsShock: 1.1 }, 7);
    const r = evaluateAction(orders, action({ metric: "units", target: { products: ["T"] }, goal: { direction: "increase", minimumEffect: 0.05 } }), options);
    expect(r.effectKind).toBe("relative");
    expect(r.ci!.lower).toBeLessThanOrEqual(0.3);
    expect(r.ci!.upper).toBeGreaterThanOrEqual(0.3);
    expect(r.ci!.lower).toBeGreaterThanOrEqual(0.05);
    expect(r.verdict).toBe("achieved");
    expect(r.placebo!.passed).toBe(true);
    expect(r.mde!.value).toBeGreaterThan(0);
  });

  it("the metric must be chosen before launch; attach-rate needs add-ons", () => {
    expect(() => evaluateAction([], action({ decidedOn: "2024-05-02" }), options)).toThrow(ImpactError);
    expect(() => evaluateAction([], action({ target: { products: ["T"] } }), options)).toThrow(/add-on/);
  });

  it("the same seed gives the same interval", () => {
    const orders = shop({ targetPerDay: 12, targetRate: 0.3, targetRateInWindow: 0.45, commonShock: 0 }, 8);
    expect(evaluateAction(orders, action(), options).ci).toEqual(evaluateAction(orders, action(), options).ci);
  });
});

describe("the demo store's BTS2024 promotion (seed 42, 20,000 orders)", () => {
  it("recovers the planted laptop → mouse attach-rate effect (0.40 → 0.65) within its interval", () => {
    const { store, truth } = generateDemoStore({ seed: 42, orders: 20_000 });
    const p = truth.promotion;
    const r = evaluateAction(
      store.orders.map(seriesOrderOf),
      action({
        target: { products: p.targetProductIds.laptops.map(String), addOns: p.targetProductIds.mice.map(String) },
        window: { start: p.window.start, end: p.window.end },
        goal: { direction: "increase", minimumEffect: 0.1 },
        decidedOn: "2024-06-15",
      }),
      { timeZone: store.shop.ianaTimezone, asOf: truth.history.asOf.slice(0, 10), seed: 42 },
    );
    expect(r.method).toBe("difference-in-differences");
    expect(r.ci!.lower).toBeLessThanOrEqual(p.trueEffect);
    expect(r.ci!.upper).toBeGreaterThanOrEqual(p.trueEffect);
    // ADR 023: the interval (control chosen again in each draw, blocks of days, customers as clusters) is wide on this
    // small control, so a goal of +10 points is not yet cleared by its lower bound; +5 points is.
    expect(r.verdict).not.toBe("not achieved");
    expect(r.ci!.lower).toBeGreaterThan(0);
    expect(r.placebo!.passed).toBe(true);
    expect(r.donors.complements.length).toBeGreaterThan(0); // laptop accessories co-bought with the laptops
  });
});
