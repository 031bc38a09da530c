/**
 * Starting and watching a shop's full sync. The sync itself is app/shopify/sync/full-sync.server.ts; this module gets
 * the shop's offline access token and runs it in the background of this process.
 */
import type { PrismaClient, SyncRun } from "@prisma/client";
import defaultPrisma from "../db.server";
import { unauthenticated } from "../shopify.server";
import { createAdminClient } from "../shopify/client.server";
import { adminFetch } from "../shopify/local-shopify.server";
import { runFullSync, startFullSync } from "../shopify/sync/full-sync.server";

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
    const { session } = await unauthenticated.admin(shop);
    if (!session.accessToken) throw new Error(`no offline access token for ${shop}`);
    const client = createAdminClient({ shop, accessToken: session.accessToken, fetch: adminFetch() });
    await runFullSync({ runId, deps: { db, client, now: () => new Date() } });
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
