/**
 * Running the app's jobs in integration tests, as production does for the database under test:
 * - PGlite: the in-process queue with every handler (what the web process runs), drained on demand;
 * - PostgreSQL: a pg-boss worker (what `npm run worker` runs) beside the server build's enqueue-only queue.
 * Workers are never started implicitly in tests (NODE_ENV=test), so a test decides when jobs run.
 */
import { resolveDatabaseTarget } from "../../app/db/adapters.server";
import { InProcessJobQueue } from "../../app/jobs/in-process.server";
import { JOB } from "../../app/jobs/names";
import { createJobQueue, stopJobQueue } from "../../app/jobs/queue.server";
import type { JobQueue } from "../../app/jobs/types";
import { testDb } from "./db";

/** Every job (each has a handler). */
export const HANDLED_JOBS = Object.values(JOB);

export interface TestWorker {
  queue: JobQueue;
  /** Runs jobs until none of the handled ones is queued or running. */
  drain(timeoutMs?: number): Promise<void>;
  /** Starts the worker in the background (drain then waits for it). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function testWorker(): TestWorker {
  const target = resolveDatabaseTarget(process.env);
  const queue = createJobQueue({ target, db: testDb(), role: target.kind === "postgres" ? "worker" : "web", pollIntervalMs: 20 });
  let started = false;
  return {
    queue,
    async start() {
      if (!started) await queue.start();
      started = true;
    },
    async drain(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      if (!started && !(queue instanceof InProcessJobQueue)) {
        await queue.start();
        started = true;
      }
      for (;;) {
        if (!started && queue instanceof InProcessJobQueue) await queue.runUntilIdle();
        if ((await queue.pending(HANDLED_JOBS)) === 0) return;
        if (Date.now() > deadline) throw new Error(`jobs still pending after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      await queue.stop({ timeoutMs: 5000 });
      await stopJobQueue(); // the server build's queue (pg-boss keeps a pool open)
    },
  };
}
