/**
 * Segments to Shopify (issue 12) against the local Shopify, on PGlite and PostgreSQL: a published RFM group tags
 * exactly its members (oracle: the members picked in this test from the CustomerScore rows it wrote), a sticky 10 %
 * holdout carries only the holdout tag, the Shopify segments count what the tags say; a member who leaves loses the
 * tag on the next pass; unpublish leaves no app tag and no segment; THROTTLED is waited out; a 5xx the client gives up
 * on mid-tagging fails the pass and the next pass completes it without repeating the tagged customers; an unpublish
 * interrupted the same way completes with no stray tag; Shopify's user errors come back by field; a redacted customer
 * is never tagged; a second shop's publication is untouched. A segmentCreate whose answer is lost (Shopify made the
 * segment, the app never heard) is adopted on the retry, in the form and in the pass, while a merchant's segment of the
 * same name with another query still refuses the name. The members wanted when the first pass completes are marked
 * atLaunch: a member who leaves and rejoins after launch stays in the campaign's cohort, a later joiner is not in it.
 */
import type { SegmentPublication } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactCustomer } from "../../app/lib/compliance/customer-data.server";
import { customerHash } from "../../app/lib/compliance/redacted.server";
import {
  HOLDOUT_SEGMENT_SUFFIX,
  publishSegment,
  resyncPublishedSegments,
  syncSegmentPublications,
  TAG_PREFIX,
  unpublishSegment,
} from "../../app/lib/segments/publish.server";
import { isHeldOut } from "../../app/insights/segments/holdout";
import { evaluateCampaignAction } from "../../app/lib/segments/campaign-evaluation.server";
import { createAdminClient, type AdminApiErrorCode } from "../../app/shopify/client.server";
import { createOrAdoptSegment, segmentMemberCount, tagQuery } from "../../app/shopify/publish/segments.server";
import { createShop } from "../factories";
import { createLocalShopify } from "../local-shopify";
import type { SeedCustomer } from "../local-shopify/seed";
import { testDb } from "../support/db";
import * as fx from "../support/publish-fixtures";

const local = createLocalShopify({ plan: { maximumAvailable: 20_000, restoreRate: 1_000 } });
const NOW = new Date("2026-06-01T03:00:00Z");
const CUSTOMERS = 400;

interface Shop {
  domain: string;
  shopId: number;
  base: number;
  token: string;
  /** Customer ids whose tagsAdd / tagsRemove reached the local Shopify (answered or not). */
  adds: string[];
  removes: string[];
  retries: AdminApiErrorCode[];
  /** Runs before each tag mutation reaches the local Shopify, with how many were sent before it. */
  beforeTag?: (sent: number) => void;
  /** While set, the local Shopify answers every request with this HTTP status (a fault injected per request). */
  failWith?: number;
  /**
   * The next `times` requests whose document matches `op` reach the local Shopify and are carried out, but their answer
   * is lost on the way back (the fetch fails as a dropped connection does): Shopify did it, the app never heard.
   */
  loseAnswer?: { op: RegExp; times: number };
  /** Documents sent, by operation name (answered or not). */
  ops: string[];
}

const shopOf = (domain: string, shopId: number, base: number, token: string): Shop => ({ domain, shopId, base, token, adds: [], removes: [], retries: [], ops: [] });
const A = shopOf("segments-a.myshopify.com", 71, 100_000, "shpat_segments_a");
const B = shopOf("segments-b.myshopify.com", 72, 200_000, "shpat_segments_b");

/** The customer that has 250 tags already in Shopify (a champion: the tag limit refuses ours). */
const FULL = (s: Shop) => String(s.base + 2);

function seedCustomers(s: Shop): SeedCustomer[] {
  return Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: s.base + i + 1,
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
    tags: s.base + i + 1 === Number(FULL(s)) ? Array.from({ length: 250 }, (_, t) => `t${t}`) : ["age:23-30"],
    locale: "vi",
    countryCode: "VN",
    emailMarketingState: "SUBSCRIBED",
    rfmGroup: null,
    predictedSpendTier: null,
  }));
}

/** The app's scores: even customers are CHAMPIONS, odd ones LOYAL. */
const groupOf = (i: number) => (i % 2 === 0 ? "CHAMPIONS" : "LOYAL");
const scores = new Map<string, Map<string, string>>(); // shop -> customer -> group

async function storeScores(s: Shop) {
  const db = testDb();
  const ids = Array.from({ length: CUSTOMERS }, (_, i) => String(s.base + i + 1));
  await db.customer.createMany({ data: ids.map((id) => ({ shop: s.domain, id, createdAt: new Date("2025-01-01T00:00:00Z") })) });
  await db.customerScore.createMany({
    data: ids.map((id, i) => ({ shop: s.domain, customerId: id, computedAt: NOW, orders: 2, x: 1, tx: 10, age: 100, totalSpend: BigInt(1000 * (i + 1)), meanRepeatSpend: 0n, pAlive: 0.9, clv: BigInt(500 * (i + 1)), rfmGroup: groupOf(i + 1) })),
  });
  scores.set(s.domain, new Map(ids.map((id, i) => [id, groupOf(i + 1)])));
}

/** The oracle: champions per the rows this test wrote (minus what it changed since). */
const champions = (s: Shop) => [...scores.get(s.domain)!].filter(([, g]) => g === "CHAMPIONS").map(([id]) => id).sort();

function client(s: Shop, { maxAttempts = 6 }: { maxAttempts?: number } = {}) {
  let sent = 0;
  return createAdminClient({
    shop: s.domain,
    accessToken: s.token,
    baseDelayMs: 2,
    maxAttempts,
    onRetry: ({ code }) => s.retries.push(code),
    fetch: async (input, init) => {
      const body = JSON.parse(String(init?.body ?? "{}")) as { query?: string; variables?: { id?: string } };
      const tagOp = /mutation Tags(Add|Remove)/.exec(body.query ?? "");
      if (tagOp) {
        (tagOp[1] === "Add" ? s.adds : s.removes).push(String(body.variables?.id).split("/").pop()!);
        s.beforeTag?.(sent++);
      }
      s.ops.push(/(?:query|mutation)\s+(\w+)/.exec(body.query ?? "")?.[1] ?? "?");
      if (s.failWith) local.inject({ kind: "status", status: s.failWith, path: /graphql/ });
      const url = String(input instanceof Request ? input.url : input).replace(`https://${s.domain}`, local.origin);
      if (s.loseAnswer && s.loseAnswer.times > 0 && s.loseAnswer.op.test(body.query ?? "")) {
        s.loseAnswer.times--;
        const answered = await fetch(url, init);
        await answered.text(); // Shopify carried it out ...
        throw new TypeError("fetch failed: other side closed"); // ... and the answer never arrived
      }
      return fetch(url, init);
    },
  });
}

const gql = (s: Shop, query: string, variables?: Record<string, unknown>) => fx.unthrottled(local, s as unknown as fx.ShopFixture, query, variables);

/** Every customer's tags in the local Shopify, read back through the Admin API. */
async function shopifyTags(s: Shop): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let after: string | null = null;
  for (;;) {
    const body = await gql(s, `query AllTags($after: String) { customers(first: 250, after: $after) { nodes { id tags } pageInfo { hasNextPage endCursor } } }`, { after });
    expect(body.errors).toBeUndefined();
    for (const n of body.data.customers.nodes as { id: string; tags: string[] }[]) out.set(n.id.split("/").pop()!, n.tags);
    if (!body.data.customers.pageInfo.hasNextPage) return out;
    after = body.data.customers.pageInfo.endCursor;
  }
}

const carrying = (tags: Map<string, string[]>, tag: string) => [...tags].filter(([, t]) => t.some((x) => x.toLowerCase() === tag.toLowerCase())).map(([id]) => id).sort();
const appTagged = (tags: Map<string, string[]>) => [...tags].filter(([, t]) => t.some((x) => x.startsWith(TAG_PREFIX))).map(([id]) => id);

async function shopifySegments(s: Shop): Promise<{ id: string; name: string; query: string }[]> {
  const body = await gql(s, `query Segs { segments(first: 250) { nodes { id name query } } }`);
  expect(body.errors).toBeUndefined();
  return body.data.segments.nodes;
}

const campaign = { metric: "orders-per-customer", goalPercent: "5", evaluationDays: "30" };

async function publish(s: Shop, over: Record<string, unknown> = {}) {
  const result = await publishSegment({ shop: s.domain, db: testDb(), now: NOW, client: client(s), input: { segment: "rfm:CHAMPIONS", name: `Champions ${s.shopId}`, ...campaign, ...over } });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.publication;
}

const sync = (s: Shop, c = client(s), now = NOW) => syncSegmentPublications({ shop: s.domain, db: testDb(), now, client: c, batchSize: 25 });
const row = (s: Shop, id: string) => testDb().segmentPublication.findUniqueOrThrow({ where: { shop_id: { shop: s.domain, id } } });
const reset = (s: Shop) => {
  s.adds.length = 0;
  s.removes.length = 0;
  s.retries.length = 0;
  s.beforeTag = undefined;
  s.failWith = undefined;
  s.loseAnswer = undefined;
  s.ops.length = 0;
};

beforeAll(async () => {
  const db = testDb();
  for (const s of [A, B]) {
    local.addShop({ ...fx.seedStore(s.domain, s.shopId, s.base), products: [], customers: seedCustomers(s) });
    local.issueAccessToken(s.domain, s.token);
    await createShop(db, { domain: s.domain });
    await storeScores(s);
  }
  await local.listen();
});
afterAll(() => local.close());

describe("publishing a segment to Shopify", () => {
  let pub: SegmentPublication;
  let pubB: SegmentPublication;

  it("tags exactly the members, holds out about 10 % under the holdout tag only, and the Shopify segments count them", async () => {
    // Shop B publishes too: nothing done for A below may touch it.
    pubB = await publish(B);
    await sync(B);
    reset(A);
    pub = await publish(A);
    expect(pub).toMatchObject({ status: "PUBLISHING", holdoutShare: 0.1, name: "Champions 71" });
    expect(pub.tag).toMatch(/^insight-loop:champions-[0-9a-f]{8}$/);
    expect(pub.holdoutTag).toMatch(/^insight-loop:holdout-champions-[0-9a-f]{8}$/);
    expect(pub.segmentId).toMatch(/^gid:\/\/shopify\/Segment\/\d+$/);

    const outcome = await sync(A);
    expect(outcome.finished).toEqual([{ id: pub.id, status: "PUBLISHED", lastError: expect.stringContaining(`customer ${FULL(A)}`) }]);
    const done = await row(A, pub.id);
    expect(done).toMatchObject({ status: "PUBLISHED", membersWanted: champions(A).length, tagsTotal: champions(A).length, tagsDone: champions(A).length });
    expect(done.lastError).toMatch(/1 customer\(s\) could not be tagged: .*250 tags/);

    // Oracle: the champions from the rows written above, each drawn with the publication's salt.
    const members = champions(A);
    const held = members.filter((id) => isHeldOut(pub.id, id, 0.1));
    const treated = members.filter((id) => !held.includes(id));
    expect(members).toHaveLength(CUSTOMERS / 2);
    // 200 members at 10 %: 20 expected; 4.5 standard deviations (19) either side. The share itself is checked on
    // 20,000 draws in tests/unit/insights/segments/holdout.test.ts; here the draw must be the stored one.
    expect(held.length).toBeGreaterThanOrEqual(20 - 19);
    expect(held.length).toBeLessThanOrEqual(20 + 19);

    const tags = await shopifyTags(A);
    const full = FULL(A); // a champion at Shopify's 250-tag limit: refused, the others tagged
    expect(carrying(tags, pub.tag)).toEqual(treated.filter((id) => id !== full));
    expect(carrying(tags, pub.holdoutTag!)).toEqual(held.filter((id) => id !== full));
    expect(carrying(tags, pub.tag).filter((id) => carrying(tags, pub.holdoutTag!).includes(id))).toEqual([]);
    expect(tags.get(full)).toHaveLength(250);
    expect(new Set(appTagged(tags))).toEqual(new Set(members.filter((id) => id !== full)));

    const rows = await testDb().segmentMember.findMany({ where: { shop: A.domain, publicationId: pub.id } });
    expect(rows.filter((r) => r.holdout).map((r) => r.customerId).sort()).toEqual(held);
    expect(rows.filter((r) => r.tagged).map((r) => r.customerId).sort()).toEqual(members.filter((id) => id !== full));

    const segments = await shopifySegments(A);
    expect(segments).toContainEqual({ id: pub.segmentId, name: "Champions 71", query: `customer_tags CONTAINS '${pub.tag}'` });
    expect(segments).toContainEqual({ id: done.holdoutSegmentId, name: `Champions 71${HOLDOUT_SEGMENT_SUFFIX}`, query: `customer_tags CONTAINS '${pub.holdoutTag}'` });
    const c = client(A);
    expect(await segmentMemberCount(c, pub.segmentId!)).toBe(treated.filter((id) => id !== full).length);
    expect(await segmentMemberCount(c, done.holdoutSegmentId!)).toBe(held.filter((id) => id !== full).length);

    // The campaign Action: metric, goal and window fixed at publication, its target the publication.
    const action = await testDb().action.findUniqueOrThrow({ where: { shop_id: { shop: A.domain, id: pub.actionId! } } });
    expect(action).toMatchObject({ kind: "campaign", metric: "orders-per-customer", goalValue: 0.05, goalDirection: "increase", evaluationDays: 30, target: { products: [], publication: pub.id } });
  });

  it("after a recompute, a customer who left the segment loses the tag and a newcomer gets one; the holdout draw stays", async () => {
    const db = testDb();
    const [leaver] = champions(A).filter((id) => id !== FULL(A));
    const joiner = String(A.base + 1); // odd: LOYAL so far
    await db.customerScore.update({ where: { shop_customerId: { shop: A.domain, customerId: leaver! } }, data: { rfmGroup: "LOYAL" } });
    await db.customerScore.update({ where: { shop_customerId: { shop: A.domain, customerId: joiner } }, data: { rfmGroup: "CHAMPIONS" } });
    scores.get(A.domain)!.set(leaver!, "LOYAL").set(joiner, "CHAMPIONS");
    const before = await db.segmentMember.findMany({ where: { shop: A.domain, publicationId: pub.id }, select: { customerId: true, holdout: true } });

    reset(A);
    expect(await resyncPublishedSegments({ shop: A.domain, db })).toBe(1);
    await sync(A);
    // Only the two changes, and a retry of the customer Shopify refused: nobody else is sent again.
    expect(s(A.adds)).toEqual(s([joiner, FULL(A)]));
    expect(A.removes).toEqual([leaver]);
    const tags = await shopifyTags(A);
    expect(appTagged(tags).includes(leaver!)).toBe(false);
    const joinerTag = isHeldOut(pub.id, joiner, 0.1) ? pub.holdoutTag! : pub.tag;
    expect(tags.get(joiner)).toContain(joinerTag);
    const after = await db.segmentMember.findMany({ where: { shop: A.domain, publicationId: pub.id }, select: { customerId: true, holdout: true, wanted: true, leftAt: true } });
    for (const b of before) expect(after.find((a) => a.customerId === b.customerId)?.holdout).toBe(b.holdout);
    expect(after.find((a) => a.customerId === leaver)).toMatchObject({ wanted: false, leftAt: NOW });
    expect(new Set(appTagged(tags))).toEqual(new Set(champions(A).filter((id) => id !== FULL(A))));
  });

  it("a THROTTLED answer mid-tagging is waited out and the pass completes", async () => {
    const db = testDb();
    const newcomers = [String(A.base + 3), String(A.base + 5), String(A.base + 7)];
    for (const id of newcomers) await db.customerScore.update({ where: { shop_customerId: { shop: A.domain, customerId: id } }, data: { rfmGroup: "CHAMPIONS" } });
    for (const id of newcomers) scores.get(A.domain)!.set(id, "CHAMPIONS");
    reset(A);
    const bucket = local.shop(A.domain).bucket;
    let drained = false;
    A.beforeTag = (sent) => {
      if (sent !== 1) return;
      const take = bucket.take.bind(bucket);
      bucket.take = (cost: number) => {
        bucket.take = take;
        drained = take(bucket.status().currentlyAvailable);
        return take(cost);
      };
    };
    await resyncPublishedSegments({ shop: A.domain, db });
    await sync(A);
    expect(drained).toBe(true);
    expect(A.retries).toContain("THROTTLED");
    expect((await row(A, pub.id)).status).toBe("PUBLISHED");
    expect(new Set(appTagged(await shopifyTags(A)))).toEqual(new Set(champions(A).filter((id) => id !== FULL(A))));
  });

  it("a 5xx the client gives up on mid-tagging fails the pass; the next pass resumes from the rows with no duplicates", async () => {
    const db = testDb();
    const setB = new Set(champions(B));
    const fresh = await publish(A, { segment: "rfm:LOYAL", name: "Loyal 71", holdoutShare: "0.2" });
    reset(A);
    A.beforeTag = (sent) => {
      if (sent === 40) A.failWith = 503;
    };
    await expect(sync(A, client(A, { maxAttempts: 2 }))).rejects.toThrow(/HTTP 503/);
    const interrupted = await row(A, fresh.id);
    expect(interrupted.status).toBe("PUBLISHING");
    expect(interrupted.lastError).toMatch(/HTTP 503/);
    expect(interrupted.tagsDone).toBeGreaterThan(0);
    expect(interrupted.tagsDone).toBeLessThan(interrupted.tagsTotal);
    const taggedBefore = (await db.segmentMember.findMany({ where: { shop: A.domain, publicationId: fresh.id, tagged: true }, select: { customerId: true } })).map((r) => r.customerId);
    expect(taggedBefore.length).toBe(interrupted.tagsDone);

    // A fresh pass (a restart: a new client, the state only in the rows).
    const firstRun = [...A.adds];
    A.adds.length = 0;
    A.beforeTag = undefined;
    A.failWith = undefined;
    await sync(A);
    const done = await row(A, fresh.id);
    expect(done).toMatchObject({ status: "PUBLISHED", lastError: null, tagsTotal: interrupted.tagsTotal, tagsDone: interrupted.tagsTotal });
    // No customer recorded as tagged was sent again; every customer of the segment was sent at least once overall.
    expect(A.adds.filter((id) => taggedBefore.includes(id))).toEqual([]);
    const loyal = [...scores.get(A.domain)!].filter(([, g]) => g === "LOYAL").map(([id]) => id).sort();
    expect(s([...new Set([...firstRun, ...A.adds])])).toEqual(loyal);
    const tags = await shopifyTags(A);
    const freshTags = [fresh.tag, fresh.holdoutTag!];
    expect(s([...carrying(tags, fresh.tag), ...carrying(tags, fresh.holdoutTag!)])).toEqual(loyal);
    for (const id of loyal) expect(tags.get(id)!.filter((t) => freshTags.includes(t))).toHaveLength(1);
    // Shop B untouched.
    expect(new Set(carrying(await shopifyTags(B), pubB.tag).concat(carrying(await shopifyTags(B), pubB.holdoutTag!)))).toEqual(new Set([...setB].filter((id) => id !== FULL(B))));
  });

  it("an unpublish interrupted by a 5xx, then resumed, leaves no app tag and no segment of the shop; shop B keeps its own", async () => {
    const db = testDb();
    const pubs = await db.segmentPublication.findMany({ where: { shop: A.domain, status: "PUBLISHED" } });
    expect(pubs).toHaveLength(2);
    for (const p of pubs) await unpublishSegment({ shop: A.domain, db, id: p.id });
    reset(A);
    A.beforeTag = (sent) => {
      if (sent === 30) A.failWith = 500;
    };
    await expect(sync(A, client(A, { maxAttempts: 2 }))).rejects.toThrow(/HTTP 500/);
    expect(appTagged(await shopifyTags(A)).length).toBeGreaterThan(0);
    A.beforeTag = undefined;
    A.failWith = undefined;
    await sync(A);
    expect(appTagged(await shopifyTags(A))).toEqual([]);
    const ids = pubs.flatMap((p) => [p.segmentId, p.holdoutSegmentId]);
    expect((await shopifySegments(A)).filter((x) => ids.includes(x.id))).toEqual([]);
    for (const p of pubs) expect(await row(A, p.id)).toMatchObject({ status: "UNPUBLISHED", segmentId: null, holdoutSegmentId: null });
    expect(await db.segmentMember.count({ where: { shop: A.domain, tagged: true } })).toBe(0);
    // The members stay (who was held out is what judges the campaign), none wanted.
    expect(await db.segmentMember.count({ where: { shop: A.domain, wanted: true } })).toBe(0);

    expect(await row(B, pubB.id)).toMatchObject({ status: "PUBLISHED" });
    expect(appTagged(await shopifyTags(B)).length).toBe(champions(B).length - 1);
    expect((await shopifySegments(B)).map((x) => x.id)).toContain(pubB.segmentId);
  });

  it("an unpublish asked for in the middle of a publish pass is carried out by the same job: no stray tags", async () => {
    const db = testDb();
    const p = await publish(A, { name: "Champions again" });
    reset(A);
    A.beforeTag = (sent) => {
      if (sent === 20) void unpublishSegment({ shop: A.domain, db, id: p.id });
    };
    const outcome = await sync(A);
    expect(outcome.finished.map((f) => f.status)).toEqual(["UNPUBLISHED"]);
    expect(appTagged(await shopifyTags(A))).toEqual([]);
    expect((await shopifySegments(A)).map((x) => x.id)).not.toContain(p.segmentId);
  });

  it("Shopify's user errors come back by field; the form's own errors too; nothing is kept", async () => {
    const db = testDb();
    const made = await gql(A, `mutation Seed { segmentCreate(name: "Taken by the merchant", query: "number_of_orders > 1") { userErrors { field message } } }`);
    expect(made.data.segmentCreate.userErrors).toEqual([]);
    const before = await db.segmentPublication.count({ where: { shop: A.domain } });
    const actionsBefore = await db.action.count({ where: { shop: A.domain } });
    const taken = await publishSegment({ shop: A.domain, db, now: NOW, client: client(A), input: { segment: "rfm:CHAMPIONS", name: "Taken by the merchant", ...campaign } });
    expect(taken).toEqual({ ok: false, errors: [{ field: "name", message: "Name has already been taken" }] });

    const bad = await publishSegment({ shop: A.domain, db, now: NOW, client: client(A), input: { segment: "rfm:NOBODY", name: "x", holdoutShare: "0.7", metric: "", goalPercent: "abc" } });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.map((e) => e.field).sort()).toEqual(["goalPercent", "holdoutShare", "metric", "segment"]);
    expect(bad.errors.find((e) => e.field === "holdoutShare")?.message).toMatch(/at most 50 %/);

    const unknown = await publishSegment({ shop: A.domain, db, now: NOW, client: client(A), input: { segment: "compared:tag%20age%3A:age%3A99", ...campaign } });
    expect(unknown).toMatchObject({ ok: false, errors: [{ field: "segment" }] });
    expect(await db.segmentPublication.count({ where: { shop: A.domain } })).toBe(before);
    expect(await db.action.count({ where: { shop: A.domain } })).toBe(actionsBefore);
    expect((await shopifySegments(A)).filter((x) => x.name === "Taken by the merchant")).toHaveLength(1);
  });

  it("a redacted customer is never tagged: not while their score lingers, and not after their rows are gone", async () => {
    const db = testDb();
    // A champion whose redaction is recorded while a score row still exists (a score written by a recompute that
    // started before the redaction).
    const lingering = champions(A).find((id) => id !== FULL(A))!;
    await db.redactedCustomer.create({ data: { shop: A.domain, customerHash: customerHash(A.domain, lingering) } });
    const p = await publish(A, { name: "Champions redacted" });
    await sync(A);
    const tags = await shopifyTags(A);
    expect(carrying(tags, p.tag).concat(carrying(tags, p.holdoutTag!))).not.toContain(lingering);
    expect(await db.segmentMember.count({ where: { shop: A.domain, publicationId: p.id, customerId: lingering } })).toBe(0);

    // A tagged member redacted through customers/redact: their memberships go, and the next pass does not bring them back.
    const member = await db.segmentMember.findFirstOrThrow({ where: { shop: A.domain, publicationId: p.id, tagged: true } });
    await redactCustomer({ shop: A.domain, customerId: member.customerId, db });
    expect(await db.segmentMember.count({ where: { shop: A.domain, customerId: member.customerId } })).toBe(0);
    reset(A);
    await resyncPublishedSegments({ shop: A.domain, db });
    await sync(A);
    expect(A.adds).not.toContain(member.customerId);
    expect(await db.segmentMember.count({ where: { shop: A.domain, customerId: member.customerId } })).toBe(0);
  });
});

describe("a segmentCreate whose answer was lost", () => {
  const named = async (s: Shop, name: string) => (await shopifySegments(s)).filter((x) => x.name.toLowerCase() === name.toLowerCase());

  it("is adopted on the client's retry in the form: one segment, ours, and the pass completes", async () => {
    reset(A);
    A.loseAnswer = { op: /mutation SegmentCreate/, times: 1 };
    // A segment without members (no stored score is ACTIVE): the segments are what this test is about.
    const p = await publish(A, { segment: "rfm:ACTIVE", name: "Lost answer 71" });
    expect(A.loseAnswer.times).toBe(0); // the fault fired
    expect(A.retries).toContain("NETWORK");
    // Shopify refused the retry's name, the app looked its segment up and took it.
    expect(A.ops.filter((op) => op === "SegmentCreate")).toHaveLength(3); // lost + retried, then the holdout's
    expect(A.ops).toContain("Segments");
    const [ours] = await named(A, "Lost answer 71");
    expect(await named(A, "Lost answer 71")).toEqual([{ id: p.segmentId, name: "Lost answer 71", query: `customer_tags CONTAINS '${p.tag}'` }]);
    expect(ours!.id).toBe(p.segmentId);
    expect(p.lastError).toBeNull();
    await sync(A);
    const done = await row(A, p.id);
    expect(done).toMatchObject({ status: "PUBLISHED", segmentId: ours!.id });
    expect(await named(A, "Lost answer 71")).toHaveLength(1);
    expect(await named(A, `Lost answer 71${HOLDOUT_SEGMENT_SUFFIX}`)).toEqual([{ id: done.holdoutSegmentId, name: `Lost answer 71${HOLDOUT_SEGMENT_SUFFIX}`, query: `customer_tags CONTAINS '${p.holdoutTag}'` }]);
  });

  it("is adopted by the next pass after the form gave up on Shopify: one segment of the name, the pass completes", async () => {
    reset(A);
    // The form's client gives up at the first failure: Shopify made the segment, the app kept no id.
    A.loseAnswer = { op: /mutation SegmentCreate/, times: 1 };
    const result = await publishSegment({ shop: A.domain, db: testDb(), now: NOW, client: client(A, { maxAttempts: 1 }), input: { segment: "rfm:ACTIVE", name: "Lost in the form 71", ...campaign } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.publication).toMatchObject({ status: "PUBLISHING", segmentId: null, holdoutSegmentId: null });
    expect((await row(A, result.publication.id)).lastError).toMatch(/other side closed/);
    expect(await named(A, "Lost in the form 71")).toHaveLength(1);

    reset(A);
    const outcome = await sync(A);
    expect(outcome.finished).toContainEqual(expect.objectContaining({ id: result.publication.id, status: "PUBLISHED" }));
    const done = await row(A, result.publication.id);
    const segments = await named(A, "Lost in the form 71");
    expect(segments).toEqual([{ id: done.segmentId, name: "Lost in the form 71", query: `customer_tags CONTAINS '${done.tag}'` }]);
    expect(A.ops).toContain("Segments");
    expect(await named(A, `Lost in the form 71${HOLDOUT_SEGMENT_SUFFIX}`)).toEqual([{ id: done.holdoutSegmentId, name: `Lost in the form 71${HOLDOUT_SEGMENT_SUFFIX}`, query: `customer_tags CONTAINS '${done.holdoutTag}'` }]);
  });

  it("looks its segment up through every page of the shop's segments", async () => {
    const p = await row(A, (await testDb().segmentPublication.findFirstOrThrow({ where: { shop: A.domain, name: "Lost answer 71" } })).id);
    const total = (await shopifySegments(A)).length;
    expect(total).toBeGreaterThan(4);
    reset(A);
    const adopted = await createOrAdoptSegment(client(A), { name: "LOST ANSWER 71", query: tagQuery(p.tag) }, { pageSize: 2 });
    expect(adopted).toEqual({ ok: true, id: p.segmentId, adopted: true });
    expect(A.ops.filter((op) => op === "Segments").length).toBeGreaterThan(1);
  });

  it("a merchant's segment of the same name with another query keeps the name error; nothing is kept", async () => {
    const db = testDb();
    // Looks like ours (an app-like tag), but not our publication's tag.
    const made = await gql(A, `mutation Seed { segmentCreate(name: "Lookalike", query: "customer_tags CONTAINS 'insight-loop:champions-00000000'") { userErrors { field message } } }`);
    expect(made.data.segmentCreate.userErrors).toEqual([]);
    const before = await db.segmentPublication.count({ where: { shop: A.domain } });
    reset(A);
    const taken = await publishSegment({ shop: A.domain, db, now: NOW, client: client(A), input: { segment: "rfm:CHAMPIONS", name: "Lookalike", ...campaign } });
    expect(taken).toEqual({ ok: false, errors: [{ field: "name", message: "Name has already been taken" }] });
    expect(A.ops).toContain("Segments"); // it did look, and found the query was not ours
    expect(await db.segmentPublication.count({ where: { shop: A.domain } })).toBe(before);
    expect(await named(A, "Lookalike")).toEqual([expect.objectContaining({ query: "customer_tags CONTAINS 'insight-loop:champions-00000000'" })]);
  });
});

describe("the campaign's members at launch", () => {
  it("are the members wanted when the first pass completed: a member who leaves and rejoins stays in, a later joiner is not", async () => {
    const db = testDb();
    reset(A);
    const p = await publish(A, { name: "Cohort 71" });
    await sync(A);
    const first = await db.segmentMember.findMany({ where: { shop: A.domain, publicationId: p.id } });
    const atLaunch = first.filter((r) => r.wanted).map((r) => r.customerId).sort();
    expect(atLaunch.length).toBeGreaterThan(100);
    expect(first.filter((r) => r.atLaunch).map((r) => r.customerId).sort()).toEqual(atLaunch);
    expect((await row(A, p.id)).publishedAt).toEqual(NOW);

    // Day 1: a member leaves. Day 2: they come back, and a customer who was never a member joins.
    const leaver = atLaunch.find((id) => id !== FULL(A))!;
    const joiner = [...scores.get(A.domain)!].find(([id, g]) => g === "LOYAL" && !first.some((r) => r.customerId === id))![0];
    const setGroup = async (id: string, group: string) => {
      await db.customerScore.update({ where: { shop_customerId: { shop: A.domain, customerId: id } }, data: { rfmGroup: group } });
      scores.get(A.domain)!.set(id, group);
    };
    await setGroup(leaver, "LOYAL");
    await resyncPublishedSegments({ shop: A.domain, db });
    await sync(A, client(A), new Date(NOW.getTime() + 86_400_000));
    expect(await db.segmentMember.findUniqueOrThrow({ where: { shop_publicationId_customerId: { shop: A.domain, publicationId: p.id, customerId: leaver } } })).toMatchObject({ wanted: false, atLaunch: true });
    await setGroup(leaver, "CHAMPIONS");
    await setGroup(joiner, "CHAMPIONS");
    const day2 = new Date(NOW.getTime() + 2 * 86_400_000);
    await resyncPublishedSegments({ shop: A.domain, db });
    await sync(A, client(A), day2);
    const rows = new Map((await db.segmentMember.findMany({ where: { shop: A.domain, publicationId: p.id } })).map((r) => [r.customerId, r]));
    expect(rows.get(leaver)).toMatchObject({ wanted: true, joinedAt: day2, leftAt: null, atLaunch: true });
    expect(rows.get(joiner)).toMatchObject({ wanted: true, joinedAt: day2, atLaunch: false });
    expect([...rows.values()].filter((r) => r.atLaunch).map((r) => r.customerId).sort()).toEqual(atLaunch);
    expect((await row(A, p.id)).publishedAt).toEqual(NOW);

    // The campaign's evaluation compares exactly the members at launch: the rejoiner in, the joiner out.
    const action = await db.action.findUniqueOrThrow({ where: { shop_id: { shop: A.domain, id: p.actionId! } } });
    const { evaluation } = await evaluateCampaignAction({ db, shop: A.domain, row: action, now: new Date(NOW.getTime() + 3 * 86_400_000) });
    expect(evaluation.members).toMatchObject({ launch: NOW.toISOString(), atLaunch: atLaunch.length, joinedLater: 1, leftBeforeLaunch: 0 });
    expect(evaluation.caveats.some((c) => c.includes("No member is recorded as in the segment at launch"))).toBe(false);
  });
});

const s = (ids: string[]) => [...ids].sort();
