import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const TMP = path.join(ROOT, "tests/.tmp");

/** A digest of everything a migrated database depends on: a cached template is reused only while it matches. */
export function migrationsDigest(): string {
  const hash = createHash("sha256");
  const dir = path.join(ROOT, "prisma/migrations");
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name, "migration.sql");
    hash.update(name);
    try {
      hash.update(readFileSync(file));
    } catch {
      /* migration_lock.toml and other non-folders */
    }
  }
  return hash.digest("hex").slice(0, 16);
}

/** Runs the real `prisma migrate deploy` (the same command `npm run setup` runs) against the given environment. */
export function prismaMigrateDeploy(env: Record<string, string | undefined>): Promise<void> {
  return new Promise((resolve, reject) => {
    const bin = path.join(ROOT, "node_modules/.bin");
    const child = spawn(path.join(bin, "prisma"), ["migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`prisma migrate deploy exited with ${code}:\n${output}`)),
    );
  });
}
