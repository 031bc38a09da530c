/**
 * Customer summaries for the BG/NBD and Gamma-Gamma models: one (x, t_x, T, m) per customer from purchases, with an
 * explicit calibration end (`asOf`) and an optional holdout end. Definitions are those of Fader, Hardie & Lee (2005)
 * and of the CDNOW summary files (cdnow_customers_summary*.csv), which this reproduces exactly:
 *
 * - Purchases are bucketed into calendar days in the shop's time zone; purchases on the same day are merged into one
 *   (their amounts summed). Day 0 is the customer's first purchase day.
 * - x (frequency)  = number of purchase days in the calibration period − 1 (the repeat purchases).
 * - t_x (recency)  = (last purchase day − first purchase day) in time units: days, or days / 7 for weeks.
 * - T (age)        = (calibration end day − first purchase day) in time units. The calibration end day is inclusive.
 * - monetary       = mean day-aggregated spend of the REPEAT purchase days (the first day left out), in minor units
 *                    (a float); 0 when x = 0. This is the CDNOW file's zbar and lifetimes' monetary_value.
 * - holdout        = purchase days in (calibration end, holdout end] and their spend.
 *
 * Customers whose first purchase is after the calibration end are not in the calibration cohort and are left out.
 * Amounts are integer minor units of one currency (mixing currencies is an error).
 */

export type TimeUnit = "week" | "day";

export interface Purchase {
  customerId: string;
  /** The purchase instant, ms since the epoch (UTC). */
  at: number;
  /** Integer minor units of `currency`. */
  amount: number;
  /** Defaults to the summary's currency; another currency is an error. */
  currency?: string;
}

export interface SummaryOptions {
  /** The last day of the calibration period, YYYY-MM-DD in `timeZone`, inclusive. */
  calibrationEnd: string;
  /** The last day of the holdout period, YYYY-MM-DD, inclusive; after calibrationEnd. */
  holdoutEnd?: string;
  timeUnit?: TimeUnit;
  /** IANA time zone the days are counted in (the shop's). */
  timeZone: string;
  currency: string;
}

export interface CustomerSummary {
  id: string;
  x: number;
  t_x: number;
  T: number;
  /** Mean spend of the repeat purchase days, minor units (0 when x = 0). */
  monetary: number;
  /** The first purchase day, YYYY-MM-DD. */
  firstPurchase: string;
  /** Total calibration spend, first day included, minor units. */
  totalSpend: number;
  /** Repeat purchase days and their spend in the holdout period (only with holdoutEnd). */
  holdout?: { x: number; spend: number };
}

export interface Summary {
  timeUnit: TimeUnit;
  timeZone: string;
  currency: string;
  calibrationEnd: string;
  holdoutEnd?: string;
  /** Length of the holdout period in time units. */
  holdoutDuration?: number;
  customers: CustomerSummary[];
  /** Purchases after the holdout end (or the calibration end without a holdout), left out. */
  purchasesAfterEnd: number;
}

export class SummaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SummaryError";
  }
}

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a YYYY-MM-DD calendar day. */
export function dayNumberOf(day: string, what = "day"): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) throw new SummaryError(`${what} ${JSON.stringify(day)} is not a day YYYY-MM-DD`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== day) throw new SummaryError(`${what} ${JSON.stringify(day)} is not a calendar day`);
  return ms / DAY_MS;
}

export function dayOfNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * A function from an instant (ms) to its calendar day number in `timeZone`. Offsets only change on whole hours or
 * half hours at most a few times a year, so results are cached per 15 minutes of UTC time.
 */
export function dayNumberIn(timeZone: string): (ms: number) => number {
  if (timeZone === "UTC" || timeZone === "Etc/UTC") return (ms) => Math.floor(ms / DAY_MS);
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  } catch {
    throw new SummaryError(`unknown time zone ${JSON.stringify(timeZone)}`);
  }
  const cache = new Map<number, number>();
  return (ms) => {
    const slot = Math.floor(ms / 900_000);
    let offsetDays = cache.get(slot);
    if (offsetDays === undefined) {
      // en-CA formats as YYYY-MM-DD.
      const local = dayNumberOf(format.format(slot * 900_000));
      offsetDays = local - Math.floor((slot * 900_000) / DAY_MS);
      cache.set(slot, offsetDays);
    }
    return Math.floor(ms / DAY_MS) + offsetDays;
  };
}

export function customerSummary(purchases: Iterable<Purchase>, options: SummaryOptions): Summary {
  const timeUnit = options.timeUnit ?? "week";
  if (timeUnit !== "week" && timeUnit !== "day") throw new SummaryError(`time unit must be week or day, got ${JSON.stringify(timeUnit)}`);
  const unitDays = timeUnit === "week" ? 7 : 1;
  const endDay = dayNumberOf(options.calibrationEnd, "calibration end");
  const holdoutEndDay = options.holdoutEnd === undefined ? undefined : dayNumberOf(options.holdoutEnd, "holdout end");
  if (holdoutEndDay !== undefined && holdoutEndDay <= endDay) {
    throw new SummaryError(`holdout end ${options.holdoutEnd} must be after the calibration end ${options.calibrationEnd}`);
  }
  const lastDay = holdoutEndDay ?? endDay;
  const dayOf = dayNumberIn(options.timeZone);

  // Per customer (by index): first day, last calibration day, spend on the first day, calibration spend, days.
  const index = new Map<string, number>();
  const ids: string[] = [];
  let first = new Float64Array(1024);
  let last = new Float64Array(1024);
  let firstSpend = new Float64Array(1024);
  let spend = new Float64Array(1024);
  let holdoutSpend = new Float64Array(1024);
  // Distinct (customer, day) pairs; each purchase's day is recorded and resolved after all are seen, because the
  // first day (and so which days are calibration repeats) is only known at the end.
  const seen = new Set<number>();
  const dayCustomers: number[] = [];
  const days: number[] = [];
  let purchasesAfterEnd = 0;
  const grow = (a: Float64Array, fill: number) => {
    const b = new Float64Array(a.length * 2).fill(fill);
    b.set(a);
    return b;
  };
  first.fill(Infinity);
  last.fill(-Infinity);
  for (const p of purchases) {
    if (p.currency !== undefined && p.currency !== options.currency) {
      throw new SummaryError(`purchase of customer ${p.customerId} is in ${p.currency}; the summary is in ${options.currency}`);
    }
    if (!Number.isSafeInteger(p.amount)) throw new SummaryError(`purchase of customer ${p.customerId}: amount ${p.amount} is not an integer of minor units`);
    if (!Number.isFinite(p.at)) throw new SummaryError(`purchase of customer ${p.customerId} has no valid time`);
    const day = dayOf(p.at);
    if (day > lastDay) {
      purchasesAfterEnd++;
      continue;
    }
    let c = index.get(p.customerId);
    if (c === undefined) {
      c = ids.length;
      index.set(p.customerId, c);
      ids.push(p.customerId);
      if (c >= first.length) {
        first = grow(first, Infinity);
        last = grow(last, -Infinity);
        firstSpend = grow(firstSpend, 0);
        spend = grow(spend, 0);
        holdoutSpend = grow(holdoutSpend, 0);
      }
    }
    if (day <= endDay) {
      spend[c]! += p.amount;
      if (day < first[c]!) {
        first[c] = day;
        firstSpend[c] = p.amount;
      } else if (day === first[c]) firstSpend[c]! += p.amount;
      if (day > last[c]!) last[c] = day;
    } else holdoutSpend[c]! += p.amount;
    const key = c * 1_048_576 + (day + 400_000); // days within ±400,000 of 1970 (year 874 to 3065)
    if (!seen.has(key)) {
      seen.add(key);
      dayCustomers.push(c);
      days.push(day);
    }
  }
  const n = ids.length;
  const calibrationDays = new Int32Array(n);
  const holdoutDays = new Int32Array(n);
  for (let i = 0; i < days.length; i++) {
    const c = dayCustomers[i]!;
    if (days[i]! <= endDay) calibrationDays[c]!++;
    else if (first[c]! <= endDay) holdoutDays[c]!++;
  }
  const customers: CustomerSummary[] = [];
  for (let c = 0; c < n; c++) {
    if (!(first[c]! <= endDay)) continue; // first purchase after the calibration end
    const x = calibrationDays[c]! - 1;
    const summary: CustomerSummary = {
      id: ids[c]!,
      x,
      t_x: (last[c]! - first[c]!) / unitDays,
      T: (endDay - first[c]!) / unitDays,
      monetary: x > 0 ? (spend[c]! - firstSpend[c]!) / x : 0,
      firstPurchase: dayOfNumber(first[c]!),
      totalSpend: spend[c]!,
    };
    if (holdoutEndDay !== undefined) summary.holdout = { x: holdoutDays[c]!, spend: holdoutSpend[c]! };
    customers.push(summary);
  }
  return {
    timeUnit,
    timeZone: options.timeZone,
    currency: options.currency,
    calibrationEnd: options.calibrationEnd,
    ...(holdoutEndDay !== undefined ? { holdoutEnd: options.holdoutEnd, holdoutDuration: (holdoutEndDay - endDay) / unitDays } : {}),
    customers,
    purchasesAfterEnd,
  };
}
