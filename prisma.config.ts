// Prisma CLI configuration: the JS schema engine (nothing to download) with the same database choice as the app.
import { defineConfig } from "prisma/config";
import { migrationAdapter, resolveDatabaseTarget } from "./app/db/adapters.server";

const target = resolveDatabaseTarget(process.env);
// The schema keeps `url = env("DATABASE_URL")` (see prisma/schema.prisma); the embedded database has no URL, so the CLI
// gets a placeholder that nothing connects to: the adapter below is what the schema engine uses.
if (target.kind === "pglite") process.env.DATABASE_URL = "postgresql://embedded@localhost/pglite";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  adapter: async () => migrationAdapter(target),
});
