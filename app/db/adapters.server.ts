/**
 * Where the database is, and the Prisma driver adapters that reach it.
 *
 * `DATABASE_URL` unset  -> embedded PGlite (WASM PostgreSQL, no server) in PGLITE_DATA_DIR (default ./data/pglite).
 * `DATABASE_URL` set    -> PostgreSQL through node-postgres.
 *
 * This is the ONE place that works around known bugs of Prisma 6.19's JS schema engine (`engine: "js"`, used because the
 * native engine is a download) and of its driver adapters. Each workaround names the bug and is only applied where needed:
 *
 *  1. prisma/orm#27403 — @prisma/adapter-pg rejects pg_catalog column types (`name`, `"char"`, oid-like types) that the
 *     schema engine reads while introspecting. We relabel them as `text` / `text[]`. Migrations only.
 *  2. PrismaPg.connectToShadowDb() spreads `{...config, database}` but pg lets `connectionString` win, so the "shadow"
 *     database is the real one; it also drops the shadow database while its pool is still open. We provide our own.
 *     Migrations only (`prisma migrate dev`).
 *  3. pglite-prisma-adapter sends a parameterless multi-statement migration script through PGlite's `query()` (extended
 *     protocol: one statement only, "cannot insert multiple commands into a prepared statement"), and its
 *     `executeScript` does not await `exec()`. We route scripts through an awaited `exec()` (simple protocol).
 *  4. pglite-prisma-adapter 0.6.1 (the last release for Prisma 6) was written for Prisma 6.10: it reports every
 *     PostgreSQL error as kind "postgres", which Prisma 6.19 no longer translates, so a unique or foreign-key violation
 *     on PGlite surfaced as a raw DriverAdapterError instead of PrismaClientKnownRequestError P2002/P2003 (it does on
 *     PostgreSQL). We map SQLSTATEs to the kinds Prisma 6.19 knows, as @prisma/adapter-pg does. package.json
 *     `overrides` also pins its @prisma/driver-adapter-utils to our 6.19.3 so that both adapters share one set of types.
 *     tests/integration/database.test.ts checks the error classes on both databases.
 *  5. Neither the CLI nor pglite-prisma-adapter closes PGlite after a migration, leaving the data folder unclean
 *     (see pgliteMigrationAdapter). Migrations only.
 *
 * Nothing else in the code base may patch Prisma or the adapters.
 */
import { mkdirSync } from "node:fs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  DriverAdapterError,
  type SqlDriverAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";

export type DatabaseTarget =
  | { kind: "postgres"; url: string }
  | { kind: "pglite"; dataDir: string };

export const DEFAULT_PGLITE_DATA_DIR = "./data/pglite";

/** Decide the database from the environment. Pure apart from reading the given env object. */
export function resolveDatabaseTarget(env: Record<string, string | undefined>): DatabaseTarget {
  const url = env.DATABASE_URL?.trim();
  if (url) return { kind: "postgres", url };
  const dataDir = env.PGLITE_DATA_DIR?.trim() || DEFAULT_PGLITE_DATA_DIR;
  return { kind: "pglite", dataDir: dataDir.startsWith("memory://") ? dataDir : path.resolve(dataDir) };
}

/** Opens (and on first run creates) the embedded database. One process may hold a data folder at a time. */
export function openPGlite(dataDir: string): PGlite {
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  return new PGlite(dataDir);
}

// ---------------------------------------------------------------------------------------------------------------------
// Runtime adapters (the app's PrismaClient).

export function runtimeAdapter(target: DatabaseTarget, pglite?: PGlite): SqlDriverAdapterFactory {
  if (target.kind === "postgres") return new PrismaPg({ connectionString: target.url });
  const factory = new PrismaPGlite(pglite ?? openPGlite(target.dataDir));
  const connect = factory.connect.bind(factory);
  return Object.assign(factory, { connect: async () => withPGliteErrors(await connect()) });
}

/** Workaround 4: PostgreSQL errors from PGlite in the shape Prisma 6.19 turns into P2002, P2003, ... */
type PgError = { code?: string; message: string; detail?: string; column?: string; constraint?: string };

function keyFields(error: PgError): { fields: string[] } | undefined {
  const fields = error.detail?.match(/Key \(([^)]+)\)/)?.[1]?.split(", ");
  return fields ? { fields } : undefined;
}

function mapPgError(error: PgError) {
  switch (error.code) {
    case "23505":
      return { kind: "UniqueConstraintViolation", constraint: keyFields(error) } as const;
    case "23502":
      return { kind: "NullConstraintViolation", constraint: keyFields(error) } as const;
    case "23503":
      return {
        kind: "ForeignKeyConstraintViolation",
        constraint: error.column ? { fields: [error.column] } : error.constraint ? { index: error.constraint } : undefined,
      } as const;
    case "22001":
      return { kind: "LengthMismatch", column: error.column } as const;
    case "22003":
      return { kind: "ValueOutOfRange", cause: error.message } as const;
    case "40001":
      return { kind: "TransactionWriteConflict" } as const;
    default:
      return {
        kind: "postgres",
        code: error.code ?? "UNKNOWN",
        severity: "ERROR",
        message: error.message,
        detail: error.detail,
        column: error.column,
        hint: undefined,
      } as const;
  }
}

const patchedErrorPrototypes = new WeakSet<object>();

function withPGliteErrors<T extends object>(adapter: T): T {
  // onError lives on the queryable base class shared by the adapter and its transactions.
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as { onError: (e: unknown) => never };
  if (!patchedErrorPrototypes.has(proto)) {
    const onError = proto.onError;
    proto.onError = function (this: unknown, error: unknown): never {
      const pg = error as PgError;
      if (error instanceof Error && typeof pg.code === "string") {
        throw new DriverAdapterError({ originalCode: pg.code, originalMessage: pg.message, ...mapPgError(pg) });
      }
      return onError.call(this, error);
    };
    patchedErrorPrototypes.add(proto);
  }
  return adapter;
}

// ---------------------------------------------------------------------------------------------------------------------
// Migration adapters (prisma.config.ts: `prisma migrate deploy|dev|status`).

type Script = { sql: string; args: unknown[] };
// Structural view of the adapter objects we patch; the adapters' own types are not exported in a usable form.
type PatchableAdapter = {
  executeRaw(q: Script): Promise<number>;
  executeScript(sql: string): Promise<void>;
  dispose(): Promise<void>;
};

/** Workaround 3: multi-statement scripts through PGlite's awaited simple-protocol exec(). */
function withPGliteScripts<T>(adapter: T, client: PGlite): T {
  const a = adapter as unknown as PatchableAdapter;
  const executeRaw = a.executeRaw.bind(a);
  const run = async (sql: string) => {
    await client.exec(sql);
  };
  a.executeScript = run;
  a.executeRaw = async (q) => (q.args.length === 0 && q.sql.includes(";") ? (await run(q.sql), 0) : executeRaw(q));
  return adapter;
}

function pgliteMigrationAdapter(dataDir: string) {
  // Workaround 5: neither the CLI nor the adapter closes PGlite (the CLI never calls dispose(), and the adapter's
  // dispose() is empty), so the process used to exit with the data folder unclean, and the next open of that folder
  // aborted about one time in four. Each connection owns its PGlite and closes it on dispose or, at the latest, when the
  // CLI's event loop drains (beforeExit), before the process exits.
  const factory = new PrismaPGlite(undefined as unknown as PGlite); // its own client is never used: connect is replaced
  return Object.assign(factory, {
    connect: async () => {
      const client = openPGlite(dataDir);
      let closing: Promise<void> | undefined;
      const close = () => (closing ??= client.close());
      process.once("beforeExit", () => void close());
      const adapter = withPGliteScripts(await new PrismaPGlite(client).connect(), client);
      (adapter as unknown as PatchableAdapter).dispose = close;
      return adapter;
    },
    connectToShadowDb: async () => {
      const shadow = new PGlite("memory://shadow");
      const adapter = withPGliteScripts(await new PrismaPGlite(shadow).connect(), shadow);
      (adapter as unknown as PatchableAdapter).dispose = () => shadow.close();
      return adapter;
    },
  });
}

/** Workaround 1: pg_catalog types the schema engine reads but adapter-pg cannot deserialize, relabelled as text. */
const TEXT_LIKE_OIDS = new Set([18, 19, 22, 24, 28, 30, 194, 2205]);
const TEXT_OID = 25;
const TEXT_ARRAY_OID = 1009;
const patchedPrototypes = new WeakSet<object>();

function withCatalogTypes<T extends object>(adapter: T): T {
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as {
    performIO: (q: unknown) => Promise<{ fields?: { dataTypeID: number }[] }>;
  };
  if (!patchedPrototypes.has(proto)) {
    const performIO = proto.performIO;
    proto.performIO = async function (this: unknown, q: unknown) {
      const result = await performIO.call(this, q);
      for (const field of result.fields ?? []) {
        if (TEXT_LIKE_OIDS.has(field.dataTypeID)) field.dataTypeID = TEXT_OID;
        else if (field.dataTypeID === 1002 || field.dataTypeID === 1003) field.dataTypeID = TEXT_ARRAY_OID;
      }
      return result;
    };
    patchedPrototypes.add(proto);
  }
  return adapter;
}

export function pgConnectionFields(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

function postgresMigrationAdapter(url: string) {
  // A short idle timeout lets the CLI exit as soon as it is done instead of waiting out pg's 10 s default.
  const fields = { ...pgConnectionFields(url), idleTimeoutMillis: 200 };
  const factory = new PrismaPg(fields);
  const connect = factory.connect.bind(factory);
  return Object.assign(factory, {
    connect: async () => withCatalogTypes(await connect()),
    // Workaround 2: a real, separate shadow database, dropped after its pool is closed.
    connectToShadowDb: async () => {
      const admin = withCatalogTypes(await connect());
      const name = `prisma_shadow_${randomUUID().replace(/-/g, "")}`;
      await admin.executeScript(`CREATE DATABASE "${name}"`);
      const shadow = withCatalogTypes(await new PrismaPg({ ...fields, database: name }).connect());
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await admin.executeScript(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await admin.dispose();
      };
      return shadow;
    },
  });
}

export function migrationAdapter(target: DatabaseTarget): SqlMigrationAwareDriverAdapterFactory {
  return target.kind === "postgres"
    ? postgresMigrationAdapter(target.url)
    : pgliteMigrationAdapter(target.dataDir);
}
