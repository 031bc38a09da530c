import path from "node:path";
import { describe, expect, it } from "vitest";
import { pgConnectionFields, resolveDatabaseTarget } from "../../app/db/adapters.server";

describe("database target", () => {
  it("is embedded PGlite in ./data/pglite when DATABASE_URL is unset", () => {
    expect(resolveDatabaseTarget({})).toEqual({ kind: "pglite", dataDir: path.resolve("data/pglite") });
    expect(resolveDatabaseTarget({ DATABASE_URL: "  " }).kind).toBe("pglite");
  });

  it("honours PGLITE_DATA_DIR, including in-memory databases", () => {
    expect(resolveDatabaseTarget({ PGLITE_DATA_DIR: "/var/lib/insight" })).toEqual({
      kind: "pglite",
      dataDir: "/var/lib/insight",
    });
    expect(resolveDatabaseTarget({ PGLITE_DATA_DIR: "memory://x" })).toEqual({ kind: "pglite", dataDir: "memory://x" });
  });

  it("is PostgreSQL when DATABASE_URL is set", () => {
    expect(resolveDatabaseTarget({ DATABASE_URL: "postgresql://u:p@db:5432/app", PGLITE_DATA_DIR: "/x" })).toEqual({
      kind: "postgres",
      url: "postgresql://u:p@db:5432/app",
    });
  });

  it("splits a URL into the fields the migration adapter needs (pg lets connectionString override database)", () => {
    expect(pgConnectionFields("postgresql://a%40b:p%2Fw@db.internal:6543/my_db")).toEqual({
      host: "db.internal",
      port: 6543,
      user: "a@b",
      password: "p/w",
      database: "my_db",
    });
    expect(pgConnectionFields("postgresql://u@localhost/app").port).toBe(5432);
  });
});
