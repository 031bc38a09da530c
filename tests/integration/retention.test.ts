/**
 * Retention (app/lib/retention.server.ts) on both databases: processed webhook events and succeeded jobs older than
 * keepDays go; unprocessed events, queued/running/failed jobs and anything recent stay.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { pruneOldRecords, startRetention } from "../../app/lib/retention.server";
import { createShop } from "../factories";
import { testDb } from "../support/db";

const NOW = new Date("2026-11-23T12:00:00Z");
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

let shops: string[] = [];

async function event(shop: string, webhookId: string, receivedDaysAgo: number, processedDaysAgo: number | null) {
  await testDb().webhookEvent.create({
    data: {
      shop,
      webhookId,
      topic: "ORDERS_CREATE",
      receivedAt: daysAgo(receivedDaysAgo),
      processedAt: processedDaysAgo === null ? null : daysAgo(processedDaysAgo),
    },
  });
}

async function job(shop: string, name: string, status: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED", finishedDaysAgo: number | null, createdDaysAgo = 60) {
  await testDb().job.create({
    data: {
      shop,
      name,
      status,
      createdAt: daysAgo(createdDaysAgo),
      runAt: daysAgo(createdDaysAgo),
      finishedAt: finishedDaysAgo === null ? null : daysAgo(finishedDaysAgo),
      lastError: status === "FAILED" ? "Error: boom" : null,
      ...(status === "RUNNING" ? { lockedAt: daysAgo(createdDaysAgo), lockedBy: "gone" } : {}),
    },
  });
}

const remainingEvents = async () =>
  (await testDb().webhookEvent.findMany({ where: { shop: { in: shops } }, select: { webhookId: true } })).map((e) => e.webhookId).sort();
const remainingJobs = async () => (await testDb().job.findMany({ where: { shop: { in: shops } }, select: { name: true } })).map((j) => j.name).sort();

describe("pruneOldRecords", () => {
  beforeEach(async () => {
    const db = testDb();
    if (shops.length > 0) {
      await db.webhookEvent.deleteMany({ where: { shop: { in: shops } } });
      await db.job.deleteMany({ where: { shop: { in: shops } } });
      await db.storefrontEvent.deleteMany({ where: { shop: { in: shops } } });
    }
    shops = [(await createShop(db)).domain, (await createShop(db)).domain];
    const [a, b] = shops as [string, string];
    await event(a, "old-processed", 45, 44);
    await event(b, "old-processed-other-shop", 31, 31);
    await event(a, "old-unprocessed", 90, null);
    await event(a, "old-received-recently-processed", 40, 2);
    await event(a, "recent-processed", 3, 3);
    await event(a, "recent-unprocessed", 1, null);

    await job(a, "old-succeeded", "SUCCEEDED", 40);
    await job(b, "old-succeeded-other-shop", "SUCCEEDED", 31);
    await job(a, "recent-succeeded", "SUCCEEDED", 5);
    await job(a, "old-failed", "FAILED", 40);
    await job(a, "recent-failed", "FAILED", 2);
    await job(a, "old-queued", "QUEUED", null);
    await job(a, "old-running", "RUNNING", null);

    // Storefront events are kept 400 days: one past that goes, one inside it stays.
    const at = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
    for (const [id, days] of [["ancient", 401], ["kept", 399]] as const) {
      await db.storefrontEvent.create({ data: { shop: a, id: `${a}-${id}`, type: "impression", widget: "fbt", arm: "treatment", visitorId: "v-1234567", occurredAt: at(days), receivedAt: at(days) } });
    }
  });

  it("deletes processed events and succeeded jobs older than 30 days, storefront events older than 400, and nothing else", async () => {
    expect(await pruneOldRecords({ db: testDb(), now: NOW })).toEqual({ webhookEvents: 2, jobs: 2, storefrontEvents: 1 });
    expect((await testDb().storefrontEvent.findMany({ where: { shop: { in: shops } } })).map((e) => e.id)).toEqual([`${shops[0]}-kept`]);
    expect(await remainingEvents()).toEqual(["old-received-recently-processed", "old-unprocessed", "recent-processed", "recent-unprocessed"]);
    expect(await remainingJobs()).toEqual(["old-failed", "old-queued", "old-running", "recent-failed", "recent-succeeded"]);
    // Running it again finds nothing more to delete.
    expect(await pruneOldRecords({ db: testDb(), now: NOW })).toEqual({ webhookEvents: 0, jobs: 0, storefrontEvents: 0 });
  });

  it("honours keepDays and works through a backlog in batches", async () => {
    expect(await pruneOldRecords({ db: testDb(), now: NOW, keepDays: 2.5, batchSize: 1 })).toEqual({ webhookEvents: 3, jobs: 3, storefrontEvents: 1 });
    expect(await remainingEvents()).toEqual(["old-received-recently-processed", "old-unprocessed", "recent-unprocessed"]);
    // Failed, queued and running jobs are never pruned, however old.
    expect(await remainingJobs()).toEqual(["old-failed", "old-queued", "old-running", "recent-failed"]);
  });

  it("refuses a keepDays or batchSize that makes no sense, before deleting anything", async () => {
    for (const keepDays of [0, -1, Number.NaN]) {
      await expect(pruneOldRecords({ db: testDb(), now: NOW, keepDays })).rejects.toThrow(/keepDays must be/);
    }
    await expect(pruneOldRecords({ db: testDb(), now: NOW, batchSize: 0 })).rejects.toThrow(/batchSize must be/);
    expect(await remainingEvents()).toHaveLength(6);
    expect(await remainingJobs()).toHaveLength(7);
  });

  it("startRetention prunes at once (and then on its timer until stopped)", async () => {
    const retention = startRetention({ db: testDb(), clock: () => NOW, intervalMs: 3600_000 });
    try {
      expect(await retention.firstRun).toEqual({ webhookEvents: 2, jobs: 2, storefrontEvents: 1 });
    } finally {
      retention.stop();
    }
    expect(await remainingJobs()).not.toContain("old-succeeded");
  });
});
