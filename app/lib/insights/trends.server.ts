/**
 * Trends for one shop: the shop's orders (load.server.ts) through the pure trends core (app/insights/trends/: series,
 * seasonality incl. lunar months and Tết, forecast) and the data-quality checks, stored as the shop's `trends`
 * InsightSnapshot. Run after each full sync and import (job insights.recompute) and on demand from the admin.
 *
 * Days are shop-local in the Shop row's IANA time zone; money is integer minor units of the Shop row's currency. The
 * intervals, the one month calendar, the BH-filtered findings and the backtested forecast are ADR 024's. The
 * series run from the first to the last order day (not to `now`: a history that stopped is said in a caveat, not
 * padded with empty days); a last day that is still today is left out of the models (it is not over).
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import { dataQuality, type Caveat } from "../../insights/data-quality";
import { forecast, type Forecast, type ForecastBacktest } from "../../insights/trends/forecast";
import { seasonality, type CalendarChoice, type Effect, type MonthCalendar, type VarianceSummary } from "../../insights/trends/seasonality";
import { addDays, buildSeries, dayNumber, localDay, type SeriesOrder, type SeriesPoint } from "../../insights/trends/series";
import { loadOrders, type InsightInput, type LoadedOrder } from "./load.server";

export const TRENDS = "trends";
export const TRENDS_VERSION = 1;
/** Days of the daily series kept in the stored JSON (weekly and monthly series are kept whole). */
export const DAILY_DAYS_KEPT = 120;
/** Forecast horizon. */
export const FORECAST_WEEKS = 12;
/** Fewer days than these: no seasonal model, no forecast (the core's own minimums). */
export const MIN_SEASONALITY_DAYS = 14;
export const MIN_FORECAST_DAYS = 56;
/** The lunar calendar (lunar months, Tết) is used for shops in a Vietnamese time zone. */
const VIETNAM_ZONES = new Set(["Asia/Ho_Chi_Minh", "Asia/Saigon"]);

export interface TrendsSummary {
  currency: string;
  timeZone: string;
  /** What seasonality and the forecast model. */
  measure: "orders";
  lunarCalendar: boolean;
  /** Orders kept in the series, and those left out. */
  orders: number;
  excluded: { cancelled: number; test: number; otherCurrency: number };
  first: string | null;
  last: string | null;
  days: number;
  findings: string[];
  /** Plain-language warnings (seasonality's and the data-quality checks'), most serious first. */
  caveats: string[];
  hasSeasonality: boolean;
  hasForecast: boolean;
}

export interface StoredSeasonality {
  first: string;
  last: string;
  days: number;
  level: number;
  trendDegree: number;
  weekday: Effect[] | null;
  gregorianMonths: Effect[] | null;
  lunarMonths: Effect[] | null;
  /** seasons / oneSeason: absent in snapshots from before ADR 024. */
  tet: { weeks: Effect[]; preTet: Effect; model: MonthCalendar | "none"; seasons?: number; oneSeason?: boolean } | null;
  models: { calendar: MonthCalendar | "none"; deviance: number; dispersion: number; parameters: number }[];
  /** The one calendar the effects come from (ADR 024); absent in older snapshots, which listed both. */
  calendar?: CalendarChoice;
  /** How the intervals treat serial correlation (ADR 024); absent in older snapshots (days independent). */
  variance?: VarianceSummary;
  findings: { text: string; key: string; multiplier: number; lower: number; upper: number; qValue?: number }[];
  caveats: string[];
}

/** A stored forecast: snapshots from before ADR 024 have bootstrap intervals and no backtest. */
export type StoredForecast = Omit<Forecast, "backtest"> & { backtest?: ForecastBacktest };

export interface TrendsData {
  series: {
    /** The last DAILY_DAYS_KEPT days. */
    daily: SeriesPoint[];
    weekly: SeriesPoint[];
    monthly: SeriesPoint[];
  };
  seasonality: StoredSeasonality | null;
  forecast: StoredForecast | null;
  dataQuality: {
    orders: number;
    shares: { guest: number; test: number; cancelled: number; refunded: number; linesWithoutProduct: number };
    currencies: Record<string, number>;
    typicalGapDays: number | null;
    gaps: { from: string; to: string; days: number }[];
    caveats: Caveat[];
  };
}

/** A loaded order as the trends core's record: custom and gift-card lines carry no product. */
export function trendsOrderOf(o: LoadedOrder): SeriesOrder {
  return {
    id: o.id,
    createdAt: o.createdAt,
    customerId: o.customerId,
    currency: o.currency,
    total: o.total,
    totalRefunded: o.totalRefunded,
    cancelledAt: o.cancelledAt,
    test: o.test,
    lines: o.lines.map((l) => ({
      productId: l.productId === null || l.isCustom || l.isGiftCard ? null : l.productId,
      quantity: l.quantity,
      refundedQuantity: l.refundedQuantity,
    })),
  };
}

const SEVERITY_ORDER = { blocking: 0, warning: 1, info: 2 } as const;

export async function computeTrends({ db, shop, now, orders: given }: InsightInput) {
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, timezone: true } });
  if (!shopRow) throw new Error(`unknown shop ${shop}`);
  const timeZone = shopRow.timezone;
  const lunar = VIETNAM_ZONES.has(timeZone);
  const orders = (given ?? (await loadOrders(db, shop))).map(trendsOrderOf);
  const today = localDay(now, timeZone);
  const caveats: string[] = [];

  // The shop's currency when its orders use it; otherwise the most common one (said in a caveat).
  const currencies = new Set(orders.map((o) => o.currency));
  const currency = currencies.has(shopRow.currency) || currencies.size === 0 ? shopRow.currency : undefined;
  const monthly = buildSeries(orders, { timeZone, granularity: "month", currency });
  if (currency === undefined && orders.length > 0) caveats.push(`No order is in the shop's currency ${shopRow.currency}: the series use ${monthly.currency}.`);
  const weekly = buildSeries(orders, { timeZone, granularity: "week", currency: monthly.currency });
  const daily = buildSeries(orders, { timeZone, granularity: "day", currency: monthly.currency });
  const kept = daily.points.reduce((n, p) => n + p.orders, 0);

  // Models: whole days only (today is not over), never days after `now`.
  const modelPoints = daily.points.filter((p) => p.period < today);
  const values = modelPoints.map((p) => ({ day: p.period, value: p.orders }));
  let seasonal: ReturnType<typeof seasonality> | null = null;
  if (values.length < MIN_SEASONALITY_DAYS) {
    caveats.push(
      values.length === 0
        ? "No complete day of orders yet: trends, seasonal effects and the forecast appear once orders come in."
        : `Only ${values.length} day(s) of history: seasonal effects need at least ${MIN_SEASONALITY_DAYS} days and the forecast ${MIN_FORECAST_DAYS}.`,
    );
  } else {
    try {
      seasonal = seasonality(values, { lunar, measure: "orders" });
    } catch (error) {
      caveats.push(`Seasonal effects could not be estimated: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let fc: Forecast | null = null;
  if (seasonal && values.length >= MIN_FORECAST_DAYS) {
    try {
      fc = forecast(values, seasonal.model, { horizonWeeks: FORECAST_WEEKS, seed: 1 });
    } catch (error) {
      caveats.push(`No forecast: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else if (seasonal) {
    caveats.push(`The forecast needs at least ${MIN_FORECAST_DAYS} days (8 weeks) of history; there are ${values.length}.`);
  }
  const lastOrderDay = daily.last || null;
  if (lastOrderDay && dayNumber(today) - dayNumber(lastOrderDay) > 14) {
    caveats.push(`The latest order is from ${lastOrderDay}, ${dayNumber(today) - dayNumber(lastOrderDay)} days ago: the forecast starts after that day, not today.`);
  }

  const quality = dataQuality(orders, timeZone);
  const qualityCaveats = [...quality.caveats].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  // The calendar choice is shown beside the month effects (stored with them), not repeated among the warnings.
  if (seasonal) caveats.push(...seasonal.caveats.filter((c) => c !== seasonal.calendar.reason));
  if (!lunar) caveats.push(`Lunar months and Tết are modelled for shops in Vietnam's time zone; this shop's is ${timeZone}, so calendar months are used.`);

  const summary: TrendsSummary = {
    currency: daily.currency,
    timeZone,
    measure: "orders",
    lunarCalendar: lunar,
    orders: kept,
    excluded: daily.excluded,
    first: daily.first || null,
    last: lastOrderDay,
    days: daily.points.length,
    findings: seasonal?.findings.map((f) => f.text) ?? [],
    caveats: [...qualityCaveats.filter((c) => c.severity !== "info").map((c) => c.message), ...caveats, ...qualityCaveats.filter((c) => c.severity === "info").map((c) => c.message)],
    hasSeasonality: seasonal !== null,
    hasForecast: fc !== null,
  };
  const data: TrendsData = {
    series: {
      daily: daily.points.filter((p) => p.period >= addDays(daily.last || today, -(DAILY_DAYS_KEPT - 1))),
      weekly: weekly.points,
      monthly: monthly.points,
    },
    seasonality: seasonal && {
      first: seasonal.first,
      last: seasonal.last,
      days: seasonal.days,
      level: seasonal.level,
      trendDegree: seasonal.trendDegree,
      weekday: seasonal.weekday,
      gregorianMonths: seasonal.gregorianMonths,
      lunarMonths: seasonal.lunarMonths,
      tet: seasonal.tet,
      models: seasonal.models,
      calendar: seasonal.calendar,
      variance: seasonal.variance,
      findings: seasonal.findings.map((f) => ({ text: f.text, key: f.effect.key, multiplier: f.effect.multiplier, lower: f.effect.lower, upper: f.effect.upper, qValue: f.qValue })),
      caveats: seasonal.caveats,
    },
    forecast: fc,
    dataQuality: { orders: quality.orders, shares: quality.shares, currencies: quality.currencies, typicalGapDays: quality.typicalGapDays, gaps: quality.gaps, caveats: quality.caveats },
  };
  const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;
  await db.insightSnapshot.upsert({
    where: { shop_kind: { shop, kind: TRENDS } },
    create: { shop, kind: TRENDS, version: TRENDS_VERSION, computedAt: now, asOf: now, summary: json(summary), data: json(data) },
    update: { version: TRENDS_VERSION, computedAt: now, asOf: now, summary: json(summary), data: json(data) },
  });
  return { summary, data };
}

/** The shop's stored trends, or null before the first computation (or after a format change). */
export async function readTrends(db: PrismaClient, shop: string) {
  const row = await db.insightSnapshot.findUnique({ where: { shop_kind: { shop, kind: TRENDS } } });
  if (!row || row.version !== TRENDS_VERSION) return null;
  return { computedAt: row.computedAt, summary: row.summary as unknown as TrendsSummary, data: row.data as unknown as TrendsData };
}
