/**
 * Cohorts and churn from orders (ADR 015, addendum).
 *
 * - Months are calendar months in the shop's IANA time zone. A customer's cohort is the month of their first order.
 * - Retention matrix: for cohort c and offset k (month c + k), the share of the cohort's customers with at least one
 *   order in that month (k = 0 is 1 by definition) and the revenue in that month per cohort member (minor units),
 *   with its running total. Offsets run up to the month of `asOf`; that month is flagged `partial` unless `asOf` is
 *   its last day.
 * - Churn per period (month, quarter or year): the "lapse" definition for non-contractual businesses. A customer
 *   active in period p − 1 (at least one order in it) has churned in period p when they have no order in p:
 *   churn(p) = |active(p−1) \ active(p)| / |active(p−1)|. Returning customers (active in p but not in p − 1) are
 *   counted beside it. A period is only reported when it is complete by `asOf`, so a half-observed period never reads
 *   as churn.
 * - Model churn: from the BG/NBD fit, the expected share of customers no longer alive at the calibration end,
 *   1 − mean P(alive) (see `modelChurn`).
 *
 * Input orders are plain (customer, instant, amount) records in one currency, as for RFM (cancelled and test orders
 * already left out by the caller). Nothing here reads a clock.
 */
import { type BgNbdParams } from "./bgnbd";
import { aliveProbability, asRepeatModel, type RepeatModel } from "./repeat-model";
import { dayNumberIn, dayNumberOf, dayOfNumber, SummaryError } from "./summary";

export interface CohortOrder {
  customerId: string;
  /** Order instant, ms since the epoch. */
  at: number;
  /** Integer minor units of the analysis currency. */
  amount: number;
}

export interface CohortOptions {
  timeZone: string;
  /** Last day observed, YYYY-MM-DD in `timeZone`, inclusive; later orders are left out (and counted). */
  asOf: string;
}

export interface CohortRow {
  /** First-order month, YYYY-MM. */
  cohort: string;
  customers: number;
  /** retention[k]: share of the cohort with an order in month cohort + k (retention[0] = 1). */
  retention: number[];
  /** active[k]: number of cohort customers with an order in month cohort + k. */
  active: number[];
  /** revenuePerCustomer[k]: the cohort's revenue in month cohort + k divided by its size, minor units. */
  revenuePerCustomer: number[];
  /** Running total of revenuePerCustomer. */
  cumulativeRevenuePerCustomer: number[];
}

export interface RetentionMatrix {
  timeZone: string;
  asOf: string;
  /** The month of asOf, YYYY-MM. */
  lastMonth: string;
  /** True when asOf is not the last day of its month: the last column of every row is a partial month. */
  lastMonthPartial: boolean;
  cohorts: CohortRow[];
  ordersAfterAsOf: number;
}

export class CohortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CohortError";
  }
}

/** Months since 1970-01 of a day number. */
function monthIndexOfDay(day: number): number {
  const d = new Date(day * 86_400_000);
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
}

export function monthLabel(index: number): string {
  const year = 1970 + Math.floor(index / 12);
  const month = index - (year - 1970) * 12 + 1;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
}

/** Months since 1970-01 of a YYYY-MM label. */
export function monthIndexOf(label: string): number {
  const match = /^(\d{4})-(\d{2})$/.exec(label);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) throw new CohortError(`${JSON.stringify(label)} is not a month YYYY-MM`);
  return (Number(match[1]) - 1970) * 12 + Number(match[2]) - 1;
}

function checkOrder(o: CohortOrder) {
  if (!Number.isSafeInteger(o.amount)) throw new CohortError(`order of customer ${o.customerId}: amount ${o.amount} is not an integer of minor units`);
  if (!Number.isFinite(o.at)) throw new CohortError(`order of customer ${o.customerId} has no valid time`);
}

interface Resolved {
  asOfDay: number;
  lastMonth: number;
  lastMonthPartial: boolean;
  monthOf: (ms: number) => number;
  dayOf: (ms: number) => number;
}

function resolve(options: CohortOptions): Resolved {
  let asOfDay: number;
  let dayOf: (ms: number) => number;
  try {
    asOfDay = dayNumberOf(options.asOf, "as-of day");
    dayOf = dayNumberIn(options.timeZone);
  } catch (error) {
    if (error instanceof SummaryError) throw new CohortError(error.message);
    throw error;
  }
  const lastMonth = monthIndexOfDay(asOfDay);
  const lastMonthPartial = monthIndexOfDay(asOfDay + 1) === lastMonth;
  return { asOfDay, lastMonth, lastMonthPartial, dayOf, monthOf: (ms) => monthIndexOfDay(dayOf(ms)) };
}

/** The cohort retention matrix (see the module comment). */
export function retentionMatrix(orders: Iterable<CohortOrder>, options: CohortOptions): RetentionMatrix {
  const r = resolve(options);
  // Per customer: first month, and the (month → revenue) of their orders.
  const first = new Map<string, number>();
  const byCustomer = new Map<string, Map<number, number>>();
  let ordersAfterAsOf = 0;
  for (const o of orders) {
    checkOrder(o);
    const day = r.dayOf(o.at);
    if (day > r.asOfDay) {
      ordersAfterAsOf++;
      continue;
    }
    const m = monthIndexOfDay(day);
    const f = first.get(o.customerId);
    if (f === undefined || m < f) first.set(o.customerId, m);
    let months = byCustomer.get(o.customerId);
    if (!months) byCustomer.set(o.customerId, (months = new Map()));
    months.set(m, (months.get(m) ?? 0) + o.amount);
  }
  const rows = new Map<number, { customers: number; active: number[]; revenue: number[] }>();
  for (const [id, c] of first) {
    const width = r.lastMonth - c + 1;
    let row = rows.get(c);
    if (!row) rows.set(c, (row = { customers: 0, active: new Array<number>(width).fill(0), revenue: new Array<number>(width).fill(0) }));
    row.customers++;
    for (const [m, amount] of byCustomer.get(id)!) {
      row.active[m - c]!++;
      row.revenue[m - c]! += amount;
    }
  }
  const cohorts: CohortRow[] = [...rows.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([c, row]) => {
      let running = 0;
      const revenuePerCustomer = row.revenue.map((v) => v / row.customers);
      return {
        cohort: monthLabel(c),
        customers: row.customers,
        retention: row.active.map((a) => a / row.customers),
        active: row.active,
        revenuePerCustomer,
        cumulativeRevenuePerCustomer: revenuePerCustomer.map((v) => (running += v)),
      };
    });
  return { timeZone: options.timeZone, asOf: options.asOf, lastMonth: monthLabel(r.lastMonth), lastMonthPartial: r.lastMonthPartial, cohorts, ordersAfterAsOf };
}

export type ChurnPeriod = "month" | "quarter" | "year";

export interface ChurnRow {
  /** The period p: YYYY-MM (month), YYYY-Qn (quarter) or YYYY (year). */
  period: string;
  /** Customers active in p − 1. */
  activeBefore: number;
  /** Of those, customers with no order in p. */
  churned: number;
  /** churned / activeBefore; null when nobody was active in p − 1. */
  churnRate: number | null;
  /** Customers active in p. */
  active: number;
  /** Active in p, with an earlier order, but not active in p − 1. */
  returning: number;
  /** Active in p with their first order in p. */
  new: number;
}

export interface ChurnOptions extends CohortOptions {
  period?: ChurnPeriod;
}

function periodLabel(index: number, period: ChurnPeriod): string {
  if (period === "month") return monthLabel(index);
  if (period === "quarter") return `${1970 + Math.floor(index / 4)}-Q${(index % 4) + 1}`;
  return String(1970 + index);
}

/**
 * Period-over-period churn (see the module comment): one row per complete period p from the second period with an
 * order up to the last period complete by asOf.
 */
export function churnByPeriod(orders: Iterable<CohortOrder>, options: ChurnOptions): ChurnRow[] {
  const period = options.period ?? "month";
  if (period !== "month" && period !== "quarter" && period !== "year") throw new CohortError(`period must be month, quarter or year, got ${JSON.stringify(period)}`);
  const size = period === "month" ? 1 : period === "quarter" ? 3 : 12;
  const r = resolve(options);
  const periodOfMonth = (m: number) => Math.floor(m / size);
  // The last complete period: the asOf month's period if asOf is its last day and that month ends the period.
  const asOfPeriod = periodOfMonth(r.lastMonth);
  const lastComplete = !r.lastMonthPartial && periodOfMonth(r.lastMonth + 1) !== asOfPeriod ? asOfPeriod : asOfPeriod - 1;
  const periods = new Map<string, Set<number>>();
  let firstPeriod = Infinity;
  for (const o of orders) {
    checkOrder(o);
    const day = r.dayOf(o.at);
    if (day > r.asOfDay) continue;
    const p = periodOfMonth(monthIndexOfDay(day));
    if (p < firstPeriod) firstPeriod = p;
    let set = periods.get(o.customerId);
    if (!set) periods.set(o.customerId, (set = new Set()));
    set.add(p);
  }
  if (firstPeriod === Infinity || lastComplete <= firstPeriod) return [];
  const width = lastComplete - firstPeriod + 1;
  const active = new Array<number>(width).fill(0);
  const churned = new Array<number>(width).fill(0);
  const returning = new Array<number>(width).fill(0);
  const fresh = new Array<number>(width).fill(0);
  for (const set of periods.values()) {
    let firstOwn = Infinity;
    for (const p of set) if (p < firstOwn) firstOwn = p;
    for (let p = Math.max(firstOwn, firstPeriod); p <= lastComplete; p++) {
      const i = p - firstPeriod;
      const now = set.has(p);
      const before = set.has(p - 1);
      if (now) active[i]!++;
      if (before && !now) churned[i]!++;
      if (now && p === firstOwn) fresh[i]!++;
      else if (now && !before) returning[i]!++;
    }
  }
  const rows: ChurnRow[] = [];
  for (let i = 1; i < width; i++) {
    const activeBefore = active[i - 1]!;
    rows.push({
      period: periodLabel(firstPeriod + i, period),
      activeBefore,
      churned: churned[i]!,
      churnRate: activeBefore > 0 ? churned[i]! / activeBefore : null,
      active: active[i]!,
      returning: returning[i]!,
      new: fresh[i]!,
    });
  }
  return rows;
}

export interface ModelChurn {
  customers: number;
  /** Σ P(alive) at each customer's T. */
  expectedAlive: number;
  /** customers − expectedAlive. */
  expectedChurned: number;
  /** expectedChurned / customers. */
  churnShare: number;
}

/**
 * Model-based churn: the expected number and share of customers who have dropped out by the calibration end under
 * the fitted BG/NBD (or MBG/NBD) model, 1 − mean P(alive | x, t_x, T). Under BG/NBD customers without a repeat purchase are alive with
 * probability 1 in BG/NBD (dropout happens only after a repeat purchase).
 */
export function modelChurn(modelOrParams: RepeatModel | BgNbdParams, customers: Iterable<{ x: number; t_x: number; T: number }>): ModelChurn {
  const model = asRepeatModel(modelOrParams);
  let n = 0;
  let alive = 0;
  for (const c of customers) {
    n++;
    alive += aliveProbability(model, c.x, c.t_x, c.T);
  }
  if (n === 0) throw new CohortError("model churn needs at least one customer");
  return { customers: n, expectedAlive: alive, expectedChurned: n - alive, churnShare: (n - alive) / n };
}

/** YYYY-MM of an instant in a time zone (for callers that group by the same months). */
export function monthOfInstant(ms: number, timeZone: string): string {
  return dayOfNumber(dayNumberIn(timeZone)(ms)).slice(0, 7);
}
