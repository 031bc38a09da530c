import { describe, expect, it } from "vitest";
import type { ImpactOrder } from "../../../../app/insights/impact/evaluate";
import { whatIfBundleDiscount } from "../../../../app/insights/impact/what-if";

let id = 1;
const order = (day: string, products: string[], o: Partial<ImpactOrder> = {}): ImpactOrder => ({
  id: String(id++),
  createdAt: new Date(`${day}T03:00:00Z`),
  customerId: null,
  currency: "VND",
  total: 1,
  totalRefunded: 0,
  cancelledAt: null,
  test: false,
  lines: products.map((productId) => ({ productId, quantity: 1, refundedQuantity: 0 })),
  ...o,
});

describe("whatIfBundleDiscount", () => {
  // Baseline: 10 days, 50 laptop orders (20 with a mouse), plus noise that must not count.
  const orders: ImpactOrder[] = [];
  for (let i = 0; i < 50; i++) orders.push(order(`2024-03-${String(1 + (i % 10)).padStart(2, "0")}`, i < 20 ? ["laptop", "mouse"] : ["laptop"]));
  orders.push(order("2024-03-05", ["mouse"])); // no anchor
  orders.push(order("2024-03-05", ["laptop", "mouse"], { cancelledAt: new Date("2024-03-06T00:00:00Z") }));
  orders.push(order("2024-03-05", ["laptop"], { test: true }));
  orders.push(order("2024-04-05", ["laptop"])); // outside the baseline

  it("matches the hand computation", () => {
    const r = whatIfBundleDiscount(orders, {
      anchors: ["laptop"],
      addOns: ["mouse"],
      discount: 0.2,
      addOnPrice: 1_000_000,
      addOnUnitCost: 600_000,
      baseline: { start: "2024-03-01", end: "2024-03-10" },
      campaignDays: 20,
      elasticity: { low: 1, high: 2 },
      timeZone: "Asia/Ho_Chi_Minh",
    });
    // 50 eligible orders in 10 days → 5 a day → 100 over 20 days; a₀ = 20/50 = 0.4.
    expect(r.eligibleOrdersPerDay).toBe(5);
    expect(r.eligibleOrders).toBe(100);
    expect(r.baselineAttachRate).toBe(0.4);
    // Subsidy: 100 · 0.4 · 0.2 · 1,000,000 = 8,000,000.
    expect(r.subsidyCost).toBeCloseTo(8_000_000, 6);
    // ε = 1: a₁ = 0.4 · 1.2 = 0.48, 8 extra mice at 800,000 − 600,000 = 200,000 margin each: 1,600,000 − 8,000,000.
    expect(r.low.attachRate).toBeCloseTo(0.48, 12);
    expect(r.low.incrementalAddOns).toBeCloseTo(8, 9);
    expect(r.low.incrementalMargin).toBeCloseTo(-6_400_000, 3);
    expect(r.low.incrementalRevenue).toBeCloseTo(8 * 800_000 - 8_000_000, 3);
    // ε = 2: a₁ = 0.56, 16 extra: 3,200,000 − 8,000,000.
    expect(r.high.incrementalMargin).toBeCloseTo(-4_800_000, 3);
    // Break-even: 1,000,000 / 200,000 = 5.
    expect(r.breakEvenElasticity).toBeCloseTo(5, 12);
  });

  it("without a unit cost gives no margin; a discount below cost has no break-even", () => {
    const base = { anchors: ["laptop"], addOns: ["mouse"], addOnPrice: 1_000_000, baseline: { start: "2024-03-01", end: "2024-03-10" }, campaignDays: 10, timeZone: "UTC" };
    const r = whatIfBundleDiscount(orders, { ...base, discount: 0.1, addOnUnitCost: null });
    expect(r.low.incrementalMargin).toBeNull();
    expect(r.breakEvenElasticity).toBeNull();
    expect(whatIfBundleDiscount(orders, { ...base, discount: 0.5, addOnUnitCost: 600_000 }).breakEvenElasticity).toBeNull();
    expect(() => whatIfBundleDiscount(orders, { ...base, discount: 1.2, addOnUnitCost: null })).toThrow(RangeError);
  });

  it("a baseline without any attached order falls back to the whole history's attach rate, and says so", () => {
    // History: 40 laptop orders in January, 10 with a mouse; the baseline (March) has 4 laptop orders, none with one.
    const history: ImpactOrder[] = [];
    for (let i = 0; i < 40; i++) history.push(order(`2024-01-${String(1 + (i % 28)).padStart(2, "0")}`, i < 10 ? ["laptop", "mouse"] : ["laptop"]));
    for (let i = 0; i < 4; i++) history.push(order(`2024-03-0${1 + i}`, ["laptop"]));
    history.push(order("2024-04-02", ["laptop", "mouse"])); // after the baseline: not history for it
    const input = { anchors: ["laptop"], addOns: ["mouse"], discount: 0.1, addOnPrice: 1000, addOnUnitCost: 400, baseline: { start: "2024-03-01", end: "2024-03-10" }, campaignDays: 10, timeZone: "UTC" };
    const r = whatIfBundleDiscount(history, input);
    expect(r.baselineOrders).toBe(4);
    expect(r.baselineAttachedOrders).toBe(0);
    expect(r.attachSource).toBe("whole-history");
    expect(r.attachOrders).toEqual({ orders: 44, attached: 10 });
    expect(r.baselineAttachRate).toBeCloseTo(10 / 44, 14);
    // 4 orders in 10 days → 4 over 10 campaign days; the uptake now grows: a₁ = a₀ (1 + 0.5 · 0.1) at ε = 0.5.
    expect(r.eligibleOrders).toBeCloseTo(4, 12);
    expect(r.low.incrementalAddOns).toBeCloseTo(4 * (10 / 44) * 0.05, 12);
    expect(r.assumptions.some((a) => a.startsWith("None of the baseline's 4 anchor orders had the add-on") && a.includes("10 of 44 anchor orders"))).toBe(true);
    // With an attached order in the baseline, the baseline's own rate.
    const own = whatIfBundleDiscount([...history, order("2024-03-05", ["laptop", "mouse"])], input);
    expect(own).toMatchObject({ attachSource: "baseline", baselineOrders: 5, baselineAttachedOrders: 1, attachOrders: { orders: 5, attached: 1 } });
    expect(own.baselineAttachRate).toBe(0.2);
  });
});

