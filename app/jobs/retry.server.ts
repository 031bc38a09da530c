/**
 * Retrying a job that failed for good, from the admin: one more attempt, now, with the same payload.
 *
 * Both queues keep a failed job's attempt count (the admin shows it) and allow exactly one more attempt: a job that
 * fails again goes back to FAILED with its new error. The job must be the shop's and FAILED; anything else (another
 * shop's job, a job already retried or redacted away) is "not-found", so the admin cannot probe other shops' jobs.
 *
 * - in-process (`Job` table): the row goes back to QUEUED, due now; the polling loop picks it up.
 * - pg-boss: pg-boss's own retry (state `retry`, retry_limit + 1), after checking the job belongs to the shop.
 *
 * A failed job whose payload was scrubbed (customers/redact removes every copy of a redacted customer's id) cannot be
 * retried: there is nothing left to run it with.
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../db.server";
import { PgBossJobQueue } from "./pg-boss.server";
import type { JobQueue } from "./types";

export type RetryOutcome = "requeued" | "not-found";

/** How far back the pg-boss check looks among the shop's failures (newest first). */
const PG_BOSS_LOOKUP_LIMIT = 1000;

export async function retryFailedJob({
  queue,
  shop,
  id,
  db = defaultPrisma,
  now = new Date(),
}: {
  queue: JobQueue;
  shop: string;
  id: string;
  db?: PrismaClient;
  now?: Date;
}): Promise<RetryOutcome> {
  if (queue.kind === "in-process") {
    const updated = await db.$executeRawUnsafe(
      `UPDATE "Job" SET "status" = 'QUEUED', "runAt" = $3::timestamptz, "finishedAt" = NULL, "lockedAt" = NULL, "lockedBy" = NULL,
         "maxAttempts" = "attempts" + 1
       WHERE "id" = $1 AND "shop" = $2 AND "status" = 'FAILED' AND "payload" <> '{}'::jsonb`,
      id,
      shop,
      now.toISOString(),
    );
    return updated > 0 ? "requeued" : "not-found";
  }
  if (!(queue instanceof PgBossJobQueue)) throw new Error(`Cannot retry jobs of a ${queue.kind} queue`);
  // failures() is the shop-scoped read of pg-boss's failed jobs (it also starts the producer if needed).
  const failure = (await queue.failures({ shop, limit: PG_BOSS_LOOKUP_LIMIT })).find((f) => f.id === id);
  if (!failure) return "not-found";
  const job = await queue.boss.getJobById<{ shop?: string; payload?: unknown }>(failure.name, id);
  if (!job || job.data?.shop !== shop || job.data.payload === null || job.data.payload === undefined) return "not-found";
  await queue.boss.retry(failure.name, id);
  const after = await queue.boss.getJobById(failure.name, id);
  return after && after.state !== "failed" ? "requeued" : "not-found";
}
