/**
 * Segment comparison on any customer attribute (ADR 015, addendum): a tag group such as the age tags ("age:15-22"),
 * the first order's product category, the acquisition source, the country. The caller maps each customer to a
 * segment label (helpers below: `tagSegment`, `firstOrderSegments`); this module only compares.
 *
 * Per segment, over its customers with at least one order: size, orders, revenue, AOV (revenue / orders), purchase
 * frequency (orders per customer), repeat rate (share with ≥ 2 orders), mean CLV when the model's values are passed
 * in, churn (1 − mean P(alive) when the model's P(alive) is passed in; else, with `asOf` and `inactiveAfterDays`, the
 * share whose last order is older than that), and the top products by the share of the segment's orders containing
 * them.
 *
 * Significance between two segments: a percentile bootstrap of the difference (A − B) for each metric, resampling
 * customers with replacement within each segment independently (ratio metrics such as AOV are recomputed per
 * resample), with the uniform random source passed in (seeded by the caller). A difference is flagged significant
 * when its interval excludes 0.
 */

export interface SegmentCustomer {
  id: string;
  /** The customer's segment label; null: no value for this attribute (counted, left out). */
  segment: string | null;
}

export interface SegmentOrder {
  customerId: string;
  /** ms since the epoch. */
  at: number;
  /** Minor units. */
  amount: number;
  /** Product ids (or titles) in the order; each counts once per order. */
  products?: readonly string[];
}

export type SegmentMetric = "repeatRate" | "purchaseFrequency" | "aov" | "meanClv" | "churn";

export interface SegmentOptions {
  /** Predicted CLV per customer (minor units). */
  clv?: ReadonlyMap<string, number>;
  /** BG/NBD P(alive) per customer: churn = 1 − mean P(alive). */
  pAlive?: ReadonlyMap<string, number>;
  /** Without pAlive: churn = share of customers whose last order is more than this many days before asOf. */
  inactiveAfterDays?: number;
  /** ms since the epoch; needed with inactiveAfterDays. */
  asOf?: number;
  /** How many top products per segment (default 5). */
  topProducts?: number;
  /** Two segment labels to compare with bootstrap intervals. */
  compare?: readonly [string, string];
  /** Uniform [0, 1) source for the bootstrap, seeded by the caller. Required with `compare`. */
  random?: () => number;
  /** Bootstrap resamples (default 1000). */
  resamples?: number;
  /** Interval level (default 0.95). */
  level?: number;
}

export interface SegmentStats {
  segment: string;
  customers: number;
  orders: number;
  revenue: number;
  aov: number;
  purchaseFrequency: number;
  repeatRate: number;
  meanClv: number | null;
  churn: number | null;
  topProducts: { product: string; orders: number; share: number }[];
}

export interface SegmentDifference {
  metric: SegmentMetric;
  a: number;
  b: number;
  /** a − b. */
  difference: number;
  low: number;
  high: number;
  significant: boolean;
}

export interface SegmentReport {
  segments: SegmentStats[];
  /** Customers with orders but no segment value. */
  unassigned: number;
  /** Customers listed without any order (not in any segment's statistics). */
  withoutOrders: number;
  churnDefinition: "model" | "inactive" | null;
  comparison: { a: string; b: string; level: number; resamples: number; differences: SegmentDifference[] } | null;
}

export class SegmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SegmentError";
  }
}

const DAY_MS = 86_400_000;

/** The first tag starting with `prefix` (the whole tag, e.g. "age:15-22"), or null. */
export function tagSegment(tags: readonly string[], prefix: string): string | null {
  return tags.find((t) => t.startsWith(prefix)) ?? null;
}

/** Each customer's attribute of their earliest order (first product's category, source, …); null values are kept. */
export function firstOrderSegments(orders: Iterable<{ customerId: string; at: number; value: string | null }>): Map<string, string | null> {
  const first = new Map<string, { at: number; value: string | null }>();
  for (const o of orders) {
    const f = first.get(o.customerId);
    if (!f || o.at < f.at) first.set(o.customerId, { at: o.at, value: o.value });
  }
  return new Map([...first].map(([id, f]) => [id, f.value]));
}

/** Per-customer columns of one segment. */
interface Columns {
  orders: Float64Array;
  revenue: Float64Array;
  clv: Float64Array | null;
  /** Churn indicator or 1 − P(alive). */
  churn: Float64Array | null;
}

type Statistic = (c: Columns, idx: Int32Array | null) => number;

function sumOf(values: Float64Array, idx: Int32Array | null, f: (v: number) => number = (v) => v): number {
  const n = idx ? idx.length : values.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += f(values[idx ? idx[i]! : i]!);
  return s;
}

const meanOf = (values: Float64Array, idx: Int32Array | null, f?: (v: number) => number) => sumOf(values, idx, f) / (idx ? idx.length : values.length);

const STATISTICS: Record<SegmentMetric, Statistic> = {
  repeatRate: (c, idx) => meanOf(c.orders, idx, (v) => (v >= 2 ? 1 : 0)),
  purchaseFrequency: (c, idx) => meanOf(c.orders, idx),
  aov: (c, idx) => sumOf(c.revenue, idx) / sumOf(c.orders, idx),
  meanClv: (c, idx) => meanOf(c.clv!, idx),
  churn: (c, idx) => meanOf(c.churn!, idx),
};

function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Percentile bootstrap interval of statistic(A) − statistic(B), resampling each group's customers with replacement.
 */
function bootstrapDifference(a: Columns, b: Columns, statistic: Statistic, random: () => number, resamples: number, level: number) {
  const na = a.orders.length;
  const nb = b.orders.length;
  const ia = new Int32Array(na);
  const ib = new Int32Array(nb);
  const diffs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < na; i++) ia[i] = Math.floor(random() * na);
    for (let i = 0; i < nb; i++) ib[i] = Math.floor(random() * nb);
    diffs[r] = statistic(a, ia) - statistic(b, ib);
  }
  diffs.sort();
  const tail = (1 - level) / 2;
  return { low: quantile(diffs, tail), high: quantile(diffs, 1 - tail) };
}

export function compareSegments(customers: Iterable<SegmentCustomer>, orders: Iterable<SegmentOrder>, options: SegmentOptions = {}): SegmentReport {
  const top = options.topProducts ?? 5;
  const level = options.level ?? 0.95;
  const resamples = options.resamples ?? 1000;
  if (!(level > 0 && level < 1)) throw new SegmentError(`the interval level must be in (0, 1), got ${level}`);
  if (!Number.isInteger(resamples) || resamples < 100) throw new SegmentError(`resamples must be an integer ≥ 100, got ${resamples}`);
  const lapse = !options.pAlive && options.inactiveAfterDays !== undefined;
  if (lapse && options.asOf === undefined) throw new SegmentError("churn by inactivity needs asOf");

  const segmentOf = new Map<string, string | null>();
  for (const c of customers) segmentOf.set(c.id, c.segment);
  interface Acc {
    orders: number;
    revenue: number;
    last: number;
  }
  const perCustomer = new Map<string, Acc>();
  const productOrders = new Map<string, Map<string, number>>();
  for (const o of orders) {
    if (!Number.isSafeInteger(o.amount)) throw new SegmentError(`order of customer ${o.customerId}: amount ${o.amount} is not an integer of minor units`);
    if (!segmentOf.has(o.customerId)) continue;
    let acc = perCustomer.get(o.customerId);
    if (!acc) perCustomer.set(o.customerId, (acc = { orders: 0, revenue: 0, last: -Infinity }));
    acc.orders++;
    acc.revenue += o.amount;
    if (o.at > acc.last) acc.last = o.at;
    const segment = segmentOf.get(o.customerId);
    if (segment === null || segment === undefined || !o.products) continue;
    let counts = productOrders.get(segment);
    if (!counts) productOrders.set(segment, (counts = new Map()));
    for (const p of new Set(o.products)) counts.set(p, (counts.get(p) ?? 0) + 1);
  }

  const members = new Map<string, string[]>();
  let unassigned = 0;
  let withoutOrders = 0;
  for (const [id, segment] of segmentOf) {
    if (!perCustomer.has(id)) {
      withoutOrders++;
      continue;
    }
    if (segment === null) {
      unassigned++;
      continue;
    }
    let list = members.get(segment);
    if (!list) members.set(segment, (list = []));
    list.push(id);
  }

  const columns = new Map<string, Columns>();
  for (const [segment, ids] of members) {
    const n = ids.length;
    const col: Columns = {
      orders: new Float64Array(n),
      revenue: new Float64Array(n),
      clv: options.clv ? new Float64Array(n) : null,
      churn: options.pAlive || lapse ? new Float64Array(n) : null,
    };
    ids.forEach((id, i) => {
      const acc = perCustomer.get(id)!;
      col.orders[i] = acc.orders;
      col.revenue[i] = acc.revenue;
      if (col.clv) {
        const v = options.clv!.get(id);
        if (v === undefined || !Number.isFinite(v)) throw new SegmentError(`no CLV for customer ${id}`);
        col.clv[i] = v;
      }
      if (col.churn) {
        if (options.pAlive) {
          const p = options.pAlive.get(id);
          if (p === undefined || !(p >= 0 && p <= 1)) throw new SegmentError(`no P(alive) for customer ${id}`);
          col.churn[i] = 1 - p;
        } else col.churn[i] = options.asOf! - acc.last > options.inactiveAfterDays! * DAY_MS ? 1 : 0;
      }
    });
    columns.set(segment, col);
  }

  const segments: SegmentStats[] = [...columns.entries()]
    .map(([segment, c]) => {
      const n = c.orders.length;
      const orderCount = sumOf(c.orders, null);
      const revenue = sumOf(c.revenue, null);
      const counts = productOrders.get(segment) ?? new Map<string, number>();
      return {
        segment,
        customers: n,
        orders: Math.round(orderCount),
        revenue: Math.round(revenue),
        aov: STATISTICS.aov(c, null),
        purchaseFrequency: STATISTICS.purchaseFrequency(c, null),
        repeatRate: STATISTICS.repeatRate(c, null),
        meanClv: c.clv ? STATISTICS.meanClv(c, null) : null,
        churn: c.churn ? STATISTICS.churn(c, null) : null,
        topProducts: [...counts.entries()]
          .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
          .slice(0, top)
          .map(([product, k]) => ({ product, orders: k, share: k / orderCount })),
      };
    })
    .sort((x, y) => (x.segment < y.segment ? -1 : x.segment > y.segment ? 1 : 0));

  let comparison: SegmentReport["comparison"] = null;
  if (options.compare) {
    const [a, b] = options.compare;
    const ca = columns.get(a);
    const cb = columns.get(b);
    if (!ca || !cb) throw new SegmentError(`cannot compare ${JSON.stringify(a)} with ${JSON.stringify(b)}: ${!ca ? a : b} has no customers with orders (segments: ${[...columns.keys()].join(", ")})`);
    if (!options.random) throw new SegmentError("a segment comparison needs a seeded random source (random)");
    const metrics: SegmentMetric[] = ["repeatRate", "purchaseFrequency", "aov"];
    if (options.clv) metrics.push("meanClv");
    if (ca.churn) metrics.push("churn");
    const differences = metrics.map((metric) => {
      const s = STATISTICS[metric];
      const va = s(ca, null);
      const vb = s(cb, null);
      const { low, high } = bootstrapDifference(ca, cb, s, options.random!, resamples, level);
      return { metric, a: va, b: vb, difference: va - vb, low, high, significant: low > 0 || high < 0 };
    });
    comparison = { a, b, level, resamples, differences };
  }
  return { segments, unassigned, withoutOrders, churnDefinition: options.pAlive ? "model" : lapse ? "inactive" : null, comparison };
}
