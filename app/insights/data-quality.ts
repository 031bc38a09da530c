/**
 * Data-quality checks of an order history, each returning caveats that insights attach to what they report:
 * the share of guest, test, cancelled and refunded orders, lines without a product, the currency mix, and gaps in the
 * history (runs of days without orders much longer than the shop's usual gap).
 *
 * Severity: "info" (worth knowing), "warning" (results hold but read them with care), "blocking" (a result that
 * depends on this must not be trusted: an impact verdict becomes inconclusive).
 */
import { dayNumber, dayOfNumber, localDay, type SeriesOrder } from "./trends/series";

export type CaveatSeverity = "info" | "warning" | "blocking";

export interface Caveat {
  code: string;
  severity: CaveatSeverity;
  message: string;
  /** The share or count behind the caveat, when there is one. */
  value?: number;
}

export interface DataQualityThresholds {
  /** Guest-order share above which customer analytics get a warning (default 0.3). */
  guestShare: number;
  /** Test-order share worth a warning (default 0.05). */
  testShare: number;
  /** Cancelled share worth a warning (default 0.1). */
  cancelledShare: number;
  /** Share of orders with a refund worth a warning (default 0.15). */
  refundedShare: number;
  /** Share of lines without a product worth a warning (default 0.1). */
  linesWithoutProductShare: number;
  /** A run of empty days longer than this many times the typical gap (the median gap between order days) is a gap. */
  gapFactor: number;
  /** ...and at least this many days (default 7). */
  minGapDays: number;
}

export const DEFAULT_THRESHOLDS: DataQualityThresholds = {
  guestShare: 0.3,
  testShare: 0.05,
  cancelledShare: 0.1,
  refundedShare: 0.15,
  linesWithoutProductShare: 0.1,
  gapFactor: 5,
  minGapDays: 7,
};

export interface HistoryGap {
  /** First and last day without orders. */
  from: string;
  to: string;
  days: number;
}

export interface DataQualityReport {
  orders: number;
  shares: { guest: number; test: number; cancelled: number; refunded: number; linesWithoutProduct: number };
  currencies: Record<string, number>;
  typicalGapDays: number | null;
  gaps: HistoryGap[];
  caveats: Caveat[];
}

const percent = (x: number) => `${(Math.round(x * 1000) / 10).toString()} %`;

function shareCaveat(code: string, share: number, limit: number, message: string, severity: CaveatSeverity = "warning"): Caveat[] {
  return share > limit ? [{ code, severity, message: `${percent(share)} ${message}`, value: share }] : [];
}

/** Gaps: maximal runs of days without any order, longer than `gapFactor` × the median gap between order days. */
export function historyGaps(orderDays: readonly string[], thresholds: Pick<DataQualityThresholds, "gapFactor" | "minGapDays"> = DEFAULT_THRESHOLDS): { typicalGapDays: number | null; gaps: HistoryGap[] } {
  const days = [...new Set(orderDays)].map(dayNumber).sort((a, b) => a - b);
  if (days.length < 3) return { typicalGapDays: null, gaps: [] };
  const steps: number[] = [];
  for (let i = 1; i < days.length; i++) steps.push(days[i]! - days[i - 1]!);
  const sorted = [...steps].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const typical = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const gaps: HistoryGap[] = [];
  for (let i = 1; i < days.length; i++) {
    const empty = days[i]! - days[i - 1]! - 1;
    if (empty >= thresholds.minGapDays && empty > thresholds.gapFactor * typical) {
      gaps.push({ from: dayOfNumber(days[i - 1]! + 1), to: dayOfNumber(days[i]! - 1), days: empty });
    }
  }
  return { typicalGapDays: typical, gaps };
}

export function dataQuality(orders: readonly SeriesOrder[], timeZone: string, overrides: Partial<DataQualityThresholds> = {}): DataQualityReport {
  const t = { ...DEFAULT_THRESHOLDS, ...overrides };
  const n = orders.length;
  let guest = 0;
  let test = 0;
  let cancelled = 0;
  let refunded = 0;
  let lines = 0;
  let withoutProduct = 0;
  const currencies: Record<string, number> = {};
  const days: string[] = [];
  for (const o of orders) {
    if (o.test) test++;
    if (o.cancelledAt !== null) cancelled++;
    if (o.customerId === null && !o.test) guest++;
    if (o.totalRefunded > 0 || o.lines.some((l) => l.refundedQuantity > 0)) refunded++;
    for (const l of o.lines) {
      lines++;
      if (l.productId === null) withoutProduct++;
    }
    currencies[o.currency] = (currencies[o.currency] ?? 0) + 1;
    if (!o.test && o.cancelledAt === null) days.push(localDay(o.createdAt, timeZone));
  }
  const share = (k: number, d: number) => (d > 0 ? k / d : 0);
  const shares = {
    guest: share(guest, n - test),
    test: share(test, n),
    cancelled: share(cancelled, n),
    refunded: share(refunded, n),
    linesWithoutProduct: share(withoutProduct, lines),
  };
  const caveats: Caveat[] = [];
  if (n === 0) caveats.push({ code: "no-orders", severity: "blocking", message: "There are no orders to analyse." });
  caveats.push(
    ...shareCaveat("guest-orders", shares.guest, t.guestShare, "of orders are guest checkouts: customer-level results (repeat rates, lifetime value) leave them out."),
    ...shareCaveat("test-orders", shares.test, t.testShare, "of orders are test orders; they are left out of every result."),
    ...shareCaveat("cancelled-orders", shares.cancelled, t.cancelledShare, "of orders were cancelled; they are left out of every result."),
    ...shareCaveat("refunded-orders", shares.refunded, t.refundedShare, "of orders have refunds; revenue is counted net of refunds."),
    ...shareCaveat("lines-without-product", shares.linesWithoutProduct, t.linesWithoutProductShare, "of order lines have no product (custom lines, deleted products): product-level results leave them out."),
  );
  const currencyList = Object.keys(currencies).sort();
  if (currencyList.length > 1) {
    const main = currencyList.reduce((a, b) => (currencies[b]! > currencies[a]! ? b : a));
    const other = n - currencies[main]!;
    caveats.push({
      code: "currency-mix",
      severity: share(other, n) > 0.2 ? "blocking" : "warning",
      message: `Orders are in ${currencyList.length} currencies (${currencyList.map((c) => `${c} ${currencies[c]}`).join(", ")}); money results use ${main} only.`,
      value: share(other, n),
    });
  }
  const { typicalGapDays, gaps } = historyGaps(days, t);
  for (const g of gaps) {
    caveats.push({
      code: "history-gap",
      severity: "warning",
      message: `No orders from ${g.from} to ${g.to} (${g.days} days; usually ${typicalGapDays} day(s) between order days): missing data or a closed shop would both bend trends and effects.`,
      value: g.days,
    });
  }
  return { orders: n, shares, currencies, typicalGapDays, gaps, caveats };
}
