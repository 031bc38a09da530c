/**
 * The PostgreSQL job queue: pg-boss (its own `pgboss` schema, created and migrated by pg-boss at start), so that the
 * web process and any number of `npm run worker` processes share the work: jobs are claimed with SKIP LOCKED, retried
 * with pg-boss's backoff, expired (and retried) when a worker dies, and kept FAILED with their error as `output`.
 *
 * A job's pg-boss data is `{ shop, payload }` (pg-boss has no shop column); a succeeded job's payload is cleared, as
 * in the in-process queue. `failures`, `pending`, `purgeShop` and `scrubFinished` read or change pg-boss's job table
 * directly by `data->>'shop'`: pg-boss has no per-field filter for those.
 */
import { fromPrisma, PgBoss, type ConnectionOptions, type ConstructorOptions, type JobResult, type JobWithMetadata } from "pg-boss";
import { EXCLUSIVE_QUEUES } from "./names";
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

interface Envelope {
  shop: string;
  /** null once the job succeeded (then `done`). */
  payload: JobPayload | null;
  done?: true;
}

export interface PgBossQueueOptions {
  connectionString: string;
  /**
   * `producer`: only enqueues (the web process with PostgreSQL): no maintenance, one small pool.
   * `worker`: runs the registered handlers and pg-boss's maintenance (`npm run worker`).
   */
  role: "producer" | "worker";
  /** Seconds between polls of an idle worker (pg-boss's minimum is 0.5). Default 1. */
  pollingIntervalSeconds?: number;
  /** Queues whose policy is `exclusive` (singletonKey). Default: EXCLUSIVE_QUEUES. */
  exclusiveQueues?: ReadonlySet<string>;
  /** Where pg-boss's errors go (a pg-boss without an error listener would crash the process). */
  onError?: (error: unknown) => void;
  /** A name in pg-boss's instance registry. */
  instanceName?: string;
  schema?: string;
}

interface Registration {
  handler: JobHandler<JobPayload>;
  batchSize: number;
}

/** Completed jobs (without their payloads) are kept an hour, then pg-boss deletes them. */
const DELETE_COMPLETED_AFTER_SECONDS = 3600;

export class PgBossJobQueue implements JobQueue {
  readonly kind = "pg-boss" as const;
  readonly boss: PgBoss;
  private readonly schema: string;
  private readonly role: PgBossQueueOptions["role"];
  private readonly pollingIntervalSeconds: number;
  private readonly exclusive: ReadonlySet<string>;
  private readonly handlers = new Map<string, Registration>();
  private readonly queues = new Map<string, Promise<void>>();
  private starting: Promise<void> | null = null;
  private working = false;

  constructor(options: PgBossQueueOptions) {
    this.schema = options.schema ?? "pgboss";
    if (!/^[a-z_][a-z0-9_]*$/.test(this.schema)) throw new Error(`Invalid pg-boss schema name ${this.schema}`);
    this.role = options.role;
    this.pollingIntervalSeconds = options.pollingIntervalSeconds ?? 1;
    this.exclusive = options.exclusiveQueues ?? EXCLUSIVE_QUEUES;
    const config: ConstructorOptions = {
      connectionString: options.connectionString,
      schema: this.schema,
      application_name: `insight-loop-${options.role}`,
      max: options.role === "producer" ? 4 : 10,
      supervise: options.role === "worker",
      schedule: false,
      migrate: true,
      instanceName: options.instanceName ?? `insight-loop-${options.role}`,
      openTelemetry: { enabled: false },
    };
    this.boss = new PgBoss(config);
    const onError = options.onError ?? ((error: unknown) => console.error("[jobs] pg-boss error:", errorText(error)));
    this.boss.on("error", onError);
  }

  async enqueue<T extends JobPayload>(name: string, payload: T, options: EnqueueOptions): Promise<string | null> {
    validateEnqueue(name, options);
    await this.ensureStarted();
    await this.ensureQueue(name);
    return this.send(name, payload, options, options.tx ? { db: fromPrisma(options.tx) } : {});
  }

  private send(name: string, payload: JobPayload, options: Omit<EnqueueOptions, "tx">, connection: ConnectionOptions): Promise<string | null> {
    const exclusive = this.exclusive.has(name);
    if (options.singletonKey !== undefined && !exclusive) {
      throw new Error(`Job ${name} is not an exclusive queue (app/jobs/names.ts): singletonKey would not be enforced`);
    }
    if (exclusive && options.singletonKey === undefined) throw new Error(`Jobs of the exclusive queue ${name} need a singletonKey`);
    const retryBackoff = options.retryBackoff ?? DEFAULT_RETRY.retryBackoff;
    const data: Envelope = { shop: options.shop, payload };
    return this.boss.send(name, data, {
      retryLimit: options.retryLimit ?? DEFAULT_RETRY.retryLimit,
      retryDelay: options.retryDelay ?? DEFAULT_RETRY.retryDelay,
      retryBackoff,
      ...(retryBackoff ? { retryDelayMax: MAX_RETRY_DELAY_SECONDS } : {}),
      ...(options.startAfter !== undefined ? { startAfter: options.startAfter } : {}),
      ...(options.singletonKey !== undefined ? { singletonKey: options.singletonKey } : {}),
      ...connection,
    });
  }

  async enqueueGuarded<T extends JobPayload>(
    guard: EnqueueGuard,
    name: string,
    payload: T,
    options: Omit<EnqueueOptions, "tx">,
  ): Promise<{ guarded: boolean; jobId: string | null }> {
    validateEnqueue(name, options);
    await this.ensureStarted();
    await this.ensureQueue(name);
    const db = this.boss.getDb();
    if (!db.beginTransaction) throw new Error("pg-boss's database has no transactions");
    const tx = await db.beginTransaction();
    try {
      const { rows } = await tx.db.executeSql(guard.sql, guard.params);
      const jobId = rows.length > 0 ? await this.send(name, payload, options, { db: tx.db }) : null;
      await tx.commit();
      return { guarded: rows.length > 0, jobId };
    } catch (error) {
      await tx.rollback();
      throw error;
    }
  }

  work<T extends JobPayload>(name: string, handler: JobHandler<T>, options: WorkOptions = {}): void {
    if (this.handlers.has(name)) throw new Error(`A handler for job ${name} is already registered`);
    const registration = { handler: handler as JobHandler<JobPayload>, batchSize: Math.max(1, options.batchSize ?? 1) };
    this.handlers.set(name, registration);
    if (this.working) void this.startWorker(name, registration);
  }

  async start(): Promise<void> {
    await this.ensureStarted();
    if (this.role !== "worker" || this.working) return;
    this.working = true;
    for (const [name, registration] of this.handlers) await this.startWorker(name, registration);
  }

  async stop({ timeoutMs = 30_000 }: { timeoutMs?: number } = {}): Promise<void> {
    this.working = false;
    if (!this.starting) return;
    await this.starting.catch(() => undefined);
    await this.boss.stop({ graceful: true, close: true, timeout: timeoutMs });
    this.starting = null;
    this.queues.clear();
  }

  async pending(names?: readonly string[]): Promise<number> {
    await this.ensureStarted();
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT count(*)::integer AS n FROM ${this.schema}.job
       WHERE state IN ('created', 'retry', 'active') AND ($1::text[] IS NULL OR name = ANY($1::text[]))`,
      [names ? [...names] : null],
    );
    return Number((rows[0] as { n: number } | undefined)?.n ?? 0);
  }

  async failures({ shop, limit = 50 }: { shop: string; limit?: number }): Promise<JobFailure[]> {
    await this.ensureStarted();
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT id, name, data->>'shop' AS shop, retry_count AS "retryCount", output, completed_on AS "failedAt"
       FROM ${this.schema}.job WHERE state = 'failed' AND data->>'shop' = $1 ORDER BY completed_on DESC NULLS LAST LIMIT $2`,
      [shop, limit],
    );
    return (rows as { id: string; name: string; shop: string; retryCount: number; output: unknown; failedAt: Date | null }[]).map((r) => ({
      id: r.id,
      name: r.name,
      shop: r.shop,
      attempts: r.retryCount + 1,
      lastError: failureMessage(r.output),
      failedAt: r.failedAt,
    }));
  }

  async purgeShop(shop: string): Promise<void> {
    await this.ensureStarted();
    await this.boss.getDb().executeSql(`DELETE FROM ${this.schema}.job WHERE data->>'shop' = $1`, [shop]);
  }

  async scrubFinished(shop: string, value: string): Promise<void> {
    await this.ensureStarted();
    await this.boss.getDb().executeSql(
      `DELETE FROM ${this.schema}.job
       WHERE data->>'shop' = $1 AND state IN ('completed', 'failed', 'cancelled') AND strpos(data::text, $2) > 0`,
      [shop, JSON.stringify(value)],
    );
  }

  // -------------------------------------------------------------------------------------------------------------------

  private ensureStarted(): Promise<void> {
    this.starting ??= this.boss.start().then(() => undefined);
    return this.starting;
  }

  private ensureQueue(name: string): Promise<void> {
    let created = this.queues.get(name);
    if (!created) {
      created = this.boss
        .createQueue(name, {
          policy: this.exclusive.has(name) ? "exclusive" : "standard",
          deleteAfterSeconds: DELETE_COMPLETED_AFTER_SECONDS,
        })
        .catch((error: unknown) => {
          this.queues.delete(name);
          throw error;
        });
      this.queues.set(name, created);
    }
    return created;
  }

  private async startWorker(name: string, { handler, batchSize }: Registration) {
    await this.ensureQueue(name);
    await this.boss.work(
      name,
      // burstWhenBatchFull: while batches come back full there is a backlog: fetch again at once instead of polling.
      { batchSize, includeMetadata: true, perJobResults: true, pollingIntervalSeconds: this.pollingIntervalSeconds, burstWhenBatchFull: batchSize > 1 },
      async (batch: JobWithMetadata<Envelope>[]): Promise<JobResult[]> => {
        // A job whose work was done but whose completion was lost (its payload already cleared) just completes.
        const todo = batch.filter((j) => j.data.done !== true);
        const jobs: Job<JobPayload>[] = todo.map((j) => ({
          id: j.id,
          name: j.name,
          shop: j.data.shop,
          payload: j.data.payload ?? {},
          attempt: j.retryCount + 1,
          maxAttempts: j.retryLimit + 1,
        }));
        let failed: { id: string; error: unknown }[];
        try {
          failed = jobs.length === 0 ? [] : ((await handler(jobs))?.failed ?? []);
        } catch (error) {
          failed = jobs.map((j) => ({ id: j.id, error }));
        }
        const failedIds = new Set(failed.map((f) => f.id));
        const succeeded = jobs.filter((j) => !failedIds.has(j.id)).map((j) => j.id);
        if (succeeded.length > 0) {
          // As in the in-process queue, a succeeded job keeps no payload (it may hold ids a redaction must not leave).
          await this.boss.getDb().executeSql(
            `UPDATE ${this.schema}.job SET data = jsonb_build_object('shop', data->>'shop', 'payload', NULL, 'done', true)
             WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active'`,
            [name, succeeded],
          );
        }
        const errors = new Map(failed.map((f) => [f.id, errorText(f.error)]));
        return batch.map((j) => {
          const message = errors.get(j.id);
          return message === undefined ? { id: j.id, status: "completed" } : { id: j.id, status: "failed", output: { message } };
        });
      },
    );
  }
}

function failureMessage(output: unknown): string {
  if (output && typeof output === "object" && "message" in output && typeof output.message === "string") return output.message;
  return output === null || output === undefined ? "" : JSON.stringify(output);
}
