/**
 * Full sync: every collection, product, customer and order (all history) through bulk operations.
 *
 * 1. `startFullSync` creates a SyncRun unless one is already active for the shop (one sync at a time, under an advisory
 *    lock), and `runFullSync` claims it (a run whose heartbeat went stale — its process died — is claimed again).
 * 2. The four bulk queries start together (2026-01 runs up to five per shop); each is polled until it ends.
 * 3. A finished file is streamed line by line straight into the tables in batches (stream-apply.server.ts: never held
 *    whole in memory; children before or after their parents); each batch commits with the file cursor, so a crash
 *    resumes after the last committed line with nothing lost or duplicated. A FAILED/EXPIRED/CANCELED operation or a
 *    malformed file is retried with a new operation (rows already written are upserted again, idempotently).
 * Progress (phase, objects done/total, errors) lives on the SyncRun for the admin's progress bar.
 */
import type { Prisma, PrismaClient, SyncRun } from "@prisma/client";
import type { AdminClient } from "../client.server";
import { BULK_COLLECTIONS } from "../graphql/BulkCollections";
import { BULK_CUSTOMERS } from "../graphql/BulkCustomers";
import { BULK_OPERATION_RUN_QUERY, type BulkOperationRunQueryData } from "../graphql/BulkOperationRunQuery";
import { BULK_OPERATION_STATUS, type BulkOperationStatusData } from "../graphql/BulkOperationStatus";
import { BULK_ORDERS } from "../graphql/BulkOrders";
import { BULK_PRODUCTS } from "../graphql/BulkProducts";
import { applyFile, isNetworkError, MalformedLineError, type FileProgress, type Resource } from "./stream-apply.server";

export const RESOURCES = ["collections", "products", "customers", "orders"] as const satisfies readonly Resource[];
export { textLines } from "./stream-apply.server";

const QUERIES: Record<Resource, string> = {
  collections: BULK_COLLECTIONS,
  products: BULK_PRODUCTS,
  customers: BULK_CUSTOMERS,
  orders: BULK_ORDERS,
};
interface ResourceState extends FileProgress {
  op: string | null;
  status: "pending" | "started" | "applied";
  total: number | null; // root objects in the file
  attempts: number;
}
type SyncState = Record<Resource, ResourceState>;

export class SyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyncError";
  }
}

/**
 * bulk_operations/finish wakes a sync of this process waiting for that operation (app/lib/sync.server.ts calls it from
 * the sync.bulk-finished job); without the webhook the wait is the poll interval. Returns whether anyone was waiting.
 */
const waiting = new Map<string, Set<() => void>>();
export function wakeSyncWaitingFor(operationId: string): boolean {
  const wakers = waiting.get(operationId);
  if (!wakers || wakers.size === 0) return false;
  for (const wake of [...wakers]) wake();
  return true;
}

function sleepUnlessWoken(operationId: string | null, ms: number, sleep: (ms: number) => Promise<void>): Promise<void> {
  if (operationId === null) return sleep(ms);
  return new Promise<void>((resolve) => {
    const wakers = waiting.get(operationId) ?? new Set<() => void>();
    const done = () => {
      wakers.delete(done);
      if (wakers.size === 0) waiting.delete(operationId);
      resolve();
    };
    wakers.add(done);
    waiting.set(operationId, wakers);
    void sleep(ms).then(done);
  });
}

export interface SyncDeps {
  db: PrismaClient;
  client: AdminClient;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Downloads a bulk result file (a signed URL in Shopify). */
  download?: (url: string) => Promise<Response>;
  pollIntervalMs?: number;
  /** Rows (parents and children) per committed batch. */
  batchSize?: number;
  maxBulkAttempts?: number;
  /** After this long without a heartbeat a RUNNING sync is considered dead and may be resumed. */
  staleAfterMs?: number;
}

const emptyResource = (): ResourceState => ({ op: null, status: "pending", done: 0, parents: 0, waiting: 0, dropped: 0, total: null, attempts: 0 });
const emptyState = (): SyncState => Object.fromEntries(RESOURCES.map((r) => [r, emptyResource()])) as SyncState;

function readState(run: SyncRun): SyncState {
  const saved = run.cursor ? (JSON.parse(run.cursor) as Partial<Record<Resource, Partial<ResourceState>>>) : {};
  return Object.fromEntries(RESOURCES.map((r) => [r, { ...emptyResource(), ...saved[r] }])) as SyncState;
}

/** Creates a full sync for the shop, or returns the one already queued or running. */
export async function startFullSync({ shop, db, now }: { shop: string; db: PrismaClient; now: Date }): Promise<{ run: SyncRun; created: boolean }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, `sync:${shop}`);
    const active = await tx.syncRun.findFirst({ where: { shop, status: { in: ["PENDING", "RUNNING"] } }, orderBy: { startedAt: "desc" } });
    if (active) return { run: active, created: false };
    const run = await tx.syncRun.create({
      data: { shop, kind: "full", status: "PENDING", phase: "queued", startedAt: now, heartbeatAt: now, cursor: JSON.stringify(emptyState()) },
    });
    return { run, created: true };
  });
}

async function save(db: PrismaClient | Prisma.TransactionClient, run: SyncRun, state: SyncState, data: Partial<SyncRun>, now: Date) {
  // Derived from the cursor (what is committed), never counted up on the side: a batch that did not commit or a file
  // read again cannot inflate it. It only moves forward (a file fetched anew starts its count from 0).
  const objectsDone = RESOURCES.reduce((sum, r) => sum + (state[r].status === "applied" ? (state[r].total ?? 0) : state[r].parents), 0);
  const totals = RESOURCES.map((r) => state[r].total);
  Object.assign(run, { cursor: JSON.stringify(state), heartbeatAt: now, objectsTotal: totals.every((t) => t !== null) ? totals.reduce((a, b) => a! + b!, 0) : null, ...data });
  run.objectsDone = Math.max(run.objectsDone, objectsDone);
  await db.syncRun.update({
    where: { id: run.id },
    data: {
      cursor: run.cursor,
      heartbeatAt: run.heartbeatAt,
      objectsTotal: run.objectsTotal,
      objectsDone: run.objectsDone,
      phase: run.phase,
      status: run.status,
      errorCount: run.errorCount,
      lastError: run.lastError,
      finishedAt: run.finishedAt,
    },
  });
}

/** Runs (or resumes) a sync to its end. Returns the final SyncRun; a run another live process owns is left alone. */
export async function runFullSync({ runId, deps }: { runId: string; deps: SyncDeps }): Promise<SyncRun> {
  const { db, client, now } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const download = deps.download ?? ((url: string) => fetch(url));
  // bulk_operations/finish normally ends the wait early (wakeSyncWaitingFor); polling is the fallback.
  const pollIntervalMs = deps.pollIntervalMs ?? 5000;
  const maxAttempts = deps.maxBulkAttempts ?? 3;
  const staleBefore = new Date(now().getTime() - (deps.staleAfterMs ?? 5 * 60_000));

  const claimed = await db.syncRun.updateMany({
    where: { id: runId, OR: [{ status: "PENDING" }, { status: "RUNNING", heartbeatAt: { lt: staleBefore } }] },
    data: { status: "RUNNING", heartbeatAt: now() },
  });
  const run = await db.syncRun.findUniqueOrThrow({ where: { id: runId } });
  if (claimed.count === 0) return run; // finished, or another process is on it
  const shop = run.shop;
  const state = readState(run);
  const shopRow = await db.shop.findUnique({ where: { domain: shop } });
  const currency = shopRow?.currency ?? "USD";

  const startOperation = async (resource: Resource) => {
    for (;;) {
      const data = await client.request<BulkOperationRunQueryData>(BULK_OPERATION_RUN_QUERY, { query: QUERIES[resource] });
      const payload = data.bulkOperationRunQuery;
      const op = payload?.bulkOperation;
      if (op) {
        Object.assign(state[resource], { op: op.id, status: "started", done: 0, parents: 0, waiting: 0, total: null, attempts: state[resource].attempts + 1 });
        return;
      }
      const errors = payload?.userErrors ?? [];
      if (errors.some((e) => e.code === "LIMIT_REACHED" || e.code === "OPERATION_IN_PROGRESS")) {
        await sleep(pollIntervalMs * 5);
        continue;
      }
      throw new SyncError(`${resource}: bulk query refused: ${errors.map((e) => e.message).join("; ") || "no operation"}`);
    }
  };

  const restart = async (resource: Resource, reason: string) => {
    run.errorCount += 1;
    run.lastError = `${resource}: ${reason}`;
    if (state[resource].attempts >= maxAttempts) throw new SyncError(`${resource}: ${reason} (after ${state[resource].attempts} bulk operations)`);
    await db.syncStage.deleteMany({ where: { syncRunId: run.id, resource } });
    await startOperation(resource);
    await save(db, run, state, {}, now());
  };

  try {
    for (const resource of RESOURCES) if (state[resource].status === "pending") await startOperation(resource);
    await save(db, run, state, { phase: "exporting" }, now());

    for (const resource of RESOURCES) {
      while (state[resource].status === "started") {
        const data = await client.request<BulkOperationStatusData>(BULK_OPERATION_STATUS, { id: state[resource].op });
        const op = data.bulkOperation;
        if (!op) {
          await restart(resource, "bulk operation disappeared");
          continue;
        }
        if (op.status === "CREATED" || op.status === "RUNNING" || op.status === "CANCELING") {
          await save(db, run, state, { phase: `${resource}: exporting` }, now());
          await sleepUnlessWoken(state[resource].op, pollIntervalMs, sleep);
          continue;
        }
        if (op.status !== "COMPLETED") {
          await restart(resource, `bulk operation ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ""}`);
          continue;
        }
        state[resource].total = Number(op.rootObjectCount);
        try {
          if (op.url) await ingest(deps, run, state, resource, op.url, currency, download);
          state[resource].status = "applied";
          await save(db, run, state, { phase: `${resource}: done` }, now());
        } catch (error) {
          if (!(error instanceof MalformedLineError)) throw error;
          await restart(resource, error.message);
        }
      }
    }
    await db.syncStage.deleteMany({ where: { syncRunId: run.id } });
    await save(db, run, state, { status: "SUCCEEDED", phase: "done", finishedAt: now() }, now());
  } catch (error) {
    run.errorCount += 1;
    await save(db, run, state, { status: "FAILED", lastError: (error as Error).message, finishedAt: now() }, now());
  }
  return run;
}

/** Streams a finished bulk file into the tables, resuming after its last committed line. */
async function ingest(
  deps: SyncDeps,
  run: SyncRun,
  state: SyncState,
  resource: Resource,
  url: string,
  currency: string,
  download: (url: string) => Promise<Response>,
) {
  const { db, now } = deps;
  // A download that breaks off is fetched again and read from the first line not yet committed (a short real pause:
  // deps.sleep paces polling, which tests may stop).
  for (let attempt = 1; ; attempt++) {
    try {
      await ingestOnce(deps, run, state, resource, url, currency, download);
      return;
    } catch (error) {
      if (!isNetworkError(error) || attempt >= DOWNLOAD_ATTEMPTS) throw error;
      run.errorCount += 1;
      run.lastError = `${resource}: the download broke off at line ${state[resource].done} (${describeNetworkError(error)}); fetching it again`;
      await save(db, run, state, {}, now());
      await new Promise<void>((r) => setTimeout(r, Math.min(8_000, 250 * 2 ** (attempt - 1))));
    }
  }
}

const DOWNLOAD_ATTEMPTS = 5;

/** "fetch failed" alone says nothing: the underlying cause (a socket closed, refused, timed out) is what tells why. */
function describeNetworkError(error: unknown): string {
  const message = (error as Error).message;
  const cause = (error as Error).cause as { code?: unknown; message?: unknown } | undefined;
  if (!cause || typeof cause !== "object") return message;
  const detail = [cause.code, cause.message].filter((x): x is string => typeof x === "string" && x !== "").join(" ");
  return detail ? `${message}: ${detail}` : message;
}

async function ingestOnce(
  deps: SyncDeps,
  run: SyncRun,
  state: SyncState,
  resource: Resource,
  url: string,
  currency: string,
  download: (url: string) => Promise<Response>,
) {
  const { db, now } = deps;
  const response = await download(url);
  if (!response.ok || !response.body) throw new MalformedLineError(`downloading the ${resource} file failed: HTTP ${response.status}`);
  // PostgreSQL plans foreign-key checks with the statistics of the moment and PGlite never analyzes by itself: on a
  // fresh database those plans become full scans as the tables fill. Re-analyze after the first batch and then each
  // time the rows written grow eightfold (a handful of ANALYZEs of ~0.1 s).
  let written = 0;
  let analyzeAt = 1;
  await applyFile({
    db,
    runId: run.id,
    shop: run.shop,
    resource,
    currency,
    marker: run.startedAt,
    body: response.body,
    progress: state[resource],
    batchSize: deps.batchSize ?? 10_000,
    commit: async (tx, batch) => {
      await save(tx, run, state, { phase: `${resource}: writing` }, now());
      written += batch.parents;
      if (written >= analyzeAt) {
        analyzeAt = written * 8;
        await tx.$executeRawUnsafe(`ANALYZE "Customer", "Order", "OrderLine", "Product", "Variant", "ProductCollection", "SyncStage"`);
      }
    },
  });
}
