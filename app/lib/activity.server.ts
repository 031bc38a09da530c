/**
 * The admin's "Background work" page (app/routes/app.activity.tsx): a shop's recent syncs and imports, its last
 * storefront publication, its jobs that failed for good (with a retry), and its customer data exports (compliance data
 * requests). Everything is read for
 * one shop; another shop's rows are never listed, retried or downloadable.
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../db.server";
import { jobQueue } from "../jobs/queue.server";
import { retryFailedJob } from "../jobs/retry.server";
import type { JobQueue } from "../jobs/types";
import { getCustomerDataExport, listCustomerDataExports } from "./compliance/customer-data.server";
import { readLastPublication } from "./storefront/publish.server";

export interface ActivitySyncRun {
  id: string;
  kind: string;
  status: "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  phase: string;
  objectsDone: number;
  objectsTotal: number | null;
  errorCount: number;
  lastError: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface ActivityFailedJob {
  id: string;
  name: string;
  attempts: number;
  lastError: string;
  failedAt: string | null;
}

export interface ActivityExport {
  id: string;
  dataRequestId: string | null;
  readyAt: string;
}

/** The last publication of the storefront offers into the shop's metafields (ADR 019). */
export interface ActivityPublication {
  id: string;
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
  startedAt: string;
  finishedAt: string | null;
  written: number;
  unchanged: number;
  removed: number;
  failed: number;
  error: string | null;
  version: number;
}

export interface Activity {
  syncRuns: ActivitySyncRun[];
  lastPublication: ActivityPublication | null;
  failedJobs: ActivityFailedJob[];
  exports: ActivityExport[];
  /** customers/data_request deliveries received whose export is not stored yet. */
  exportsInProgress: number;
}

interface Deps {
  shop: string;
  db?: PrismaClient;
  queue?: JobQueue;
}

export async function getActivity({ shop, db = defaultPrisma, queue = jobQueue(), take = 20 }: Deps & { take?: number }): Promise<Activity> {
  const [runs, publication, failures, exports, exportsInProgress] = await Promise.all([
    db.syncRun.findMany({ where: { shop }, orderBy: { startedAt: "desc" }, take }),
    readLastPublication(db, shop),
    queue.failures({ shop, limit: 50 }),
    listCustomerDataExports({ shop, db, take: 50 }),
    db.webhookEvent.count({ where: { shop, topic: "CUSTOMERS_DATA_REQUEST", processedAt: null } }),
  ]);
  return {
    syncRuns: runs.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      phase: r.phase,
      objectsDone: r.objectsDone,
      objectsTotal: r.objectsTotal,
      errorCount: r.errorCount,
      lastError: r.lastError,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
    })),
    lastPublication: publication && {
      id: publication.id,
      status: publication.status as ActivityPublication["status"],
      startedAt: publication.startedAt.toISOString(),
      finishedAt: publication.finishedAt?.toISOString() ?? null,
      written: publication.written,
      unchanged: publication.unchanged,
      removed: publication.removed,
      failed: publication.failed,
      error: publication.error,
      version: publication.version,
    },
    // failures() is already scoped to the shop; the filter is a second lock on the same door.
    failedJobs: failures
      .filter((f) => f.shop === shop)
      .map((f) => ({ id: f.id, name: f.name, attempts: f.attempts, lastError: f.lastError, failedAt: f.failedAt?.toISOString() ?? null })),
    exports: exports.map((e) => ({ id: e.id, dataRequestId: e.dataRequestId, readyAt: e.createdAt.toISOString() })),
    exportsInProgress,
  };
}

/** Gives a failed job of the shop one more attempt now. */
export async function retryJob({ shop, id, db = defaultPrisma, queue = jobQueue(), now = new Date() }: Deps & { id: string; now?: Date }) {
  return retryFailedJob({ queue, shop, id, db, now });
}

/** A customer data export of the shop as a JSON file, or null when the shop has no such export. */
export async function customerDataExportFile({ shop, id, db = defaultPrisma }: Deps & { id: string }) {
  const data = await getCustomerDataExport({ shop, id, db });
  if (data === null) return null;
  return { filename: `customer-data-export-${id.replace(/[^\w-]/g, "")}.json`, body: JSON.stringify(data, null, 2) };
}
