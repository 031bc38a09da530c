/**
 * Running the app's jobs in integration tests, as production does for the database under test:
 * - PGlite: the in-process queue with every handler (what the web process runs), drained on demand;
 * - PostgreSQL: a pg-boss worker (what `npm run worker` runs) beside the server build's enqueue-only queue, running only
 *   during drain() (or from start() on).
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
  /** Enqueues and reads the queue; never runs a job by itself. */
  queue: JobQueue;
  /**
   * Runs jobs until none of the handled ones is queued or running, then stops running them (unless start() was
   * called): between two drains nothing runs, however slow the machine, so a test can look at what is queued.
   */
  drain(timeoutMs?: number): Promise<void>;
  /** Starts the worker in the background until stop() (drain then waits for it). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function testWorker(): TestWorker {
  const target = resolveDatabaseTarget(process.env);
  if (target.kind !== "postgres") return inProcessWorker(createJobQueue({ target, db: testDb(), role: "web", pollIntervalMs: 20 }));

  // PostgreSQL: the test's queue only enqueues (like the web process); a pg-boss worker (like `npm run worker`) is
  // started for each drain and stopped when the queue is empty. A worker left running after a drain would pick up
  // what the test enqueues next while the test is still asserting on it: on a loaded machine it wins that race.
  const queue = createJobQueue({ target, db: testDb(), role: "web" });
  const newWorker = () => createJobQueue({ target, db: testDb(), role: "worker", pollIntervalMs: 20 });
  let background: JobQueue | null = null;
  return {
    queue,
    async start() {
      if (background) return;
      background = newWorker();
      await background.start();
    },
    async drain(timeoutMs = 60_000) {
      const worker = background ?? newWorker();
      try {
        if (worker !== background) await worker.start();
        await untilIdle(queue, timeoutMs);
      } finally {
        if (worker !== background) await worker.stop({ timeoutMs: 5000 });
      }
    },
    async stop() {
      await background?.stop({ timeoutMs: 5000 });
      background = null;
      await queue.stop({ timeoutMs: 5000 });
      await stopJobQueue(); // the server build's queue (pg-boss keeps a pool open)
    },
  };
}

/** PGlite: the in-process queue with every handler, run to idle by drain() unless start() runs it in the background. */
function inProcessWorker(queue: JobQueue): TestWorker {
  let started = false;
  return {
    queue,
    async start() {
      if (!started) await queue.start();
      started = true;
    },
    async drain(timeoutMs = 60_000) {
      if (!started && queue instanceof InProcessJobQueue) await queue.runUntilIdle();
      await untilIdle(queue, timeoutMs, async () => {
        if (!started && queue instanceof InProcessJobQueue) await queue.runUntilIdle();
      });
    },
    async stop() {
      await queue.stop({ timeoutMs: 5000 });
      await stopJobQueue();
    },
  };
}

/** Waits until no handled job is queued or running (a condition, polled; the timeout only bounds a hung job). */
async function untilIdle(queue: JobQueue, timeoutMs: number, step: () => Promise<void> = async () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await queue.pending(HANDLED_JOBS)) === 0) return;
    if (Date.now() > deadline) throw new Error(`jobs still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
    await step();
  }
}
