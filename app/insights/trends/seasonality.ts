/**
 * Seasonal effects of a daily series, estimated against its trend: weekday, calendar month or Vietnamese lunar month
 * (the 7th lunar month, tháng cô hồn, included) and the weeks around Tết.
 *
 * Method (ADR 017, 024): a quasi-Poisson regression (log link) of the daily value on
 *   trend (a polynomial in time: cubic from 1.5 years of history, quadratic below, linear under 8 weeks, plus a slope
 *   change at every full year after the third) + weekday + month (calendar OR lunar, one model each; they cannot be
 *   told apart in the same model with a few years) + five one-week Tết bins (the three weeks before Tết, the Tết week
 *   = days 1–7 of month 1, the week after).
 * So each effect is a multiplier on the trend, all others held fixed. Effects are reported as contrasts:
 * - a weekday against the average weekday (geometric mean of the seven; of the open ones when the shop never takes
 *   orders on some weekday, which is then a closed day: left out of the fit and forecast as zero),
 * - a month against the average of the other eleven months ("lunar month 7 runs 28 % below the other months"),
 * - a Tết bin against the same days without Tết (their month, weekday and trend), and the pre-Tết lift as the average
 *   of the three weeks before Tết.
 * Intervals (ADR 024, replacing 017's independent-days Wald intervals): on the log scale, with a covariance that
 * allows for demand shocks shared by the days of each week and of each occurrence of a month (variance.ts), and a
 * Student t reference with Satterthwaite's degrees of freedom — with two or three years a month has been seen two or
 * three times, and the intervals say so.
 * One calendar per shop: when both month models can be fitted, a clustered Vuong-type test of their QAIC difference
 * picks the one that fits clearly better, or calls them indistinguishable (then the lunar months are shown, the
 * calendar that was asked for). Every reported effect comes from that one model. Findings: effects whose interval
 * excludes 1 and that pass Benjamini–Hochberg at 1 − level over the model's whole family (weekdays, months, pre-Tết,
 * Tết week). Tết effects are labelled one-season estimates until the history holds two whole Tết windows.
 * Effects are only estimated when the history can tell them apart from the trend: weekdays from 4 weeks, months when
 * every month appears in at least two years (≥ 15 days each), Tết when at least one whole window (3 weeks before to
 * 2 weeks after) is inside the history; otherwise a caveat says what is missing.
 *
 * Also a classical multiplicative decomposition (centred 7-day moving average, weekday indices, residual).
 */
import { benjaminiHochberg, erfc, normalQuantile } from "../rules/stats";
import { lunarMonthOf, tetDay, VIETNAM_TIME_ZONE_HOURS } from "../lunar";
import { contrast, fitQuasiPoisson, type GlmFit } from "./glm";
import { dayNumber, dayOfNumber, weekdayOf } from "./series";
import { robustContrast, robustCovariance, tCritical, type RobustCovariance } from "./variance";

export interface DailyValue {
  day: string;
  value: number;
}

export interface Effect {
  key: string;
  label: string;
  multiplier: number;
  lower: number;
  upper: number;
  /** (multiplier − 1) · 100, rounded to 0.1. */
  percent: number;
  /** The interval excludes 1 (no effect). */
  significant: boolean;
  /** Days of the history that carry the effect. */
  days: number;
  /** Two-sided p-value of "no effect" (absent in snapshots computed before ADR 024). */
  pValue?: number;
  /** Degrees of freedom of the t reference (Satterthwaite); null for the normal reference. */
  df?: number | null;
  /** A weekday without any order in the history (a closed day): not estimated, forecast as zero. */
  closed?: boolean;
}

export interface Finding {
  text: string;
  effect: Effect;
  /** Benjamini–Hochberg adjusted p-value within the model's family of effects. */
  qValue: number;
}

/** Which month calendar the shop's effects come from, and why (ADR 024). */
export interface CalendarChoice {
  chosen: MonthCalendar | "none";
  alternative: MonthCalendar | null;
  /** "better": the chosen calendar fits clearly better; "indistinguishable": the data cannot tell them apart. */
  verdict: "only" | "better" | "indistinguishable" | "none";
  /** The clustered Vuong-type t of the QAIC difference (negative: lunar fits better). */
  statistic: number | null;
  /** QAIC(lunar) − QAIC(calendar), with the smaller dispersion of the two. */
  qaicDifference: number | null;
  reason: string;
}

export interface VarianceSummary {
  /** "occurrence-clustered": week and month-occurrence shocks (ADR 024); "independent": days independent (ADR 017). */
  method: "occurrence-clustered" | "independent";
  dispersion: number;
  components: { name: string; blocks: number; tau2: number; df: number }[];
}

export type MonthCalendar = "gregorian" | "lunar";

/** Everything needed to compute the model's seasonal factor on any day, including future ones. */
export interface SeasonalModel {
  months: MonthCalendar | null;
  weekday: boolean;
  /** Weekdays (0 = Sunday) without a single order in the history: closed days, left out of the fit, factor 0. */
  closedWeekdays: number[];
  tet: boolean;
  tzHours: number;
  startDay: number;
  halfSpan: number;
  degree: number;
  hinges: number[];
  /** Column index of each seasonal term (open weekdays after the first open one, month 2..12, Tết bins 0..4). */
  columns: { weekday: number[]; month: number[]; tet: number[] };
  fit: GlmFit;
}

export interface SeasonalityOptions {
  /** Fit the lunar-month model and the Tết bins (default true). */
  lunar?: boolean;
  /** Fit the calendar-month model (default true). */
  gregorian?: boolean;
  /** Hours east of UTC for the lunar calendar (default 7, Vietnam). */
  tzHours?: number;
  /** Confidence level of the intervals (default 0.95). */
  level?: number;
  /** What the series measures, for the findings' sentences (default "sales"). */
  measure?: string;
  /**
   * "clustered" (default): standard errors with week and month-occurrence shocks, t reference (ADR 024).
   * "independent": days independent given the model, normal reference (the ADR 017 method, kept for comparison).
   */
  intervals?: "clustered" | "independent";
}

export interface SeasonalityResult {
  first: string;
  last: string;
  days: number;
  level: number;
  trendDegree: number;
  weekday: Effect[] | null;
  gregorianMonths: Effect[] | null;
  lunarMonths: Effect[] | null;
  /** Tết weeks and the pre-Tết lift, with the model they come from and the whole Tết seasons in the history. */
  tet: { weeks: Effect[]; preTet: Effect; model: MonthCalendar | "none"; seasons: number; oneSeason: boolean } | null;
  models: { calendar: MonthCalendar | "none"; deviance: number; dispersion: number; parameters: number }[];
  calendar: CalendarChoice;
  variance: VarianceSummary;
  findings: Finding[];
  caveats: string[];
  /** The chosen model: every reported effect comes from it, and the forecast uses it. */
  model: SeasonalModel;
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"] as const;
/** Tết bins: first and last day relative to Tết (day 0 = Tết). */
export const TET_BINS: readonly { from: number; to: number; key: string; label: string }[] = [
  { from: -21, to: -15, key: "tet:-3w", label: "the third week before Tết" },
  { from: -14, to: -8, key: "tet:-2w", label: "the second week before Tết" },
  { from: -7, to: -1, key: "tet:-1w", label: "the week before Tết" },
  { from: 0, to: 6, key: "tet:0w", label: "the Tết week (days 1–7 of month 1)" },
  { from: 7, to: 13, key: "tet:+1w", label: "the week after Tết" },
];

// ---------------------------------------------------------------------------------------------------------------------
// Calendar features of a day

interface DayFeatures {
  weekday: number;
  gregorianMonth: number;
  lunarMonth: number;
  /** First day of the day's lunar month: one key per occurrence of a lunar month ("" without the lunar calendar). */
  lunarStart: string;
  /** Index into TET_BINS, or −1. */
  tetBin: number;
}

const tetCache = new Map<string, number>();
function tetNumber(year: number, tzHours: number): number {
  const key = `${year}@${tzHours}`;
  let t = tetCache.get(key);
  if (t === undefined) {
    t = dayNumber(tetDay(year, tzHours));
    tetCache.set(key, t);
  }
  return t;
}

function featuresOf(day: string, tzHours: number, lunar: boolean): DayFeatures {
  const jdn = dayNumber(day);
  let tetBin = -1;
  let lunarMonth = 0;
  let lunarStart = "";
  if (lunar) {
    const year = Number(day.slice(0, 4));
    for (const y of [year, year + 1]) {
      if (y > 2100) continue;
      const offset = jdn - tetNumber(y, tzHours);
      const bin = TET_BINS.findIndex((b) => offset >= b.from && offset <= b.to);
      if (bin >= 0) tetBin = bin;
    }
    const m = lunarMonthOf(day, tzHours);
    lunarMonth = m.month;
    lunarStart = m.start;
  }
  return { weekday: weekdayOf(day), gregorianMonth: Number(day.slice(5, 7)), lunarMonth, lunarStart, tetBin };
}

// ---------------------------------------------------------------------------------------------------------------------
// Design

function trendRow(model: Pick<SeasonalModel, "startDay" | "halfSpan" | "degree" | "hinges">, jdn: number): number[] {
  const t = (jdn - model.startDay - model.halfSpan) / model.halfSpan; // −1 … 1 over the history
  const row: number[] = [];
  for (let k = 1; k <= model.degree; k++) row.push(t ** k);
  for (const h of model.hinges) row.push(Math.max(0, t - h));
  return row;
}

function designRow(model: Omit<SeasonalModel, "columns" | "fit">, day: string, f: DayFeatures): number[] {
  const row = [1, ...trendRow(model, dayNumber(day))];
  if (model.weekday) for (const w of openWeekdays(model).slice(1)) row.push(f.weekday === w ? 1 : 0);
  if (model.months) {
    const m = model.months === "lunar" ? f.lunarMonth : f.gregorianMonth;
    for (let k = 2; k <= 12; k++) row.push(m === k ? 1 : 0);
  }
  if (model.tet) for (let b = 0; b < TET_BINS.length; b++) row.push(f.tetBin === b ? 1 : 0);
  return row;
}

/** The weekdays with orders (0 = Sunday); the first is the design's baseline. */
function openWeekdays(model: Pick<SeasonalModel, "closedWeekdays">): number[] {
  return [0, 1, 2, 3, 4, 5, 6].filter((w) => !model.closedWeekdays.includes(w));
}

function columnsOf(model: Omit<SeasonalModel, "columns" | "fit">): SeasonalModel["columns"] {
  let next = 1 + model.degree + model.hinges.length;
  const take = (on: boolean, n: number) => (on ? Array.from({ length: n }, () => next++) : []);
  const weekday = take(model.weekday, openWeekdays(model).length - 1);
  const month = take(model.months !== null, 11);
  const tet = take(model.tet, TET_BINS.length);
  return { weekday, month, tet };
}

/** The model's seasonal factor of a day (weekday × month × Tết bin, without trend): any day, past or future. */
export function seasonalFactor(model: SeasonalModel, day: string): number {
  const f = featuresOf(day, model.tzHours, model.months === "lunar" || model.tet);
  if (model.closedWeekdays.includes(f.weekday)) return 0;
  let eta = 0;
  const { weekday, month, tet } = model.columns;
  const k = openWeekdays(model).indexOf(f.weekday);
  if (weekday.length > 0 && k >= 1) eta += model.fit.beta[weekday[k - 1]!]!;
  if (month.length > 0) {
    const m = model.months === "lunar" ? f.lunarMonth : f.gregorianMonth;
    if (m >= 2) eta += model.fit.beta[month[m - 2]!]!;
  }
  if (tet.length > 0 && f.tetBin >= 0) eta += model.fit.beta[tet[f.tetBin]!]!;
  return Math.exp(eta);
}

/** The model's trend (intercept and trend terms) on a day inside the history. */
export function trendValue(model: SeasonalModel, day: string): number {
  const row = [1, ...trendRow(model, dayNumber(day))];
  let eta = 0;
  for (let j = 0; j < row.length; j++) eta += row[j]! * model.fit.beta[j]!;
  return Math.exp(eta);
}

// ---------------------------------------------------------------------------------------------------------------------
// Fitting

function checkContiguous(series: readonly DailyValue[]): void {
  for (let i = 1; i < series.length; i++) {
    if (dayNumber(series[i]!.day) !== dayNumber(series[i - 1]!.day) + 1) {
      throw new RangeError(`the daily series must have every day in order (${series[i - 1]!.day} is followed by ${series[i]!.day})`);
    }
  }
  for (const p of series) if (!(p.value >= 0) || !Number.isFinite(p.value)) throw new RangeError(`value on ${p.day} must be a finite non-negative number`);
}

function trendShape(n: number, startDay: number): Pick<SeasonalModel, "startDay" | "halfSpan" | "degree" | "hinges"> {
  const halfSpan = Math.max(1, (n - 1) / 2);
  const years = n / 365.25;
  const degree = n < 56 ? 1 : years < 1.5 ? 2 : 3;
  const hinges: number[] = [];
  for (let y = 3; y < Math.floor(years); y++) hinges.push((y * 365.25) / halfSpan - 1);
  return { startDay, halfSpan, degree, hinges };
}

/** Whether every month number appears in at least two different years with ≥ 15 days each. */
function monthsIdentifiable(features: readonly DayFeatures[], days: readonly string[], calendar: MonthCalendar): boolean {
  const counts = new Map<string, number>();
  for (let i = 0; i < features.length; i++) {
    const f = features[i]!;
    const m = calendar === "lunar" ? f.lunarMonth : f.gregorianMonth;
    // A "year" of a lunar month: the Gregorian year its days mostly fall in is close enough for counting.
    const key = `${m}:${days[i]!.slice(0, 4)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (let m = 1; m <= 12; m++) {
    let years = 0;
    for (const [key, c] of counts) if (key.startsWith(`${m}:`) && c >= 15) years++;
    if (years < 2) return false;
  }
  return true;
}

function tetIdentifiable(features: readonly DayFeatures[]): boolean {
  // A whole window: every bin present, and at least 7 days of each.
  const perBin = new Array<number>(TET_BINS.length).fill(0);
  for (const f of features) if (f.tetBin >= 0) perBin[f.tetBin]!++;
  return perBin.every((c) => c >= 7);
}

/** Fits a model on the open days of a series; X and `open` (indices into the series) are the rows fitted. */
function fitDesign(series: readonly DailyValue[], features: readonly DayFeatures[], spec: Omit<SeasonalModel, "columns" | "fit">): { model: SeasonalModel; X: number[][]; open: number[] } {
  const open = series.map((_, i) => i).filter((i) => !spec.closedWeekdays.includes(features[i]!.weekday));
  const X = open.map((i) => designRow(spec, series[i]!.day, features[i]!));
  const fit = fitQuasiPoisson(
    X,
    open.map((i) => series[i]!.value),
  );
  return { model: { ...spec, columns: columnsOf(spec), fit }, X, open };
}

/**
 * Refits a model of the same kind on prefixes of a series (the forecast's rolling-origin backtest): the same calendar
 * and terms, each only when the prefix can identify it (as seasonality() decides).
 */
export function seasonalRefitter(series: readonly DailyValue[], like: SeasonalModel): (length: number) => SeasonalModel {
  const lunar = like.months === "lunar" || like.tet;
  const features = series.map((p) => featuresOf(p.day, like.tzHours, lunar));
  return (length: number) => {
    const prefix = series.slice(0, length);
    const f = features.slice(0, length);
    const days = prefix.map((p) => p.day);
    const shape = trendShape(length, dayNumber(days[0]!));
    const months = like.months && monthsIdentifiable(f, days, like.months) ? like.months : null;
    const spec = { weekday: like.weekday && length >= 28, closedWeekdays: like.closedWeekdays, tet: like.tet && tetIdentifiable(f), tzHours: like.tzHours, ...shape };
    try {
      return fitDesign(prefix, f, { ...spec, months }).model;
    } catch {
      return fitDesign(prefix, f, { ...spec, months: null, tet: false }).model;
    }
  };
}

/** Per-day quasi-Poisson deviance contributions 2·(y·log(y/μ) − (y − μ)). */
function devianceTerms(y: readonly number[], mu: readonly number[]): number[] {
  return y.map((v, i) => 2 * ((v > 0 ? v * Math.log(v / mu[i]!) : 0) - (v - mu[i]!)));
}

/**
 * Lunar or calendar months: the two models have the same number of parameters, so a penalised criterion (QAIC,
 * deviance / φ + 2k) reduces to their deviance difference. Whether that difference is more than noise is judged like
 * Vuong's (1989) test for non-nested models, with the difference summed per calendar month of the history (blocks of
 * days, so serial correlation within a month does not count as evidence): t = Σ d_b / √(B · s²_d) on B − 1 degrees of
 * freedom. Below the two-sided critical value at the given level the calendars are indistinguishable.
 */
function chooseCalendar(series: readonly DailyValue[], lunar: SeasonalModel, gregorian: SeasonalModel, level: number): CalendarChoice {
  // `series`: the days both models were fitted on (open days), in the order of their fitted values.
  const y = series.map((p) => p.value);
  const dl = devianceTerms(y, lunar.fit.fitted);
  const dg = devianceTerms(y, gregorian.fit.fitted);
  const phi = Math.max(1e-12, Math.min(lunar.fit.dispersion, gregorian.fit.dispersion));
  const blocks = new Map<string, number>();
  series.forEach((p, i) => {
    const key = p.day.slice(0, 7);
    blocks.set(key, (blocks.get(key) ?? 0) + (dl[i]! - dg[i]!) / phi);
  });
  const d = [...blocks.values()];
  const B = d.length;
  const mean = d.reduce((s, v) => s + v, 0) / B;
  const variance = d.reduce((s, v) => s + (v - mean) ** 2, 0) / Math.max(1, B - 1);
  const qaicDifference = d.reduce((s, v) => s + v, 0); // lunar − calendar; the 2k penalties cancel
  const statistic = variance > 0 ? qaicDifference / Math.sqrt(B * variance) : 0;
  const critical = tCritical(level, Math.max(1, B - 1));
  const rounded = Math.round(qaicDifference * 10) / 10;
  const evidence = `QAIC lunar − calendar ${rounded > 0 ? "+" : ""}${rounded}, t = ${statistic.toFixed(2)} over ${B} months of history, critical value ${critical.toFixed(2)}`;
  if (Math.abs(statistic) < critical) {
    return {
      chosen: "lunar",
      alternative: "gregorian",
      verdict: "indistinguishable",
      statistic,
      qaicDifference,
      reason: `Lunar and calendar months fit this history indistinguishably (${evidence}); the lunar months are shown because the lunar calendar was asked for, and the calendar months tell the same story within the noise.`,
    };
  }
  const chosen: MonthCalendar = statistic < 0 ? "lunar" : "gregorian";
  return {
    chosen,
    alternative: chosen === "lunar" ? "gregorian" : "lunar",
    verdict: "better",
    statistic,
    qaicDifference,
    reason: `${chosen === "lunar" ? "Lunar" : "Calendar"} months fit this history clearly better than ${chosen === "lunar" ? "calendar" : "lunar"} months (${evidence}); only the ${chosen === "lunar" ? "lunar" : "calendar"}-month model's effects are reported.`,
  };
}

function effectOf(model: SeasonalModel, cov: RobustCovariance | null, c: number[], level: number, key: string, label: string, days: number): Effect {
  let estimate: number;
  let se: number;
  let df: number;
  let pValue: number;
  let crit: number;
  if (cov) {
    ({ estimate, se, df, pValue } = robustContrast(model.fit, cov, c));
    crit = tCritical(level, df);
  } else {
    ({ estimate, se } = contrast(model.fit, c));
    df = Number.POSITIVE_INFINITY;
    crit = normalQuantile(0.5 + level / 2);
    pValue = se > 0 ? Math.min(1, erfc(Math.abs(estimate) / se / Math.SQRT2)) : 1;
  }
  const lower = Math.exp(estimate - crit * se);
  const upper = Math.exp(estimate + crit * se);
  const multiplier = Math.exp(estimate);
  return {
    key,
    label,
    multiplier,
    lower,
    upper,
    percent: Math.round((multiplier - 1) * 1000) / 10,
    significant: lower > 1 || upper < 1,
    days,
    pValue,
    df: Number.isFinite(df) ? Math.round(df * 10) / 10 : null,
  };
}

/** Contrast of category `k` (1-based over `count` categories, category 1 the baseline) against the mean of `others`. */
function categoryContrast(p: number, columns: readonly number[], k: number, others: readonly number[]): number[] {
  const c = new Array<number>(p).fill(0);
  const col = (cat: number) => (cat === 1 ? -1 : columns[cat - 2]!);
  if (col(k) >= 0) c[col(k)]! += 1;
  for (const o of others) if (col(o) >= 0) c[col(o)]! -= 1 / others.length;
  return c;
}

const pct = (x: number) => `${Math.abs(Math.round((x - 1) * 100))} %`;

function describe(effect: Effect, subject: string, against: string, measure: string, level: number, preposition = "in"): string {
  const dir = effect.multiplier >= 1 ? "above" : "below";
  const lo = Math.min(effect.lower, effect.upper);
  const hi = Math.max(effect.lower, effect.upper);
  const range = lo >= 1 || hi <= 1 ? `${pct(dir === "above" ? lo : hi)}–${pct(dir === "above" ? hi : lo)} ${dir}` : `${pct(lo)} below to ${pct(hi)} above`;
  return `${measure[0]!.toUpperCase()}${measure.slice(1)} ${preposition} ${subject} run ${pct(effect.multiplier)} ${dir} ${against} (${Math.round(level * 100)} % CI ${range}).`;
}

/** Whole Tết windows (3 weeks before to 2 weeks after) inside [first, last]. */
function tetSeasons(first: string, last: string, tzHours: number): number {
  let seasons = 0;
  const a = dayNumber(first);
  const b = dayNumber(last);
  for (let y = Number(first.slice(0, 4)); y <= Math.min(2100, Number(last.slice(0, 4)) + 1); y++) {
    const t = tetNumber(y, tzHours);
    if (t + TET_BINS[0]!.from >= a && t + TET_BINS[TET_BINS.length - 1]!.to <= b) seasons++;
  }
  return seasons;
}

export function seasonality(series: readonly DailyValue[], options: SeasonalityOptions = {}): SeasonalityResult {
  checkContiguous(series);
  const n = series.length;
  if (n < 14) throw new RangeError(`seasonality needs at least 14 days of history (got ${n})`);
  const level = options.level ?? 0.95;
  const measure = options.measure ?? "sales";
  const tzHours = options.tzHours ?? VIETNAM_TIME_ZONE_HOURS;
  const lunar = options.lunar ?? true;
  const gregorian = options.gregorian ?? true;
  const clustered = (options.intervals ?? "clustered") === "clustered";
  const caveats: string[] = [];
  const days = series.map((p) => p.day);
  const features = days.map((d) => featuresOf(d, tzHours, lunar));
  const shape = trendShape(n, dayNumber(days[0]!));
  const weekday = n >= 28;
  if (!weekday) caveats.push("Weekday effects need at least 4 weeks of history.");
  // A weekday without a single order in the history is a closed day: its dummy would run to −∞ and take every weekday
  // contrast's interval with it. It is left out of the fit and forecast as zero.
  const closedWeekdays = weekday ? [0, 1, 2, 3, 4, 5, 6].filter((w) => series.every((q, i) => features[i]!.weekday !== w || q.value === 0)) : [];
  if (closedWeekdays.length >= 6) closedWeekdays.length = 0;
  if (closedWeekdays.length > 0) {
    caveats.push(`No orders on ${closedWeekdays.map((w) => `${WEEKDAYS[w]}s`).join(" or ")} in the whole history: treated as closed days (left out of the model, forecast as zero).`);
  }
  const tet = lunar && tetIdentifiable(features);
  if (lunar && !tet) caveats.push("Tết effects need a whole Tết season (3 weeks before to 2 weeks after Tết) inside the history.");
  const lunarMonths = lunar && monthsIdentifiable(features, days, "lunar");
  const gregorianMonths = gregorian && monthsIdentifiable(features, days, "gregorian");
  if ((lunar && !lunarMonths) || (gregorian && !gregorianMonths)) {
    caveats.push("Month effects need every month in at least two years of history; they are left out, so the trend may carry part of the year's pattern.");
  }

  const base = { weekday, closedWeekdays, tet, tzHours, ...shape };
  const lunarFit = lunarMonths ? fitDesign(series, features, { ...base, months: "lunar" }) : null;
  const gregorianFit = gregorianMonths ? fitDesign(series, features, { ...base, months: "gregorian" }) : null;
  const fits = [lunarFit, gregorianFit].filter((f): f is NonNullable<typeof f> => f !== null);

  // One calendar per shop.
  let calendar: CalendarChoice;
  let mainFit: { model: SeasonalModel; X: number[][]; open: number[] };
  if (lunarFit && gregorianFit) {
    calendar = chooseCalendar(
      lunarFit.open.map((i) => series[i]!),
      lunarFit.model,
      gregorianFit.model,
      level,
    );
    mainFit = calendar.chosen === "lunar" ? lunarFit : gregorianFit;
    caveats.push(calendar.reason);
  } else if (lunarFit || gregorianFit) {
    mainFit = (lunarFit ?? gregorianFit)!;
    const only = mainFit.model.months!;
    calendar = { chosen: only, alternative: null, verdict: "only", statistic: null, qaicDifference: null, reason: `Only the ${only === "lunar" ? "lunar" : "calendar"}-month model was fitted.` };
  } else {
    mainFit = fitDesign(series, features, { ...base, months: null });
    calendar = { chosen: "none", alternative: null, verdict: "none", statistic: null, qaicDifference: null, reason: "No month model: the history cannot identify month effects yet." };
    fits.push(mainFit);
  }
  const main = mainFit.model;
  const p = main.fit.beta.length;

  // Standard errors that respect serial correlation: shocks shared by weeks and by each occurrence of a month.
  let cov: RobustCovariance | null = null;
  if (clustered) {
    const between = 1 + shape.degree + shape.hinges.length + main.columns.month.length + main.columns.tet.length;
    const monthKeys = new Map<string, number>();
    const monthOf = days.map((d, i) => {
      const key = main.months === "lunar" ? features[i]!.lunarStart : d.slice(0, 7);
      let b = monthKeys.get(key);
      if (b === undefined) monthKeys.set(key, (b = monthKeys.size));
      return b;
    });
    // Blocks of the fitted (open) days, numbered densely.
    const blocks = (blockOf: (i: number) => number) => {
      const ids = new Map<number, number>();
      return Int32Array.from(mainFit.open, (i) => {
        const key = blockOf(i);
        let b = ids.get(key);
        if (b === undefined) ids.set(key, (b = ids.size));
        return b;
      });
    };
    cov = robustCovariance(
      mainFit.X,
      mainFit.open.map((i) => series[i]!.value),
      main.fit,
      [
        { name: "week", block: blocks((i) => Math.floor(i / 7)), betweenParameters: between },
        { name: "month", block: blocks((i) => monthOf[i]!), betweenParameters: between },
        // The same month blocks shifted by half a month: with the unshifted ones they make shocks of neighbouring
        // months correlated (a drift that spans a month boundary), which plain month blocks would treat as independent.
        { name: "month (shifted half a month)", block: blocks((i) => monthOf[Math.min(n - 1, i + 15)]!), betweenParameters: between },
      ],
    );
  }
  const variance: VarianceSummary = cov
    ? { method: "occurrence-clustered", dispersion: cov.dispersion, components: cov.components }
    : { method: "independent", dispersion: main.fit.dispersion, components: [] };

  // Weekdays against the average open weekday; a closed weekday is reported as such (×0), never as a finding.
  let weekdayEffects: Effect[] | null = null;
  if (weekday) {
    const open = openWeekdays(main);
    const all = open.map((_, j) => j + 1); // category j + 1 = open[j]; category 1 is the baseline
    weekdayEffects = [0, 1, 2, 3, 4, 5, 6].map((w) => {
      const count = features.filter((f) => f.weekday === w).length;
      const key = `weekday:${WEEKDAYS[w]!.slice(0, 3)}`;
      const j = open.indexOf(w);
      if (j < 0) return { key, label: `${WEEKDAYS[w]!} (closed: no orders)`, multiplier: 0, lower: 0, upper: 0, percent: -100, significant: false, days: count, closed: true };
      return effectOf(main, cov, categoryContrast(p, main.columns.weekday, j + 1, all), level, key, WEEKDAYS[w]!, count);
    });
  }

  // Months of the chosen calendar only, each against the other eleven.
  let monthEffects: Effect[] | null = null;
  if (main.months) {
    const cal = main.months;
    monthEffects = Array.from({ length: 12 }, (_, i) => {
      const k = i + 1;
      const others = Array.from({ length: 12 }, (_, j) => j + 1).filter((j) => j !== k);
      const c = categoryContrast(p, main.columns.month, k, others);
      const count = features.filter((f) => (cal === "lunar" ? f.lunarMonth : f.gregorianMonth) === k).length;
      const key = cal === "lunar" ? `lunar-month:${k}` : `month:${String(k).padStart(2, "0")}`;
      return effectOf(main, cov, c, level, key, cal === "lunar" ? `lunar month ${k}` : MONTHS[i]!, count);
    });
  }

  // Tết, from the chosen model. Its three weeks before Tết cover most of lunar month 12, so month 12's own level rests
  // on the few days left and the Tết interval carries that uncertainty.
  let tetEffects: SeasonalityResult["tet"] = null;
  if (tet) {
    const c = new Array<number>(p).fill(0);
    for (let i = 0; i < 3; i++) c[main.columns.tet[i]!] = 1 / 3;
    const weeks = TET_BINS.map((b, i) => {
      const ci = new Array<number>(p).fill(0);
      ci[main.columns.tet[i]!] = 1;
      return effectOf(main, cov, ci, level, b.key, b.label, features.filter((f) => f.tetBin === i).length);
    });
    const preDays = features.filter((f) => f.tetBin >= 0 && f.tetBin < 3).length;
    const seasons = tetSeasons(days[0]!, days[n - 1]!, tzHours);
    tetEffects = { weeks, preTet: effectOf(main, cov, c, level, "tet:pre", "the three weeks before Tết", preDays), model: main.months ?? "none", seasons, oneSeason: seasons < 2 };
    if (seasons < 2) caveats.push("Tết effects are one-season estimates: the history holds one Tết season, so they say what that Tết did, not yet what Tết usually does.");
  }

  // Findings: from the chosen model only, the family (weekdays, months, pre-Tết, Tết week) filtered by
  // Benjamini–Hochberg at a false discovery rate of 1 − level; largest first.
  const oneSeason = tetEffects?.oneSeason ? " A one-season estimate: the history holds a single Tết." : "";
  const candidates: { effect: Effect; text: string }[] = [];
  if (tetEffects) {
    const e = tetEffects.preTet;
    candidates.push({ effect: e, text: describe(e, e.label, "the same days' trend, weekday and month", measure, level) + oneSeason });
    const week = tetEffects.weeks[3]!;
    candidates.push({ effect: week, text: describe(week, week.label, "the same days' trend, weekday and month", measure, level) + oneSeason });
  }
  const against = main.months === "lunar" ? "the other lunar months, after trend and weekday" : "the other months, after trend and weekday";
  for (const e of monthEffects ?? []) candidates.push({ effect: e, text: describe(e, e.label, against, measure, level) });
  for (const e of (weekdayEffects ?? []).filter((x) => !x.closed)) candidates.push({ effect: e, text: describe(e, `${e.label}s`, "an average day", measure, level, "on") });
  const q = benjaminiHochberg(candidates.map((x) => Math.log(Math.max(x.effect.pValue ?? 1, 1e-300))));
  const findings: Finding[] = [];
  candidates.forEach((x, i) => {
    if (q[i]! <= 1 - level && x.effect.significant) findings.push({ ...x, qValue: q[i]! });
  });
  findings.sort((a, b) => Math.abs(Math.log(b.effect.multiplier)) - Math.abs(Math.log(a.effect.multiplier)));
  if (cov) {
    const m = cov.components.find((c) => c.name === "month");
    if (m && m.tau2 > 0 && m.df < 10) {
      caveats.push(`Month-to-month drift is estimated from ${m.blocks} month occurrences (${m.df} degrees of freedom after the model's terms): the month intervals are wide, and they narrow as years are added.`);
    }
  }

  return {
    first: days[0]!,
    last: days[n - 1]!,
    days: n,
    level,
    trendDegree: shape.degree,
    weekday: weekdayEffects,
    gregorianMonths: main.months === "gregorian" ? monthEffects : null,
    lunarMonths: main.months === "lunar" ? monthEffects : null,
    tet: tetEffects,
    models: fits.map(({ model: m }) => ({ calendar: m.months ?? "none", deviance: m.fit.deviance, dispersion: m.fit.dispersion, parameters: m.fit.beta.length })),
    calendar,
    variance,
    findings,
    caveats,
    model: main,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Classical decomposition

export interface DecompositionPoint {
  day: string;
  value: number;
  /** Centred 7-day moving average; null for the first and last 3 days. */
  trend: number | null;
  /** Weekday index (mean 1 over the week). */
  seasonal: number;
  /** value / (trend · seasonal); null where the trend is unknown or zero. */
  residual: number | null;
}

/** Classical multiplicative decomposition with a weekly period (as R's decompose(type = "multiplicative")). */
export function decomposeWeekly(series: readonly DailyValue[]): DecompositionPoint[] {
  checkContiguous(series);
  const n = series.length;
  const trend: (number | null)[] = series.map((_, i) => {
    if (i < 3 || i + 3 >= n) return null;
    let s = 0;
    for (let k = i - 3; k <= i + 3; k++) s += series[k]!.value;
    return s / 7;
  });
  const sums = new Array<number>(7).fill(0);
  const counts = new Array<number>(7).fill(0);
  series.forEach((p, i) => {
    const t = trend[i];
    if (t === null || t === undefined || t <= 0) return;
    const w = weekdayOf(p.day);
    sums[w]! += p.value / t;
    counts[w]!++;
  });
  const raw = sums.map((s, w) => (counts[w]! > 0 ? s / counts[w]! : 1));
  const mean = raw.reduce((a, b) => a + b, 0) / 7;
  const index = raw.map((r) => r / mean);
  return series.map((p, i) => {
    const t = trend[i] ?? null;
    const s = index[weekdayOf(p.day)]!;
    return { day: p.day, value: p.value, trend: t, seasonal: s, residual: t !== null && t > 0 ? p.value / (t * s) : null };
  });
}

/** Days from `first` to `last` inclusive. */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let d = dayNumber(first); d <= dayNumber(last); d++) out.push(dayOfNumber(d));
  return out;
}
