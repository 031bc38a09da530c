/**
 * RFM scores and Shopify's 11 RFM groups (the Admin API's CustomerRfmGroup), and the movement of customers between
 * groups from one date to another. ADR 015 documents the rules.
 *
 * Scores (1–5, 5 best), over the customers with at least one order by `asOf`:
 * - R: days since the last order (fewer is better); F: number of orders; M: total spend (minor units).
 * - Quintiles by rank with ties kept together: a customer's score is 1 + ⌊5 · w / n⌋ (at most 5), where w is the
 *   number of customers strictly worse on that dimension. Equal values always get equal scores, and a score of 5
 *   means that at least 80% of customers are strictly worse. When many customers tie (say 60% with one order), the
 *   whole tie gets the score of its worst position (1), and the next value jumps (to 4): scores are not forced to
 *   fill five equal buckets.
 * - FM = (F + M) / 2, as Shopify combines them.
 *
 * Groups (R rows × FM columns). Shopify documents the inputs (R, and FM = (F+M)/2, quintiles) and each group's
 * meaning, not the cell boundaries; these boundaries follow the meanings and are ours:
 *
 *   R \ FM   | ≤ 2          | 2.5        | 3          | 3.5             | 4          | ≥ 4.5
 *   5        | NEW          | ACTIVE     | ACTIVE     | ACTIVE          | CHAMPIONS  | CHAMPIONS
 *   4        | PROMISING    | ACTIVE     | ACTIVE     | ACTIVE          | LOYAL      | LOYAL
 *   3        | ALMOST_LOST  | NEEDS_ATT. | NEEDS_ATT. | NEEDS_ATT.      | LOYAL      | LOYAL
 *   2        | ALMOST_LOST  | ALMOST_LOST| AT_RISK    | AT_RISK         | AT_RISK    | PREVIOUSLY_LOYAL
 *   1        | DORMANT      | DORMANT    | AT_RISK    | AT_RISK         | AT_RISK    | PREVIOUSLY_LOYAL
 *
 * Customers without an order by `asOf` are PROSPECTS (no scores).
 */
import { dayNumberIn, dayNumberOf } from "./summary";

export const RFM_GROUPS = [
  "CHAMPIONS",
  "LOYAL",
  "ACTIVE",
  "NEW",
  "PROMISING",
  "NEEDS_ATTENTION",
  "ALMOST_LOST",
  "AT_RISK",
  "PREVIOUSLY_LOYAL",
  "DORMANT",
  "PROSPECTS",
] as const;
export type RfmGroup = (typeof RFM_GROUPS)[number];

export interface RfmInput {
  id: string;
  /** Whole days from the last order to asOf; null for a customer without orders. */
  daysSinceLastOrder: number | null;
  orders: number;
  /** Total spend, minor units. */
  spend: number;
}

export interface RfmScore {
  id: string;
  recency: number | null;
  frequency: number | null;
  monetary: number | null;
  /** (F + M) / 2. */
  fm: number | null;
  group: RfmGroup;
}

/**
 * Quintile scores of `values` (see the module comment): 1 + ⌊5 · (number strictly worse) / n⌋. `higherIsBetter`
 * false for recency (days since the last order).
 */
export function quintileScores(values: Float64Array, higherIsBetter: boolean): Uint8Array {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const scores = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    // lower = count of values < v; upper = count of values ≤ v.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    let worse = lo;
    if (!higherIsBetter) {
      let l = lo;
      let h = n;
      while (l < h) {
        const mid = (l + h) >>> 1;
        if (sorted[mid]! <= v) l = mid + 1;
        else h = mid;
      }
      worse = n - l;
    }
    scores[i] = Math.min(5, 1 + Math.floor((5 * worse) / n));
  }
  return scores;
}

/** The group of a customer with recency score R and FM = (F + M) / 2 (the table in the module comment). */
export function rfmGroupOf(R: number, FM: number): RfmGroup {
  if (R >= 5) return FM >= 4 ? "CHAMPIONS" : FM >= 2.5 ? "ACTIVE" : "NEW";
  if (R === 4) return FM >= 4 ? "LOYAL" : FM >= 2.5 ? "ACTIVE" : "PROMISING";
  if (R === 3) return FM >= 4 ? "LOYAL" : FM >= 2.5 ? "NEEDS_ATTENTION" : "ALMOST_LOST";
  if (FM >= 4.5) return "PREVIOUSLY_LOYAL";
  if (FM >= 3) return "AT_RISK";
  return R === 2 ? "ALMOST_LOST" : "DORMANT";
}

export class RfmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RfmError";
  }
}

/** Scores and groups; customers without orders are PROSPECTS and do not take part in the quintiles. */
export function rfmScores(customers: readonly RfmInput[]): RfmScore[] {
  const buyers: number[] = [];
  customers.forEach((c, i) => {
    if (c.daysSinceLastOrder !== null && c.orders > 0) {
      if (!(c.daysSinceLastOrder >= 0)) throw new RfmError(`customer ${c.id}: days since the last order must be ≥ 0, got ${c.daysSinceLastOrder}`);
      buyers.push(i);
    }
  });
  const m = buyers.length;
  const recency = new Float64Array(m);
  const frequency = new Float64Array(m);
  const monetary = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const c = customers[buyers[k]!]!;
    recency[k] = c.daysSinceLastOrder!;
    frequency[k] = c.orders;
    monetary[k] = c.spend;
  }
  const R = quintileScores(recency, false);
  const F = quintileScores(frequency, true);
  const M = quintileScores(monetary, true);
  const out: RfmScore[] = customers.map((c) => ({ id: c.id, recency: null, frequency: null, monetary: null, fm: null, group: "PROSPECTS" }));
  for (let k = 0; k < m; k++) {
    const fm = (F[k]! + M[k]!) / 2;
    const score = out[buyers[k]!]!;
    score.recency = R[k]!;
    score.frequency = F[k]!;
    score.monetary = M[k]!;
    score.fm = fm;
    score.group = rfmGroupOf(R[k]!, fm);
  }
  return out;
}

export interface Order {
  customerId: string;
  /** Order time, ms since the epoch. */
  at: number;
  /** Minor units. */
  amount: number;
}

/**
 * RFM inputs at the end of day `asOf` (YYYY-MM-DD in `timeZone`, inclusive) from orders: orders after it are ignored.
 * `customers` lists known customers (e.g. all accounts): those without an order by asOf become PROSPECTS. Without it,
 * the customers are those with any order in `orders` (so a customer whose first order is after asOf is a prospect).
 */
export function rfmInputs(orders: Iterable<Order>, options: { asOf: string; timeZone: string; customers?: Iterable<string> }): RfmInput[] {
  const asOf = dayNumberOf(options.asOf, "as-of day");
  const dayOf = dayNumberIn(options.timeZone);
  const byId = new Map<string, { last: number; orders: number; spend: number }>();
  const ensure = (id: string) => {
    let s = byId.get(id);
    if (!s) {
      s = { last: Number.NEGATIVE_INFINITY, orders: 0, spend: 0 };
      byId.set(id, s);
    }
    return s;
  };
  if (options.customers) for (const id of options.customers) ensure(id);
  for (const o of orders) {
    const day = dayOf(o.at);
    const s = ensure(o.customerId);
    if (day > asOf) continue;
    s.orders++;
    s.spend += o.amount;
    if (day > s.last) s.last = day;
  }
  return [...byId].map(([id, s]) => ({ id, daysSinceLastOrder: s.orders > 0 ? asOf - s.last : null, orders: s.orders, spend: s.spend }));
}

export interface RfmMovement {
  from: string;
  to: string;
  groups: readonly RfmGroup[];
  /** matrix[i][j] = customers in groups[i] at `from` and groups[j] at `to`. */
  matrix: number[][];
  /** Row shares: matrix[i][j] / (customers in groups[i] at `from`), 0 for empty rows. */
  shares: number[][];
  countsFrom: Record<RfmGroup, number>;
  countsTo: Record<RfmGroup, number>;
}

/**
 * Movement between RFM groups from one as-of day to another (e.g. month over month): each customer is scored at
 * both dates (quintiles over the buyers of each date) and counted in the cell (group then, group now).
 */
export function rfmMovement(orders: readonly Order[], options: { from: string; to: string; timeZone: string; customers?: Iterable<string> }): RfmMovement {
  if (dayNumberOf(options.to, "to") <= dayNumberOf(options.from, "from")) throw new RfmError(`the later day ${options.to} must be after ${options.from}`);
  const ids = options.customers ? [...options.customers] : undefined;
  const before = rfmScores(rfmInputs(orders, { asOf: options.from, timeZone: options.timeZone, customers: ids }));
  const after = rfmScores(rfmInputs(orders, { asOf: options.to, timeZone: options.timeZone, customers: ids }));
  const index = new Map(RFM_GROUPS.map((g, i) => [g, i]));
  const groupBefore = new Map(before.map((s) => [s.id, s.group]));
  const matrix = RFM_GROUPS.map(() => new Array<number>(RFM_GROUPS.length).fill(0));
  const zero = () => Object.fromEntries(RFM_GROUPS.map((g) => [g, 0])) as Record<RfmGroup, number>;
  const countsFrom = zero();
  const countsTo = zero();
  for (const s of after) {
    const then = groupBefore.get(s.id) ?? "PROSPECTS";
    matrix[index.get(then)!]![index.get(s.group)!]!++;
    countsFrom[then]++;
    countsTo[s.group]++;
  }
  const shares = matrix.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
  return { from: options.from, to: options.to, groups: RFM_GROUPS, matrix, shares, countsFrom, countsTo };
}
