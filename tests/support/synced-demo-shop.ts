/**
 * A generated shop as the app holds it after install: the shop row, an offline session, every order synced from the
 * local Shopify through the real full sync, and a job worker on the database under test (for the insight pages' tests).
 */
import { expect } from "vitest";
import { runFullSync, startFullSync } from "../../app/shopify/sync/full-sync.server";
import { createShop } from "../factories";
import type { SeedStore } from "../local-shopify/seed";
import { storeOfflineSession } from "./admin-request";
import { testDb } from "./db";
import { testWorker, type TestWorker } from "./jobs";
import { localShop } from "./sync";

export interface SyncedDemoShop {
  env: Awaited<ReturnType<typeof localShop>>;
  worker: TestWorker;
  close(): Promise<void>;
}

export async function syncedDemoShop(store: SeedStore, shop: { timezone?: string } = {}): Promise<SyncedDemoShop> {
  const env = await localShop(store);
  const db = testDb();
  await createShop(db, { domain: env.shop, currency: "VND", ...(shop.timezone ? { timezone: shop.timezone } : {}) });
  await storeOfflineSession(env.shop);
  const { run } = await startFullSync({ shop: env.shop, db, now: new Date() });
  const synced = await runFullSync({ runId: run.id, deps: { db, client: env.client, now: () => new Date(), pollIntervalMs: 5 } });
  expect(synced.lastError).toBeNull();
  expect(synced.status).toBe("SUCCEEDED");
  const worker = testWorker();
  return {
    env,
    worker,
    async close() {
      await worker.stop();
      await env.local.close();
    },
  };
}
