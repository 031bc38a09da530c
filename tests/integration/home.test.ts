/**
 * The embedded home page through the real server build and the real authenticate.admin: a session token signed with the
 * app secret, an offline session in the database. No auth bypass exists to take.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createOrder, createShop } from "../factories";
import { appUrl, sessionToken, storeOfflineSession } from "../support/admin-request";
import { testDb } from "../support/db";
import { loadRequestHandler } from "../support/server-build";
import { TEST_APP } from "../support/test-app";

const handler = await loadRequestHandler();

async function openApp(shop: string, token: string | null) {
  const url = appUrl("/app", shop);
  if (token) url.searchParams.set("id_token", token);
  const response = await handler(new Request(url));
  // React separates adjacent text nodes with <!-- --> in server HTML; drop them so assertions read as the page does.
  return { response, html: (await response.text()).replaceAll("<!-- -->", "") };
}

const token = sessionToken;

describe("embedded home page", () => {
  const empty = "empty-store.myshopify.com";
  const busy = "busy-store.myshopify.com";

  beforeAll(async () => {
    const db = testDb();
    await createShop(db, { domain: empty });
    await createShop(db, { domain: busy, currency: "VND", timezone: "Asia/Ho_Chi_Minh" });
    await createOrder(db, busy, { lines: [{ productId: null, unitPrice: 25_000_000n }] });
    await createOrder(db, busy, {
      processedAt: new Date("2025-09-02T02:00:00Z"),
      lines: [{ productId: null, unitPrice: 350_000n, quantity: 2 }],
    });
    await storeOfflineSession(empty);
    await storeOfflineSession(busy);
  });

  it("renders a Polaris page with an empty state for a shop without orders", async () => {
    const { response, html } = await openApp(empty, await token(empty));
    expect(response.status).toBe(200);
    expect(html).toContain("Polaris-Page");
    expect(html).toContain("Insight Loop");
    expect(html).toContain(empty);
    expect(html).toContain("Your order history is on its way");
    // The browser gets the public API key and nothing secret.
    expect(html).toContain(TEST_APP.apiKey);
    expect(html).not.toContain(TEST_APP.apiSecret);
    expect(html).not.toContain("shpat_test_token");
  });

  it("shows the shop's own numbers, scoped to that shop", async () => {
    const { response, html } = await openApp(busy, await token(busy));
    expect(response.status).toBe(200);
    expect(html).toMatch(/Orders<\/p>.*?>2<\/p>/s);
    expect(html).toContain("Orders from 2025-06-01 to 2025-09-02 (Asia/Ho_Chi_Minh), in VND.");
    expect(html).not.toContain("Your order history is on its way");
  });

  it("does not render the app for a token signed with another secret", async () => {
    const { response, html } = await openApp(empty, await token(empty, "someone-elses-secret"));
    expect(response.status).not.toBe(200);
    expect(html).not.toContain("Polaris-Page");
  });

  it("does not render the app without a session token (bounces to App Bridge for one)", async () => {
    const { html } = await openApp(empty, null);
    expect(html).not.toContain("Polaris-Page");
  });
});
