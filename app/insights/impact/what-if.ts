/**
 * What if we offered a bundle discount? For "X % off the add-on when bought with the anchor":
 * eligible orders, the baseline attach rate, the expected uptake range, what the discount costs on orders that would
 * have included the add-on anyway, and the net incremental margin range.
 *
 * Assumptions (stated in the result, ADR 017):
 * - Eligible orders per day are those of the baseline period that contain an anchor product (not cancelled, not test),
 *   projected over the campaign's days: the discount does not bring more anchor orders (conservative).
 * - Uptake: the attach rate a₀ rises to a₁ = min(1, a₀ · (1 + ε · d)) for a discount share d, with the elasticity ε
 *   in a stated range (default 0.5 to 3: a 10 % discount lifts the attach rate by 5 % to 30 % of itself; the demo's
 *   BTS2024 promotion, 30 % off, took 0.40 to 0.65, ε ≈ 2.1).
 * - Every add-on sold with an anchor during the campaign gets the discount: the a₀ share that would have bought anyway
 *   is pure cost (the "subsidy").
 * - Net incremental margin = N · (a₁ − a₀) · (p · (1 − d) − c) − N · a₀ · d · p, with p the add-on's unit price, c its
 *   unit cost, one add-on unit per order. Without a unit cost only revenue figures are given.
 * - Break-even elasticity: the ε at which the net incremental margin is zero, p / (p(1 − d) − c) (none when the
 *   discounted price does not cover the cost).
 */
import { dayNumber, keptOrders } from "../trends/series";
import type { ImpactOrder } from "./evaluate";

export interface WhatIfInput {
  anchors: readonly string[];
  addOns: readonly string[];
  /** Discount on the add-on, a share in (0, 1). */
  discount: number;
  /** The add-on's unit price and unit cost, minor units. */
  addOnPrice: number;
  addOnUnitCost: number | null;
  /** Shop-local days (inclusive) whose orders give the baseline. */
  baseline: { start: string; end: string };
  campaignDays: number;
  elasticity?: { low: number; high: number };
  timeZone: string;
}

export interface WhatIfScenario {
  elasticity: number;
  attachRate: number;
  incrementalAddOns: number;
  /** Minor units. */
  incrementalRevenue: number;
  incrementalMargin: number | null;
}

export interface WhatIfResult {
  eligibleOrdersPerDay: number;
  eligibleOrders: number;
  baselineAttachRate: number;
  baselineOrders: number;
  /** Discount paid on add-ons that would have sold anyway, minor units. */
  subsidyCost: number;
  low: WhatIfScenario;
  high: WhatIfScenario;
  breakEvenElasticity: number | null;
  assumptions: string[];
}

export function whatIfBundleDiscount(orders: readonly ImpactOrder[], input: WhatIfInput): WhatIfResult {
  const { discount: d, addOnPrice: p, addOnUnitCost: c, campaignDays } = input;
  if (!(d > 0 && d < 1)) throw new RangeError(`discount must be a share in (0, 1), got ${d}`);
  if (!(campaignDays > 0)) throw new RangeError("campaignDays must be positive");
  const elasticity = input.elasticity ?? { low: 0.5, high: 3 };
  const from = dayNumber(input.baseline.start);
  const to = dayNumber(input.baseline.end);
  if (to < from) throw new RangeError("the baseline ends before it starts");
  const anchors = new Set(input.anchors);
  const addOns = new Set(input.addOns);
  let eligible = 0;
  let attached = 0;
  for (const { order, day } of keptOrders(orders, input.timeZone).orders) {
    const n = dayNumber(day);
    if (n < from || n > to) continue;
    if (!order.lines.some((l) => l.productId !== null && anchors.has(l.productId))) continue;
    eligible++;
    if (order.lines.some((l) => l.productId !== null && addOns.has(l.productId))) attached++;
  }
  const baselineDays = to - from + 1;
  const perDay = eligible / baselineDays;
  const N = perDay * campaignDays;
  const a0 = eligible > 0 ? attached / eligible : 0;
  const subsidyCost = N * a0 * d * p;
  const scenario = (e: number): WhatIfScenario => {
    const a1 = Math.min(1, a0 * (1 + e * d));
    const extra = N * (a1 - a0);
    return {
      elasticity: e,
      attachRate: a1,
      incrementalAddOns: extra,
      incrementalRevenue: extra * p * (1 - d) - subsidyCost,
      incrementalMargin: c === null ? null : extra * (p * (1 - d) - c) - subsidyCost,
    };
  };
  const unitMargin = c === null ? null : p * (1 - d) - c;
  return {
    eligibleOrdersPerDay: perDay,
    eligibleOrders: N,
    baselineAttachRate: a0,
    baselineOrders: eligible,
    subsidyCost,
    low: scenario(elasticity.low),
    high: scenario(elasticity.high),
    breakEvenElasticity: unitMargin !== null && unitMargin > 0 ? p / unitMargin : null,
    assumptions: [
      `Anchor orders continue at the baseline's ${perDay.toFixed(2)} a day; the discount brings no extra anchor orders.`,
      `The attach rate rises from ${a0.toFixed(3)} to a₀·(1 + ε·d) with ε between ${elasticity.low} and ${elasticity.high}.`,
      "Every add-on sold with an anchor during the campaign is discounted, including those that would have sold anyway.",
      "One add-on unit per order.",
    ],
  };
}
