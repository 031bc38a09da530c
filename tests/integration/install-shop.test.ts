/** Installing a shop records what Shopify says about it, through the app's real ShopQuery against the local Shopify. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installShop } from "../../app/lib/install-shop.server";
import { testDb } from "../support/db";
import { createLocalShopify, emptySeed } from "../local-shopify";

const SHOP = "tet-electronics.myshopify.com";
const local = createLocalShopify();
local.addShop(emptySeed({ domain: SHOP, currencyCode: "VND", ianaTimezone: "Asia/Ho_Chi_Minh", locales: ["vi", "en"] }));
local.issueAccessToken(SHOP, "shpat_install");
let endpoint = "";

beforeAll(async () => {
  endpoint = local.graphqlUrl(await local.listen());
});
afterAll(() => local.close());

// What authenticate.admin's `admin.graphql` does: POST the document with the shop's access token.
const graphql = (query: string, options?: { variables?: Record<string, unknown> }) =>
  fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": "shpat_install" },
    body: JSON.stringify({ query, variables: options?.variables }),
  });

describe("installShop", () => {
  it("creates the shop with its currency, time zone and primary locale", async () => {
    const db = testDb();
    await installShop({ shop: SHOP, graphql, db });
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({
      currency: "VND",
      timezone: "Asia/Ho_Chi_Minh",
      locale: "vi",
      uninstalledAt: null,
    });
  });

  it("on reinstall clears the uninstall and keeps the merchant's settings", async () => {
    const db = testDb();
    await db.shop.update({
      where: { domain: SHOP },
      data: { uninstalledAt: new Date("2026-01-01T00:00:00Z"), settings: { uiLocale: "vi" } },
    });
    await installShop({ shop: SHOP, graphql, db });
    const shop = await db.shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(shop.uninstalledAt).toBeNull();
    expect(shop.settings).toEqual({ uiLocale: "vi" });
  });

  it("fails with the operation's errors when Shopify refuses, writing nothing", async () => {
    const db = testDb();
    const forged = (query: string) =>
      fetch(endpoint, { method: "POST", headers: { "x-shopify-access-token": "nope" }, body: JSON.stringify({ query }) });
    await expect(installShop({ shop: "other.myshopify.com", graphql: forged, db })).rejects.toThrow(/ShopQuery failed/);
    expect(await db.shop.count({ where: { domain: "other.myshopify.com" } })).toBe(0);
  });
});
