/**
 * Actions and "did it work?": what the merchant did (a bundle discount, a widget, a price change, a campaign), recorded
 * with the metric, goal and evaluation window chosen BEFORE launch, evaluated on the shop's orders by the impact core
 * (app/insights/impact/evaluate.ts: difference-in-differences against an automatic control, bootstrap interval,
 * verdict), and the what-if of a proposed bundle discount (app/insights/impact/what-if.ts).
 *
 * Days are shop-local (the Shop row's time zone): an action's startsAt is the start of its first day and endsAt the
 * end of its last (exclusive). Money is integer minor units of the shop's currency. Every query is scoped by shop; an
 * action of another shop is "not found".
 */
import type { Prisma, Action as ActionRow, PrismaClient } from "@prisma/client";
import { z } from "zod";
import defaultPrisma from "../../db.server";
import { minorUnitDigits } from "../../insights/money";
import { dataQuality, type Caveat } from "../../insights/data-quality";
import { evaluateAction as evaluateImpact, ImpactError, IMPACT_METRICS, plannedMinimumDetectableEffect, type Action as ImpactAction, type ImpactOrder, type ImpactResult, type Verdict } from "../../insights/impact/evaluate";
import { benjaminiHochberg } from "../../insights/impact/fdr";
import { whatIfBundleDiscount, type WhatIfResult } from "../../insights/impact/what-if";
import { addDays, dayNumber, localDay } from "../../insights/trends/series";
import { loadOrders, loadProducts, type LoadedOrder } from "./load.server";
import { ActionError } from "./action-error";
import { evaluateWidgetAction, isWidgetAction, parseWidgetEvaluation, type WidgetEvaluation } from "../storefront/widgets.server";
import { evaluateCampaignAction, isCampaignAction, parseCampaignEvaluation, type CampaignEvaluation } from "../segments/campaign-evaluation.server";

export { ActionError };

export const ACTION_KINDS = ["bundle-discount", "widget", "price-change", "campaign"] as const;
/** The campaign metrics (per customer of a published segment, judged against its holdout) follow the impact core's. */
export const ACTION_METRICS = [...IMPACT_METRICS, "orders-per-customer", "revenue-per-customer"] as unknown as readonly ["attach-rate", "aov", "units", "revenue", "margin", "orders-per-customer", "revenue-per-customer"];
export const ACTION_STATUSES = ["planned", "live", "ended"] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const toNumber = (v: unknown) => {
  const b = blankToUndefined(v);
  return typeof b === "string" ? Number(b.trim()) : b;
};
/** Zod's error option: one message when the field is missing, another when it is there but invalid. */
const messages = (missing: string, invalid: string | ((input: unknown) => string)) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? missing : typeof invalid === "string" ? invalid : invalid(issue.input)),
});
const isDay = (s: string) => DAY.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
const day = (label: string) =>
  z
    .string(messages(`${label} is required (YYYY-MM-DD)`, `${label} must be a day YYYY-MM-DD`))
    .trim()
    .refine(isDay, `${label} must be a day YYYY-MM-DD`);
/** A list of ids from a form (repeated fields or one comma-separated value) or JSON. */
const idList = (label: string) =>
  z.preprocess(
    (v) => {
      const list = (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).flatMap((x) => String(x).split(","));
      return [...new Set(list.map((s) => s.trim()).filter(Boolean))];
    },
    z.array(z.string().max(100, `${label}: an id is at most 100 characters`)).max(200, `${label}: at most 200 ids`),
  );
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());

/** A new action, as the admin's form or a JSON client sends it. */
export const ActionInput = z
  .object({
    kind: z.enum(ACTION_KINDS, messages("kind is required", `kind must be one of ${ACTION_KINDS.join(", ")}`)),
    title: z.string(messages("title is required", "title must be text")).trim().min(1, "title is required").max(200, "title is at most 200 characters"),
    products: idList("products"),
    addOns: idList("add-ons"),
    customers: idList("customers"),
    segment: z.preprocess(blankToUndefined, z.string().trim().max(100, "segment is at most 100 characters").optional()),
    /** A campaign sent to a segment published to Shopify: the SegmentPublication id (app/lib/segments/publish.server.ts). */
    publication: z.preprocess(blankToUndefined, z.string().trim().max(100, "publication is at most 100 characters").optional()),
    start: z.preprocess(blankToUndefined, day("the start day")),
    end: z.preprocess(blankToUndefined, day("the end day").optional()),
    metric: z.preprocess(
      blankToUndefined,
      z.enum(
        ACTION_METRICS,
        messages(`metric is required: choose it before launch (${ACTION_METRICS.join(", ")})`, (input) => `metric must be one of ${ACTION_METRICS.join(", ")} (got ${JSON.stringify(input)})`),
      ),
    ),
    goalValue: z.preprocess(
      toNumber,
      z
        .number(messages("goal is required: the minimum effect that counts as success, chosen before launch", "goal must be a number"))
        .min(0, "goal must be zero or more (its direction says increase or decrease)"),
    ),
    goalDirection: z.enum(["increase", "decrease"], messages("goal direction is required (increase or decrease)", "goal direction must be increase or decrease")),
    evaluationDays: z.preprocess(
      toNumber,
      z
        .number(messages("evaluation window is required: the number of days from the start that are evaluated", "evaluation window must be a number of days"))
        .int("evaluation window must be a whole number of days")
        .min(1, "evaluation window must be at least 1 day")
        .max(365, "evaluation window is at most 365 days"),
    ),
    alreadyLive: checkbox.default(false),
    note: z.preprocess(blankToUndefined, z.string().trim().max(1000, "note is at most 1000 characters").optional()),
  })
  .superRefine((a, ctx) => {
    if (a.end !== undefined && isDay(a.start) && isDay(a.end) && a.end < a.start) ctx.addIssue({ code: "custom", path: ["end"], message: `the window ends (${a.end}) before it starts (${a.start})` });
    if (a.metric === "attach-rate" && a.addOns.length === 0) ctx.addIssue({ code: "custom", path: ["addOns"], message: "attach-rate needs add-on products: the products whose attachment to the targets is measured" });
    if (a.addOns.some((id) => a.products.includes(id))) ctx.addIssue({ code: "custom", path: ["addOns"], message: "a product cannot be both a target and an add-on" });
    // A campaign to a published segment targets its customers, not products.
    if (a.products.length === 0 && !(a.kind === "campaign" && a.publication)) ctx.addIssue({ code: "custom", path: ["products"], message: "choose at least one target product" });
    if (a.alreadyLive && !a.note) ctx.addIssue({ code: "custom", path: ["note"], message: "an action recorded as already live needs a note saying when its metric and goal were decided" });
  });
export type ActionInput = z.infer<typeof ActionInput>;

export const WhatIfInput = z.object({
  anchor: z.string(messages("choose the anchor product", "the anchor must be a product id")).trim().min(1, "choose the anchor product").max(100),
  addOn: z.string(messages("choose the add-on product", "the add-on must be a product id")).trim().min(1, "choose the add-on product").max(100),
  discountPercent: z.preprocess(
    toNumber,
    z.number(messages("discount % is required", "discount % must be a number")).gt(0, "discount % must be above 0").lt(100, "discount % must be below 100"),
  ),
  campaignDays: z.preprocess(
    toNumber,
    z.number(messages("campaign days are required", "campaign days must be a number")).int("campaign days must be whole days").min(1, "campaign days must be at least 1").max(365, "campaign days are at most 365").default(30),
  ),
});
export type WhatIfInput = z.infer<typeof WhatIfInput>;

/** The days the what-if's baseline attach rate comes from: the last ones before the history's end. */
export const WHAT_IF_BASELINE_DAYS = 90;

function firstMessage(error: z.ZodError): string {
  return error.issues.map((i) => i.message).join("; ");
}

// ---------------------------------------------------------------------------------------------------------------------
// Shop-local days ↔ instants

function zoneOffsetMs(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - Math.floor(t / 1000) * 1000;
}

/** The instant a shop-local day begins. */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  let t = midnightUtc;
  for (let i = 0; i < 3; i++) {
    const next = midnightUtc - zoneOffsetMs(t, timeZone);
    if (next === t) break;
    t = next;
  }
  return new Date(t);
}

// ---------------------------------------------------------------------------------------------------------------------
// Records

export interface ActionTarget {
  products: string[];
  addOns?: string[];
  customers?: string[];
  segment?: string;
  /** A campaign to a published segment: its SegmentPublication id (members and holdout on SegmentMember). */
  publication?: string;
}

/** The impact core's before/after methods, in words: every stored evaluation names its method this way. */
export const IMPACT_METHOD_WORDS = { "difference-in-differences": "before/after against a control", "pre-post": "before/after, no control" } as const;
type ImpactMethodWords = (typeof IMPACT_METHOD_WORDS)[keyof typeof IMPACT_METHOD_WORDS];

/**
 * A before/after evaluation as stored: the impact core's result with `method` in words and `design` the estimator that
 * ran (difference-in-differences, or pre-post when no control was comparable).
 */
export interface StoredEvaluation extends Omit<ImpactResult, "method" | "donors"> {
  method: ImpactMethodWords;
  design: ImpactResult["method"];
  asOf: string;
  /** Null on evaluations stored before ADR 023 (as are the checks, the MDE and pGoal). */
  donors: ImpactResult["donors"] | null;
}

/** ADR 023's fields, absent from evaluations stored before it: read back as null. */
const ADR_023_FIELDS = ["donors", "inference", "significant", "goalShare", "pGoal", "preFit", "placebo", "mde"] as const;

/**
 * A stored before/after evaluation read back, or null when it is another kind's or does not validate. Rows stored before
 * `method` was in words carry the design's code there and no `design`: both are filled in.
 */
const StoredImpactEvaluation = z
  .object({
    method: z.string(),
    design: z.enum(["difference-in-differences", "pre-post"]).optional(),
    asOf: z.string(),
    metric: z.string(),
    effectKind: z.enum(["absolute", "relative"]),
    verdict: z.enum(["achieved", "not achieved", "inconclusive"]),
    reason: z.string(),
    estimate: z.number().nullable(),
    ci: z.object({ lower: z.number(), upper: z.number(), level: z.number() }).nullable(),
    target: z.object({ pre: z.object({ units: z.number(), value: z.number().nullable() }), post: z.object({ units: z.number(), value: z.number().nullable() }) }),
    control: z.object({ products: z.array(z.string()), pre: z.object({ units: z.number(), value: z.number().nullable() }), post: z.object({ units: z.number(), value: z.number().nullable() }) }).passthrough().nullable(),
    caveats: z.array(z.object({ code: z.string(), severity: z.string(), message: z.string() }).passthrough()),
    pGoal: z.number().nullable().optional(),
    goalShare: z.number().nullable().optional(),
    mde: z.object({ value: z.number(), days: z.number(), level: z.number(), power: z.number() }).passthrough().nullable().optional(),
  })
  .passthrough()
  .transform((e, ctx) => {
    const design = e.design ?? (e.method === "difference-in-differences" || e.method === "pre-post" ? e.method : undefined);
    if (!design) {
      ctx.addIssue({ code: "custom", message: `unknown method ${e.method}` });
      return z.NEVER;
    }
    const filled = Object.fromEntries(ADR_023_FIELDS.map((k) => [k, (e as Record<string, unknown>)[k] ?? null]));
    return { ...e, ...filled, design, method: IMPACT_METHOD_WORDS[design] };
  });
export function parseImpactEvaluation(value: unknown): StoredEvaluation | null {
  const parsed = StoredImpactEvaluation.safeParse(value);
  return parsed.success ? (parsed.data as unknown as StoredEvaluation) : null;
}

async function shopOf(db: PrismaClient, shop: string) {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, timezone: true } });
  if (!row) throw new ActionError(`unknown shop ${shop}`, 404);
  return row;
}

/** The status an action has at `now`, from its dates. */
export function statusAt(a: Pick<ActionRow, "startsAt" | "endsAt">, now: Date): ActionStatus {
  if (a.endsAt && a.endsAt.getTime() <= now.getTime()) return "ended";
  if (a.startsAt.getTime() <= now.getTime()) return "live";
  return "planned";
}

/** The action's window and evaluation period in shop-local days. */
export function actionDays(a: Pick<ActionRow, "startsAt" | "endsAt" | "evaluationDays">, timeZone: string) {
  const start = localDay(a.startsAt, timeZone);
  const evaluationEnd = addDays(start, a.evaluationDays - 1);
  const end = a.endsAt ? localDay(a.endsAt.getTime() - 1, timeZone) : evaluationEnd;
  return { start, end, evaluation: { start, end: evaluationEnd } };
}

/**
 * Records an action. Its metric, goal and evaluation window are required now, before launch: an action whose first day
 * is already past is refused unless it is recorded as already live, with a note (its verdicts then say so).
 */
export async function createAction({ db = defaultPrisma, shop, now, input }: { db?: PrismaClient; shop: string; now: Date; input: unknown }): Promise<ActionRow> {
  const parsed = ActionInput.safeParse(input);
  if (!parsed.success) throw new ActionError(firstMessage(parsed.error), 400);
  const a = parsed.data;
  const { timezone: timeZone } = await shopOf(db, shop);
  const today = localDay(now, timeZone);
  if (a.start < today && !a.alreadyLive) {
    throw new ActionError(
      `the action starts ${a.start}, before today (${today}): the metric, goal and evaluation window must be chosen before launch. Record it as already live, with a note, if it is running.`,
      400,
    );
  }
  const ids = [...new Set([...a.products, ...a.addOns])];
  const known = await db.product.findMany({ where: { shop, id: { in: ids } }, select: { id: true } });
  const missing = ids.filter((id) => !known.some((k) => k.id === id));
  if (missing.length > 0) throw new ActionError(`unknown product(s) in this shop: ${missing.join(", ")}`, 400);
  const data = actionRowData(shop, a, timeZone, now);
  const power = isWidgetAction(data) || isCampaignAction(data) || !(IMPACT_METRICS as readonly string[]).includes(a.metric) ? null : await plannedPowerOf(db, shop, timeZone, data, now);
  return db.action.create({ data: { ...data, createdAt: now, ...(power ? { plannedPower: power as unknown as Prisma.InputJsonValue } : {}) } });
}

/** The minimum detectable effect stored on an action when it is recorded (ADR 023). */
export interface PlannedPower {
  value: number;
  days: number;
  level: number;
  power: number;
  blockDays: number;
  /** The fake launch in the latest history the design was run on. */
  periods: { pre: { start: string; end: string }; post: { start: string; end: string } };
  effectKind: "absolute" | "relative";
}
const PlannedPowerSchema = z.object({ value: z.number(), days: z.number(), level: z.number(), power: z.number(), blockDays: z.number(), effectKind: z.enum(["absolute", "relative"]) }).passthrough();
export function parsePlannedPower(value: unknown): PlannedPower | null {
  const parsed = PlannedPowerSchema.safeParse(value);
  return parsed.success ? (parsed.data as unknown as PlannedPower) : null;
}

/**
 * The smallest effect the action's design would detect with 80 % power at 95 %: the same estimator (control, blocks of
 * days, customers as clusters) on a fake launch whose evaluation window ends the day before the launch (or yesterday,
 * for a launch still ahead). Null when the history is too short or the target has no sales.
 */
async function plannedPowerOf(db: PrismaClient, shop: string, timeZone: string, row: ReturnType<typeof actionRowData>, now: Date): Promise<PlannedPower | null> {
  const days = actionDays({ startsAt: row.startsAt, endsAt: row.endsAt, evaluationDays: row.evaluationDays }, timeZone);
  const target = row.target as unknown as ActionTarget;
  if (target.products.length === 0) return null;
  const products = await loadProducts(db, shop);
  const unitCost = row.metric === "margin" ? (id: string) => products.get(id)?.unitCost ?? null : null;
  const orders = (await loadOrders(db, shop)).map((o) => impactOrderOf(o, unitCost));
  const today = localDay(now, timeZone);
  const lastDay = addDays(days.start < today ? days.start : today, -1);
  try {
    const mde = plannedMinimumDetectableEffect(orders, impactActionOf(row, target, days, days.start), {
      timeZone,
      asOf: today,
      lastDay,
      seed: 1,
      bootstrap: 400,
      productType: (id) => products.get(id)?.productType ?? null,
    });
    return mde ? { ...mde, effectKind: row.metric === "attach-rate" || row.metric === "aov" ? "absolute" : "relative" } : null;
  } catch (error) {
    if (error instanceof ImpactError) return null;
    throw error;
  }
}

function impactActionOf(
  row: Pick<ActionRow, "kind" | "title" | "metric" | "goalDirection" | "goalValue"> & { id?: string },
  target: ActionTarget,
  days: ReturnType<typeof actionDays>,
  decidedOn: string,
): ImpactAction {
  return {
    id: row.id ?? "planned",
    kind: row.kind as ImpactAction["kind"],
    name: row.title,
    target: { products: target.products, addOns: target.addOns, customers: target.customers, segment: target.segment },
    window: { start: days.start, end: days.end },
    metric: row.metric as ImpactAction["metric"],
    goal: { direction: row.goalDirection as "increase" | "decrease", minimumEffect: row.goalValue },
    evaluation: { start: days.evaluation.start, end: days.evaluation.end },
    decidedOn,
  };
}

/** An Action row's fields from a checked input: the target, the shop-local days as instants, the status at `now`. */
export function actionRowData(shop: string, a: ActionInput, timeZone: string, now: Date) {
  const target: ActionTarget = {
    products: a.products,
    ...(a.addOns.length > 0 ? { addOns: a.addOns } : {}),
    ...(a.customers.length > 0 ? { customers: a.customers } : {}),
    ...(a.segment ? { segment: a.segment } : {}),
    ...(a.publication ? { publication: a.publication } : {}),
  };
  const startsAt = startOfLocalDay(a.start, timeZone);
  const endsAt = a.end ? startOfLocalDay(addDays(a.end, 1), timeZone) : null;
  return {
    shop,
    kind: a.kind,
    title: a.title,
    target: target as unknown as Prisma.InputJsonValue,
    startsAt,
    endsAt,
    metric: a.metric,
    goalValue: a.goalValue,
    goalDirection: a.goalDirection,
    evaluationDays: a.evaluationDays,
    status: statusAt({ startsAt, endsAt }, now),
    note: a.note ?? null,
  };
}

/** The shop's actions, newest first, with their status brought up to `now`. */
export async function listActions({ db = defaultPrisma, shop, now }: { db?: PrismaClient; shop: string; now: Date }) {
  await db.action.updateMany({ where: { shop, status: { not: "ended" }, endsAt: { lte: now } }, data: { status: "ended" } });
  await db.action.updateMany({ where: { shop, status: "planned", startsAt: { lte: now } }, data: { status: "live" } });
  const rows = await db.action.findMany({ where: { shop }, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
  return rows.map((r) => {
    const widget = isWidgetAction(r);
    const campaign = isCampaignAction(r);
    return {
      ...r,
      target: r.target as unknown as ActionTarget,
      lastEvaluation: widget || campaign ? null : parseImpactEvaluation(r.lastEvaluation),
      widgetEvaluation: widget ? parseWidgetEvaluation(r.lastEvaluation) : null,
      campaignEvaluation: campaign ? parseCampaignEvaluation(r.lastEvaluation) : null,
    };
  });
}

/** One action of the shop, or a 404 ActionError (also for another shop's action). */
export async function getAction({ db = defaultPrisma, shop, id }: { db?: PrismaClient; shop: string; id: string }) {
  const row = await db.action.findUnique({ where: { shop_id: { shop, id } } });
  if (!row) throw new ActionError(`no action ${id} in this shop`, 404);
  return row;
}

/** A loaded order as the impact core's record: line amounts, and unit costs when the margin needs them. */
function impactOrderOf(o: LoadedOrder, unitCost: ((productId: string) => number | null) | null): ImpactOrder {
  return {
    id: o.id,
    createdAt: o.createdAt,
    customerId: o.customerId,
    currency: o.currency,
    total: o.total,
    totalRefunded: o.totalRefunded,
    cancelledAt: o.cancelledAt,
    test: o.test,
    lines: o.lines.map((l) => {
      const productId = l.productId === null || l.isCustom || l.isGiftCard ? null : l.productId;
      return {
        productId,
        quantity: l.quantity,
        refundedQuantity: l.refundedQuantity,
        amount: l.unitPrice * l.quantity - l.totalDiscount,
        ...(unitCost && productId !== null ? { unitCost: unitCost(productId) } : {}),
      };
    }),
  };
}

/**
 * Evaluates the shop's action `id` on the shop's orders as of `now` and stores the verdict (achieved / not achieved /
 * inconclusive, with the reason, the estimate and its interval).
 */
export async function evaluateAction({ db = defaultPrisma, shop, id, now, seed = 1 }: { db?: PrismaClient; shop: string; id: string; now: Date; seed?: number }) {
  const row = await getAction({ db, shop, id });
  // A storefront widget has a randomized holdout: it is judged by that comparison, not by a before/after.
  if (isWidgetAction(row)) return evaluateWidgetAction({ db, shop, row, now });
  // So does a campaign sent to a published segment: treated members against the segment's held-out members.
  if (isCampaignAction(row)) return evaluateCampaignAction({ db, shop, row, now, seed });
  if (!(IMPACT_METRICS as readonly string[]).includes(row.metric)) {
    throw new ActionError(
      `${row.metric} is measured per customer against a published segment's randomized holdout, and this action names no segment publication: a before/after evaluation measures ${IMPACT_METRICS.join(", ")}`,
      400,
    );
  }
  const { timezone: timeZone } = await shopOf(db, shop);
  const target = row.target as unknown as ActionTarget;
  const days = actionDays(row, timeZone);
  const createdDay = localDay(row.createdAt, timeZone);
  const late = createdDay > days.start;
  const loaded = await loadOrders(db, shop);
  const products = await loadProducts(db, shop);
  const unitCost = row.metric === "margin" ? (productId: string) => products.get(productId)?.unitCost ?? null : null;
  const orders = loaded.map((o) => impactOrderOf(o, unitCost));
  const caveats: Caveat[] = [...dataQuality(orders, timeZone).caveats];
  if (late) {
    caveats.push({
      code: "recorded-after-launch",
      severity: "warning",
      message: `Recorded on ${createdDay}, after the action started (${days.start}): the metric and goal were not provably chosen before launch.${row.note ? ` Note: ${row.note}` : ""}`,
    });
  }
  // An action recorded as already live counts as decided at its start (its caveat says it was recorded later).
  const action = impactActionOf(row, target, days, late ? days.start : createdDay);
  const asOf = localDay(now, timeZone);
  let result: ImpactResult;
  try {
    result = evaluateImpact(orders, action, { timeZone, asOf, seed, bootstrap: EVALUATION_DRAWS, caveats, productType: (id) => products.get(id)?.productType ?? null });
  } catch (error) {
    if (error instanceof ImpactError) throw new ActionError(error.message, 400);
    throw error;
  }
  const evaluation: StoredEvaluation = { ...result, method: IMPACT_METHOD_WORDS[result.method], design: result.method, asOf };
  const updated = await db.action.update({
    where: { shop_id: { shop, id } },
    data: { lastEvaluation: JSON.parse(JSON.stringify(evaluation)) as Prisma.InputJsonValue, evaluatedAt: now, status: statusAt(row, now) },
  });
  const confirmation = (await shopConfirmations(db, shop, now)).get(id) ?? null;
  return { action: updated, evaluation, confirmation };
}

/** Bootstrap draws of an evaluation run inside the merchant's request (ADR 023: well under a second on a demo-sized shop). */
const EVALUATION_DRAWS = 600;

/** The one-sided level at which "achieved" is claimed, and at which the shop's false discovery rate is controlled. */
export const FDR_LEVEL = 0.025;

/** Whether an evaluation's "achieved" survives the shop-wide false discovery rate control. */
export interface Confirmation {
  confirmed: boolean;
  /** Evaluations in the family (every final verdict of the shop with a p-value: before/after, widget and campaign). */
  family: number;
  pGoal: number;
  reason: string | null;
}

/** An evaluated action as the family sees it: its verdict and the one-sided p-value of "short of the goal". */
interface FamilyMember {
  id: string;
  verdict: Verdict;
  pGoal: number | null;
}

/**
 * An action's place in the family, from its stored evaluation (listActions' parsed shape): before/after evaluations
 * carry pGoal themselves; a widget's comes from its randomized lift and a campaign's from its permutation test, each
 * only once the window is over (an interim look claims nothing). Evaluations stored before ADR 023 have none.
 */
function familyMember(a: { id: string; lastEvaluation: StoredEvaluation | null; widgetEvaluation: WidgetEvaluation | null; campaignEvaluation: CampaignEvaluation | null }): FamilyMember | null {
  const w = a.widgetEvaluation;
  if (w) return { id: a.id, verdict: w.verdict, pGoal: w.window.over ? (w.lift.verdict?.pGoal ?? null) : null };
  const c = a.campaignEvaluation;
  if (c) return { id: a.id, verdict: c.verdict, pGoal: c.result?.pGoal ?? null };
  const e = a.lastEvaluation;
  return e ? { id: a.id, verdict: e.verdict, pGoal: typeof e.pGoal === "number" ? e.pGoal : null } : null;
}

/**
 * Benjamini–Hochberg at FDR_LEVEL over the one-sided p-values ("the goal was not reached") of all the shop's final
 * verdicts — before/after, storefront widget and segment campaign alike: an "achieved" that does not survive is shown
 * as not confirmed.
 */
async function shopConfirmations(db: PrismaClient, shop: string, now: Date): Promise<Map<string, Confirmation>> {
  return confirmationsOf(await listActions({ db, shop, now }));
}

export function confirmationsOf(actions: readonly Parameters<typeof familyMember>[0][]): Map<string, Confirmation> {
  const family = actions.map(familyMember).filter((x): x is FamilyMember & { pGoal: number } => x !== null && x.pGoal !== null && Number.isFinite(x.pGoal));
  const survives = benjaminiHochberg(
    family.map((x) => x.pGoal),
    FDR_LEVEL,
  );
  const out = new Map<string, Confirmation>();
  family.forEach((x, i) => {
    const confirmed = x.verdict !== "achieved" || survives[i]!;
    out.set(x.id, {
      confirmed,
      family: family.length,
      pGoal: x.pGoal,
      reason: confirmed
        ? null
        : `not confirmed: achieved on its own (one-sided p = ${x.pGoal.toFixed(3)}), but not after controlling the false discovery rate at ${FDR_LEVEL * 100} % across this shop's ${family.length} evaluated actions (Benjamini–Hochberg)`,
    });
  });
  return out;
}

/**
 * What if the shop offered `discountPercent` % off the add-on when bought with the anchor, for `campaignDays` days?
 * The baseline is the last WHAT_IF_BASELINE_DAYS days of the history (up to yesterday); prices and unit costs are the
 * products' current ones (lowest-priced variant).
 */
export async function whatIfBundle({ db = defaultPrisma, shop, now, input }: { db?: PrismaClient; shop: string; now: Date; input: unknown }) {
  const parsed = WhatIfInput.safeParse(input);
  if (!parsed.success) throw new ActionError(firstMessage(parsed.error), 400);
  const w = parsed.data;
  if (w.anchor === w.addOn) throw new ActionError("the anchor and the add-on must be two different products", 400);
  const { timezone: timeZone, currency } = await shopOf(db, shop);
  const products = await loadProducts(db, shop);
  const anchor = products.get(w.anchor);
  const addOn = products.get(w.addOn);
  if (!anchor || !addOn) throw new ActionError(`unknown product(s) in this shop: ${[w.anchor, w.addOn].filter((id) => !products.has(id)).join(", ")}`, 400);
  const orders = (await loadOrders(db, shop)).map((o) => impactOrderOf(o, null));
  const yesterday = addDays(localDay(now, timeZone), -1);
  const lastOrder = orders.reduce((m, o) => (o.createdAt.getTime() > m ? o.createdAt.getTime() : m), Number.NEGATIVE_INFINITY);
  const caveats: string[] = [];
  let end = yesterday;
  if (Number.isFinite(lastOrder)) {
    const lastDay = localDay(lastOrder, timeZone);
    if (lastDay < end) {
      end = lastDay;
      if (dayNumber(yesterday) - dayNumber(lastDay) > 14) caveats.push(`The latest order is from ${lastDay}: the baseline is the ${WHAT_IF_BASELINE_DAYS} days up to it.`);
    }
  }
  const baseline = { start: addDays(end, -(WHAT_IF_BASELINE_DAYS - 1)), end };
  let result: WhatIfResult;
  try {
    result = whatIfBundleDiscount(orders, {
      anchors: [w.anchor],
      addOns: [w.addOn],
      discount: w.discountPercent / 100,
      addOnPrice: addOn.price,
      addOnUnitCost: addOn.unitCost ?? null,
      baseline,
      campaignDays: w.campaignDays,
      timeZone,
    });
  } catch (error) {
    if (error instanceof RangeError) throw new ActionError(error.message, 400);
    throw error;
  }
  if (result.baselineOrders === 0) caveats.push(`No order with ${anchor.title} between ${baseline.start} and ${baseline.end}: nothing to project.`);
  if (addOn.unitCost === null) caveats.push(`${addOn.title} has no unit cost: only revenue figures are given, not margin.`);
  const digits = minorUnitDigits(currency);
  const money = (minor: number) => new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: digits }).format(Math.round(minor) / 10 ** digits);
  const range = (lo: number, hi: number, f: (x: number) => string) => (lo <= hi ? `${f(lo)} to ${f(hi)}` : `${f(hi)} to ${f(lo)}`);
  const rate = (x: number) => `${(x * 100).toFixed(1)} %`;
  const display = {
    eligibleOrders: `${Math.round(result.eligibleOrders).toLocaleString("en-US")} (${result.eligibleOrdersPerDay.toFixed(2)} a day)`,
    // The attach rate is a share of the orders it was counted on: the baseline's, or the whole history's when the
    // baseline has no attached order (what-if.ts attachSource).
    baselineAttachRate:
      result.attachSource === "whole-history"
        ? `${rate(result.baselineAttachRate)} of ${result.attachOrders.orders.toLocaleString("en-US")} orders with the anchor in the whole history (none of the baseline's ${result.baselineOrders.toLocaleString("en-US")} had the add-on)`
        : `${rate(result.baselineAttachRate)} of ${result.attachOrders.orders.toLocaleString("en-US")} orders with the anchor`,
    uptake: `attach rate ${range(result.low.attachRate, result.high.attachRate, rate)}: ${range(result.low.incrementalAddOns, result.high.incrementalAddOns, (x) => Math.round(x).toLocaleString("en-US"))} extra add-ons`,
    subsidyCost: money(result.subsidyCost),
    netRevenue: range(result.low.incrementalRevenue, result.high.incrementalRevenue, money),
    netMargin: result.low.incrementalMargin === null || result.high.incrementalMargin === null ? null : range(result.low.incrementalMargin, result.high.incrementalMargin, money),
    breakEven: result.breakEvenElasticity === null ? null : result.breakEvenElasticity.toFixed(2),
  };
  return {
    input: w,
    currency,
    display,
    anchor: { id: anchor.id, title: anchor.title },
    addOn: { id: addOn.id, title: addOn.title, price: addOn.price, unitCost: addOn.unitCost ?? null },
    baseline,
    result,
    caveats,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The admin's "Actions and impact" page

const VERDICT_LABEL = { achieved: "Achieved", "not achieved": "Not achieved", inconclusive: "Inconclusive" } as const;
/** Products offered in the page's pickers. */
const PICKER_PRODUCTS = 500;

/** The goal in words, in the effect's units. */
export function describeGoal(metric: string, direction: string, value: number, currency: string): string {
  const sign = direction === "decrease" ? "−" : "+";
  if (metric === "attach-rate") return `${sign}${(value * 100).toFixed(1)} points of attach rate`;
  if (metric === "aov") {
    const digits = minorUnitDigits(currency);
    return `${sign}${new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: digits }).format(value / 10 ** digits)} average order`;
  }
  return `${sign}${(value * 100).toFixed(1)} % ${metric} per day`;
}

/** One row of a campaign's figures: treated against held-out customers, per customer, and the difference with its interval. */
export interface CampaignFigure {
  label: string;
  treated: string;
  holdout: string;
  difference: string;
  lift: string;
}

/** A campaign's verdict for the Actions page: the method, the goal metric's lift with its interval, and both metrics per customer. */
function campaignVerdict(c: CampaignEvaluation, metric: string, currency: string) {
  const digits = minorUnitDigits(currency);
  const money = (minor: number) => new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: digits }).format(minor / 10 ** digits);
  const signed = (x: number, f: (x: number) => string) => `${x >= 0 ? "+" : "−"}${f(Math.abs(x))}`;
  const pct = (x: number) => signed(x, (v) => `${(v * 100).toFixed(1)} %`);
  const r = c.result;
  const level = r ? `${Math.round(r.level * 100)} %` : "";
  const goalMetric = r ? r.metrics[metric as keyof typeof r.metrics] : null;
  const liftText = (m: NonNullable<typeof goalMetric>) => (m.relative ? `${pct(m.relative.estimate)} [${pct(m.relative.lower)} to ${m.relative.upper === null ? "unbounded" : pct(m.relative.upper)}]` : "— (no holdout value)");
  const figures: CampaignFigure[] = r
    ? (
        [
          ["orders-per-customer", "Orders per customer", (x: number) => x.toFixed(3)],
          ["revenue-per-customer", "Revenue per customer", money],
        ] as const
      ).flatMap(([key, label, f]) => {
        const m = r.metrics[key];
        if (!m) return [];
        return [{ label, treated: f(m.treated), holdout: f(m.holdout), difference: `${signed(m.absolute.estimate, f)} [${signed(m.absolute.lower, f)} to ${signed(m.absolute.upper, f)}]`, lift: liftText(m) }];
      })
    : [];
  const arm = (name: string, a: { customers: number; orders: number } | undefined) => (a ? `${name}: ${a.customers.toLocaleString("en-US")} customers, ${a.orders.toLocaleString("en-US")} orders` : `${name}: —`);
  return {
    verdict: c.verdict,
    label: VERDICT_LABEL[c.verdict],
    reason: c.reason,
    method: r ? `${c.method} (${r.estimator})` : c.method,
    estimate: goalMetric?.relative ? pct(goalMetric.relative.estimate) : null,
    interval: goalMetric?.relative ? `${pct(goalMetric.relative.lower)} to ${goalMetric.relative.upper === null ? "unbounded" : pct(goalMetric.relative.upper)} (${level})` : null,
    target: arm("treated", r?.arms.treated),
    control: arm("holdout", r?.arms.holdout),
    caveats: [
      ...c.caveats,
      ...(c.members.joinedLater > 0 ? [`${c.members.joinedLater.toLocaleString("en-US")} customer(s) who joined the segment after launch are not counted (intention-to-treat on the ${c.members.atLaunch.toLocaleString("en-US")} members at launch).`] : []),
    ],
    figures: r ? { level, rows: figures } : null,
    details: [] as string[],
  };
}

export async function actionsPage({ shop, now, db = defaultPrisma }: { shop: string; now: Date; db?: PrismaClient }) {
  const { timezone: timeZone, currency } = await shopOf(db, shop);
  const actions = await listActions({ db, shop, now });
  const named = new Set(actions.flatMap((a) => [...a.target.products, ...(a.target.addOns ?? [])]));
  const [picker, namedRows] = await Promise.all([
    db.product.findMany({ where: { shop, deletedAt: null }, orderBy: [{ title: "asc" }, { id: "asc" }], take: PICKER_PRODUCTS, select: { id: true, title: true } }),
    db.product.findMany({ where: { shop, id: { in: [...named] } }, select: { id: true, title: true } }),
  ]);
  const titles = new Map([...picker, ...namedRows].map((p) => [p.id, p.title]));
  const title = (id: string) => titles.get(id) ?? `Product ${id}`;
  const value = (metric: string, x: number | null) => (x === null ? "—" : metric === "attach-rate" ? `${(x * 100).toFixed(1)} %` : metric === "aov" ? x.toFixed(0) : x.toFixed(3));
  const effect = (e: Pick<StoredEvaluation, "effectKind" | "metric">, x: number) => (e.effectKind === "relative" || e.metric === "attach-rate" ? `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)}${e.metric === "attach-rate" ? " points" : " %"}` : `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(0)}`);
  const magnitude = (e: Pick<StoredEvaluation, "effectKind" | "metric">, x: number) => effect(e, x).replace(/^[+−]/, "");
  const confirmations = confirmationsOf(actions);
  /** A verdict as shown: an "achieved" that did not survive the shop-wide FDR control reads "Not confirmed". */
  const confirmed = <V extends { verdict: Verdict; label: string; reason: string }>(id: string, v: V): V => {
    const c = confirmations.get(id);
    return c?.confirmed === false ? { ...v, verdict: "inconclusive", label: "Not confirmed", reason: `${c.reason}; ${v.reason}` } : v;
  };
  /** ADR 023's figures in words: how the interval was drawn, the pre-period checks, the detectable effect. */
  const details = (e: StoredEvaluation): string[] => {
    const out: string[] = [];
    if (e.inference) out.push(`Interval: ${e.inference.resample}${e.inference.controlChosenInEachDraw ? ", control chosen again in each draw" : ""}.`);
    if (e.preFit) out.push(`Pre-period fit: weekly gap ${magnitude(e, e.preFit.rmse)} root mean square over ${e.preFit.weeks} weeks${e.preFit.correlation === null ? "" : `, correlation ${e.preFit.correlation.toFixed(2)}`}${e.preFit.poor ? " (poor)" : ""}.`);
    if (e.placebo) {
      out.push(
        e.placebo.estimate === null || !e.placebo.ci
          ? `Placebo in time (${e.placebo.periods.post.start} – ${e.placebo.periods.post.end}): too little data.`
          : `Placebo in time (fake launch ${e.placebo.periods.post.start} – ${e.placebo.periods.post.end}): ${effect(e, e.placebo.estimate)} [${effect(e, e.placebo.ci.lower)} to ${effect(e, e.placebo.ci.upper)}] — ${e.placebo.passed ? "passed (no effect before launch)" : "failed"}.`,
      );
    }
    if (e.mde) out.push(`Smallest effect this evaluation detects with ${Math.round(e.mde.power * 100)} % power: ${magnitude(e, e.mde.value)}.`);
    if (e.donors && (e.donors.substitutes.length > 0 || e.donors.complements.length > 0)) {
      out.push(`Left out of the control: ${[...e.donors.substitutes.map((id) => `${title(id)} (substitute)`), ...e.donors.complements.map((id) => `${title(id)} (complement)`)].join(", ")}.`);
    }
    return out;
  };
  return {
    today: localDay(now, timeZone),
    kinds: [...ACTION_KINDS],
    metrics: [...ACTION_METRICS],
    timeZone,
    currency,
    products: picker,
    actions: actions.map((a) => {
      const days = actionDays(a, timeZone);
      const e = a.lastEvaluation;
      const w = a.widgetEvaluation;
      const c = a.campaignEvaluation;
      const wMetric = w ? w.lift.metrics[a.metric as keyof typeof w.lift.metrics] : null;
      const pct = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} %`;
      return {
        id: a.id,
        kind: a.kind,
        title: a.title,
        status: a.status,
        window: `${days.start} – ${a.endsAt ? days.end : "open"}`,
        evaluation: `${days.evaluation.start} – ${days.evaluation.end}`,
        targets: a.target.products.map(title),
        addOns: (a.target.addOns ?? []).map(title),
        metric: a.metric,
        goal:
          isWidgetAction(a) || isCampaignAction(a)
            ? `${a.goalDirection === "decrease" ? "−" : "+"}${(a.goalValue * 100).toFixed(1)} % ${a.metric} over the randomized holdout`
            : describeGoal(a.metric, a.goalDirection, a.goalValue, currency),
        note: a.note,
        power: (() => {
          const p = parsePlannedPower(a.plannedPower);
          if (!p) return null;
          const x = p.effectKind === "relative" || a.metric === "attach-rate" ? `${(p.value * 100).toFixed(1)}${a.metric === "attach-rate" ? " points" : " %"}` : p.value.toFixed(0);
          return `Detectable with ${Math.round(p.power * 100)} % power at ${Math.round(p.level * 100)} %: an effect of ${x} or more over ${p.days} days (from the same design on ${p.periods.post.start} – ${p.periods.post.end}); to be judged achieved, the effect must clear the goal by about that much.`;
        })(),
        evaluatedAt: a.evaluatedAt?.toISOString() ?? null,
        verdict: c
          ? confirmed(a.id, campaignVerdict(c, a.metric, currency))
          : w
          ? confirmed(a.id, {
              verdict: w.verdict,
              label: VERDICT_LABEL[w.verdict],
              reason: w.reason,
              method: `${w.method} (${w.lift.method})`,
              estimate: wMetric?.relative ? pct(wMetric.relative.estimate) : null,
              interval: wMetric?.relative ? `${pct(wMetric.relative.lower)} to ${pct(wMetric.relative.upper)} (${Math.round(w.lift.level * 100)} %)` : null,
              target: `treatment: ${w.lift.counts.treatment.visitors.toLocaleString("en-US")} visitors, ${w.lift.counts.treatment.orders.toLocaleString("en-US")} orders`,
              control: `holdout: ${w.lift.counts.holdout.visitors.toLocaleString("en-US")} visitors, ${w.lift.counts.holdout.orders.toLocaleString("en-US")} orders`,
              caveats: [],
              details: [] as string[],
              figures: null,
            })
          : e
          ? {
              ...confirmed(a.id, { verdict: e.verdict, label: VERDICT_LABEL[e.verdict], reason: e.reason }),
              method: `${e.method} (${e.design})`,
              details: details(e),
              estimate: e.estimate === null ? null : effect(e, e.estimate),
              interval: e.ci ? `${effect(e, e.ci.lower)} to ${effect(e, e.ci.upper)} (${Math.round(e.ci.level * 100)} %)` : null,
              target: `${value(e.metric, e.target.pre.value)} → ${value(e.metric, e.target.post.value)}`,
              control: e.control ? `${value(e.metric, e.control.pre.value)} → ${value(e.metric, e.control.post.value)} (${e.control.products.length} product(s))` : null,
              caveats: e.caveats.filter((c) => c.severity !== "info").map((c) => c.message),
              figures: null,
            }
          : null,
      };
    }),
  };
}
