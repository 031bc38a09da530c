/**
 * The bundle launch service (issue 12, app/lib/discounts/bundle-launch.server.ts) against the local Shopify, on PGlite
 * and PostgreSQL: the preview (what-if, the exact discount input, the cap read from Shopify); a launch that records its
 * Action (metric, goal, window fixed in the form) only once the discount is ACTIVE — never for a Shopify user error or a
 * 5xx, and once after a retry; a double launch makes one discount and one Action; the 25-active automatic cap answers
 * with CAP_MESSAGE, the discounts that count toward it, and a code fallback that launches; each error lands on its
 * form field; pause / resume / end and a discount deleted or deactivated in the Shopify admin queue the storefront
 * publication, whose `$app.offers` carries the bundle only while it is live for everyone.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JobQueue } from "../../app/jobs/types";
import {
  bundlesPage,
  changeBundle,
  fieldOf,
  launchBundle,
  previewBundleLaunch,
  resetSyncThrottle,
  syncBundlesIfDue,
  SYNC_INTERVAL_MS,
} from "../../app/lib/discounts/bundle-launch.server";
import { localDay } from "../../app/insights/trends/series";
import { publishStorefrontOffers } from "../../app/lib/storefront/publish.server";
import { createAdminClient } from "../../app/shopify/client.server";
import { CAP_MESSAGE } from "../../app/shopify/publish/discounts.server";
import { createShop } from "../factories";
import { createLocalShopify } from "../local-shopify";
import { testDb } from "../support/db";
import * as fx from "../support/publish-fixtures";

const local = createLocalShopify({ plan: { maximumAvailable: 20_000, restoreRate: 1_000 } });
const A = fx.shopFixture("launch-a.myshopify.com", 71, 1000, "shpat_launch_a");
const CAPPED = fx.shopFixture("launch-cap.myshopify.com", 72, 3000, "shpat_launch_cap");
const TZ = "Asia/Ho_Chi_Minh";

/** A client on the local Shopify; `fail5xx` answers that many *BxgyCreate requests with a 503 before they reach it. */
function client(f: fx.ShopFixture, hooks: { fail5xx?: number; creates?: number } = {}) {
  return createAdminClient({
    shop: f.domain,
    accessToken: f.token,
    baseDelayMs: 1,
    maxAttempts: 2,
    fetch: async (input, init) => {
      const body = JSON.parse(String(init?.body ?? "{}")) as { query?: string };
      if (/mutation Discount\w+BxgyCreate/.test(body.query ?? "")) {
        hooks.creates = (hooks.creates ?? 0) + 1;
        if ((hooks.fail5xx ?? 0) > 0) {
          hooks.fail5xx! -= 1;
          return new Response("upstream unavailable", { status: 503 });
        }
      }
      return fetch(String(input instanceof Request ? input.url : input).replace(`https://${f.domain}`, local.origin), init);
    },
  });
}

/** A queue that records what is enqueued. */
function recordingQueue() {
  const jobs: { name: string; shop: string; singletonKey?: string }[] = [];
  const queue = {
    kind: "in-process",
    enqueue: async (name: string, _payload: unknown, options: { shop: string; singletonKey?: string }) => {
      jobs.push({ name, shop: options.shop, singletonKey: options.singletonKey });
      return randomUUID();
    },
  } as unknown as JobQueue;
  return { queue, jobs };
}

const gql = (f: fx.ShopFixture, query: string, variables?: Record<string, unknown>) => fx.unthrottled(local, f, query, variables);
const pid = (f: fx.ShopFixture, n: number) => String(f.base + n);
const today = () => localDay(new Date(), TZ);
let n = 0;

/** The launch form as the page posts it. */
const form = (f: fx.ShopFixture, over: Record<string, string | undefined> = {}) => {
  n++;
  const fields: Record<string, string> = {
    idempotencyKey: randomUUID(),
    anchors: pid(f, 1),
    addOns: pid(f, 2),
    title: `Laptop + mouse ${n}`,
    percentOff: "15",
    kind: "code",
    code: `LAUNCH${n}`,
    start: today(),
    combinesOrder: "on",
    combinesShipping: "on",
    metric: "attach-rate",
    goal: "2",
    goalDirection: "increase",
    evaluationDays: "28",
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete fields[k];
    else fields[k] = v;
  }
  return fields;
};

const launch = (f: fx.ShopFixture, fields: Record<string, string>, c = client(f), queue: JobQueue | null = null) =>
  launchBundle({ shop: f.domain, db: testDb(), now: new Date(), client: c, queue, input: fields });

async function allDiscounts(f: fx.ShopFixture) {
  const body = await gql(f, `query All { discountNodes(first: 100) { nodes { id discount { __typename ... on DiscountCodeBxgy { title status } ... on DiscountAutomaticBxgy { title status } ... on DiscountAutomaticBasic { title status } } } } }`);
  expect(body.errors).toBeUndefined();
  return body.data.discountNodes.nodes.map((x: { id: string; discount: { title: string; status: string } }) => ({ id: x.id, ...x.discount })) as { id: string; title: string; status: string }[];
}
const count = async (f: fx.ShopFixture, title: string) => (await allDiscounts(f)).filter((d) => d.title === title).length;

beforeAll(async () => {
  const db = testDb();
  for (const f of [A, CAPPED]) {
    const seed = fx.seedStore(f.domain, f.shopId, f.base);
    local.addShop(seed);
    local.issueAccessToken(f.domain, f.token);
    await createShop(db, { domain: f.domain, timezone: TZ });
    await fx.storeCatalog(db, f.domain, seed.products);
    await db.session.create({ data: { id: `offline_${f.domain}`, shop: f.domain, state: "installed", isOnline: false, scope: "read_products,write_products,write_discounts", accessToken: f.token } });
  }
  await local.listen();
});
afterAll(() => local.close());

describe("preview", () => {
  it("prefills from the idea, computes the what-if per add-on and shows the exact discount and Action", async () => {
    const preview = await previewBundleLaunch({ shop: A.domain, db: testDb(), now: new Date(), client: client(A), input: { items: `${pid(A, 1)},${pid(A, 2)}` } });
    expect(preview.values).toMatchObject({ anchors: pid(A, 1), addOns: pid(A, 2), percentOff: "10", kind: "automatic", start: today(), metric: "attach-rate", combinesProduct: false, combinesOrder: true, combinesShipping: true });
    expect(preview.values.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(preview.values.code).toMatch(/^PRODUCT10-[0-9A-F]{4}$/);
    expect(preview.whatIf).toHaveLength(1);
    expect(preview.whatIf[0]).toMatchObject({ addOnId: pid(A, 2), error: null });
    expect(preview.discount).toMatchObject({
      title: `Product ${pid(A, 1)} + Product ${pid(A, 2)}: 10 % off`,
      combinesWith: { productDiscounts: false, orderDiscounts: true, shippingDiscounts: true },
      customerBuys: { value: { quantity: "1" }, items: { products: { productsToAdd: [`gid://shopify/Product/${pid(A, 1)}`] } } },
      customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 0.1 } } }, items: { products: { productsToAdd: [`gid://shopify/Product/${pid(A, 2)}`] } } },
      usesPerOrderLimit: 1,
      context: { all: "ALL" },
    });
    expect(preview.mutation).toBe("discountAutomaticBxgyCreate");
    expect(preview.action.goal).toBe("+2.0 points of attach rate");
    expect(preview.cap).toMatchObject({ max: 25, atCap: false, error: null });
    // A second preview is a second launch: a new key.
    const again = await previewBundleLaunch({ shop: A.domain, db: testDb(), now: new Date(), client: client(A), input: { items: `${pid(A, 1)},${pid(A, 2)}`, kind: "code", percentOff: "20" } });
    expect(again.values.idempotencyKey).not.toBe(preview.values.idempotencyKey);
    expect(again.discount).toMatchObject({ code: again.values.code, customerGets: { value: { discountOnQuantity: { effect: { percentage: 0.2 } } } } });
  });
});

describe("launch", () => {
  it("a code launch creates the discount, then its Action with the form's metric, goal and window, and queues the publication", async () => {
    const { queue, jobs } = recordingQueue();
    const fields = form(A);
    const result = await launch(A, fields, client(A), queue);
    expect(result).toMatchObject({ ok: true, status: "ACTIVE", created: true });
    if (!result.ok || result.status !== "ACTIVE") return;
    const action = await testDb().action.findUniqueOrThrow({ where: { shop_id: { shop: A.domain, id: result.actionId } } });
    expect(action).toMatchObject({ kind: "bundle-discount", metric: "attach-rate", goalValue: 0.02, goalDirection: "increase", evaluationDays: 28, status: "live", title: fields.title });
    expect(action.target).toEqual({ products: [pid(A, 1)], addOns: [pid(A, 2)] });
    expect(action.createdAt.getTime()).toBe(result.discount.createdAt.getTime());
    expect(result.discount).toMatchObject({ actionId: action.id, status: "ACTIVE", kind: "code", code: fields.code });
    expect(jobs).toEqual([{ name: "storefront.publish", shop: A.domain, singletonKey: `storefront/${A.domain}` }]);
    expect(await count(A, fields.title!)).toBe(1);
  });

  it("an automatic launch with combinesWith as chosen", async () => {
    const fields = form(A, { kind: "automatic", code: undefined, combinesProduct: "on", combinesOrder: undefined });
    const result = await launch(A, fields);
    expect(result).toMatchObject({ ok: true, status: "ACTIVE", discount: { kind: "automatic", combinesWith: { productDiscounts: true, orderDiscounts: false, shippingDiscounts: true } } });
  });

  it("a double click (at once) and a retry (after) make one discount and one Action", async () => {
    const fields = form(A);
    const hooks: { creates?: number } = {};
    const c = client(A, hooks);
    const both = await Promise.all([launch(A, fields, c), launch(A, fields, c)]);
    const again = await launch(A, fields, c);
    expect(hooks.creates).toBe(1);
    expect(await count(A, fields.title!)).toBe(1);
    const rows = await testDb().bundleDiscount.findMany({ where: { shop: A.domain, idempotencyKey: fields.idempotencyKey } });
    expect(rows).toHaveLength(1);
    expect(new Set([...both, again].map((r) => r.ok && r.discount.id))).toEqual(new Set([rows[0]!.id]));
    expect(again).toMatchObject({ ok: true, status: "ACTIVE", created: false, actionId: rows[0]!.id });
    expect(await testDb().action.count({ where: { shop: A.domain, title: fields.title } })).toBe(1);
  });

  it("a 5xx during the create leaves no Action; the retry with the same key completes with one discount and one Action", async () => {
    const fields = form(A);
    const failed = await launch(A, fields, client(A, { fail5xx: 2 }));
    expect(failed.ok).toBe(false);
    if (failed.ok) return;
    expect(failed.errors.form?.join(" ")).toMatch(/Launching again resumes this launch/);
    expect(failed.discount).toMatchObject({ status: "PENDING", actionId: null });
    // The form keeps the key, so Launch again resumes this launch.
    expect(failed.nextKey).toBe(fields.idempotencyKey);
    expect(await testDb().action.count({ where: { shop: A.domain, title: fields.title } })).toBe(0);
    expect(await count(A, fields.title!)).toBe(0);

    const retried = await launch(A, fields);
    expect(retried).toMatchObject({ ok: true, status: "ACTIVE" });
    expect(await count(A, fields.title!)).toBe(1);
    expect(await testDb().action.count({ where: { shop: A.domain, title: fields.title } })).toBe(1);
  });

  it("Shopify's user errors land on their fields, the row is FAILED and no Action is recorded", async () => {
    const first = form(A);
    await launch(A, first);
    const taken = form(A, { code: first.code!.toLowerCase() });
    const result = await launch(A, taken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.code).toEqual(["Code must be unique. Please try a different code."]);
    expect(result.discount).toMatchObject({ status: "FAILED", actionId: null });
    // A corrected form is a new launch: a new key (this key's row is FAILED).
    expect(result.nextKey).not.toBe(taken.idempotencyKey);
    const corrected = await launch(A, { ...taken, code: `${taken.code}-2`, title: `${taken.title} corrected`, idempotencyKey: result.nextKey });
    expect(corrected).toMatchObject({ ok: true, status: "ACTIVE" });

    // A published segment Shopify does not know: the error is on the segment field.
    await testDb().segmentPublication.create({ data: { shop: A.domain, definition: { kind: "rfm" }, name: "Champions", tag: "il-champions", segmentId: "gid://shopify/Segment/987654321", status: "PUBLISHED" } });
    const segment = await launch(A, form(A, { segment: "gid://shopify/Segment/987654321" }));
    expect(segment.ok).toBe(false);
    if (!segment.ok) expect(segment.errors.segment?.[0]).toMatch(/Segment .* does not exist/);

    // The form's own checks, before Shopify: each on its field.
    const local1 = await launch(A, form(A, { percentOff: "95", metric: undefined, goal: "", evaluationDays: "3" }));
    expect(local1.ok).toBe(false);
    if (!local1.ok) expect(Object.keys(local1.errors).sort()).toEqual(["evaluationDays", "goal", "metric", "percentOff"]);
    const endFirst = await launch(A, form(A, { end: "2000-01-01" }));
    expect(endFirst.ok).toBe(false);
    if (!endFirst.ok) expect(Object.keys(endFirst.errors)).toEqual(["end"]);
    const past = await launch(A, form(A, { start: "2020-01-01" }));
    if (!past.ok) expect(Object.keys(past.errors)).toEqual(["start"]);
    expect(past.ok).toBe(false);
    const unknown = await launch(A, form(A, { addOns: "99999999" }));
    if (!unknown.ok) expect(unknown.errors.addOns?.[0]).toMatch(/unknown product/);
    const notPublished = await launch(A, form(A, { segment: "gid://shopify/Segment/1" }));
    if (!notPublished.ok) expect(Object.keys(notPublished.errors)).toEqual(["segment"]);
    expect(await testDb().action.count({ where: { shop: A.domain, title: { in: [taken.title!] } } })).toBe(0);
  });

  it("maps Shopify's input paths to the form's fields", () => {
    expect(fieldOf(["bxgyCodeDiscount", "code"])).toBe("code");
    expect(fieldOf(["bxgyCodeDiscount", "endsAt"])).toBe("end");
    expect(fieldOf(["automaticBxgyDiscount", "startsAt"])).toBe("start");
    expect(fieldOf(["automaticBxgyDiscount", "title"])).toBe("title");
    expect(fieldOf(["bxgyCodeDiscount", "customerGets", "value", "discountOnQuantity", "effect", "percentage"])).toBe("percentOff");
    expect(fieldOf(["bxgyCodeDiscount", "customerGets", "items", "products", "productsToAdd", "0"])).toBe("addOns");
    expect(fieldOf(["bxgyCodeDiscount", "customerBuys", "items", "products", "productsToAdd", "0"])).toBe("anchors");
    expect(fieldOf(["bxgyCodeDiscount", "context", "customerSegments", "add", "0"])).toBe("segment");
    expect(fieldOf(["bxgyCodeDiscount", "combinesWith"])).toBe("combinesProduct");
    expect(fieldOf([])).toBe("form");
  });

  it("at the 25-active automatic cap: CAP_MESSAGE on the kind field, the discounts counting toward it, and the code fallback launches", async () => {
    for (let i = 1; i <= 25; i++) {
      const body = await gql(CAPPED, `mutation Seed($d: DiscountAutomaticBasicInput!) { discountAutomaticBasicCreate(automaticBasicDiscount: $d) { userErrors { message } } }`, {
        d: { title: `Seeded ${i}`, customerGets: { value: { percentage: 0.05 }, items: { all: true } } },
      });
      expect(body.data.discountAutomaticBasicCreate.userErrors).toEqual([]);
    }
    const preview = await previewBundleLaunch({ shop: CAPPED.domain, db: testDb(), now: new Date(), client: client(CAPPED), input: { items: `${pid(CAPPED, 1)},${pid(CAPPED, 2)}` } });
    expect(preview.cap.atCap).toBe(true);
    expect(preview.values.kind).toBe("code");

    const automatic = form(CAPPED, { kind: "automatic", code: undefined });
    const result = await launch(CAPPED, automatic);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.kind).toEqual([CAP_MESSAGE]);
    expect(result.cap?.message).toBe(CAP_MESSAGE);
    expect(result.cap?.active?.map((d) => d.title).sort()).toEqual(Array.from({ length: 25 }, (_, i) => `Seeded ${i + 1}`).sort());
    expect(await testDb().action.count({ where: { shop: CAPPED.domain } })).toBe(0);

    // The fallback: the same choices as a code discount, with a new key.
    const fallback = await launch(CAPPED, { ...automatic, kind: "code", code: "CAPPED-FALLBACK", idempotencyKey: randomUUID() });
    expect(fallback).toMatchObject({ ok: true, status: "ACTIVE", discount: { kind: "code", code: "CAPPED-FALLBACK" } });
    expect(await testDb().action.count({ where: { shop: CAPPED.domain } })).toBe(1);
  });
});

describe("pause, resume, end, sync and the storefront", () => {
  const offersOf = async (anchor: string) => {
    const read = await fx.readBack(local, A, [`gid://shopify/Product/${anchor}`]);
    const value = read.get(`gid://shopify/Product/${anchor}`)?.offers?.value;
    return value ? (JSON.parse(value) as { bundle: unknown }) : null;
  };
  const publish = () => publishStorefrontOffers({ shop: A.domain, db: testDb(), client: client(A), now: new Date() });

  it("the anchor's offers carry the bundle while it is active; pause and end take it away, and the Action ends with the end", async () => {
    const db = testDb();
    const anchor = pid(A, 5);
    const addOn = pid(A, 6);
    await fx.storeSnapshot(db, A.domain, { recommendations: { [anchor]: [fx.rec(Number(addOn), 40)] }, upgrades: [] }, new Date());
    const { queue, jobs } = recordingQueue();
    const fields = form(A, { anchors: anchor, addOns: addOn, percentOff: "12" });
    const launched = await launch(A, fields, client(A), queue);
    expect(launched).toMatchObject({ ok: true, status: "ACTIVE" });
    if (!launched.ok) return;
    expect((await publish()).status).toBe("SUCCEEDED");
    expect((await offersOf(anchor))?.bundle).toEqual({
      discountId: launched.discount.discountId,
      title: fields.title,
      percentOff: 12,
      products: [`gid://shopify/Product/${addOn}`],
      kind: "code",
      code: fields.code,
    });

    const args = { shop: A.domain, db, now: new Date(), client: client(A), queue, id: launched.discount.id };
    expect(await changeBundle({ ...args, intent: "pause" })).toMatchObject({ ok: true, discount: { status: "PAUSED" } });
    expect(jobs.length).toBe(2);
    expect((await publish()).status).toBe("SUCCEEDED");
    expect((await offersOf(anchor))?.bundle).toBeNull();

    const resumed = await changeBundle({ ...args, intent: "resume" });
    expect(resumed).toMatchObject({ ok: true, discount: { status: "ACTIVE" } });
    expect((await publish()).status).toBe("SUCCEEDED");
    expect((await offersOf(anchor))?.bundle).toMatchObject({ percentOff: 12 });

    expect(await changeBundle({ ...args, intent: "end" })).toMatchObject({ ok: true, discount: { status: "ENDED" } });
    expect((await publish()).status).toBe("SUCCEEDED");
    expect((await offersOf(anchor))?.bundle).toBeNull();
    const action = await db.action.findUniqueOrThrow({ where: { shop_id: { shop: A.domain, id: launched.actionId! } } });
    expect(action.status).toBe("ended");
    expect(action.endsAt!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("a segment-limited bundle is not shown on the storefront", async () => {
    const db = testDb();
    const anchor = pid(A, 7);
    await fx.storeSnapshot(db, A.domain, { recommendations: { [anchor]: [fx.rec(Number(pid(A, 8)), 40)] }, upgrades: [] }, new Date());
    await db.bundleDiscount.create({
      data: { shop: A.domain, idempotencyKey: randomUUID(), kind: "automatic", discountId: "gid://shopify/DiscountAutomaticNode/1", title: "Segment only", anchorProductIds: [anchor], addOnProductIds: [pid(A, 8)], percentOff: 10, startsAt: new Date(Date.now() - 60_000), combinesWith: {}, segmentIds: ["gid://shopify/Segment/5"], status: "ACTIVE" },
    });
    expect((await publish()).status).toBe("SUCCEEDED");
    expect((await offersOf(anchor))?.bundle).toBeNull();
  });

  it("a discount deleted or deactivated in the Shopify admin shows so after the (throttled) sync, which queues the publication", async () => {
    const db = testDb();
    const deleted = await launch(A, form(A));
    const deactivated = await launch(A, form(A, { kind: "automatic", code: undefined }));
    if (!deleted.ok || !deactivated.ok) throw new Error("launch failed");
    const del = await gql(A, `mutation Del($id: ID!) { discountCodeDelete(id: $id) { userErrors { message } } }`, { id: deleted.discount.discountId });
    expect(del.data.discountCodeDelete.userErrors).toEqual([]);
    const off = await gql(A, `mutation Off($id: ID!) { discountAutomaticDeactivate(id: $id) { userErrors { message } } }`, { id: deactivated.discount.discountId });
    expect(off.data.discountAutomaticDeactivate.userErrors).toEqual([]);

    resetSyncThrottle();
    const { queue, jobs } = recordingQueue();
    const now = new Date();
    const page = await bundlesPage({ shop: A.domain, db, now, client: client(A), queue });
    expect(page.syncError).toBeNull();
    const byId = new Map(page.bundles.map((b) => [b.id, b]));
    expect(byId.get(deleted.discount.id)).toMatchObject({ status: "DELETED_IN_SHOPIFY", statusLabel: "Deleted in Shopify", can: { pause: false, resume: false, end: false } });
    expect(byId.get(deactivated.discount.id)).toMatchObject({ status: "ENDED", edited: "Edited in Shopify: deactivated." });
    expect(jobs.map((j) => j.name)).toEqual(["storefront.publish"]);
    // The deleted discount's Action ends with it.
    expect((await db.action.findUniqueOrThrow({ where: { shop_id: { shop: A.domain, id: deleted.actionId! } } })).status).toBe("ended");

    // Within the minute the sync does not run again; after it, it does.
    const calls: { creates?: number } = {};
    const soon = await syncBundlesIfDue({ shop: A.domain, db, now: new Date(now.getTime() + SYNC_INTERVAL_MS - 1), client: client(A, calls), queue });
    expect(soon.synced).toBe(false);
    const later = await syncBundlesIfDue({ shop: A.domain, db, now: new Date(now.getTime() + SYNC_INTERVAL_MS), client: client(A), queue });
    expect(later.synced).toBe(true);
  });
});
