import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smallSeed } from "../../factories/seed";
import { createLocalShopify } from "../../local-shopify";
import { adminClient } from "../../support/local-admin";

const local = createLocalShopify();
local.addShop(smallSeed());
local.issueAccessToken("small-shop.myshopify.com", "t");
local.addShop(smallSeed("usd-shop.myshopify.com", "USD"));
local.issueAccessToken("usd-shop.myshopify.com", "u");
const gql = adminClient(local, "t");

beforeAll(() => local.listen());
afterAll(() => local.close());

describe("products, variants and collections", () => {
  it("pages with first/after and reports pageInfo; deleted products do not exist", async () => {
    const page = `query P($after: String) { products(first: 1, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
    const one = (await gql(page)).body.data.products;
    expect(one.edges.map((e: { node: { title: string } }) => e.node.title)).toEqual(["VietBook 14"]);
    expect(one.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const two = (await gql(page, { after: one.pageInfo.endCursor })).body.data.products;
    expect(two.edges.map((e: { node: { title: string } }) => e.node.title)).toEqual(["Mouse M1"]);
    expect(two.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it("supports last/before, reverse and sort keys", async () => {
    const titles = async (args: string) =>
      (await gql(`{ products(${args}) { nodes { title } } }`)).body.data.products.nodes.map((n: { title: string }) => n.title);
    expect(await titles("first: 5, reverse: true")).toEqual(["Mouse M1", "VietBook 14"]);
    expect(await titles("last: 1")).toEqual(["Mouse M1"]);
    expect(await titles("first: 5, sortKey: TITLE")).toEqual(["Mouse M1", "VietBook 14"]);
  });

  it("maps variants with money in the shop currency and unit cost", async () => {
    const { data } = (
      await gql(`{ product(id: "gid://shopify/Product/101") { variants(first: 5) { nodes { sku price compareAtPrice inventoryQuantity inventoryItem { unitCost { amount currencyCode } } } } collections(first: 5) { nodes { handle } } } }`)
    ).body;
    expect(data.product.variants.nodes[0]).toEqual({
      sku: "VB14-S",
      price: "25000000",
      compareAtPrice: "27000000",
      inventoryQuantity: 12,
      inventoryItem: { unitCost: { amount: "18000000", currencyCode: "VND" } },
    });
    expect(data.product.variants.nodes[1].inventoryItem.unitCost).toBeNull();
    expect(data.product.collections.nodes).toEqual([{ handle: "laptops" }]);
    const usd = await adminClient(local, "u")(`{ productVariant(id: "gid://shopify/ProductVariant/203") { price } }`);
    expect(usd.body.data.productVariant.price).toBe("3500.00"); // 350,000 minor units (cents) of USD
  });

  it("refuses a page size over 250 and a connection without first or last", async () => {
    expect((await gql("{ products(first: 251) { nodes { id } } }")).body.errors[0].message).toMatch(/between 0 and 250/);
    expect((await gql("{ products { nodes { id } } }")).body.errors[0].message).toMatch(/first or last/);
  });
});

describe("customers and orders", () => {
  it("exposes Shopify's RFM group, tags and country, and nothing personal", async () => {
    const { body } = await gql(`{ customers(first: 5) { nodes { id tags locale statistics { rfmGroup predictedSpendTier } defaultAddress { countryCodeV2 } } } }`);
    expect(body.data.customers.nodes[0]).toEqual({
      id: "gid://shopify/Customer/301",
      tags: ["age:15-22"],
      locale: "vi",
      statistics: { rfmGroup: "CHAMPIONS", predictedSpendTier: "HIGH" },
      defaultAddress: { countryCodeV2: "VN" },
    });
    const email = await gql(`{ customers(first: 1) { nodes { email } } }`);
    expect(email.body.errors[0].message).toBe("The local Shopify does not implement Customer.email");
  });

  it("filters orders by updated_at and sorts by UPDATED_AT", async () => {
    const { body } = await gql(`{ orders(first: 10, sortKey: UPDATED_AT, query: "updated_at:>='2025-01-07T00:00:00Z'") { nodes { name updatedAt } } }`);
    expect(body.data.orders.nodes.map((o: { name: string }) => o.name)).toEqual(["#1004", "#1005", "#1002"]);
    const created = await gql(`{ orders(first: 10, query: "created_at:>=2025-01-04 created_at:<2025-01-06") { nodes { name } } }`);
    expect(created.body.data.orders.nodes.map((o: { name: string }) => o.name)).toEqual(["#1002", "#1003"]);
  });

  it("maps line items, refunds, guests, cancellations and deleted products", async () => {
    const { body } = await gql(`{
      orders(first: 10) { nodes {
        name test cancelledAt customer { id } discountCodes
        totalPriceSet { shopMoney { amount currencyCode } } totalRefundedSet { shopMoney { amount } }
        lineItems(first: 10) { nodes { title sku quantity currentQuantity product { id } variant { id } originalUnitPriceSet { shopMoney { amount } } totalDiscountSet { shopMoney { amount } } } }
        refunds { createdAt refundLineItems(first: 5) { nodes { quantity lineItem { sku } } } totalRefundedSet { shopMoney { amount } } }
      } } }`);
    const [o1, o2, o3, o4, o5] = body.data.orders.nodes;
    expect(o1.totalPriceSet.shopMoney).toEqual({ amount: "25350000", currencyCode: "VND" });
    expect(o2.discountCodes).toEqual(["BTS2025"]);
    expect(o2.lineItems.nodes[0].totalDiscountSet.shopMoney.amount).toBe("50000");
    expect(o2.lineItems.nodes[1]).toMatchObject({ sku: "BAG-OLD", product: null, currentQuantity: 0 });
    expect(o2.refunds[0].refundLineItems.nodes).toEqual([{ quantity: 1, lineItem: { sku: "BAG-OLD" } }]);
    expect(o2.totalRefundedSet.shopMoney.amount).toBe("500000");
    expect(o3.customer).toBeNull();
    expect(o4.cancelledAt).not.toBeNull();
    expect(o4.lineItems.nodes[0].currentQuantity).toBe(0);
    expect(o5).toMatchObject({ test: true, lineItems: { nodes: [{ title: "Tip", product: null, variant: null }] } });
  });

  it("fails loudly on search fields and sort keys it does not implement", async () => {
    expect((await gql(`{ orders(first: 1, query: "financial_status:paid") { nodes { id } } }`)).body.errors[0].message).toMatch(
      /does not implement search field "financial_status" on orders/,
    );
    expect((await gql(`{ orders(first: 1, sortKey: TOTAL_PRICE) { nodes { id } } }`)).body.errors[0].message).toMatch(
      /does not implement sortKey TOTAL_PRICE/,
    );
  });
});
