/**
 * One bulk result file, streamed straight into the commerce tables.
 *
 * The JSONL is read chunk by chunk (never whole), each line parsed and mapped once, and written in batches through the
 * writer's set-based upserts. While a batch is being written the next one is being parsed (PostgreSQL works in its own
 * process, so both cores are busy). Each batch commits together with the file cursor, so a crash resumes after the last
 * committed line with nothing lost or duplicated.
 *
 * Children (line items, variants, collection memberships) carry `__parentId` and may come before or after their parent,
 * near or far (2026-01 makes no ordering promise). A child is written as soon as its parent has been written by this
 * run (the writer joins on syncedAt = the run's marker); one whose parent has not been seen yet is kept in SyncStage
 * (committed with the batch, so memory stays bounded and a crash loses nothing) and written in the batch that brings
 * its parent. Children still waiting at the end of the file belong to parents this run did not write (a newer version
 * was already stored) or to no parent in the file; they are dropped and counted.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import {
  deleteOrderLines,
  deleteProductCollections,
  insertOrderLines,
  insertProductCollections,
  insertVariants,
  upsertOrderHeaders,
  upsertProductHeaders,
  writeCollections,
  writeCustomers,
  type OrderLineRow,
  type VariantRow,
} from "../../lib/ingest/writer.server";
import { redactedCustomerTest } from "../../lib/compliance/redacted.server";
import {
  BulkRowError,
  mapCollection,
  mapCustomer,
  mapLineRow,
  mapOrderHeader,
  mapProductChild,
  mapProductHeader,
  type BulkRow,
  type ProductChild,
} from "../mappers/bulk";
import { attributionEntries } from "../mappers/attribution";

type Tx = Prisma.TransactionClient;

export class MalformedLineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedLineError";
  }
}

/**
 * The lines of a streamed body, pulled chunk by chunk: the download only advances as fast as lines are consumed, so
 * memory stays bounded whatever the file size (readline's iterator reads ahead without limit when the consumer is slow).
 */
export async function* textLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let rest = "";
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const text = rest + decoder.decode(value, { stream: true });
      let start = 0;
      let newline = text.indexOf("\n");
      while (newline >= 0) {
        yield text.charCodeAt(newline - 1) === 13 ? text.slice(start, newline - 1) : text.slice(start, newline);
        start = newline + 1;
        newline = text.indexOf("\n", start);
      }
      rest = text.slice(start);
    }
    finished = true;
  } finally {
    // Stopped early (an error, a consumer that gave up): release the download instead of leaving it to fail unheard.
    if (!finished) await reader.cancel().catch(() => undefined);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest.endsWith("\r") ? rest.slice(0, -1) : rest;
}

/** A download that broke off (connection reset, truncated body): worth fetching again, from where it stopped. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_SOCKET|UND_ERR_CLOSED|Z_BUF_ERROR|Z_DATA_ERROR)$/.test(code)) return true;
  return error instanceof TypeError && /fetch failed|terminated|network/i.test(error.message);
}

/** A parsed child row, with where it came from (for SyncStage). */
interface Child<C> {
  line: number;
  text: string;
  parentGid: string;
  key: string;
  value: C;
}

/** How one resource's rows are mapped and written. */
interface Plan<P, C> {
  parentType: string;
  mapParent(row: BulkRow): P;
  parentId(parent: P): string;
  mapChild(row: BulkRow): { key: string; value: C };
  /** The parent as stored when some customers are redacted (customers/redact): never their id or their row. */
  redact?(parent: P, isRedacted: (customerId: string) => boolean): P | null;
  /** Writes parents; returns the ids written (stale versions are not). Clears what their children replace. */
  writeParents(tx: Tx, shop: string, parents: P[], marker: Date): Promise<string[]>;
  /**
   * Writes children: `known` have their parent in this batch, just written; `others` only if this run wrote their
   * parent earlier (checked in the database). Returns the keys of the `others` written.
   */
  writeChildren(tx: Tx, shop: string, known: { child: C; parent: P }[], others: C[], marker: Date): Promise<Set<string>>;
}

function ordersPlan(): Plan<ReturnType<typeof mapOrderHeader>, OrderLineRow> {
  return {
    parentType: "Order",
    mapParent: mapOrderHeader,
    // A redacted customer's orders stay anonymous aggregates, like guest checkouts.
    redact: (o, isRedacted) => (o.customerId !== null && isRedacted(o.customerId) ? { ...o, customerId: null } : o),
    parentId: (o) => o.id,
    mapChild: (row) => {
      const line = mapLineRow(row);
      return { key: line.id, value: line };
    },
    writeParents: async (tx, shop, orders, marker) => {
      const written = await upsertOrderHeaders(tx, shop, orders, marker);
      await deleteOrderLines(tx, shop, written);
      return written;
    },
    writeChildren: async (tx, shop, known, others, marker) => {
      // A cancelled order's lines stay as bought (the cancellation itself excludes them).
      const final = known.map(({ child, parent }): OrderLineRow => {
        const { currentQuantity: _current, ...line } = child;
        return parent.cancelledAt === null ? line : { ...line, refundedQuantity: 0 };
      });
      await insertOrderLines(tx, shop, final, null);
      return new Set(await insertOrderLines(tx, shop, others, marker));
    },
  };
}

function productsPlan(currency: string): Plan<ReturnType<typeof mapProductHeader>, ProductChild> {
  return {
    parentType: "Product",
    mapParent: mapProductHeader,
    parentId: (p) => p.id,
    mapChild: (row) => {
      const child = mapProductChild(row, currency);
      return { key: child.kind === "variant" ? child.variant.id : `${child.productId}/${child.collectionId}`, value: child };
    },
    writeParents: async (tx, shop, products, marker) => {
      const written = await upsertProductHeaders(tx, shop, products, marker);
      await deleteProductCollections(tx, shop, written);
      return written;
    },
    writeChildren: async (tx, shop, known, others, marker) => {
      const variants: VariantRow[] = [];
      const links: { productId: string; collectionId: string }[] = [];
      for (const c of [...known.map((k) => k.child), ...others]) {
        if (c.kind === "variant") variants.push(c.variant);
        else links.push({ productId: c.productId, collectionId: c.collectionId });
      }
      return new Set([...(await insertVariants(tx, shop, variants, marker)), ...(await insertProductCollections(tx, shop, links, marker))]);
    },
  };
}

function flatPlan<P extends { id: string }>(
  parentType: string,
  map: (row: BulkRow) => P,
  write: (tx: Tx, shop: string, rows: P[], now: Date) => Promise<number>,
): Plan<P, never> {
  return {
    parentType,
    mapParent: map,
    // A redacted customer is not stored again.
    redact: parentType === "Customer" ? (c, isRedacted) => (isRedacted(c.id) ? null : c) : undefined,
    parentId: (p) => p.id,
    mapChild: (row) => {
      throw new BulkRowError(`unexpected child row ${row.id} in a ${parentType} file`);
    },
    writeParents: async (tx, shop, rows, marker) => {
      await write(tx, shop, rows, marker);
      return rows.map((r) => r.id);
    },
    writeChildren: async () => new Set(),
  };
}

export type Resource = "collections" | "products" | "customers" | "orders";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each plan is typed where it is built
function planFor(resource: Resource, currency: string): Plan<any, any> {
  switch (resource) {
    case "orders":
      return ordersPlan();
    case "products":
      return productsPlan(currency);
    case "customers":
      return flatPlan("Customer", mapCustomer, writeCustomers);
    case "collections":
      return flatPlan("Collection", mapCollection, writeCollections);
  }
}

export interface FileProgress {
  /** Lines of the file committed (1..done are in the database, or waiting in SyncStage). */
  done: number;
  /** Root objects (orders, products, …) among those lines: the sync's progress. */
  parents: number;
  /** Children kept in SyncStage, waiting for their parent. */
  waiting: number;
  /** Children dropped at the end (their parent was not written by this run). */
  dropped: number;
}

export interface ApplyFileOptions {
  db: PrismaClient;
  runId: string;
  shop: string;
  resource: Resource;
  /** The shop's currency (product prices carry none). */
  currency: string;
  /** syncedAt of every row this run writes: constant over the run, across restarts. */
  marker: Date;
  body: ReadableStream<Uint8Array>;
  progress: FileProgress;
  batchSize: number;
  /** Called inside each batch's transaction, after its rows: persist the cursor (progress) there. */
  commit: (tx: Tx, batch: { parents: number; lastLine: number }) => Promise<void>;
}

/** Streams one bulk file into the tables, from the first line not yet committed. */
export async function applyFile(options: ApplyFileOptions): Promise<void> {
  const { db, runId, shop, resource, marker, progress, batchSize } = options;
  const plan = planFor(resource, options.currency);
  let parents: unknown[] = [];
  let parentGids: string[] = [];
  let children: Child<unknown>[] = [];
  let lineNo = 0;
  let inFlight: Promise<void> | null = null;

  const flush = async (batch: { parents: unknown[]; parentGids: string[]; children: Child<unknown>[]; lastLine: number }) => {
    // The cursor is written inside the transaction: if it does not commit, neither does the cursor move here.
    const before = { ...progress };
    await db.$transaction(
      async (tx) => {
        // Read in the batch's transaction: a customers/redact that lands mid-sync is honoured from the next batch on.
        const isRedacted = plan.redact ? await redactedCustomerTest(tx, shop) : null;
        const parents = isRedacted ? batch.parents.flatMap((p) => plan.redact!(p, isRedacted) ?? []) : batch.parents;
        const written = new Set(await plan.writeParents(tx, shop, parents, marker));
        const inBatch = new Map(batch.parentGids.map((gid, i) => [gid, batch.parents[i]]));
        const all = batch.children;
        // Children that came earlier and waited for these parents (an index lookup; usually nothing).
        if (batch.parentGids.length > 0) {
          const waited = await tx.$queryRawUnsafe<{ line: number; data: string; parentId: string }[]>(
            `DELETE FROM "SyncStage" WHERE "syncRunId" = $1 AND "resource" = $2 AND "parentId" = ANY($3::text[])
             RETURNING "line", "data", "parentId"`,
            runId,
            resource,
            batch.parentGids,
          );
          progress.waiting -= waited.length;
          for (const w of waited) all.push(parseChild(plan, w.data, w.line));
        }
        // A child whose parent is in this batch is written with it, or dropped with it (a newer version is stored).
        const known: { child: unknown; parent: unknown }[] = [];
        const others: Child<unknown>[] = [];
        for (const c of all) {
          const parent = inBatch.get(c.parentGid);
          if (parent === undefined) others.push(c);
          else if (written.has(plan.parentId(parent))) known.push({ child: c.value, parent });
        }
        const stored = await plan.writeChildren(tx, shop, known, others.map((c) => c.value), marker);
        // Not written: the parent is yet to come, or this run kept an older parent. Wait for it (until the end).
        const wait = others.filter((c) => !stored.has(c.key));
        if (wait.length > 0) {
          await tx.$executeRawUnsafe(
            `INSERT INTO "SyncStage" ("syncRunId", "resource", "line", "shop", "kind", "id", "parentId", "data")
             SELECT $1, $2, u.line::integer, $3, 'child', u.id, u.parent, u.data
             FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) AS u(line, id, parent, data)
             ON CONFLICT DO NOTHING`,
            runId,
            resource,
            shop,
            wait.map((c) => String(c.line)),
            wait.map((c) => c.key),
            wait.map((c) => c.parentGid),
            wait.map((c) => stagedText(c.text)),
          );
          progress.waiting += wait.length;
        }
        progress.done = batch.lastLine;
        progress.parents += batch.parents.length;
        await options.commit(tx, { parents: batch.parents.length, lastLine: batch.lastLine });
      },
      { timeout: 300_000, maxWait: 60_000 },
    ).catch((error: unknown) => {
      Object.assign(progress, before);
      throw error;
    });
  };

  const dispatch = async () => {
    if (parents.length === 0 && children.length === 0) return;
    const batch = { parents, parentGids, children, lastLine: lineNo };
    parents = [];
    parentGids = [];
    children = [];
    if (inFlight) await inFlight;
    // The next batch is parsed while this one is written; its failure surfaces at the next dispatch or at the end.
    inFlight = flush(batch);
    inFlight.catch(() => undefined);
  };

  try {
    for await (const text of textLines(options.body)) {
      lineNo++;
      if (lineNo <= progress.done || text.trim() === "") continue;
      let row: BulkRow;
      try {
        row = JSON.parse(text) as BulkRow;
        if (typeof row !== "object" || row === null || typeof row.id !== "string") throw new Error("no id");
      } catch (error) {
        throw new MalformedLineError(`line ${lineNo} of the ${resource} file is not a JSON object with an id (${(error as Error).message})`);
      }
      try {
        if (typeof row.__parentId === "string") {
          const { key, value } = plan.mapChild(row);
          children.push({ line: lineNo, text, parentGid: row.__parentId, key, value });
        } else {
          parents.push(plan.mapParent(row));
          parentGids.push(row.id);
        }
      } catch (error) {
        if (error instanceof BulkRowError) throw new BulkRowError(`line ${lineNo} of the ${resource} file: ${error.message}`);
        throw error;
      }
      if (parents.length + children.length >= batchSize) await dispatch();
    }
    await dispatch();
    if (inFlight) await inFlight;
  } finally {
    // Never leave a batch committing behind an error (a restart deletes what it would write).
    if (inFlight) await (inFlight as Promise<void>).catch(() => undefined);
  }

  const left = await db.$executeRawUnsafe(`DELETE FROM "SyncStage" WHERE "syncRunId" = $1 AND "resource" = $2`, runId, resource);
  progress.dropped += left;
  progress.waiting = 0;
}

function parseChild(plan: Plan<unknown, unknown>, text: string, line: number): Child<unknown> {
  const row = JSON.parse(text) as BulkRow;
  const { key, value } = plan.mapChild(row);
  return { line, text, parentGid: row.__parentId!, key, value };
}

/**
 * A child row as it may wait in SyncStage: a line item's properties can hold shoppers' free text (an engraving), so
 * only the storefront's `_il_*` ones are kept.
 */
function stagedText(text: string): string {
  if (!text.includes('"customAttributes"')) return text;
  const row = JSON.parse(text) as BulkRow;
  return JSON.stringify({ ...row, customAttributes: attributionEntries(row.customAttributes) });
}
