/**
 * Publishing storefront offers (ADR 019) into the local Shopify's app-owned metafields, on PGlite and PostgreSQL: the
 * first run writes everything in batches of at most 25, read back through GraphQL equal to the payload; an unchanged
 * run writes nothing; a changed recommendation rewrites only its product; lost suggestions are deleted; THROTTLED is
 * retried; a refused metafield is counted failed and sent again next run; two shops never see each other's rows; and a
 * failed publication is recorded without losing the recomputed results.
 */
import type { PrismaClient } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CROSS_SELL } from "../../app/lib/insights/cross-sell.server";
import { recomputeInsights, RecomputeError } from "../../app/lib/insights/recompute.server";
import { publishStorefrontOffers, readLastPublication } from "../../app/lib/storefront/publish.server";
import { buildProductOffers, productMetafields } from "../../app/insights/offers/payload";
import { createAdminClient } from "../../app/shopify/client.server";
import { metafieldDigest } from "../../app/shopify/publish/digest";
import { createShop } from "../factories";
import { createLocalShopify } from "../local-shopify";
import { testDb } from "../support/db";
import { storeOfflineSession } from "../support/admin-request";
import * as fx from "../support/publish-fixtures";
import { catalogOf, initialSnapshot, rec, resetCalls, seedProducts, seedStore, shopFixture, storeCatalog, type ShopFixture, type Snapshot } from "../support/publish-fixtures";

const local = createLocalShopify({ plan: { maximumAvailable: 20_000, restoreRate: 1_000 } });
const START = Date.parse("2026-06-01T00:00:00Z");
let runs = 0;
/** Each publication starts a minute after the previous one (the last publication is the latest started). */
const nextNow = () => new Date(START + ++runs * 60_000);
const NOW = new Date(START);

const storeSnapshot = (db: PrismaClient, shop: string, s: Snapshot) => fx.storeSnapshot(db, shop, s, NOW);
const clientFor = (f: ShopFixture) => fx.clientFor(local, f);
const readBack = (f: ShopFixture, ownerIds: string[]) => fx.readBack(local, f, ownerIds);
const unthrottled = (f: ShopFixture, query: string, variables?: Record<string, unknown>) => fx.unthrottled(local, f, query, variables);
const productIds = fx.productIds;

async function shopSettings(f: ShopFixture) {
  const body = await unthrottled(f, `query { shop { id metafield(namespace: "$app", key: "widget_settings") { type value } } }`);
  return body.data.shop as { id: string; metafield: { type: string; value: string } | null };
}

/** What the payload says the shop's products should hold (independent of the database path that loads the catalog). */
function expectedProducts(f: ShopFixture, s: Snapshot, deleted: ReadonlySet<number> = new Set()) {
  const offers = buildProductOffers({ recommendations: s.recommendations, upgrades: s.upgrades, products: catalogOf(seedProducts(f.base), deleted), version: 2 });
  const out = new Map<string, Record<string, { type: string; value: string }>>();
  for (const m of offers.flatMap(productMetafields)) out.set(m.ownerId, { ...out.get(m.ownerId), [m.key]: { type: m.type, value: m.value } });
  return out;
}

const A = shopFixture("publish-a.myshopify.com", 51, 1000, "shpat_publish_a");
const B = shopFixture("publish-b.myshopify.com", 52, 5000, "shpat_publish_b");

let snapshotA: Snapshot;

beforeAll(async () => {
  const db = testDb();
  for (const f of [A, B]) {
    local.addShop(seedStore(f.domain, f.shopId, f.base));
    local.issueAccessToken(f.domain, f.token);
    await createShop(db, { domain: f.domain, settings: { storefront: { version: 2, holdoutShare: 0.2, salt: `pepper-${f.shopId}` } } });
    await storeCatalog(db, f.domain, seedProducts(f.base));
  }
  await local.listen();
  snapshotA = initialSnapshot(A.base);
  await storeSnapshot(db, A.domain, snapshotA);
});
afterAll(() => local.close());

let lastNow = NOW;
const publish = (f: ShopFixture) => publishStorefrontOffers({ shop: f.domain, db: testDb(), now: (lastNow = nextNow()), client: clientFor(f) });

describe("publishing storefront offers", () => {
  // 20 anchors × (fbt + offers) + 5 upgrades + the shop's widget settings.
  const TOTAL = 20 * 2 + 5 + 1;

  it("first publication writes every metafield, in batches of at most 25, equal to the payload when read back", async () => {
    resetCalls(A);
    const result = await publish(A);
    expect(result).toMatchObject({ status: "SUCCEEDED", written: TOTAL, unchanged: 0, removed: 0, failed: 0, error: null });
    expect(A.sets).toEqual([25, TOTAL - 25]);
    expect(A.deletes).toEqual([]);

    const stored = await readBack(A, productIds(A.base));
    expect(stored).toEqual(expectedProducts(A, snapshotA));
    // Spot checks against the contract, not the payload code: the draft is left out, references and JSON agree.
    const first = stored.get(`gid://shopify/Product/${A.base + 1}`)!;
    expect(first.fbt).toEqual({ type: "list.product_reference", value: JSON.stringify([`gid://shopify/Product/${A.base + 2}`, `gid://shopify/Product/${A.base + 3}`]) });
    expect(first.upgrade).toEqual({ type: "product_reference", value: `gid://shopify/Product/${A.base + 11}` });
    const offers = JSON.parse(first.offers!.value);
    expect(offers).toMatchObject({ v: 1, version: 2, bundle: null, upgrade: { product: `gid://shopify/Product/${A.base + 11}`, variant: `gid://shopify/ProductVariant/${(A.base + 11) * 10 + 1}`, priceDifference: 1_000_000 } });
    expect(offers.fbt[0]).toEqual({
      product: `gid://shopify/Product/${A.base + 2}`,
      variant: `gid://shopify/ProductVariant/${(A.base + 2) * 10 + 1}`,
      source: "bought-together",
      reason: { en: "Bought together in 101 orders", vi: "Thường được mua cùng trong 101 đơn hàng" },
      rank: "engine",
      slot: 1,
    });
    expect(stored.has(`gid://shopify/Product/${A.base + 21}`)).toBe(false);

    const settings = await shopSettings(A);
    expect(settings.metafield?.type).toBe("json");
    expect(JSON.parse(settings.metafield!.value)).toEqual({
      v: 1,
      version: 2,
      holdoutShare: 0.2,
      salt: "pepper-51",
      widgets: { fbt: true, upgrade: true, cart: true },
      proxyPath: "/apps/insight-loop",
    });

    // The bookkeeping: one row per metafield, its digest that of what Shopify now holds.
    const rows = await testDb().publishedMetafield.findMany({ where: { shop: A.domain } });
    expect(rows).toHaveLength(TOTAL);
    const row = rows.find((r) => r.ownerId === `gid://shopify/Product/${A.base + 1}` && r.key === "offers")!;
    expect(row.digest).toBe(metafieldDigest("json", first.offers!.value));
    expect(rows.find((r) => r.key === "widget_settings")?.ownerId).toBe(settings.id);

    const last = await readLastPublication(testDb(), A.domain);
    expect(last).toMatchObject({ id: result.status === "SKIPPED" ? "" : result.id, status: "SUCCEEDED", written: TOTAL, version: 2, startedAt: lastNow });
    expect(last?.finishedAt).not.toBeNull();
  });

  it("a second run with nothing changed writes nothing and reports everything unchanged", async () => {
    resetCalls(A);
    const result = await publish(A);
    expect(result).toMatchObject({ status: "SUCCEEDED", written: 0, unchanged: TOTAL, removed: 0, failed: 0 });
    expect(A.sets).toEqual([]);
    expect(A.deletes).toEqual([]);
  });

  it("a changed recommendation rewrites only that product", async () => {
    const target = String(A.base + 7);
    snapshotA.recommendations[target] = [rec(A.base + 12, 77), rec(A.base + 9, 40)];
    await storeSnapshot(testDb(), A.domain, snapshotA);
    resetCalls(A);
    const result = await publish(A);
    expect(result).toMatchObject({ status: "SUCCEEDED", written: 2, unchanged: TOTAL - 2, removed: 0, failed: 0 });
    expect(A.sets).toEqual([2]);
    const stored = await readBack(A, productIds(A.base));
    expect(stored).toEqual(expectedProducts(A, snapshotA));
    expect(JSON.parse(stored.get(`gid://shopify/Product/${target}`)!.fbt!.value)).toEqual([`gid://shopify/Product/${A.base + 12}`, `gid://shopify/Product/${A.base + 9}`]);
  });

  it("a product that lost its suggestions has its metafields deleted, and a lost upgrade only its upgrade", async () => {
    delete snapshotA.recommendations[String(A.base + 3)];
    snapshotA.upgrades = snapshotA.upgrades.filter((u) => u.productId !== String(A.base + 3) && u.productId !== String(A.base + 4));
    await storeSnapshot(testDb(), A.domain, snapshotA);
    resetCalls(A);
    const result = await publish(A);
    // Product 3: fbt, upgrade and offers removed; product 4: upgrade removed, offers (now without it) rewritten.
    expect(result).toMatchObject({ status: "SUCCEEDED", written: 1, removed: 4, failed: 0, unchanged: TOTAL - 4 - 1 });
    expect(A.deletes).toEqual([4]);
    const stored = await readBack(A, productIds(A.base));
    expect(stored.has(`gid://shopify/Product/${A.base + 3}`)).toBe(false);
    expect(Object.keys(stored.get(`gid://shopify/Product/${A.base + 4}`)!).sort()).toEqual(["fbt", "offers"]);
    expect(stored).toEqual(expectedProducts(A, snapshotA));
    expect(await testDb().publishedMetafield.count({ where: { shop: A.domain, ownerId: `gid://shopify/Product/${A.base + 3}` } })).toBe(0);
    expect(await testDb().publishedMetafield.count({ where: { shop: A.domain } })).toBe(TOTAL - 4);
  });

  it("a deleted product's rows are dropped without a call (its metafields went with it), and suggestions of it rewritten", async () => {
    const db = testDb();
    const deleted = A.base + 6;
    await db.product.update({ where: { shop_id: { shop: A.domain, id: String(deleted) } }, data: { deletedAt: NOW } });
    resetCalls(A);
    const result = await publish(A);
    // Product 6's fbt and offers rows dropped; anchors 4 and 5 suggested it: their fbt and offers rewritten.
    expect(result).toMatchObject({ status: "SUCCEEDED", written: 4, removed: 2, failed: 0 });
    expect(A.deletes).toEqual([]);
    expect(A.sets).toEqual([4]);
    expect(await db.publishedMetafield.count({ where: { shop: A.domain, ownerId: `gid://shopify/Product/${deleted}` } })).toBe(0);
    const stored = await readBack(A, productIds(A.base).filter((id) => id !== `gid://shopify/Product/${deleted}`));
    expect(stored).toEqual(expectedProducts(A, snapshotA, new Set([deleted])));
    expect(JSON.parse(stored.get(`gid://shopify/Product/${A.base + 5}`)!.fbt!.value)).toEqual([`gid://shopify/Product/${A.base + 7}`]);
  });

  it("a THROTTLED answer is retried by the client and the publication still succeeds", async () => {
    snapshotA.recommendations[String(A.base + 8)] = [rec(A.base + 20, 30)];
    await storeSnapshot(testDb(), A.domain, snapshotA);
    resetCalls(A);
    const bucket = local.shop(A.domain).bucket;
    let drained = false;
    // The shop's bucket is emptied the instant the write is priced (no time to refill in between): the real bucket
    // then refuses it with THROTTLED.
    A.beforeNextSet = () => {
      const take = bucket.take.bind(bucket);
      bucket.take = (cost: number) => {
        bucket.take = take;
        drained = take(bucket.status().currentlyAvailable);
        return take(cost);
      };
    };
    const result = await publish(A);
    expect(drained).toBe(true);
    expect(A.retries).toContain("THROTTLED");
    expect(A.sets).toEqual([2, 2]); // the throttled attempt, then the retry
    expect(result).toMatchObject({ status: "SUCCEEDED", written: 2, failed: 0 });
    expect((await readBack(A, [`gid://shopify/Product/${A.base + 8}`])).get(`gid://shopify/Product/${A.base + 8}`)?.fbt?.value).toBe(
      JSON.stringify([`gid://shopify/Product/${A.base + 20}`]),
    );
  });

  it("a metafield Shopify refuses is counted failed, the rest of its batch is written, and it is sent again next run", async () => {
    const db = testDb();
    // A product the app holds but Shopify does not (deleted meanwhile): a reference to it is refused.
    const ghost = { id: A.base + 99, title: "Ghost", handle: "ghost", productType: "Mouse", status: "ACTIVE" as const };
    await db.product.create({ data: { shop: A.domain, id: String(ghost.id), title: ghost.title, handle: ghost.handle, productType: ghost.productType, status: ghost.status } });
    await db.variant.create({ data: { shop: A.domain, id: String(ghost.id * 10 + 1), productId: String(ghost.id), title: "A", currency: "VND", price: 90_000n } });
    const anchor = `gid://shopify/Product/${A.base + 10}`;
    snapshotA.recommendations[String(A.base + 10)] = [rec(ghost.id, 60), rec(A.base + 13, 20)];
    await storeSnapshot(db, A.domain, snapshotA);
    const before = await db.publishedMetafield.findUnique({ where: { shop_ownerId_key: { shop: A.domain, ownerId: anchor, key: "fbt" } } });

    resetCalls(A);
    const result = await publish(A);
    // fbt refused; offers (a JSON value) written on the second try without it.
    expect(result).toMatchObject({ status: "FAILED", written: 1, failed: 1 });
    expect(result.status !== "SKIPPED" && result.error).toMatch(/fbt of gid:\/\/shopify\/Product\/1010: Value references a Product that does not exist/);
    expect(A.sets).toEqual([2, 1]);
    const after = await db.publishedMetafield.findUnique({ where: { shop_ownerId_key: { shop: A.domain, ownerId: anchor, key: "fbt" } } });
    expect(after).toEqual(before); // its bookkeeping is as it was: the next run sends it again
    expect(await readLastPublication(db, A.domain)).toMatchObject({ status: "FAILED", failed: 1, written: 1 });

    // Next run: only the refused one is sent again (and refused again while the ghost is still suggested).
    resetCalls(A);
    expect(await publish(A)).toMatchObject({ status: "FAILED", written: 0, failed: 1 });
    expect(A.sets).toEqual([1]);

    // Once the suggestion is gone, the corrected list is written.
    snapshotA.recommendations[String(A.base + 10)] = [rec(A.base + 13, 20)];
    await storeSnapshot(db, A.domain, snapshotA);
    resetCalls(A);
    expect(await publish(A)).toMatchObject({ status: "SUCCEEDED", written: 2, failed: 0 });
    const stored = await readBack(A, [anchor]);
    expect(JSON.parse(stored.get(anchor)!.fbt!.value)).toEqual([`gid://shopify/Product/${A.base + 13}`]);
  });

  it("two shops never see each other's rows or metafields", async () => {
    const db = testDb();
    const rowsOfA = await db.publishedMetafield.findMany({ where: { shop: A.domain }, orderBy: [{ ownerId: "asc" }, { key: "asc" }] });
    const lastOfA = await readLastPublication(db, A.domain);
    const snapshotB = initialSnapshot(B.base);
    delete snapshotB.recommendations[String(B.base + 20)];
    await storeSnapshot(db, B.domain, snapshotB);

    resetCalls(B);
    const result = await publish(B);
    // B's first publication writes all of B (A's rows count for nothing) and removes none of A's.
    expect(result).toMatchObject({ status: "SUCCEEDED", written: TOTAL - 2, unchanged: 0, removed: 0, failed: 0 });
    expect(await readBack(B, productIds(B.base))).toEqual(expectedProducts(B, snapshotB));
    expect(await db.publishedMetafield.findMany({ where: { shop: A.domain }, orderBy: [{ ownerId: "asc" }, { key: "asc" }] })).toEqual(rowsOfA);
    const rowsOfB = await db.publishedMetafield.findMany({ where: { shop: B.domain } });
    expect(rowsOfB).toHaveLength(TOTAL - 2);
    expect(rowsOfB.every((r) => r.ownerId === `gid://shopify/Shop/${B.shopId}` || Number(r.ownerId.split("/").pop()) > B.base)).toBe(true);
    expect(await readLastPublication(db, A.domain)).toEqual(lastOfA);
    expect((await readLastPublication(db, B.domain))?.id).toBe(result.status === "SKIPPED" ? null : result.id);
    // A's own metafields in the local Shopify are untouched by B's publication.
    expect((await readBack(A, productIds(A.base))).size).toBe(19);

    // And A, published again, finds all of its own unchanged.
    resetCalls(A);
    expect(await publish(A)).toMatchObject({ status: "SUCCEEDED", written: 0, removed: 0, failed: 0 });
  });

  it("a failed publication is recorded on its run and reported by the recompute, which keeps the stored results", async () => {
    const db = testDb();
    const shop = (await createShop(db, { domain: "publish-down.myshopify.com" })).domain;
    const down = createAdminClient({ shop, accessToken: "t", maxAttempts: 2, baseDelayMs: 1, fetch: async () => new Response("down", { status: 503 }) });
    const outcome = recomputeInsights({ shop, db, now: NOW, publish: (input) => publishStorefrontOffers({ ...input, client: down }) });
    await expect(outcome).rejects.toThrow(RecomputeError);
    await expect(outcome).rejects.toThrow(/storefront publication: ShopIdQuery: HTTP 503/);
    expect(await db.insightSnapshot.count({ where: { shop, kind: CROSS_SELL } })).toBe(1);
    expect(await readLastPublication(db, shop)).toMatchObject({ status: "FAILED", written: 0, error: expect.stringMatching(/HTTP 503/) });
  });

  it("skips a shop it cannot publish for, and says why", async () => {
    const db = testDb();
    const shop = (await createShop(db, { domain: "publish-nosession.myshopify.com" })).domain;
    expect(await publishStorefrontOffers({ shop, db, now: NOW })).toEqual({ status: "SKIPPED", reason: "no cross-sell results to publish yet" });
    await storeSnapshot(db, shop, { recommendations: {}, upgrades: [] });
    expect(await publishStorefrontOffers({ shop, db, now: NOW })).toEqual({ status: "SKIPPED", reason: "the shop has no offline session" });
    // The test app's grant reads products but does not write them: product metafields cannot be written.
    await storeOfflineSession(shop);
    expect(await publishStorefrontOffers({ shop, db, now: NOW })).toEqual({ status: "SKIPPED", reason: "the app's access to the shop lacks write_products" });
    expect(await readLastPublication(db, shop)).toBeNull();
  });
});
