/**
 * What an order contributes: line revenue net of discounts and refunds, without tax, shipping and gift cards, less
 * the cost of the goods (ADR 026).
 *
 * Per line: net = unitPrice × quantity − totalDiscount (Shopify's discount allocations, order-level discounts
 * included), kept in the share of units not refunded: kept = net × (quantity − refundedQuantity) / quantity.
 * - A line whose variant has a known unit cost contributes kept − unitCost × (quantity − refundedQuantity).
 * - Any other line contributes kept × the merchant's default margin.
 * - Gift card lines are left out: selling one is not revenue yet (the spend happens when it is redeemed).
 * Refunds not tied to returned units (a price adjustment, a goodwill refund): the order's refunded amount is taken at
 * its share without tax and shipping (line revenue / (line revenue + total − subtotal)) and what the returned units already explain is deducted;
 * the rest lowers both revenue and contribution (a price adjustment returns no goods).
 *
 * When no default margin is entered and some revenue has no known unit cost, a mixed figure would mean nothing: the
 * basis is then net revenue for every order (no costs subtracted), and callers say so.
 */

export interface ContributionLine {
  variantId: string | null;
  quantity: number;
  refundedQuantity: number;
  /** Minor units, before discounts. */
  unitPrice: number;
  /** Minor units, the line's discount allocations. */
  totalDiscount: number;
  isGiftCard: boolean;
}

export interface ContributionOrder {
  /** Minor units: lines after discounts, before tax and shipping. */
  subtotal: number;
  /** Minor units: what the customer paid, tax and shipping included. */
  total: number;
  totalRefunded: number;
  lines: readonly ContributionLine[];
}

export interface OrderValue {
  /** Line revenue net of discounts and refunds, without tax, shipping and gift cards (minor units, may be fractional). */
  netRevenue: number;
  /** The part of netRevenue from lines with a known unit cost (before refunds not tied to units). */
  knownCostRevenue: number;
  /** Σ (kept − cost) over known-cost lines. */
  knownCostContribution: number;
  /** The part of netRevenue from lines without a known unit cost (before refunds not tied to units). */
  unknownCostRevenue: number;
  /** Refunds not explained by returned units, without tax and shipping. */
  otherRefunds: number;
}

export function orderValue(order: ContributionOrder, unitCost: (variantId: string) => number | null | undefined): OrderValue {
  let known = 0;
  let knownContribution = 0;
  let unknown = 0;
  let refundedLines = 0;
  let lineRevenue = 0;
  for (const l of order.lines) {
    if (l.isGiftCard || l.quantity <= 0) continue;
    const net = l.unitPrice * l.quantity - l.totalDiscount;
    lineRevenue += net;
    const keptUnits = Math.max(0, l.quantity - l.refundedQuantity);
    const kept = (net * keptUnits) / l.quantity;
    refundedLines += net - kept;
    const cost = l.variantId === null ? null : unitCost(l.variantId);
    if (cost !== null && cost !== undefined && Number.isFinite(cost)) {
      known += kept;
      knownContribution += kept - cost * keptUnits;
    } else unknown += kept;
  }
  // The refund's share without tax and shipping: line revenue over line revenue plus tax and shipping (total −
  // subtotal), which is subtotal / total when the order has no gift card.
  const taxAndShipping = Math.max(0, order.total - order.subtotal);
  const exTaxShare = lineRevenue + taxAndShipping > 0 ? lineRevenue / (lineRevenue + taxAndShipping) : 1;
  const otherRefunds = Math.max(0, order.totalRefunded * exTaxShare - refundedLines);
  return {
    netRevenue: Math.max(0, known + unknown - otherRefunds),
    knownCostRevenue: known,
    knownCostContribution: knownContribution,
    unknownCostRevenue: unknown,
    otherRefunds,
  };
}

export type ValueBasis = "contribution" | "net-revenue";

/** The basis for a shop: contribution when every line has a margin (a known cost or the default), else net revenue. */
export function valueBasis(values: Iterable<OrderValue>, defaultMargin: number | null): { basis: ValueBasis; knownCostShare: number | null } {
  let known = 0;
  let unknown = 0;
  for (const v of values) {
    known += v.knownCostRevenue;
    unknown += v.unknownCostRevenue;
  }
  const knownCostShare = known + unknown > 0 ? known / (known + unknown) : null;
  return { basis: defaultMargin !== null || unknown === 0 ? "contribution" : "net-revenue", knownCostShare };
}

/**
 * The order's value on the basis: contribution = known-cost lines' margin + other lines × the default margin − refunds
 * not tied to units (floored at 0: the models need non-negative amounts); or net revenue.
 */
export function orderAmount(v: OrderValue, basis: ValueBasis, defaultMargin: number | null): number {
  if (basis === "net-revenue") return v.netRevenue;
  const value = v.knownCostContribution + v.unknownCostRevenue * (defaultMargin ?? 0) - v.otherRefunds;
  return Math.max(0, value);
}
