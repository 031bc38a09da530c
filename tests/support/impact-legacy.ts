/**
 * The impact evaluator as it was before ADR 023 (the pre-fix per-day branch, an i.i.d. bootstrap of days or orders with
 * the control fixed, and "achieved" on the point estimate), kept verbatim for the calibration bench's comparison only:
 * the placebo rates of the old method on the same simulated shops. Not used by the app. The input types (actions,
 * orders) are the current ones, which the change left as they were.
 */
import type { Caveat } from "../../app/insights/data-quality";
import { IMPACT_METRICS, type Action, type CellSummary, type ImpactLine, type ImpactMetric, type ImpactOrder, type Verdict } from "../../app/insights/impact/evaluate";
import { quantile, seededRng, type Rng } from "../../app/insights/trends/random";
import { addDays, dayNumber, keptOrders, netRevenue } from "../../app/insights/trends/series";

export interface ImpactResult {
  actionId: string;
  metric: ImpactMetric;
  effectKind: "absolute" | "relative";
  periods: { pre: { start: string; end: string }; post: { start: string; end: string } };
  target: { pre: CellSummary; post: CellSummary };
  control: { products: string[]; pre: CellSummary; post: CellSummary; preLevelGap: number; preTrendGap: number } | null;
  prePost: number | null;
  estimate: number | null;
  ci: { lower: number; upper: number; level: number } | null;
  method: "difference-in-differences" | "pre-post";
  verdict: Verdict;
  reason: string;
  caveats: Caveat[];
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
}

export class ImpactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImpactError";
  }
}

// ---------------------------------------------------------------------------------------------------------------------

interface Kept {
  order: ImpactOrder;
  day: number;
  products: Set<string>;
}

type Period = "pre" | "post";

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

/** Values of one cell: per order (attach-rate 0/1, aov net total) or per day (sum over the day). */
function cellValues(
  kept: readonly Kept[],
  metric: ImpactMetric,
  inUnit: (k: Kept) => boolean,
  products: ReadonlySet<string>,
  addOns: ReadonlySet<string>,
  from: number,
  to: number,
  missing: { count: number },
): number[] {
  if (ORDER_METRICS.has(metric)) {
    const values: number[] = [];
    for (const k of kept) {
      if (k.day < from || k.day > to || !inUnit(k)) continue;
      if (metric === "aov") values.push(netRevenue(k.order));
      else values.push([...addOns].some((a) => k.products.has(a)) ? 1 : 0);
    }
    return values;
  }
  const perDay = new Array<number>(to - from + 1).fill(0);
  for (const k of kept) {
    if (k.day < from || k.day > to) continue;
    for (const line of k.order.lines) {
      if (line.productId === null || !products.has(line.productId)) continue;
      const v = lineValue(metric, line);
      if (v === null) missing.count++;
      else perDay[k.day - from]! += v;
    }
  }
  return perDay;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length);

function effectOf(kind: "absolute" | "relative", tPre: number, tPost: number, cPre: number | null, cPost: number | null): number {
  if (cPre === null || cPost === null) return kind === "absolute" ? tPost - tPre : tPost / tPre - 1;
  return kind === "absolute" ? tPost - tPre - (cPost - cPre) : tPost / tPre / (cPost / cPre) - 1;
}

function resampleMean(values: readonly number[], rng: Rng): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[Math.min(values.length - 1, Math.floor(rng() * values.length))]!;
  return s / values.length;
}

export function evaluateAction(orders: readonly ImpactOrder[], action: Action, options: EvaluateOptions): ImpactResult {
  const metric = action.metric;
  if (!IMPACT_METRICS.includes(metric)) throw new ImpactError(`unknown metric ${JSON.stringify(metric)}`);
  if (action.target.products.length === 0) throw new ImpactError("the action targets no product");
  if (metric === "attach-rate" && (action.target.addOns?.length ?? 0) === 0) throw new ImpactError("attach-rate needs add-on products (the pair's second side)");
  if (action.window.end < action.window.start) throw new ImpactError(`the window ends (${action.window.end}) before it starts (${action.window.start})`);
  if (action.decidedOn > action.window.start) throw new ImpactError(`the metric was chosen on ${action.decidedOn}, after the action started (${action.window.start}): it must be chosen before launch`);

  const rng = options.rng ?? seededRng(options.seed ?? 1);
  const B = options.bootstrap ?? 1000;
  const level = options.level ?? 0.95;
  const kind: "absolute" | "relative" = ORDER_METRICS.has(metric) ? "absolute" : "relative";
  const preDays = action.evaluation?.preDays ?? 90;
  const postStart = action.evaluation?.start ?? action.window.start;
  const postEnd = action.evaluation?.end ?? action.window.end;
  const preEnd = addDays(action.window.start, -1);
  const preStart = addDays(action.window.start, -preDays);
  const periods = { pre: { start: preStart, end: preEnd }, post: { start: postStart, end: postEnd } };
  const range: Record<Period, [number, number]> = {
    pre: [dayNumber(preStart), dayNumber(preEnd)],
    post: [dayNumber(postStart), dayNumber(postEnd)],
  };
  const caveats: Caveat[] = [...(options.caveats ?? [])];

  const targets = new Set(action.target.products);
  const addOns = new Set(action.target.addOns ?? []);
  const customers = action.target.customers ? new Set(action.target.customers) : null;
  const { orders: live } = keptOrders(orders, options.timeZone);
  const kept: Kept[] = [];
  for (const { order, day } of live) {
    const d = dayNumber(day);
    if (d < range.pre[0] || d > range.post[1]) continue;
    const products = new Set<string>();
    for (const l of order.lines) if (l.productId !== null && l.quantity > 0) products.add(l.productId);
    kept.push({ order: order as ImpactOrder, day: d, products });
  }
  const hasTarget = (k: Kept) => [...targets].some((p) => k.products.has(p)) && (customers === null || (k.order.customerId !== null && customers.has(k.order.customerId)));
  const missing = { count: 0 };
  const values = (inUnit: (k: Kept) => boolean, products: ReadonlySet<string>, p: Period) => cellValues(kept, metric, inUnit, products, addOns, range[p][0], range[p][1], missing);

  const tPre = values(hasTarget, targets, "pre");
  const tPost = values(hasTarget, targets, "post");
  const minUnits = options.minUnits ?? (ORDER_METRICS.has(metric) ? 30 : 14);

  // Control candidates: untargeted products with enough units, ranked by pre-period level and trend.
  let control: ImpactResult["control"] = null;
  let cPre: number[] | null = null;
  let cPost: number[] | null = null;
  const excluded = new Set([...targets, ...addOns]);
  const candidates = new Set<string>();
  for (const k of kept) for (const p of k.products) if (!excluded.has(p)) candidates.add(p);
  const half = Math.floor(preDays / 2);
  const summaryOf = (pre: number[], unitsDays: "orders" | "days", preStartDay: number, preOrdersDays: number[] | null) => {
    const level = mean(pre);
    let trend = 0;
    if (unitsDays === "days") trend = mean(pre.slice(half)) - mean(pre.slice(0, half));
    else if (preOrdersDays) {
      const first = pre.filter((_, i) => preOrdersDays[i]! < preStartDay + half);
      const second = pre.filter((_, i) => preOrdersDays[i]! >= preStartDay + half);
      trend = first.length > 0 && second.length > 0 ? mean(second) - mean(first) : 0;
    }
    return { level, trend };
  };
  const orderDays = (inUnit: (k: Kept) => boolean) => kept.filter((k) => k.day >= range.pre[0] && k.day <= range.pre[1] && inUnit(k)).map((k) => k.day);
  const unitKind = ORDER_METRICS.has(metric) ? "orders" : "days";
  const targetSummary = summaryOf(tPre, unitKind, range.pre[0], unitKind === "orders" ? orderDays(hasTarget) : null);
  const scale = (x: number) => (kind === "relative" ? Math.log(Math.max(x, 1e-9)) : x);
  const ranked: { product: string; distance: number; preUnits: number }[] = [];
  for (const product of candidates) {
    const only = new Set([product]);
    const inUnit = (k: Kept) => k.products.has(product) && !hasTarget(k);
    const pre = values(inUnit, only, "pre");
    const post = values(inUnit, only, "post");
    const preUnits = unitKind === "orders" ? pre.length : pre.reduce((s, v) => s + v, 0);
    if (unitKind === "orders" ? pre.length < 10 || post.length < 5 : preUnits < 10) continue;
    const s = summaryOf(pre, unitKind, range.pre[0], unitKind === "orders" ? orderDays(inUnit) : null);
    let distance: number;
    if (kind === "absolute") {
      const norm = Math.max(Math.abs(targetSummary.level), metric === "attach-rate" ? 0.05 : 1);
      distance = (Math.abs(s.level - targetSummary.level) + Math.abs(s.trend - targetSummary.trend)) / norm;
    } else {
      const relTrend = (x: { level: number; trend: number }) => x.trend / Math.max(x.level, 1e-9);
      distance = 0.25 * Math.abs(scale(s.level) - scale(targetSummary.level)) + Math.abs(relTrend(s) - relTrend(targetSummary));
    }
    ranked.push({ product, distance, preUnits: unitKind === "orders" ? pre.length : preUnits });
  }
  ranked.sort((a, b) => a.distance - b.distance || (a.product < b.product ? -1 : 1));
  const chosen: string[] = [];
  let pooled = 0;
  const targetUnits = unitKind === "orders" ? tPre.length : tPre.reduce((s, v) => s + v, 0);
  for (const r of ranked) {
    if (r.distance > 0.5 || chosen.length >= 10) break;
    chosen.push(r.product);
    pooled += r.preUnits;
    if (pooled >= targetUnits) break;
  }
  if (chosen.length > 0) {
    const set = new Set(chosen);
    const inControl = (k: Kept) => chosen.some((p) => k.products.has(p)) && !hasTarget(k);
    cPre = values(inControl, set, "pre");
    cPost = values(inControl, set, "post");
    const cs = summaryOf(cPre, unitKind, range.pre[0], unitKind === "orders" ? orderDays(inControl) : null);
    control = {
      products: chosen,
      pre: { units: cPre.length, value: mean(cPre) },
      post: { units: cPost.length, value: cPost.length > 0 ? mean(cPost) : null },
      preLevelGap: kind === "absolute" ? cs.level - targetSummary.level : cs.level / targetSummary.level - 1,
      preTrendGap: cs.trend - targetSummary.trend,
    };
  } else {
    caveats.push({ code: "no-control", severity: "warning", message: "No untargeted product was comparable before the action: the estimate is a pre/post change, with seasonality and trend not removed." });
  }

  const base = {
    actionId: action.id,
    metric,
    effectKind: kind,
    periods,
    target: { pre: { units: tPre.length, value: tPre.length > 0 ? mean(tPre) : null }, post: { units: tPost.length, value: tPost.length > 0 ? mean(tPost) : null } },
    control,
    method: (control ? "difference-in-differences" : "pre-post") as ImpactResult["method"],
    caveats,
  };
  const inconclusive = (reason: string, prePost: number | null = null, estimate: number | null = null): ImpactResult => ({
    ...base,
    prePost,
    estimate,
    ci: null,
    verdict: "inconclusive",
    reason,
  });

  if (missing.count > 0) {
    caveats.push({ code: "missing-amounts", severity: "blocking", message: `${missing.count} target line(s) lack the ${metric === "margin" ? "cost or amount" : "amount"} the ${metric} metric needs.` });
    return inconclusive(`data quality: ${metric} cannot be measured (${missing.count} line(s) without ${metric === "margin" ? "cost" : "amount"})`);
  }
  if (options.asOf < postEnd) return inconclusive(`too early: the evaluation window ends ${postEnd}, after ${options.asOf}`);
  if (tPre.length < minUnits || tPost.length < minUnits) {
    return inconclusive(`too little data: ${tPre.length} pre-period and ${tPost.length} post-period ${unitKind} for the target (at least ${minUnits} each needed)`);
  }
  if (kind === "relative" && (mean(tPre) <= 0 || mean(tPost) < 0)) return inconclusive("too little data: the target has no positive pre-period value to compare with");
  const blocking = caveats.filter((c) => c.severity === "blocking");
  const controlPre = cPre && cPre.length > 0 ? mean(cPre) : null;
  const controlPost = cPost && cPost.length > 0 ? mean(cPost) : null;
  const prePost = effectOf(kind, mean(tPre), mean(tPost), null, null);
  const estimate = effectOf(kind, mean(tPre), mean(tPost), controlPre, controlPost);
  if (blocking.length > 0) return inconclusive(`data quality: ${blocking.map((c) => c.message).join(" ")}`, prePost, estimate);

  const draws: number[] = [];
  for (let b = 0; b < B; b++) {
    const tp = resampleMean(tPre, rng);
    const tq = resampleMean(tPost, rng);
    const cp = cPre ? resampleMean(cPre, rng) : null;
    const cq = cPost ? resampleMean(cPost, rng) : null;
    const e = effectOf(kind, tp, tq, cp, cq);
    if (Number.isFinite(e)) draws.push(e);
  }
  const tail = (1 - level) / 2;
  const ci = { lower: quantile(draws, tail), upper: quantile(draws, 1 - tail), level };
  const sign = action.goal.direction === "increase" ? 1 : -1;
  const want = action.goal.minimumEffect; // in the goal's direction
  const goal = sign * want;
  const [lo, hi] = sign > 0 ? [ci.lower, ci.upper] : [-ci.upper, -ci.lower]; // in the goal's direction
  const signed = sign * estimate;
  const fmt = (x: number) => (kind === "relative" ? `${(x * 100).toFixed(1)} %` : metric === "attach-rate" ? `${(x * 100).toFixed(1)} points` : x.toFixed(0));
  let verdict: Verdict;
  let reason: string;
  if (lo > 0 && signed >= want) {
    verdict = "achieved";
    reason = `the effect ${fmt(estimate)} (CI ${fmt(ci.lower)} to ${fmt(ci.upper)}) reaches the goal of ${fmt(goal)}`;
  } else if (hi < want) {
    verdict = "not achieved";
    reason = `the whole interval (${fmt(ci.lower)} to ${fmt(ci.upper)}) falls short of the goal of ${fmt(goal)}`;
  } else if (lo <= 0) {
    verdict = "inconclusive";
    reason = `effect below noise: the interval (${fmt(ci.lower)} to ${fmt(ci.upper)}) holds both no effect and the goal of ${fmt(goal)}`;
  } else {
    verdict = "inconclusive";
    reason = `an effect is there (${fmt(estimate)}, CI ${fmt(ci.lower)} to ${fmt(ci.upper)}) but its size cannot yet be told from the goal of ${fmt(goal)}`;
  }
  if (control && Math.abs(control.preTrendGap) > Math.abs(targetSummary.level) * 0.2 && kind === "absolute") {
    caveats.push({ code: "pre-trends-differ", severity: "warning", message: "The control's pre-period trend differs from the target's: the estimate assumes they would have moved in parallel." });
  }
  return { ...base, prePost, estimate, ci, verdict, reason };
}
