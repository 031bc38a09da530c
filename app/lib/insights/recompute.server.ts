/**
 * Recomputing a shop's insights: every kind the app stores (InsightSnapshot), from the shop's current data. Runs as
 * the insights.recompute job (one queued per shop at a time), enqueued after a full sync succeeds and after an import.
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { JOB } from "../../jobs/names";
import type { JobQueue } from "../../jobs/types";
import { computeCrossSell } from "./cross-sell.server";
import { computeCustomerValue } from "./customer-value.server";
import { computeTrends } from "./trends.server";

export async function recomputeInsights({ shop, db = defaultPrisma, now = new Date() }: { shop: string; db?: PrismaClient; now?: Date }) {
  // A shop that uninstalled (or was redacted) meanwhile has nothing left to compute.
  if (!(await db.shop.findUnique({ where: { domain: shop }, select: { domain: true } }))) return { skipped: true as const };
  const crossSell = await computeCrossSell({ db, shop, now });
  const customerValue = await computeCustomerValue({ db, shop, now });
  await computeTrends({ db, shop, now });
  return { skipped: false as const, crossSell: crossSell.summary, customerValue: customerValue.summary };
}

/** Queues a recompute of the shop's insights (at most one waits per shop; a second request joins it). */
export async function requestInsightsRecompute({ shop, queue }: { shop: string; queue: JobQueue }): Promise<void> {
  await queue.enqueue(JOB.insightsRecompute, {}, { shop, singletonKey: `insights/${shop}` });
}
