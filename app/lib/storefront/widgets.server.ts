/**
 * The storefront widgets as the merchant runs them (ADR 019): which blocks are on, the holdout share, launching a widget
 * as an Action whose metric, goal and window are fixed before launch, and its evaluation from the randomized
 * comparison — the visitors the block was shown to against the holdout visitors it would have been shown to — never a
 * before/after.
 *
 * Exposure and arm come from the block's impression events (StorefrontEvent, sent through the app proxy); purchases
 * from the orders that came back with the visitor's cart attributes (`Order.visitorId`), in the window after the
 * visitor's first exposure, cancelled and test orders excluded, net of refunds. Every query is scoped by shop.
 */
import type { Action as ActionRow, Prisma, PrismaClient } from "@prisma/client";
import { z } from "zod";
import defaultPrisma from "../../db.server";
import { DEFAULT_MIN_ORDERS, LIFT_METRICS, minimumDetectableEffect, randomizedLift, type LiftResult, type VisitorOutcome } from "../../insights/offers/lift";
import { ShopSettingsSchema, parseShopSettings, type StorefrontSettings } from "../../models/shop-settings";
import { addDays, localDay } from "../../insights/trends/series";
import { ActionError } from "../insights/action-error";

export const WIDGETS = ["fbt", "upgrade", "cart"] as const;
export type Widget = (typeof WIDGETS)[number];
export const WIDGET_LABEL: Record<Widget, string> = { fbt: "Frequently bought together", upgrade: "Upgrade offer", cart: "Cart suggestions" };
export const WIDGET_METHOD = "randomized holdout";

const toNumber = (v: unknown) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.trim())) : v);

export const StorefrontSettingsInput = z.object({
  holdoutPercent: z.preprocess(
    toNumber,
    z.number({ error: "holdout share must be a number of percent" }).min(0, "holdout share is at least 0 %").max(50, "holdout share is at most 50 %"),
  ),
});

export const LaunchWidgetInput = z.object({
  widget: z.enum(WIDGETS, { error: `widget must be one of ${WIDGETS.join(", ")}` }),
  metric: z.enum(LIFT_METRICS as unknown as ["revenue-per-visitor", "conversion", "aov"], {
    error: `metric must be chosen before launch: one of ${LIFT_METRICS.join(", ")}`,
  }),
  goalPercent: z.preprocess(
    toNumber,
    z.number({ error: "goal is required: the smallest relative lift that counts as success, in %" }).gt(0, "goal must be above 0 %").max(1000, "goal is at most 1000 %"),
  ),
  evaluationDays: z.preprocess(
    toNumber,
    z.number({ error: "evaluation window is required (days)" }).int("evaluation window must be whole days").min(7, "evaluation window must be at least 7 days").max(180, "evaluation window is at most 180 days"),
  ),
});

export interface WidgetTarget {
  products: string[];
  widget: Widget;
}

export interface WidgetEvaluation {
  method: typeof WIDGET_METHOD;
  asOf: string;
  window: { start: string; end: string; over: boolean };
  verdict: "achieved" | "not achieved" | "inconclusive";
  reason: string;
  lift: LiftResult;
}

const StoredWidgetEvaluation = z.object({
  method: z.literal(WIDGET_METHOD),
  asOf: z.string(),
  window: z.object({ start: z.string(), end: z.string(), over: z.boolean() }),
  verdict: z.enum(["achieved", "not achieved", "inconclusive"]),
  reason: z.string(),
  lift: z.custom<LiftResult>((v) => typeof v === "object" && v !== null && "counts" in v && "metrics" in v),
});

/** A stored evaluation read back: a widget's, or null when the JSON is another kind's. */
export function parseWidgetEvaluation(value: unknown): WidgetEvaluation | null {
  const parsed = StoredWidgetEvaluation.safeParse(value);
  return parsed.success ? (parsed.data as WidgetEvaluation) : null;
}

/** A widget action's stored target (Action.target), validated when read back. */
const StoredWidgetTarget = z.object({ products: z.array(z.string()).default([]), widget: z.enum(WIDGETS) });

/** A stored target read back: the widget's, or null when the JSON is not a widget target. */
export function parseWidgetTarget(value: unknown): WidgetTarget | null {
  const parsed = StoredWidgetTarget.safeParse(value);
  return parsed.success ? parsed.data : null;
}

const widgetOf = (row: { target: unknown }): Widget | null => parseWidgetTarget(row.target)?.widget ?? null;

export function isWidgetAction(row: { kind: string; target: unknown }): boolean {
  return row.kind === "widget" && widgetOf(row) !== null;
}

async function shopRow(db: PrismaClient | Prisma.TransactionClient, shop: string) {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true, timezone: true, currency: true } });
  if (!row) throw new ActionError(`unknown shop ${shop}`, 404);
  return row;
}

/** Changes the stored storefront settings (read, change, write in one transaction); raises the version. */
async function changeStorefront(db: PrismaClient, shop: string, change: (s: z.infer<typeof ShopSettingsSchema>["storefront"]) => void): Promise<StorefrontSettings> {
  return db.$transaction(async (tx) => {
    const row = await shopRow(tx, shop);
    parseShopSettings(shop, row.settings); // refuses stored settings that do not validate, with the field
    const raw = ShopSettingsSchema.parse(row.settings ?? {});
    change(raw.storefront);
    raw.storefront.version += 1;
    await tx.shop.update({ where: { domain: shop }, data: { settings: raw as unknown as Prisma.InputJsonValue } });
    return parseShopSettings(shop, raw).storefront;
  });
}

export async function updateStorefrontSettings({ db = defaultPrisma, shop, input }: { db?: PrismaClient; shop: string; input: unknown }) {
  const parsed = StorefrontSettingsInput.safeParse(input);
  if (!parsed.success) throw new ActionError(parsed.error.issues.map((i) => i.message).join("; "), 400);
  return changeStorefront(db, shop, (s) => {
    s.holdoutShare = Math.round(parsed.data.holdoutPercent * 100) / 10000;
  });
}

/** The widget's action that is live or planned (at most one at a time), if any. */
async function openWidgetAction(db: PrismaClient | Prisma.TransactionClient, shop: string, widget: Widget) {
  const rows = await db.action.findMany({ where: { shop, kind: "widget", status: { not: "ended" } }, orderBy: { createdAt: "desc" } });
  return rows.find((r) => widgetOf(r) === widget) ?? null;
}

/**
 * Turns a widget on and records it as an Action: the metric, the goal (a relative lift over the holdout) and the
 * evaluation window are fixed now, before the first shopper sees it. A widget already running keeps its action.
 */
export async function launchWidget({ db = defaultPrisma, shop, now, input }: { db?: PrismaClient; shop: string; now: Date; input: unknown }) {
  const parsed = LaunchWidgetInput.safeParse(input);
  if (!parsed.success) throw new ActionError(parsed.error.issues.map((i) => i.message).join("; "), 400);
  const a = parsed.data;
  await shopRow(db, shop);
  const existing = await openWidgetAction(db, shop, a.widget);
  if (existing) throw new ActionError(`${WIDGET_LABEL[a.widget]} is already running as “${existing.title}”: end it before launching it again`, 400);
  const settings = await changeStorefront(db, shop, (s) => {
    s.widgets[a.widget] = true;
  });
  const target: WidgetTarget = { products: [], widget: a.widget };
  const action = await db.action.create({
    data: {
      shop,
      kind: "widget",
      title: `${WIDGET_LABEL[a.widget]} on the storefront`,
      target: target as unknown as Prisma.InputJsonValue,
      startsAt: now,
      endsAt: null,
      metric: a.metric,
      goalValue: a.goalPercent / 100,
      goalDirection: "increase",
      evaluationDays: a.evaluationDays,
      status: "live",
      note: `Randomized holdout of ${(settings.holdoutShare * 100).toFixed(1)} % of visitors (settings version ${settings.version}).`,
      createdAt: now,
    },
  });
  return { action, settings };
}

/** Turns a widget off; its running action ends now (its evaluation window is what it is). */
export async function stopWidget({ db = defaultPrisma, shop, now, widget }: { db?: PrismaClient; shop: string; now: Date; widget: string }) {
  if (!(WIDGETS as readonly string[]).includes(widget)) throw new ActionError(`widget must be one of ${WIDGETS.join(", ")}`, 400);
  const w = widget as Widget;
  const settings = await changeStorefront(db, shop, (s) => {
    s.widgets[w] = false;
  });
  const open = await openWidgetAction(db, shop, w);
  if (open) await db.action.update({ where: { shop_id: { shop, id: open.id } }, data: { endsAt: now, status: "ended" } });
  return { settings };
}

/**
 * One record per visitor exposed to the widget in [from, to): their arm (of their first exposure) and the orders they
 * placed after that first exposure and before `to`, net of refunds, cancelled and test orders left out.
 */
export async function widgetVisitorOutcomes({ db = defaultPrisma, shop, widget, from, to }: { db?: PrismaClient; shop: string; widget: Widget; from: Date; to: Date }): Promise<VisitorOutcome[]> {
  const exposures = await db.storefrontEvent.groupBy({
    by: ["visitorId", "arm"],
    where: { shop, widget, type: "impression", occurredAt: { gte: from, lt: to } },
    _min: { occurredAt: true },
  });
  const first = new Map<string, { arm: "treatment" | "holdout"; at: number }>();
  for (const e of exposures) {
    const at = e._min.occurredAt!.getTime();
    if (e.arm !== "treatment" && e.arm !== "holdout") continue;
    const seen = first.get(e.visitorId);
    if (!seen || at < seen.at) first.set(e.visitorId, { arm: e.arm, at });
  }
  const outcomes = new Map<string, VisitorOutcome>();
  for (const [vid, { arm }] of first) outcomes.set(vid, { arm, orders: 0, revenue: 0 });
  const ids = [...first.keys()];
  for (let i = 0; i < ids.length; i += 5000) {
    const orders = await db.order.findMany({
      where: { shop, visitorId: { in: ids.slice(i, i + 5000) }, processedAt: { gte: from, lt: to }, cancelledAt: null, test: false },
      select: { visitorId: true, processedAt: true, total: true, totalRefunded: true },
    });
    for (const o of orders) {
      const exposure = first.get(o.visitorId!);
      if (!exposure || o.processedAt.getTime() < exposure.at) continue;
      const out = outcomes.get(o.visitorId!)!;
      out.orders += 1;
      out.revenue += Number(o.total - o.totalRefunded);
    }
  }
  return [...outcomes.values()];
}

const VERDICT = { achieved: "achieved", "not-achieved": "not achieved", inconclusive: "inconclusive" } as const;

/** Evaluates a widget action from its randomized comparison and stores the verdict. */
export async function evaluateWidgetAction({ db = defaultPrisma, shop, row, now }: { db?: PrismaClient; shop: string; row: ActionRow; now: Date }) {
  const { timezone } = await shopRow(db, shop);
  const target = StoredWidgetTarget.safeParse(row.target);
  if (!target.success) throw new Error(`action ${row.id}: its stored target names no widget (${WIDGETS.join(", ")}): ${target.error.issues.map((i) => `${i.path.join(".") || "(target)"}: ${i.message}`).join("; ")}`);
  const metric = z.enum(LIFT_METRICS as unknown as ["revenue-per-visitor", "conversion", "aov"]).safeParse(row.metric);
  if (!metric.success) throw new Error(`action ${row.id}: its stored metric ${JSON.stringify(row.metric)} is not one of ${LIFT_METRICS.join(", ")}`);
  const windowEnd = new Date(row.startsAt.getTime() + row.evaluationDays * 86_400_000);
  const to = new Date(Math.min(windowEnd.getTime(), now.getTime(), row.endsAt?.getTime() ?? Number.POSITIVE_INFINITY));
  const over = now.getTime() >= windowEnd.getTime() || (row.endsAt !== null && row.endsAt.getTime() <= now.getTime());
  const visitors = await widgetVisitorOutcomes({ db, shop, widget: target.data.widget, from: row.startsAt, to });
  const lift = randomizedLift(visitors, { goal: { metric: metric.data, value: row.goalValue, kind: "relative", direction: "increase" } });
  const v = lift.verdict!;
  let verdict: WidgetEvaluation["verdict"] = VERDICT[v.status];
  let reason = v.reason;
  // A verdict read before the window closes would be a peek: repeated looks inflate false "achieved" calls.
  if (!over) {
    verdict = "inconclusive";
    reason = `the evaluation window runs until ${localDay(windowEnd, timezone)}: interim figures only (${v.reason})`;
  }
  const evaluation: WidgetEvaluation = {
    method: WIDGET_METHOD,
    asOf: localDay(now, timezone),
    window: { start: localDay(row.startsAt, timezone), end: localDay(windowEnd.getTime() - 1, timezone), over },
    verdict,
    reason,
    lift,
  };
  const updated = await db.action.update({
    where: { shop_id: { shop, id: row.id } },
    data: { lastEvaluation: JSON.parse(JSON.stringify(evaluation)) as Prisma.InputJsonValue, evaluatedAt: now },
  });
  return { action: updated, evaluation };
}

/**
 * What the chosen window can detect, from the last 28 days of the widget's exposures (both arms) and their orders:
 * the smallest relative lift in revenue per visitor and in conversion that the verdict would call achieved with 80 %
 * power. The traffic rate is over the days the widget had exposures in those 28 (from its first exposure, at least one
 * day): a widget launched a week ago is not taken for a quarter of its traffic. When the window's expected orders in
 * either arm fall short of the verdict's minimum (DEFAULT_MIN_ORDERS), nothing is detectable: both lifts are null.
 * Null when there was no traffic to base it on.
 */
export async function widgetMinimumDetectableEffect({ db = defaultPrisma, shop, widget, now, evaluationDays, holdoutShare }: { db?: PrismaClient; shop: string; widget: Widget; now: Date; evaluationDays: number; holdoutShare: number }) {
  const from = new Date(now.getTime() - 28 * 86_400_000);
  const visitors = await widgetVisitorOutcomes({ db, shop, widget, from, to: now });
  if (visitors.length < 20 || holdoutShare <= 0) return null;
  const first = await db.storefrontEvent.aggregate({ where: { shop, widget, type: "impression", occurredAt: { gte: from, lt: now } }, _min: { occurredAt: true } });
  const observedDays = Math.min(28, Math.max(1, (now.getTime() - (first._min.occurredAt ?? from).getTime()) / 86_400_000));
  const perDay = visitors.length / observedDays;
  const total = perDay * evaluationDays;
  const arms = { treatment: Math.max(2, total * (1 - holdoutShare)), holdout: Math.max(2, total * holdoutShare) };
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = (xs: number[]) => {
    const m = mean(xs);
    return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  };
  const revenue = visitors.map((v) => v.revenue);
  const converted = visitors.map((v) => (v.orders > 0 ? 1 : 0));
  const ordersPerVisitor = mean(visitors.map((v) => v.orders));
  const ordersExpected = { treatment: Math.round(arms.treatment * ordersPerVisitor), holdout: Math.round(arms.holdout * ordersPerVisitor) };
  const enough = ordersExpected.treatment >= DEFAULT_MIN_ORDERS && ordersExpected.holdout >= DEFAULT_MIN_ORDERS;
  return {
    visitorsExpected: Math.round(total),
    ordersExpected,
    revenuePerVisitor: enough ? minimumDetectableEffect({ visitorsPerArm: arms, baselineMean: mean(revenue), baselineSd: sd(revenue) }).relative : null,
    conversion: enough ? minimumDetectableEffect({ visitorsPerArm: arms, baselineMean: mean(converted), baselineSd: sd(converted) }).relative : null,
  };
}

/** The admin's Storefront page: the widgets, their settings, traffic, running actions and their last verdicts. */
export async function storefrontPage({ db = defaultPrisma, shop, now }: { db?: PrismaClient; shop: string; now: Date }) {
  const row = await shopRow(db, shop);
  const settings = parseShopSettings(shop, row.settings).storefront;
  const since = new Date(now.getTime() - 28 * 86_400_000);
  const counts = await db.storefrontEvent.groupBy({ by: ["widget", "arm", "type"], where: { shop, occurredAt: { gte: since } }, _count: { _all: true } });
  const count = (widget: Widget, arm: string, type: string) => counts.find((c) => c.widget === widget && c.arm === arm && c.type === type)?._count._all ?? 0;
  const attributedLines = await db.orderLine.groupBy({ by: ["offerWidget"], where: { shop, offerWidget: { not: null }, order: { processedAt: { gte: since }, cancelledAt: null, test: false } }, _count: { _all: true } });
  const actions = await db.action.findMany({ where: { shop, kind: "widget" }, orderBy: { createdAt: "desc" }, take: 50 });
  const widgets = await Promise.all(
    WIDGETS.map(async (w) => {
      const open = actions.find((a) => a.status !== "ended" && widgetOf(a) === w) ?? null;
      const latest = actions.find((a) => widgetOf(a) === w) ?? null;
      const evaluation = latest ? parseWidgetEvaluation(latest.lastEvaluation) : null;
      return {
        widget: w,
        label: WIDGET_LABEL[w],
        enabled: settings.widgets[w],
        last28Days: {
          impressions: count(w, "treatment", "impression"),
          holdoutImpressions: count(w, "holdout", "impression"),
          clicks: count(w, "treatment", "click"),
          addToCarts: count(w, "treatment", "add_to_cart"),
          attributedLines: attributedLines.find((l) => l.offerWidget === w)?._count._all ?? 0,
        },
        action: latest
          ? {
              id: latest.id,
              title: latest.title,
              status: latest.status,
              metric: latest.metric,
              goal: `+${(latest.goalValue * 100).toFixed(1)} % ${latest.metric} over the holdout`,
              window: `${localDay(latest.startsAt, row.timezone)} – ${addDays(localDay(latest.startsAt, row.timezone), latest.evaluationDays - 1)}`,
              running: open?.id === latest.id,
              evaluatedAt: latest.evaluatedAt?.toISOString() ?? null,
              evaluation,
            }
          : null,
      };
    }),
  );
  return { currency: row.currency, settings: { holdoutShare: settings.holdoutShare, holdoutPercent: settings.holdoutShare * 100, version: settings.version }, widgets };
}
