/**
 * Once per run: a template database on the PostgreSQL server, migrated by the real `prisma migrate deploy`. Each test
 * file clones it (tests/setup/db-postgres.ts). Every database of the run is dropped at the end.
 *
 * TEST_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test) is only used to create and drop databases.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { prismaMigrateDeploy } from "../support/migrations";
import { databaseUrl, dropRunDatabases, redact } from "../support/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    postgres: { adminUrl: string; template: string; runPrefix: string };
  }
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/test";
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL integration suite: cannot reach ${redact(adminUrl)} (${(error as Error).message}).\n` +
        `Start PostgreSQL (e.g. pg_ctlcluster <version> main start), point TEST_DATABASE_URL at a server where this user ` +
        `may create databases, or skip this suite explicitly on a developer machine with SKIP_POSTGRES_TESTS=1.`,
    );
  }
  const runPrefix = `il_test_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const template = `${runPrefix}_template`;
  try {
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  await prismaMigrateDeploy({ DATABASE_URL: databaseUrl(adminUrl, template) });
  project.provide("postgres", { adminUrl, template, runPrefix });

  return async () => {
    await dropRunDatabases(adminUrl, runPrefix);
  };
}
