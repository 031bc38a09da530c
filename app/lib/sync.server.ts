/**
 * Starting and watching a shop's full sync. The sync itself is app/shopify/sync/full-sync.server.ts; this module gets
 * the shop's offline access token and runs it in the background of this process.
 */
import type { PrismaClient, SyncRun } from "@prisma/client";
import defaultPrisma from "../db.server";
import { offlineAdminClient } from "../shopify.server";
import { runFullSync, startFullSync, wakeSyncWaitingFor } from "../shopify/sync/full-sync.server";

const running = new Set<string>();

/** Starts a full sync unless one is running; returns the run to watch. Safe to call repeatedly (afterAuth, a button). */
export async function requestFullSync({ shop, db = defaultPrisma, now = new Date() }: { shop: string; db?: PrismaClient; now?: Date }): Promise<SyncRun> {
  const { run } = await startFullSync({ shop, db, now });
  if (!running.has(run.id)) {
    running.add(run.id);
    void runInBackground(run.id, shop, db).finally(() => running.delete(run.id));
  }
  return run;
}

async function runInBackground(runId: string, shop: string, db: PrismaClient) {
  try {
    const client = await offlineAdminClient(shop);
    if (!client) throw new Error(`no offline access token for ${shop}`);
    const run = await runFullSync({ runId, deps: { db, client, now: () => new Date() } });
    if (run.status === "SUCCEEDED") {
      const [{ jobQueue }, { requestInsightsRecompute }] = await Promise.all([import("../jobs/queue.server"), import("./insights/recompute.server")]);
      await requestInsightsRecompute({ shop, queue: jobQueue() });
    }
  } catch (error) {
    // Could not even start (no token, database gone): record it. If the database itself is gone there is nothing to
    // record; the run's heartbeat goes stale and the next request resumes it, so nothing is lost.
    await db.syncRun
      .updateMany({
        where: { id: runId, status: { in: ["PENDING", "RUNNING"] } },
        data: { status: "FAILED", lastError: (error as Error).message, finishedAt: new Date(), errorCount: { increment: 1 } },
      })
      .catch(() => undefined);
  }
}

export type BulkFinishOutcome = "woken" | "resumed" | "running-elsewhere" | "not-ours";

/**
 * bulk_operations/finish (the sync.bulk-finished job): the active sync of the shop waiting for this operation is woken
 * if it runs in this process; if its process died (no heartbeat for `staleAfterMs`) it is resumed here; a sync alive in
 * another process finds the operation finished at its next poll. An operation no active sync started is not ours
 * (a finished sync's, or another app's view of the shop): nothing to do.
 */
export async function onBulkOperationFinished({
  shop,
  operationId,
  db = defaultPrisma,
  now = new Date(),
  staleAfterMs = 5 * 60_000,
  resume = (runId: string) => {
    if (running.has(runId)) return;
    running.add(runId);
    void runInBackground(runId, shop, db).finally(() => running.delete(runId));
  },
}: {
  shop: string;
  operationId: string;
  db?: PrismaClient;
  now?: Date;
  staleAfterMs?: number;
  resume?: (runId: string) => void;
}): Promise<BulkFinishOutcome> {
  const active = await db.syncRun.findMany({ where: { shop, status: { in: ["PENDING", "RUNNING"] } } });
  const run = active.find((r) => r.cursor !== null && r.cursor.includes(JSON.stringify(operationId)));
  if (!run) return "not-ours";
  if (wakeSyncWaitingFor(operationId) || running.has(run.id)) return "woken";
  if (run.status === "RUNNING" && now.getTime() - run.heartbeatAt.getTime() < staleAfterMs) return "running-elsewhere";
  resume(run.id);
  return "resumed";
}
