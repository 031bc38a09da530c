/**
 * Contribution per order (app/insights/clv/contribution.ts), by hand: line revenue net of discounts and refunds, no
 * tax, shipping or gift cards, less known unit costs or times the default margin; refunds not tied to returned units.
 */
import { describe, expect, it } from "vitest";
import { orderAmount, orderValue, valueBasis, type ContributionOrder } from "../../../../app/insights/clv/contribution";

const costs = new Map([["v-cost", 300]]);
const cost = (id: string) => costs.get(id) ?? null;

describe("contribution of an order", () => {
  // Two lines: 2 × 1000 with a known cost of 300 a unit and a 200 discount; 1 × 500 without a cost; a 5000 gift card.
  // Subtotal 7300, tax and shipping 460 on top: total 7760.
  const order: ContributionOrder = {
    subtotal: 7300,
    total: 7760,
    totalRefunded: 0,
    lines: [
      { variantId: "v-cost", quantity: 2, refundedQuantity: 0, unitPrice: 1000, totalDiscount: 200, isGiftCard: false },
      { variantId: "v-free", quantity: 1, refundedQuantity: 0, unitPrice: 500, totalDiscount: 0, isGiftCard: false },
      { variantId: null, quantity: 1, refundedQuantity: 0, unitPrice: 5000, totalDiscount: 0, isGiftCard: true },
    ],
  };

  it("leaves out tax, shipping and gift cards; subtracts known costs; applies the default margin to the rest", () => {
    const v = orderValue(order, cost);
    expect(v.netRevenue).toBe(1800 + 500);
    expect(v.knownCostRevenue).toBe(1800);
    expect(v.knownCostContribution).toBe(1800 - 600);
    expect(v.unknownCostRevenue).toBe(500);
    expect(orderAmount(v, "contribution", 0.4)).toBeCloseTo(1200 + 200, 9);
    expect(orderAmount(v, "net-revenue", 0.4)).toBe(2300);
  });

  it("a returned unit takes its share of the line, its cost and nothing of tax; a price adjustment lowers both", () => {
    // One of the two costed units comes back: refund 900 + its tax 180 = 1080.
    const returned = { ...order, totalRefunded: 1080, lines: order.lines.map((l, i) => (i === 0 ? { ...l, refundedQuantity: 1 } : l)) };
    const v = orderValue(returned, cost);
    expect(v.knownCostRevenue).toBe(900);
    expect(v.knownCostContribution).toBe(600);
    // 1080 × 2300/2760 = 900 (the gift card neither taxed nor refunded): fully explained by the returned unit.
    expect(v.otherRefunds).toBeCloseTo(0, 9);
    // A price adjustment of 276 (tax included), no unit back: 230 without tax comes off revenue and contribution.
    const adjusted = orderValue({ ...order, totalRefunded: 276 }, cost);
    expect(adjusted.otherRefunds).toBeCloseTo(230, 9);
    expect(adjusted.netRevenue).toBeCloseTo(2300 - 230, 9);
    expect(orderAmount(adjusted, "contribution", 0.4)).toBeCloseTo(1400 - 230, 9);
    // A full refund leaves nothing, never a negative amount.
    const full = orderValue({ ...order, totalRefunded: 7760, lines: order.lines.map((l) => ({ ...l, refundedQuantity: l.quantity })) }, cost);
    expect(full.netRevenue).toBe(0);
    expect(orderAmount(full, "contribution", 0.4)).toBe(0);
  });

  it("without a default margin the basis is net revenue unless every line has a cost, and the known-cost share is told", () => {
    const v = orderValue(order, cost);
    expect(valueBasis([v], null)).toEqual({ basis: "net-revenue", knownCostShare: 1800 / 2300 });
    expect(valueBasis([v], 0.3).basis).toBe("contribution");
    const allCosted = orderValue({ ...order, lines: [order.lines[0]!] }, cost);
    expect(valueBasis([allCosted], null)).toEqual({ basis: "contribution", knownCostShare: 1 });
  });
});
