/**
 * "Did it work?": an action (bundle discount, widget, price change, campaign) recorded with its target, window and — chosen
 * before launch — its metric, goal and evaluation window, evaluated against a control.
 *
 * Method (ADR 017, inference and verdict superseded by ADR 023):
 * - Periods: pre = the `preDays` days before the action starts; post = the evaluation window (default: the action's
 *   window). Days are shop-local; cancelled and test orders are left out; money is net of refunds, in minor units.
 * - Metric cells. attach-rate: the share of orders containing a target product that also contain an add-on product.
 *   aov: the mean net total of orders containing a target product. units / revenue / margin: the target products'
 *   net units, net line revenue or net line margin per day. With a customer restriction, the target cell counts only
 *   those customers' orders (every metric). The control never counts an order that holds a target product.
 * - Donor pool: untargeted products (neither targets nor add-ons), without substitutes (the same product type as a
 *   target) or complements (at least 5 % of the product's pre-period orders, and at least 2, also hold a target), and,
 *   for per-day metrics, without products whose lines lack the metric's amount or cost. The result states the rule and
 *   what it left out.
 * - Control: among eligible donors (enough orders in both periods), those whose pre-period level and trend (second half
 *   vs first half of the pre period) are closest to the target's, pooled (up to 10 products) until the control has at
 *   least as many pre-period units as the target. Chosen again inside every bootstrap draw.
 * - Effect: difference-in-differences. attach-rate and aov: (T_post − T_pre) − (C_post − C_pre), in the metric's units
 *   (rate points, minor units). units, revenue, margin: (T_post/T_pre)/(C_post/C_pre) − 1, a relative change. Without
 *   a comparable control, the pre/post change alone (with a caveat: seasonality and trend are not removed).
 * - Interval: percentile bootstrap over a circular moving-block resample of days (the same blocks for target and
 *   control, pre and post resampled apart, block length from the pre period's autocorrelation), times Poisson customer
 *   weights for the order-level metrics (a two-way resample, its double-counted order-level variance taken out:
 *   Cameron, Gelbach & Miller's two-way cluster variance). See block-bootstrap.ts.
 * - Checks: the pre-period fit (weekly gap between target and control) and a placebo in time (the same estimator on a
 *   fake launch inside the pre period). A failed placebo or a gross misfit makes the verdict inconclusive.
 * - Verdict against the goal (a minimum effect in the goal's direction, in the effect's units):
 *   achieved — the interval's lower bound (in the goal's direction) reaches the goal;
 *   not achieved — the whole interval lies short of the goal;
 *   inconclusive — too little data, the window not over, a blocking data-quality caveat, a failed check, or an interval
 *   that holds the goal (then the share of bootstrap draws at or beyond the goal is given, worded as such).
 *   `pGoal` is the one-sided bootstrap p-value of "the goal was not reached", for the shop-wide false discovery rate
 *   (fdr.ts). `mde` is the smallest effect the design detects with 80 % power at the chosen level.
 */
import type { Caveat } from "../data-quality";
import { studentTQuantile } from "../offers/lift";
import { normalQuantile } from "../rules/stats";
import { quantile, seededRng, type Rng } from "../trends/random";
import { addDays, dayNumber, keptOrders, netRevenue, type SeriesOrder } from "../trends/series";
import { blockDayWeights, blockLength, clusterWeights, lagOneAutocorrelation, type Segment } from "./block-bootstrap";

export type ImpactMetric = "attach-rate" | "aov" | "units" | "revenue" | "margin";
export const IMPACT_METRICS: readonly ImpactMetric[] = ["attach-rate", "aov", "units", "revenue", "margin"];

export interface ImpactLine {
  productId: string | null;
  quantity: number;
  refundedQuantity: number;
  /** Net line amount before refunds (price × quantity − line discounts), minor units; needed for revenue and margin. */
  amount?: number;
  /** Cost of one unit, minor units; needed for margin. */
  unitCost?: number | null;
}

export interface ImpactOrder extends SeriesOrder {
  lines: readonly ImpactLine[];
}

export interface Action {
  id: string;
  kind: "bundle-discount" | "widget" | "price-change" | "campaign";
  name?: string;
  target: {
    products: readonly string[];
    /** attach-rate: the products whose attachment to the target products is measured. */
    addOns?: readonly string[];
    /** Optional restriction to these customers (ids) or a named segment (recorded, for the report). */
    customers?: readonly string[];
    segment?: string;
  };
  /** Shop-local days, inclusive. */
  window: { start: string; end: string };
  /** Chosen before launch. */
  metric: ImpactMetric;
  goal: { direction: "increase" | "decrease"; minimumEffect: number };
  evaluation?: { preDays?: number; start?: string; end?: string };
  /** The day the metric and goal were recorded; must not be after the start. */
  decidedOn: string;
}

export type Verdict = "achieved" | "not achieved" | "inconclusive";

export interface CellSummary {
  units: number;
  value: number | null;
}

export interface Interval {
  lower: number;
  upper: number;
  level: number;
}

/** The donor pool's rule in words, and the products it left out. */
export const DONOR_RULE =
  "Control products are untargeted products (neither targets nor add-ons), excluding substitutes (the same product type as a target) and complements (products of which at least 5 % of pre-period orders, and at least 2, also hold a target).";

export interface ImpactResult {
  actionId: string;
  metric: ImpactMetric;
  effectKind: "absolute" | "relative";
  periods: {
    pre: { start: string; end: string };
    post: { start: string; end: string };
  };
  target: { pre: CellSummary; post: CellSummary };
  control: {
    products: string[];
    pre: CellSummary;
    post: CellSummary;
    preLevelGap: number;
    preTrendGap: number;
  } | null;
  prePost: number | null;
  estimate: number | null;
  ci: Interval | null;
  method: "difference-in-differences" | "pre-post";
  verdict: Verdict;
  reason: string;
  caveats: Caveat[];
  donors: { rule: string; substitutes: string[]; complements: string[] };
  /** How the interval was drawn; null when no interval was computed. */
  inference: {
    resample: string;
    blockDays: number;
    autocorrelation: number;
    draws: number;
    customerClusters: boolean;
    controlChosenInEachDraw: boolean;
  } | null;
  /** Whether the interval excludes no effect. */
  significant: boolean | null;
  /** The share of bootstrap draws at or beyond the goal (in its direction): a spread of resamples, not a probability. */
  goalShare: number | null;
  /** One-sided bootstrap p-value of "the goal was not reached" ((1 + draws short of the goal) / (draws + 1)). */
  pGoal: number | null;
  /** How well the control tracked the target before launch, week by week (in the effect's units). */
  preFit: {
    weeks: number;
    rmse: number;
    correlation: number | null;
    poor: boolean;
  } | null;
  /** The same estimator on a fake launch inside the pre period. */
  placebo: {
    periods: {
      pre: { start: string; end: string };
      post: { start: string; end: string };
    };
    estimate: number | null;
    ci: Interval | null;
    passed: boolean | null;
  } | null;
  /** The smallest effect (in the goal's direction, effect units) this design detects with `power` at `level`. */
  mde: MinimumDetectableEffect | null;
}

export interface MinimumDetectableEffect {
  value: number;
  days: number;
  level: number;
  power: number;
  blockDays: number;
}

export interface EvaluateOptions {
  timeZone: string;
  /** The day the evaluation runs (a window not over by then is inconclusive). */
  asOf: string;
  rng?: Rng;
  seed?: number;
  bootstrap?: number;
  level?: number;
  /** Fewest units (orders or days) per cell before anything is concluded (default 30 orders, 14 days). */
  minUnits?: number;
  /** Data-quality caveats of the history; a blocking one makes the verdict inconclusive. */
  caveats?: readonly Caveat[];
  /** A product's type (substitutes of a target leave the donor pool); unknown types exclude nothing. */
  productType?: (productId: string) => string | null | undefined;
  /** Days per block; default from the pre period's autocorrelation. */
  blockDays?: number;
  /** Power for the minimum detectable effect (default 0.8). */
  power?: number;
  /** Skip the placebo-in-time check (the calibration study of the old method only). */
  placebo?: boolean;
}

export class ImpactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImpactError";
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The data an evaluation resamples

const ORDER_METRICS = new Set<ImpactMetric>(["attach-rate", "aov"]);

function lineValue(metric: ImpactMetric, line: ImpactLine): number | null {
  const net = line.quantity - line.refundedQuantity;
  if (metric === "units") return net;
  if (line.amount === undefined) return null;
  const revenue = line.quantity > 0 ? (line.amount * net) / line.quantity : 0;
  if (metric === "revenue") return revenue;
  if (line.unitCost === null || line.unitCost === undefined) return null;
  return revenue - line.unitCost * net;
}

interface Data {
  perOrder: boolean;
  kind: "absolute" | "relative";
  metric: ImpactMetric;
  days: number;
  candidates: string[];
  /** Order metrics: target orders and control-candidate orders (orders without any target product). */
  tDay: Int32Array;
  tClu: Int32Array;
  tOrd: Int32Array;
  tY: Float64Array;
  cDay: Int32Array;
  cClu: Int32Array;
  cOrd: Int32Array;
  cY: Float64Array;
  cStart: Int32Array;
  cCand: Int32Array;
  clusters: number;
  orders: number;
  /** Per-day metrics: the target's daily value, and each candidate's (flat, candidate-major). */
  tDaily: Float64Array;
  cDaily: Float64Array;
  /** Per segmentation, each order's place in it (codesOf). */
  codes: Map<string, { t: Uint8Array; c: Uint8Array }>;
}

interface Segments {
  pre: Segment;
  post: Segment;
}

interface Weights {
  day: Float64Array | null;
  clu: Float64Array | null;
  ord: Float64Array | null;
}
const NO_WEIGHTS: Weights = { day: null, clu: null, ord: null };

interface Estimate {
  effect: number;
  tPre: number;
  tPost: number;
  cPre: number | null;
  cPost: number | null;
  chosen: number[];
  target: { level: number; trend: number };
  control: { level: number; trend: number } | null;
  tPreUnits: number;
  tPostUnits: number;
  cPreUnits: number;
  cPostUnits: number;
}

function effectOf(kind: "absolute" | "relative", tPre: number, tPost: number, cPre: number | null, cPost: number | null): number {
  if (cPre === null || cPost === null) return kind === "absolute" ? tPost - tPre : tPost / tPre - 1;
  return kind === "absolute" ? tPost - tPre - (cPost - cPre) : tPost / tPre / (cPost / cPre) - 1;
}

/** The control pools donors until it has this many times the target's pre-period units (a small control is a noisy one). */
const POOL_FACTOR = 3;

const inSeg = (d: number, s: Segment) => d >= s[0] && d <= s[1];

/**
 * The estimator under one set of weights: target cells, each eligible donor's pre-period level and trend, the control
 * chosen (the closest, pooled), its cells and the effect. `fallback` is the control used when no donor is close enough
 * in this draw (the point estimate's), so every draw of a difference-in-differences stays one.
 */
/** Each order's place in a segmentation: 0 outside, 1 first half of pre, 2 second half of pre, 3 post. */
function codesOf(data: Data, seg: Segments): { t: Uint8Array; c: Uint8Array } {
  const key = `${seg.pre[0]}:${seg.pre[1]}:${seg.post[0]}:${seg.post[1]}`;
  const cached = data.codes.get(key);
  if (cached) return cached;
  const half = seg.pre[0] + Math.floor((seg.pre[1] - seg.pre[0] + 1) / 2);
  const code = (d: number) => (inSeg(d, seg.pre) ? (d < half ? 1 : 2) : inSeg(d, seg.post) ? 3 : 0);
  const codes = {
    t: Uint8Array.from(data.tDay, code),
    c: Uint8Array.from(data.cDay, code),
  };
  data.codes.set(key, codes);
  return codes;
}

/**
 * Weighted sums of one series by period code (1 and 2: the first and second half of the pre period, 3: post): its
 * pre and post means, its pre-period trend (second half's mean − first half's) and the weights (units) behind them.
 */
class PeriodSums {
  a = 0;
  aw = 0;
  b = 0;
  bw = 0;
  p1 = 0;
  p1w = 0;
  p2 = 0;
  p2w = 0;

  add(code: number, x: number, y: number): void {
    if (code === 3) {
      this.b += x * y;
      this.bw += x;
      return;
    }
    this.a += x * y;
    this.aw += x;
    if (code === 1) {
      this.p1 += x * y;
      this.p1w += x;
    } else {
      this.p2 += x * y;
      this.p2w += x;
    }
  }

  get empty(): boolean {
    return this.aw === 0 || this.bw === 0;
  }

  means(): { pre: number; post: number; trend: number } {
    return { pre: this.a / this.aw, post: this.b / this.bw, trend: this.p1w > 0 && this.p2w > 0 ? this.p2 / this.p2w - this.p1 / this.p1w : 0 };
  }
}

function estimateWith(data: Data, seg: Segments, eligible: readonly number[], w: Weights, fallback: readonly number[] | null): Estimate | null {
  const half = seg.pre[0] + Math.floor((seg.pre[1] - seg.pre[0] + 1) / 2);
  const nc = data.candidates.length;
  const dw = (d: number) => (w.day ? w.day[d]! : inSeg(d, seg.pre) || inSeg(d, seg.post) ? 1 : 0);
  const codes = data.perOrder ? codesOf(data, seg) : null;
  const dayW = w.day;
  const cluW = w.clu;
  const ordW = w.ord;
  let tPre: number;
  let tPost: number;
  let tTrend: number;
  let tPreUnits: number;
  let tPostUnits: number;
  const preS = new Float64Array(nc);
  const preW = new Float64Array(nc);
  const h1S = new Float64Array(nc);
  const h1W = new Float64Array(nc);
  const h2S = new Float64Array(nc);
  const h2W = new Float64Array(nc);
  const postS = new Float64Array(nc);
  const postW = new Float64Array(nc);
  /** An order's weight in this resample: its day's block count × its customer's × its own (1 without resampling). */
  const orderWeight = (day: number, clu: number, ord: number) => (dayW ? dayW[day]! : 1) * (cluW ? cluW[clu]! : 1) * (ordW ? ordW[ord]! : 1);
  if (data.perOrder) {
    const sums = new PeriodSums();
    const tc = codes!.t;
    for (let i = 0; i < tc.length; i++) {
      const code = tc[i]!;
      if (code === 0) continue;
      const x = orderWeight(data.tDay[i]!, data.tClu[i]!, data.tOrd[i]!);
      if (x !== 0) sums.add(code, x, data.tY[i]!);
    }
    if (sums.empty) return null;
    ({ pre: tPre, post: tPost, trend: tTrend } = sums.means());
    tPreUnits = sums.aw;
    tPostUnits = sums.bw;
    const cc = codes!.c;
    for (let i = 0; i < cc.length; i++) {
      const code = cc[i]!;
      if (code === 0) continue;
      const x = orderWeight(data.cDay[i]!, data.cClu[i]!, data.cOrd[i]!);
      if (x === 0) continue;
      const xy = x * data.cY[i]!;
      for (let k = data.cStart[i]!; k < data.cStart[i + 1]!; k++) {
        const j = data.cCand[k]!;
        if (code === 3) {
          postS[j]! += xy;
          postW[j]! += x;
        } else {
          preS[j]! += xy;
          preW[j]! += x;
          if (code === 1) {
            h1S[j]! += xy;
            h1W[j]! += x;
          } else {
            h2S[j]! += xy;
            h2W[j]! += x;
          }
        }
      }
    }
  } else {
    const sums = new PeriodSums();
    for (let d = seg.pre[0]; d <= seg.post[1]; d++) {
      const pre = inSeg(d, seg.pre);
      if (!pre && !inSeg(d, seg.post)) continue;
      const x = dw(d);
      if (x === 0) continue;
      sums.add(pre ? (d < half ? 1 : 2) : 3, x, data.tDaily[d]!);
      if (pre) {
        for (let j = 0; j < nc; j++) {
          const v = data.cDaily[j * data.days + d]!;
          preS[j]! += x * v;
          if (d < half) h1S[j]! += x * v;
          else h2S[j]! += x * v;
        }
      } else {
        for (let j = 0; j < nc; j++) postS[j]! += x * data.cDaily[j * data.days + d]!;
      }
    }
    if (sums.empty) return null;
    ({ pre: tPre, post: tPost, trend: tTrend } = sums.means());
    tPreUnits = sums.a;
    tPostUnits = sums.bw;
    for (let j = 0; j < nc; j++) {
      preW[j] = sums.aw;
      h1W[j] = sums.p1w;
      h2W[j] = sums.p2w;
      postW[j] = sums.bw;
    }
  }
  // Rank the eligible donors by pre-period level and trend, pool the closest.
  const target = { level: tPre, trend: tTrend };
  const ranked: { j: number; distance: number; units: number }[] = [];
  for (const j of eligible) {
    if (preW[j]! === 0 || postW[j]! === 0) continue;
    const level = preS[j]! / preW[j]!;
    const trend = h1W[j]! > 0 && h2W[j]! > 0 ? h2S[j]! / h2W[j]! - h1S[j]! / h1W[j]! : 0;
    let distance: number;
    if (data.kind === "absolute") {
      const norm = Math.max(Math.abs(target.level), data.metric === "attach-rate" ? 0.05 : 1);
      distance = (Math.abs(level - target.level) + Math.abs(trend - target.trend)) / norm;
    } else {
      const scale = (x: number) => Math.log(Math.max(x, 1e-9));
      const rel = (l: number, t: number) => t / Math.max(l, 1e-9);
      distance = 0.25 * Math.abs(scale(level) - scale(target.level)) + Math.abs(rel(level, trend) - rel(target.level, target.trend));
    }
    ranked.push({ j, distance, units: data.perOrder ? preW[j]! : preS[j]! });
  }
  ranked.sort((x, y) => x.distance - y.distance || x.j - y.j);
  let chosen: number[] = [];
  let pooled = 0;
  for (const r of ranked) {
    if (r.distance > 0.5 || chosen.length >= 10) break;
    chosen.push(r.j);
    pooled += r.units;
    if (pooled >= POOL_FACTOR * tPreUnits) break;
  }
  if (chosen.length === 0 && fallback && fallback.length > 0) chosen = [...fallback];
  if (chosen.length === 0) {
    return {
      effect: effectOf(data.kind, tPre, tPost, null, null),
      tPre,
      tPost,
      cPre: null,
      cPost: null,
      chosen,
      target,
      control: null,
      tPreUnits,
      tPostUnits,
      cPreUnits: 0,
      cPostUnits: 0,
    };
  }
  let cPre: number;
  let cPost: number;
  let cTrend: number;
  let cPreUnits: number;
  let cPostUnits: number;
  if (data.perOrder) {
    const isChosen = new Uint8Array(nc);
    for (const j of chosen) isChosen[j] = 1;
    const sums = new PeriodSums();
    const cc = codes!.c;
    for (let i = 0; i < cc.length; i++) {
      const code = cc[i]!;
      if (code === 0) continue;
      let any = false;
      for (let k = data.cStart[i]!; k < data.cStart[i + 1]! && !any; k++) any = isChosen[data.cCand[k]!] === 1;
      if (!any) continue;
      const x = orderWeight(data.cDay[i]!, data.cClu[i]!, data.cOrd[i]!);
      if (x !== 0) sums.add(code, x, data.cY[i]!);
    }
    if (sums.empty) return null;
    ({ pre: cPre, post: cPost, trend: cTrend } = sums.means());
    cPreUnits = sums.aw;
    cPostUnits = sums.bw;
  } else {
    let a = 0,
      b = 0,
      p1 = 0,
      p2 = 0;
    for (const j of chosen) {
      a += preS[j]!;
      b += postS[j]!;
      p1 += h1S[j]!;
      p2 += h2S[j]!;
    }
    const [aw, bw, p1w, p2w] = [preW[chosen[0]!]!, postW[chosen[0]!]!, h1W[chosen[0]!]!, h2W[chosen[0]!]!];
    cPre = a / aw;
    cPost = b / bw;
    cTrend = p1w > 0 && p2w > 0 ? p2 / p2w - p1 / p1w : 0;
    cPreUnits = aw;
    cPostUnits = bw;
  }
  return {
    effect: effectOf(data.kind, tPre, tPost, cPre, cPost),
    tPre,
    tPost,
    cPre,
    cPost,
    chosen,
    target,
    control: { level: cPre, trend: cTrend },
    tPreUnits,
    tPostUnits,
    cPreUnits,
    cPostUnits,
  };
}

/** Donors with enough data in both periods of `seg` (on the original data). */
function eligibleDonors(data: Data, seg: Segments, excluded: ReadonlySet<number>): number[] {
  const nc = data.candidates.length;
  const pre = new Float64Array(nc);
  const post = new Float64Array(nc);
  if (data.perOrder) {
    for (let i = 0; i < data.cDay.length; i++) {
      const d = data.cDay[i]!;
      const isPre = inSeg(d, seg.pre);
      if (!isPre && !inSeg(d, seg.post)) continue;
      for (let k = data.cStart[i]!; k < data.cStart[i + 1]!; k++) (isPre ? pre : post)[data.cCand[k]!]! += 1;
    }
  } else {
    for (let j = 0; j < nc; j++) {
      for (let d = seg.pre[0]; d <= seg.pre[1]; d++) pre[j]! += data.cDaily[j * data.days + d]!;
      for (let d = seg.post[0]; d <= seg.post[1]; d++) post[j]! += data.cDaily[j * data.days + d]!;
    }
  }
  const out: number[] = [];
  for (let j = 0; j < nc; j++) {
    if (excluded.has(j)) continue;
    if (data.perOrder ? pre[j]! >= 10 && post[j]! >= 5 : pre[j]! >= 10 && post[j]! > 0) out.push(j);
  }
  return out;
}

/** Target and pooled control values per bucket of `width` days over `range` (order metrics: means; per-day: daily means). */
function bucketSeries(
  data: Data,
  range: Segment,
  width: number,
  chosen: readonly number[]
): {
  t: number[];
  c: number[];
  tw: number[];
  cw: number[];
  ts: number[];
  cs: number[];
} {
  const n = Math.floor((range[1] - range[0] + 1) / width);
  const ts = new Array<number>(n).fill(0);
  const tw = new Array<number>(n).fill(0);
  const cs = new Array<number>(n).fill(0);
  const cw = new Array<number>(n).fill(0);
  const bucket = (d: number) => Math.floor((d - range[0]) / width);
  if (data.perOrder) {
    const isChosen = new Set(chosen);
    for (let i = 0; i < data.tDay.length; i++) {
      const k = bucket(data.tDay[i]!);
      if (data.tDay[i]! < range[0] || k >= n) continue;
      ts[k]! += data.tY[i]!;
      tw[k]! += 1;
    }
    for (let i = 0; i < data.cDay.length; i++) {
      const k = bucket(data.cDay[i]!);
      if (data.cDay[i]! < range[0] || k >= n) continue;
      let any = false;
      for (let q = data.cStart[i]!; q < data.cStart[i + 1]! && !any; q++) any = isChosen.has(data.cCand[q]!);
      if (!any) continue;
      cs[k]! += data.cY[i]!;
      cw[k]! += 1;
    }
  } else {
    for (let d = range[0]; d < range[0] + n * width; d++) {
      const k = bucket(d);
      ts[k]! += data.tDaily[d]!;
      tw[k]! += 1;
      for (const j of chosen) cs[k]! += data.cDaily[j * data.days + d]!;
      cw[k]! += 1;
    }
  }
  return {
    t: ts.map((s, k) => (tw[k]! > 0 ? s / tw[k]! : Number.NaN)),
    c: cs.map((s, k) => (cw[k]! > 0 ? s / cw[k]! : Number.NaN)),
    tw,
    cw,
    ts,
    cs,
  };
}

function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null;
}

/** The lag-1 autocorrelation of the pre period's daily target − control contrast (linearized, in effect units). */
function contrastAutocorrelation(data: Data, pre: Segment, chosen: readonly number[]): number {
  const daily = bucketSeries(data, pre, 1, chosen);
  const n = daily.ts.length;
  const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
  const [tS, tW, cS, cW] = [sum(daily.ts), sum(daily.tw), sum(daily.cs), sum(daily.cw)];
  if (tW === 0 || tS === 0) return 0;
  const tMean = tS / tW;
  const cMean = cW > 0 ? cS / cW : 0;
  const series: number[] = [];
  for (let k = 0; k < n; k++) {
    let x: number;
    if (data.perOrder) x = (daily.ts[k]! - tMean * daily.tw[k]!) / (tW / n) - (chosen.length > 0 && cW > 0 ? (daily.cs[k]! - cMean * daily.cw[k]!) / (cW / n) : 0);
    else x = daily.ts[k]! / (tS / n) - (chosen.length > 0 && cS > 0 ? daily.cs[k]! / (cS / n) : 0);
    series.push(x);
  }
  return lagOneAutocorrelation(series);
}

interface Inference {
  estimate: Estimate;
  draws: number[];
  ci: Interval;
  blockDays: number;
  rho: number;
  sd: number;
}

/** The point estimate and its bootstrap draws on one segmentation (the evaluation's or a placebo's). */
function infer(data: Data, seg: Segments, excluded: ReadonlySet<number>, B: number, level: number, rng: Rng, fixedBlock: number | undefined): Inference | null {
  const eligible = eligibleDonors(data, seg, excluded);
  const point = estimateWith(data, seg, eligible, NO_WEIGHTS, null);
  if (!point || !Number.isFinite(point.effect)) return null;
  const rho = contrastAutocorrelation(data, seg.pre, point.chosen);
  const preLen = seg.pre[1] - seg.pre[0] + 1;
  const postLen = seg.post[1] - seg.post[0] + 1;
  const blockDays = fixedBlock ?? blockLength(rho, preLen + postLen, Math.min(preLen, postLen) / 3);
  const fallback = point.chosen.length > 0 ? point.chosen : null;
  const dayW = new Float64Array(data.days);
  const cluW = data.perOrder ? new Float64Array(data.clusters) : null;
  let draws: number[] = [];
  for (let b = 0; b < B; b++) {
    blockDayWeights(rng, data.days, [seg.pre, seg.post], blockDays, dayW);
    if (cluW) clusterWeights(rng, data.clusters, cluW);
    const e = estimateWith(data, seg, eligible, { day: dayW, clu: cluW, ord: null }, fallback);
    if (e && Number.isFinite(e.effect)) draws.push(e.effect);
  }
  if (draws.length < Math.max(20, B / 2)) return null;
  /** The share of the variance that the few blocks of days estimate (the rest, order-level noise, is well estimated). */
  let blockShare = 1;
  if (data.perOrder) {
    // The two-way resample's variance is V_customers + V_days + V_orders (its weights multiply), each of the three
    // holding the order-level variance once: Cameron, Gelbach & Miller's two-way variance V_customers + V_days − V_orders
    // is that less twice the order-level variance, measured by an order-level resample (floored at one copy of it).
    const ordW = new Float64Array(data.orders);
    const iid: number[] = [];
    const Bi = Math.max(100, Math.round(B / 4));
    for (let b = 0; b < Bi; b++) {
      clusterWeights(rng, data.orders, ordW);
      const e = estimateWith(data, seg, eligible, { day: null, clu: null, ord: ordW }, fallback);
      if (e && Number.isFinite(e.effect)) iid.push(e.effect);
    }
    const vProduct = variance(draws);
    const vOrders = variance(iid);
    if (vProduct > 0 && Number.isFinite(vOrders)) {
      const k = Math.sqrt(Math.min(1, Math.max(vOrders / vProduct, (vProduct - 2 * vOrders) / vProduct)));
      const centre = quantile(draws, 0.5);
      draws = draws.map((d) => centre + (d - centre) * k);
      const v = k * k * vProduct;
      blockShare = Math.max(0, v - vOrders) / v;
    }
  }
  // Few blocks in the shorter period make the resampled spread itself uncertain: widen it as a t with the block
  // bootstrap's effective degrees of freedom (3n / 2b for a Bartlett-type variance, n the shorter period's days) would;
  // for the order-level metrics only the part of the variance beyond order-level noise has those few degrees of freedom
  // (Satterthwaite: df / share²).
  const df = (1.5 * Math.min(preLen, postLen)) / blockDays / Math.max(1e-6, blockShare * blockShare);
  const widen = studentTQuantile(1 - (1 - level) / 2, df) / normalQuantile(1 - (1 - level) / 2);
  if (widen > 1) {
    const centre = quantile(draws, 0.5);
    draws = draws.map((d) => centre + (d - centre) * widen);
  }
  const tail = (1 - level) / 2;
  return {
    estimate: point,
    draws,
    ci: {
      lower: quantile(draws, tail),
      upper: quantile(draws, 1 - tail),
      level,
    },
    blockDays,
    rho,
    sd: Math.sqrt(variance(draws)),
  };
}

function variance(xs: readonly number[]): number {
  if (xs.length < 2) return Number.NaN;
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

// ---------------------------------------------------------------------------------------------------------------------

function checkAction(action: Action): void {
  const metric = action.metric;
  if (!IMPACT_METRICS.includes(metric)) throw new ImpactError(`unknown metric ${JSON.stringify(metric)}`);
  if (action.target.products.length === 0) throw new ImpactError("the action targets no product");
  if (metric === "attach-rate" && (action.target.addOns?.length ?? 0) === 0) throw new ImpactError("attach-rate needs add-on products (the pair's second side)");
  if (action.window.end < action.window.start) throw new ImpactError(`the window ends (${action.window.end}) before it starts (${action.window.start})`);
  if (action.decidedOn > action.window.start) throw new ImpactError(`the metric was chosen on ${action.decidedOn}, after the action started (${action.window.start}): it must be chosen before launch`);
}

interface Prepared {
  data: Data;
  seg: Segments;
  preStart: number;
  excluded: Set<number>;
  donors: ImpactResult["donors"];
  missing: number;
  tPreCount: number;
  tPostCount: number;
}

/** Orders in [preStart, postEnd] turned into the arrays the estimator resamples. */
function prepare(orders: readonly ImpactOrder[], action: Action, timeZone: string, periods: ImpactResult["periods"], productType: EvaluateOptions["productType"]): Prepared {
  const metric = action.metric;
  const perOrder = ORDER_METRICS.has(metric);
  const preStart = dayNumber(periods.pre.start);
  const preEnd = dayNumber(periods.pre.end);
  const postStart = dayNumber(periods.post.start);
  const postEnd = dayNumber(periods.post.end);
  const days = postEnd - preStart + 1;
  const seg: Segments = {
    pre: [0, preEnd - preStart],
    post: [postStart - preStart, postEnd - preStart],
  };
  const targets = new Set(action.target.products);
  const addOns = new Set(action.target.addOns ?? []);
  const customers = action.target.customers ? new Set(action.target.customers) : null;
  const { orders: live } = keptOrders(orders, timeZone);

  interface Row {
    order: ImpactOrder;
    day: number;
    products: Set<string>;
    anyTarget: boolean;
    isTarget: boolean;
  }
  const rows: Row[] = [];
  for (const { order, day } of live) {
    const d = dayNumber(day) - preStart;
    if (d < 0 || d >= days) continue;
    const products = new Set<string>();
    for (const l of order.lines) if (l.productId !== null && l.quantity > 0) products.add(l.productId);
    const anyTarget = [...targets].some((p) => products.has(p));
    const isTarget = anyTarget && (customers === null || (order.customerId !== null && customers.has(order.customerId)));
    rows.push({
      order: order as ImpactOrder,
      day: d,
      products,
      anyTarget,
      isTarget,
    });
  }

  // The donor pool: untargeted, not a substitute, not a complement.
  const targetTypes = new Set([...targets].map((p) => productType?.(p)).filter((t): t is string => typeof t === "string" && t.trim() !== ""));
  const preOrders = new Map<string, number>();
  const withTarget = new Map<string, number>();
  const seen = new Set<string>();
  for (const r of rows) {
    for (const p of r.products) {
      if (targets.has(p) || addOns.has(p)) continue;
      seen.add(p);
      if (r.day > seg.pre[1]) continue;
      preOrders.set(p, (preOrders.get(p) ?? 0) + 1);
      if (r.anyTarget) withTarget.set(p, (withTarget.get(p) ?? 0) + 1);
    }
  }
  const substitutes: string[] = [];
  const complements: string[] = [];
  const candidates: string[] = [];
  for (const p of [...seen].sort()) {
    const type = productType?.(p);
    if (typeof type === "string" && targetTypes.has(type)) substitutes.push(p);
    else if ((withTarget.get(p) ?? 0) >= 2 && (withTarget.get(p) ?? 0) / (preOrders.get(p) ?? 1) >= 0.05) complements.push(p);
    else candidates.push(p);
  }
  const index = new Map(candidates.map((p, j) => [p, j]));
  const excluded = new Set<number>();

  const clusterIds = new Map<string, number>();
  let clusters = 0;
  const clusterOf = (o: ImpactOrder) => {
    if (o.customerId === null) return clusters++;
    let c = clusterIds.get(o.customerId);
    if (c === undefined) {
      c = clusters++;
      clusterIds.set(o.customerId, c);
    }
    return c;
  };
  const t = {
    day: [] as number[],
    clu: [] as number[],
    ord: [] as number[],
    y: [] as number[],
  };
  const c = {
    day: [] as number[],
    clu: [] as number[],
    ord: [] as number[],
    y: [] as number[],
    start: [0] as number[],
    cand: [] as number[],
  };
  const tDaily = new Float64Array(perOrder ? 0 : days);
  const cDaily = new Float64Array(perOrder ? 0 : days * candidates.length);
  let missing = 0;
  let tPreCount = 0;
  let tPostCount = 0;
  rows.forEach((r, o) => {
    const clu = clusterOf(r.order);
    if (perOrder) {
      const y = metric === "aov" ? netRevenue(r.order) : [...addOns].some((a) => r.products.has(a)) ? 1 : 0;
      if (r.isTarget) {
        t.day.push(r.day);
        t.clu.push(clu);
        t.ord.push(o);
        t.y.push(y);
        if (inSeg(r.day, seg.pre)) tPreCount++;
        else if (inSeg(r.day, seg.post)) tPostCount++;
      } else if (!r.anyTarget) {
        const cands = [...r.products].map((p) => index.get(p)).filter((j): j is number => j !== undefined);
        if (cands.length === 0) return;
        c.day.push(r.day);
        c.clu.push(clu);
        c.ord.push(o);
        c.y.push(y);
        c.cand.push(...cands);
        c.start.push(c.cand.length);
      }
      return;
    }
    for (const line of r.order.lines) {
      if (line.productId === null) continue;
      if (r.isTarget && targets.has(line.productId)) {
        const v = lineValue(metric, line);
        if (v === null) missing++;
        else tDaily[r.day]! += v;
      } else if (!r.anyTarget) {
        const j = index.get(line.productId);
        if (j === undefined) continue;
        const v = lineValue(metric, line);
        if (v === null) excluded.add(j);
        // a donor without the metric's amounts cannot be compared
        else cDaily[j * days + r.day]! += v;
      }
    }
  });
  if (!perOrder) {
    tPreCount = seg.pre[1] - seg.pre[0] + 1;
    tPostCount = seg.post[1] - seg.post[0] + 1;
  }
  const data: Data = {
    perOrder,
    kind: perOrder ? "absolute" : "relative",
    metric,
    days,
    candidates,
    tDay: Int32Array.from(t.day),
    tClu: Int32Array.from(t.clu),
    tOrd: Int32Array.from(t.ord),
    tY: Float64Array.from(t.y),
    cDay: Int32Array.from(c.day),
    cClu: Int32Array.from(c.clu),
    cOrd: Int32Array.from(c.ord),
    cY: Float64Array.from(c.y),
    cStart: Int32Array.from(c.start),
    cCand: Int32Array.from(c.cand),
    clusters,
    orders: rows.length,
    tDaily,
    cDaily,
    codes: new Map(),
  };
  return {
    data,
    seg,
    preStart,
    excluded,
    donors: { rule: DONOR_RULE, substitutes, complements },
    missing,
    tPreCount,
    tPostCount,
  };
}

function periodsOf(action: Action): ImpactResult["periods"] {
  const preDays = action.evaluation?.preDays ?? 90;
  return {
    pre: {
      start: addDays(action.window.start, -preDays),
      end: addDays(action.window.start, -1),
    },
    post: {
      start: action.evaluation?.start ?? action.window.start,
      end: action.evaluation?.end ?? action.window.end,
    },
  };
}

/** The placebo in time: the pre period's last stretch (as long as the evaluation, at most a third of the pre period) as a fake post. */
function placeboSegments(seg: Segments): Segments | null {
  const preLen = seg.pre[1] - seg.pre[0] + 1;
  const postLen = seg.post[1] - seg.post[0] + 1;
  const fake = Math.min(postLen, Math.floor(preLen / 3));
  if (fake < 7) return null;
  return {
    pre: [seg.pre[0], seg.pre[1] - fake],
    post: [seg.pre[1] - fake + 1, seg.pre[1]],
  };
}

const FIT_LIMITS = { relative: 0.5, "attach-rate": 0.15, aov: 0.5 } as const;

export function evaluateAction(orders: readonly ImpactOrder[], action: Action, options: EvaluateOptions): ImpactResult {
  checkAction(action);
  const metric = action.metric;
  const rng = options.rng ?? seededRng(options.seed ?? 1);
  const B = options.bootstrap ?? 1000;
  const level = options.level ?? 0.95;
  const power = options.power ?? 0.8;
  const kind: "absolute" | "relative" = ORDER_METRICS.has(metric) ? "absolute" : "relative";
  const periods = periodsOf(action);
  const postEnd = periods.post.end;
  const caveats: Caveat[] = [...(options.caveats ?? [])];
  const { data, seg, preStart, excluded, donors, missing, tPreCount, tPostCount } = prepare(orders, action, options.timeZone, periods, options.productType);
  const minUnits = options.minUnits ?? (ORDER_METRICS.has(metric) ? 30 : 14);
  const unitKind = ORDER_METRICS.has(metric) ? "orders" : "days";
  const dayOf = (d: number) => addDays(periods.pre.start, d);

  const eligible = eligibleDonors(data, seg, excluded);
  const point = estimateWith(data, seg, eligible, NO_WEIGHTS, null);
  const control: ImpactResult["control"] =
    point && point.control && point.cPre !== null && point.cPost !== null
      ? {
          products: point.chosen.map((j) => data.candidates[j]!),
          pre: { units: point.cPreUnits, value: point.cPre },
          post: { units: point.cPostUnits, value: point.cPost },
          preLevelGap: kind === "absolute" ? point.cPre - point.tPre : point.cPre / point.tPre - 1,
          preTrendGap: point.control.trend - point.target.trend,
        }
      : null;
  if (!control)
    caveats.push({
      code: "no-control",
      severity: "warning",
      message: "No untargeted product was comparable before the action: the estimate is a pre/post change, with seasonality and trend not removed.",
    });
  const base = {
    actionId: action.id,
    metric,
    effectKind: kind,
    periods,
    target: {
      pre: {
        units: tPreCount,
        value: point && tPreCount > 0 ? point.tPre : null,
      },
      post: {
        units: tPostCount,
        value: point && tPostCount > 0 ? point.tPost : null,
      },
    },
    control,
    method: (control ? "difference-in-differences" : "pre-post") as ImpactResult["method"],
    caveats,
    donors,
  };
  const empty = {
    inference: null,
    significant: null,
    goalShare: null,
    pGoal: null,
    preFit: null,
    placebo: null,
    mde: null,
  };
  const inconclusive = (reason: string, prePost: number | null = null, estimate: number | null = null): ImpactResult => ({
    ...base,
    ...empty,
    prePost,
    estimate,
    ci: null,
    verdict: "inconclusive",
    reason,
  });

  if (missing > 0) {
    caveats.push({
      code: "missing-amounts",
      severity: "blocking",
      message: `${missing} target line(s) lack the ${metric === "margin" ? "cost or amount" : "amount"} the ${metric} metric needs.`,
    });
    return inconclusive(`data quality: ${metric} cannot be measured (${missing} line(s) without ${metric === "margin" ? "cost" : "amount"})`);
  }
  if (options.asOf < postEnd) return inconclusive(`too early: the evaluation window ends ${postEnd}, after ${options.asOf}`);
  if (tPreCount < minUnits || tPostCount < minUnits || !point) {
    return inconclusive(`too little data: ${tPreCount} pre-period and ${tPostCount} post-period ${unitKind} for the target (at least ${minUnits} each needed)`);
  }
  if (kind === "relative" && (point.tPre <= 0 || point.tPost < 0)) return inconclusive("too little data: the target has no positive pre-period value to compare with");
  const prePost = effectOf(kind, point.tPre, point.tPost, null, null);
  const estimate = point.effect;
  const blocking = caveats.filter((c) => c.severity === "blocking");
  if (blocking.length > 0) return inconclusive(`data quality: ${blocking.map((c) => c.message).join(" ")}`, prePost, estimate);

  const main = infer(data, seg, excluded, B, level, rng, options.blockDays);
  if (!main) return inconclusive("too little data: the resampled periods too often left a cell empty", prePost, estimate);
  const { ci, draws } = main;
  const sign = action.goal.direction === "increase" ? 1 : -1;
  const want = action.goal.minimumEffect; // in the goal's direction
  const goal = sign * want;
  const [lo, hi] = sign > 0 ? [ci.lower, ci.upper] : [-ci.upper, -ci.lower]; // in the goal's direction
  const short = draws.filter((d) => sign * d < want).length;
  const goalShare = 1 - short / draws.length;
  const pGoal = (1 + short) / (draws.length + 1);
  const significant = ci.lower > 0 || ci.upper < 0;
  const z = normalQuantile(1 - (1 - level) / 2) + normalQuantile(power);
  const postDays = seg.post[1] - seg.post[0] + 1;
  const mde: MinimumDetectableEffect = {
    value: z * main.sd,
    days: postDays,
    level,
    power,
    blockDays: main.blockDays,
  };
  const inference: NonNullable<ImpactResult["inference"]> = {
    resample: ORDER_METRICS.has(metric)
      ? `moving blocks of ${main.blockDays} day(s) × customers as clusters, ${draws.length} draws`
      : `moving blocks of ${main.blockDays} day(s), ${draws.length} draws`,
    blockDays: main.blockDays,
    autocorrelation: main.rho,
    draws: draws.length,
    customerClusters: ORDER_METRICS.has(metric),
    controlChosenInEachDraw: control !== null,
  };

  // Pre-period fit: week by week, the gap between target and control (relative: in shares of their pre-period means).
  let preFit: ImpactResult["preFit"] = null;
  if (control) {
    const weekly = bucketSeries(data, seg.pre, 7, point.chosen);
    const pairs = weekly.t.map((t, k) => [t, weekly.c[k]!] as const).filter(([t, c]) => Number.isFinite(t) && Number.isFinite(c));
    if (pairs.length >= 3) {
      const tm = pairs.reduce((s, [t]) => s + t, 0) / pairs.length;
      const cm = pairs.reduce((s, [, c]) => s + c, 0) / pairs.length;
      const gaps = pairs.map(([t, c]) => (kind === "relative" ? (tm > 0 ? t / tm : 0) - (cm > 0 ? c / cm : 0) : t - tm - (c - cm)));
      const rmse = Math.sqrt(gaps.reduce((s, g) => s + g * g, 0) / gaps.length);
      const limit = kind === "relative" ? FIT_LIMITS.relative : metric === "attach-rate" ? FIT_LIMITS["attach-rate"] : FIT_LIMITS.aov * Math.abs(point.tPre);
      preFit = {
        weeks: pairs.length,
        rmse,
        correlation: pearson(
          pairs.map(([t]) => t),
          pairs.map(([, c]) => c)
        ),
        poor: rmse > limit,
      };
    }
  }

  // Placebo in time: the same estimator, launch faked inside the pre period.
  let placebo: ImpactResult["placebo"] = null;
  const fake = options.placebo === false ? null : placeboSegments(seg);
  if (fake) {
    const p = infer(data, fake, excluded, Math.max(100, Math.round(B / 2)), level, rng, options.blockDays);
    placebo = {
      periods: {
        pre: { start: dayOf(fake.pre[0]), end: dayOf(fake.pre[1]) },
        post: { start: dayOf(fake.post[0]), end: dayOf(fake.post[1]) },
      },
      estimate: p ? p.estimate.effect : null,
      ci: p ? p.ci : null,
      passed: p ? p.ci.lower <= 0 && p.ci.upper >= 0 : null,
    };
  }
  void preStart;

  const fmt = (x: number) => (kind === "relative" ? `${(x * 100).toFixed(1)} %` : metric === "attach-rate" ? `${(x * 100).toFixed(1)} points` : x.toFixed(0));
  const share = `${(goalShare * 100).toFixed(0)} % of ${
    draws.length
  } bootstrap resamples of the data give an effect at or beyond the goal (a measure of the spread, not a probability that the action worked)`;
  let verdict: Verdict;
  let reason: string;
  if (lo >= want && lo > 0) {
    verdict = "achieved";
    reason = `the whole interval (${fmt(ci.lower)} to ${fmt(ci.upper)}) reaches the goal of ${fmt(goal)}; estimate ${fmt(estimate)}`;
  } else if (hi < want) {
    verdict = "not achieved";
    reason = `the whole interval (${fmt(ci.lower)} to ${fmt(ci.upper)}) falls short of the goal of ${fmt(goal)}`;
  } else if (lo <= 0) {
    verdict = "inconclusive";
    reason = `effect below noise: the interval (${fmt(ci.lower)} to ${fmt(ci.upper)}) holds both no effect and the goal of ${fmt(goal)}; ${share}`;
  } else {
    verdict = "inconclusive";
    reason = `an effect is there (${fmt(estimate)}, CI ${fmt(ci.lower)} to ${fmt(ci.upper)}) but the interval still holds values short of the goal of ${fmt(goal)}; ${share}`;
  }
  if (verdict !== "inconclusive" && placebo && placebo.passed === false) {
    reason = `the control did not track the target before launch: the same estimator on a fake launch ${placebo.periods.post.start} – ${placebo.periods.post.end} finds ${fmt(
      placebo.estimate!
    )} (CI ${fmt(placebo.ci!.lower)} to ${fmt(placebo.ci!.upper)}), so the ${verdict === "achieved" ? "interval reaching" : "interval short of"} the goal cannot be trusted`;
    verdict = "inconclusive";
  } else if (verdict !== "inconclusive" && preFit?.poor) {
    reason = `the control fits the target poorly before launch (weekly gap ${fmt(preFit.rmse)} root mean square): the ${verdict} verdict cannot be trusted`;
    verdict = "inconclusive";
  }
  if (control && Math.abs(control.preTrendGap) > Math.abs(point.tPre) * 0.2 && kind === "absolute") {
    caveats.push({
      code: "pre-trends-differ",
      severity: "warning",
      message: "The control's pre-period trend differs from the target's: the estimate assumes they would have moved in parallel.",
    });
  }
  if (mde.value > Math.abs(want) && want > 0) {
    caveats.push({
      code: "underpowered",
      severity: "warning",
      message: `The smallest effect this design detects with ${Math.round(power * 100)} % power is ${fmt(mde.value)}, more than the goal of ${fmt(goal)}.`,
    });
  }
  return {
    ...base,
    prePost,
    estimate,
    ci,
    verdict,
    reason,
    inference,
    significant,
    goalShare,
    pGoal,
    preFit,
    placebo,
    mde,
  };
}

/**
 * The minimum detectable effect of an action not yet evaluated (shown when it is recorded): the same design — control,
 * blocks of days, customer clusters — on a fake launch in the latest history, its evaluation window ending on `lastDay`
 * (the day before the launch, or yesterday when the launch is later), and the standard deviation of its bootstrap
 * draws times z(1 − α/2) + z(power). Null when the history is too short or has no target sales.
 */
export function plannedMinimumDetectableEffect(
  orders: readonly ImpactOrder[],
  action: Action,
  options: EvaluateOptions & { lastDay: string }
): (MinimumDetectableEffect & { periods: ImpactResult["periods"] }) | null {
  checkAction(action);
  const periods = periodsOf(action);
  const days = dayNumber(periods.post.end) - dayNumber(periods.post.start) + 1;
  const fakeStart = addDays(options.lastDay, -(days - 1));
  // The fake pre period starts no earlier than the history (days before the first order are not zero sales).
  const first = keptOrders(orders, options.timeZone).orders.reduce((m, o) => (o.day < m ? o.day : m), fakeStart);
  const preDays = Math.min(action.evaluation?.preDays ?? 90, dayNumber(fakeStart) - dayNumber(first));
  if (preDays < 14) return null;
  const fake: Action = {
    ...action,
    window: { start: fakeStart, end: options.lastDay },
    evaluation: { preDays, start: fakeStart, end: options.lastDay },
    decidedOn: fakeStart,
  };
  const fakePeriods = periodsOf(fake);
  const { data, seg, excluded, missing, tPreCount, tPostCount } = prepare(orders, fake, options.timeZone, fakePeriods, options.productType);
  const minUnits = options.minUnits ?? (ORDER_METRICS.has(action.metric) ? 30 : 14);
  if (missing > 0 || tPreCount < minUnits || tPostCount < minUnits) return null;
  const level = options.level ?? 0.95;
  const power = options.power ?? 0.8;
  const main = infer(data, seg, excluded, options.bootstrap ?? 400, level, options.rng ?? seededRng(options.seed ?? 1), options.blockDays);
  if (!main || !Number.isFinite(main.sd)) return null;
  const z = normalQuantile(1 - (1 - level) / 2) + normalQuantile(power);
  return {
    value: z * main.sd,
    days,
    level,
    power,
    blockDays: main.blockDays,
    periods: fakePeriods,
  };
}
