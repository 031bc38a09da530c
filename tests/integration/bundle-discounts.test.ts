/**
 * Bundle discounts (issue 12) launched into the local Shopify, on PGlite and PostgreSQL: code and automatic buy X get Y
 * discounts with the bundle's shape read back; a launch repeated with the same key (in turn, at once, or after an
 * interruption) makes one discount; the 25-active automatic cap and Shopify's user errors come back per field with a
 * FAILED row; pause and end change the discount in Shopify; the sync sees a discount deleted or deactivated in Shopify;
 * THROTTLED is retried; two shops never see each other's rows. Resume activates a paused discount; a bundle can be
 * limited to customer segments; a three-product bundle discounts one unit per add-on; the cap's list names what counts.
 * Resume gives a bundle its end day back (or is refused once it has passed); a title, end or percentage edited in the
 * Shopify admin (the local Shopify's discount*BxgyUpdate) is recorded by the sync and shown on the bundles page.
 */
import type { BundleDiscount } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundlesPage, changeBundle, resetSyncThrottle } from "../../app/lib/discounts/bundle-launch.server";
import { createAdminClient, type AdminApiErrorCode } from "../../app/shopify/client.server";
import { BUNDLE_DISCOUNT_NODE } from "../../app/shopify/graphql/BundleDiscountNode";
import {
  CAP_MESSAGE,
  DEFAULT_COMBINES_WITH,
  EDITED_PREFIX,
  endBundleDiscount,
  launchBundleDiscount,
  LAUNCH_LEASE_MS,
  listCappedAutomaticDiscounts,
  pauseBundleDiscount,
  RESUME_PAST_END_MESSAGE,
  resumeBundleDiscount,
  syncBundleDiscountStatus,
  type BundleLaunchInput,
} from "../../app/shopify/publish/discounts.server";
import { createShop } from "../factories";
import { createLocalShopify } from "../local-shopify";
import { testDb } from "../support/db";
import { seedStore, shopFixture, type ShopFixture } from "../support/publish-fixtures";
import * as fx from "../support/publish-fixtures";

const local = createLocalShopify({ plan: { maximumAvailable: 20_000, restoreRate: 1_000 } });

const A = shopFixture("bundle-a.myshopify.com", 61, 1000, "shpat_bundle_a");
const B = shopFixture("bundle-b.myshopify.com", 62, 5000, "shpat_bundle_b");
/** The shop that reaches the automatic cap. */
const C = shopFixture("bundle-c.myshopify.com", 63, 9000, "shpat_bundle_c");

interface Hooked {
  retries: AdminApiErrorCode[];
  creates: number;
  /** Runs once, just before the next *BxgyCreate request reaches the local Shopify. */
  beforeNextCreate?: () => void;
  /** The local Shopify answers the next create, but the answer is lost on the way back. */
  loseNextCreateAnswer?: boolean;
}

function client(f: ShopFixture, hooks: Hooked = { retries: [], creates: 0 }) {
  const admin = createAdminClient({
    shop: f.domain,
    accessToken: f.token,
    baseDelayMs: 5,
    maxAttempts: 6,
    onRetry: ({ code }) => hooks.retries.push(code),
    fetch: async (input, init) => {
      const body = JSON.parse(String(init?.body ?? "{}")) as { query?: string };
      const create = /mutation Discount\w+BxgyCreate/.test(body.query ?? "");
      if (create) {
        hooks.creates++;
        const hook = hooks.beforeNextCreate;
        hooks.beforeNextCreate = undefined;
        hook?.();
      }
      const response = await fetch(String(input instanceof Request ? input.url : input).replace(`https://${f.domain}`, local.origin), init);
      if (create && hooks.loseNextCreateAnswer) {
        hooks.loseNextCreateAnswer = false;
        await response.text();
        throw new TypeError("fetch failed: the connection was reset");
      }
      return response;
    },
  });
  return { admin, hooks };
}

const gql = (f: ShopFixture, query: string, variables?: Record<string, unknown>) => fx.unthrottled(local, f, query, variables);

async function readDiscount(f: ShopFixture, id: string) {
  const body = await gql(f, BUNDLE_DISCOUNT_NODE, { id });
  expect(body.errors).toBeUndefined();
  return body.data.discountNode;
}

/** Every discount in the shop's local Shopify: title, type and status. */
async function allDiscounts(f: ShopFixture) {
  const body = await gql(f, `query AllDiscounts { discountNodes(first: 100) { nodes { id discount { __typename ... on DiscountCodeBxgy { title status } ... on DiscountAutomaticBxgy { title status } ... on DiscountAutomaticBasic { title status } } } } }`);
  expect(body.errors).toBeUndefined();
  return body.data.discountNodes.nodes.map((n: { id: string; discount: { __typename: string; title: string; status: string } }) => ({ id: n.id, ...n.discount }));
}

const count = async (f: ShopFixture, title: string) => (await allDiscounts(f)).filter((d: { title: string }) => d.title === title).length;

const pid = (f: ShopFixture, n: number) => String(f.base + n);
let keys = 0;
const input = (f: ShopFixture, over: Partial<BundleLaunchInput> = {}): BundleLaunchInput => {
  const n = ++keys;
  return {
    idempotencyKey: `key-${n}`,
    kind: "code",
    code: `BUNDLE${n}`,
    title: `Laptop + mouse ${n}`,
    anchors: [pid(f, 1), `gid://shopify/Product/${pid(f, 3)}`],
    addOns: [pid(f, 2)],
    percentOff: 15,
    startsAt: new Date(Date.now() - 60_000),
    ...over,
  };
};

const launch = (f: ShopFixture, i: BundleLaunchInput, c = client(f)) => launchBundleDiscount({ shop: f.domain, db: testDb(), client: c.admin, now: new Date(), input: i });

beforeAll(async () => {
  const db = testDb();
  for (const f of [A, B, C]) {
    local.addShop(seedStore(f.domain, f.shopId, f.base));
    local.issueAccessToken(f.domain, f.token);
    await createShop(db, { domain: f.domain });
  }
  await local.listen();
});
afterAll(() => local.close());

describe("launching a bundle as a Shopify discount", () => {
  it("a code launch creates one buy X get Y code discount with the bundle's shape", async () => {
    const action = await testDb().action.create({
      data: { shop: A.domain, kind: "bundle-discount", title: "Laptop + mouse", target: {}, startsAt: new Date(), metric: "attach-rate", goalValue: 0.02, goalDirection: "increase", evaluationDays: 28 },
    });
    const i = input(A, { percentOff: 15, actionId: action.id });
    const result = await launch(A, i);
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    expect(result.created).toBe(true);
    expect(result.discount).toMatchObject({ shop: A.domain, actionId: action.id, status: "ACTIVE", kind: "code", code: i.code, anchorProductIds: [pid(A, 1), pid(A, 3)], addOnProductIds: [pid(A, 2)], lastError: null });
    expect(result.discount.discountId).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
    expect(result.discount.combinesWith).toEqual({ productDiscounts: false, orderDiscounts: true, shippingDiscounts: true });

    const node = await readDiscount(A, result.discount.discountId!);
    expect(node.discount).toMatchObject({
      __typename: "DiscountCodeBxgy",
      title: i.title,
      status: "ACTIVE",
      codes: { nodes: [{ code: i.code }] },
      combinesWith: DEFAULT_COMBINES_WITH,
      customerBuys: { value: { quantity: "1" }, items: { products: { nodes: [{ id: `gid://shopify/Product/${pid(A, 1)}` }, { id: `gid://shopify/Product/${pid(A, 3)}` }] } } },
      customerGets: { value: { quantity: { quantity: "1" }, effect: { percentage: 0.15 } }, items: { products: { nodes: [{ id: `gid://shopify/Product/${pid(A, 2)}` }] } } },
      usesPerOrderLimit: 1,
    });
    expect(await count(A, i.title)).toBe(1);
  });

  it("an automatic launch creates one automatic buy X get Y discount, combinesWith as chosen", async () => {
    const combinesWith = { productDiscounts: true, orderDiscounts: false, shippingDiscounts: true };
    const i = input(A, { kind: "automatic", code: undefined, percentOff: 40, combinesWith });
    const result = await launch(A, i);
    expect(result).toMatchObject({ ok: true, created: true, discount: { status: "ACTIVE", kind: "automatic", code: null } });
    if (!result.ok) return;
    expect(result.discount.discountId).toMatch(/^gid:\/\/shopify\/DiscountAutomaticNode\/\d+$/);
    const node = await readDiscount(A, result.discount.discountId!);
    expect(node.discount).toMatchObject({
      __typename: "DiscountAutomaticBxgy",
      title: i.title,
      status: "ACTIVE",
      combinesWith,
      customerGets: { value: { quantity: { quantity: "1" }, effect: { percentage: 0.4 } } },
      usesPerOrderLimit: 1,
    });
    expect(await count(A, i.title)).toBe(1);
  });

  it("launching twice with the same key (in turn, then at once) creates one discount", async () => {
    const i = input(A);
    const c = client(A);
    const first = await launch(A, i, c);
    const second = await launch(A, i, c);
    expect(first).toMatchObject({ ok: true, created: true });
    expect(second).toMatchObject({ ok: true, created: false });
    expect(second.discount?.id).toBe(first.discount?.id);
    expect(c.hooks.creates).toBe(1);
    expect(await count(A, i.title)).toBe(1);

    const j = input(A, { kind: "automatic", code: undefined });
    const both = await Promise.all([launch(A, j, c), launch(A, j, c)]);
    expect(c.hooks.creates).toBe(2);
    expect(new Set(both.map((r) => r.discount?.id)).size).toBe(1);
    expect(await count(A, j.title)).toBe(1);
    expect(await testDb().bundleDiscount.count({ where: { shop: A.domain, idempotencyKey: { in: [i.idempotencyKey, j.idempotencyKey] } } })).toBe(2);
  });

  it("a launch interrupted after Shopify created the discount is resumed by adopting it, not creating a twin", async () => {
    // Code: the create's answer is lost; the client's retry is answered TAKEN and the launch adopts its own discount.
    const i = input(A);
    const lossy = client(A);
    lossy.hooks.loseNextCreateAnswer = true;
    const result = await launch(A, i, lossy);
    expect(lossy.hooks.retries).toContain("NETWORK");
    expect(result).toMatchObject({ ok: true, created: false, discount: { status: "ACTIVE" } });
    expect(await count(A, i.title)).toBe(1);

    // Automatic: the process died between the create and the row's update (the row is PENDING past its lease).
    const j = input(A, { kind: "automatic", code: undefined });
    const created = await gql(A, `mutation Seed($d: DiscountAutomaticBxgyInput!) { discountAutomaticBxgyCreate(automaticBxgyDiscount: $d) { automaticDiscountNode { id } userErrors { field message } } }`, {
      d: {
        title: j.title,
        customerBuys: { value: { quantity: "1" }, items: { products: { productsToAdd: [`gid://shopify/Product/${pid(A, 1)}`] } } },
        customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 0.15 } } }, items: { products: { productsToAdd: [`gid://shopify/Product/${pid(A, 2)}`] } } },
      },
    });
    expect(created.data.discountAutomaticBxgyCreate.userErrors).toEqual([]);
    const long = new Date(Date.now() - LAUNCH_LEASE_MS - 1_000);
    await testDb().bundleDiscount.create({
      data: { shop: A.domain, idempotencyKey: j.idempotencyKey, kind: "automatic", title: j.title, anchorProductIds: [pid(A, 1)], addOnProductIds: [pid(A, 2)], percentOff: 15, startsAt: long, combinesWith: DEFAULT_COMBINES_WITH as object, status: "PENDING", updatedAt: long },
    });
    const c = client(A);
    const resumed = await launch(A, j, c);
    expect(resumed).toMatchObject({ ok: true, created: false, discount: { status: "ACTIVE", discountId: created.data.discountAutomaticBxgyCreate.automaticDiscountNode.id } });
    expect(c.hooks.creates).toBe(0);
    expect(await count(A, j.title)).toBe(1);
  });

  it("at the 25-active automatic cap the row is FAILED with a message naming the cap; a code discount still launches", async () => {
    for (let n = 1; n <= 25; n++) {
      const body = await gql(C, `mutation Seed($d: DiscountAutomaticBasicInput!) { discountAutomaticBasicCreate(automaticBasicDiscount: $d) { userErrors { field message } } }`, {
        d: { title: `Seeded ${n}`, customerGets: { value: { percentage: 0.05 }, items: { all: true } } },
      });
      expect(body.data.discountAutomaticBasicCreate.userErrors).toEqual([]);
    }
    expect((await allDiscounts(C)).filter((d: { status: string }) => d.status === "ACTIVE")).toHaveLength(25);

    const i = input(C, { kind: "automatic", code: undefined });
    const result = await launch(C, i);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({ field: [], message: CAP_MESSAGE });
    expect(CAP_MESSAGE).toMatch(/25 automatic discounts/);
    expect(CAP_MESSAGE).toMatch(/code discount/);
    expect(result.errors.some((e) => e.code === "ACTIVE_PERIOD_OVERLAP")).toBe(true);
    expect(result.discount).toMatchObject({ status: "FAILED", discountId: null });
    expect(result.discount?.lastError).toContain(CAP_MESSAGE);
    expect(await count(C, i.title)).toBe(0);

    const fallback = await launch(C, input(C));
    expect(fallback).toMatchObject({ ok: true, created: true, discount: { status: "ACTIVE", kind: "code" } });
  });

  it("Shopify's user errors come back per field and nothing is ACTIVE; bad input is refused before Shopify", async () => {
    const taken = input(A, { code: "BUNDLE1" }); // the first test's code
    const c = client(A);
    const result = await launch(A, taken, c);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toContainEqual({ field: ["bxgyCodeDiscount", "code"], message: "Code must be unique. Please try a different code.", code: "TAKEN" });
    expect(result.discount).toMatchObject({ status: "FAILED", discountId: null });
    expect(await count(A, taken.title)).toBe(0);

    const unknownProduct = input(A, { addOns: ["999999"] });
    const refused = await launch(A, unknownProduct, c);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.errors).toContainEqual(expect.objectContaining({ field: ["bxgyCodeDiscount", "customerGets", "items", "products", "productsToAdd", "0"], code: "INVALID" }));

    const creates = c.hooks.creates;
    const tooMuch = await launch(A, input(A, { percentOff: 95 }), c);
    expect(tooMuch).toMatchObject({ ok: false, discount: null });
    if (!tooMuch.ok) expect(tooMuch.errors.map((e) => e.field)).toEqual([["percentOff"]]);
    const noCode = await launch(A, input(A, { code: undefined }), c);
    if (!noCode.ok) expect(noCode.errors.map((e) => e.field)).toEqual([["code"]]);
    expect(noCode.ok).toBe(false);
    const otherShopsAction = await testDb().action.create({
      data: { shop: B.domain, kind: "bundle-discount", title: "B's bundle", target: {}, startsAt: new Date(), metric: "attach-rate", goalValue: 0.02, goalDirection: "increase", evaluationDays: 28 },
    });
    const foreign = await launch(A, input(A, { actionId: otherShopsAction.id }), c);
    expect(foreign).toMatchObject({ ok: false, discount: null, errors: [{ field: ["actionId"] }] });
    expect(c.hooks.creates).toBe(creates);
    const rows = await testDb().bundleDiscount.findMany({ where: { shop: A.domain, idempotencyKey: { in: [taken.idempotencyKey, unknownProduct.idempotencyKey] } } });
    expect(rows.map((r) => r.status)).toEqual(["FAILED", "FAILED"]);
  });

  it("pause deactivates and end deletes the discount in Shopify, code and automatic", async () => {
    for (const kind of ["code", "automatic"] as const) {
      const launched = await launch(A, input(A, kind === "code" ? {} : { kind, code: undefined }));
      expect(launched.ok).toBe(true);
      const id = launched.discount!.id;
      const args = { shop: A.domain, db: testDb(), client: client(A).admin, id };
      const paused = await pauseBundleDiscount(args);
      expect(paused).toMatchObject({ ok: true, discount: { status: "PAUSED" } });
      expect((await readDiscount(A, launched.discount!.discountId!)).discount.status).toBe("EXPIRED");
      expect(await pauseBundleDiscount(args)).toMatchObject({ ok: false });
      const ended = await endBundleDiscount(args);
      expect(ended).toMatchObject({ ok: true, discount: { status: "ENDED" } });
      expect(await readDiscount(A, launched.discount!.discountId!)).toBeNull();
    }
  });

  it("the sync sees a discount deleted or deactivated directly in Shopify", async () => {
    const deleted = await launch(B, input(B));
    const deactivated = await launch(B, input(B, { kind: "automatic", code: undefined }));
    const untouched = await launch(B, input(B));
    const del = await gql(B, `mutation Del($id: ID!) { discountCodeDelete(id: $id) { userErrors { message } } }`, { id: deleted.discount!.discountId });
    expect(del.data.discountCodeDelete.userErrors).toEqual([]);
    const off = await gql(B, `mutation Off($id: ID!) { discountAutomaticDeactivate(id: $id) { userErrors { message } } }`, { id: deactivated.discount!.discountId });
    expect(off.data.discountAutomaticDeactivate.userErrors).toEqual([]);

    const synced = await syncBundleDiscountStatus({ shop: B.domain, db: testDb(), client: client(B).admin });
    const byId = new Map(synced.map((r) => [r.id, r]));
    expect(byId.get(deleted.discount!.id)?.status).toBe("DELETED_IN_SHOPIFY");
    expect(byId.get(deactivated.discount!.id)?.status).toBe("ENDED");
    expect(byId.get(deactivated.discount!.id)?.endsAt).not.toBeNull();
    expect(byId.get(untouched.discount!.id)?.status).toBe("ACTIVE");
    expect(synced.every((r) => r.shop === B.domain)).toBe(true);
  });

  it("a THROTTLED create is retried by the client and the launch succeeds once", async () => {
    const bucket = local.shop(A.domain).bucket;
    let drained = false;
    const c = client(A);
    // The bucket is emptied the instant the create is priced: the real bucket refuses it with THROTTLED.
    c.hooks.beforeNextCreate = () => {
      const take = bucket.take.bind(bucket);
      bucket.take = (cost: number) => {
        bucket.take = take;
        drained = take(bucket.status().currentlyAvailable);
        return take(cost);
      };
    };
    const i = input(A);
    const result = await launch(A, i, c);
    expect(drained).toBe(true);
    expect(c.hooks.retries).toContain("THROTTLED");
    expect(c.hooks.creates).toBe(2);
    expect(result).toMatchObject({ ok: true, created: true, discount: { status: "ACTIVE" } });
    expect(await count(A, i.title)).toBe(1);
  });

  it("two shops are isolated: the same key launches in each, and one shop cannot change or sync the other's", async () => {
    const key = `shared-${++keys}`;
    const a = await launch(A, input(A, { idempotencyKey: key }));
    const b = await launch(B, input(B, { idempotencyKey: key }));
    expect(a).toMatchObject({ ok: true, created: true });
    expect(b).toMatchObject({ ok: true, created: true });
    expect(a.discount!.id).not.toBe(b.discount!.id);
    expect(await readDiscount(B, a.discount!.discountId!)).toBeNull();

    const crossPause = await pauseBundleDiscount({ shop: B.domain, db: testDb(), client: client(B).admin, id: a.discount!.id });
    expect(crossPause).toMatchObject({ ok: false, discount: null });
    const crossEnd = await endBundleDiscount({ shop: B.domain, db: testDb(), client: client(B).admin, id: a.discount!.id });
    expect(crossEnd).toMatchObject({ ok: false, discount: null });
    expect(await testDb().bundleDiscount.findUnique({ where: { shop_id: { shop: A.domain, id: a.discount!.id } } })).toMatchObject({ status: "ACTIVE" });
    expect((await readDiscount(A, a.discount!.discountId!)).discount.status).toBe("ACTIVE");

    const synced = await syncBundleDiscountStatus({ shop: B.domain, db: testDb(), client: client(B).admin, id: a.discount!.id });
    expect(synced).toEqual([]);
  });

  it("resume activates a paused discount again in Shopify, code and automatic, and reads its dates back", async () => {
    for (const kind of ["code", "automatic"] as const) {
      const launched = await launch(A, input(A, kind === "code" ? {} : { kind, code: undefined }));
      expect(launched.ok).toBe(true);
      const args = { shop: A.domain, db: testDb(), client: client(A).admin, id: launched.discount!.id, now: new Date() };
      expect(await resumeBundleDiscount(args)).toMatchObject({ ok: false, errors: [{ field: ["status"] }] });
      expect(await pauseBundleDiscount(args)).toMatchObject({ ok: true, discount: { status: "PAUSED" } });
      const resumed = await resumeBundleDiscount(args);
      expect(resumed).toMatchObject({ ok: true, discount: { status: "ACTIVE", lastError: null } });
      const node = await readDiscount(A, launched.discount!.discountId!);
      expect(node.discount.status).toBe("ACTIVE");
      // The row holds Shopify's dates after the activation (no "edited in Shopify" note for the app's own change).
      expect(resumed.discount!.endsAt === null ? null : resumed.discount!.endsAt.toISOString().slice(0, 19)).toBe(node.discount.endsAt === null ? null : String(node.discount.endsAt).slice(0, 19));
      const synced = await syncBundleDiscountStatus({ ...args, id: launched.discount!.id });
      expect(synced[0]).toMatchObject({ status: "ACTIVE", lastError: null });
    }
  });

  it("resume gives the discount its end day back (activation clears it in Shopify), code and automatic", async () => {
    for (const kind of ["code", "automatic"] as const) {
      const endsAt = new Date(Math.ceil((Date.now() + 7 * 86_400_000) / 1000) * 1000);
      const launched = await launch(A, input(A, kind === "code" ? { endsAt } : { kind, code: undefined, endsAt }));
      expect(launched).toMatchObject({ ok: true, discount: { endsAt } });
      const args = { shop: A.domain, db: testDb(), client: client(A).admin, id: launched.discount!.id, now: new Date() };
      expect(await pauseBundleDiscount(args)).toMatchObject({ ok: true, discount: { status: "PAUSED" } });
      // While paused, Shopify's end is the pause; the sync keeps the bundle's own end on the row.
      const whilePaused = await syncBundleDiscountStatus(args);
      expect(whilePaused[0]).toMatchObject({ status: "PAUSED", endsAt, lastError: null });
      const resumed = await resumeBundleDiscount({ ...args, now: new Date() });
      expect(resumed).toMatchObject({ ok: true, discount: { status: "ACTIVE", endsAt, lastError: null } });
      const node = await readDiscount(A, launched.discount!.discountId!);
      expect(node.discount).toMatchObject({ status: "ACTIVE", endsAt: endsAt.toISOString().replace(".000Z", "Z") });
      const synced = await syncBundleDiscountStatus(args);
      expect(synced[0]).toMatchObject({ status: "ACTIVE", endsAt, lastError: null });
    }
  });

  it("resume is refused once the bundle's end day has passed, and the discount stays paused", async () => {
    const db = testDb();
    await db.session.upsert({
      where: { id: `offline_${A.domain}` },
      create: { id: `offline_${A.domain}`, shop: A.domain, state: "installed", isOnline: false, scope: "write_discounts", accessToken: A.token },
      update: {},
    });
    for (const kind of ["code", "automatic"] as const) {
      const endsAt = new Date(Date.now() + 3 * 86_400_000);
      const launched = await launch(A, input(A, kind === "code" ? { endsAt } : { kind, code: undefined, endsAt }));
      const args = { shop: A.domain, db, client: client(A).admin, id: launched.discount!.id };
      expect(await pauseBundleDiscount(args)).toMatchObject({ ok: true });
      const later = new Date(endsAt.getTime() + 1000);
      const refused = await resumeBundleDiscount({ ...args, now: later });
      expect(refused).toMatchObject({ ok: false, discount: { status: "PAUSED" }, errors: [{ field: [], message: RESUME_PAST_END_MESSAGE }] });
      // Through the page's service, the merchant reads the same message.
      const viaPage = await changeBundle({ shop: A.domain, db, now: later, client: args.client, id: args.id, intent: "resume" });
      expect(viaPage).toMatchObject({ ok: false, errors: { form: [RESUME_PAST_END_MESSAGE] } });
      expect((await readDiscount(A, launched.discount!.discountId!)).discount.status).toBe("EXPIRED");
      expect(await db.bundleDiscount.findUnique({ where: { shop_id: { shop: A.domain, id: args.id } } })).toMatchObject({ status: "PAUSED", endsAt });
    }
  });

  it("the sync records a title, end or percentage edited in the Shopify admin, and the bundles page shows it until the app's next change", async () => {
    const db = testDb();
    const edit = async (kind: "code" | "automatic", id: string, change: Record<string, unknown>) => {
      const mutation =
        kind === "code"
          ? `mutation Edit($id: ID!, $input: DiscountCodeBxgyInput!) { discountCodeBxgyUpdate(id: $id, bxgyCodeDiscount: $input) { userErrors { field message } } }`
          : `mutation Edit($id: ID!, $input: DiscountAutomaticBxgyInput!) { discountAutomaticBxgyUpdate(id: $id, automaticBxgyDiscount: $input) { userErrors { field message } } }`;
      const body = await gql(B, mutation, { id, input: change });
      expect(body.errors).toBeUndefined();
      expect(Object.values(body.data)[0]).toEqual({ userErrors: [] });
    };
    const newEnd = new Date(Math.ceil((Date.now() + 20 * 86_400_000) / 1000) * 1000);
    const percentage = { customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 0.3 } } } } };
    const cases = [
      { kind: "code" as const, change: { title: "Renamed by the merchant" }, said: "title changed", row: { title: "Renamed by the merchant" } },
      { kind: "code" as const, change: { endsAt: newEnd.toISOString() }, said: "end changed", row: { endsAt: newEnd } },
      { kind: "code" as const, change: percentage, said: "percentage changed", row: { percentOff: 30 } },
      {
        kind: "automatic" as const,
        change: { title: "Merchant's weekend deal", endsAt: newEnd.toISOString(), ...percentage },
        said: "title, end, percentage changed",
        row: { title: "Merchant's weekend deal", endsAt: newEnd, percentOff: 30 },
      },
    ];
    const launched: BundleDiscount[] = [];
    for (const c of cases) {
      const result = await launch(B, input(B, { endsAt: new Date(Date.now() + 10 * 86_400_000), ...(c.kind === "code" ? {} : { kind: c.kind, code: undefined }) }));
      expect(result).toMatchObject({ ok: true, discount: { percentOff: 15, lastError: null } });
      launched.push(result.discount!);
    }
    const untouched = await syncBundleDiscountStatus({ shop: B.domain, db, client: client(B).admin });
    expect(untouched.filter((r) => launched.some((l) => l.id === r.id)).map((r) => r.lastError)).toEqual(cases.map(() => null));

    for (const [i, c] of cases.entries()) await edit(c.kind, launched[i]!.discountId!, c.change);
    const synced = new Map((await syncBundleDiscountStatus({ shop: B.domain, db, client: client(B).admin })).map((r) => [r.id, r]));
    resetSyncThrottle();
    const page = await bundlesPage({ shop: B.domain, db, now: new Date(), client: client(B).admin });
    expect(page.syncError).toBeNull();
    for (const [i, c] of cases.entries()) {
      const row = synced.get(launched[i]!.id);
      expect(row, c.said).toMatchObject({ status: "ACTIVE", ...c.row, lastError: `${EDITED_PREFIX}${c.said}.` });
      const shown = page.bundles.find((b) => b.id === launched[i]!.id);
      expect(shown, c.said).toMatchObject({ edited: `Edited in Shopify: ${c.said}.`, error: null, title: row!.title, percentOff: row!.percentOff });
    }
    // The note stays through later syncs and goes with the app's next change.
    const again = await syncBundleDiscountStatus({ shop: B.domain, db, client: client(B).admin, id: launched[0]!.id });
    expect(again[0]!.lastError).toBe(`${EDITED_PREFIX}title changed.`);
    expect(await pauseBundleDiscount({ shop: B.domain, db, client: client(B).admin, id: launched[0]!.id })).toMatchObject({ ok: true, discount: { lastError: null } });
  });

  it("a bundle limited to a customer segment is a discount for that segment's customers only", async () => {
    const made = await gql(A, `mutation Seg { segmentCreate(name: "Bundle buyers", query: "customer_tags CONTAINS 'vip'") { segment { id } userErrors { message } } }`);
    expect(made.data.segmentCreate.userErrors).toEqual([]);
    const segmentId = made.data.segmentCreate.segment.id as string;
    for (const kind of ["code", "automatic"] as const) {
      const result = await launch(A, input(A, kind === "code" ? { segmentIds: [segmentId] } : { kind, code: undefined, segmentIds: [segmentId] }));
      expect(result).toMatchObject({ ok: true, discount: { segmentIds: [segmentId], status: "ACTIVE" } });
      const body = await gql(A, `query Ctx($id: ID!) { discountNode(id: $id) { discount { ... on DiscountCodeBxgy { context { __typename ... on DiscountCustomerSegments { segments { id } } } } ... on DiscountAutomaticBxgy { context { __typename ... on DiscountCustomerSegments { segments { id } } } } } } }`, { id: result.discount!.discountId });
      expect(body.errors).toBeUndefined();
      expect(body.data.discountNode.discount.context).toEqual({ __typename: "DiscountCustomerSegments", segments: [{ id: segmentId }] });
    }
    const bad = await launch(A, input(A, { segmentIds: ["not-a-segment"] }));
    expect(bad).toMatchObject({ ok: false, discount: null, errors: [{ field: ["segmentIds", "0"] }] });
  });

  it("a three-product bundle discounts one unit per add-on", async () => {
    const result = await launch(A, input(A, { anchors: [pid(A, 1)], addOns: [pid(A, 2), pid(A, 4)] }));
    expect(result.ok).toBe(true);
    const node = await readDiscount(A, result.discount!.discountId!);
    expect(node.discount.customerGets.value.quantity).toEqual({ quantity: "2" });
    expect(node.discount.usesPerOrderLimit).toBe(1);
  });

  it("the cap's list names the automatic discounts active or scheduled, not the expired ones", async () => {
    const live = await launch(B, input(B, { kind: "automatic", code: undefined, title: "Listed live" }));
    const later = await launch(B, input(B, { kind: "automatic", code: undefined, title: "Listed later", startsAt: new Date(Date.now() + 86_400_000) }));
    const gone = await launch(B, input(B, { kind: "automatic", code: undefined, title: "Listed gone" }));
    expect([live.ok, later.ok, gone.ok]).toEqual([true, true, true]);
    await pauseBundleDiscount({ shop: B.domain, db: testDb(), client: client(B).admin, id: gone.discount!.id });
    const listed = await listCappedAutomaticDiscounts(client(B).admin);
    const titles = listed.map((d) => d.title);
    expect(titles).toEqual(expect.arrayContaining(["Listed live", "Listed later"]));
    expect(titles).not.toContain("Listed gone");
    expect(listed.find((d) => d.title === "Listed later")?.status).toBe("SCHEDULED");
  });
});
