/**
 * "Did the campaign work?" for a campaign sent to a segment published to Shopify (ADR 021): the campaign Action
 * (kind "campaign", target `{ publication: <SegmentPublication id> }`, metric orders-per-customer or
 * revenue-per-customer, goal a relative lift over the holdout, all fixed when the segment was published) is judged by
 * the publication's randomized holdout — never by a before/after.
 *
 * Who is compared: intention-to-treat on the members at launch. Launch is when the campaign could first be sent: the
 * moment the segment first finished publishing (`publishedAt`: before that the Shopify segment's tags are not all in
 * place). The members at launch are the rows marked `atLaunch`, set on the members wanted in the same transaction that
 * set publishedAt (app/lib/segments/publish.server.ts) and never changed afterwards, each in the arm of their sticky
 * draw, whether or not the merchant's email reached them and whatever happened to their membership afterwards (a
 * member who leaves and rejoins stays in). Customers who joined later are left out (they were not randomized before
 * the campaign went out, and who joins after launch can depend on the campaign itself), and so are those who had left
 * before launch. The campaign Action's start is the shop-local day of publishing, so it is never after publishedAt; if
 * an action's start were later, the cohort would still be the one at publishedAt, and a caveat says so.
 *
 * Publications published before atLaunch existed have no row marked: for them the members at launch are rebuilt from
 * joinedAt ≤ launch and (leftAt null or leftAt > launch), which loses a member who left and rejoined after launch (a
 * rejoin resets joinedAt); a caveat says so.
 *
 * Outcomes: their orders (Order.customerId, this shop only) whose shop-local day of createdAt lies in the evaluation
 * window (the action's first day and the following evaluationDays − 1 days), cancelled and test orders and other
 * currencies left out, revenue net of refunds; the pure core (app/insights/impact/holdout-campaign.ts) does the rest.
 */
import type { Action as ActionRow, Prisma, PrismaClient } from "@prisma/client";
import { z } from "zod";
import defaultPrisma from "../../db.server";
import { CAMPAIGN_METHOD, CAMPAIGN_METRICS, evaluateCampaign, type CampaignMember, type CampaignMetric, type CampaignOrder, type CampaignResult } from "../../insights/impact/holdout-campaign";
import { addDays, localDay } from "../../insights/trends/series";
import { ActionError } from "../insights/action-error";

const DAY_MS = 86_400_000;
const CHUNK = 5000;

/** A campaign action's stored target (Action.target), validated when read back. */
const StoredCampaignTarget = z.object({ publication: z.string().min(1), products: z.array(z.string()).default([]) });

/** The publication a campaign action's stored target names, or null when it names none. */
export function parseCampaignTarget(value: unknown): { publication: string } | null {
  const parsed = StoredCampaignTarget.safeParse(value);
  return parsed.success ? { publication: parsed.data.publication } : null;
}

/** A campaign sent to a published segment (judged by its holdout), as opposed to any other action. */
export function isCampaignAction(row: { kind: string; target: unknown }): boolean {
  return row.kind === "campaign" && parseCampaignTarget(row.target) !== null;
}

export interface CampaignEvaluation {
  method: typeof CAMPAIGN_METHOD;
  asOf: string;
  window: { start: string; end: string; over: boolean };
  verdict: "achieved" | "not achieved" | "inconclusive";
  reason: string;
  publication: { id: string; name: string; holdoutShare: number };
  /** The intention-to-treat population: members at launch (ISO instant), and who was left out. */
  members: { launch: string | null; atLaunch: number; treated: number; holdout: number; joinedLater: number; leftBeforeLaunch: number };
  caveats: string[];
  /** The core's comparison; null when there was no launch to compare from (the segment never finished publishing). */
  result: CampaignResult | null;
}

const Interval = z.object({ estimate: z.number(), lower: z.number(), upper: z.number().nullable() });
const Arm = z.object({
  customers: z.number(),
  buyers: z.number(),
  orders: z.number(),
  revenue: z.number(),
  ordersPerCustomer: z.number().nullable(),
  revenuePerCustomer: z.number().nullable(),
});
const Metric = z
  .object({
    metric: z.enum(CAMPAIGN_METRICS as unknown as [CampaignMetric, ...CampaignMetric[]]),
    treated: z.number(),
    holdout: z.number(),
    absolute: Interval.extend({ upper: z.number(), se: z.number(), df: z.number() }),
    relative: Interval.nullable(),
  })
  .nullable();
const Verdict = z.enum(["achieved", "not achieved", "inconclusive"]);
const StoredCampaignEvaluation = z.object({
  method: z.literal(CAMPAIGN_METHOD),
  asOf: z.string(),
  window: z.object({ start: z.string(), end: z.string(), over: z.boolean() }),
  verdict: Verdict,
  reason: z.string(),
  publication: z.object({ id: z.string(), name: z.string(), holdoutShare: z.number() }),
  members: z.object({ launch: z.string().nullable(), atLaunch: z.number(), treated: z.number(), holdout: z.number(), joinedLater: z.number(), leftBeforeLaunch: z.number() }),
  caveats: z.array(z.string()),
  result: z
    .object({
      method: z.literal(CAMPAIGN_METHOD),
      estimator: z.string(),
      level: z.number(),
      arms: z.object({ treated: Arm, holdout: Arm }),
      metrics: z.object({ "orders-per-customer": Metric, "revenue-per-customer": Metric }),
      window: z.object({ start: z.string(), end: z.string(), over: z.boolean() }),
      excluded: z.object({ cancelled: z.number(), test: z.number(), otherCurrency: z.number(), outsideWindow: z.number(), notMembers: z.number() }),
      goal: z.object({ metric: z.enum(CAMPAIGN_METRICS as unknown as [CampaignMetric, ...CampaignMetric[]]), value: z.number(), kind: z.enum(["relative", "absolute"]), direction: z.enum(["increase", "decrease"]) }),
      verdict: Verdict,
      reason: z.string(),
      pGoal: z.number().optional(),
    })
    .nullable(),
});

/** A stored evaluation read back: a campaign's, or null when the JSON is another kind's (or does not validate). */
export function parseCampaignEvaluation(value: unknown): CampaignEvaluation | null {
  const parsed = StoredCampaignEvaluation.safeParse(value);
  return parsed.success ? (parsed.data as CampaignEvaluation) : null;
}

/**
 * Evaluates a campaign action from its publication's randomized holdout and stores the evaluation (Action.lastEvaluation,
 * evaluatedAt). `seed` fixes the holdout re-draws of the permutation test, so the same data give the same interval.
 */
export async function evaluateCampaignAction({ db = defaultPrisma, shop, row, now, seed = 1 }: { db?: PrismaClient; shop: string; row: ActionRow; now: Date; seed?: number }) {
  const target = parseCampaignTarget(row.target);
  if (!target) throw new Error(`action ${row.id}: its stored target names no segment publication`);
  const metric = z.enum(CAMPAIGN_METRICS as unknown as [CampaignMetric, ...CampaignMetric[]]).safeParse(row.metric);
  if (!metric.success) throw new ActionError(`a campaign to a published segment is judged per customer: its metric must be one of ${CAMPAIGN_METRICS.join(", ")}, not ${JSON.stringify(row.metric)}`, 400);
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { timezone: true, currency: true } });
  if (!shopRow) throw new ActionError(`unknown shop ${shop}`, 404);
  const pub = await db.segmentPublication.findUnique({ where: { shop_id: { shop, id: target.publication } } });
  if (!pub) throw new ActionError(`the campaign's segment publication ${target.publication} is not in this shop`, 404);
  const timeZone = shopRow.timezone;
  const start = localDay(row.startsAt, timeZone);
  const window = { start, end: addDays(start, row.evaluationDays - 1) };
  const asOf = localDay(now, timeZone);
  const caveats: string[] = [];
  const createdDay = localDay(row.createdAt, timeZone);
  if (createdDay > start) caveats.push(`Recorded on ${createdDay}, after the campaign started (${start}): the metric and goal were not provably chosen before launch.${row.note ? ` Note: ${row.note}` : ""}`);
  if (pub.holdoutShare <= 0 || pub.holdoutTag === null) caveats.push("This segment was published without a holdout: there is no one to compare the campaign's customers with.");

  const launch = pub.publishedAt;
  if (launch !== null && row.startsAt.getTime() > launch.getTime()) {
    caveats.push(`The campaign starts (${start}) after the segment finished publishing (${launch.toISOString()}): its customers are the members at publishing.`);
  }
  const base = { method: CAMPAIGN_METHOD, asOf, publication: { id: pub.id, name: pub.name, holdoutShare: pub.holdoutShare }, caveats };
  let evaluation: CampaignEvaluation;
  if (launch === null) {
    evaluation = {
      ...base,
      window: { ...window, over: asOf > window.end },
      verdict: "inconclusive",
      reason: `the segment has not finished publishing to Shopify (status ${pub.status}): no one could receive the campaign yet`,
      members: { launch: null, atLaunch: 0, treated: 0, holdout: 0, joinedLater: 0, leftBeforeLaunch: 0 },
      result: null,
    };
  } else {
    const scope = { shop, publicationId: pub.id };
    const marked = (await db.segmentMember.count({ where: { ...scope, atLaunch: true } })) > 0;
    // Marked cohort: atLaunch rows; the others joined after launch (joinedAt > launch, rejoiners who had left before
    // launch among them) or had left before it. Fallback (no row marked): the members at launch rebuilt from the spells.
    const atLaunchWhere: Prisma.SegmentMemberWhereInput = marked ? { ...scope, atLaunch: true } : { ...scope, joinedAt: { lte: launch }, OR: [{ leftAt: null }, { leftAt: { gt: launch } }] };
    const laterWhere: Prisma.SegmentMemberWhereInput = marked ? { ...scope, atLaunch: false, joinedAt: { gt: launch } } : { ...scope, joinedAt: { gt: launch } };
    const leftWhere: Prisma.SegmentMemberWhereInput = marked ? { ...scope, atLaunch: false, joinedAt: { lte: launch } } : { ...scope, joinedAt: { lte: launch }, leftAt: { lte: launch } };
    if (!marked) {
      caveats.push(
        "No member is recorded as in the segment at launch (it was published before the app recorded them, or was empty then): the members at launch are rebuilt from when each customer joined and left, so a member who left and rejoined after launch is missing from the comparison.",
      );
    }
    const [rows, joinedLater, leftBeforeLaunch] = await Promise.all([
      db.segmentMember.findMany({ where: atLaunchWhere, select: { customerId: true, holdout: true }, orderBy: { customerId: "asc" } }),
      db.segmentMember.count({ where: laterWhere }),
      db.segmentMember.count({ where: leftWhere }),
    ]);
    const members: CampaignMember[] = rows.map((r) => ({ customerId: r.customerId, holdout: r.holdout }));
    // The window's instants, a day wider on the far side (the core keeps exactly the window's shop-local days).
    const from = row.startsAt;
    const to = new Date(row.startsAt.getTime() + (row.evaluationDays + 1) * DAY_MS);
    const orders: CampaignOrder[] = [];
    for (let i = 0; i < members.length; i += CHUNK) {
      const ids = members.slice(i, i + CHUNK).map((m) => m.customerId);
      const found = await db.order.findMany({
        where: { shop, customerId: { in: ids }, createdAt: { gte: from, lt: to } },
        select: { id: true, customerId: true, createdAt: true, currency: true, total: true, totalRefunded: true, cancelledAt: true, test: true },
      });
      for (const o of found) orders.push({ ...o, total: Number(o.total), totalRefunded: Number(o.totalRefunded) });
    }
    const result = evaluateCampaign(members, orders, {
      timeZone,
      currency: shopRow.currency,
      window,
      asOf,
      goal: { metric: metric.data, value: row.goalValue, kind: "relative", direction: row.goalDirection === "decrease" ? "decrease" : "increase" },
      seed,
    });
    evaluation = {
      ...base,
      window: result.window,
      verdict: result.verdict,
      reason: result.reason,
      members: { launch: launch.toISOString(), atLaunch: members.length, treated: result.arms.treated.customers, holdout: result.arms.holdout.customers, joinedLater, leftBeforeLaunch },
      result,
    };
  }
  const updated = await db.action.update({
    where: { shop_id: { shop, id: row.id } },
    data: { lastEvaluation: JSON.parse(JSON.stringify(evaluation)) as Prisma.InputJsonValue, evaluatedAt: now },
  });
  return { action: updated, evaluation };
}
