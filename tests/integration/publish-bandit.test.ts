/**
 * The bandit wired into the storefront publication (ADR 019), on PGlite and PostgreSQL: `loadCandidateStats` counts
 * only the bought-together block's treatment impressions and add-to-carts of the shop, and purchases of attributed
 * lines in live orders that also hold the anchor; a publication with nothing learned keeps the engine's order, labelled
 * "engine"; once the engine's LAST admitted suggestion for an anchor converts far better, most publications put it
 * first; and a product the engine did not admit for the anchor is never published for it, however well it converts.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCandidateStats } from "../../app/lib/storefront/offer-stats.server";
import { EXPLORATION_SHARE, publishStorefrontOffers } from "../../app/lib/storefront/publish.server";
import { createShop } from "../factories";
import { createLocalShopify } from "../local-shopify";
import { testDb } from "../support/db";
import { clientFor, initialSnapshot, productIds, readBack, rec, seedProducts, seedStore, shopFixture, storeCatalog, storeSnapshot } from "../support/publish-fixtures";

const local = createLocalShopify({ plan: { maximumAvailable: 20_000, restoreRate: 1_000 } });
const START = Date.parse("2026-06-01T00:00:00Z");
const NOW = new Date(START);
const DAY = 86_400_000;
const A = shopFixture("bandit-a.myshopify.com", 61, 3000, "shpat_bandit_a");
const OTHER = "bandit-other.myshopify.com";

let eventSeq = 0;
type EventInput = Omit<Prisma.StorefrontEventCreateManyInput, "id" | "visitorId" | "occurredAt"> & { occurredAt?: Date };
/** `n` copies of an event, each of its own visitor and id. */
const events = (n: number, e: EventInput): Prisma.StorefrontEventCreateManyInput[] =>
  Array.from({ length: n }, () => {
    const seq = ++eventSeq;
    return { id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`, visitorId: `v${seq}`, occurredAt: new Date(START - DAY), ...e };
  });
const fbt = (shop: string, anchor: number | string, product: number | string, type: "impression" | "add_to_cart" | "click", arm: "treatment" | "holdout" = "treatment") => ({
  shop,
  widget: "fbt",
  arm,
  type,
  anchorId: String(anchor),
  productId: String(product),
});
/** Impressions of a pair and, for `rate` of them, an add-to-cart. */
const shown = (shop: string, anchor: number, product: number, impressions: number, rate: number) => [
  ...events(impressions, fbt(shop, anchor, product, "impression")),
  ...events(Math.round(impressions * rate), fbt(shop, anchor, product, "add_to_cart")),
];

let orderSeq = 0;
/** An order of `shop` with lines of the given products, each attributed to a widget or not. */
async function order(db: PrismaClient, shop: string, lines: { product: string; widget?: string }[], data: { processedAt?: Date; cancelledAt?: Date; test?: boolean } = {}) {
  const id = `o${++orderSeq}`;
  const at = data.processedAt ?? new Date(START - DAY);
  await db.order.create({
    data: {
      shop,
      id,
      name: `#${orderSeq}`,
      createdAt: at,
      processedAt: at,
      updatedAt: at,
      cancelledAt: data.cancelledAt ?? null,
      test: data.test ?? false,
      currency: "VND",
      subtotal: 100_000n * BigInt(lines.length),
      total: 100_000n * BigInt(lines.length),
      lines: {
        create: lines.map((l, i) => ({ id: `${id}-${i}`, productId: l.product, title: `Product ${l.product}`, quantity: 1, unitPrice: 100_000n, offerWidget: l.widget ?? null, offerSlot: l.widget ? 1 : null })),
      },
    },
  });
}

/** Published fbt slots of an anchor, read back from the local Shopify: product ids (not gids) and rank, in slot order. */
async function publishedFbt(anchor: number) {
  const id = `gid://shopify/Product/${anchor}`;
  const stored = (await readBack(local, A, [id])).get(id);
  const offers = JSON.parse(stored!.offers!.value) as { fbt: { product: string; rank: string; slot: number }[] };
  const list = JSON.parse(stored!.fbt!.value) as string[];
  // The reference list and the offers' fbt agree, slot by slot.
  expect(list).toEqual(offers.fbt.map((o) => o.product));
  expect(offers.fbt.map((o) => o.slot)).toEqual(offers.fbt.map((_, i) => i + 1));
  return offers.fbt.map((o) => ({ product: o.product.split("/").pop()!, rank: o.rank }));
}

const snapshot = initialSnapshot(A.base);
// The anchor under test: three admitted suggestions in the engine's order, the last one the planted best.
const ANCHOR = A.base + 2;
const [FIRST, MIDDLE, LAST] = [A.base + 3, A.base + 4, A.base + 5];
const NOT_ADMITTED = A.base + 9;
snapshot.recommendations[String(ANCHOR)] = [rec(FIRST, 90), rec(MIDDLE, 80), rec(LAST, 70)];

beforeAll(async () => {
  const db = testDb();
  local.addShop(seedStore(A.domain, A.shopId, A.base));
  local.issueAccessToken(A.domain, A.token);
  await createShop(db, { domain: A.domain, settings: { storefront: { version: 2, holdoutShare: 0.2, salt: "pepper-61" } } });
  await createShop(db, { domain: OTHER });
  await storeCatalog(db, A.domain, seedProducts(A.base));
  await storeSnapshot(db, A.domain, snapshot, NOW);
  await local.listen();
});
afterAll(() => local.close());

let runs = 0;
const publish = () => publishStorefrontOffers({ shop: A.domain, db: testDb(), now: new Date(START + ++runs * 3_600_000), client: clientFor(local, A) });

describe("the bandit in the storefront publication", () => {
  it("with nothing learned (only holdout, other widgets' and another shop's events) every slot is the engine's, in its order", async () => {
    const db = testDb();
    // Events that must not count: the holdout arm, the upgrade block, clicks, and another shop — all glowing for LAST.
    await db.storefrontEvent.createMany({
      data: [
        ...events(500, fbt(A.domain, ANCHOR, LAST, "impression", "holdout")),
        ...events(500, fbt(A.domain, ANCHOR, LAST, "add_to_cart", "holdout")),
        ...events(500, { ...fbt(A.domain, ANCHOR, LAST, "impression"), widget: "upgrade" }),
        ...events(500, { ...fbt(A.domain, ANCHOR, LAST, "add_to_cart"), widget: "upgrade" }),
        ...events(500, fbt(A.domain, ANCHOR, LAST, "click")),
        ...shown(OTHER, ANCHOR, LAST, 500, 1),
      ],
    });
    expect(await publish()).toMatchObject({ status: "SUCCEEDED", failed: 0 });

    const stored = await readBack(local, A, productIds(A.base));
    expect(stored.size).toBe(20);
    for (const [owner, fields] of stored) {
      const anchor = owner.split("/").pop()!;
      const offers = JSON.parse(fields.offers!.value) as { fbt: { product: string; rank: string }[] };
      // The engine's order: its suggestions that are live products (the draft is never offered).
      const engine = (snapshot.recommendations[anchor] ?? []).map((r) => r.productId).filter((id) => id !== String(A.base + 25));
      expect(offers.fbt.map((o) => o.product.split("/").pop())).toEqual(engine);
      expect(offers.fbt.every((o) => o.rank === "engine")).toBe(true);
    }
    expect(await publishedFbt(ANCHOR)).toEqual([FIRST, MIDDLE, LAST].map((p) => ({ product: String(p), rank: "engine" })));
  });

  it("once the engine's last suggestion converts far better, most publications put it first; a non-admitted product never appears", async () => {
    const db = testDb();
    await db.storefrontEvent.createMany({
      data: [
        ...shown(A.domain, ANCHOR, FIRST, 2000, 0.01),
        ...shown(A.domain, ANCHOR, MIDDLE, 2000, 0.01),
        ...shown(A.domain, ANCHOR, LAST, 2000, 0.3),
        // Not admitted for ANCHOR (the engine never suggested it there), yet every impression added to the cart.
        ...shown(A.domain, ANCHOR, NOT_ADMITTED, 2000, 1),
      ],
    });
    // What the bandit should do: with 2,000 impressions each, the posteriors of LAST (≈ Beta(605, 1400)) and of the others
    // (≈ Beta(24, 1980)) do not overlap, so a Thompson ordering puts LAST first with probability ≈ 1; an exploration
    // ordering (probability EXPLORATION_SHARE = 0.1) is a uniform permutation of the 3, LAST first with probability 1/3.
    // So LAST is first with probability 0.9 + 0.1/3 ≈ 0.933 per publication; of 10 publications, at least 8 with
    // probability 0.974 (binomial), and explorations number at most 4 with probability 0.998.
    expect(EXPLORATION_SHARE).toBe(0.1);
    const results = [];
    for (let i = 0; i < 10; i++) {
      expect(await publish()).toMatchObject({ status: "SUCCEEDED", failed: 0 });
      results.push(await publishedFbt(ANCHOR));
    }
    for (const slots of results) {
      // Only the admitted three, each once, whatever the order.
      expect(slots.map((s) => s.product).sort()).toEqual([FIRST, MIDDLE, LAST].map(String).sort());
      expect(slots.some((s) => s.product === String(NOT_ADMITTED))).toBe(false);
      const ranks = new Set(slots.map((s) => s.rank));
      expect(ranks.size).toBe(1);
      expect(["bandit", "explore"]).toContain(slots[0]!.rank);
      // A Thompson ordering always puts the planted best first (the posteriors do not overlap).
      if (slots[0]!.rank === "bandit") expect(slots[0]!.product).toBe(String(LAST));
    }
    const firsts = results.filter((slots) => slots[0]!.product === String(LAST)).length;
    const explorations = results.filter((slots) => slots[0]!.rank === "explore").length;
    expect(firsts).toBeGreaterThanOrEqual(8);
    expect(explorations).toBeLessThanOrEqual(4);
    // Anchors with nothing observed keep the engine's order.
    expect((await publishedFbt(A.base + 7)).every((s) => s.rank === "engine")).toBe(true);
  });
});

describe("loadCandidateStats", () => {
  const S = "stats-a.myshopify.com";
  const X = 7001; // the anchor
  const [P, Q, Y] = ["7002", "7003", "7004"];
  const since = new Date(START - 90 * DAY);

  beforeAll(async () => {
    const db = testDb();
    await createShop(db, { domain: S });
    await db.storefrontEvent.createMany({
      data: [
        ...events(5, fbt(S, X, P, "impression")),
        ...events(2, fbt(S, X, P, "add_to_cart")),
        ...events(3, fbt(S, Y, P, "impression")),
        // None of these count: the holdout arm, another widget, a click, another shop, before `since`, the cart (no anchor).
        ...events(7, fbt(S, X, P, "impression", "holdout")),
        ...events(7, fbt(S, X, P, "add_to_cart", "holdout")),
        ...events(6, { ...fbt(S, X, P, "impression"), widget: "upgrade" }),
        ...events(6, { ...fbt(S, X, P, "add_to_cart"), widget: "cart" }),
        ...events(4, fbt(S, X, P, "click")),
        ...events(11, fbt(OTHER, X, P, "impression")),
        ...events(11, fbt(OTHER, X, P, "add_to_cart")),
        ...events(9, { ...fbt(S, X, P, "impression"), occurredAt: new Date(since.getTime() - 1) }),
        ...events(8, { ...fbt(S, X, P, "impression"), anchorId: null }),
      ],
    });
    // Counted for (X, P): an attributed line in a live order with the anchor (twice), and in an order with both anchors.
    await order(db, S, [{ product: String(X) }, { product: P, widget: "fbt" }]);
    await order(db, S, [{ product: String(X) }, { product: P, widget: "fbt" }], { processedAt: since });
    await order(db, S, [{ product: String(X) }, { product: Y }, { product: P, widget: "fbt" }]);
    // Not counted: cancelled; a test order; no anchor in the order; another widget; not attributed; another shop; before `since`;
    // a pair never shown (Q has no impressions under X).
    await order(db, S, [{ product: String(X) }, { product: P, widget: "fbt" }], { cancelledAt: new Date(START - DAY / 2) });
    await order(db, S, [{ product: String(X) }, { product: P, widget: "fbt" }], { test: true });
    await order(db, S, [{ product: P, widget: "fbt" }]);
    await order(db, S, [{ product: String(X) }, { product: P, widget: "upgrade" }]);
    await order(db, S, [{ product: String(X) }, { product: P }]);
    await order(db, OTHER, [{ product: String(X) }, { product: P, widget: "fbt" }]);
    await order(db, S, [{ product: String(X) }, { product: P, widget: "fbt" }], { processedAt: new Date(since.getTime() - 1) });
    await order(db, S, [{ product: String(X) }, { product: Q, widget: "fbt" }]);
  });

  it("counts the shop's fbt treatment impressions and add-to-carts, and purchases of attributed lines in live (not cancelled, not test) orders with the anchor", async () => {
    const stats = await loadCandidateStats(testDb(), S, since);
    expect([...stats.keys()].sort()).toEqual([String(X), Y].sort());
    expect(Object.fromEntries(stats.get(String(X))!)).toEqual({ [P]: { impressions: 5, addToCarts: 2, purchases: 3 } });
    expect(Object.fromEntries(stats.get(Y)!)).toEqual({ [P]: { impressions: 3, addToCarts: 0, purchases: 1 } });
  });

  it("counts visitors, not events: one shopper's repeated views and adds of a pair are one trial and one success", async () => {
    const db = testDb();
    const R = "7005";
    const repeat = (type: "impression" | "add_to_cart", n: number, visitorId: string) =>
      events(n, fbt(S, X, R, type)).map((e) => ({ ...e, visitorId }));
    await db.storefrontEvent.createMany({ data: [...repeat("impression", 6, "same-visitor-1"), ...repeat("add_to_cart", 3, "same-visitor-1"), ...repeat("impression", 2, "same-visitor-2")] });
    const stats = await loadCandidateStats(db, S, since);
    expect(stats.get(String(X))?.get(R)).toEqual({ impressions: 2, addToCarts: 1, purchases: 0 });
    await db.storefrontEvent.deleteMany({ where: { shop: S, productId: R } });
  });

  it("another shop's counts are its own", async () => {
    const stats = await loadCandidateStats(testDb(), OTHER, since);
    // OTHER's own events of the first describe block (anchor 3002 → 3005) and of this one (X → P).
    expect(stats.get(String(X))?.get(P)).toEqual({ impressions: 11, addToCarts: 11, purchases: 1 });
    expect(await loadCandidateStats(testDb(), "nobody.myshopify.com", since)).toEqual(new Map());
  });
});
