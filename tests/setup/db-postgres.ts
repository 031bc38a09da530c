// Per test file: a private clone of the migrated template database, installed as the app's Prisma client.
import { randomBytes } from "node:crypto";
import { PrismaClient } from "@prisma/client";
import { afterAll, inject } from "vitest";
import { runtimeAdapter } from "../../app/db/adapters.server";
import { cloneDatabase, databaseUrl, dropDatabase } from "../support/postgres";

const { adminUrl, template, runPrefix } = inject("postgres");
const name = `${runPrefix}_${randomBytes(4).toString("hex")}`;
await cloneDatabase(adminUrl, template, name);
const url = databaseUrl(adminUrl, name);
process.env.DATABASE_URL = url;

globalThis.__insightLoopPrisma = new PrismaClient({ adapter: runtimeAdapter({ kind: "postgres", url }) });

afterAll(async () => {
  await globalThis.__insightLoopPrisma?.$disconnect();
  globalThis.__insightLoopPrisma = undefined;
  await dropDatabase(adminUrl, name);
});
