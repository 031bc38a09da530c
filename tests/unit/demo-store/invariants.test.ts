/**
 * Structural invariants of a generated store (20k orders): shapes, references, money arithmetic, timestamps, and the
 * noise shares against their planted rates. Everything is recomputed from the store itself.
 */
import { describe, expect, it } from "vitest";
import { CATALOG } from "../../demo-store/catalog";
import { generateDemoStore } from "../../demo-store/generate";
import type { SeedOrder } from "../../local-shopify/seed";

const ORDERS = 20_000;
const { store, truth } = generateDemoStore({ seed: 2024, orders: ORDERS });
const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const RFM_GROUPS = [
  "CHAMPIONS",
  "LOYAL",
  "ACTIVE",
  "NEW",
  "PROMISING",
  "NEEDS_ATTENTION",
  "ALMOST_LOST",
  "PREVIOUSLY_LOYAL",
  "AT_RISK",
  "DORMANT",
  "PROSPECTS",
];

/** |observed share − p| within 4 binomial standard errors. */
function expectShare(count: number, n: number, p: number) {
  const se = Math.sqrt((p * (1 - p)) / n);
  expect(Math.abs(count / n - p), `share ${count}/${n} vs ${p}`).toBeLessThan(4 * se);
}

function expectUnique(ids: (number | string)[]) {
  expect(new Set(ids).size).toBe(ids.length);
}

/** Collects violations so a test makes one assertion, not one per order (fast on 20k orders). */
class Problems {
  readonly list: string[] = [];
  check(ok: boolean, message: () => string) {
    if (!ok && this.list.length < 20) this.list.push(message());
  }
}

/** Milliseconds of a UTC ISO timestamp, recording a problem when it is not one. */
function ms(problems: Problems, iso: string): number {
  const value = Date.parse(iso);
  problems.check(ISO_Z.test(iso) && !Number.isNaN(value), () => `bad timestamp ${iso}`);
  return value;
}

describe("generated demo store: structure", () => {
  it("has exactly the requested number of orders, named #1001… in processedAt order", () => {
    expect(store.orders).toHaveLength(ORDERS);
    const problems = new Problems();
    store.orders.forEach((order, i) => {
      problems.check(order.name === `#${1001 + i}`, () => `order ${i} is named ${order.name}`);
      const previous = store.orders[i - 1];
      if (previous) {
        problems.check(order.processedAt >= previous.processedAt, () => `${order.name} processed before ${previous.name}`);
        problems.check(order.id > previous.id, () => `${order.name} id not increasing`);
      }
    });
    expect(problems.list).toEqual([]);
  });

  it("has unique ids of every kind", () => {
    expectUnique(store.products.map((p) => p.id));
    expectUnique(store.products.flatMap((p) => p.variants.map((v) => v.id)));
    expectUnique(store.collections.map((c) => c.id));
    expectUnique(store.customers.map((c) => c.id));
    expectUnique(store.orders.map((o) => o.id));
    expectUnique(store.orders.flatMap((o) => o.lineItems.map((l) => l.id)));
    expectUnique(store.orders.flatMap((o) => o.refunds.map((r) => r.id)));
    expectUnique(store.products.flatMap((p) => p.variants.map((v) => v.sku)));
  });

  it("points every line at a live product and variant, or at nothing (custom line or deleted product)", () => {
    const products = new Map(store.products.map((p) => [p.id, p]));
    const deletedSkus = new Set(store.products.filter((p) => p.deletedAt).flatMap((p) => p.variants.map((v) => v.sku)));
    const problems = new Problems();
    let deletedLines = 0;
    for (const order of store.orders) {
      for (const line of order.lineItems) {
        const where = () => `${order.name} line ${line.id}`;
        if (line.productId === null) {
          problems.check(line.variantId === null, () => `${where()}: variant without product`);
          if (line.sku !== null) {
            problems.check(deletedSkus.has(line.sku), () => `${where()}: null product but SKU ${line.sku} not deleted`);
            deletedLines++;
          } else problems.check(!line.isGiftCard, () => `${where()}: custom gift card`);
          continue;
        }
        const product = products.get(line.productId);
        problems.check(product !== undefined, () => `${where()}: unknown product ${line.productId}`);
        problems.check(product?.deletedAt === null, () => `${where()}: deleted product still referenced`);
        problems.check(product?.status !== "DRAFT", () => `${where()}: draft product sold`);
        const variant = product?.variants.find((v) => v.id === line.variantId);
        problems.check(variant !== undefined && variant.sku === line.sku, () => `${where()}: variant ${line.variantId} not of product`);
        problems.check(line.title === product?.title, () => `${where()}: title ${line.title}`);
      }
    }
    expect(problems.list).toEqual([]);
    expect(deletedLines).toBeGreaterThan(0);
    const collections = new Set(store.collections.map((c) => c.id));
    for (const p of store.products) for (const id of p.collectionIds) expect(collections.has(id)).toBe(true);
  });

  it("keeps money in integers and the order arithmetic exact", () => {
    const problems = new Problems();
    const isMoney = (x: number) => Number.isInteger(x) && x >= 0;
    for (const order of store.orders) {
      let subtotal = 0;
      let discounts = 0;
      for (const line of order.lineItems) {
        problems.check(isMoney(line.unitPrice) && line.unitPrice > 0, () => `${order.name}: unitPrice ${line.unitPrice}`);
        problems.check(isMoney(line.totalDiscount), () => `${order.name}: discount ${line.totalDiscount}`);
        problems.check(Number.isInteger(line.quantity) && line.quantity >= 1, () => `${order.name}: quantity ${line.quantity}`);
        problems.check(line.totalDiscount <= line.unitPrice * line.quantity, () => `${order.name}: discount above price`);
        subtotal += line.unitPrice * line.quantity - line.totalDiscount;
        discounts += line.totalDiscount;
      }
      problems.check(order.subtotal === subtotal, () => `${order.name}: subtotal ${order.subtotal} ≠ ${subtotal}`);
      problems.check(order.totalDiscounts === discounts, () => `${order.name}: totalDiscounts ${order.totalDiscounts} ≠ ${discounts}`);
      problems.check(order.total === order.subtotal, () => `${order.name}: total ≠ subtotal`);
      const lineIds = new Map(order.lineItems.map((l) => [l.id, l]));
      for (const refund of order.refunds) {
        problems.check(isMoney(refund.amount) && refund.amount > 0, () => `${order.name}: refund ${refund.amount}`);
        problems.check(refund.amount <= order.total, () => `${order.name}: refund above total`);
        for (const r of refund.lineItems) {
          problems.check(r.quantity <= (lineIds.get(r.lineItemId)?.quantity ?? 0), () => `${order.name}: refund line ${r.lineItemId}`);
        }
      }
    }
    expect(problems.list).toEqual([]);
    for (const p of store.products)
      for (const v of p.variants) {
        expect(Number.isInteger(v.price)).toBe(true);
        if (v.unitCost !== null) {
          expect(Number.isInteger(v.unitCost)).toBe(true);
          expect(v.unitCost / v.price).toBeGreaterThanOrEqual(0.55);
          expect(v.unitCost / v.price).toBeLessThanOrEqual(0.85);
        }
      }
  });

  it("writes valid UTC timestamps inside the history, with createdAt ≤ updatedAt", () => {
    const problems = new Problems();
    const start = Date.parse(truth.history.start + "T00:00:00+07:00");
    const asOf = Date.parse(truth.history.asOf);
    for (const order of store.orders) {
      const processed = ms(problems, order.processedAt);
      const created = ms(problems, order.createdAt);
      const updated = ms(problems, order.updatedAt);
      problems.check(processed >= start && processed < asOf, () => `${order.name}: processedAt outside the history`);
      problems.check(processed <= created && created <= updated, () => `${order.name}: processed ≤ created ≤ updated fails`);
      problems.check(updated < asOf, () => `${order.name}: updatedAt after the history`);
      if (order.cancelledAt !== null) {
        const cancelled = ms(problems, order.cancelledAt);
        problems.check(processed <= cancelled && cancelled <= updated, () => `${order.name}: cancelledAt out of order`);
        problems.check(order.refunds.length === 0, () => `${order.name}: cancelled and refunded`);
      }
      for (const refund of order.refunds) {
        const at = ms(problems, refund.createdAt);
        problems.check(processed <= at && at <= updated, () => `${order.name}: refund createdAt out of order`);
      }
    }
    expect(problems.list).toEqual([]);
    const sameInstant = store.orders.filter((o) => o.createdAt === o.processedAt).length;
    expect(sameInstant / ORDERS).toBeGreaterThan(0.95);
    for (const p of store.products) expect(Date.parse(p.createdAt)).toBeLessThanOrEqual(Date.parse(p.updatedAt));
  });

  it("gives every customer exactly one age tag, consistent dates and Shopify enum values", () => {
    const problems = new Problems();
    const firstOrder = new Map<number, number>();
    for (const order of store.orders) {
      if (order.customerId !== null && !firstOrder.has(order.customerId)) firstOrder.set(order.customerId, Date.parse(order.processedAt));
    }
    const known = new Set(store.customers.map((c) => c.id));
    for (const id of firstOrder.keys()) problems.check(known.has(id), () => `order customer ${id} unknown`);
    let withGroup = 0;
    store.customers.forEach((customer, i) => {
      const who = () => `customer ${customer.id}`;
      const previous = store.customers[i - 1];
      if (previous) problems.check(customer.createdAt >= previous.createdAt, () => `${who()}: ids not in createdAt order`);
      const ageTags = customer.tags.filter((t) => t.startsWith("age:"));
      problems.check(ageTags.length === 1, () => `${who()}: age tags ${ageTags.join(",")}`);
      problems.check(["age:15-22", "age:23-30", "age:31-45", "age:46+"].includes(ageTags[0] ?? ""), () => `${who()}: ${ageTags[0]}`);
      problems.check(customer.locale === "vi" || customer.locale === "en", () => `${who()}: locale ${customer.locale}`);
      const created = ms(problems, customer.createdAt);
      problems.check(created <= ms(problems, customer.updatedAt), () => `${who()}: createdAt after updatedAt`);
      const first = firstOrder.get(customer.id);
      if (first !== undefined) problems.check(created <= first, () => `${who()}: created after the first order`);
      else problems.check(customer.rfmGroup === null || customer.rfmGroup === "PROSPECTS", () => `${who()}: no orders but ${customer.rfmGroup}`);
      if (customer.rfmGroup !== null) {
        problems.check(RFM_GROUPS.includes(customer.rfmGroup), () => `${who()}: rfmGroup ${customer.rfmGroup}`);
        withGroup++;
      }
    });
    expect(problems.list).toEqual([]);
    expect(withGroup / store.customers.length).toBeGreaterThan(0.95);
    const vn = store.customers.filter((c) => c.countryCode === "VN").length;
    expect(vn / store.customers.length).toBeGreaterThan(0.9);
  });

  it("has the planted catalog: VND prices, pro ≈ 1.4–1.8 × standard, a DRAFT never sold, deleted products", () => {
    const byTitle = new Map(store.products.map((p) => [p.title, p]));
    const laptops = store.products.filter((p) => p.productType === "Laptop");
    for (const p of laptops) for (const v of p.variants) expect(v.price).toBeGreaterThanOrEqual(15_000_000);
    for (const p of laptops) for (const v of p.variants) expect(v.price).toBeLessThanOrEqual(45_000_000);
    for (const p of store.products.filter((x) => x.productType === "Mouse")) {
      for (const v of p.variants) expect(v.price).toBeGreaterThanOrEqual(150_000);
      for (const v of p.variants) expect(v.price).toBeLessThanOrEqual(1_500_000);
    }
    expect(truth.upgradePaths.pairs.length).toBeGreaterThanOrEqual(3);
    for (const pair of truth.upgradePaths.pairs) {
      const standard = byTitle.get(pair.standard.title);
      const pro = byTitle.get(pair.pro.title);
      const ratio = (pro?.variants[0]?.price ?? 0) / (standard?.variants[0]?.price ?? 1);
      expect(ratio).toBeGreaterThanOrEqual(1.4);
      expect(ratio).toBeLessThanOrEqual(1.8);
    }
    const types = new Set(store.products.map((p) => p.productType));
    for (const type of ["Laptop", "Desktop PC", "Mouse", "Keyboard", "Headset", "Monitor", "Laptop Bag", "Warranty"]) {
      expect(types.has(type)).toBe(true);
    }
    expect(store.products.filter((p) => p.variants.length >= 2).length).toBeGreaterThanOrEqual(3);
    expect(store.products.filter((p) => p.deletedAt !== null).length).toBeGreaterThanOrEqual(1);
    const drafts = store.products.filter((p) => p.status === "DRAFT");
    expect(drafts).toHaveLength(1);
    expect(CATALOG.filter((p) => p.draft)).toHaveLength(1);
    expect(store.collections.map((c) => c.title)).toEqual(expect.arrayContaining(["Laptops", "Desktop PCs", "Accessories", "Warranties"]));
  });
});

describe("generated demo store: noise shares", () => {
  const nonTest = store.orders.filter((o) => !o.test);
  const count = (orders: SeedOrder[], f: (o: SeedOrder) => boolean) => orders.filter(f).length;

  it("has guest, test, cancelled and refunded orders at their planted rates", () => {
    const rates = truth.noise.rates;
    expectShare(count(store.orders, (o) => o.test), ORDERS, rates.test);
    expectShare(count(store.orders, (o) => o.customerId === null && !o.test), ORDERS, rates.guest);
    expectShare(count(nonTest, (o) => o.cancelledAt !== null), nonTest.length, rates.cancelled);
    // A refund is drawn only for orders that were not cancelled.
    const refunded = nonTest.filter((o) => o.refunds.length > 0);
    expectShare(refunded.length, nonTest.length, (1 - rates.cancelled) * rates.refunded);
    const full = refunded.filter((o) => o.refunds.some((r) => r.amount === o.total && r.lineItems.length === o.lineItems.length));
    expectShare(full.length, refunded.length, rates.fullRefundShareOfRefunds);
    expect(count(store.orders, (o) => o.test && (o.refunds.length > 0 || o.cancelledAt !== null))).toBe(0);
  });

  it("has gift-card lines, custom lines (no product) and source names", () => {
    expectShare(count(nonTest, (o) => o.lineItems.some((l) => l.isGiftCard)), nonTest.length, truth.baskets.giftCardLineRate);
    expectShare(count(nonTest, (o) => o.lineItems.some((l) => l.sku === null)), nonTest.length, truth.baskets.customLineRate);
    expectShare(count(nonTest, (o) => o.sourceName === "pos"), nonTest.length, truth.noise.rates.sourceNames.pos ?? 0);
  });

  it("agrees with the realised counts recorded in truth.json", () => {
    const realised = truth.noise.realised;
    expect(count(store.orders, (o) => o.test)).toBe(realised.testOrders);
    expect(count(nonTest, (o) => o.customerId === null)).toBe(realised.guestOrders);
    expect(count(nonTest, (o) => o.cancelledAt !== null)).toBe(realised.cancelledOrders);
    expect(count(nonTest, (o) => o.refunds.length > 0)).toBe(realised.refundedOrders);
    expect(count(nonTest, (o) => o.lineItems.some((l) => l.productId === null && l.sku !== null))).toBe(realised.ordersWithDeletedProductLines);
    expect(store.orders.reduce((n, o) => n + o.lineItems.length, 0)).toBe(truth.totals.lineItems);
    expect(store.customers).toHaveLength(truth.totals.customers);
    expect(Math.abs(truth.volume.customersDeviation)).toBeLessThan(0.05);
  });
});
