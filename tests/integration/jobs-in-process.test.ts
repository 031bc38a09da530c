/**
 * The embedded default's job queue (the `Job` table), on PGlite and on PostgreSQL: retries with backoff, giving up with
 * the error kept, surviving a restart, recovering a dead worker's job, singleton keys, transactional enqueue, and two
 * queues sharing one table without running a job twice.
 */
import { describe, expect, it } from "vitest";
import { InProcessJobQueue } from "../../app/jobs/in-process.server";
import { eachJob, type Job, type JobQueue } from "../../app/jobs/types";
import { createShop } from "../factories";
import { testDb } from "../support/db";

const T0 = new Date("2026-03-01T00:00:00Z");

/** A clock the test moves. */
function manualClock(start = T0) {
  let now = start.getTime();
  return { now: () => new Date(now), advance: (seconds: number) => (now += seconds * 1000) };
}

const jobRow = (id: string) => testDb().job.findUniqueOrThrow({ where: { id } });

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("in-process job queue", () => {
  it("retries a failing job with exponential backoff, then succeeds", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const clock = manualClock();
    const queue = new InProcessJobQueue({ db, clock: clock.now });
    const attempts: number[] = [];
    queue.work(
      "test.flaky",
      eachJob(async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error(`not yet (attempt ${job.attempt})`);
      }),
    );
    const id = (await queue.enqueue("test.flaky", { n: 1 }, { shop: domain, retryDelay: 10, retryBackoff: true }))!;

    expect(await queue.runUntilIdle()).toBe(1);
    let row = await jobRow(id);
    expect(row).toMatchObject({ status: "QUEUED", attempts: 1, lastError: "Error: not yet (attempt 1)", lockedBy: null });
    expect(row.runAt).toEqual(new Date(T0.getTime() + 10_000)); // first retry after retryDelay

    expect(await queue.runUntilIdle()).toBe(0); // not due yet
    clock.advance(10);
    expect(await queue.runUntilIdle()).toBe(1);
    row = await jobRow(id);
    expect(row).toMatchObject({ status: "QUEUED", attempts: 2, lastError: "Error: not yet (attempt 2)" });
    expect(row.runAt).toEqual(new Date(T0.getTime() + 10_000 + 20_000)); // doubled

    clock.advance(20);
    expect(await queue.runUntilIdle()).toBe(1);
    row = await jobRow(id);
    expect(row).toMatchObject({ status: "SUCCEEDED", attempts: 3, payload: {}, lockedAt: null });
    expect(row.finishedAt).toEqual(clock.now());
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("bounds the backoff at 15 minutes", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const clock = manualClock();
    const queue = new InProcessJobQueue({ db, clock: clock.now });
    queue.work("test.always-fails", async () => {
      throw new Error("down");
    });
    const id = (await queue.enqueue("test.always-fails", {}, { shop: domain, retryLimit: 10, retryDelay: 300 }))!;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await queue.runUntilIdle();
      const { runAt } = await jobRow(id);
      delays.push((runAt.getTime() - clock.now().getTime()) / 1000);
      clock.advance(3600);
    }
    expect(delays).toEqual([300, 600, 900, 900]);
  });

  it("gives up after retryLimit retries: FAILED with the last error, listed for the admin", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const other = await createShop(db);
    const clock = manualClock();
    const queue = new InProcessJobQueue({ db, clock: clock.now });
    let calls = 0;
    queue.work(
      "test.broken",
      eachJob(async () => {
        calls++;
        throw new TypeError(`boom ${calls}`);
      }),
    );
    const id = (await queue.enqueue("test.broken", { secret: "never in errors" }, { shop: domain, retryLimit: 2, retryDelay: 1, retryBackoff: false }))!;
    for (let i = 0; i < 5; i++) {
      await queue.runUntilIdle();
      clock.advance(1);
    }
    expect(calls).toBe(3);
    const row = await jobRow(id);
    expect(row).toMatchObject({ status: "FAILED", attempts: 3, maxAttempts: 3, lastError: "TypeError: boom 3" });
    expect(row.finishedAt).not.toBeNull();
    expect(row.payload).toEqual({ secret: "never in errors" }); // a failed job keeps its payload (it can be retried)
    expect(await queue.failures({ shop: domain })).toEqual([
      { id, name: "test.broken", shop: domain, attempts: 3, lastError: "TypeError: boom 3", failedAt: row.finishedAt },
    ]);
    expect(await queue.failures({ shop: other.domain })).toEqual([]);
    expect(await queue.pending(["test.broken"])).toBe(0);
  });

  it("survives a restart: a new queue instance picks up what the old one left queued", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const before = new InProcessJobQueue({ db });
    const ids = await Promise.all([1, 2, 3].map((n) => before.enqueue("test.durable", { n }, { shop: domain })));
    // The process "crashes" here: the first queue never ran anything and is dropped.

    const seen: number[] = [];
    const after = new InProcessJobQueue({ db, pollIntervalMs: 20 });
    after.work<{ n: number }>("test.durable", async (jobs) => {
      for (const job of jobs) seen.push(job.payload.n);
    }, { batchSize: 2 });
    await after.start();
    await waitFor(async () => (await after.pending(["test.durable"])) === 0);
    await after.stop();
    expect(seen.sort()).toEqual([1, 2, 3]);
    for (const id of ids) expect((await jobRow(id!)).status).toBe("SUCCEEDED");
  });

  it("retries a RUNNING job whose worker died once its lock is stale; fails it when no attempt is left", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const clock = manualClock();
    const queue = new InProcessJobQueue({ db, clock: clock.now, lockTimeoutMs: 60_000 });
    const handled: Job[] = [];
    queue.work("test.orphan", eachJob(async (job) => void handled.push(job)));
    const alive = (await queue.enqueue("test.orphan", { n: 1 }, { shop: domain }))!;
    const dead = (await queue.enqueue("test.orphan", { n: 2 }, { shop: domain, retryLimit: 0 }))!;
    // Another process claimed both and died mid-run.
    await db.job.updateMany({ where: { id: { in: [alive, dead] } }, data: { status: "RUNNING", attempts: 1, lockedBy: "dead-worker", lockedAt: clock.now() } });

    clock.advance(59);
    expect(await queue.runUntilIdle()).toBe(0); // the lock is still fresh: maybe the worker is alive
    clock.advance(2);
    expect(await queue.runUntilIdle()).toBe(1);
    expect(handled.map((j) => [j.payload.n, j.attempt])).toEqual([[1, 2]]);
    expect(await jobRow(alive)).toMatchObject({ status: "SUCCEEDED", attempts: 2 });
    expect(await jobRow(dead)).toMatchObject({ status: "FAILED", attempts: 1, lastError: "The worker running attempt 1 of 1 stopped (lock expired)" });
  });

  it("keeps a long job's lock fresh, so another queue does not take it over", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    let runs = 0;
    // The lock expires after 1 s without a heartbeat (every 50 ms): a margin a loaded machine's timers keep. The job
    // runs until the other queue has tried to take it for well past that expiry, not for a fixed time.
    const lockTimeoutMs = 1000;
    const slow = new InProcessJobQueue({ db, lockTimeoutMs, heartbeatMs: 50, pollIntervalMs: 10 });
    const other = new InProcessJobQueue({ db, lockTimeoutMs, heartbeatMs: 50, pollIntervalMs: 10 });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    slow.work(
      "test.slow",
      eachJob(async () => {
        runs++;
        await released;
      }),
    );
    const id = (await slow.enqueue("test.slow", {}, { shop: domain }))!;
    const running = slow.runUntilIdle();
    await waitFor(async () => (await jobRow(id)).status === "RUNNING");
    other.work("test.slow", eachJob(async () => void runs++));
    const since = Date.now();
    for (let tries = 0; tries < 10 || Date.now() - since < 2.5 * lockTimeoutMs; tries++) {
      expect(await other.runUntilIdle()).toBe(0);
      await new Promise((r) => setTimeout(r, 60));
    }
    // Not failed as abandoned either (what an expired lock with no attempt left would do).
    expect(await jobRow(id)).toMatchObject({ status: "RUNNING", attempts: 1 });
    release();
    await running;
    expect(runs).toBe(1);
    expect(await jobRow(id)).toMatchObject({ status: "SUCCEEDED", attempts: 1 });
  });

  it("recovers RUNNING jobs at start when told the database has no other process (the embedded database)", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const id = (await new InProcessJobQueue({ db }).enqueue("test.recover", {}, { shop: domain }))!;
    await db.job.update({ where: { id }, data: { status: "RUNNING", attempts: 1, lockedBy: "previous-process", lockedAt: new Date() } });
    const queue = new InProcessJobQueue({ db, recoverOnStart: true, pollIntervalMs: 10 });
    queue.work("test.recover", async () => undefined);
    await queue.start();
    await waitFor(async () => (await jobRow(id)).status === "SUCCEEDED");
    await queue.stop();
  });

  it("singletonKey: one queued or running job per key; startAfter: not before its time", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const clock = manualClock();
    const queue = new InProcessJobQueue({ db, clock: clock.now });
    queue.work("test.single", async () => undefined);
    const first = await queue.enqueue("test.single", {}, { shop: domain, singletonKey: "bulk/1", startAfter: 60 });
    expect(first).not.toBeNull();
    expect(await queue.enqueue("test.single", {}, { shop: domain, singletonKey: "bulk/1" })).toBeNull();
    expect(await queue.enqueue("test.single", {}, { shop: domain, singletonKey: "bulk/2" })).not.toBeNull();
    expect(await queue.runUntilIdle()).toBe(1); // bulk/2 only: bulk/1 starts in a minute
    clock.advance(60);
    expect(await queue.runUntilIdle()).toBe(1);
    expect(await queue.enqueue("test.single", {}, { shop: domain, singletonKey: "bulk/1" })).not.toBeNull(); // done: a new one may come
    await expect(queue.enqueue("test.single", {}, { shop: domain, singletonKey: "gid://shopify/BulkOperation/1" })).rejects.toThrow(/singletonKey/);
  });

  it("enqueues inside a transaction: a rolled-back transaction leaves no job", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const queue = new InProcessJobQueue({ db });
    await expect(
      db.$transaction(async (tx) => {
        await queue.enqueue("test.tx", { n: 1 }, { shop: domain, tx });
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    expect(await db.job.count({ where: { shop: domain } })).toBe(0);
    await db.$transaction((tx) => queue.enqueue("test.tx", { n: 2 }, { shop: domain, tx }));
    expect(await db.job.count({ where: { shop: domain } })).toBe(1);
  });

  it("enqueueGuarded: the job is stored with its guard row in one statement, or not at all", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const queue = new InProcessJobQueue({ db });
    const guard = (id: string) => ({
      sql: `INSERT INTO "WebhookEvent" ("shop", "webhookId", "topic") VALUES ($1::text, $2::text, 'T') ON CONFLICT DO NOTHING RETURNING 1`,
      params: [domain, id],
    });
    const first = await queue.enqueueGuarded(guard("w1"), "test.guarded", { n: 1 }, { shop: domain });
    expect(first).toEqual({ guarded: true, jobId: expect.any(String) });
    expect(await queue.enqueueGuarded(guard("w1"), "test.guarded", { n: 2 }, { shop: domain })).toEqual({ guarded: false, jobId: null });
    await expect(queue.enqueueGuarded(guard("w2"), "test.guarded", { n: 3 }, { shop: "no-such-shop.myshopify.com" })).rejects.toThrow();
    expect(await db.webhookEvent.count({ where: { webhookId: "w2" } })).toBe(0); // the guard's insert went with the failed job
    expect((await db.job.findMany({ where: { shop: domain } })).map((j) => j.payload)).toEqual([{ n: 1 }]);
  });

  it("a batch handler fails some jobs and completes the others", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const queue = new InProcessJobQueue({ db });
    queue.work<{ n: number }>(
      "test.partial",
      async (jobs) => ({ failed: jobs.filter((j) => j.payload.n % 2 === 1).map((j) => ({ id: j.id, error: new Error("odd") })) }),
      { batchSize: 10 },
    );
    for (let n = 0; n < 6; n++) await queue.enqueue("test.partial", { n }, { shop: domain, retryLimit: 0 });
    await queue.runUntilIdle();
    const rows = await db.job.findMany({ where: { shop: domain }, select: { status: true, payload: true, lastError: true } });
    expect(rows.filter((r) => r.status === "SUCCEEDED")).toHaveLength(3);
    expect(rows.filter((r) => r.status === "FAILED").map((r) => r.lastError)).toEqual(["Error: odd", "Error: odd", "Error: odd"]);
  });

  it("two queues on one table run every job exactly once", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const seen = new Map<number, number>();
    const make = (): JobQueue => {
      const q = new InProcessJobQueue({ db, pollIntervalMs: 10 });
      q.work<{ n: number }>("test.shared", async (jobs) => {
        for (const job of jobs) seen.set(job.payload.n, (seen.get(job.payload.n) ?? 0) + 1);
      }, { batchSize: 7 });
      return q;
    };
    const [a, b] = [make(), make()];
    for (let n = 0; n < 200; n++) await a.enqueue("test.shared", { n }, { shop: domain });
    await Promise.all([a.start(), b.start()]);
    await waitFor(async () => (await a.pending(["test.shared"])) === 0);
    await Promise.all([a.stop(), b.stop()]);
    expect(seen.size).toBe(200);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
  });

  it("reports loop errors without stopping", async () => {
    const db = testDb();
    const errors: unknown[] = [];
    const down = () => Promise.reject(new Error("database unavailable"));
    const broken = new Proxy(db, {
      get: (target, key, receiver) => (key === "$queryRawUnsafe" || key === "$executeRawUnsafe" ? down : Reflect.get(target, key, receiver)),
    });
    const queue = new InProcessJobQueue({ db: broken, pollIntervalMs: 10, onError: (e) => errors.push(e) });
    queue.work("test.loop", async () => undefined);
    await queue.start();
    await waitFor(async () => errors.length >= 2);
    await queue.stop();
    expect((errors[0] as Error).message).toBe("database unavailable");
  });
});
