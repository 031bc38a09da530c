/**
 * An 8–12-week forecast of a daily series with prediction intervals.
 *
 * Method (ADR 017): the seasonal model of seasonality.ts gives every day, past and future, a calendar factor s_d
 * (weekday × month or lunar month × Tết week; future Tết dates come from the lunar calendar). The history is cut into
 * 7-day blocks ending on its last day; each block's seasonally adjusted level is A_w = Σ y_d / Σ s_d. Holt's linear
 * method with a damped trend (ETS(A,Ad,N)) runs on log A_w, its α, β, φ chosen on a grid by the sum of squared
 * one-step errors. The forecast of week h is exp(level path) · Σ s_d over its days. Intervals come from simulating
 * the state equations with one-step errors resampled from the history (residual bootstrap, seeded generator passed in),
 * so they carry the series' own noise and its trend uncertainty; the point forecast is the simulated median.
 */
import { dayNumber, dayOfNumber } from "./series";
import { quantile, randomIndex, seededRng, type Rng } from "./random";
import { seasonalFactor, type DailyValue, type SeasonalModel } from "./seasonality";

export interface ForecastWeek {
  start: string;
  end: string;
  forecast: number;
  lower: number;
  upper: number;
}

export interface Forecast {
  method: string;
  weeks: ForecastWeek[];
  level: number;
  parameters: { alpha: number; beta: number; phi: number; residualSd: number; historyWeeks: number };
}

export interface ForecastOptions {
  /** Weeks ahead (default 12). */
  horizonWeeks?: number;
  /** Prediction interval level (default 0.9). */
  level?: number;
  /** Seed of the residual bootstrap (default 1), or a generator. */
  seed?: number;
  rng?: Rng;
  simulations?: number;
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

export function forecast(series: readonly DailyValue[], model: SeasonalModel, options: ForecastOptions = {}): Forecast {
  const horizon = options.horizonWeeks ?? 12;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 52) throw new RangeError(`horizonWeeks must be an integer in 1..52 (got ${horizon})`);
  const level = options.level ?? 0.9;
  const rng = options.rng ?? seededRng(options.seed ?? 1);
  const simulations = options.simulations ?? 2000;
  const blocks = Math.floor(series.length / 7);
  if (blocks < 8) throw new RangeError(`a forecast needs at least 8 weeks of history (got ${series.length} days)`);

  // Seasonally adjusted weekly levels, blocks ending on the last day.
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

  let best: Holt | null = null;
  for (let a = 0.05; a <= 0.951; a += 0.05) {
    for (const bShare of [0, 0.05, 0.1, 0.2, 0.4]) {
      for (const phi of [0.8, 0.85, 0.9, 0.95, 0.98]) {
        const h = runHolt(x, a, a * bShare, phi);
        if (!best || h.sse < best.sse) best = h;
      }
    }
  }
  const holt = best!;
  const errors = holt.errors.slice(Math.min(4, holt.errors.length - 1)); // the first errors still carry the start-up
  const meanError = errors.reduce((s, e) => s + e, 0) / errors.length;
  const centred = errors.map((e) => e - meanError);
  const residualSd = Math.sqrt(centred.reduce((s, e) => s + e * e, 0) / Math.max(1, centred.length - 1));

  const lastDay = dayNumber(series[series.length - 1]!.day);
  const weekFactors: number[] = [];
  for (let h = 1; h <= horizon; h++) {
    let s = 0;
    for (let d = 0; d < 7; d++) s += seasonalFactor(model, dayOfNumber(lastDay + (h - 1) * 7 + d + 1));
    weekFactors.push(s);
  }
  const paths: number[][] = Array.from({ length: horizon }, () => []);
  for (let i = 0; i < simulations; i++) {
    let l = holt.level;
    let b = holt.trend;
    for (let h = 0; h < horizon; h++) {
      const e = centred[randomIndex(rng, centred.length)]!;
      const value = l + holt.phi * b + e;
      paths[h]!.push(Math.exp(value) * weekFactors[h]!);
      l = l + holt.phi * b + holt.alpha * e;
      b = holt.phi * b + holt.beta * e;
    }
  }
  const tail = (1 - level) / 2;
  const weeks = paths.map((values, h) => ({
    start: dayOfNumber(lastDay + h * 7 + 1),
    end: dayOfNumber(lastDay + h * 7 + 7),
    forecast: quantile(values, 0.5),
    lower: quantile(values, tail),
    upper: quantile(values, 1 - tail),
  }));
  return {
    method: "damped-trend Holt (ETS(A,Ad,N)) on log seasonally adjusted weekly level × calendar factors; residual-bootstrap intervals",
    weeks,
    level,
    parameters: { alpha: Math.round(holt.alpha * 100) / 100, beta: Math.round(holt.beta * 1000) / 1000, phi: holt.phi, residualSd, historyWeeks: blocks },
  };
}
