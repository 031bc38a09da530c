/**
 * Simulated shops for the trends calibration (ADR 024): daily order counts with serially correlated demand.
 *
 *   orders_d ~ Poisson( base · trend_d · weekday_d · month_d · tết_d · exp(u_d) · Σ_k w_k exp(v_k,d) )
 *
 * u is a shop-wide AR(1) log shock (autocorrelation ρ per day, stationary standard deviation σ_shop); each of K
 * products carries its own AR(1) shock v_k (same ρ, σ_product) and a share w_k of demand. The shocks are centred so
 * that they do not change the mean (E exp(u) = 1). Planted month multipliers are on the Gregorian or the lunar
 * calendar; with none planted every month is a null month. Nothing here uses the model's code except the lunar
 * calendar (the planted lunar month of a day must be a lunar month).
 */
import { lunarMonthOf, tetDay } from "../../app/insights/lunar";
import type { DailyValue } from "../../app/insights/trends/seasonality";
import { addDays, dayNumber, weekdayOf } from "../../app/insights/trends/series";
import { poisson, testRng } from "./series-fixtures";

export interface ShopPlan {
  first: string;
  days: number;
  /** Mean orders a day at the start. */
  base: number;
  /** Relative growth over the whole history (0.3: 30 % more at the end). */
  growth: number;
  /** Daily autocorrelation of the shocks. */
  rho: number;
  sigmaShop: number;
  sigmaProduct: number;
  products: number;
  /** Sunday first; default none. */
  weekday?: readonly number[];
  /** Planted month multipliers by month number, and their calendar. */
  months?: { calendar: "gregorian" | "lunar"; multipliers: Record<number, number> };
  /** Multiplier of the 21 days before Tết. */
  preTet?: number;
}

export const NULL_SHOP: ShopPlan = { first: "2022-01-01", days: 3 * 365, base: 40, growth: 0.3, rho: 0.8, sigmaShop: 0.15, sigmaProduct: 0.3, products: 20 };

function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** An AR(1) series with stationary standard deviation sigma, started in its stationary distribution. */
function ar1(rng: () => number, n: number, rho: number, sigma: number): Float64Array {
  const x = new Float64Array(n);
  const innovation = sigma * Math.sqrt(1 - rho * rho);
  x[0] = sigma * gaussian(rng);
  for (let t = 1; t < n; t++) x[t] = rho * x[t - 1]! + innovation * gaussian(rng);
  return x;
}

/** The planted mean of a day without shocks (what a perfect model would say). */
export function plannedMean(plan: ShopPlan, i: number, day: string): number {
  let m = plan.base * (1 + (plan.growth * i) / plan.days);
  if (plan.weekday) m *= plan.weekday[weekdayOf(day)]!;
  if (plan.months) {
    const k = plan.months.calendar === "lunar" ? lunarMonthOf(day).month : Number(day.slice(5, 7));
    m *= plan.months.multipliers[k] ?? 1;
  }
  if (plan.preTet !== undefined) {
    const year = Number(day.slice(0, 4));
    for (const y of [year, year + 1]) {
      const offset = dayNumber(day) - dayNumber(tetDay(y));
      if (offset >= -21 && offset <= -1) m *= plan.preTet;
    }
  }
  return m;
}

/** One simulated shop's daily orders, and its planted means. */
export function simulateShop(plan: ShopPlan, seed: number): { series: DailyValue[]; means: number[] } {
  const rng = testRng(seed);
  const n = plan.days;
  const u = ar1(rng, n, plan.rho, plan.sigmaShop);
  const shares = Array.from({ length: plan.products }, () => 0.5 + rng());
  const total = shares.reduce((s, w) => s + w, 0);
  const v = shares.map(() => ar1(rng, n, plan.rho, plan.sigmaProduct));
  const series: DailyValue[] = [];
  const means: number[] = [];
  for (let i = 0; i < n; i++) {
    const day = addDays(plan.first, i);
    const mean = plannedMean(plan, i, day);
    let mix = 0;
    for (let k = 0; k < plan.products; k++) mix += (shares[k]! / total) * Math.exp(v[k]![i]! - plan.sigmaProduct ** 2 / 2);
    means.push(mean);
    series.push({ day, value: poisson(rng, mean * Math.exp(u[i]! - plan.sigmaShop ** 2 / 2) * mix) });
  }
  return { series, means };
}

/** A rate with its Monte-Carlo standard error. */
export function rate(hits: number, trials: number): { rate: number; se: number; hits: number; trials: number } {
  const r = trials > 0 ? hits / trials : Number.NaN;
  return { rate: r, se: Math.sqrt((r * (1 - r)) / Math.max(1, trials)), hits, trials };
}
