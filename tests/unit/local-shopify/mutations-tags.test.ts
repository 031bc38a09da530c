import { adminBody } from "../../support/local-admin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalShopify } from "../../local-shopify";
import { gid } from "../../local-shopify/gid";
import { shopModule } from "../../local-shopify/modules/shop";
import { tagsModule } from "../../local-shopify/modules/tags";
import type { SeedStore } from "../../local-shopify/seed";
import { effectiveTags, emptySeed } from "../../local-shopify/store";

const SHOP = "tags.myshopify.com";
const TOKEN = "shpat_tags";

function seed(): SeedStore {
  return {
    ...emptySeed({ domain: SHOP, id: 9 }),
    collections: [{ id: 31, title: "Teas", handle: "teas", updatedAt: "2025-01-01T00:00:00Z" }],
    products: [
      {
        id: 11,
        title: "Green Tea",
        handle: "green-tea",
        productType: "Tea",
        vendor: "Insight",
        tags: ["organic"],
        status: "ACTIVE",
        createdAt: "2025-01-01T00:00:00Z",
        updatedAt: "2025-01-01T00:00:00Z",
        deletedAt: null,
        collectionIds: [31],
        variants: [{ id: 111, title: "Default Title", sku: "GT", price: 100_000, compareAtPrice: null, unitCost: null, inventoryQuantity: 3, availableForSale: true }],
      },
      {
        id: 13,
        title: "Gone Tea",
        handle: "gone-tea",
        productType: "Tea",
        vendor: "Insight",
        tags: [],
        status: "ARCHIVED",
        createdAt: "2025-01-01T00:00:00Z",
        updatedAt: "2025-01-01T00:00:00Z",
        deletedAt: "2025-06-01T00:00:00Z",
        collectionIds: [],
        variants: [],
      },
    ],
    customers: [
      { id: 21, createdAt: "2025-02-01T00:00:00Z", updatedAt: "2025-02-01T00:00:00Z", tags: ["vip", "age:23-30"], locale: "vi", countryCode: "VN", emailMarketingState: "SUBSCRIBED", rfmGroup: "CHAMPIONS", predictedSpendTier: "HIGH" },
      { id: 22, createdAt: "2025-02-01T00:00:00Z", updatedAt: "2025-02-01T00:00:00Z", tags: [], locale: "en", countryCode: null, emailMarketingState: "NOT_SUBSCRIBED", rfmGroup: null, predictedSpendTier: null },
    ],
    orders: [
      {
        id: 41,
        name: "#1001",
        createdAt: "2025-03-01T00:00:00Z",
        processedAt: "2025-03-01T00:00:00Z",
        updatedAt: "2025-03-01T00:00:00Z",
        cancelledAt: null,
        test: false,
        sourceName: "web",
        customerId: 21,
        discountCodes: [],
        subtotal: 100_000,
        totalDiscounts: 0,
        total: 100_000,
        lineItems: [],
        refunds: [],
      },
    ],
  };
}

const local = createLocalShopify({ modules: [shopModule, tagsModule] });
local.addShop(seed());
local.issueAccessToken(SHOP, TOKEN);
beforeAll(() => local.listen());
afterAll(() => local.close());
const gql = adminBody(local, TOKEN);

const ADD = `mutation Add($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { __typename id } userErrors { field message } } }`;
const REMOVE = `mutation Remove($id: ID!, $tags: [String!]!) { tagsRemove(id: $id, tags: $tags) { node { id } userErrors { field message } } }`;
const CUSTOMER = gid("Customer", 21);
const seedTags = (type: "Customer" | "Product" | "Order", id: number) => {
  const s = local.shop(SHOP).seed;
  if (type === "Customer") return s.customers.find((c) => c.id === id)!.tags;
  if (type === "Product") return s.products.find((p) => p.id === id)!.tags;
  return [];
};
const tagsOf = (type: "Customer" | "Product" | "Order", id: number) => effectiveTags(local.shop(SHOP), gid(type, id), seedTags(type, id));

describe("tagsAdd / tagsRemove", () => {
  it("adds tags to a customer (a list, or comma-separated values), case-insensitively unique, and answers the node", async () => {
    const added = await gql(ADD, { id: CUSTOMER, tags: ["insight:champion", "VIP"] });
    expect(added.data.tagsAdd).toEqual({ node: { __typename: "Customer", id: CUSTOMER }, userErrors: [] });
    // A single string is coerced to a one-element list, which Shopify splits on commas.
    const csv = await gql(ADD, { id: CUSTOMER, tags: "bundle:tea, upgrade:large ,  " });
    expect(csv.data.tagsAdd.userErrors).toEqual([]);
    expect(tagsOf("Customer", 21)).toEqual(["age:23-30", "bundle:tea", "insight:champion", "upgrade:large", "vip"]);
  });

  it("removes tags case-insensitively and ignores tags the object does not have", async () => {
    const removed = await gql(REMOVE, { id: CUSTOMER, tags: ["VIP", "never-there", "bundle:tea"] });
    expect(removed.data.tagsRemove).toEqual({ node: { id: CUSTOMER }, userErrors: [] });
    expect(tagsOf("Customer", 21)).toEqual(["age:23-30", "insight:champion", "upgrade:large"]);
  });

  it("tags orders and products too", async () => {
    expect((await gql(ADD, { id: gid("Order", 41), tags: ["insight:bundle-buyer"] })).data.tagsAdd.node).toEqual({ __typename: "Order", id: gid("Order", 41) });
    expect(tagsOf("Order", 41)).toEqual(["insight:bundle-buyer"]);
    expect((await gql(ADD, { id: gid("Product", 11), tags: ["bundle-anchor"] })).data.tagsAdd.node.__typename).toBe("Product");
    expect(tagsOf("Product", 11)).toEqual(["bundle-anchor", "organic"]);
    await gql(REMOVE, { id: gid("Product", 11), tags: ["organic"] });
    expect(tagsOf("Product", 11)).toEqual(["bundle-anchor"]);
  });

  it("answers node null and a user error on id for ids that name nothing taggable", async () => {
    for (const id of [gid("Customer", 999), gid("Order", 999), gid("Product", 13), gid("Collection", 31), "not-a-gid"]) {
      const body = await gql(ADD, { id, tags: ["x"] });
      expect(body.errors, id).toBeUndefined();
      expect(body.data.tagsAdd, id).toEqual({ node: null, userErrors: [{ field: ["id"], message: expect.stringContaining(id) }] });
    }
    expect(tagsOf("Customer", 22)).toEqual([]);
  });

  it("refuses tags longer than 255 characters", async () => {
    const body = await gql(ADD, { id: gid("Customer", 22), tags: ["x".repeat(256)] });
    expect(body.data.tagsAdd.userErrors[0].field).toEqual(["tags"]);
    expect(tagsOf("Customer", 22)).toEqual([]);
  });

  it("accepts a tag of exactly 255 characters", async () => {
    const tag = "y".repeat(255);
    expect((await gql(ADD, { id: gid("Customer", 22), tags: [tag] })).data.tagsAdd.userErrors).toEqual([]);
    expect(tagsOf("Customer", 22)).toEqual([tag]);
    await gql(REMOVE, { id: gid("Customer", 22), tags: [tag] });
    expect(tagsOf("Customer", 22)).toEqual([]);
  });

  it("keeps a customer at 250 tags at most: a tagsAdd past it is a user error on tags and changes nothing", async () => {
    const customer = gid("Customer", 22);
    const tags = Array.from({ length: 249 }, (_, i) => `il-seg:${i}`);
    expect((await gql(ADD, { id: customer, tags })).data.tagsAdd.userErrors).toEqual([]);
    expect(tagsOf("Customer", 22)).toHaveLength(249);
    const over = await gql(ADD, { id: customer, tags: ["il-a", "il-b"] });
    expect(over.data.tagsAdd).toEqual({ node: null, userErrors: [{ field: ["tags"], message: expect.stringContaining("250") }] });
    expect(tagsOf("Customer", 22)).toHaveLength(249);
    // Tags it already has do not count again; the 250th fits.
    expect((await gql(ADD, { id: customer, tags: ["IL-SEG:0", "il-a"] })).data.tagsAdd.userErrors).toEqual([]);
    expect(tagsOf("Customer", 22)).toHaveLength(250);
    expect((await gql(ADD, { id: customer, tags: ["il-b"] })).data.tagsAdd.userErrors[0].field).toEqual(["tags"]);
    await gql(REMOVE, { id: customer, tags: [...tags, "il-a"] });
    expect(tagsOf("Customer", 22)).toEqual([]);
  });

  it("fails loudly on what it does not implement", async () => {
    const fields = await gql(`mutation { tagsAdd(id: "${CUSTOMER}", tags: ["a"]) { node { id ... on Customer { tags } } userErrors { message } } }`);
    expect(fields.errors[0]).toMatchObject({ message: "The local Shopify does not implement Customer.tags", extensions: { code: "NOT_IMPLEMENTED_LOCALLY" } });
    const draft = await gql(ADD, { id: "gid://shopify/DraftOrder/1", tags: ["a"] });
    expect(draft.errors[0].message).toContain("tags on DraftOrder");
  });
});
