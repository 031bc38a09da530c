/**
 * The "Background work" page (app/routes/app.activity.tsx) and the export download route through the real server build
 * and the real authenticate.admin, on the queue of the database under test (in-process on PGlite, pg-boss on
 * PostgreSQL): a shop sees, retries and downloads only its own syncs, failed jobs and customer data exports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB } from "../../app/jobs/names";
import { createShop } from "../factories";
import { adminRequest, sessionToken as token, storeOfflineSession } from "../support/admin-request";
import { testDb } from "../support/db";
import { TEST_APP } from "../support/test-app";
import { testWorker, type TestWorker } from "../support/jobs";
import { loadRequestHandler } from "../support/server-build";

const handler = await loadRequestHandler();

const request = (pathname: string, shop: string, init: RequestInit = {}, auth?: string) => adminRequest(handler, pathname, shop, init, auth);

const retry = (shop: string, jobId: string) =>
  request("/app/activity", shop, { method: "POST", body: new URLSearchParams({ intent: "retry", jobId }) });

describe("background work page", () => {
  const mine = "activity-shop.myshopify.com";
  const other = "activity-other.myshopify.com";
  const quiet = "activity-quiet.myshopify.com";
  let worker: TestWorker;
  const jobs: Record<string, string> = {};
  const exportsOf: Record<string, string> = {};

  /** A job whose handler throws (a refund without a refund), allowed no retries: it fails for good at once. */
  async function failingJob(shop: string) {
    const id = await worker.queue.enqueue(JOB.refundCreate, { webhookId: `w-${shop}`, refund: null }, { shop, retryLimit: 0 });
    expect(id).toBeTruthy();
    return id!;
  }

  const failuresOf = (shop: string) => worker.queue.failures({ shop });

  beforeAll(async () => {
    const db = testDb();
    for (const domain of [mine, other, quiet]) {
      await createShop(db, { domain });
      await storeOfflineSession(domain);
    }
    await db.syncRun.create({
      data: { shop: mine, kind: "full", status: "FAILED", phase: "orders", objectsDone: 1200, objectsTotal: 5000, errorCount: 2, lastError: "Bulk export expired" },
    });
    await db.syncRun.create({ data: { shop: other, kind: "import", status: "FAILED", phase: "orders", lastError: "OTHER SHOP SYNC ERROR" } });
    // Storefront publications: an older one and the last one for this shop; another shop's, started later still.
    await db.metafieldPublication.create({
      data: { shop: mine, status: "SUCCEEDED", startedAt: new Date("2026-05-01T08:00:00Z"), finishedAt: new Date("2026-05-01T08:01:00Z"), written: 9_999, error: null },
    });
    await db.metafieldPublication.create({
      data: {
        shop: mine,
        status: "FAILED",
        startedAt: new Date("2026-05-02T09:30:00Z"),
        finishedAt: new Date("2026-05-02T09:31:00Z"),
        written: 1_234,
        unchanged: 5_678,
        removed: 42,
        failed: 3,
        error: "fbt of gid://shopify/Product/7: Value references a Product that does not exist.",
        version: 2,
      },
    });
    await db.metafieldPublication.create({
      data: { shop: other, status: "FAILED", startedAt: new Date("2026-05-03T00:00:00Z"), written: 777_777, error: "OTHER SHOP PUBLICATION ERROR" },
    });
    for (const shop of [mine, other]) {
      const row = await db.customerDataExport.create({
        data: { shop, customerId: `cust-${shop}`, dataRequestId: `request-${shop}`, data: { format: "test", shop, customer: { id: `cust-${shop}` } } },
      });
      exportsOf[shop] = row.id;
    }
    await db.webhookEvent.create({ data: { shop: mine, webhookId: "dr-1", topic: "CUSTOMERS_DATA_REQUEST" } });
    await db.webhookEvent.create({ data: { shop: mine, webhookId: "dr-0", topic: "CUSTOMERS_DATA_REQUEST", processedAt: new Date() } });

    worker = testWorker();
    jobs[mine] = await failingJob(mine);
    jobs[other] = await failingJob(other);
    await worker.drain();
    expect((await failuresOf(mine)).map((f) => f.id)).toEqual([jobs[mine]]);
    expect((await failuresOf(other)).map((f) => f.id)).toEqual([jobs[other]]);
  });

  afterAll(async () => {
    await worker?.stop();
  });

  it("lists the shop's own syncs, failed jobs and exports, and nothing of another shop", async () => {
    const { response, html } = await request("/app/activity", mine);
    expect(response.status).toBe(200);
    expect(html).toContain("Background work");
    expect(html).toContain("Bulk export expired");
    expect(html).toContain("1,200 / 5,000");
    expect(html).toContain(JOB.refundCreate);
    expect(html).toContain(`value="${jobs[mine]}"`);
    expect(html).toContain("TypeError: Cannot read properties of null (reading &#x27;orderId&#x27;)");
    expect(html).toContain(`request-${mine}`);
    expect(html).toContain("1 data request is being prepared.");
    // The last storefront publication: its times, status, counts and error; not the older one, not another shop's.
    expect(html).toContain("Storefront publication");
    for (const shown of ["2026-05-02 09:30 UTC", "2026-05-02 09:31 UTC", "1,234", "5,678", ">42<", ">3<", "Value references a Product that does not exist."]) {
      expect(html).toContain(shown);
    }
    expect(html).toMatch(/Storefront publication[\s\S]*failed[\s\S]*Failed jobs/);
    expect(html).not.toContain("9,999");
    for (const foreign of ["OTHER SHOP PUBLICATION ERROR", "777,777", "OTHER SHOP SYNC ERROR", jobs[other]!, `request-${other}`, exportsOf[other]!]) expect(html).not.toContain(foreign);
    expect(html).not.toContain(TEST_APP.apiSecret);
    expect(html).not.toContain("shpat_test_token");
  });

  it("shows empty states for a shop with no background work", async () => {
    const { response, html } = await request("/app/activity", quiet);
    expect(response.status).toBe(200);
    expect(html).toContain("No sync has run yet.");
    expect(html).toContain("Nothing published to the storefront yet.");
    expect(html).toContain("No failed jobs.");
    expect(html).toContain("No customer data requests yet.");
    expect(html).not.toContain("being prepared");
  });

  it("does not retry another shop's job", async () => {
    const { response, html } = await retry(mine, jobs[other]!);
    expect(response.status).toBe(404);
    expect(html).toContain("The job was not retried");
    expect((await failuresOf(other)).map((f) => f.id)).toEqual([jobs[other]]);
    expect(await worker.queue.pending([JOB.refundCreate])).toBe(0);
  });

  it("rejects a malformed retry", async () => {
    const { response } = await request("/app/activity", mine, { method: "POST", body: new URLSearchParams({ intent: "delete", jobId: jobs[mine]! }) });
    expect(response.status).toBe(400);
    expect(await worker.queue.pending([JOB.refundCreate])).toBe(0);
  });

  it("requeues the shop's failed job for one more attempt", async () => {
    const { response, html } = await retry(mine, jobs[mine]!);
    expect(response.status).toBe(200);
    expect(html).toContain("Job queued again");
    expect(await worker.queue.pending([JOB.refundCreate])).toBe(1);
    expect(await failuresOf(mine)).toEqual([]);
    // Retrying it again while it waits is refused: it is not a failed job any more.
    expect((await retry(mine, jobs[mine]!)).response.status).toBe(404);

    // It runs once more and, still broken, fails again: back on the list with the extra attempt counted.
    await worker.drain();
    const [failure] = await failuresOf(mine);
    expect(failure).toMatchObject({ id: jobs[mine], attempts: 2, name: JOB.refundCreate });
    expect(await worker.queue.pending([JOB.refundCreate])).toBe(0);
    expect((await failuresOf(other)).map((f) => f.id)).toEqual([jobs[other]]);
  });

  it("downloads the shop's own export as a JSON attachment; another shop's is a 404", async () => {
    const own = await request(`/app/activity/exports/${exportsOf[mine]}`, mine);
    expect(own.response.status).toBe(200);
    expect(own.response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(own.response.headers.get("content-disposition")).toBe(`attachment; filename="customer-data-export-${exportsOf[mine]}.json"`);
    expect(JSON.parse(own.body)).toEqual({ format: "test", shop: mine, customer: { id: `cust-${mine}` } });

    const foreign = await request(`/app/activity/exports/${exportsOf[other]}`, mine);
    expect(foreign.response.status).toBe(404);
    expect(foreign.body).not.toContain(other);

    const missing = await request("/app/activity/exports/00000000-0000-0000-0000-000000000000", mine);
    expect(missing.response.status).toBe(404);
  });

  it("does not download an export without a valid session token", async () => {
    const forged = await token(mine, "someone-elses-secret");
    const { response, body } = await request(`/app/activity/exports/${exportsOf[mine]}`, mine, {}, forged);
    expect(response.status).not.toBe(200);
    expect(body).not.toContain(`cust-${mine}`);
  });
});
