/**
 * Full sync: every collection, product, customer and order (all history) through bulk operations.
 *
 * 1. `startFullSync` creates a SyncRun unless one is already active for the shop (one sync at a time, under an advisory
 *    lock), and `runFullSync` claims it (a run whose heartbeat went stale — its process died — is claimed again).
 * 2. The four bulk queries start together (2026-01 runs up to five per shop); each is polled until it ends.
 * 3. A finished file is streamed line by line into SyncStage (children may precede their parents in 2026-01), never
 *    held whole in memory. A FAILED/EXPIRED/CANCELED operation or a malformed file is retried with a new operation.
 * 4. Parents are then applied in batches with their children through the one writer; the batch and the progress
 *    cursor commit together, so a crash resumes after the last applied batch with nothing lost or duplicated.
 * Progress (phase, objects done/total, errors) lives on the SyncRun for the admin's progress bar.
 */
import type { Prisma, PrismaClient, SyncRun } from "@prisma/client";
import { writeCollections, writeCustomers, writeOrders, writeProducts } from "../../lib/ingest/writer.server";
import type { AdminClient } from "../client.server";
import { BULK_COLLECTIONS } from "../graphql/BulkCollections";
import { BULK_CUSTOMERS } from "../graphql/BulkCustomers";
import { BULK_OPERATION_RUN_QUERY, type BulkOperationRunQueryData } from "../graphql/BulkOperationRunQuery";
import { BULK_OPERATION_STATUS, type BulkOperationStatusData } from "../graphql/BulkOperationStatus";
import { BULK_ORDERS } from "../graphql/BulkOrders";
import { BULK_PRODUCTS } from "../graphql/BulkProducts";
import { gidType, mapCollection, mapCustomer, mapOrder, mapProduct, type BulkRow } from "../mappers/bulk";

export const RESOURCES = ["collections", "products", "customers", "orders"] as const;
export type Resource = (typeof RESOURCES)[number];

const QUERIES: Record<Resource, string> = {
  collections: BULK_COLLECTIONS,
  products: BULK_PRODUCTS,
  customers: BULK_CUSTOMERS,
  orders: BULK_ORDERS,
};
const PARENT_KIND: Record<Resource, string> = { collections: "collection", products: "product", customers: "customer", orders: "order" };

interface ResourceState {
  op: string | null;
  status: "pending" | "started" | "staged" | "applied";
  staged: number; // lines staged (the file's line numbers 1..staged are in SyncStage)
  applied: number; // the last parent line applied
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

export interface SyncDeps {
  db: PrismaClient;
  client: AdminClient;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Downloads a bulk result file (a signed URL in Shopify). */
  download?: (url: string) => Promise<Response>;
  pollIntervalMs?: number;
  stageBatch?: number;
  applyBatch?: number;
  maxBulkAttempts?: number;
  /** After this long without a heartbeat a RUNNING sync is considered dead and may be resumed. */
  staleAfterMs?: number;
}

const emptyState = (): SyncState =>
  Object.fromEntries(RESOURCES.map((r) => [r, { op: null, status: "pending", staged: 0, applied: 0, total: null, attempts: 0 }])) as SyncState;

function readState(run: SyncRun): SyncState {
  return run.cursor ? { ...emptyState(), ...(JSON.parse(run.cursor) as Partial<SyncState>) } : emptyState();
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
  const objectsDone = RESOURCES.reduce((sum, r) => sum + (state[r].status === "applied" ? (state[r].total ?? 0) : 0), 0);
  const totals = RESOURCES.map((r) => state[r].total);
  Object.assign(run, { cursor: JSON.stringify(state), heartbeatAt: now, objectsTotal: totals.every((t) => t !== null) ? totals.reduce((a, b) => a! + b!, 0) : null, ...data });
  if (data.objectsDone === undefined) run.objectsDone = Math.max(run.objectsDone, objectsDone);
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
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
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
        Object.assign(state[resource], { op: op.id, status: "started", staged: 0, applied: 0, total: null, attempts: state[resource].attempts + 1 });
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
          await sleep(pollIntervalMs);
          continue;
        }
        if (op.status !== "COMPLETED") {
          await restart(resource, `bulk operation ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ""}`);
          continue;
        }
        state[resource].total = Number(op.rootObjectCount);
        try {
          if (op.url) await stage(deps, run, resource, op.url, state[resource], download);
          // Fresh statistics for the staged rows, or the planner may scan the whole stage for each batch's children.
          await db.$executeRawUnsafe(`ANALYZE "SyncStage"`);
          state[resource].status = "staged";
          await save(db, run, state, { phase: `${resource}: staged` }, now());
        } catch (error) {
          if (!(error instanceof MalformedLineError)) throw error;
          await restart(resource, error.message);
        }
      }
      if (state[resource].status === "staged") {
        await apply(deps, run, state, resource, currency);
        state[resource].status = "applied";
        await save(db, run, state, { phase: `${resource}: done` }, now());
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

class MalformedLineError extends Error {}

/**
 * The lines of a streamed body, pulled chunk by chunk: the download only advances as fast as lines are consumed, so
 * memory stays bounded whatever the file size (readline's iterator reads ahead without limit when the consumer is slow).
 */
export async function* textLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let rest = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += decoder.decode(value, { stream: true });
    let newline = rest.indexOf("\n");
    while (newline >= 0) {
      yield rest.slice(0, newline).replace(/\r$/, "");
      rest = rest.slice(newline + 1);
      newline = rest.indexOf("\n");
    }
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest;
}

/** Streams the JSONL into SyncStage, from the first line not yet staged. */
async function stage(deps: SyncDeps, run: SyncRun, resource: Resource, url: string, progress: ResourceState, download: (url: string) => Promise<Response>) {
  const response = await download(url);
  if (!response.ok || !response.body) throw new MalformedLineError(`downloading the ${resource} file failed: HTTP ${response.status}`);
  const lines = textLines(response.body);
  const batchSize = deps.stageBatch ?? 5000;
  let batch: { line: number; kind: string; id: string; parentId: string | null; data: string }[] = [];
  let lineNo = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await deps.db.$executeRawUnsafe(
      `INSERT INTO "SyncStage" ("syncRunId", "resource", "line", "shop", "kind", "id", "parentId", "data")
       SELECT $1, $2, u.line::integer, $3, u.kind, u.id, u.parent, u.data
       FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(line, kind, id, parent, data)
       ON CONFLICT DO NOTHING`,
      run.id,
      resource,
      run.shop,
      batch.map((b) => String(b.line)),
      batch.map((b) => b.kind),
      batch.map((b) => b.id),
      batch.map((b) => b.parentId),
      batch.map((b) => b.data),
    );
    progress.staged = batch.at(-1)!.line;
    batch = [];
  };
  for await (const text of lines) {
    lineNo++;
    if (lineNo <= progress.staged || text.trim() === "") continue;
    let row: BulkRow;
    try {
      row = JSON.parse(text) as BulkRow;
      if (typeof row.id !== "string") throw new Error("no id");
    } catch (error) {
      throw new MalformedLineError(`line ${lineNo} of the ${resource} file is not a JSON object with an id (${(error as Error).message})`);
    }
    const parentId = typeof row.__parentId === "string" ? row.__parentId : null;
    const kind = parentId === null ? PARENT_KIND[resource] : childKind(row.id);
    batch.push({ line: lineNo, kind, id: row.id, parentId, data: text });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
}

function childKind(id: string): string {
  switch (gidType(id)) {
    case "LineItem":
      return "line";
    case "ProductVariant":
      return "variant";
    case "Collection":
      return "product-collection";
    default:
      return "child";
  }
}

/** Applies staged parents with their children in batches; each batch commits with its progress cursor. */
async function apply(deps: SyncDeps, run: SyncRun, state: SyncState, resource: Resource, currency: string) {
  const { db, now } = deps;
  const batchSize = deps.applyBatch ?? 5000;
  const progress = state[resource];
  // PostgreSQL plans foreign-key checks with the statistics of the moment and PGlite never analyzes by itself: on a
  // fresh database those plans become full scans as the tables fill. Re-analyze after the first batch and then each
  // time the written rows grow eightfold (a handful of ANALYZEs of ~0.1 s; the same remedy the file import uses).
  let written = 0;
  let analyzeAt = 1;
  for (;;) {
    const parents = await db.syncStage.findMany({
      where: { syncRunId: run.id, resource, kind: PARENT_KIND[resource], line: { gt: progress.applied } },
      orderBy: { line: "asc" },
      take: batchSize,
    });
    if (parents.length === 0) return;
    const children = resource === "orders" || resource === "products"
      ? await db.syncStage.findMany({ where: { syncRunId: run.id, resource, parentId: { in: parents.map((p) => p.id) } }, orderBy: { line: "asc" } })
      : [];
    const byParent = new Map<string, BulkRow[]>();
    for (const child of children) {
      const list = byParent.get(child.parentId!) ?? [];
      list.push(JSON.parse(child.data) as BulkRow);
      byParent.set(child.parentId!, list);
    }
    const rows = parents.map((p) => JSON.parse(p.data) as BulkRow);
    const at = now();
    await db.$transaction(async (tx) => {
      if (resource === "orders") await writeOrders(tx, run.shop, rows.map((r) => mapOrder(r, byParent.get(r.id) ?? [])), at);
      else if (resource === "products") await writeProducts(tx, run.shop, rows.map((r) => mapProduct(r, byParent.get(r.id) ?? [], currency)), at);
      else if (resource === "customers") await writeCustomers(tx, run.shop, rows.map(mapCustomer), at);
      else await writeCollections(tx, run.shop, rows.map(mapCollection), at);
      progress.applied = parents.at(-1)!.line;
      run.objectsDone += parents.length;
      await save(tx, run, state, { phase: `${resource}: writing`, objectsDone: run.objectsDone }, at);
    }, { timeout: 120_000 });
    written += parents.length + children.length;
    if (written >= analyzeAt) {
      await db.$executeRawUnsafe(`ANALYZE "Customer", "Order", "OrderLine", "Product", "Variant", "ProductCollection"`);
      analyzeAt = written * 8;
    }
  }
}
