/**
 * `importFile`: one file into one shop's commerce tables, all or nothing.
 *
 * Everything — the shop row (created when missing: currency of the file's first order, time zone from `--tz` or the
 * format's default), the orders in batches of a few thousand through the one batched writer
 * (app/lib/ingest/writer.server.ts), then the products and customers the orders mention — is written inside ONE
 * interactive transaction. A fatal problem (unreadable or undecompressable file, a missing column, a malformed quote
 * that swallows the rest of the file) or any database error rolls it back, so a failed import leaves nothing behind.
 * Merely bad rows are skipped and reported; the import still succeeds.
 *
 * Re-importing the same file is idempotent: every row is keyed by the file's own ids, the writer upserts, and an
 * order's lines are replaced by the version written.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import { writeCustomers, writeOrders, writeProducts } from "../lib/ingest/writer.server";
import type { IngestCustomer, IngestOrder } from "../lib/ingest/types";
import { openImport } from "./read";
import { ImportError, type ImportOptions, type ImportReport } from "./types";

export interface ImportProgress {
  rowsRead: number;
  orders: number;
  lines: number;
}

export interface ImportFileOptions extends ImportOptions {
  /** Orders per writer call (default 2000); a batch is also written once it holds `batchLines` lines (default 10000). */
  batchOrders?: number;
  batchLines?: number;
  /** The transaction's time limit (default 2 hours: a full Online Retail import takes well under a minute). */
  transactionTimeoutMs?: number;
  /** Called after each batch is written. */
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportFileArgs {
  db: PrismaClient;
  shop: string;
  file: string;
  format: string;
  options?: ImportFileOptions;
  now?: Date;
}

const CATALOG_CHUNK = 5000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The useful last line of a Prisma/driver error, with a hint for the usual causes. */
function databaseFailure(file: string, error: unknown): ImportError {
  const e = error as { message?: string; code?: string };
  const lines = String(e.message ?? error).split("\n").map((l) => l.trim()).filter(Boolean);
  let reason = lines[lines.length - 1] ?? "unknown error";
  if (e.code === "P2021" || /does not exist/.test(reason)) reason += " (is the database migrated? run `npm run setup`)";
  if (e.code === "P2028") reason += " (the import's transaction timed out)";
  return new ImportError(`the database rejected the import, nothing was written: ${reason}`, { file }, { cause: error });
}

/**
 * The file knows little about a customer (when it first saw them, maybe a country or a tag) and the writer overwrites
 * every column, so a customer already stored (an earlier file of the same shop, a sync) keeps its earliest createdAt,
 * its tags and whatever the file does not say.
 */
async function mergeWithStored(tx: Prisma.TransactionClient, shop: string, customers: IngestCustomer[]): Promise<IngestCustomer[]> {
  const stored = await tx.customer.findMany({
    where: { shop, id: { in: customers.map((c) => c.id) } },
    select: {
      id: true, createdAt: true, updatedAt: true, tags: true, rfmGroup: true, predictedSpendTier: true, locale: true,
      countryCode: true, emailMarketing: true, smsMarketing: true,
    },
  });
  const byId = new Map(stored.map((c) => [c.id, c]));
  return customers.map((c) => {
    const s = byId.get(c.id);
    if (!s) return c;
    return {
      id: c.id,
      createdAt: s.createdAt < c.createdAt ? s.createdAt : c.createdAt,
      updatedAt: s.updatedAt,
      tags: [...new Set([...s.tags, ...c.tags])],
      rfmGroup: s.rfmGroup ?? c.rfmGroup,
      predictedSpendTier: s.predictedSpendTier ?? c.predictedSpendTier,
      locale: s.locale ?? c.locale,
      countryCode: c.countryCode ?? s.countryCode,
      emailMarketing: s.emailMarketing ?? c.emailMarketing,
      smsMarketing: s.smsMarketing ?? c.smsMarketing,
    };
  });
}

export async function importFile({ db, shop, file, format, options = {}, now = new Date() }: ImportFileArgs): Promise<ImportReport> {
  const started = performance.now();
  const domain = shop.trim();
  if (domain === "" || domain.length > 255) throw new ImportError("--shop must be a name of 1 to 255 characters", { field: "--shop" });
  const batchOrders = options.batchOrders ?? 2000;
  const batchLines = options.batchLines ?? 10_000;
  // Everything that can fail before reading (format, options, an unreadable file) fails here, outside the transaction.
  const source = await openImport(file, format, options);
  const ctx = source.context;
  const counts = { orders: 0, cancelledOrders: 0, lines: 0 };
  let shopRow: { currency: string; timezone: string } | null = null;
  let shopCreated = false;

  try {
    await db.$transaction(
      async (tx: Prisma.TransactionClient) => {
        shopRow = await tx.shop.findUnique({ where: { domain }, select: { currency: true, timezone: true } });
        const ensureShop = async (currency: string) => {
          if (shopRow) return;
          shopRow = await tx.shop.create({
            data: { domain, currency, timezone: source.options.tz },
            select: { currency: true, timezone: true },
          });
          shopCreated = true;
        };
        const currencies = new Set<string>();
        let batch: IngestOrder[] = [];
        let batchLineCount = 0;
        let analyzeAt = 1;
        const flush = async () => {
          if (batch.length === 0) return;
          await ensureShop(batch[0]!.currency);
          await writeOrders(tx, domain, batch, now);
          if (counts.orders >= analyzeAt) {
            // Keep the planner's statistics in step with the tables this transaction is filling: PostgreSQL plans the
            // foreign-key checks (OrderLine -> Order, Order -> Customer) once per session with the statistics of the
            // moment, and neither autovacuum nor PGlite (which has none) analyzes rows of an uncommitted transaction.
            // On a fresh database that plan is a sequential scan and the import turns quadratic (first 100k Online
            // Retail rows in batches of 200 orders: PostgreSQL 43 s without, 6.4 s with; PGlite 70 s / 9 s).
            // Geometric steps make it a handful of ANALYZEs (~0.1 s each). ANALYZE's lock (SHARE UPDATE EXCLUSIVE,
            // held to commit) does not block reads or writes, only another ANALYZE/VACUUM: two imports at once
            // queue at this point instead of running side by side. A user who may not analyze gets a warning only.
            await tx.$executeRawUnsafe(`ANALYZE "Customer", "Order", "OrderLine"`);
            analyzeAt = counts.orders * 8;
          }
          batch = [];
          batchLineCount = 0;
          options.onProgress?.({ rowsRead: ctx.rowsRead, orders: counts.orders, lines: counts.lines });
        };
        for await (const order of source.orders) {
          batch.push(order);
          batchLineCount += order.lines.length;
          counts.orders++;
          counts.lines += order.lines.length;
          if (order.cancelledAt !== null) counts.cancelledOrders++;
          currencies.add(order.currency);
          if (batch.length >= batchOrders || batchLineCount >= batchLines) await flush();
        }
        await flush();
        await ensureShop(source.options.currency ?? "USD");
        for (const part of chunks([...ctx.products.values()], CATALOG_CHUNK)) await writeProducts(tx, domain, part, now);
        for (const part of chunks([...ctx.customers.values()], CATALOG_CHUNK)) {
          await writeCustomers(tx, domain, await mergeWithStored(tx, domain, part), now);
        }
        const shopCurrency = (shopRow as { currency: string } | null)?.currency;
        const others = [...currencies].filter((c) => c !== shopCurrency);
        if (others.length > 0) {
          ctx.problem(0, `the shop's currency is ${shopCurrency}, but orders in ${others.join(", ")} were imported (each order keeps its own currency)`);
        }
      },
      { timeout: options.transactionTimeoutMs ?? 2 * 60 * 60 * 1000, maxWait: 30_000 },
    );
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw databaseFailure(file, error);
  } finally {
    source.close();
  }

  const row = shopRow as { currency: string; timezone: string } | null;
  return {
    format: source.format,
    file,
    shop: domain,
    rowsRead: ctx.rowsRead,
    rowsImported: ctx.rowsImported,
    rowsSkipped: ctx.rowsSkipped,
    orders: counts.orders,
    cancelledOrders: counts.cancelledOrders,
    lines: counts.lines,
    customers: ctx.customers.size,
    products: ctx.products.size,
    currency: row?.currency ?? source.options.currency ?? "USD",
    timezone: row?.timezone ?? source.options.tz,
    shopCreated,
    problems: ctx.problems,
    problemCount: ctx.problemCount,
    elapsedMs: Math.round(performance.now() - started),
  };
}
