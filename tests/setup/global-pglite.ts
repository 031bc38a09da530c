/**
 * Once per run: a PGlite database migrated by the real `prisma migrate deploy`, dumped to a tarball. Each test file
 * then loads the tarball into its own in-memory PGlite (tests/setup/db-pglite.ts): isolated and fast. The tarball is
 * cached under tests/.tmp keyed by the migrations' digest.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { migrationsDigest, prismaMigrateDeploy, TMP } from "../support/migrations";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const tarball = path.join(TMP, `pglite-${migrationsDigest()}.tar.gz`);
  if (!existsSync(tarball)) {
    const dataDir = path.join(TMP, `pglite-build-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    try {
      await prismaMigrateDeploy({ DATABASE_URL: "", PGLITE_DATA_DIR: dataDir });
      const db = new PGlite(dataDir);
      const dump = await db.dumpDataDir("gzip");
      await db.close();
      writeFileSync(`${tarball}.partial`, Buffer.from(await dump.arrayBuffer()));
      renameSync(`${tarball}.partial`, tarball);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  project.provide("pgliteTemplate", tarball);
}
