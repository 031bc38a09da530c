/**
 * Which job queue this process uses, chosen like the database (resolveDatabaseTarget):
 *
 * - embedded PGlite (DATABASE_URL unset): the in-process queue on the `Job` table. The web process runs the jobs
 *   itself: its workers start when the server build loads (the webhook routes import this module), pick up whatever
 *   a previous run left queued, and stop with the process. There is no separate worker: the embedded database is one
 *   process.
 * - PostgreSQL (DATABASE_URL set): pg-boss. The web process only enqueues; `npm run worker` (scripts/worker.ts) runs
 *   the handlers, as many worker processes as you like.
 *
 * Tests (NODE_ENV=test) never start workers implicitly: they run the queue themselves (JOB_WORKERS=on overrides it,
 * as the demo does).
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../db.server";
import { resolveDatabaseTarget, type DatabaseTarget } from "../db/adapters.server";
import { env, jobWorkersOn } from "../env.server";
import { startRetention } from "../lib/retention.server";
import { registerHandlers } from "./handlers.server";
import { InProcessJobQueue } from "./in-process.server";
import { PgBossJobQueue } from "./pg-boss.server";
import type { JobQueue } from "./types";

declare global {
  var __insightLoopJobs: JobQueue | undefined;
}

export interface CreateJobQueueOptions {
  target: DatabaseTarget;
  db?: PrismaClient;
  /** `web`: the app's process; `worker`: scripts/worker.ts. */
  role: "web" | "worker";
  /** In-process polling interval / pg-boss polling interval (for tests). */
  pollIntervalMs?: number;
}

/** A queue for the target, with every handler registered when this process is meant to run them. */
export function createJobQueue({ target, db = defaultPrisma, role, pollIntervalMs }: CreateJobQueueOptions): JobQueue {
  if (target.kind === "pglite") {
    if (role === "worker") {
      throw new Error("With the embedded database the web process runs the jobs itself; `npm run worker` needs DATABASE_URL.");
    }
    const queue = new InProcessJobQueue({ db, recoverOnStart: true, pollIntervalMs });
    registerHandlers(queue, { db });
    return queue;
  }
  const queue = new PgBossJobQueue({
    connectionString: target.url,
    role: role === "worker" ? "worker" : "producer",
    pollingIntervalSeconds: pollIntervalMs === undefined ? undefined : Math.max(0.5, pollIntervalMs / 1000),
  });
  if (role === "worker") registerHandlers(queue, { db });
  return queue;
}

/** The queue of this (web) process. On the embedded database its workers are started here, outside tests. */
export function jobQueue(): JobQueue {
  if (!globalThis.__insightLoopJobs) {
    const target = resolveDatabaseTarget(env);
    const queue = createJobQueue({ target, role: "web" });
    globalThis.__insightLoopJobs = queue;
    if (queue.kind === "in-process" && jobWorkersOn(env)) {
      queue.start().catch((error: unknown) => console.error("[jobs] the in-process workers did not start:", (error as Error).message));
      // The embedded database has no worker process: its web process also prunes old webhook events and jobs.
      const retention = startRetention();
      const stop = () => {
        retention.stop();
        void queue.stop({ timeoutMs: 5000 });
      };
      process.once("beforeExit", stop);
    }
  }
  return globalThis.__insightLoopJobs;
}

/** Stops and forgets this process's queue (tests; shutdown). */
export async function stopJobQueue(): Promise<void> {
  const queue = globalThis.__insightLoopJobs;
  globalThis.__insightLoopJobs = undefined;
  await queue?.stop({ timeoutMs: 5000 });
}

// The embedded database's web process runs its jobs from boot (not only from the first enqueue): work queued before a
// crash or restart is picked up at once. A module side effect because remix-serve offers no startup hook; the
// production build evaluates every route module, and with them this one, when it loads.
if (jobWorkersOn(env) && resolveDatabaseTarget(env).kind === "pglite") jobQueue();
