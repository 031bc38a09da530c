/**
 * The app's one PrismaClient, on the database chosen by the environment (see app/db/adapters.server.ts).
 *
 * It is kept on globalThis so that Vite's dev reloads and the test harness (which may install a client on an isolated
 * database before the app is imported) share one client and, for PGlite, one open data folder.
 */
import { PrismaClient } from "@prisma/client";
import { resolveDatabaseTarget, runtimeAdapter } from "./db/adapters.server";
import { env } from "./env.server";

declare global {
  var __insightLoopPrisma: PrismaClient | undefined;
}

export function createPrismaClient(): PrismaClient {
  return new PrismaClient({ adapter: runtimeAdapter(resolveDatabaseTarget(env)) });
}

export const prisma: PrismaClient = (globalThis.__insightLoopPrisma ??= createPrismaClient());
export default prisma;
