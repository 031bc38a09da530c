/**
 * Security headers through the real server build (entry.server.tsx): every document carries frame-ancestors (the shop's
 * when the request names one, the admin's otherwise), nosniff and a referrer policy; data requests get the base headers.
 * No HSTS here: tests run with NODE_ENV=test over http (the production branch is in tests/unit/security-headers.test.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { appUrl, sessionToken, storeOfflineSession } from "../support/admin-request";
import { testDb } from "../support/db";
import { createShop } from "../factories";
import { expectConsole } from "../support/console";
import { loadRequestHandler } from "../support/server-build";
import { TEST_APP } from "../support/test-app";

const handler = await loadRequestHandler();
const shop = "secure-store.myshopify.com";

function expectBase(response: Response) {
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(response.headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
  expect(response.headers.has("Strict-Transport-Security")).toBe(false);
}

describe("security headers on documents", () => {
  beforeAll(async () => {
    await createShop(testDb(), { domain: shop });
    await storeOfflineSession(shop);
  });

  it("a document without ?shop= (the landing page) may be framed by the Shopify admin only", async () => {
    const response = await handler(new Request(new URL("/", TEST_APP.appUrl)));
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/html");
    expect(response.headers.get("Content-Security-Policy")).toBe("frame-ancestors https://admin.shopify.com;");
    expectBase(response);
  });

  it("an error document without a shop gets the same frame-ancestors", async () => {
    expectConsole("warn", /No routes matched location "\/no-such-page"/);
    expectConsole("error", /No route matches URL "\/no-such-page"|\[object Object\]/); // Remix logs the 404 route error response it renders
    const response = await handler(new Request(new URL("/no-such-page", TEST_APP.appUrl)));
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Security-Policy")).toBe("frame-ancestors https://admin.shopify.com;");
    expectBase(response);
  });

  it("the embedded app's document may be framed by that shop and the admin", async () => {
    const url = appUrl("/app", shop);
    url.searchParams.set("id_token", await sessionToken(shop));
    const response = await handler(new Request(url));
    expect(response.status).toBe(200);
    const policy = response.headers.get("Content-Security-Policy") ?? "";
    expect(policy).toMatch(new RegExp(`^frame-ancestors https://${shop.replaceAll(".", "\\.")} https://admin\\.shopify\\.com`));
    expectBase(response);
  });

  it("data requests get the base headers too", async () => {
    const response = await handler(new Request(new URL("/_root.data", TEST_APP.appUrl)));
    expect(response.status).toBeLessThan(500);
    expectBase(response);
  });
});
