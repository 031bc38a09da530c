/** Webhooks delivered to the real server build, signed like Shopify, and the payload fixtures. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import { WebhookSender, type Delivery, type RequestHandler } from "../local-shopify/webhooks";
import { testDb } from "./db";
import { TEST_APP } from "./test-app";

/** A payload fixture (tests/fixtures/webhooks, shaped after Shopify's docs). */
export function webhookFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../fixtures/webhooks", name), "utf8")) as Record<string, unknown>;
}

export function webhookSender(handler: RequestHandler, attempts = 1) {
  return new WebhookSender({
    appUrl: TEST_APP.appUrl,
    apiSecret: TEST_APP.apiSecret,
    apiVersion: ADMIN_API_VERSION,
    fetch: handler,
    retry: { attempts, baseDelayMs: 1 },
  });
}

export const statuses = (delivery: Delivery) => delivery.targets.flatMap((t) => t.attempts.map((a) => a.status));

/** The fictitious personal data the fixtures carry: none of it may be stored anywhere. */
export const FIXTURE_PERSONAL_DATA = ["lan.nguyen", "Nguyen", "+8490", "Nguyen Hue", "Floor 3", "203.0.113", "Gift wrap", "Chúc mừng", "Mozilla"];

/**
 * Every row the database holds for a shop, as text: each table of the app's schema with a `shop` column, and pg-boss's
 * jobs when there are any. For "nothing of X is stored anywhere" checks.
 */
export async function everythingStoredFor(shop: string): Promise<string> {
  const db = testDb();
  const tables = await db.$queryRawUnsafe<{ table: string }[]>(
    `SELECT table_name::text AS "table" FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'shop'`,
  );
  const parts: string[] = [];
  for (const { table } of tables) {
    const rows = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM "${table}" t WHERE "shop" = $1`, shop);
    parts.push(...rows.map((r) => `${table}: ${r.row}`));
  }
  const boss = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::integer AS n FROM information_schema.tables WHERE table_schema = 'pgboss' AND table_name = 'job'`);
  if ((boss[0]?.n ?? 0) > 0) {
    const rows = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT data::text AS row FROM pgboss.job WHERE data->>'shop' = $1`, shop);
    parts.push(...rows.map((r) => `pgboss.job: ${r.row}`));
  }
  return parts.join("\n");
}

/** Rows per table for a shop (tables with a `shop` column; Session included), for "only that shop" checks. */
export async function rowCountsFor(shop: string): Promise<Record<string, number>> {
  const db = testDb();
  const tables = await db.$queryRawUnsafe<{ table: string }[]>(
    `SELECT c.table_name::text AS "table" FROM information_schema.columns c
     JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
     WHERE c.table_schema = current_schema() AND c.column_name = 'shop' AND t.table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { table } of tables) {
    const [row] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::integer AS n FROM "${table}" WHERE "shop" = $1`, shop);
    counts[table] = row?.n ?? 0;
  }
  return counts;
}
