/** The throttle-aware Admin client against the local Shopify (real HTTP, real cost accounting, injected faults). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminApiError, createAdminClient, type AdminApiErrorCode } from "../../../app/shopify/client.server";
import { SHOP_QUERY } from "../../../app/shopify/graphql/ShopQuery";
import { createLocalShopify, emptySeed } from "../../local-shopify";

let clock = 1_000_000;
const local = createLocalShopify({ now: () => clock });
const SHOP = "client.myshopify.com";
local.addShop(emptySeed({ domain: SHOP }), { maximumAvailable: 10, restoreRate: 2 });
local.issueAccessToken(SHOP, "t");

beforeAll(() => local.listen());
afterAll(() => local.close());

function client(overrides: { maxAttempts?: number; token?: string } = {}) {
  const retries: { code: AdminApiErrorCode; delayMs: number }[] = [];
  const slept: number[] = [];
  const c = createAdminClient({
    shop: SHOP,
    accessToken: overrides.token ?? "t",
    fetch: (input, init) => fetch(String(input instanceof Request ? input.url : input).replace(`https://${SHOP}`, local.origin), init),
    // Time is the local Shopify's clock: waiting advances it, so the bucket refills exactly as the client expects.
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
    now: () => clock,
    random: () => 0.5,
    baseDelayMs: 100,
    maxAttempts: overrides.maxAttempts ?? 6,
    onRetry: ({ code, delayMs }) => retries.push({ code, delayMs }),
  });
  return { c, retries, slept };
}

const COST_4 = "query Four { shop { name } shopLocales { locale } a: shopLocales { locale } b: shopLocales { locale } }";

describe("Admin client", () => {
  it("returns data and remembers the bucket", async () => {
    const { c } = client();
    const data = await c.request<{ shop: { myshopifyDomain: string } }>(SHOP_QUERY);
    expect(data.shop.myshopifyDomain).toBe(SHOP);
    expect(c.throttleStatus()).toMatchObject({ maximumAvailable: 10, restoreRate: 2 });
  });

  it("waits for the bucket before sending instead of being throttled", async () => {
    clock += 60_000; // full bucket
    const { c, retries, slept } = client();
    for (let i = 0; i < 5; i++) await c.request(COST_4);
    expect(retries).toEqual([]); // never throttled
    expect(slept.reduce((a, b) => a + b, 0)).toBeGreaterThan(0); // it waited instead
  });

  it("retries THROTTLED after the time the bucket needs", async () => {
    clock += 60_000;
    const first = client();
    await first.c.request(COST_4);
    await first.c.request(COST_4); // 2 points left
    const fresh = client(); // knows nothing of the bucket yet
    await fresh.c.request(COST_4);
    expect(fresh.retries.map((r) => r.code)).toEqual(["THROTTLED"]);
    expect(fresh.retries[0]!.delayMs).toBeGreaterThanOrEqual(1000); // (4 - 2) points at 2 points/s
  });

  it("retries 5xx bursts, 429 with Retry-After and dropped connections", async () => {
    clock += 60_000;
    const { c, retries } = client();
    local.inject({ kind: "status", status: 502, times: 2 });
    local.inject({ kind: "rate-limit", retryAfterSeconds: 3 });
    local.inject({ kind: "drop" });
    await c.request(SHOP_QUERY);
    expect(retries.map((r) => r.code)).toEqual(["SERVER", "SERVER", "RATE_LIMITED", "NETWORK"]);
    expect(retries[2]!.delayMs).toBe(3000);
    expect(retries[1]!.delayMs).toBeGreaterThan(retries[0]!.delayMs); // exponential
  });

  it("gives up after a bounded number of attempts with a typed error", async () => {
    const { c } = client({ maxAttempts: 3 });
    local.inject({ kind: "status", status: 503, times: 3 });
    const error = await c.request(SHOP_QUERY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect(error).toMatchObject({ code: "SERVER", attempts: 3, operation: "ShopQuery" });
  });

  it("does not retry what cannot get better: bad token, invalid documents", async () => {
    const bad = client({ token: "nope" });
    await expect(bad.c.request(SHOP_QUERY)).rejects.toMatchObject({ code: "HTTP", attempts: 1 });
    const { c, retries } = client();
    await expect(c.request("query Bad { shop { nope } }")).rejects.toMatchObject({ code: "GRAPHQL", operation: "Bad" });
    expect(retries).toEqual([]);
  });
});
