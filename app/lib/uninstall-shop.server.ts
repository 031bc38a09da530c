import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../db.server";

/** Deletes the shop's sessions (its tokens no longer work) and stamps the uninstall. Safe to repeat. */
export async function markShopUninstalled({ shop, now, db = defaultPrisma }: { shop: string; now: Date; db?: PrismaClient }) {
  await db.$transaction([
    db.session.deleteMany({ where: { shop } }),
    db.shop.updateMany({ where: { domain: shop, uninstalledAt: null }, data: { uninstalledAt: now } }),
  ]);
}

export async function updateSessionScopes({ shop, scopes, db = defaultPrisma }: { shop: string; scopes: string[]; db?: PrismaClient }) {
  await db.session.updateMany({ where: { shop, isOnline: false }, data: { scope: scopes.join(",") } });
}
