/** Full sync through bulk operations from the local Shopify (runs on PGlite and PostgreSQL). */
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFullSync, startFullSync, type SyncDeps } from "../../app/shopify/sync/full-sync.server";
import { customerHash } from "../../app/lib/compliance/redacted.server";
import { writeOrders } from "../../app/lib/ingest/writer.server";
import { createShop } from "../factories";
import { ingestLine, ingestOrder } from "../factories/ingest";
import { smallSeed } from "../factories/seed";
import { bulkControls } from "../local-shopify/modules/bulk";
import { testDb } from "../support/db";
import { expectedCounts, localShop, localShopWithOrders } from "../support/sync";

type Local = Awaited<ReturnType<typeof localShopWithOrders>>;
let env: Local;

beforeAll(async () => {
  env = await localShopWithOrders(1500);
});
afterAll(() => env.local.close());

function deps(overrides: Partial<SyncDeps> = {}): SyncDeps {
  return { db: testDb(), client: env.client, now: () => new Date(), pollIntervalMs: 5, batchSize: 700, ...overrides };
}

async function counts(db: PrismaClient, shop: string) {
  const [orders, lines, products, variants, collections, customers, total] = await Promise.all([
    db.order.count({ where: { shop } }),
    db.orderLine.count({ where: { shop } }),
    db.product.count({ where: { shop } }),
    db.variant.count({ where: { shop } }),
    db.collection.count({ where: { shop } }),
    db.customer.count({ where: { shop } }),
    db.order.aggregate({ where: { shop }, _sum: { total: true } }),
  ]);
  return { orders, lines, products, variants, collections, customers, totalMinor: total._sum.total ?? 0n };
}

async function resetShop(db: PrismaClient, shop: string) {
  await db.shop.deleteMany({ where: { domain: shop } });
  await createShop(db, { domain: shop, currency: "VND" });
}

describe("full sync", () => {
  it("brings every object in exactly once, children linked whatever their order in the file", async () => {
    const db = testDb();
    await resetShop(db, env.shop);
    const { run } = await startFullSync({ shop: env.shop, db, now: new Date() });
    const done = await runFullSync({ runId: run.id, deps: deps() });
    expect(done).toMatchObject({ status: "SUCCEEDED", phase: "done", lastError: null });
    const expected = expectedCounts(env.store);
    expect(await counts(db, env.shop)).toEqual(expected);
    expect(done.objectsDone).toBe(expected.orders + expected.products + expected.customers + expected.collections);
    expect(done.objectsTotal).toBe(done.objectsDone);
    expect(await db.syncStage.count({ where: { syncRunId: run.id } })).toBe(0);
    // A second full sync changes nothing.
    const again = await startFullSync({ shop: env.shop, db, now: new Date() });
    await runFullSync({ runId: again.run.id, deps: deps() });
    expect(await counts(db, env.shop)).toEqual(expected);
  });

  it("links children far from their parents, and keeps a newer version of an order written meanwhile", async () => {
    const db = testDb();
    await resetShop(db, env.shop);
    // The orders file rearranged: the children of the first half of the orders moved to the very end, those of the
    // last quarter to the very start (with batches of 250 rows, children then come batches away from their parents).
    let displaced: { first: string; firstLines: number } | null = null;
    const download = async (url: string) => {
      const text = await (await fetch(url)).text();
      const rows = text.trim().split("\n").map((l) => JSON.parse(l) as { id: string; __parentId?: string });
      if (!rows[0]?.id.includes("/Order/")) return new Response(text);
      const parents = rows.filter((r) => r.__parentId === undefined).map((r) => r.id);
      const early = new Set(parents.slice(0, Math.floor(parents.length / 2)));
      const late = new Set(parents.slice(Math.floor((parents.length * 3) / 4)));
      const head = rows.filter((r) => r.__parentId !== undefined && late.has(r.__parentId));
      const tail = rows.filter((r) => r.__parentId !== undefined && early.has(r.__parentId));
      const middle = rows.filter((r) => !head.includes(r) && !tail.includes(r));
      const first = parents[0]!;
      displaced = { first, firstLines: rows.filter((r) => r.__parentId === first).length };
      expect(head.length).toBeGreaterThan(500);
      expect(tail.length).toBeGreaterThan(500);
      return new Response([...head, ...middle, ...tail].map((r) => JSON.stringify(r)).join("\n") + "\n");
    };
    // A newer version of the file's first order (as an orders/updated webhook would bring) is already stored, with
    // one line: the sync's older version and its displaced lines must not replace it.
    const { run } = await startFullSync({ shop: env.shop, db, now: new Date() });
    const done = await runFullSync({
      runId: run.id,
      deps: deps({
        batchSize: 250,
        download: async (url) => {
          const response = await download(url);
          if (displaced && !(await db.order.findFirst({ where: { shop: env.shop, id: displaced.first.split("/").pop()! } }))) {
            await writeOrders(db, env.shop, [ingestOrder(displaced.first.split("/").pop()!, { updatedAt: new Date("2099-01-01T00:00:00Z"), total: 1n, lines: [ingestLine("newer-line")] })], new Date());
          }
          return response;
        },
      }),
    });
    expect(done).toMatchObject({ status: "SUCCEEDED", lastError: null });
    expect(displaced).not.toBeNull();
    const { first, firstLines } = displaced!;
    const firstId = first.split("/").pop()!;
    const expected = expectedCounts(env.store);
    const firstSeed = env.store.orders.find((o) => String(o.id) === firstId)!;
    expect(await counts(db, env.shop)).toEqual({
      ...expected,
      lines: expected.lines - firstLines + 1,
      totalMinor: expected.totalMinor - BigInt(firstSeed.total) + 1n,
    });
    expect(await db.orderLine.findMany({ where: { shop: env.shop, orderId: firstId }, select: { id: true } })).toEqual([{ id: "newer-line" }]);
    // Every other order has exactly its own lines.
    const perOrder = await db.orderLine.groupBy({ by: ["orderId"], where: { shop: env.shop }, _count: { _all: true } });
    const byOrder = new Map(perOrder.map((g) => [g.orderId, g._count._all]));
    for (const o of env.store.orders) if (String(o.id) !== firstId) expect(byOrder.get(String(o.id)) ?? 0).toBe(o.lineItems.length);
    const state = JSON.parse(done.cursor!) as { orders: { waiting: number; dropped: number } };
    expect(state.orders).toMatchObject({ waiting: 0, dropped: firstLines });
    expect(await db.syncStage.count({ where: { syncRunId: run.id } })).toBe(0);
  });

  it("never brings back a redacted customer: their orders come in anonymous", async () => {
    const db = testDb();
    await resetShop(db, env.shop);
    const redacted = env.store.orders.find((o) => o.customerId !== null)!.customerId!;
    const theirOrders = env.store.orders.filter((o) => o.customerId === redacted).map((o) => String(o.id));
    await db.redactedCustomer.create({ data: { shop: env.shop, customerHash: customerHash(env.shop, String(redacted)) } });
    const { run } = await startFullSync({ shop: env.shop, db, now: new Date() });
    expect(await runFullSync({ runId: run.id, deps: deps() })).toMatchObject({ status: "SUCCEEDED" });
    const expected = expectedCounts(env.store);
    expect(await counts(db, env.shop)).toEqual({ ...expected, customers: expected.customers - 1 });
    expect(await db.customer.findUnique({ where: { shop_id: { shop: env.shop, id: String(redacted) } } })).toBeNull();
    const stored = await db.order.findMany({ where: { shop: env.shop, id: { in: theirOrders } }, select: { customerId: true } });
    expect(stored).toHaveLength(theirOrders.length);
    expect(stored.every((o) => o.customerId === null)).toBe(true);
  });

  it("fetches a download that breaks off again and reads on from the last committed line", async () => {
    const db = testDb();
    await resetShop(db, env.shop);
    // The orders file's first download dies after ~40 % of its bytes, the second one after ~70 % (a reset connection).
    const cuts = [0.4, 0.7];
    const fetched: string[] = [];
    const download = async (url: string) => {
      const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
      const isOrders = new TextDecoder().decode(bytes.subarray(0, 200)).includes("/Order/");
      const cut = isOrders ? cuts.shift() : undefined;
      fetched.push(isOrders ? `orders${cut === undefined ? "" : `@${cut}`}` : "other");
      if (cut === undefined) return new Response(bytes);
      const end = Math.floor(bytes.length * cut);
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(bytes.subarray(0, end));
          } else controller.error(Object.assign(new TypeError("terminated"), { cause: { code: "ECONNRESET" } }));
        },
      });
      return new Response(body);
    };
    const { run } = await startFullSync({ shop: env.shop, db, now: new Date() });
    const done = await runFullSync({ runId: run.id, deps: deps({ batchSize: 300, download }) });
    expect(done.status).toBe("SUCCEEDED");
    expect(fetched.filter((f) => f.startsWith("orders"))).toEqual(["orders@0.4", "orders@0.7", "orders"]);
    expect(done.errorCount).toBe(2);
    expect(done.objectsDone).toBe(done.objectsTotal);
    expect(done.lastError).toMatch(/^orders: the download broke off at line \d+ .*fetching it again$/);
    expect(await counts(db, env.shop)).toEqual(expectedCounts(env.store));
    expect(await db.syncStage.count({ where: { syncRunId: run.id } })).toBe(0);
  });

  it("runs one sync at a time per shop", async () => {
    const db = testDb();
    await resetShop(db, env.shop);
    const first = await startFullSync({ shop: env.shop, db, now: new Date() });
    const second = await startFullSync({ shop: env.shop, db, now: new Date() });
    expect(second).toMatchObject({ created: false, run: { id: first.run.id } });
    await runFullSync({ runId: first.run.id, deps: deps() });
    // A finished run is not run again.
    expect((await runFullSync({ runId: first.run.id, deps: deps() })).status).toBe("SUCCEEDED");
  });

  it("retries bulk operations that end FAILED or EXPIRED, and a file with a malformed line", async () => {
    const db = testDb();
    await resetShop(db, env.shop);
    bulkControls(env.local).forced.push(
      { match: /BulkOrders/, status: "FAILED", errorCode: "INTERNAL_SERVER_ERROR", partial: true },
      { match: /BulkCustomers/, status: "EXPIRED" },
      { match: /BulkProducts/, status: "CORRUPT", line: 3 },
    );
    const { run } = await startFullSync({ shop: env.shop, db, now: new Date() });
    const done = await runFullSync({ runId: run.id, deps: deps() });
    expect(done.status).toBe("SUCCEEDED");
    expect(done.errorCount).toBe(3);
    expect(await counts(db, env.shop)).toEqual(expectedCounts(env.store));
  });

  it("gives up with a clear error when Shopify keeps failing", async () => {
    const db = testDb();
    await resetShop(db, env.shop);
    for (let i = 0; i < 3; i++) bulkControls(env.local).forced.push({ match: /BulkOrders/, status: "FAILED", errorCode: "TIMEOUT" });
    const { run } = await startFullSync({ shop: env.shop, db, now: new Date() });
    const done = await runFullSync({ runId: run.id, deps: deps() });
    expect(done.status).toBe("FAILED");
    expect(done.lastError).toMatch(/orders: bulk operation ended FAILED \(TIMEOUT\) \(after 3 bulk operations\)/);
  });

  it("resumes after the process dies mid-write: nothing lost, nothing duplicated", async () => {
    const db = testDb();
    await resetShop(db, env.shop);
    const { run } = await startFullSync({ shop: env.shop, db, now: new Date() });
    // A "process" whose database calls stop answering after a few committed batches, like a killed worker.
    let transactions = 0;
    const dying = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === "$transaction") {
          return (...args: unknown[]) => (++transactions > 5 ? new Promise(() => {}) : (target.$transaction as (...a: unknown[]) => unknown)(...args));
        }
        return Reflect.get(target, prop, receiver);
      },
    }) as PrismaClient;
    void runFullSync({ runId: run.id, deps: deps({ db: dying }) });
    for (let i = 0; i < 500 && transactions <= 5; i++) await new Promise((r) => setTimeout(r, 20));
    expect(transactions).toBeGreaterThan(5);
    const crashed = await db.syncRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(crashed.status).toBe("RUNNING");
    expect(crashed.objectsDone).toBeGreaterThan(0);
    expect(crashed.objectsDone).toBeLessThan(crashed.objectsTotal ?? Infinity);
    // While its heartbeat is fresh nobody else takes it; once stale, a new worker resumes it.
    expect((await runFullSync({ runId: run.id, deps: deps() })).status).toBe("RUNNING");
    const resumed = await runFullSync({ runId: run.id, deps: deps({ staleAfterMs: 0 }) });
    expect(resumed.status).toBe("SUCCEEDED");
    expect(await counts(db, env.shop)).toEqual(expectedCounts(env.store));
  });
});

describe("storefront attribution through the bulk sync", () => {
  it("keeps a seeded order's _il_vid/_il_arm and its lines' _il_widget/_il_slot/_il_rank; ignores invalid values", async () => {
    const store = smallSeed("attributed-shop.myshopify.com");
    const [first, second] = store.orders;
    first!.customAttributes = [
      { key: "gift_message", value: "Chúc mừng sinh nhật Lan" },
      { key: "_il_vid", value: "3f2a9c1e-77b0-4c1d" },
      { key: "_il_arm", value: "treatment" },
    ];
    first!.lineItems[1]!.customAttributes = [
      { key: "_il_widget", value: "fbt" },
      { key: "_il_slot", value: "2" },
      { key: "_il_rank", value: "bandit" },
      { key: "Engraving", value: "Lan" },
    ];
    // The local bulk file puts this (second) order's lines before it in the file.
    second!.customAttributes = [{ key: "_il_vid", value: "<script>alert(1)</script>" }, { key: "_il_arm", value: "control" }];
    second!.lineItems[0]!.customAttributes = [
      { key: "_il_widget", value: "popup" },
      { key: "_il_slot", value: "99" },
      { key: "_il_rank", value: "engine" },
      { key: "Engraving", value: "Chúc mừng Lan" },
    ];
    const attributed = await localShop(store);
    try {
      const db = testDb();
      await createShop(db, { domain: attributed.shop, currency: "VND" });
      // Batches of one row: a line that comes before its order waits in SyncStage. Record what is staged.
      const staged: string[] = [];
      const recording = new Proxy(db, {
        get(target, prop, receiver) {
          if (prop !== "$transaction") return Reflect.get(target, prop, receiver);
          return (fn: (tx: unknown) => unknown, ...rest: unknown[]) =>
            (target.$transaction as (f: (tx: unknown) => unknown, ...r: unknown[]) => unknown)((tx) => {
              const spy = new Proxy(tx as object, {
                get(t, p, r) {
                  const value = Reflect.get(t, p, r) as unknown;
                  if (p !== "$executeRawUnsafe" || typeof value !== "function") return value;
                  return (sql: string, ...args: unknown[]) => {
                    if (sql.includes(`INSERT INTO "SyncStage"`)) staged.push(JSON.stringify(args));
                    return (value as (...a: unknown[]) => unknown).call(t, sql, ...args);
                  };
                },
              });
              return fn(spy);
            }, ...rest);
        },
      }) as PrismaClient;
      const { run } = await startFullSync({ shop: attributed.shop, db, now: new Date() });
      const done = await runFullSync({ runId: run.id, deps: deps({ client: attributed.client, db: recording, batchSize: 1 }) });
      expect(done.status).toBe("SUCCEEDED");
      // The second order's lines waited for it, with their _il_* properties and nothing else.
      const stagedText = staged.join("\n");
      expect(stagedText).toContain("_il_widget");
      expect(stagedText).not.toContain("Engraving");

      const orders = await db.order.findMany({
        where: { shop: attributed.shop },
        orderBy: { id: "asc" },
        include: { lines: { orderBy: { id: "asc" } } },
      });
      expect(orders.map((o) => [o.id, o.visitorId, o.offerArm])).toEqual([
        ["401", "3f2a9c1e-77b0-4c1d", "treatment"],
        ["402", null, null],
        ["403", null, null],
        ["404", null, null],
        ["405", null, null],
      ]);
      const lines = orders.flatMap((o) => o.lines.map((l) => [l.id, l.offerWidget, l.offerSlot, l.offerRank]));
      expect(lines).toEqual([
        ["501", null, null, null],
        ["502", "fbt", 2, "bandit"],
        ["503", null, null, "engine"],
        ["504", null, null, null],
        ["505", null, null, null],
        ["506", null, null, null],
        ["507", null, null, null],
      ]);
      // Nothing else of the attributes was stored, and nothing was left staged.
      const everything = JSON.stringify(await db.order.findMany({ where: { shop: attributed.shop }, include: { lines: true } }), (_k, v: unknown) =>
        typeof v === "bigint" ? String(v) : v,
      );
      expect(everything).not.toContain("Chúc mừng");
      expect(everything).not.toContain("Engraving");
      expect(await db.syncStage.count({ where: { syncRunId: run.id } })).toBe(0);

      // A later write from a source without attributes (a file import) keeps the attribution; lines are its own.
      await writeOrders(db, attributed.shop, [ingestOrder("401", { updatedAt: new Date("2099-01-01T00:00:00Z"), lines: [ingestLine("501")] })], new Date());
      expect(await db.order.findUniqueOrThrow({ where: { shop_id: { shop: attributed.shop, id: "401" } } })).toMatchObject({
        visitorId: "3f2a9c1e-77b0-4c1d",
        offerArm: "treatment",
      });
    } finally {
      await attributed.local.close();
    }
  });
});
