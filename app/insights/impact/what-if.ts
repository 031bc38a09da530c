/**
 * What if we offered a bundle discount? For "X % off the add-on when bought with the anchor":
 * eligible orders, the baseline attach rate, the expected uptake range, what the discount costs on orders that would
 * have included the add-on anyway, and the net incremental margin range.
 *
 * Assumptions (stated in the result, ADR 017):
 * - Eligible orders per day are those of the baseline period that contain an anchor product (not cancelled, not test),
 *   projected over the campaign's days: the discount does not bring more anchor orders (conservative).
 * - The baseline attach rate a₀ is the baseline's; when none of its anchor orders has the add-on (a₀ = 0, from which the
 *   uptake model cannot grow), the whole history's up to the baseline's end, and the assumptions say so.
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
  /** a₀: the baseline's attach rate, or the whole history's when the baseline has no attached order (attachSource). */
  baselineAttachRate: number;
  /** Orders with an anchor in the baseline, and how many of them had an add-on. */
  baselineOrders: number;
  baselineAttachedOrders: number;
  attachSource: "baseline" | "whole-history";
  /** The orders a₀ is taken over: with an anchor, and of them with an add-on. */
  attachOrders: { orders: number; attached: number };
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
  // The whole history up to the baseline's end: the attach rate's fallback when the baseline has none.
  let everEligible = 0;
  let everAttached = 0;
  for (const { order, day } of keptOrders(orders, input.timeZone).orders) {
    const n = dayNumber(day);
    if (n > to) continue;
    if (!order.lines.some((l) => l.productId !== null && anchors.has(l.productId))) continue;
    const has = order.lines.some((l) => l.productId !== null && addOns.has(l.productId));
    everEligible++;
    if (has) everAttached++;
    if (n < from) continue;
    eligible++;
    if (has) attached++;
  }
  const baselineDays = to - from + 1;
  const perDay = eligible / baselineDays;
  const N = perDay * campaignDays;
  // a₀·(1 + ε·d) cannot grow from 0: a baseline without a single attached order (few anchor orders, or none with the
  // add-on lately) takes the whole history's attach rate instead, and says so.
  const fallback = eligible > 0 && attached === 0 && everAttached > 0;
  const a0 = fallback ? everAttached / everEligible : eligible > 0 ? attached / eligible : 0;
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
    baselineAttachedOrders: attached,
    attachSource: fallback ? "whole-history" : "baseline",
    attachOrders: fallback ? { orders: everEligible, attached: everAttached } : { orders: eligible, attached },
    subsidyCost,
    low: scenario(elasticity.low),
    high: scenario(elasticity.high),
    breakEvenElasticity: unitMargin !== null && unitMargin > 0 ? p / unitMargin : null,
    assumptions: [
      `Anchor orders continue at the baseline's ${perDay.toFixed(2)} a day (${eligible} in ${baselineDays} days); the discount brings no extra anchor orders.`,
      ...(fallback
        ? [
            `None of the baseline's ${eligible} anchor orders had the add-on, and a₀·(1 + ε·d) cannot grow from 0: a₀ is the whole history's attach rate instead, ${everAttached} of ${everEligible} anchor orders.`,
          ]
        : []),
      `The attach rate rises from ${a0.toFixed(3)} to a₀·(1 + ε·d) with ε between ${elasticity.low} and ${elasticity.high}.`,
      "Every add-on sold with an anchor during the campaign is discounted, including those that would have sold anyway.",
      "One add-on unit per order.",
    ],
  };
}

/**
 * The bundle discount the what-if economics suggest (ADR 025): over a grid of discounts d on the add-on (default 5 % to
 * 30 %, never below the add-on's unit cost), the one with the largest EXPECTED incremental margin per anchor order,
 *   E[(a₁ − a₀)] · (p(1 − d) − c) − a₀ · d · p,   a₁ = min(1, a₀ · (1 + ε · d)),   ε ~ Uniform(low, high),
 * the model of whatIfBundleDiscount (the expectation over ε is exact: a₁ is linear in ε up to the cap at 1). When no
 * discount on the grid has a positive expected margin, none (0): the discount would mostly subsidise orders that take
 * the add-on anyway. The break-even of the chosen discount (or of the smallest on the grid) is given as the elasticity
 * p / (p(1 − d) − c) and the attach rate a₀ · (1 + ε* · d) it needs.
 */
export interface DiscountChoiceInput {
  /** Baseline attach rate a₀ of the add-on(s) to the anchor. */
  attachRate: number;
  /** The add-on's (add-ons') price and unit cost, minor units. */
  addOnPrice: number;
  addOnUnitCost: number;
  elasticity?: { low: number; high: number };
  /** Discounts tried, shares in (0, 1) (default 0.05, 0.10, …, 0.30). */
  grid?: readonly number[];
}

export interface DiscountChoice {
  /** The suggested discount share (0: no discount pays within the range). */
  discount: number;
  /** Expected incremental margin per anchor order at that discount, minor units (0 with no discount). */
  expectedMarginPerOrder: number;
  breakEven: { discount: number; elasticity: number | null; attachRate: number | null };
  elasticity: { low: number; high: number };
  evaluated: { discount: number; expectedMarginPerOrder: number }[];
  assumption: string;
}

export const DEFAULT_ELASTICITY = { low: 0.5, high: 3 } as const;
export const DISCOUNT_GRID = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3] as const;

/** E[min(1, a₀(1 + εd))] for ε uniform on [low, high]. */
function expectedAttach(a0: number, d: number, low: number, high: number): number {
  const at = (e: number) => Math.min(1, a0 * (1 + e * d));
  if (!(high > low)) return at(low);
  if (a0 <= 0) return 0;
  const cap = (1 / a0 - 1) / d; // ε from which a₁ = 1
  const mid = Math.min(high, Math.max(low, cap));
  const linear = a0 * (mid - low) + (a0 * d * (mid * mid - low * low)) / 2;
  return (linear + (high - mid)) / (high - low);
}

export function chooseBundleDiscount(input: DiscountChoiceInput): DiscountChoice {
  const { attachRate: a0, addOnPrice: p, addOnUnitCost: c } = input;
  if (!(a0 >= 0 && a0 <= 1)) throw new RangeError(`attachRate must be in [0, 1], got ${a0}`);
  const elasticity = input.elasticity ?? DEFAULT_ELASTICITY;
  const grid = input.grid ?? DISCOUNT_GRID;
  const evaluated: DiscountChoice["evaluated"] = [];
  for (const d of grid) {
    if (!(d > 0 && d < 1)) throw new RangeError(`a discount must be a share in (0, 1), got ${d}`);
    if (p * (1 - d) < c) continue; // never below cost
    const gain = (expectedAttach(a0, d, elasticity.low, elasticity.high) - a0) * (p * (1 - d) - c);
    evaluated.push({ discount: d, expectedMarginPerOrder: gain - a0 * d * p });
  }
  let best: { discount: number; expectedMarginPerOrder: number } | null = null;
  for (const e of evaluated) if (e.expectedMarginPerOrder > 0 && (!best || e.expectedMarginPerOrder > best.expectedMarginPerOrder)) best = e;
  const d = best?.discount ?? evaluated[0]?.discount ?? grid[0] ?? 0.05;
  const unit = p * (1 - d) - c;
  const beE = unit > 0 ? p / unit : null;
  const beA = beE !== null && a0 * (1 + beE * d) <= 1 ? a0 * (1 + beE * d) : null;
  const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
  const model = `if a discount d lifts the attach rate a₀ = ${pct(a0)} to a₀·(1 + ε·d), ε between ${elasticity.low} and ${elasticity.high} (the what-if's range)`;
  const even = beE === null ? "it cannot break even" : `it breaks even at ε = ${beE.toFixed(2)}${beA === null ? " (beyond an attach rate of 100 %)" : `, an attach rate of ${pct(beA)}`}`;
  const assumption = best
    ? `${pct(d)} off the add-on gives the largest expected margin per anchor order ${model}; ${even}.`
    : a0 === 0
      ? `No discount suggested: no order with the anchor has the add-on yet, and the uptake model a₀·(1 + ε·d) cannot grow from 0.`
      : `No discount from ${pct(grid[0] ?? 0.05)} to ${pct(grid[grid.length - 1] ?? 0.3)} pays ${model}: it would mostly subsidise the ${pct(a0)} of anchor orders that take the add-on anyway; at ${pct(d)} ${even}.`;
  return {
    discount: best?.discount ?? 0,
    expectedMarginPerOrder: best?.expectedMarginPerOrder ?? 0,
    breakEven: { discount: d, elasticity: beE, attachRate: beA },
    elasticity: { low: elasticity.low, high: elasticity.high },
    evaluated,
    assumption,
  };
}
