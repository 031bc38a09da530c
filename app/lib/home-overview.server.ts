/**
 * What the home page shows: the shop as we know it and how much of its history is in.
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../db.server";
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
  lastSync: { status: string; phase: string; finishedAt: string | null } | null;
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
    lastSync: lastSync
      ? { status: lastSync.status, phase: lastSync.phase, finishedAt: lastSync.finishedAt?.toISOString() ?? null }
      : null,
  };
}
