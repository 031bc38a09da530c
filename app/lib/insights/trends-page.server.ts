/** What the admin's "Trends and seasonality" page shows: the stored trends, trimmed and labelled for display. */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { minorUnitDigits } from "../../insights/money";
import type { Effect } from "../../insights/trends/seasonality";
import { readTrends } from "./trends.server";

/** Weeks shown in the chart (the stored weekly series is whole). */
const CHART_WEEKS = 104;

const pct = (x: number) => `${x >= 1 ? "+" : "−"}${Math.abs(Math.round((x - 1) * 1000) / 10).toFixed(1)} %`;

function effectRow(e: Effect) {
  if (e.closed) return { key: e.key, label: e.label, change: "no orders", interval: "closed day", significant: false, days: e.days };
  return { key: e.key, label: e.label, change: pct(e.multiplier), interval: `${pct(e.lower)} to ${pct(e.upper)}`, significant: e.significant, days: e.days };
}

const percent = (x: number | null | undefined, digits = 1) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(digits)} %`);

/** The forecast's rolling-origin backtest, as the page shows it (null for snapshots from before ADR 024). */
function backtestView(b: NonNullable<NonNullable<Awaited<ReturnType<typeof readTrends>>>["data"]["forecast"]>["backtest"]) {
  if (!b) return null;
  return {
    origins: b.origins,
    pairs: b.pairs,
    from: b.from,
    to: b.to,
    mape: percent(b.mape),
    mae: Math.round(b.mae),
    coverage: b.coverage.rate === null ? "not enough backtest weeks yet" : `${percent(b.coverage.rate, 0)} of ${b.coverage.checked} weeks`,
    calibrated: b.calibrated,
    byHorizon: b.byHorizon.filter((h) => h.week === 1 || h.week === 4 || h.week === 8 || h.week === b.byHorizon.length).map((h) => ({ week: h.week, pairs: h.pairs, mape: percent(h.mape) })),
  };
}

export async function trendsPage({ shop, db = defaultPrisma }: { shop: string; db?: PrismaClient }) {
  const stored = await readTrends(db, shop);
  if (!stored) return { ready: false as const };
  const { summary, data, computedAt } = stored;
  const digits = minorUnitDigits(summary.currency);
  const money = (minor: number | null) =>
    minor === null ? "—" : new Intl.NumberFormat("en-US", { style: "currency", currency: summary.currency, maximumFractionDigits: digits }).format(minor / 10 ** digits);
  const s = data.seasonality;
  return {
    ready: true as const,
    computedAt: computedAt.toISOString(),
    summary,
    chart: data.series.weekly.slice(-CHART_WEEKS).map((p) => ({ period: p.period, start: p.start, days: p.days, orders: p.orders, revenue: money(p.revenue) })),
    months: data.series.monthly
      .slice(-24)
      .reverse()
      .map((p) => ({ period: p.period, orders: p.orders, revenue: money(p.revenue), aov: money(p.aov === null ? null : Math.round(p.aov)), newCustomers: p.newCustomers, returningCustomers: p.returningCustomers })),
    findings: s?.findings.map((f) => f.text) ?? [],
    level: s?.level ?? 0.95,
    weekday: s?.weekday?.map(effectRow) ?? null,
    lunarMonths: s?.lunarMonths?.map(effectRow) ?? null,
    gregorianMonths: s?.gregorianMonths?.map(effectRow) ?? null,
    tet: s?.tet ? { model: s.tet.model, preTet: effectRow(s.tet.preTet), weeks: s.tet.weeks.map(effectRow), seasons: s.tet.seasons ?? null, oneSeason: s.tet.oneSeason ?? false } : null,
    calendar: s?.calendar ? { chosen: s.calendar.chosen, verdict: s.calendar.verdict, reason: s.calendar.reason } : null,
    intervals: s?.variance?.method ?? "independent",
    forecast: data.forecast
      ? {
          level: data.forecast.level,
          method: data.forecast.method,
          backtest: backtestView(data.forecast.backtest),
          weeks: data.forecast.weeks.map((w) => ({ start: w.start, end: w.end, forecast: Math.round(w.forecast), lower: Math.round(w.lower), upper: Math.round(w.upper) })),
        }
      : null,
    dataQuality: data.dataQuality.caveats,
  };
}
