/**
 * The "Publish to Shopify" card of the Customer value page: the segments a merchant can publish (with how many customers
 * each holds now), the campaign metrics, and the shop's publications with their status, progress and member counts in
 * the app and in Shopify (customerSegmentMembers: what Shopify's own marketing tools will see).
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { RFM_GROUPS } from "../../insights/clv/rfm";
import { DEFAULT_SEGMENT_HOLDOUT_SHARE, MAX_SEGMENT_HOLDOUT_SHARE } from "../../insights/segments/holdout";
import type { JobQueue } from "../../jobs/types";
import { offlineAdminClient } from "../../shopify.server";
import type { AdminClient } from "../../shopify/client.server";
import { segmentMemberCount } from "../../shopify/publish/segments.server";
import { ActionError } from "../insights/action-error";
import { comparedSegments, LTV_TIERS, segmentLabel, segmentMemberIds, type SegmentDefinition } from "./definitions.server";
import { CAMPAIGN_METRICS, DEFAULT_EVALUATION_DAYS, definitionKey, requestSegmentSync } from "./publish.server";

export const CAMPAIGN_METRIC_LABEL: Record<(typeof CAMPAIGN_METRICS)[number], string> = {
  "orders-per-customer": "Orders per customer",
  "revenue-per-customer": "Revenue per customer",
};
export const HOLDOUT_CHOICES = [0, 0.05, 0.1, 0.2, 0.3, MAX_SEGMENT_HOLDOUT_SHARE] as const;

export interface PublicationView {
  id: string;
  name: string;
  status: string;
  tag: string;
  holdoutTag: string | null;
  holdoutShare: number;
  tagsDone: number;
  tagsTotal: number;
  inApp: { treated: number; holdout: number };
  inShopify: { treated: number | null; holdout: number | null };
  lastError: string | null;
  actionId: string | null;
  createdAt: string;
}

async function defaultClient(shop: string): Promise<AdminClient | null> {
  try {
    return await offlineAdminClient(shop, { maxAttempts: 2 });
  } catch {
    return null;
  }
}

export async function segmentsPage({ shop, db = defaultPrisma, client }: { shop: string; db?: PrismaClient; client?: AdminClient | null }) {
  const definitions: SegmentDefinition[] = [
    ...RFM_GROUPS.map((group) => ({ kind: "rfm" as const, group })),
    ...LTV_TIERS.map((tier) => ({ kind: "ltv-tier" as const, tier })),
    { kind: "slipping" as const },
    ...(await comparedSegments(db, shop)).flatMap((c) => c.segments.map((segment) => ({ kind: "compared" as const, by: c.by, segment }))),
  ];
  const choices = [];
  for (const d of definitions) choices.push({ value: definitionKey(d), label: segmentLabel(d), customers: (await segmentMemberIds(db, shop, d)).length });

  const rows = await db.segmentPublication.findMany({ where: { shop, status: { not: "UNPUBLISHED" } }, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
  const counts = await db.segmentMember.groupBy({ by: ["publicationId", "holdout"], where: { shop, wanted: true, publicationId: { in: rows.map((r) => r.id) } }, _count: { _all: true } });
  const count = (id: string, holdout: boolean) => counts.find((c) => c.publicationId === id && c.holdout === holdout)?._count._all ?? 0;
  const published = rows.filter((r) => r.status === "PUBLISHED" && r.segmentId);
  const admin = published.length > 0 ? (client === undefined ? await defaultClient(shop) : client) : null;
  const inShopify = async (segmentId: string | null) => {
    if (!admin || !segmentId) return null;
    try {
      return await segmentMemberCount(admin, segmentId);
    } catch {
      return null;
    }
  };
  const publications: PublicationView[] = [];
  for (const r of rows) {
    const live = r.status === "PUBLISHED";
    publications.push({
      id: r.id,
      name: r.name,
      status: r.status,
      tag: r.tag,
      holdoutTag: r.holdoutTag,
      holdoutShare: r.holdoutShare,
      tagsDone: r.tagsDone,
      tagsTotal: r.tagsTotal,
      inApp: { treated: count(r.id, false), holdout: count(r.id, true) },
      inShopify: { treated: live ? await inShopify(r.segmentId) : null, holdout: live ? await inShopify(r.holdoutSegmentId) : null },
      lastError: r.lastError,
      actionId: r.actionId,
      createdAt: r.createdAt.toISOString(),
    });
  }
  return {
    choices,
    metrics: CAMPAIGN_METRICS.map((value) => ({ value, label: CAMPAIGN_METRIC_LABEL[value] })),
    holdoutChoices: HOLDOUT_CHOICES.map((share) => ({ value: String(share), label: `${Math.round(share * 100)} %` })),
    defaults: { holdoutShare: String(DEFAULT_SEGMENT_HOLDOUT_SHARE), evaluationDays: String(DEFAULT_EVALUATION_DAYS), goalPercent: "5" },
    publications,
    working: publications.some((p) => p.status === "PUBLISHING" || p.status === "UNPUBLISHING"),
  };
}

export type SegmentsPage = Awaited<ReturnType<typeof segmentsPage>>;

/** Queues the shop's segment work again (a pass interrupted for good, after its job ran out of retries). */
export async function resumeSegmentWork({ shop, db = defaultPrisma, queue, id }: { shop: string; db?: PrismaClient; queue: JobQueue; id: string }) {
  const pub = await db.segmentPublication.findUnique({ where: { shop_id: { shop, id } }, select: { status: true } });
  if (!pub) throw new ActionError(`no published segment ${id} in this shop`, 404);
  if (pub.status !== "PUBLISHING" && pub.status !== "UNPUBLISHING") throw new ActionError("nothing to resume: the segment is not being published or unpublished", 400);
  await requestSegmentSync({ shop, queue });
}
