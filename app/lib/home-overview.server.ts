/**
 * What the home page shows: the shop as we know it and how much of its history is in.
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../db.server";
import type { SyncRun } from "@prisma/client";
import { parseShopSettings } from "../models/shop-settings";

export interface HomeOverview {
  shop: string;
  installed: boolean;
  currency: string | null;
  timezone: string | null;
  uiLocale: "en" | "vi";
  counts: { orders: number; customers: number; products: number };
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  lastSync: SyncProgress | null;
}

export interface SyncProgress {
  status: "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  phase: string;
  objectsDone: number;
  objectsTotal: number | null;
  /** Objects written per second since the run started (null until there is something to measure). */
  rate: number | null;
  errorCount: number;
  lastError: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export async function getHomeOverview({ shop, db = defaultPrisma }: { shop: string; db?: PrismaClient }): Promise<HomeOverview> {
  const [record, orders, customers, products, range, lastSync] = await Promise.all([
    db.shop.findUnique({ where: { domain: shop } }),
    db.order.count({ where: { shop } }),
    db.customer.count({ where: { shop } }),
    db.product.count({ where: { shop } }),
    db.order.aggregate({ where: { shop }, _min: { processedAt: true }, _max: { processedAt: true } }),
    db.syncRun.findFirst({ where: { shop }, orderBy: { startedAt: "desc" } }),
  ]);
  return {
    shop,
    installed: record !== null && record.uninstalledAt === null,
    currency: record?.currency ?? null,
    timezone: record?.timezone ?? null,
    uiLocale: parseShopSettings(shop, record?.settings).uiLocale,
    counts: { orders, customers, products },
    firstOrderAt: range._min.processedAt?.toISOString() ?? null,
    lastOrderAt: range._max.processedAt?.toISOString() ?? null,
    lastSync: lastSync ? syncProgress(lastSync) : null,
  };
}

export function syncProgress(run: SyncRun): SyncProgress {
  const seconds = ((run.finishedAt ?? run.heartbeatAt).getTime() - run.startedAt.getTime()) / 1000;
  return {
    status: run.status,
    phase: run.phase,
    objectsDone: run.objectsDone,
    objectsTotal: run.objectsTotal,
    rate: seconds > 0 && run.objectsDone > 0 ? Math.round(run.objectsDone / seconds) : null,
    errorCount: run.errorCount,
    lastError: run.lastError,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}
