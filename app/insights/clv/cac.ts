/**
 * Customer acquisition cost (CAC), LTV:CAC and payback from the marketing spend the merchant enters per month (and per
 * channel when given) and the shop's orders (ADR 015, addendum).
 *
 * - New customers of a month: customers whose first order (through `asOf`) falls in that calendar month of the shop's
 *   time zone. A guest order (no customer id) is an acquisition too: each counts as a new customer of its month (a
 *   guest cannot be followed to later orders, so their LTV is that order's contribution; `guestNewCustomers` says how
 *   many of a row's new customers are guests). A customer's channel is `channelOf` (e.g. from a tag) when given, else the first order's `source`
 *   (Shopify's sourceName: web, pos, …), else "unknown".
 * - CAC = the month's spend / its new customers: per month over all channels (every spend entry of the month), and per
 *   (month, channel) when the spend names channels.
 * - LTV per customer, in contribution (margin) terms: grossMarginRate × (revenue to date + the CLV model's predicted
 *   future value when `ltv` is given). With `amounts: "contribution"` the order amounts and `ltv` already are
 *   contribution (ADR 026) and no rate is applied. Without a model it is the historical margin only, which understates young
 *   cohorts. A row's LTV is the mean over its new customers; LTV:CAC = LTV / CAC.
 * - Payback: the cohort's cumulative contribution month by month (grossMarginRate × revenue of its members in month
 *   c + k); `paybackMonths` is the first k with cumulative contribution ≥ the cohort's spend, k = 0 being the
 *   acquisition month itself; null when not reached by the asOf month.
 *
 * Rows that cannot be computed say why in `messages` (no spend entered, spend without new customers, …); nothing is
 * silently zero. Money is integer minor units of one currency.
 */
import { CohortError, monthIndexOf, monthLabel } from "./cohorts";
import { dayNumberIn, dayNumberOf, SummaryError } from "./summary";

export interface AcquisitionOrder {
  /** null: a guest order (no customer), counted as its own new customer. */
  customerId: string | null;
  /** Identifies a guest order (default: its position in the input). */
  orderId?: string;
  /** ms since the epoch. */
  at: number;
  /** Minor units (net of refunds, as the caller decides). */
  amount: number;
  /** The order's channel (Shopify sourceName); the first order's is the customer's unless channelOf says otherwise. */
  source?: string | null;
}

export interface MarketingSpend {
  /** YYYY-MM. */
  month: string;
  /** Minor units. */
  amount: number;
  currency: string;
  /** Absent: spend over all channels. */
  channel?: string;
}

export interface CacOptions {
  timeZone: string;
  /** Last observed day, YYYY-MM-DD, inclusive. */
  asOf: string;
  currency: string;
  /** Share of revenue that is contribution (0 < m ≤ 1). Absent: 1 (revenue-based LTV) and a message says so. */
  grossMarginRate?: number;
  /** "contribution": amounts and ltv are contribution already (no rate applied, none asked for). Default "revenue". */
  amounts?: "revenue" | "contribution";
  /** Predicted future revenue per customer from the CLV model (minor units); absent: historical LTV only. */
  ltv?: ReadonlyMap<string, number>;
  /** A customer's acquisition channel when known from elsewhere (a tag, a UTM); wins over the first order's source. */
  channelOf?: ReadonlyMap<string, string>;
}

export interface CacRow {
  month: string;
  /** null: all channels. */
  channel: string | null;
  /** Entered spend, minor units; null when none was entered for this month (and channel). */
  spend: number | null;
  newCustomers: number;
  /** Of newCustomers, guest orders. */
  guestNewCustomers: number;
  /** spend / newCustomers; null when either is missing. */
  cac: number | null;
  /** Mean LTV (contribution) of the new customers, minor units; null without new customers. */
  ltv: number | null;
  ltvToCac: number | null;
  /** Cumulative contribution of the cohort per month offset k = 0 … up to the asOf month. */
  cumulativeContribution: number[];
  /** First k with cumulativeContribution[k] ≥ spend; null when not reached (or no spend). */
  paybackMonths: number | null;
  messages: string[];
}

export interface CacReport {
  currency: string;
  timeZone: string;
  asOf: string;
  ltvSource: "model" | "historical";
  grossMarginRate: number;
  /** Per month over all channels, oldest first. */
  months: CacRow[];
  /** Per (month, channel), only when some spend names a channel. */
  channels: CacRow[];
  /** Over the months with spend entered: total spend / their new customers. */
  total: { spend: number; newCustomers: number; guestNewCustomers: number; cac: number | null; ltv: number | null; ltvToCac: number | null };
  messages: string[];
}

export class CacError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CacError";
  }
}

const money = (v: number) => String(Math.round(v));

export function acquisitionCost(orders: Iterable<AcquisitionOrder>, spend: readonly MarketingSpend[], options: CacOptions): CacReport {
  const contributionAmounts = options.amounts === "contribution";
  if (contributionAmounts && options.grossMarginRate !== undefined) throw new CacError("amounts are contribution already: no gross margin rate applies");
  const margin = options.grossMarginRate ?? 1;
  if (!(margin > 0 && margin <= 1)) throw new CacError(`the gross margin rate must be in (0, 1], got ${margin}`);
  let asOfDay: number;
  let dayOf: (ms: number) => number;
  try {
    asOfDay = dayNumberOf(options.asOf, "as-of day");
    dayOf = dayNumberIn(options.timeZone);
  } catch (error) {
    throw error instanceof SummaryError ? new CacError(error.message) : error;
  }
  const monthOfDay = (day: number) => {
    const d = new Date(day * 86_400_000);
    return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
  };
  const lastMonth = monthOfDay(asOfDay);
  const messages: string[] = [];
  if (options.grossMarginRate === undefined && !contributionAmounts) messages.push("no gross margin rate given: LTV and payback use revenue, not contribution (overstating both)");

  // Spend per month and per (month, channel).
  const spendMonth = new Map<number, number>();
  const spendChannel = new Map<string, number>(); // `${month} ${channel}`
  const unchanneledMonths = new Set<number>();
  for (const s of spend) {
    if (s.currency !== options.currency) throw new CacError(`marketing spend for ${s.month} is in ${s.currency}; the analysis is in ${options.currency}`);
    if (!Number.isSafeInteger(s.amount) || s.amount < 0) throw new CacError(`marketing spend for ${s.month} must be a non-negative integer of minor units, got ${s.amount}`);
    let m: number;
    try {
      m = monthIndexOf(s.month);
    } catch (error) {
      throw error instanceof CohortError ? new CacError(`marketing spend: ${error.message}`) : error;
    }
    if (m > lastMonth) throw new CacError(`marketing spend for ${s.month} is after the as-of month ${monthLabel(lastMonth)}`);
    spendMonth.set(m, (spendMonth.get(m) ?? 0) + s.amount);
    if (s.channel !== undefined && s.channel !== "") {
      const key = `${m} ${s.channel}`;
      spendChannel.set(key, (spendChannel.get(key) ?? 0) + s.amount);
    } else unchanneledMonths.add(m);
  }
  const byChannel = spendChannel.size > 0;

  // Customers: first order, channel, revenue per month.
  interface Customer {
    first: number;
    firstMonth: number;
    source: string | null;
    revenue: Map<number, number>;
    total: number;
    guest: boolean;
  }
  const customers = new Map<string, Customer>();
  let position = 0;
  let guests = 0;
  for (const o of orders) {
    position++;
    const who = o.customerId ?? `guest order ${o.orderId ?? position}`;
    if (!Number.isSafeInteger(o.amount)) throw new CacError(`order of ${o.customerId === null ? "a guest" : `customer ${who}`}: amount ${o.amount} is not an integer of minor units`);
    if (!Number.isFinite(o.at)) throw new CacError(`order of ${who} has no valid time`);
    const day = dayOf(o.at);
    if (day > asOfDay) continue;
    const m = monthOfDay(day);
    // A guest order is its own customer: the key cannot collide with a customer id (ids have no leading NUL).
    const key = o.customerId ?? `\u0000guest ${o.orderId ?? position}`;
    let c = customers.get(key);
    if (o.customerId === null && c) throw new CacError(`guest order ${o.orderId} appears twice`);
    if (o.customerId === null) guests++;
    if (!c) customers.set(key, (c = { first: o.at, firstMonth: m, source: o.source ?? null, revenue: new Map(), total: 0, guest: o.customerId === null }));
    else if (o.at < c.first) {
      c.first = o.at;
      c.firstMonth = m;
      c.source = o.source ?? null;
    }
    c.revenue.set(m, (c.revenue.get(m) ?? 0) + o.amount);
    c.total += o.amount;
  }
  if (customers.size === 0) messages.push("no customers with orders by the as-of day: nothing to compute CAC on");
  if (spend.length === 0) messages.push("no marketing spend entered: CAC, LTV:CAC and payback need the monthly spend (per channel if you want channels)");

  let missingLtv = 0;
  const ltvOf = (id: string, c: Customer) => {
    let future = 0;
    if (options.ltv && !c.guest) {
      const v = options.ltv.get(id);
      if (v === undefined || !Number.isFinite(v)) missingLtv++;
      else future = v;
    }
    return margin * (c.total + future);
  };
  const channelOf = (id: string, c: Customer) => options.channelOf?.get(id) ?? c.source ?? "unknown";

  // Cohorts: month → members, and (month, channel) → members.
  const cohorts = new Map<number, string[]>();
  const channelCohorts = new Map<string, { month: number; channel: string; ids: string[] }>();
  for (const [id, c] of customers) {
    let list = cohorts.get(c.firstMonth);
    if (!list) cohorts.set(c.firstMonth, (list = []));
    list.push(id);
    if (byChannel) {
      const channel = channelOf(id, c);
      const key = `${c.firstMonth} ${channel}`;
      let entry = channelCohorts.get(key);
      if (!entry) channelCohorts.set(key, (entry = { month: c.firstMonth, channel, ids: [] }));
      entry.ids.push(id);
    }
  }
  const ltvCache = new Map<string, number>();
  for (const [id, c] of customers) ltvCache.set(id, ltvOf(id, c));

  const row = (month: number, channel: string | null, ids: readonly string[], entered: number | undefined): CacRow => {
    const label = `${monthLabel(month)}${channel === null ? "" : ` (${channel})`}`;
    const rowMessages: string[] = [];
    const n = ids.length;
    const width = lastMonth - month + 1;
    const contribution = new Array<number>(width).fill(0);
    let ltvSum = 0;
    for (const id of ids) {
      const c = customers.get(id)!;
      for (const [m, amount] of c.revenue) contribution[m - month]! += margin * amount;
      ltvSum += ltvCache.get(id)!;
    }
    let running = 0;
    const cumulative = contribution.map((v) => (running += v));
    const spendValue = entered ?? null;
    const cac = spendValue !== null && n > 0 ? spendValue / n : null;
    const ltv = n > 0 ? ltvSum / n : null;
    let payback: number | null = null;
    if (spendValue === null) {
      if (n > 0) rowMessages.push(`${label}: ${n} new customer(s) but no marketing spend entered: CAC not computed`);
    } else if (n === 0) {
      rowMessages.push(`${label}: spend ${money(spendValue)} entered but no new customers: CAC undefined`);
    } else {
      const k = cumulative.findIndex((v) => v >= spendValue);
      payback = k >= 0 ? k : null;
      if (k < 0) rowMessages.push(`${label}: not paid back within the ${width} month(s) observed (contribution ${money(cumulative[width - 1] ?? 0)} of ${money(spendValue)})`);
    }
    return {
      month: monthLabel(month),
      channel,
      spend: spendValue,
      newCustomers: n,
      guestNewCustomers: ids.reduce((g, id) => g + (customers.get(id)!.guest ? 1 : 0), 0),
      cac,
      ltv,
      ltvToCac: cac !== null && cac > 0 && ltv !== null ? ltv / cac : null,
      cumulativeContribution: cumulative,
      paybackMonths: payback,
      messages: rowMessages,
    };
  };

  const monthKeys = [...new Set([...cohorts.keys(), ...spendMonth.keys()])].sort((a, b) => a - b);
  const months = monthKeys.map((m) => row(m, null, cohorts.get(m) ?? [], spendMonth.get(m)));
  const channels: CacRow[] = [];
  if (byChannel) {
    const keys = new Map<string, { month: number; channel: string }>();
    for (const key of spendChannel.keys()) {
      const space = key.indexOf(" ");
      keys.set(key, { month: Number(key.slice(0, space)), channel: key.slice(space + 1) });
    }
    for (const [key, entry] of channelCohorts) keys.set(key, { month: entry.month, channel: entry.channel });
    const sorted = [...keys.entries()].sort((x, y) => x[1].month - y[1].month || (x[1].channel < y[1].channel ? -1 : x[1].channel > y[1].channel ? 1 : 0));
    for (const [key, { month, channel }] of sorted) channels.push(row(month, channel, channelCohorts.get(key)?.ids ?? [], spendChannel.get(key)));
    for (const m of [...unchanneledMonths].sort((a, b) => a - b)) {
      messages.push(`${monthLabel(m)}: part of the spend names no channel: the per-channel CAC of this month leaves it out (the monthly CAC includes it)`);
    }
  }
  if (guests > 0) messages.push(`${guests} guest order(s) counted as new customers: a guest cannot be followed to later orders, so their LTV is that order alone`);
  if (missingLtv > 0) messages.push(`${missingLtv} customer(s) have no model LTV: their LTV is the historical margin only`);

  let totalSpend = 0;
  let totalNew = 0;
  let totalGuests = 0;
  let totalLtv = 0;
  for (const r of months) {
    if (r.spend === null) continue;
    totalSpend += r.spend;
    totalNew += r.newCustomers;
    totalGuests += r.guestNewCustomers;
    if (r.ltv !== null) totalLtv += r.ltv * r.newCustomers;
  }
  const totalCac = totalNew > 0 && spendMonth.size > 0 ? totalSpend / totalNew : null;
  const totalLtvMean = totalNew > 0 ? totalLtv / totalNew : null;
  return {
    currency: options.currency,
    timeZone: options.timeZone,
    asOf: options.asOf,
    ltvSource: options.ltv ? "model" : "historical",
    grossMarginRate: margin,
    months,
    channels,
    total: {
      spend: totalSpend,
      newCustomers: totalNew,
      guestNewCustomers: totalGuests,
      cac: totalCac,
      ltv: totalLtvMean,
      ltvToCac: totalCac !== null && totalCac > 0 && totalLtvMean !== null ? totalLtvMean / totalCac : null,
    },
    messages: [...messages, ...months.flatMap((r) => r.messages), ...channels.flatMap((r) => r.messages)],
  };
}
