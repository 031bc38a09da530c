/**
 * The local Shopify admin's discounts and segments pages (what a merchant checks after the app launched a bundle or
 * published a segment), and customer search by a tag the API added.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalShopify } from "../../local-shopify";
import { gid } from "../../local-shopify/gid";
import { adminPageModule } from "../../local-shopify/modules/admin-page";
import type { SeedCustomer, SeedProduct, SeedStore } from "../../local-shopify/seed";
import { emptySeed } from "../../local-shopify/store";
import { adminBody } from "../../support/local-admin";

const SHOP = "admin-pages.myshopify.com";
const TOKEN = "shpat_admin_pages";
const customer = (id: number, tags: string[] = []): SeedCustomer => ({
  id,
  createdAt: "2025-02-01T00:00:00Z",
  updatedAt: "2025-02-01T00:00:00Z",
  tags,
  locale: "en",
  countryCode: "VN",
  emailMarketingState: "SUBSCRIBED",
  rfmGroup: null,
  predictedSpendTier: null,
});
const product = (id: number, title: string): SeedProduct => ({
  id,
  title,
  handle: title.toLowerCase().replace(/ /g, "-"),
  productType: "Gear",
  vendor: "Insight",
  tags: [],
  status: "ACTIVE",
  createdAt: "2025-01-01T00:00:00Z",
  updatedAt: "2025-01-01T00:00:00Z",
  deletedAt: null,
  collectionIds: [],
  variants: [{ id: id * 10, title: "Default Title", sku: `S${id}`, price: 1_000_000, compareAtPrice: null, unitCost: null, inventoryQuantity: 5, availableForSale: true }],
});

function seed(): SeedStore {
  return { ...emptySeed({ domain: SHOP, id: 7 }), products: [product(1, "Laptop"), product(2, "Mouse")], customers: [customer(21, ["vip"]), customer(22), customer(23)] };
}

const local = createLocalShopify();
local.use(adminPageModule({ apiKey: "k", apiSecret: "s", appUrl: "http://127.0.0.1:1", handle: "insight-loop", name: "Insight Loop" }));
local.addShop(seed());
local.issueAccessToken(SHOP, TOKEN);
let origin = "";
beforeAll(async () => {
  origin = await local.listen();
});
afterAll(() => local.close());
const gql = adminBody(local, TOKEN);
const page = async (path: string) => {
  const response = await fetch(`${origin}/store/admin-pages/${path}`);
  expect(response.status).toBe(200);
  return response.text();
};

const TAGS_ADD = `mutation T($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { message } } }`;

describe("local Shopify admin pages", () => {
  it("customers(query: tag:…) finds a tag added through the API, not only seed tags", async () => {
    expect((await gql(TAGS_ADD, { id: gid("Customer", 22), tags: ["il-seg-at-risk"] })).data.tagsAdd.userErrors).toEqual([]);
    const found = await gql(`{ customers(first: 10, query: "tag:il-seg-at-risk") { nodes { id } } }`);
    expect(found.data.customers.nodes).toEqual([{ id: gid("Customer", 22) }]);
  });

  it("the discounts page lists a BXGY code discount with its code and status", async () => {
    expect(await page("discounts")).toContain("No discounts");
    const created = await gql(
      `mutation C($d: DiscountCodeBxgyInput!) { discountCodeBxgyCreate(bxgyCodeDiscount: $d) { codeDiscountNode { id } userErrors { field message } } }`,
      {
        d: {
          title: "Laptop + mouse",
          code: "MOUSE15",
          startsAt: "2025-01-01T00:00:00Z",
          context: { all: "ALL" },
          customerBuys: { items: { products: { productsToAdd: [gid("Product", 1)] } }, value: { quantity: "1" } },
          customerGets: { items: { products: { productsToAdd: [gid("Product", 2)] } }, value: { discountOnQuantity: { quantity: "1", effect: { percentage: 0.15 } } } },
        },
      },
    );
    expect(created.data.discountCodeBxgyCreate.userErrors).toEqual([]);
    const html = await page("discounts");
    expect(html).toMatch(/data-discount-title="Laptop \+ mouse" data-status="ACTIVE" data-code="MOUSE15"/);
  });

  it("the segments page shows each segment's member count and its members' tags", async () => {
    await gql(TAGS_ADD, { id: gid("Customer", 23), tags: ["il-seg-at-risk"] });
    const created = await gql(`mutation S($n: String!, $q: String!) { segmentCreate(name: $n, query: $q) { segment { id } userErrors { message } } }`, {
      n: "At risk",
      q: "customer_tags CONTAINS 'il-seg-at-risk'",
    });
    expect(created.data.segmentCreate.userErrors).toEqual([]);
    const html = await page("segments");
    expect(html).toContain('data-segment-name="At risk" data-members="2"');
    expect(html).toContain('data-customer="22" data-tags="il-seg-at-risk"');
    expect(html).toContain('data-customer="23" data-tags="il-seg-at-risk"');
    expect(html).not.toContain('data-customer="21"');
  });

  it("an unknown store is 404", async () => {
    expect((await fetch(`${origin}/store/nope/segments`)).status).toBe(404);
  });
});
