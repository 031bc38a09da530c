/**
 * A shop's sales as time series in the shop's own time zone: orders, revenue, average order value, units, and new vs
 * returning customers, by day, ISO week or month.
 *
 * Definitions (the same everywhere in trends/, seasonality and forecasts):
 * - An order belongs to the shop-local day of its `createdAt` (Intl.DateTimeFormat with the IANA time zone: daylight
 *   saving time is handled; no clock is read).
 * - Cancelled and test orders are left out (and counted in `excluded`). So are orders in another currency than the
 *   series' one (the most common currency unless given): sums of different currencies mean nothing.
 * - Revenue is the order total less what was refunded on it (integer minor units), attributed to the order's day, not
 *   the refund's: a series of what was sold when. A fully refunded order still counts as an order (it happened) with
 *   revenue 0. Units are line quantities less refunded quantities.
 * - AOV = revenue / orders of the period (net of refunds), null for a period without orders.
 * - Customers: distinct customers with an order in the period. New = the customer's first order in the data falls in
 *   the period; returning = their first order was earlier. A history that starts after the shop opened counts some
 *   returning customers as new in its first months (see data-quality). Guest orders are counted apart.
 * - Every period between the first and the last day is present, empty ones with zeros (days without orders are data).
 * - Weeks are ISO 8601 weeks (Monday to Sunday, labelled YYYY-Www by their ISO year); months are calendar months.
 */
import { dayOfJulianDayNumber, julianDayNumber } from "../lunar";

export interface SeriesLine {
  productId: string | null;
  quantity: number;
  refundedQuantity: number;
}

export interface SeriesOrder {
  id: string;
  createdAt: Date;
  customerId: string | null;
  currency: string;
  /** Minor units. */
  total: number;
  /** Minor units refunded on this order. */
  totalRefunded: number;
  cancelledAt: Date | null;
  test: boolean;
  lines: readonly SeriesLine[];
}

export type Granularity = "day" | "week" | "month";

export interface SeriesPoint {
  /** YYYY-MM-DD, YYYY-Www or YYYY-MM. */
  period: string;
  /** First day of the period (a Monday for weeks). */
  start: string;
  /** Days of the period inside the series' range (a partial first or last week/month has fewer). */
  days: number;
  orders: number;
  /** Minor units, net of refunds. */
  revenue: number;
  /** Minor units (not rounded), or null without orders. */
  aov: number | null;
  units: number;
  newCustomers: number;
  returningCustomers: number;
  guestOrders: number;
}

export interface Series {
  timeZone: string;
  currency: string;
  granularity: Granularity;
  first: string;
  last: string;
  points: SeriesPoint[];
  excluded: { cancelled: number; test: number; otherCurrency: number };
}

// ---------------------------------------------------------------------------------------------------------------------
// Shop-local days

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter for a time zone; throws RangeError for an unknown zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The shop-local day `YYYY-MM-DD` of an instant (ms since the epoch or a Date). */
export function localDay(at: Date | number, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(typeof at === "number" ? at : at.getTime());
  let y = "";
  let m = "";
  let d = "";
  for (const p of parts) {
    if (p.type === "year") y = p.value;
    else if (p.type === "month") m = p.value;
    else if (p.type === "day") d = p.value;
  }
  return `${y.padStart(4, "0")}-${m}-${d}`;
}

/** Checks an IANA time zone name; throws RangeError naming it otherwise. */
export function checkTimeZone(timeZone: string): string {
  try {
    formatterFor(timeZone);
  } catch {
    throw new RangeError(`unknown time zone ${JSON.stringify(timeZone)}`);
  }
  return timeZone;
}

export const dayNumber = julianDayNumber;
export const dayOfNumber = dayOfJulianDayNumber;

/** `day` + n days. */
export function addDays(day: string, n: number): string {
  return dayOfNumber(dayNumber(day) + n);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: string): number {
  return (dayNumber(day) + 1) % 7;
}

/** ISO week label (YYYY-Www) and its Monday. */
export function isoWeekOf(day: string): { label: string; monday: string } {
  const jdn = dayNumber(day);
  const isoWeekday = ((jdn % 7) + 7) % 7; // 0 = Monday (JDN 0 was a Monday)
  const monday = jdn - isoWeekday;
  const thursday = monday + 3; // the ISO year is the year of the week's Thursday
  const thursdayDay = dayOfNumber(thursday);
  const isoYear = Number(thursdayDay.slice(0, 4));
  const jan4 = dayNumber(`${String(isoYear).padStart(4, "0")}-01-04`);
  const week1Monday = jan4 - (((jan4 % 7) + 7) % 7);
  const week = Math.floor((monday - week1Monday) / 7) + 1;
  return { label: `${isoYear}-W${String(week).padStart(2, "0")}`, monday: dayOfNumber(monday) };
}

function periodOf(day: string, granularity: Granularity): { period: string; start: string } {
  if (granularity === "day") return { period: day, start: day };
  if (granularity === "month") return { period: day.slice(0, 7), start: `${day.slice(0, 7)}-01` };
  const w = isoWeekOf(day);
  return { period: w.label, start: w.monday };
}

// ---------------------------------------------------------------------------------------------------------------------
// Series

export interface SeriesOptions {
  timeZone: string;
  granularity: Granularity;
  /** The series' currency (default: the most common among the kept orders). */
  currency?: string;
  /** First and last shop-local day of the series (default: the first and last order's day). */
  from?: string;
  to?: string;
}

/** The orders that count (not cancelled, not test), with their local day, and the currency chosen. */
export function keptOrders(
  orders: readonly SeriesOrder[],
  timeZone: string,
  currency?: string,
): { orders: { order: SeriesOrder; day: string }[]; currency: string; excluded: Series["excluded"] } {
  checkTimeZone(timeZone);
  const excluded = { cancelled: 0, test: 0, otherCurrency: 0 };
  const live: SeriesOrder[] = [];
  for (const o of orders) {
    if (o.cancelledAt !== null) excluded.cancelled++;
    else if (o.test) excluded.test++;
    else live.push(o);
  }
  let chosen = currency;
  if (chosen === undefined) {
    const counts = new Map<string, number>();
    for (const o of live) counts.set(o.currency, (counts.get(o.currency) ?? 0) + 1);
    let best = -1;
    for (const [c, n] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) if (n > best) [chosen, best] = [c, n];
  }
  const kept: { order: SeriesOrder; day: string }[] = [];
  for (const o of live) {
    if (o.currency !== chosen) excluded.otherCurrency++;
    else kept.push({ order: o, day: localDay(o.createdAt, timeZone) });
  }
  kept.sort((a, b) => a.order.createdAt.getTime() - b.order.createdAt.getTime() || (a.order.id < b.order.id ? -1 : a.order.id > b.order.id ? 1 : 0));
  return { orders: kept, currency: chosen ?? "XXX", excluded };
}

/** Net revenue of an order in minor units. */
export function netRevenue(o: SeriesOrder): number {
  return o.total - o.totalRefunded;
}

/** Net units of an order. */
export function netUnits(o: SeriesOrder): number {
  let units = 0;
  for (const l of o.lines) units += l.quantity - l.refundedQuantity;
  return units;
}

export function buildSeries(orders: readonly SeriesOrder[], options: SeriesOptions): Series {
  const { timeZone, granularity } = options;
  const kept = keptOrders(orders, timeZone, options.currency);
  const firstOrderDay = kept.orders[0]?.day;
  const lastOrderDay = kept.orders[kept.orders.length - 1]?.day;
  const first = options.from ?? firstOrderDay;
  const last = options.to ?? lastOrderDay;
  if (first === undefined || last === undefined) {
    return { timeZone, currency: kept.currency, granularity, first: "", last: "", points: [], excluded: kept.excluded };
  }
  if (first > last) throw new RangeError(`the series starts (${first}) after it ends (${last})`);

  // Each customer's first order day in the data (over all kept orders, also those outside [first, last]).
  const firstDayOf = new Map<string, string>();
  for (const { order, day } of kept.orders) if (order.customerId !== null && !firstDayOf.has(order.customerId)) firstDayOf.set(order.customerId, day);

  const points: SeriesPoint[] = [];
  const index = new Map<string, number>();
  const customersIn: Set<string>[] = [];
  const d0 = dayNumber(first);
  const d1 = dayNumber(last);
  for (let d = d0; d <= d1; d++) {
    const day = dayOfNumber(d);
    const { period, start } = periodOf(day, granularity);
    let i = index.get(period);
    if (i === undefined) {
      i = points.length;
      index.set(period, i);
      points.push({ period, start, days: 0, orders: 0, revenue: 0, aov: null, units: 0, newCustomers: 0, returningCustomers: 0, guestOrders: 0 });
      customersIn.push(new Set());
    }
    points[i]!.days++;
  }
  for (const { order, day } of kept.orders) {
    if (day < first || day > last) continue;
    const i = index.get(periodOf(day, granularity).period)!;
    const p = points[i]!;
    p.orders++;
    p.revenue += netRevenue(order);
    p.units += netUnits(order);
    if (order.customerId === null) p.guestOrders++;
    else if (!customersIn[i]!.has(order.customerId)) {
      customersIn[i]!.add(order.customerId);
      const firstDay = firstDayOf.get(order.customerId)!;
      if (periodOf(firstDay, granularity).period === p.period) p.newCustomers++;
      else p.returningCustomers++;
    }
  }
  for (const p of points) p.aov = p.orders > 0 ? p.revenue / p.orders : null;
  return { timeZone, currency: kept.currency, granularity, first, last, points, excluded: kept.excluded };
}
