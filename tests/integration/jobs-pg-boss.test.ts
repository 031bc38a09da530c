/**
 * The PostgreSQL job queue (pg-boss) behind the JobQueue interface: a job is handled once, two workers share a queue
 * without running a job twice, retries end in a recorded failure, enqueue joins a Prisma transaction, singleton keys.
 * PostgreSQL only (the embedded database uses the in-process queue): excluded from the PGlite project (tests/setup/projects.ts).
 */
import { afterAll, describe, expect, it } from "vitest";
import { PgBossJobQueue } from "../../app/jobs/pg-boss.server";
import { eachJob } from "../../app/jobs/types";
import { createShop } from "../factories";
import { testDb } from "../support/db";

const url = process.env.DATABASE_URL ?? "";
const queues: PgBossJobQueue[] = [];

function queue(role: "producer" | "worker", exclusiveQueues?: ReadonlySet<string>) {
  const q = new PgBossJobQueue({ connectionString: url, role, pollingIntervalSeconds: 0.5, exclusiveQueues });
  queues.push(q);
  return q;
}

afterAll(async () => {
  for (const q of queues) await q.stop({ timeoutMs: 2000 });
});

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("pg-boss job queue", () => {
  it("handles an enqueued job once, with its shop and payload", async () => {
    const { domain } = await createShop(testDb());
    const producer = queue("producer");
    const worker = queue("worker");
    const seen: { shop: string; payload: unknown; attempt: number }[] = [];
    worker.work("test.once", eachJob(async (job) => void seen.push({ shop: job.shop, payload: job.payload, attempt: job.attempt })));
    await worker.start();
    const id = await producer.enqueue("test.once", { orderId: "1001", lines: [1, 2] }, { shop: domain });
    expect(id).toEqual(expect.any(String));
    await waitFor(() => seen.length > 0);
    await waitFor(async () => (await producer.pending(["test.once"])) === 0);
    await new Promise((r) => setTimeout(r, 700)); // another poll: nothing more arrives
    expect(seen).toEqual([{ shop: domain, payload: { orderId: "1001", lines: [1, 2] }, attempt: 1 }]);
  });

  it("two workers share a queue without running any job twice", async () => {
    const { domain } = await createShop(testDb());
    const counts = new Map<number, number>();
    const byWorker = [0, 0];
    const workers = [queue("worker"), queue("worker")];
    workers.forEach((w, i) =>
      w.work<{ n: number }>(
        "test.shared",
        async (jobs) => {
          for (const job of jobs) counts.set(job.payload.n, (counts.get(job.payload.n) ?? 0) + 1);
          byWorker[i]! += jobs.length;
          await new Promise((r) => setTimeout(r, 20));
        },
        { batchSize: 20 },
      ),
    );
    const producer = queue("producer");
    for (let n = 0; n < 200; n++) await producer.enqueue("test.shared", { n }, { shop: domain });
    await Promise.all(workers.map((w) => w.start()));
    await waitFor(() => counts.size === 200);
    await waitFor(async () => (await producer.pending(["test.shared"])) === 0);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(byWorker[0]! + byWorker[1]!).toBe(200);
    expect(byWorker[0]).toBeGreaterThan(0);
    expect(byWorker[1]).toBeGreaterThan(0);
  });

  it("retries, then records the failure with its error for the shop's admin", async () => {
    const { domain } = await createShop(testDb());
    const worker = queue("worker");
    let calls = 0;
    worker.work(
      "test.failing",
      eachJob(async () => {
        calls++;
        throw new Error(`remote said no (${calls})`);
      }),
    );
    await worker.start();
    const id = await worker.enqueue("test.failing", {}, { shop: domain, retryLimit: 1, retryDelay: 0, retryBackoff: false });
    await waitFor(async () => (await worker.failures({ shop: domain })).length === 1);
    expect(calls).toBe(2);
    expect(await worker.failures({ shop: domain })).toEqual([
      { id, name: "test.failing", shop: domain, attempts: 2, lastError: "Error: remote said no (2)", failedAt: expect.any(Date) },
    ]);
  });

  it("enqueues inside a Prisma transaction: rolled back, no job; committed, one", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const producer = queue("producer");
    await producer.enqueue("test.tx", {}, { shop: domain }); // creates the queue outside the transactions
    const before = await producer.pending(["test.tx"]);
    await expect(
      db.$transaction(async (tx) => {
        await producer.enqueue("test.tx", { n: 1 }, { shop: domain, tx });
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    expect(await producer.pending(["test.tx"])).toBe(before);
    await db.$transaction((tx) => producer.enqueue("test.tx", { n: 2 }, { shop: domain, tx }));
    expect(await producer.pending(["test.tx"])).toBe(before + 1);
  });

  it("enqueueGuarded: the job and its guard row commit together, or neither does", async () => {
    const db = testDb();
    const { domain } = await createShop(db);
    const producer = queue("producer");
    const guard = (id: string, shop = domain) => ({
      sql: `INSERT INTO "WebhookEvent" ("shop", "webhookId", "topic") VALUES ($1::text, $2::text, 'T') ON CONFLICT DO NOTHING RETURNING 1`,
      params: [shop, id],
    });
    const before = await producer.pending(["test.guarded"]);
    expect(await producer.enqueueGuarded(guard("w1"), "test.guarded", { n: 1 }, { shop: domain })).toEqual({ guarded: true, jobId: expect.any(String) });
    expect(await producer.enqueueGuarded(guard("w1"), "test.guarded", { n: 2 }, { shop: domain })).toEqual({ guarded: false, jobId: null });
    await expect(producer.enqueueGuarded(guard("w2"), "test.exclusive-only", {}, { shop: domain, singletonKey: "k" })).rejects.toThrow(/not an exclusive queue/);
    expect(await db.webhookEvent.count({ where: { webhookId: "w2" } })).toBe(0); // rolled back with the refused job
    expect(await producer.pending(["test.guarded"])).toBe(before + 1);
  });

  it("singletonKey on an exclusive queue: one queued or active job per key; refused on a standard queue", async () => {
    const { domain } = await createShop(testDb());
    const producer = queue("producer", new Set(["test.exclusive"]));
    expect(await producer.enqueue("test.exclusive", {}, { shop: domain, singletonKey: "bulk/1" })).not.toBeNull();
    expect(await producer.enqueue("test.exclusive", {}, { shop: domain, singletonKey: "bulk/1" })).toBeNull();
    expect(await producer.enqueue("test.exclusive", {}, { shop: domain, singletonKey: "bulk/2" })).not.toBeNull();
    await expect(producer.enqueue("test.standard", {}, { shop: domain, singletonKey: "x" })).rejects.toThrow(/not an exclusive queue/);
  });

  it("purges a shop's waiting jobs (shop/redact)", async () => {
    const a = await createShop(testDb());
    const b = await createShop(testDb());
    const producer = queue("producer");
    await producer.enqueue("test.purge", {}, { shop: a.domain });
    await producer.enqueue("test.purge", {}, { shop: b.domain, startAfter: 3600 });
    await producer.purgeShop(b.domain);
    expect(await producer.pending(["test.purge"])).toBe(1);
  });
});
