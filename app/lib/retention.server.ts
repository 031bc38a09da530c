/**
 * Retention of bookkeeping rows that would otherwise grow forever:
 *
 * - `WebhookEvent`: the idempotency record of each delivery. Once processed and older than `keepDays` it is deleted:
 *   Shopify stops retrying a delivery within two days, and a later replay is harmless anyway (the writer keeps the
 *   newer version). Unprocessed events are kept, whatever their age (their job is still due, or has no handler yet).
 * - `Job` (the embedded database's queue): SUCCEEDED jobs finished more than `keepDays` ago. Queued, running and
 *   FAILED jobs are kept (the admin lists failed ones for a retry). pg-boss deletes its own completed jobs.
 * - `StorefrontEvent`: shoppers' impressions, clicks and add-to-carts, after STOREFRONT_EVENT_KEEP_DAYS (longer than
 *   the longest evaluation window, 180 days, and the bandit's 90 days of learning).
 *
 * This is maintenance across all shops (each row goes by its own age, whichever shop it belongs to). Deletes run in
 * batches, each its own statement, so that a large backlog never holds one long transaction.
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../db.server";

export const DEFAULT_KEEP_DAYS = 30;
export const STOREFRONT_EVENT_KEEP_DAYS = 400;
const DAY_MS = 86_400_000;

export interface PruneResult {
  webhookEvents: number;
  jobs: number;
  storefrontEvents: number;
}

export async function pruneOldRecords({
  db = defaultPrisma,
  now = new Date(),
  keepDays = DEFAULT_KEEP_DAYS,
  batchSize = 5000,
}: {
  db?: PrismaClient;
  now?: Date;
  keepDays?: number;
  batchSize?: number;
} = {}): Promise<PruneResult> {
  if (!Number.isFinite(keepDays) || keepDays < 1) throw new Error(`keepDays must be a number of days ≥ 1 (got ${keepDays})`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer (got ${batchSize})`);
  const cutoff = new Date(now.getTime() - keepDays * DAY_MS).toISOString();

  const inBatches = async (sql: string, before = cutoff) => {
    let total = 0;
    for (;;) {
      const deleted = await db.$executeRawUnsafe(sql, before, batchSize);
      total += deleted;
      if (deleted < batchSize) return total;
    }
  };

  const webhookEvents = await inBatches(
    `DELETE FROM "WebhookEvent" WHERE ("shop", "webhookId") IN (
       SELECT "shop", "webhookId" FROM "WebhookEvent"
       WHERE "processedAt" IS NOT NULL AND "processedAt" < $1::timestamptz AND "receivedAt" < $1::timestamptz
       LIMIT $2::integer)`,
  );
  const jobs = await inBatches(
    `DELETE FROM "Job" WHERE "id" IN (
       SELECT "id" FROM "Job" WHERE "status" = 'SUCCEEDED' AND "finishedAt" < $1::timestamptz LIMIT $2::integer)`,
  );
  const storefrontEvents = await inBatches(
    `DELETE FROM "StorefrontEvent" WHERE ("shop", "id") IN (
       SELECT "shop", "id" FROM "StorefrontEvent" WHERE "occurredAt" < $1::timestamptz LIMIT $2::integer)`,
    new Date(now.getTime() - STOREFRONT_EVENT_KEEP_DAYS * DAY_MS).toISOString(),
  );
  return { webhookEvents, jobs, storefrontEvents };
}

/**
 * Prunes now and then every `intervalMs` (default 6 hours) until stopped. The timer does not keep the process alive;
 * a failed run is logged (the message only) and the next one tries again.
 */
export function startRetention({
  db = defaultPrisma,
  keepDays = DEFAULT_KEEP_DAYS,
  intervalMs = 6 * 3600_000,
  clock = () => new Date(),
}: {
  db?: PrismaClient;
  keepDays?: number;
  intervalMs?: number;
  clock?: () => Date;
} = {}): { firstRun: Promise<PruneResult | null>; stop: () => void } {
  const run = () =>
    pruneOldRecords({ db, now: clock(), keepDays }).catch((error: unknown) => {
      console.error("[retention] pruning old webhook events and jobs failed:", (error as Error).message);
      return null;
    });
  const firstRun = run();
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref?.();
  return { firstRun, stop: () => clearInterval(timer) };
}
