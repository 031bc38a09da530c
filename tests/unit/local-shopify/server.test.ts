import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_QUERY } from "../../../app/shopify/graphql/ShopQuery";
import { createLocalShopify } from "../../local-shopify";
import { INVALID_TOKEN_MESSAGE } from "../../local-shopify/server";
import { emptySeed } from "../../local-shopify/store";

const SHOP = "demo-electronics.myshopify.com";
const TOKEN = "shpat_local_1";
let clock = 1_000_000;
const local = createLocalShopify({ now: () => clock });
local.addShop(emptySeed({ domain: SHOP, currencyCode: "VND", ianaTimezone: "Asia/Ho_Chi_Minh", locales: ["vi", "en"] }));
local.issueAccessToken(SHOP, TOKEN);
const tiny = "tiny.myshopify.com";
local.addShop(emptySeed({ domain: tiny, id: 2 }), { maximumAvailable: 10, restoreRate: 1 });
local.issueAccessToken(tiny, "shpat_tiny");

let endpoint = "";
beforeAll(async () => {
  endpoint = local.graphqlUrl(await local.listen());
});
afterAll(() => local.close());

async function post(query: string, token: string | null = TOKEN, variables?: Record<string, unknown>) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { "x-shopify-access-token": token } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe("local Shopify Admin GraphQL endpoint", () => {
  it("answers the app's ShopQuery from the store, with its cost", async () => {
    const { status, body } = await post(SHOP_QUERY);
    expect(status).toBe(200);
    expect(body.data).toEqual({
      shop: { myshopifyDomain: SHOP, currencyCode: "VND", ianaTimezone: "Asia/Ho_Chi_Minh" },
      shopLocales: [
        { locale: "vi", primary: true },
        { locale: "en", primary: false },
      ],
    });
    expect(body.extensions.cost).toMatchObject({
      requestedQueryCost: 2,
      actualQueryCost: 2,
      throttleStatus: { maximumAvailable: 2000, restoreRate: 100 },
    });
  });

  it("rejects a document Shopify would reject, in Shopify's error shape", async () => {
    const { status, body } = await post("query Bad { shop { currencyCode notAField } }");
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('Cannot query field "notAField" on type "Shop"'),
        locations: [{ line: 1, column: 33 }],
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      }),
    ]);
  });

  it("rejects wrong argument types and syntax errors", async () => {
    expect((await post('{ products(first: "ten") { nodes { id } } }')).body.errors[0].extensions.code).toBe(
      "GRAPHQL_VALIDATION_FAILED",
    );
    expect((await post("{ shop { name }")).body.errors[0].extensions.code).toBe("PARSE_ERROR");
  });

  it("refuses requests without a valid access token", async () => {
    expect(await post(SHOP_QUERY, null)).toEqual({ status: 401, body: { errors: INVALID_TOKEN_MESSAGE } });
    expect((await post(SHOP_QUERY, "shpat_forged")).status).toBe(401);
  });

  it("fails loudly on what it does not implement instead of returning fake data", async () => {
    const { body } = await post("{ shop { name contactEmail } }");
    expect(body.errors[0]).toMatchObject({
      message: "The local Shopify does not implement Shop.contactEmail",
      path: ["shop", "contactEmail"],
    });
  });

  it("refuses a query over the single-query cost limit", async () => {
    const { body } = await post("{ orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }");
    expect(body.errors[0].extensions).toMatchObject({ code: "MAX_COST_EXCEEDED", maxCost: 1000 });
  });

  it("throttles per shop with a leaky bucket and recovers at the restore rate", async () => {
    const query = "{ shop { name } shopLocales { locale } }"; // cost 2: two objects
    // The tiny shop's bucket holds 10 points; restore 1 point/s. The clock does not move between calls.
    for (let i = 0; i < 5; i++) expect((await post(query, "shpat_tiny")).body.errors).toBeUndefined();
    const throttled = await post(query, "shpat_tiny");
    expect(throttled.body.errors).toEqual([expect.objectContaining({ message: "Throttled", extensions: expect.objectContaining({ code: "THROTTLED" }) })]);
    expect(throttled.body.extensions.cost.throttleStatus).toEqual({ maximumAvailable: 10, currentlyAvailable: 0, restoreRate: 1 });
    // Another shop's bucket is untouched.
    expect((await post(query)).body.errors).toBeUndefined();
    clock += 2000; // two seconds restore two points
    const after = await post(query, "shpat_tiny");
    expect(after.body.errors).toBeUndefined();
    expect(after.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(0);
  });

  it("serves only the pinned API version", async () => {
    const response = await fetch(endpoint.replace("2026-01", "2025-01"), {
      method: "POST",
      headers: { "x-shopify-access-token": TOKEN },
      body: "{}",
    });
    expect(response.status).toBe(404);
  });
});

describe("access token expiry", () => {
  it("refuses an expiring access token once it has expired", async () => {
    local.issueAccessToken(SHOP, "shpat_expiring", { expiresAt: clock + 1000 });
    expect((await post(SHOP_QUERY, "shpat_expiring")).status).toBe(200);
    clock += 1000;
    expect(await post(SHOP_QUERY, "shpat_expiring")).toEqual({ status: 401, body: { errors: INVALID_TOKEN_MESSAGE } });
  });
});
