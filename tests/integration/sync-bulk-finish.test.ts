/**
 * bulk_operations/finish → the sync.bulk-finished job: it wakes the sync waiting for that operation, resumes a sync
 * whose process died, and leaves alone operations no active sync started (runs on PGlite and PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB } from "../../app/jobs/names";
import { onBulkOperationFinished } from "../../app/lib/sync.server";
import { BULK_OPERATION_STATUS, type BulkOperationStatusData } from "../../app/shopify/graphql/BulkOperationStatus";
import { runFullSync, startFullSync } from "../../app/shopify/sync/full-sync.server";
import { createShop } from "../factories";
import { bulkControls } from "../local-shopify/modules/bulk";
import { testDb } from "../support/db";
import { testWorker } from "../support/jobs";
import { expectedCounts, localShopWithOrders } from "../support/sync";

type Local = Awaited<ReturnType<typeof localShopWithOrders>>;
let env: Local;

beforeAll(async () => {
  env = await localShopWithOrders(300, 3);
});
afterAll(() => env.local.close());

const never = () => new Promise<void>(() => {});

describe("bulk_operations/finish", () => {
  it("wakes the sync waiting for the operation: with polling switched off the sync still completes", async () => {
    const db = testDb();
    await db.shop.deleteMany({ where: { domain: env.shop } });
    await createShop(db, { domain: env.shop, currency: "VND" });
    const { run } = await startFullSync({ shop: env.shop, db, now: new Date() });
    // Every poll sleep lasts forever (only a wake moves the sync on), and each export is held RUNNING until the sync
    // has polled it and gone to sleep on it: then it is released, completes, and the test wakes the sync as the
    // webhook would. Conditions, not delays: a loaded machine cannot make a first poll see it COMPLETED already.
    let sleeps = 0;
    const sleepForever = () => {
      sleeps++;
      return never();
    };
    const releases = new Map<string, () => void>();
    bulkControls(env.local).hold = (op) => new Promise<void>((release) => releases.set(op, release));
    const syncing = runFullSync({ runId: run.id, deps: { db, client: env.client, now: () => new Date(), sleep: sleepForever, pollIntervalMs: 1 } });
    const worker = testWorker();
    let finished = false;
    void syncing.then(() => (finished = true));
    const woken = new Set<string>();
    for (let i = 0; i < 4000 && !finished; i++) {
      const current = await db.syncRun.findUniqueOrThrow({ where: { id: run.id } });
      const cursor = JSON.parse(current.cursor ?? "{}") as Record<string, { op: string | null; status: string }>;
      for (const [resource, { op, status }] of Object.entries(cursor)) {
        if (op === null || status !== "started" || woken.has(op)) continue;
        // The sync polls the exports in turn and sleeps on the one it waits for (phase "<resource>: exporting"), once
        // per export: release it when the sync has gone to sleep on it.
        if (current.phase === `${resource}: exporting` && sleeps > woken.size && releases.has(op)) {
          releases.get(op)!();
          releases.delete(op);
        }
        const { bulkOperation } = await env.client.request<BulkOperationStatusData>(BULK_OPERATION_STATUS, { id: op });
        if (bulkOperation?.status !== "COMPLETED") continue;
        // What the webhook route does: one job per operation; the worker runs the handler.
        await worker.queue.enqueue(JOB.syncBulkFinished, { webhookId: `w-${op}`, bulkOperationId: op }, { shop: env.shop, singletonKey: `bulk/${op.split("/").pop()}` });
        await worker.drain();
        woken.add(op);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await worker.stop();
    bulkControls(env.local).hold = undefined;
    expect(finished, `the sync did not finish; it woke for ${woken.size} exports`).toBe(true);
    const done = await syncing;
    expect(done.status).toBe("SUCCEEDED");
    expect(woken.size).toBe(4);
    const expected = expectedCounts(env.store);
    expect(await db.order.count({ where: { shop: env.shop } })).toBe(expected.orders);
    expect(await db.orderLine.count({ where: { shop: env.shop } })).toBe(expected.lines);
  });

  it("resumes a sync whose process died, leaves a live one to its own process, and ignores operations it did not start", async () => {
    const db = testDb();
    await db.shop.deleteMany({ where: { domain: env.shop } });
    await createShop(db, { domain: env.shop, currency: "VND" });
    const now = new Date("2026-11-23T10:00:00Z");
    const op = "gid://shopify/BulkOperation/424242";
    const cursor = JSON.stringify({ orders: { op, status: "started", done: 0, waiting: 0, dropped: 0, total: null, attempts: 1 } });
    const run = await db.syncRun.create({
      data: { shop: env.shop, kind: "full", status: "RUNNING", phase: "orders: exporting", startedAt: now, heartbeatAt: new Date(now.getTime() - 60_000), cursor },
    });
    const resumed: string[] = [];
    const resume = (id: string) => void resumed.push(id);
    expect(await onBulkOperationFinished({ shop: env.shop, operationId: op, db, now, resume })).toBe("running-elsewhere");
    expect(await onBulkOperationFinished({ shop: env.shop, operationId: "gid://shopify/BulkOperation/1", db, now, resume })).toBe("not-ours");
    expect(await onBulkOperationFinished({ shop: "another.myshopify.com", operationId: op, db, now, resume })).toBe("not-ours");
    expect(resumed).toEqual([]);
    const later = new Date(now.getTime() + 10 * 60_000); // no heartbeat for 11 minutes: its process is gone
    expect(await onBulkOperationFinished({ shop: env.shop, operationId: op, db, now: later, resume })).toBe("resumed");
    expect(resumed).toEqual([run.id]);
    await db.syncRun.update({ where: { id: run.id }, data: { status: "SUCCEEDED" } });
    expect(await onBulkOperationFinished({ shop: env.shop, operationId: op, db, now: later, resume })).toBe("not-ours");
  });
});
