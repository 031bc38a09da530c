import type { PrismaClient } from "@prisma/client";

/** The isolated database of the current test file (installed by tests/setup/db-*.ts). */
export function testDb(): PrismaClient {
  const client = globalThis.__insightLoopPrisma;
  if (!client) throw new Error("No test database: this helper is for the integration projects only.");
  return client;
}
