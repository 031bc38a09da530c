/**
 * An 8–12-week forecast of a daily series with prediction intervals calibrated on the series' own history (ADR 024).
 *
 * Point forecast (ADR 017): the seasonal model of seasonality.ts gives every day, past and future, a calendar factor
 * s_d (weekday × month or lunar month × Tết week; future Tết dates come from the lunar calendar). The history is cut
 * into 7-day blocks ending on its last day; each block's seasonally adjusted level is A_w = Σ y_d / Σ s_d. Holt's
 * linear method with a damped trend (ETS(A,Ad,N)) runs on log A_w, its α, β, φ chosen on a grid by the sum of squared
 * one-step errors; week h's forecast is exp(level path) · Σ s_d over its days.
 *
 * Intervals (ADR 024): a rolling-origin backtest replays the whole method at earlier origins — the seasonal model is
 * refitted on the history up to each origin (so its parameter and seasonal-factor uncertainty are in the errors),
 * Holt's parameters re-chosen, and weeks 1…H after the origin forecast — and records the out-of-sample log errors
 * e = log((actual + ½) / (forecast + ½)). The interval of week h is split-conformal: the ⌊(m+1)·α/2⌋-th and
 * ⌈(m+1)(1 − α/2)⌉-th smallest of the m errors at horizons near h (h ± 1, widened until m ≥ 2/α − 1), applied to
 * today's forecast; the point forecast is bias-corrected by the errors' median. Errors of neighbouring origins overlap,
 * so exchangeability is approximate; the backtest also reports a sequential check — each week's interval built only
 * from errors known by its origin — and the point forecast's error (MAPE, MAE).
 */
import { dayNumber, dayOfNumber } from "./series";
import type { Rng } from "./random";
import { seasonalFactor, seasonalRefitter, type DailyValue, type SeasonalModel } from "./seasonality";

export interface ForecastWeek {
  start: string;
  end: string;
  forecast: number;
  lower: number;
  upper: number;
}

export interface ForecastBacktest {
  /** Origins replayed and (origin, week) pairs with a known outcome. */
  origins: number;
  pairs: number;
  /** First and last origin (the last day of history each forecast saw). */
  from: string;
  to: string;
  /** Mean absolute percentage error of the weekly point forecast (weeks with orders), and mean absolute error. */
  mape: number | null;
  mae: number;
  byHorizon: { week: number; pairs: number; mape: number | null; mae: number }[];
  /** Sequential check: share of backtest weeks inside an interval built only from errors known at their origin. */
  coverage: { rate: number | null; checked: number };
  /** False when there were fewer errors than the level needs (the interval is then the widest error seen). */
  calibrated: boolean;
}

export interface Forecast {
  method: string;
  weeks: ForecastWeek[];
  level: number;
  parameters: { alpha: number; beta: number; phi: number; residualSd: number; historyWeeks: number };
  backtest: ForecastBacktest;
}

export interface ForecastOptions {
  /** Weeks ahead (default 12). */
  horizonWeeks?: number;
  /** Prediction interval level (default 0.9). */
  level?: number;
  /** Kept for callers of the bootstrap version; the conformal intervals use no randomness. */
  seed?: number;
  rng?: Rng;
  simulations?: number;
  /** Most origins the backtest replays (default 40), spread evenly over its span. */
  maxOrigins?: number;
  /** Days before the end that the backtest's origins span (default: the whole history from its 8th week). */
  backtestDays?: number;
}

interface Holt {
  alpha: number;
  beta: number;
  phi: number;
  sse: number;
  level: number;
  trend: number;
  errors: number[];
}

function runHolt(x: readonly number[], alpha: number, beta: number, phi: number): Holt {
  let level = x[0]!;
  let trend = x.length > 1 ? (x[Math.min(3, x.length - 1)]! - x[0]!) / Math.min(3, x.length - 1) : 0;
  const errors: number[] = [];
  let sse = 0;
  for (let t = 1; t < x.length; t++) {
    const predicted = level + phi * trend;
    const e = x[t]! - predicted;
    errors.push(e);
    sse += e * e;
    level = predicted + alpha * e;
    trend = phi * trend + beta * e;
  }
  return { alpha, beta, phi, sse, level, trend, errors };
}

function fitHolt(x: readonly number[]): Holt {
  let best: Holt | null = null;
  for (let a = 0.05; a <= 0.951; a += 0.05) {
    for (const bShare of [0, 0.05, 0.1, 0.2, 0.4]) {
      for (const phi of [0.8, 0.85, 0.9, 0.95, 0.98]) {
        const h = runHolt(x, a, a * bShare, phi);
        if (!best || h.sse < best.sse) best = h;
      }
    }
  }
  return best!;
}

/** Raw weekly point forecasts (no bias correction) of weeks 1..horizon after the end of `series`. */
function pointForecast(series: readonly DailyValue[], model: SeasonalModel, horizon: number): { weeks: number[]; holt: Holt; blocks: number } {
  const blocks = Math.floor(series.length / 7);
  const offset = series.length - blocks * 7;
  const x: number[] = [];
  for (let b = 0; b < blocks; b++) {
    let y = 0;
    let s = 0;
    for (let d = 0; d < 7; d++) {
      const p = series[offset + b * 7 + d]!;
      y += p.value;
      s += seasonalFactor(model, p.day);
    }
    x.push(Math.log(Math.max(y, 0.5) / s)); // an empty week counts as half an order: log needs a positive value
  }
  const holt = fitHolt(x);
  const lastDay = dayNumber(series[series.length - 1]!.day);
  const weeks: number[] = [];
  let path = holt.level;
  let damp = 1;
  for (let h = 1; h <= horizon; h++) {
    damp *= holt.phi;
    path += damp * holt.trend;
    let s = 0;
    for (let d = 0; d < 7; d++) s += seasonalFactor(model, dayOfNumber(lastDay + (h - 1) * 7 + d + 1));
    weeks.push(Math.exp(path) * s);
  }
  return { weeks, holt, blocks };
}

interface BacktestError {
  origin: number;
  h: number;
  e: number;
  actual: number;
  forecast: number;
}

/** The errors at horizons near h (h ± 1, widened until there are enough). */
function pool(errors: readonly BacktestError[], h: number, horizon: number, needed: number): number[] {
  for (let w = 1; ; w++) {
    const picked = errors.filter((x) => Math.abs(x.h - h) <= w).map((x) => x.e);
    if (picked.length >= needed || w >= horizon) return picked;
  }
}

/** Split-conformal bounds of a sample of errors at a level, or the extremes when the sample is too small. */
function conformalBounds(errors: readonly number[], level: number): { lower: number; upper: number; median: number; enough: boolean } {
  const sorted = [...errors].sort((a, b) => a - b);
  const m = sorted.length;
  const alpha = 1 - level;
  const lo = Math.floor(((m + 1) * alpha) / 2);
  const hi = Math.ceil((m + 1) * (1 - alpha / 2));
  const enough = lo >= 1 && hi <= m;
  const median = m % 2 === 1 ? sorted[(m - 1) / 2]! : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
  return { lower: sorted[Math.max(1, lo) - 1]!, upper: sorted[Math.min(m, hi) - 1]!, median, enough };
}

export function forecast(series: readonly DailyValue[], model: SeasonalModel, options: ForecastOptions = {}): Forecast {
  const horizon = options.horizonWeeks ?? 12;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 52) throw new RangeError(`horizonWeeks must be an integer in 1..52 (got ${horizon})`);
  const level = options.level ?? 0.9;
  const maxOrigins = options.maxOrigins ?? 40;
  const backtestDays = options.backtestDays ?? Number.POSITIVE_INFINITY;
  const n = series.length;
  if (Math.floor(n / 7) < 8) throw new RangeError(`a forecast needs at least 8 weeks of history (got ${n} days)`);

  // Rolling-origin backtest: origins (history lengths) every 7 days, the last one a week before the end.
  const first = Math.max(56, n - 7 - backtestDays);
  const candidates: number[] = [];
  for (let L = n - 7; L >= first; L -= 7) candidates.unshift(L);
  const step = Math.max(1, Math.ceil(candidates.length / maxOrigins));
  const origins = candidates.filter((_, i) => (candidates.length - 1 - i) % step === 0);
  const refit = seasonalRefitter(series, model);
  const errors: BacktestError[] = [];
  for (const L of origins) {
    const prefix = series.slice(0, L);
    const { weeks } = pointForecast(prefix, refit(L), horizon);
    for (let h = 1; h <= horizon && L + 7 * h <= n; h++) {
      let actual = 0;
      for (let d = L + 7 * (h - 1); d < L + 7 * h; d++) actual += series[d]!.value;
      const f = weeks[h - 1]!;
      errors.push({ origin: L, h, e: Math.log((actual + 0.5) / (f + 0.5)), actual, forecast: f });
    }
  }
  const needed = Math.ceil(2 / (1 - level)) - 1;

  // Sequential check: each backtest week against an interval from the errors known at its origin.
  let checked = 0;
  let inside = 0;
  for (const x of errors) {
    const known = errors.filter((y) => y.origin + 7 * y.h <= x.origin);
    const pooled = pool(known, x.h, horizon, needed);
    if (pooled.length < needed) continue;
    const b = conformalBounds(pooled, level);
    checked++;
    if (x.e >= b.lower && x.e <= b.upper) inside++;
  }
  const ape = (xs: readonly BacktestError[]) => {
    const withOrders = xs.filter((x) => x.actual > 0);
    return withOrders.length > 0 ? withOrders.reduce((s, x) => s + Math.abs(x.forecast - x.actual) / x.actual, 0) / withOrders.length : null;
  };
  const mae = (xs: readonly BacktestError[]) => (xs.length > 0 ? xs.reduce((s, x) => s + Math.abs(x.forecast - x.actual), 0) / xs.length : 0);

  // Today's forecast with conformal intervals.
  const { weeks: raw, holt, blocks } = pointForecast(series, model, horizon);
  const lastDay = dayNumber(series[n - 1]!.day);
  let calibrated = true;
  const weeks = raw.map((f, i) => {
    const pooled = pool(errors, i + 1, horizon, needed);
    const b = pooled.length > 0 ? conformalBounds(pooled, level) : { lower: 0, upper: 0, median: 0, enough: false };
    if (!b.enough) calibrated = false;
    const at = (e: number) => Math.max(0, (f + 0.5) * Math.exp(e) - 0.5);
    return { start: dayOfNumber(lastDay + i * 7 + 1), end: dayOfNumber(lastDay + i * 7 + 7), forecast: at(b.median), lower: at(b.lower), upper: at(b.upper) };
  });
  const centred = holt.errors.slice(Math.min(4, holt.errors.length - 1));
  const meanError = centred.reduce((s, e) => s + e, 0) / centred.length;
  const residualSd = Math.sqrt(centred.reduce((s, e) => s + (e - meanError) ** 2, 0) / Math.max(1, centred.length - 1));
  return {
    method: "damped-trend Holt (ETS(A,Ad,N)) on log seasonally adjusted weekly level × calendar factors; split-conformal intervals from a rolling-origin backtest",
    weeks,
    level,
    parameters: { alpha: Math.round(holt.alpha * 100) / 100, beta: Math.round(holt.beta * 1000) / 1000, phi: holt.phi, residualSd, historyWeeks: blocks },
    backtest: {
      origins: origins.length,
      pairs: errors.length,
      from: series[origins[0]! - 1]!.day,
      to: series[origins[origins.length - 1]! - 1]!.day,
      mape: ape(errors),
      mae: mae(errors),
      byHorizon: Array.from({ length: horizon }, (_, i) => {
        const xs = errors.filter((x) => x.h === i + 1);
        return { week: i + 1, pairs: xs.length, mape: ape(xs), mae: mae(xs) };
      }),
      coverage: { rate: checked > 0 ? inside / checked : null, checked },
      calibrated,
    },
  };
}
