/**
 * Storefront events through the app proxy (ADR 020), via the real server build: `POST /proxy/events` as Shopify
 * forwards `/apps/insight-loop/events`. Requests are signed here independently of the app and of the library, as
 * Shopify signs them (shopify.dev "Authenticate app proxies"; shopify-app-js hmac-validator): every query parameter but
 * `signature`, sorted by key, as `key=value` concatenated with no separator (repeated values joined by ","), HMAC-SHA256
 * with the app's secret, hex; the library refuses timestamps more than 90 s away.
 */
import { createHmac, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EVENTS_BODY_LIMIT } from "../../app/lib/storefront/events.server";
import { parseRate } from "../../app/lib/storefront/rate-limit.server";
import { createShop } from "../factories";
import { testDb } from "../support/db";
import { loadRequestHandler } from "../support/server-build";
import { TEST_APP } from "../support/test-app";

// A slow rate for this file's build (read when it is loaded), so that a flood meets the limit however slowly this
// machine serves it: 2 requests a second, bursts of 20. The limiter at the production default (20/60) is unit-tested.
const FLOOD_RATE = "2/20";
const previousRate = process.env.STOREFRONT_EVENTS_RATE;
process.env.STOREFRONT_EVENTS_RATE = FLOOD_RATE;
const handler = await loadRequestHandler();
if (previousRate === undefined) delete process.env.STOREFRONT_EVENTS_RATE;
else process.env.STOREFRONT_EVENTS_RATE = previousRate;

function proxySignature(params: [string, string][], secret: string): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) grouped.set(key, [...(grouped.get(key) ?? []), value]);
  const message = [...grouped.keys()]
    .sort()
    .map((key) => `${key}=${grouped.get(key)!.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

interface SignOptions {
  secret?: string;
  timestamp?: number;
  extra?: [string, string][];
  /** Changes a parameter after signing (a tampered request). */
  tamper?: [string, string];
}

/** The URL Shopify's proxy calls, signed. */
function proxyUrl(shop: string, options: SignOptions = {}): URL {
  const params: [string, string][] = [
    ["shop", shop],
    ["logged_in_customer_id", "7741425221763"],
    ["path_prefix", "/apps/insight-loop"],
    ["timestamp", String(options.timestamp ?? Math.floor(Date.now() / 1000))],
    ...(options.extra ?? []),
  ];
  const url = new URL("/proxy/events", TEST_APP.appUrl);
  for (const [key, value] of params) url.searchParams.append(key, value);
  url.searchParams.set("signature", proxySignature(params, options.secret ?? TEST_APP.apiSecret));
  if (options.tamper) url.searchParams.set(...options.tamper);
  return url;
}

function event(overrides: Record<string, unknown> = {}) {
  return {
    id: randomUUID(),
    type: "impression",
    widget: "fbt",
    arm: "treatment",
    rank: "engine",
    anchor: "8061536829755",
    product: "8061536862523",
    slot: 1,
    vid: "3f2a9c1e-77b0-4c1d-9a0e-5b6c7d8e9f00",
    t: Date.now(),
    ...overrides,
  };
}

function post(url: URL, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return handler(
    new Request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)), ...headers },
      body: text,
    }),
  );
}

/** A body sent as a stream, without Content-Length (chunked transfer). */
function postChunked(url: URL, chunks: string[]) {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return handler(new Request(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: stream, duplex: "half" } as RequestInit));
}

const stored = (shop: string) => testDb().storefrontEvent.count({ where: { shop } });
// A fixed assignment salt, so the test knows each visitor id's arm (the app derives it again from id, salt and share):
// the default ...9f00 is in the treatment, ...9f01 in the 10 % holdout.
const SALT = "proxy-test-salt";
const HOLDOUT_VID = "3f2a9c1e-77b0-4c1d-9a0e-5b6c7d8e9f01";
const shopDomain = async () => (await createShop(testDb(), { currency: "USD", timezone: "UTC", locale: "en", settings: { storefront: { salt: SALT } } })).domain;

describe("POST /proxy/events", () => {
  it("stores a correctly signed batch, mapped as sent, with no customer id", async () => {
    const shop = await shopDomain();
    const impression = event({ rank: "bandit", slot: 2 });
    const click = event({ type: "click", widget: "upgrade", arm: "holdout", rank: null, anchor: null, slot: null, vid: HOLDOUT_VID });
    const response = await post(proxyUrl(shop), { events: [impression, click] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ stored: 2, duplicates: 0, wrongArm: 0 });

    const rows = await testDb().storefrontEvent.findMany({ where: { shop }, orderBy: { type: "desc" } });
    expect(rows.map((r) => [r.id, r.type, r.widget, r.arm, r.rankArm, r.anchorId, r.productId, r.slot, r.visitorId])).toEqual([
      [impression.id, "impression", "fbt", "treatment", "bandit", "8061536829755", "8061536862523", 2, impression.vid],
      [click.id, "click", "upgrade", "holdout", null, null, "8061536862523", null, click.vid],
    ]);
    // The logged-in customer's id came in the signed query: it is not stored anywhere.
    expect(JSON.stringify(rows)).not.toContain("7741425221763");
  });

  it("stores no event whose declared arm is not the visitor's (forged, or from a page older than the settings)", async () => {
    const shop = await shopDomain();
    const forgedHoldout = event({ arm: "holdout" }); // ...9f00 is a treatment visitor
    const forgedTreatment = event({ vid: HOLDOUT_VID }); // a holdout visitor claiming to have seen the block
    const honest = event({ vid: HOLDOUT_VID, arm: "holdout" });
    const response = await post(proxyUrl(shop), { events: [forgedHoldout, forgedTreatment, honest] });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ stored: 1, duplicates: 0, wrongArm: 2 });
    expect((await testDb().storefrontEvent.findMany({ where: { shop } })).map((r) => r.id)).toEqual([honest.id]);
  });

  it("clamps the browser's time to [receipt − 1 day, receipt]", async () => {
    const shop = await shopDomain();
    const before = Date.now();
    const future = event({ t: before + 3_600_000 });
    const ancient = event({ t: 0 });
    const normal = event({ t: before - 60_000 });
    expect((await post(proxyUrl(shop), { events: [future, ancient, normal] })).status).toBe(200);
    const after = Date.now();
    const at = async (id: string) => (await testDb().storefrontEvent.findUniqueOrThrow({ where: { shop_id: { shop, id } } })).occurredAt.getTime();
    const row = await testDb().storefrontEvent.findUniqueOrThrow({ where: { shop_id: { shop, id: future.id } } });
    expect(await at(future.id)).toBe(row.receivedAt.getTime());
    expect(row.receivedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(row.receivedAt.getTime()).toBeLessThanOrEqual(after);
    expect(await at(ancient.id)).toBe(row.receivedAt.getTime() - 86_400_000);
    expect(await at(normal.id)).toBe(before - 60_000);
  });

  it("refuses a bad, missing, tampered or stale signature with 401 and stores nothing", async () => {
    const shop = await shopDomain();
    const body = { events: [event()] };
    const wrongSecret = await post(proxyUrl(shop, { secret: "not-the-app-secret" }), body);
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toEqual({ error: "Invalid or missing app proxy signature" });

    const unsigned = proxyUrl(shop);
    unsigned.searchParams.delete("signature");
    expect((await post(unsigned, body)).status).toBe(401);
    // Signed for one shop, sent for another.
    expect((await post(proxyUrl(shop, { tamper: ["shop", "someone-else.myshopify.com"] }), body)).status).toBe(401);
    // A captured request replayed later than the library's ±90 s.
    expect((await post(proxyUrl(shop, { timestamp: Math.floor(Date.now() / 1000) - 600 }), body)).status).toBe(401);
    // The same request with a fresh timestamp is accepted (the refusals above were the signature, not the body).
    expect(await stored(shop)).toBe(0);
    expect((await post(proxyUrl(shop), body)).status).toBe(200);
    expect(await stored(shop)).toBe(1);
  });

  it("a replayed batch (same event ids) stores nothing new", async () => {
    const shop = await shopDomain();
    const batch = { events: [event(), event({ type: "add_to_cart" })] };
    expect(await (await post(proxyUrl(shop), batch)).json()).toEqual({ stored: 2, duplicates: 0, wrongArm: 0 });
    const replay = await post(proxyUrl(shop), batch);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ stored: 0, duplicates: 2, wrongArm: 0 });
    // A retry that overlaps: one old, one new; and an id repeated inside one batch counts once.
    const fresh = event({ type: "click" });
    expect(await (await post(proxyUrl(shop), { events: [batch.events[0], fresh, fresh] })).json()).toEqual({ stored: 1, duplicates: 2, wrongArm: 0 });
    expect(await stored(shop)).toBe(3);
  });

  it("refuses an oversized body with 413 before reading it, and a chunked or mislabelled one at the cap; stores nothing", async () => {
    const shop = await shopDomain();
    const big = JSON.stringify({ events: [event({ pad: "x".repeat(EVENTS_BODY_LIMIT) })] });
    expect(Buffer.byteLength(big)).toBeGreaterThan(EVENTS_BODY_LIMIT);

    // Content-Length says too much: refused before the signature is even checked (a bad signature gets 413 too).
    expect((await post(proxyUrl(shop), big)).status).toBe(413);
    expect((await post(proxyUrl(shop, { secret: "wrong" }), big)).status).toBe(413);
    // Chunked, no Content-Length: the reader stops at the cap.
    const chunks = Array.from({ length: 40 }, () => "x".repeat(1024));
    const chunked = await postChunked(proxyUrl(shop), ['{"events":[', ...chunks]);
    expect(chunked.status).toBe(413);
    // A Content-Length that lies (small) over a large body: the reader still stops at the cap.
    expect((await post(proxyUrl(shop), big, { "Content-Length": "120" })).status).toBe(413);
    expect(await stored(shop)).toBe(0);

    // Just under the cap is fine, chunked or not.
    const small = { events: [event()] };
    expect((await postChunked(proxyUrl(shop), [JSON.stringify(small).slice(0, 10), JSON.stringify(small).slice(10)])).status).toBe(200);
    expect(await stored(shop)).toBe(1);
  });

  it("refuses an event with an extra field (personal data cannot ride along) with 400, naming it; stores nothing", async () => {
    const shop = await shopDomain();
    const response = await post(proxyUrl(shop), { events: [event(), event({ email: "lan.nguyen@example.com" })] });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: string };
    expect(error).toMatch(/events\.1.*email/);
    expect(error).not.toContain("lan.nguyen");
    expect(await stored(shop)).toBe(0);
  });

  it.each([
    ["an unknown type", { type: "purchase" }],
    ["a non-UUID id", { id: "1234" }],
    ["a visitor id with a space", { vid: "abc def ghi" }],
    ["a slot of 21", { slot: 21 }],
    ["a non-numeric product", { product: "gid://shopify/Product/1" }],
    ["a time that is not an integer", { t: "yesterday" }],
  ])("refuses %s with 400 and stores nothing", async (_what, overrides) => {
    const shop = await shopDomain();
    const response = await post(proxyUrl(shop), { events: [event(overrides)] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^Invalid events: events\.0\./);
    expect(await stored(shop)).toBe(0);
  });

  it("refuses bodies that are not a batch of 1 to 50 events", async () => {
    const shop = await shopDomain();
    expect((await post(proxyUrl(shop), "not json")).status).toBe(400);
    expect((await post(proxyUrl(shop), { events: [] })).status).toBe(400);
    expect((await post(proxyUrl(shop), { events: Array.from({ length: 51 }, () => event()) })).status).toBe(400);
    expect((await post(proxyUrl(shop), { events: [event()], customer: "x" })).status).toBe(400);
    expect(await stored(shop)).toBe(0);
    expect((await post(proxyUrl(shop), { events: Array.from({ length: 50 }, () => event()) })).status).toBe(200);
    expect(await stored(shop)).toBe(50);
  });

  it("answers 405 to other methods, and 404 for a shop that is not installed", async () => {
    const shop = await shopDomain();
    expect((await handler(new Request(proxyUrl(shop)))).status).toBe(405);
    expect((await handler(new Request(proxyUrl(shop), { method: "PUT", body: "{}" }))).status).toBe(405);

    expect((await post(proxyUrl("never-installed.myshopify.com"), { events: [event()] })).status).toBe(404);
    const gone = await createShop(testDb(), { uninstalledAt: new Date() });
    expect((await post(proxyUrl(gone.domain), { events: [event()] })).status).toBe(404);
    expect(await testDb().storefrontEvent.count({ where: { shop: { in: ["never-installed.myshopify.com", gone.domain] } } })).toBe(0);
  });

  it("keeps shops apart: the same event id in two shops is two events, and each shop sees only its own", async () => {
    const [a, b] = [await shopDomain(), await shopDomain()];
    const shared = event();
    expect(await (await post(proxyUrl(a), { events: [shared] })).json()).toEqual({ stored: 1, duplicates: 0, wrongArm: 0 });
    expect(await (await post(proxyUrl(b), { events: [shared, event()] })).json()).toEqual({ stored: 2, duplicates: 0, wrongArm: 0 });
    expect([await stored(a), await stored(b)]).toEqual([1, 2]);
  });

  it("a flood from one shop gets 429 with Retry-After; what is stored is exactly the accepted requests' events", async () => {
    const [flooded, neighbour] = [await shopDomain(), await shopDomain()];
    const requests = 60;
    const perRequest = 3;
    // All at once, as a burst of page hides would arrive: more than the bucket's burst can take before it refills.
    const responses = await Promise.all(
      Array.from({ length: requests }, () => post(proxyUrl(flooded), { events: Array.from({ length: perRequest }, () => event()) })),
    );
    const codes = responses.map((r) => r.status);
    const accepted = codes.filter((c) => c === 200).length;
    const limited = responses.filter((r) => r.status === 429);
    expect(accepted + limited.length).toBe(requests); // nothing else went wrong
    expect(accepted).toBeGreaterThanOrEqual(parseRate(FLOOD_RATE).burst);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of limited) expect(Number(r.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(await stored(flooded)).toBe(accepted * perRequest);

    // Another shop is not affected by the first one's flood.
    expect((await post(proxyUrl(neighbour), { events: [event()] })).status).toBe(200);
  });
});
