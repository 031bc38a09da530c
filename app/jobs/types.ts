/**
 * Background jobs behind one interface, with two implementations chosen by the database (app/jobs/queue.server.ts):
 *
 * - in-process (embedded PGlite): the `Job` table, polled by the web process itself (in-process.server.ts);
 * - pg-boss (PostgreSQL): several app and worker processes share the work (pg-boss.server.ts, `npm run worker`).
 *
 * Semantics both implementations keep (tests/integration/jobs-*.test.ts):
 * - A job is enqueued for one shop with a JSON payload; it survives restarts until it succeeds or fails for good.
 * - A handler that throws fails the attempt; the job is retried after `retryDelay` seconds, doubled on each retry when
 *   `retryBackoff` is on, never more than MAX_RETRY_DELAY_SECONDS; after `retryLimit` retries it is FAILED and its last
 *   error is kept for the admin (`failures()`).
 * - A job whose worker died is retried once its lock (in-process) or expiry (pg-boss) lapses.
 * - `singletonKey`: at most one queued or running job per (name, key); enqueueing another returns null.
 * Handlers must be idempotent: a job may run again after a crash between its work and its completion.
 */
import type { Prisma } from "@prisma/client";

/** The payload of a job: a plain JSON object (no Dates, no BigInts). */
export type JobPayload = Record<string, unknown>;

export interface EnqueueOptions {
  /** The shop the job belongs to (every job belongs to exactly one). */
  shop: string;
  /** At most one queued or running job per (name, singletonKey). Letters, digits, `_`, `-`, `.` and `/` only. */
  singletonKey?: string;
  /** Not before this time (a Date) or this many seconds from now. */
  startAfter?: Date | number;
  /** Retries after the first attempt. Default DEFAULT_RETRY.retryLimit. */
  retryLimit?: number;
  /** Seconds before the first retry (an integer). Default DEFAULT_RETRY.retryDelay. */
  retryDelay?: number;
  /** Double the delay on each further retry, bounded by MAX_RETRY_DELAY_SECONDS. Default true. */
  retryBackoff?: boolean;
  /**
   * Enqueue inside this Prisma transaction: the job exists only if the transaction commits (webhook acceptance stores
   * its idempotency row and its job atomically).
   */
  tx?: Prisma.TransactionClient;
}

export const DEFAULT_RETRY = { retryLimit: 4, retryDelay: 5, retryBackoff: true } as const;
/** The longest wait between two attempts (15 minutes). */
export const MAX_RETRY_DELAY_SECONDS = 900;
export const SINGLETON_KEY = /^[\w.\-/]+$/;

export interface Job<T extends JobPayload = JobPayload> {
  id: string;
  name: string;
  shop: string;
  payload: T;
  /** 1 on the first attempt. */
  attempt: number;
  maxAttempts: number;
}

/** Which jobs of a batch failed (the others succeeded). A handler that throws fails the whole batch. */
export interface JobBatchResult {
  failed: { id: string; error: unknown }[];
}

/** Handles a batch of jobs of one name (`batchSize` in work(); 1 by default). */
export type JobHandler<T extends JobPayload = JobPayload> = (jobs: Job<T>[]) => Promise<JobBatchResult | void>;

export interface WorkOptions {
  /** Jobs handed to the handler at once (default 1). Batching lets a handler write many rows in one statement. */
  batchSize?: number;
}

export interface JobFailure {
  id: string;
  name: string;
  shop: string;
  attempts: number;
  lastError: string;
  failedAt: Date | null;
}

/**
 * A data-modifying statement that returns at most one row, such as an idempotency record:
 * `INSERT INTO "WebhookEvent" ... ON CONFLICT DO NOTHING RETURNING 1`. Parameters are $1..$n, typed with casts.
 */
export interface EnqueueGuard {
  sql: string;
  params: unknown[];
}

export interface JobQueue {
  readonly kind: "in-process" | "pg-boss";
  /** Returns the job's id, or null when a job with the same singletonKey is already queued or running. */
  enqueue<T extends JobPayload>(name: string, payload: T, options: EnqueueOptions): Promise<string | null>;
  /**
   * Runs `guard` and enqueues the job only if the guard returned a row, atomically: both or neither are stored (the
   * in-process queue does it in one statement, pg-boss in one transaction). `guarded` says whether the guard returned
   * a row; `jobId` is null when it did not or when the singletonKey already had a job.
   */
  enqueueGuarded<T extends JobPayload>(
    guard: EnqueueGuard,
    name: string,
    payload: T,
    options: Omit<EnqueueOptions, "tx">,
  ): Promise<{ guarded: boolean; jobId: string | null }>;
  /** Registers the handler of a job name (before or after start()). One handler per name. */
  work<T extends JobPayload>(name: string, handler: JobHandler<T>, options?: WorkOptions): void;
  /** Starts the workers of the registered handlers (a queue without handlers only enqueues). */
  start(): Promise<void>;
  /** Stops taking jobs and waits (up to `timeoutMs`) for running ones; unfinished jobs are retried later. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** Jobs queued, waiting for a retry or running — of the given names, or of all. */
  pending(names?: readonly string[]): Promise<number>;
  /** A shop's jobs that failed for good, newest first: what the admin shows. */
  failures(query: { shop: string; limit?: number }): Promise<JobFailure[]>;
  /** Deletes every job of a shop, whatever its state (shop/redact; a running job's completion then finds nothing). */
  purgeShop(shop: string): Promise<void>;
  /**
   * Finished jobs (succeeded or failed) of a shop whose payload mentions `value` as a JSON string lose that payload
   * (customers/redact: no copy of a redacted customer's id stays behind in the queue's storage).
   */
  scrubFinished(shop: string, value: string): Promise<void>;
}

/** Wraps a per-job function as a batch handler: each job succeeds or fails on its own. */
export function eachJob<T extends JobPayload>(run: (job: Job<T>) => Promise<void>): JobHandler<T> {
  return async (jobs) => {
    const failed: JobBatchResult["failed"] = [];
    for (const job of jobs) {
      try {
        await run(job);
      } catch (error) {
        failed.push({ id: job.id, error });
      }
    }
    return { failed };
  };
}

/** The text kept as a job's last error: the message only (never the payload), bounded. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 2000 ? `${text.slice(0, 1997)}...` : text;
}

/** The delay before the retry that follows failed attempt `attempt` (1-based), in seconds. */
export function retryDelaySeconds(attempt: number, retryDelay: number, retryBackoff: boolean): number {
  const delay = retryBackoff ? retryDelay * 2 ** Math.max(0, attempt - 1) : retryDelay;
  return Math.min(MAX_RETRY_DELAY_SECONDS, delay);
}

export function validateEnqueue(name: string, options: EnqueueOptions) {
  if (!/^[\w.\-/]+$/.test(name)) throw new Error(`Job name "${name}" may only contain letters, digits, _ - . /`);
  if (!options.shop) throw new Error(`Job ${name} has no shop`);
  if (options.singletonKey !== undefined && !SINGLETON_KEY.test(options.singletonKey)) {
    throw new Error(`singletonKey of job ${name} may only contain letters, digits, _ - . /`);
  }
  for (const key of ["retryLimit", "retryDelay"] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new Error(`${key} must be an integer ≥ 0`);
  }
}
