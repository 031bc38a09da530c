/**
 * The app's one PrismaClient, on the database chosen by the environment (see app/db/adapters.server.ts).
 *
 * It is kept on globalThis so that Vite's dev reloads and the test harness (which may install a client on an isolated
 * database before the app is imported) share one client and, for PGlite, one open data folder.
 */
import { PrismaClient } from "@prisma/client";
import { openPGlite, resolveDatabaseTarget, runtimeAdapter } from "./db/adapters.server";
import { env } from "./env.server";

declare global {
  var __insightLoopPrisma: PrismaClient | undefined;
}

export function createPrismaClient(): PrismaClient {
  const target = resolveDatabaseTarget(env);
  if (target.kind === "postgres") return new PrismaClient({ adapter: runtimeAdapter(target) });
  // The embedded database must be closed before the process ends: a PGlite folder left open by a killed process can
  // fail to open again. Close it on SIGTERM/SIGINT (after Prisma lets go of it), then exit.
  const pglite = openPGlite(target.dataDir);
  const client = new PrismaClient({ adapter: runtimeAdapter(target, pglite) });
  const shutdown = (signal: NodeJS.Signals) => {
    void client
      .$disconnect()
      .then(() => pglite.close())
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
  return client;
}

export const prisma: PrismaClient = (globalThis.__insightLoopPrisma ??= createPrismaClient());
export default prisma;
