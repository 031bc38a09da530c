import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalShopify, emptySeed } from "../../local-shopify";

const local = createLocalShopify();
local.addShop(emptySeed({ domain: "faulty.myshopify.com" }));
local.issueAccessToken("faulty.myshopify.com", "t");
const QUERY = JSON.stringify({ query: "{ shop { name } }" });
const post = () =>
  fetch(local.graphqlUrl(), { method: "POST", headers: { "content-type": "application/json", "x-shopify-access-token": "t" }, body: QUERY });

beforeAll(() => local.listen());
afterAll(() => local.close());

describe("fault injection", () => {
  it("answers 5xx for the next requests, then recovers", async () => {
    local.inject({ kind: "status", status: 503, times: 2 });
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(200);
  });

  it("answers 429 with Retry-After", async () => {
    local.inject({ kind: "rate-limit", retryAfterSeconds: 3 });
    const response = await post();
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
  });

  it("delays a response", async () => {
    local.inject({ kind: "delay", ms: 150 });
    const started = performance.now();
    expect((await post()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("drops the connection without an answer", async () => {
    local.inject({ kind: "drop" });
    await expect(post()).rejects.toThrow(/fetch failed/);
    expect((await post()).status).toBe(200);
  });

  it("only hits the paths it is aimed at", async () => {
    local.inject({ kind: "status", status: 500, path: /^\/bulk-results\// });
    expect((await post()).status).toBe(200);
    expect((await fetch(`${local.origin}/bulk-results/00.jsonl`)).status).toBe(500);
  });
});
