/**
 * Data webhooks through the real server build (routing, authenticate.webhook's HMAC check, the routes), signed and
 * delivered like Shopify by the WebhookSender, then written by the app's jobs — the in-process queue on PGlite, a
 * pg-boss worker on PostgreSQL. Payloads: tests/fixtures/webhooks (shaped after Shopify's docs).
 */
import { afterAll, describe, expect, it } from "vitest";
import { JOB } from "../../app/jobs/names";
import { createShop } from "../factories";
import { testDb } from "../support/db";
import { testWorker } from "../support/jobs";
import { loadRequestHandler } from "../support/server-build";
import { everythingStoredFor, FIXTURE_PERSONAL_DATA, statuses, webhookFixture, webhookSender } from "../support/webhooks";

const handler = await loadRequestHandler();
const worker = testWorker();
afterAll(() => worker.stop());

const ORDER_ID = "5940139491234";
const orderCreate = () => webhookFixture("orders-create.json");
const orderRefunded = () => webhookFixture("orders-updated-refunded.json");

async function usdShop() {
  return (await createShop(testDb(), { currency: "USD", timezone: "America/New_York", locale: "en" })).domain;
}

const storedOrder = (shop: string, id = ORDER_ID) =>
  testDb().order.findUnique({ where: { shop_id: { shop, id } }, include: { lines: { orderBy: { id: "asc" } } } });

describe("orders webhooks", () => {
  it("orders/create is stored exactly once however often it is delivered or replayed", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    const first = await sender.deliver({ topic: "orders/create", shop, payload: orderCreate() });
    expect(statuses(first)).toEqual([200]);
    const replays = [await sender.replay(first.id), await sender.replay(first.id)];
    expect(replays.map(statuses)).toEqual([[200], [200]]);

    const db = testDb();
    expect(await db.webhookEvent.count({ where: { shop } })).toBe(1);
    expect(await worker.queue.pending([JOB.orderUpsert])).toBe(1); // one job, not three
    await worker.drain();

    const order = await storedOrder(shop);
    expect(order).toMatchObject({ name: "#1042", currency: "USD", subtotal: 12997n, total: 14559n, totalDiscounts: 1000n, customerId: "7741425221763" });
    expect(order!.lines.map((l) => [l.id, l.quantity, l.unitPrice, l.totalDiscount])).toEqual([
      ["13688971493691", 2, 5999n, 600n],
      ["13688971526459", 1, 1999n, 400n],
    ]);
    expect(await db.order.count({ where: { shop } })).toBe(1);
    expect(await db.orderLine.count({ where: { shop } })).toBe(2);
    expect((await db.webhookEvent.findFirstOrThrow({ where: { shop } })).processedAt).toBeInstanceOf(Date);

    // A replay after the job ran changes nothing either.
    expect(statuses(await sender.replay(first.id))).toEqual([200]);
    await worker.drain();
    expect(await db.order.count({ where: { shop } })).toBe(1);
    expect(await db.webhookEvent.count({ where: { shop } })).toBe(1);
  });

  it("stores no personal data anywhere (not even in queued jobs)", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    await sender.deliver({ topic: "orders/create", shop, payload: orderCreate() });
    await sender.deliver({ topic: "customers/update", shop, payload: webhookFixture("customers-update.json") });
    const queued = await everythingStoredFor(shop);
    expect(queued).toContain(ORDER_ID); // the jobs are there ...
    for (const value of FIXTURE_PERSONAL_DATA) expect(queued).not.toContain(value); // ... without personal data
    await worker.drain();
    const stored = await everythingStoredFor(shop);
    expect(stored).toContain("7741425221763");
    for (const value of FIXTURE_PERSONAL_DATA) expect(stored).not.toContain(value);
  });

  it("orders/create keeps the storefront attribution (note_attributes, line properties) and ignores invalid values", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    const payload = orderCreate();
    const lines = payload.line_items as Record<string, unknown>[];
    const attributed = {
      ...payload,
      note_attributes: [
        ...(payload.note_attributes as unknown[]),
        { name: "_il_vid", value: "3f2a9c1e-77b0-4c1d-9a0e-5b6c7d8e9f00" },
        { name: "_il_arm", value: "holdout" },
      ],
      line_items: [
        { ...lines[0], properties: [{ name: "Engraving", value: "Lan Nguyen" }] },
        { ...lines[1], properties: [{ name: "_il_widget", value: "upgrade" }, { name: "_il_slot", value: "1" }, { name: "_il_rank", value: "engine" }] },
      ],
    };
    // Another order whose attribution values are not ones the blocks write.
    const forged = {
      ...attributed,
      id: 5940139491299,
      admin_graphql_api_id: "gid://shopify/Order/5940139491299",
      note_attributes: [{ name: "_il_vid", value: "lan.nguyen@example.com" }, { name: "_il_arm", value: "everyone" }],
      line_items: lines.map((l, i) => ({
        ...l,
        id: 13688971590000 + i,
        admin_graphql_api_id: `gid://shopify/LineItem/${13688971590000 + i}`,
        properties: [{ name: "_il_widget", value: "fbt; DROP TABLE" }, { name: "_il_slot", value: "0" }, { name: "_il_rank", value: "best" }],
      })),
    };
    expect(statuses(await sender.deliver({ topic: "orders/create", shop, payload: attributed }))).toEqual([200]);
    expect(statuses(await sender.deliver({ topic: "orders/create", shop, payload: forged }))).toEqual([200]);
    await worker.drain();

    const order = await storedOrder(shop);
    expect(order).toMatchObject({ visitorId: "3f2a9c1e-77b0-4c1d-9a0e-5b6c7d8e9f00", offerArm: "holdout" });
    expect(order!.lines.map((l) => [l.id, l.offerWidget, l.offerSlot, l.offerRank])).toEqual([
      ["13688971493691", null, null, null],
      ["13688971526459", "upgrade", 1, "engine"],
    ]);
    const other = await storedOrder(shop, "5940139491299");
    expect(other).toMatchObject({ visitorId: null, offerArm: null });
    expect(other!.lines.map((l) => [l.offerWidget, l.offerSlot, l.offerRank])).toEqual([
      [null, null, null],
      [null, null, null],
    ]);
    const stored = await everythingStoredFor(shop);
    for (const value of [...FIXTURE_PERSONAL_DATA, "Engraving", "DROP TABLE"]) expect(stored).not.toContain(value);
  });

  it("an older orders/updated arriving after a newer one changes nothing (out-of-order delivery)", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    // Shopify sent create, then updated (refund); they arrive reversed, and each job runs as it arrives.
    const events = [
      { topic: "orders/create", shop, payload: orderCreate() },
      { topic: "orders/updated", shop, payload: orderRefunded() },
    ];
    for (const delivery of await sender.deliverMany(events, { order: "reversed" })) {
      expect(statuses(delivery)).toEqual([200]);
      await worker.drain();
    }
    const order = await storedOrder(shop);
    expect(order!.updatedAt).toEqual(new Date("2026-03-20T18:02:11Z"));
    expect(order!.totalRefunded).toBe(6055n);
    expect(order!.lines.map((l) => l.refundedQuantity)).toEqual([1, 0]);
  });

  it("newer versions win whatever the delivery order when they are processed in one batch", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    const create = orderCreate();
    const versions = [0, 1, 2, 3, 4].map((n) => ({
      topic: n === 0 ? "orders/create" : "orders/updated",
      shop,
      payload: { ...create, updated_at: `2026-03-14T09:3${n}:05-04:00`, tags: `v${n}`, total_price_set: undefined, total_price: `1${n}0.00` },
    }));
    await sender.deliverMany(versions, { order: "shuffled", seed: 11 });
    await worker.drain();
    expect((await storedOrder(shop))!.total).toBe(14000n);
  });

  it("refunds/create adds the refund once to the stored order; the orders/updated that includes it changes nothing more", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    await sender.deliver({ topic: "orders/create", shop, payload: orderCreate() });
    await worker.drain();
    const refund = webhookFixture("refunds-create.json");
    const delivered = await sender.deliver({ topic: "refunds/create", shop, payload: refund });
    expect(statuses(delivered)).toEqual([200]);
    await worker.drain();
    let order = await storedOrder(shop);
    expect(order!.totalRefunded).toBe(6055n);
    expect(order!.updatedAt).toEqual(new Date("2026-03-20T18:02:10Z"));
    expect(order!.lines.map((l) => l.refundedQuantity)).toEqual([1, 0]);

    // The same refund in another delivery (another webhook id): already included.
    await sender.deliver({ topic: "refunds/create", shop, payload: refund });
    await sender.deliver({ topic: "orders/updated", shop, payload: orderRefunded() });
    await sender.deliver({ topic: "orders/create", shop, payload: orderCreate() }); // a stale retry, too
    await worker.drain();
    order = await storedOrder(shop);
    expect(order!.totalRefunded).toBe(6055n);
    expect(order!.lines.map((l) => l.refundedQuantity)).toEqual([1, 0]);
    expect(order!.updatedAt).toEqual(new Date("2026-03-20T18:02:11Z"));
  });

  it("refunds/create for an order not stored yet is left to the order's own webhook", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    await sender.deliver({ topic: "refunds/create", shop, payload: webhookFixture("refunds-create.json") });
    await worker.drain();
    expect(await storedOrder(shop)).toBeNull();
    expect(await worker.queue.failures({ shop })).toEqual([]);
  });

  it("orders/delete deletes the order and its lines", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    await sender.deliver({ topic: "orders/create", shop, payload: orderCreate() });
    await sender.deliver({ topic: "orders/create", shop, payload: webhookFixture("orders-create-guest-vnd.json") });
    await worker.drain();
    expect(statuses(await sender.deliver({ topic: "orders/delete", shop, payload: webhookFixture("orders-delete.json") }))).toEqual([200]);
    await worker.drain();
    expect(await storedOrder(shop)).toBeNull();
    expect(await testDb().orderLine.count({ where: { shop, orderId: ORDER_ID } })).toBe(0);
    expect(await testDb().order.count({ where: { shop } })).toBe(1); // the other order stays
  });

  it("refuses a tampered delivery with 401 and stores nothing", async () => {
    const shop = await usdShop();
    const delivery = await webhookSender(handler, 2).deliver({ topic: "orders/create", shop, payload: orderCreate(), tamper: true });
    expect(statuses(delivery)).toEqual([401, 401]);
    expect(await testDb().webhookEvent.count({ where: { shop } })).toBe(0);
    expect(await worker.queue.pending()).toBe(0);
    await worker.drain();
    expect(await testDb().order.count({ where: { shop } })).toBe(0);
  });

  it("refuses a malformed payload with 400 and stores nothing; acknowledges a shop it does not know", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    const { line_items: _lines, ...noLines } = orderCreate();
    const bad = await sender.deliver({ topic: "orders/create", shop, payload: noLines });
    expect(statuses(bad)).toEqual([400]);
    expect(await testDb().webhookEvent.count({ where: { shop } })).toBe(0);
    const stranger = await sender.deliver({ topic: "orders/create", shop: "never-installed.myshopify.com", payload: orderCreate() });
    expect(statuses(stranger)).toEqual([200]);
    expect(await testDb().webhookEvent.count({ where: { shop: "never-installed.myshopify.com" } })).toBe(0);
    expect(await worker.queue.pending()).toBe(0);
  });

  it("bulk_operations/finish enqueues one sync.bulk-finished job per operation", async () => {
    const shop = await usdShop();
    const sender = webhookSender(handler);
    const payload = webhookFixture("bulk-operations-finish.json");
    const before = await worker.queue.pending([JOB.syncBulkFinished]);
    expect(statuses(await sender.deliver({ topic: "bulk_operations/finish", shop, payload }))).toEqual([200]);
    expect(statuses(await sender.deliver({ topic: "bulk_operations/finish", shop, payload }))).toEqual([200]); // another webhook id
    expect(await testDb().webhookEvent.count({ where: { shop } })).toBe(2);
    expect(await worker.queue.pending([JOB.syncBulkFinished])).toBe(before + 1);
  });
});

describe("products and customers webhooks", () => {
  it("products/update upserts the product and keeps what the webhook does not carry (collections, unit costs)", async () => {
    const shop = await usdShop();
    const db = testDb();
    await db.collection.create({ data: { shop, id: "c1", title: "Summer", handle: "summer" } });
    await db.product.create({ data: { shop, id: "8061536829755", title: "Old title", handle: "aviator", updatedAt: new Date("2026-01-01T00:00:00Z") } });
    await db.productCollection.create({ data: { shop, productId: "8061536829755", collectionId: "c1" } });
    await db.variant.create({ data: { shop, id: "44858553761923", productId: "8061536829755", title: "Gold", currency: "USD", price: 4999n, unitCost: 2100n } });

    const sender = webhookSender(handler);
    const payload = webhookFixture("products-update.json");
    await sender.deliver({ topic: "products/update", shop, payload });
    await worker.drain();
    const product = await db.product.findUniqueOrThrow({ where: { shop_id: { shop, id: "8061536829755" } }, include: { variants: { orderBy: { id: "asc" } }, collections: true } });
    expect(product).toMatchObject({ title: "Aviator sunglasses", tags: ["summer", "best-seller"], status: "ACTIVE", deletedAt: null });
    expect(product.variants.map((v) => [v.id, v.price, v.compareAtPrice, v.unitCost, v.availableForSale])).toEqual([
      ["44858553761923", 5999n, 7999n, 2100n, true],
      ["44858553827459", 5450n, null, null, false],
    ]);
    expect(product.collections.map((c) => c.collectionId)).toEqual(["c1"]);

    // An older update arriving late changes nothing, variants included.
    const older = { ...payload, title: "Stale", updated_at: "2026-03-01T00:00:00-04:00", variants: (payload.variants as object[]).map((v) => ({ ...v, price: "1.00" })) };
    await sender.deliver({ topic: "products/update", shop, payload: older });
    await worker.drain();
    const after = await db.product.findUniqueOrThrow({ where: { shop_id: { shop, id: "8061536829755" } }, include: { variants: true } });
    expect(after.title).toBe("Aviator sunglasses");
    expect(after.variants.every((v) => v.price !== 100n)).toBe(true);
  });

  it("products/delete marks the product deleted; an older update cannot bring it back", async () => {
    const shop = await usdShop();
    const db = testDb();
    const sender = webhookSender(handler);
    const payload = { ...webhookFixture("products-update.json"), id: 8061536862523, admin_graphql_api_id: "gid://shopify/Product/8061536862523", variants: [] };
    await sender.deliver({ topic: "products/create", shop, payload });
    await worker.drain();
    await sender.deliver({ topic: "products/delete", shop, payload: webhookFixture("products-delete.json"), triggeredAt: "2026-03-16T00:00:00Z" });
    await worker.drain();
    const deleted = await db.product.findUniqueOrThrow({ where: { shop_id: { shop, id: "8061536862523" } } });
    expect(deleted.deletedAt).toEqual(new Date("2026-03-16T00:00:00Z"));
    await sender.deliver({ topic: "products/update", shop, payload }); // updated_at 2026-03-15: before the deletion
    await worker.drain();
    expect((await db.product.findUniqueOrThrow({ where: { shop_id: { shop, id: "8061536862523" } } })).deletedAt).toEqual(new Date("2026-03-16T00:00:00Z"));
  });

  it("customers/update keeps segment attributes only, and Shopify's RFM fields from the sync", async () => {
    const shop = await usdShop();
    const db = testDb();
    await db.customer.create({ data: { shop, id: "7741425221763", createdAt: new Date("2025-11-02T12:15:00Z"), rfmGroup: "CHAMPIONS", predictedSpendTier: "HIGH" } });
    await webhookSender(handler).deliver({ topic: "customers/update", shop, payload: webhookFixture("customers-update.json") });
    await worker.drain();
    expect(await db.customer.findUniqueOrThrow({ where: { shop_id: { shop, id: "7741425221763" } } })).toMatchObject({
      tags: ["VIP", "wholesale"],
      countryCode: "VN",
      emailMarketing: "SUBSCRIBED",
      smsMarketing: null,
      rfmGroup: "CHAMPIONS",
      predictedSpendTier: "HIGH",
      updatedAt: new Date("2026-03-16T14:00:00Z"),
    });
  });

  it("customers/delete removes the customer; its orders stay, anonymous", async () => {
    const shop = await usdShop();
    const db = testDb();
    const sender = webhookSender(handler);
    await sender.deliver({ topic: "orders/create", shop, payload: orderCreate() });
    await sender.deliver({ topic: "customers/update", shop, payload: webhookFixture("customers-update.json") });
    await worker.drain();
    await sender.deliver({ topic: "customers/delete", shop, payload: webhookFixture("customers-delete.json") });
    await worker.drain();
    expect(await db.customer.count({ where: { shop } })).toBe(0);
    expect((await storedOrder(shop))!.customerId).toBeNull();
    expect(await db.orderLine.count({ where: { shop } })).toBe(2);
  });
});

describe("a burst of 10,000 orders/create", () => {
  it("stores every order exactly once, with replays and retries in the mix", { timeout: 300_000 }, async () => {
    const shop = await usdShop();
    const db = testDb();
    const template = orderCreate();
    const [lineA, lineB] = template.line_items as Record<string, unknown>[];
    const N = 10_000;
    const started = Date.now();
    const cpu = process.cpuUsage();
    await worker.start(); // jobs run while deliveries arrive, as in production
    const payload = (i: number) => {
      const id = 7_000_000_000_000 + i;
      return {
        ...template,
        id,
        admin_graphql_api_id: `gid://shopify/Order/${id}`,
        name: `#${10_000 + i}`,
        line_items: [
          { ...lineA, id: 2 * id, admin_graphql_api_id: `gid://shopify/LineItem/${2 * id}` },
          { ...lineB, id: 2 * id + 1, admin_graphql_api_id: `gid://shopify/LineItem/${2 * id + 1}` },
        ],
      };
    };
    // 16 deliveries in flight at a time; Shopify retries some (same webhook id): every 20th is delivered again. A
    // sender per round of 500 keeps its delivery log (the bodies) from growing across the whole burst.
    const CONCURRENCY = 16;
    const ROUND = 500;
    const failures: number[] = [];
    for (let round = 0; round < N / ROUND; round++) {
      const sender = webhookSender(handler);
      let next = round * ROUND;
      const end = next + ROUND;
      const replay: string[] = [];
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < end) {
            const i = next++;
            const delivery = await sender.deliver({ topic: "orders/create", shop, payload: payload(i) });
            if (!delivery.ok) failures.push(i);
            if (i % 20 === 0) replay.push(delivery.id);
          }
        }),
      );
      for (const id of replay) if (!(await sender.replay(id)).ok) failures.push(-1);
    }
    const delivered = Date.now();
    await worker.drain(200_000);
    const done = Date.now();
    const used = process.cpuUsage(cpu);
    console.log(
      `10,000 orders/create: delivered and acknowledged in ${((delivered - started) / 1000).toFixed(1)} s, ` +
        `all written ${((done - started) / 1000).toFixed(1)} s after the first delivery ` +
        `(this process used ${((used.user + used.system) / 1e6).toFixed(1)} s of CPU)`,
    );

    expect(failures).toEqual([]);
    expect(await db.webhookEvent.count({ where: { shop } })).toBe(N);
    expect(await db.order.count({ where: { shop } })).toBe(N);
    expect(await db.orderLine.count({ where: { shop } })).toBe(2 * N);
    const [dupes] = await db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::integer AS n FROM (SELECT "name" FROM "Order" WHERE "shop" = $1 GROUP BY "name" HAVING count(*) > 1) d`,
      shop,
    );
    expect(dupes!.n).toBe(0);
    const [sum] = await db.$queryRawUnsafe<{ total: string }[]>(`SELECT sum("total")::text AS total FROM "Order" WHERE "shop" = $1`, shop);
    expect(sum!.total).toBe(String(14559n * BigInt(N)));
    expect(await worker.queue.failures({ shop })).toEqual([]);
  });
});
