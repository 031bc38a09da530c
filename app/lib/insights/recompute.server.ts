/**
 * Recomputing a shop's insights: every kind the app stores (InsightSnapshot), from the shop's current data. Runs as
 * the insights.recompute job (one queued per shop at a time), enqueued after a full sync succeeds and after an import.
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { JOB } from "../../jobs/names";
import type { JobQueue } from "../../jobs/types";
import { publishStorefrontOffers, type PublishOutcome } from "../storefront/publish.server";
import { computeCrossSell } from "./cross-sell.server";
import { computeCustomerValue } from "./customer-value.server";
import { loadOrders } from "./load.server";
import { computeTrends } from "./trends.server";

export async function recomputeInsights({
  shop,
  db = defaultPrisma,
  now = new Date(),
  publish = publishStorefrontOffers,
}: {
  shop: string;
  db?: PrismaClient;
  now?: Date;
  /** Publishes the storefront offers from the stored cross-sell results (ADR 019). */
  publish?: (input: { shop: string; db: PrismaClient; now: Date }) => Promise<PublishOutcome>;
}) {
  // A shop that uninstalled (or was redacted) meanwhile has nothing left to compute.
  if (!(await db.shop.findUnique({ where: { domain: shop }, select: { domain: true } }))) return { skipped: true as const };
  // Each kind on its own: one that fails (and is retried with the job) does not keep the others from being stored.
  const kinds = { crossSell: computeCrossSell, customerValue: computeCustomerValue, trends: computeTrends };
  const failed: string[] = [];
  const stored: string[] = [];
  // Every kind reads the same orders: load them once (a large shop's history is the expensive read here).
  const orders = await loadOrders(db, shop);
  for (const [kind, compute] of Object.entries(kinds)) {
    try {
      await compute({ db, shop, now, orders });
      stored.push(kind);
    } catch (error) {
      failed.push(`${kind}: ${(error as Error).message}`);
    }
  }
  // The storefront offers follow the stored cross-sell results. A failed publication is on its run row and reported
  // here (the job is retried; publishing again writes only what is still missing); the stored results stay.
  let publication: PublishOutcome | null = null;
  if (stored.includes("crossSell")) {
    try {
      publication = await publish({ shop, db, now });
      if (publication.status === "FAILED") failed.push(`storefront publication: ${publication.error ?? "failed"}`);
    } catch (error) {
      failed.push(`storefront publication: ${(error as Error).message}`);
    }
  }
  if (failed.length > 0) throw new RecomputeError(shop, failed);
  return { skipped: false as const, stored, publication };
}

export class RecomputeError extends Error {
  constructor(
    readonly shop: string,
    readonly failures: readonly string[],
  ) {
    super(`insights of ${shop} not recomputed: ${failures.join("; ")}`);
    this.name = "RecomputeError";
  }
}

/** Queues a recompute of the shop's insights (at most one waits per shop; a second request joins it). */
export async function requestInsightsRecompute({ shop, queue }: { shop: string; queue: JobQueue }): Promise<void> {
  await queue.enqueue(JOB.insightsRecompute, {}, { shop, singletonKey: `insights/${shop}` });
}
