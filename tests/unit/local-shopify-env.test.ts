/**
 * SHOPIFY_LOCAL_ADMIN_ORIGIN: accepted only under NODE_ENV=test and for a loopback host, and the fetch it installs sends only https://<shop>.myshopify.com
 * requests to the local Shopify (same path and query, the shop in X-Shopify-Local-Shop); everything else is untouched.
 */
import { describe, expect, it, vi } from "vitest";

// The modules validate process.env at import, so give them a valid one first (without the local origin).
process.env.SHOPIFY_API_KEY ??= "key";
process.env.SHOPIFY_API_SECRET ??= "secret";
process.env.SHOPIFY_APP_URL ??= "https://app.example.com";
delete process.env.SHOPIFY_LOCAL_ADMIN_ORIGIN;
const { parseEnv } = await import("../../app/env.server");
const { localShopifyFetch, LOCAL_SHOP_HEADER } = await import("../../app/shopify/local-shopify.server");

const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://app.example.com",
};
const ORIGIN = "http://127.0.0.1:4100";

describe("SHOPIFY_LOCAL_ADMIN_ORIGIN", () => {
  it("is refused unless NODE_ENV is explicitly test, with a message naming it", () => {
    for (const NODE_ENV of ["production", "development", undefined]) {
      expect(() => parseEnv({ ...valid, NODE_ENV, SHOPIFY_LOCAL_ADMIN_ORIGIN: ORIGIN })).toThrow(
        /SHOPIFY_LOCAL_ADMIN_ORIGIN must only be set when NODE_ENV is test/,
      );
    }
  });

  it("is accepted under NODE_ENV=test for loopback origins only", () => {
    for (const origin of [ORIGIN, "http://localhost:4100", "http://[::1]:4100", "http://127.0.0.2:9"]) {
      expect(parseEnv({ ...valid, NODE_ENV: "test", SHOPIFY_LOCAL_ADMIN_ORIGIN: origin }).SHOPIFY_LOCAL_ADMIN_ORIGIN).toBe(origin);
    }
    for (const origin of ["https://attacker.example", "http://10.0.0.5:4100", "http://127.0.0.1.attacker.example", "http://localhost.attacker.example"]) {
      expect(() => parseEnv({ ...valid, NODE_ENV: "test", SHOPIFY_LOCAL_ADMIN_ORIGIN: origin })).toThrow(
        /SHOPIFY_LOCAL_ADMIN_ORIGIN must be a loopback origin/,
      );
    }
  });

  it("is optional everywhere", () => {
    const SESSION_TOKEN_KEY = Buffer.alloc(32, 7).toString("base64");
    expect(parseEnv({ ...valid, NODE_ENV: "production", SESSION_TOKEN_KEY }).SHOPIFY_LOCAL_ADMIN_ORIGIN).toBeUndefined();
    expect(parseEnv({ ...valid, NODE_ENV: "production", SESSION_TOKEN_KEY, SHOPIFY_LOCAL_ADMIN_ORIGIN: " " }).NODE_ENV).toBe("production");
  });

  it("must be an http(s) URL", () => {
    expect(() => parseEnv({ ...valid, SHOPIFY_LOCAL_ADMIN_ORIGIN: "127.0.0.1:4100" })).toThrow(
      /SHOPIFY_LOCAL_ADMIN_ORIGIN must be the local Shopify's origin/,
    );
    expect(() => parseEnv({ ...valid, SHOPIFY_LOCAL_ADMIN_ORIGIN: "ftp://127.0.0.1" })).toThrow(/SHOPIFY_LOCAL_ADMIN_ORIGIN/);
  });
});

describe("localShopifyFetch", () => {
  const setup = () => {
    const next = vi.fn(async (_input: string | URL | Request, _init?: RequestInit) => new Response("{}"));
    return { next, fetch: localShopifyFetch(ORIGIN, next) };
  };

  it("sends shop API requests to the local origin, same path and query, naming the shop", async () => {
    const { next, fetch } = setup();
    const body = JSON.stringify({ query: "{ shop { name } }" });
    await fetch("https://Pho-Corner.myshopify.com/admin/api/2026-01/graphql.json?debug=1", {
      method: "POST",
      headers: { "X-Shopify-Access-Token": "shpat_x", "Content-Type": "application/json" },
      body,
    });
    const [target, init] = next.mock.calls[0]!;
    expect(String(target)).toBe(`${ORIGIN}/admin/api/2026-01/graphql.json?debug=1`);
    const headers = new Headers(init?.headers);
    expect(headers.get(LOCAL_SHOP_HEADER)).toBe("pho-corner.myshopify.com");
    expect(headers.get("x-shopify-access-token")).toBe("shpat_x");
    expect(init).toMatchObject({ method: "POST", body });
  });

  it("rewrites Request objects too, keeping method, headers and body", async () => {
    const { next, fetch } = setup();
    await fetch(
      new Request("https://pho-corner.myshopify.com/admin/oauth/access_token", {
        method: "POST",
        headers: { accept: "application/json" },
        body: "{}",
      }),
    );
    const [target, init] = next.mock.calls[0]!;
    expect(String(target)).toBe(`${ORIGIN}/admin/oauth/access_token`);
    expect(init?.method).toBe("POST");
    expect(new TextDecoder().decode(init?.body as ArrayBuffer)).toBe("{}");
    expect(new Headers(init?.headers).get("accept")).toBe("application/json");
    expect(new Headers(init?.headers).get(LOCAL_SHOP_HEADER)).toBe("pho-corner.myshopify.com");
  });

  it("passes every other request through unchanged", async () => {
    const { next, fetch } = setup();
    const others = [
      "https://example.com/admin/api/2026-01/graphql.json",
      "http://pho-corner.myshopify.com/admin/oauth/access_token", // not https
      "https://pho-corner.myshopify.com.attacker.example/admin", // not a myshopify.com host
      "https://admin.shopify.com/store/pho-corner",
    ];
    for (const url of others) {
      const init = { method: "GET" };
      await fetch(url, init);
      expect(next).toHaveBeenLastCalledWith(url, init);
    }
  });
});
