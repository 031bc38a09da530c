/**
 * The mandatory compliance webhooks through the real server build, signed like Shopify: a bad HMAC is refused (401)
 * with nothing stored; customers/data_request stores an export of everything held about the customer;
 * customers/redact removes the customer's identifiers while the orders stay as anonymous aggregates; shop/redact
 * empties every table of that shop — and only that shop.
 */
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { getCustomerDataExport, listCustomerDataExports } from "../../app/lib/compliance/customer-data.server";
import { createShop } from "../factories";
import { expectConsole } from "../support/console";
import { testDb } from "../support/db";
import { testWorker } from "../support/jobs";
import { loadRequestHandler } from "../support/server-build";
import { everythingStoredFor, FIXTURE_PERSONAL_DATA, rowCountsFor, statuses, webhookFixture, webhookSender } from "../support/webhooks";

const handler = await loadRequestHandler();
const worker = testWorker();
afterAll(() => worker.stop());

const CUSTOMER = "7741425221763";
const ORDER = "5940139491234";

let shopA: string;
let shopB: string;

/** Two shops holding the same Shopify ids (ids are per shop): A is the one the requests are about. */
beforeEach(async () => {
  const db = testDb();
  shopA = (await createShop(db, { currency: "USD" })).domain;
  shopB = (await createShop(db, { currency: "USD" })).domain;
  const sender = webhookSender(handler);
  for (const shop of [shopA, shopB]) {
    await sender.deliver({ topic: "orders/create", shop, payload: webhookFixture("orders-create.json") });
    await sender.deliver({ topic: "customers/update", shop, payload: webhookFixture("customers-update.json") });
  }
  await sender.deliver({ topic: "orders/create", shop: shopA, payload: webhookFixture("orders-create-guest-vnd.json") });
  await worker.drain();
});

const compliance = (topic: string, shop: string, payload: unknown, tamper = false) =>
  webhookSender(handler).deliver({ topic, shop, payload: { ...(payload as object), shop_domain: shop }, tamper });

describe("compliance webhooks", () => {
  it("refuse a bad HMAC with 401 on every topic and store nothing", async () => {
    const db = testDb();
    const before = { events: await db.webhookEvent.count(), jobs: await worker.queue.pending(), exports: await db.customerDataExport.count() };
    for (const [topic, file] of [
      ["customers/data_request", "customers-data-request.json"],
      ["customers/redact", "customers-redact.json"],
      ["shop/redact", "shop-redact.json"],
    ] as const) {
      const delivery = await compliance(topic, shopA, webhookFixture(file), true);
      expect(statuses(delivery)).toEqual([401]);
    }
    expect(await db.webhookEvent.count()).toBe(before.events);
    expect(await worker.queue.pending()).toBe(before.jobs);
    await worker.drain();
    expect(await db.customerDataExport.count()).toBe(before.exports);
    expect(await db.customer.count({ where: { shop: shopA } })).toBe(1);
    expect(await db.shop.count({ where: { domain: shopA } })).toBe(1);
  });

  it("customers/data_request stores an export of everything held about the customer, for that shop only", async () => {
    const delivery = await compliance("customers/data_request", shopA, webhookFixture("customers-data-request.json"));
    expect(statuses(delivery)).toEqual([200]);
    await worker.drain();

    const exports = await listCustomerDataExports({ shop: shopA });
    expect(exports).toEqual([{ id: expect.any(String), customerId: CUSTOMER, dataRequestId: "9999", createdAt: expect.any(Date) }]);
    expect(await listCustomerDataExports({ shop: shopB })).toEqual([]);
    expect(await getCustomerDataExport({ shop: shopB, id: exports[0]!.id })).toBeNull(); // not B's to read

    const data = (await getCustomerDataExport({ shop: shopA, id: exports[0]!.id }))!;
    expect(data).toMatchObject({
      format: "insight-loop/customer-data-export@1",
      shop: shopA,
      request: { customerId: CUSTOMER, ordersRequested: [ORDER], dataRequestId: "9999" },
      derived: {},
    });
    expect(data.customers).toEqual([
      expect.objectContaining({ shop: shopA, id: CUSTOMER, tags: ["VIP", "wholesale"], countryCode: "VN", emailMarketing: "SUBSCRIBED" }),
    ]);
    expect(data.orders).toHaveLength(1); // the guest order is not the customer's
    expect(data.orders[0]).toMatchObject({ shop: shopA, id: ORDER, name: "#1042", total: "14559", customerId: CUSTOMER });
    expect((data.orders[0]!.lines as { id: string; unitPrice: string }[]).map((l) => [l.id, l.unitPrice])).toEqual([
      ["13688971493691", "5999"],
      ["13688971526459", "1999"],
    ]);
    const json = JSON.stringify(data);
    expect(json).not.toContain(shopB);
    for (const value of FIXTURE_PERSONAL_DATA) expect(json).not.toContain(value);
  });

  it("customers/data_request for a customer the app holds nothing about still answers, saying so", async () => {
    await compliance("customers/data_request", shopA, { customer: { id: 42, email: "someone@example.com" }, orders_requested: [], data_request: { id: 7 } });
    await worker.drain();
    const [row] = await listCustomerDataExports({ shop: shopA });
    const data = (await getCustomerDataExport({ shop: shopA, id: row!.id }))!;
    expect(data).toMatchObject({ request: { customerId: "42" }, customers: [], orders: [] });
    expect(data.notice).toMatch(/stores no names, email addresses/);
  });

  it("customers/redact removes the customer and its exports; its orders stay, anonymous; the other shop is untouched", async () => {
    const db = testDb();
    await compliance("customers/data_request", shopA, webhookFixture("customers-data-request.json"));
    await compliance("customers/data_request", shopB, webhookFixture("customers-data-request.json"));
    await worker.drain();
    const totalsBefore = await db.order.aggregate({ where: { shop: shopA }, _sum: { total: true }, _count: true });
    // The order came from a storefront visitor (ADR 019): the visitor id would link it back to that visitor's events.
    for (const shop of [shopA, shopB]) {
      await db.order.update({ where: { shop_id: { shop, id: ORDER } }, data: { visitorId: "visitor-of-the-customer" } });
      await db.storefrontEvent.create({ data: { shop, id: `${shop}-e1`, type: "impression", widget: "fbt", arm: "treatment", visitorId: "visitor-of-the-customer", occurredAt: new Date() } });
    }

    const delivery = await compliance("customers/redact", shopA, webhookFixture("customers-redact.json"));
    expect(statuses(delivery)).toEqual([200]);
    await worker.drain();

    expect(await db.customer.count({ where: { shop: shopA } })).toBe(0);
    expect(await db.customerDataExport.count({ where: { shop: shopA } })).toBe(0);
    const order = await db.order.findUniqueOrThrow({ where: { shop_id: { shop: shopA, id: ORDER } }, include: { lines: true } });
    expect(order.customerId).toBeNull();
    expect(order.visitorId).toBeNull();
    expect(await db.storefrontEvent.count({ where: { shop: shopA } })).toBe(0);
    expect(await db.storefrontEvent.count({ where: { shop: shopB } })).toBe(1);
    expect(order.lines).toHaveLength(2);
    expect(await db.order.aggregate({ where: { shop: shopA }, _sum: { total: true }, _count: true })).toEqual(totalsBefore);
    expect(await everythingStoredFor(shopA)).not.toContain(CUSTOMER);

    expect(await db.customer.count({ where: { shop: shopB, id: CUSTOMER } })).toBe(1);
    expect((await db.order.findUniqueOrThrow({ where: { shop_id: { shop: shopB, id: ORDER } } })).customerId).toBe(CUSTOMER);
    expect(await db.customerDataExport.count({ where: { shop: shopB } })).toBe(1);

    // Repeating it is harmless.
    expect(statuses(await compliance("customers/redact", shopA, webhookFixture("customers-redact.json")))).toEqual([200]);
    await worker.drain();
    expect(await worker.queue.failures({ shop: shopA })).toEqual([]);

    // A delayed update of the customer or of its order does not bring the customer back.
    const sender = webhookSender(handler);
    await sender.deliver({ topic: "customers/update", shop: shopA, payload: { ...webhookFixture("customers-update.json"), updated_at: "2026-04-01T00:00:00Z" } });
    await sender.deliver({ topic: "orders/updated", shop: shopA, payload: { ...webhookFixture("orders-create.json"), updated_at: "2026-04-01T00:00:00Z" } });
    await worker.drain();
    expect(await db.customer.count({ where: { shop: shopA } })).toBe(0);
    const updated = await db.order.findUniqueOrThrow({ where: { shop_id: { shop: shopA, id: ORDER } } });
    expect([updated.customerId, updated.updatedAt]).toEqual([null, new Date("2026-04-01T00:00:00Z")]);
    expect(await everythingStoredFor(shopA)).not.toContain(CUSTOMER);
  });

  it("customers/redact without a customer id finds the customer through orders_to_redact", async () => {
    const db = testDb();
    await compliance("customers/redact", shopA, { customer: { email: "lan.nguyen@example.com" }, orders_to_redact: [Number(ORDER)] });
    await worker.drain();
    expect(await db.customer.count({ where: { shop: shopA } })).toBe(0);
    expect((await db.order.findUniqueOrThrow({ where: { shop_id: { shop: shopA, id: ORDER } } })).customerId).toBeNull();
  });

  it("shop/redact empties every table of that shop, and only that shop", async () => {
    const db = testDb();
    for (const shop of [shopA, shopB]) {
      await db.session.create({ data: { id: `offline_${shop}`, shop, state: "x", accessToken: `token-${shop}` } });
      await db.collection.create({ data: { shop, id: "c1", title: "Summer", handle: "summer" } });
      await db.product.create({ data: { shop, id: "p1", title: "Case", handle: "case" } });
      await db.variant.create({ data: { shop, id: "v1", productId: "p1", title: "Brown", currency: "USD", price: 1999n } });
      await db.productCollection.create({ data: { shop, productId: "p1", collectionId: "c1" } });
      const run = await db.syncRun.create({ data: { shop, kind: "full" } });
      await db.job.create({ data: { shop, name: "test.no-handler" } });
      await db.redactedCustomer.create({ data: { shop, customerHash: "0".repeat(64) } });
      await db.syncStage.create({ data: { syncRunId: run.id, resource: "orders", line: 1, shop, kind: "order", id: "gid://shopify/Order/1", data: "{}" } });
      await compliance("customers/data_request", shop, webhookFixture("customers-data-request.json"));
    }
    await worker.drain();
    await worker.queue.enqueue("test.later", { n: 1 }, { shop: shopA, startAfter: 3600 }); // waiting work of the shop
    const bBefore = await rowCountsFor(shopB);
    const aBefore = await rowCountsFor(shopA);
    const seeded = ["Collection", "Customer", "CustomerDataExport", "Job", "Order", "OrderLine", "Product", "ProductCollection", "RedactedCustomer", "Session", "SyncRun", "SyncStage", "Variant", "WebhookEvent"];
    expect(seeded.filter((table) => !aBefore[table])).toEqual([]); // A has rows everywhere first

    const delivery = await compliance("shop/redact", shopA, webhookFixture("shop-redact.json"));
    expect(statuses(delivery)).toEqual([200]);
    await worker.drain();

    const aAfter = await rowCountsFor(shopA);
    expect(Object.entries(aAfter).filter(([, n]) => n > 0)).toEqual([]);
    expect(await db.session.count({ where: { shop: shopA } })).toBe(0);
    expect(await everythingStoredFor(shopA)).toBe("");
    expect(await rowCountsFor(shopB)).toEqual(bBefore);

    // Shopify may deliver it again: acknowledged, nothing stored.
    expect(statuses(await compliance("shop/redact", shopA, webhookFixture("shop-redact.json")))).toEqual([200]);
    await worker.drain();
    expect(await everythingStoredFor(shopA)).toBe("");
  });
  it("shop/redact acts on the signed shop_domain, not on a header naming another shop", async () => {
    const db = testDb();
    for (const shop of [shopA, shopB]) await db.session.create({ data: { id: `offline_${shop}`, shop, state: "x", accessToken: `token-${shop}` } });
    const bBefore = await rowCountsFor(shopB);
    expect(bBefore.Order).toBeGreaterThan(0);
    expectConsole("warn", /X-Shopify-Shop-Domain header/);
    const warn = vi.spyOn(console, "warn");
    try {
      // Signed for A; the unsigned header says B (a replayed delivery with its header changed).
      const delivery = await webhookSender(handler).deliver({ topic: "shop/redact", shop: shopB, payload: { ...webhookFixture("shop-redact.json"), shop_domain: shopA } });
      expect(statuses(delivery)).toEqual([200]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringContaining(`(${shopB}) is not the signed shop_domain (${shopA}); acting on ${shopA}`));
    } finally {
      warn.mockRestore();
    }
    await worker.drain();
    expect(Object.entries(await rowCountsFor(shopA)).filter(([, n]) => n > 0)).toEqual([]);
    expect(await db.shop.count({ where: { domain: shopA } })).toBe(0);
    expect(await rowCountsFor(shopB)).toEqual(bBefore);
    expect(await db.session.count({ where: { shop: shopB } })).toBe(1);
  });

  it("a compliance delivery without a valid signed shop_domain is refused and stores nothing", async () => {
    const db = testDb();
    const before = { events: await db.webhookEvent.count(), jobs: await worker.queue.pending() };
    const { shop_domain: _, ...unsigned } = webhookFixture("shop-redact.json");
    const delivery = await webhookSender(handler).deliver({ topic: "shop/redact", shop: shopA, payload: unsigned });
    expect(statuses(delivery)).toEqual([400]);
    expect(await worker.queue.pending()).toBe(before.jobs);
    expect(await db.webhookEvent.count()).toBe(before.events);
    await worker.drain();
    expect(await db.shop.count({ where: { domain: shopA } })).toBe(1);
  });
});
