/**
 * After `npm install`: the embedded database (DATABASE_URL unset) is created and migrated, so `npm run dev`/`demo` work
 * at once. With DATABASE_URL set (production), migrations are left to `npm run setup`, which the deploy runs.
 */
import { spawnSync } from "node:child_process";
import { resolveDatabaseTarget } from "../app/db/adapters.server";

const target = resolveDatabaseTarget(process.env);
if (target.kind === "postgres") {
  console.log("insight-loop: DATABASE_URL is set; run `npm run setup` to apply migrations to PostgreSQL.");
} else {
  console.log(`insight-loop: migrating the embedded database in ${target.dataDir}`);
  const result = spawnSync("prisma", ["migrate", "deploy"], { stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    console.error("insight-loop: migrating the embedded database failed (see above). Retry with `npm run setup`.");
    process.exit(result.status ?? 1);
  }
}
