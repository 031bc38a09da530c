/** The shop's granted access scopes (its offline session's) and the refusal of a change whose feature lacks one (access-scopes.ts). */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../db.server";
import { accessMessage, missingAccess, type Feature } from "./access-scopes";
import { ActionError } from "./insights/action-error";

/** The shop's granted scopes: its offline session's, or "" when it has none (uninstalled). */
export async function grantedScopes({ shop, db = defaultPrisma }: { shop: string; db?: PrismaClient }): Promise<string> {
  const session = await db.session.findFirst({ where: { shop, isOnline: false }, select: { scope: true } });
  return session?.scope ?? "";
}

/** Refuses (ActionError 403) a change whose feature lacks a scope, naming the scope and how to grant it. */
export async function requireAccess({ shop, feature, db = defaultPrisma }: { shop: string; feature: Feature; db?: PrismaClient }): Promise<void> {
  const lack = missingAccess(feature, await grantedScopes({ shop, db }));
  if (lack) throw new ActionError(accessMessage(lack), 403);
}
