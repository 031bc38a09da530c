/**
 * The embedded default's job queue: rows of the `Job` table, claimed and run by a polling loop in this process.
 *
 * - Durable: a job is a row from enqueue on; queued jobs survive restarts, and a RUNNING job whose lock has not been
 *   refreshed for `lockTimeoutMs` (its process died) is claimed again — or FAILED if it has no attempts left.
 * - Claims use `FOR UPDATE SKIP LOCKED`, so two queues on one PostgreSQL database never run a job twice at once (the
 *   embedded database has one process anyway).
 * - While a batch runs its locks are refreshed every `heartbeatMs`, so a long job is never taken for dead.
 * - A succeeded job keeps its row (status, times) but not its payload; failures keep `lastError` for the admin.
 * - All times come from `clock` (tests move it); nothing here reads the database's now().
 */
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@prisma/client";
import {
  DEFAULT_RETRY,
  errorText,
  MAX_RETRY_DELAY_SECONDS,
  validateEnqueue,
  type EnqueueGuard,
  type EnqueueOptions,
  type Job,
  type JobFailure,
  type JobHandler,
  type JobPayload,
  type JobQueue,
  type WorkOptions,
} from "./types";

export interface InProcessQueueOptions {
  db: PrismaClient;
  /** Identifies this worker in `lockedBy`. */
  workerId?: string;
  /** Idle wait between polls (enqueue in this process wakes the loop at once). Default 1000 ms. */
  pollIntervalMs?: number;
  /** A RUNNING job not heard from for this long is retried. Default 15 minutes. */
  lockTimeoutMs?: number;
  /** How often running jobs' locks are refreshed. Default lockTimeoutMs / 3. */
  heartbeatMs?: number;
  /** How long to let jobs accumulate after a partial batch or a wake-up, so bursts run in batches. Default 200 ms. */
  batchWindowMs?: number;
  /**
   * Treat every RUNNING job as abandoned when this queue starts. Right for the embedded database, which one process
   * holds at a time: a job RUNNING at start belonged to a process that is gone.
   */
  recoverOnStart?: boolean;
  clock?: () => Date;
  /** Where loop errors go (never payloads). Default console.error. */
  onError?: (error: unknown) => void;
}

interface Registration {
  handler: JobHandler<JobPayload>;
  batchSize: number;
}

interface ClaimedRow {
  id: string;
  shop: string;
  name: string;
  payload: unknown;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
}

const iso = (d: Date) => d.toISOString();

export class InProcessJobQueue implements JobQueue {
  readonly kind = "in-process" as const;
  readonly workerId: string;
  private readonly db: PrismaClient;
  private readonly handlers = new Map<string, Registration>();
  private readonly pollIntervalMs: number;
  private readonly lockTimeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly batchWindowMs: number;
  private readonly clock: () => Date;
  private readonly onError: (error: unknown) => void;
  private readonly recoverOnStart: boolean;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: InProcessQueueOptions) {
    this.db = options.db;
    this.workerId = options.workerId ?? `in-process-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 15 * 60_000;
    this.heartbeatMs = options.heartbeatMs ?? Math.max(1000, Math.floor(this.lockTimeoutMs / 3));
    this.batchWindowMs = options.batchWindowMs ?? 200;
    this.clock = options.clock ?? (() => new Date());
    this.onError = options.onError ?? ((error) => console.error("[jobs] worker loop error:", errorText(error)));
    this.recoverOnStart = options.recoverOnStart ?? false;
  }

  async enqueue<T extends JobPayload>(name: string, payload: T, options: EnqueueOptions): Promise<string | null> {
    const job = this.jobInsert(name, payload, options, 0);
    const rows = await (options.tx ?? this.db).$queryRawUnsafe<{ id: string }[]>(`${job.sql} RETURNING "id"`, ...job.params);
    if (rows.length > 0 && !options.tx) this.poke();
    return rows[0]?.id ?? null;
  }

  async enqueueGuarded<T extends JobPayload>(
    guard: EnqueueGuard,
    name: string,
    payload: T,
    options: Omit<EnqueueOptions, "tx">,
  ): Promise<{ guarded: boolean; jobId: string | null }> {
    // One statement: the guard runs exactly once (a data-modifying CTE), the job is inserted only if it returned a row.
    const job = this.jobInsert(name, payload, options, guard.params.length, `EXISTS (SELECT 1 FROM guard)`);
    const rows = await this.db.$queryRawUnsafe<{ guarded: number; id: string | null }[]>(
      `WITH guard AS (${guard.sql}), job AS (${job.sql} RETURNING "id")
       SELECT (SELECT count(*) FROM guard)::integer AS guarded, (SELECT "id" FROM job) AS id`,
      ...guard.params,
      ...job.params,
    );
    const row = rows[0];
    if (row?.id) this.poke();
    return { guarded: (row?.guarded ?? 0) > 0, jobId: row?.id ?? null };
  }

  /** `INSERT INTO "Job" ... SELECT ... WHERE <singleton free> [AND <condition>]`, its parameters numbered after `offset`. */
  private jobInsert(name: string, payload: JobPayload, options: Omit<EnqueueOptions, "tx">, offset: number, condition?: string) {
    validateEnqueue(name, options);
    const now = this.clock();
    const runAt =
      options.startAfter === undefined
        ? now
        : options.startAfter instanceof Date
          ? options.startAfter
          : new Date(now.getTime() + options.startAfter * 1000);
    const $ = (n: number) => `$${offset + n}`;
    const sql = `INSERT INTO "Job" ("id", "shop", "name", "payload", "maxAttempts", "retryDelay", "retryBackoff", "singletonKey", "runAt", "createdAt")
       SELECT ${$(1)}, ${$(2)}, ${$(3)}, ${$(4)}::jsonb, ${$(5)}::integer, ${$(6)}::integer, ${$(7)}::boolean, ${$(8)}::text, ${$(9)}::timestamptz, ${$(10)}::timestamptz
       WHERE (${$(8)}::text IS NULL OR NOT EXISTS (
         SELECT 1 FROM "Job" WHERE "name" = ${$(3)} AND "singletonKey" = ${$(8)}::text AND "status" IN ('QUEUED', 'RUNNING')))${condition ? ` AND ${condition}` : ""}`;
    const params = [
      randomUUID(),
      options.shop,
      name,
      JSON.stringify(payload),
      (options.retryLimit ?? DEFAULT_RETRY.retryLimit) + 1,
      options.retryDelay ?? DEFAULT_RETRY.retryDelay,
      options.retryBackoff ?? DEFAULT_RETRY.retryBackoff,
      options.singletonKey ?? null,
      iso(runAt),
      iso(now),
    ];
    return { sql, params };
  }

  work<T extends JobPayload>(name: string, handler: JobHandler<T>, options: WorkOptions = {}): void {
    if (this.handlers.has(name)) throw new Error(`A handler for job ${name} is already registered`);
    this.handlers.set(name, { handler: handler as JobHandler<JobPayload>, batchSize: Math.max(1, options.batchSize ?? 1) });
    this.poke();
  }

  async start(): Promise<void> {
    if (this.running) return;
    if (this.recoverOnStart) {
      await this.db.$executeRawUnsafe(
        `UPDATE "Job" SET "lockedAt" = to_timestamp(0) WHERE "status" = 'RUNNING' AND "lockedBy" IS DISTINCT FROM $1`,
        this.workerId,
      );
    }
    this.running = true;
    this.loop = this.runLoop();
  }

  async stop({ timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<void> {
    this.running = false;
    this.poke();
    if (!this.loop) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.loop, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    this.loop = null;
  }

  /**
   * Runs due jobs until none is left, without the polling loop; returns how many were handled. For tests, scripts and
   * shutdown drains. Jobs scheduled later (retries) are left for later.
   */
  async runUntilIdle(): Promise<number> {
    let handled = 0;
    for (;;) {
      const { handled: n } = await this.tick();
      if (n === 0) return handled;
      handled += n;
    }
  }

  async pending(names?: readonly string[]): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::integer AS n FROM "Job" WHERE "status" IN ('QUEUED', 'RUNNING') AND ($1::text[] IS NULL OR "name" = ANY($1::text[]))`,
      names ? [...names] : null,
    );
    return rows[0]?.n ?? 0;
  }

  async failures({ shop, limit = 50 }: { shop: string; limit?: number }): Promise<JobFailure[]> {
    const rows = await this.db.job.findMany({
      where: { shop, status: "FAILED" },
      orderBy: { finishedAt: "desc" },
      take: limit,
      select: { id: true, name: true, shop: true, attempts: true, lastError: true, finishedAt: true },
    });
    return rows.map((r) => ({ id: r.id, name: r.name, shop: r.shop, attempts: r.attempts, lastError: r.lastError ?? "", failedAt: r.finishedAt }));
  }

  async purgeShop(shop: string): Promise<void> {
    // Job rows also cascade with the Shop row; this covers a queue whose shop row is kept.
    await this.db.$executeRawUnsafe(`DELETE FROM "Job" WHERE "shop" = $1`, shop);
  }

  async scrubFinished(shop: string, value: string): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE "Job" SET "payload" = '{}'::jsonb
       WHERE "shop" = $1 AND "status" IN ('SUCCEEDED', 'FAILED') AND strpos("payload"::text, $2) > 0`,
      shop,
      JSON.stringify(value),
    );
  }

  // -------------------------------------------------------------------------------------------------------------------

  private poke() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      let pass = { handled: 0, full: false };
      try {
        pass = await this.tick();
      } catch (error) {
        this.onError(error);
      }
      if (!this.running || pass.full) continue; // a full batch: there is a backlog, go on at once
      if (pass.handled === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.idleTimer = setTimeout(resolve, this.pollIntervalMs);
          this.idleTimer.unref?.();
        });
        this.wake = null;
      }
      // Jobs trickle in (or a poke woke us): wait a moment so that a burst is taken in batches, not one by one.
      if (this.running) await new Promise<void>((resolve) => setTimeout(resolve, this.batchWindowMs).unref?.());
    }
  }

  /**
   * One pass: find the registered names with due or abandoned jobs (one query), fail abandoned jobs that have no
   * attempt left, then claim and run one batch per such name.
   */
  private async tick(): Promise<{ handled: number; full: boolean }> {
    if (this.handlers.size === 0) return { handled: 0, full: false };
    const now = this.clock();
    const staleBefore = new Date(now.getTime() - this.lockTimeoutMs);
    const names = [...this.handlers.keys()];
    // Per registered name: is anything due, is anything abandoned? Index probes, not a scan of the table.
    const due = (
      await this.db.$queryRawUnsafe<{ name: string; ready: boolean; stale: boolean }[]>(
        `SELECT n."name",
           EXISTS (SELECT 1 FROM "Job" j WHERE j."name" = n."name" AND j."status" = 'QUEUED' AND j."runAt" <= $2::timestamptz) AS ready,
           EXISTS (SELECT 1 FROM "Job" j WHERE j."name" = n."name" AND j."status" = 'RUNNING' AND j."lockedAt" < $3::timestamptz) AS stale
         FROM unnest($1::text[]) AS n("name")`,
        names,
        iso(now),
        iso(staleBefore),
      )
    ).filter((d) => d.ready || d.stale);
    if (due.some((d) => d.stale)) {
      await this.db.$executeRawUnsafe(
        `UPDATE "Job" SET "status" = 'FAILED', "finishedAt" = $2::timestamptz, "lockedAt" = NULL, "lockedBy" = NULL,
           "lastError" = 'The worker running attempt ' || "attempts" || ' of ' || "maxAttempts" || ' stopped (lock expired)'
         WHERE "name" = ANY($1::text[]) AND "status" = 'RUNNING' AND "lockedAt" < $3::timestamptz AND "attempts" >= "maxAttempts"`,
        names,
        iso(now),
        iso(staleBefore),
      );
    }
    let handled = 0;
    let full = false;
    for (const { name, stale } of due) {
      const registration = this.handlers.get(name);
      if (!registration) continue;
      const claimed = await this.claim(name, registration.batchSize, now, staleBefore, stale);
      if (claimed.length === 0) continue;
      await this.runBatch(name, registration, claimed);
      handled += claimed.length;
      full ||= claimed.length === registration.batchSize;
    }
    return { handled, full };
  }

  /**
   * Claims up to `limit` jobs of a name: abandoned ones first (when `stale`), then queued ones that are due, oldest
   * first. Each is one index range scan on (name, status, runAt), whatever the size of the table.
   */
  private async claim(name: string, limit: number, now: Date, staleBefore: Date, stale: boolean): Promise<ClaimedRow[]> {
    const claimed: ClaimedRow[] = [];
    // $1 name, $2 limit, $3 now, $4 worker, $5 (stale only) the lock age that counts as abandoned
    const take = (where: string, lastError: string, n: number, extra: unknown[]) =>
      this.db.$queryRawUnsafe<ClaimedRow[]>(
        `UPDATE "Job" AS j SET "status" = 'RUNNING', "lockedAt" = $3::timestamptz, "lockedBy" = $4, "attempts" = j."attempts" + 1,
           "lastError" = ${lastError}
         WHERE j."id" IN (
           SELECT "id" FROM "Job" WHERE "name" = $1 AND ${where}
           ORDER BY "runAt" LIMIT $2::integer FOR UPDATE SKIP LOCKED)
         RETURNING j."id", j."shop", j."name", j."payload", j."attempts", j."maxAttempts", j."runAt"`,
        name,
        n,
        iso(now),
        this.workerId,
        ...extra,
      );
    if (stale) {
      claimed.push(
        ...(await take(
          `"status" = 'RUNNING' AND "lockedAt" < $5::timestamptz AND "attempts" < "maxAttempts"`,
          `'The worker running attempt ' || j."attempts" || ' stopped (lock expired)'`,
          limit,
          [iso(staleBefore)],
        )),
      );
    }
    if (claimed.length < limit) {
      claimed.push(...(await take(`"status" = 'QUEUED' AND "runAt" <= $3::timestamptz`, `j."lastError"`, limit - claimed.length, [])));
    }
    return claimed.sort((a, b) => a.runAt.getTime() - b.runAt.getTime());
  }

  private async runBatch(name: string, { handler }: Registration, rows: ClaimedRow[]) {
    const jobs: Job<JobPayload>[] = rows.map((r) => ({
      id: r.id,
      name,
      shop: r.shop,
      payload: (typeof r.payload === "string" ? JSON.parse(r.payload) : r.payload) as JobPayload,
      attempt: r.attempts,
      maxAttempts: r.maxAttempts,
    }));
    const ids = jobs.map((j) => j.id);
    const heartbeat = setInterval(() => {
      void this.db
        .$executeRawUnsafe(
          `UPDATE "Job" SET "lockedAt" = $3::timestamptz WHERE "id" = ANY($1::text[]) AND "lockedBy" = $2 AND "status" = 'RUNNING'`,
          ids,
          this.workerId,
          iso(this.clock()),
        )
        .catch((error: unknown) => this.onError(error));
    }, this.heartbeatMs);
    heartbeat.unref?.();
    let failed: { id: string; error: unknown }[];
    try {
      const result = await handler(jobs);
      failed = result?.failed ?? [];
    } catch (error) {
      failed = ids.map((id) => ({ id, error }));
    } finally {
      clearInterval(heartbeat);
    }
    const failedIds = new Set(failed.map((f) => f.id));
    const succeeded = ids.filter((id) => !failedIds.has(id));
    const now = this.clock();
    if (succeeded.length > 0) {
      await this.db.$executeRawUnsafe(
        `UPDATE "Job" SET "status" = 'SUCCEEDED', "finishedAt" = $3::timestamptz, "lockedAt" = NULL, "lockedBy" = NULL, "payload" = '{}'::jsonb
         WHERE "id" = ANY($1::text[]) AND "lockedBy" = $2 AND "status" = 'RUNNING'`,
        succeeded,
        this.workerId,
        iso(now),
      );
    }
    for (const { id, error } of failed) {
      await this.db.$executeRawUnsafe(
        `UPDATE "Job" SET
           "status" = CASE WHEN "attempts" >= "maxAttempts" THEN 'FAILED'::"JobStatus" ELSE 'QUEUED'::"JobStatus" END,
           "runAt" = CASE WHEN "attempts" >= "maxAttempts" THEN "runAt"
                          ELSE $3::timestamptz + make_interval(secs => LEAST($5::integer,
                                 CASE WHEN "retryBackoff" THEN "retryDelay" * power(2, GREATEST("attempts" - 1, 0)) ELSE "retryDelay" END)) END,
           "finishedAt" = CASE WHEN "attempts" >= "maxAttempts" THEN $3::timestamptz ELSE NULL END,
           "lastError" = $4, "lockedAt" = NULL, "lockedBy" = NULL
         WHERE "id" = $1 AND "lockedBy" = $2 AND "status" = 'RUNNING'`,
        id,
        this.workerId,
        iso(now),
        errorText(error),
        MAX_RETRY_DELAY_SECONDS,
      );
    }
  }
}
