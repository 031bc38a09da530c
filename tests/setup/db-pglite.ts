// Per test file: a private in-memory PGlite loaded from the migrated template, installed as the app's Prisma client.
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaClient } from "@prisma/client";
import { afterAll, inject } from "vitest";
import { runtimeAdapter } from "../../app/db/adapters.server";

process.env.DATABASE_URL = "";
process.env.PGLITE_DATA_DIR = "memory://test";

const pglite = await PGlite.create({ loadDataDir: new Blob([readFileSync(inject("pgliteTemplate"))]) });
globalThis.__insightLoopPrisma = new PrismaClient({
  adapter: runtimeAdapter({ kind: "pglite", dataDir: "memory://test" }, pglite),
});

afterAll(async () => {
  await globalThis.__insightLoopPrisma?.$disconnect();
  globalThis.__insightLoopPrisma = undefined;
  await pglite.close();
});
