import { adminBody } from "../../support/local-admin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalShopify } from "../../local-shopify";
import { gid } from "../../local-shopify/gid";
import { segmentsModule } from "../../local-shopify/modules/segments";
import { shopModule } from "../../local-shopify/modules/shop";
import { tagsModule } from "../../local-shopify/modules/tags";
import type { SeedCustomer, SeedOrder, SeedStore } from "../../local-shopify/seed";
import { emptySeed } from "../../local-shopify/store";

const SHOP = "segments.myshopify.com";
const TOKEN = "shpat_segments";
let clock = Date.parse("2026-03-01T08:00:00Z");

function seed(): SeedStore {
  const customer = (id: number, tags: string[], rfmGroup: string | null, predictedSpendTier: SeedCustomer["predictedSpendTier"], countryCode: string | null, emailMarketingState: SeedCustomer["emailMarketingState"]): SeedCustomer => ({
    id,
    createdAt: "2025-02-01T00:00:00Z",
    updatedAt: "2025-02-01T00:00:00Z",
    tags,
    locale: "vi",
    countryCode,
    emailMarketingState,
    rfmGroup,
    predictedSpendTier,
  });
  const order = (id: number, customerId: number): SeedOrder => ({
    id,
    name: `#${id}`,
    createdAt: "2025-03-01T00:00:00Z",
    processedAt: "2025-03-01T00:00:00Z",
    updatedAt: "2025-03-01T00:00:00Z",
    cancelledAt: null,
    test: false,
    sourceName: "web",
    customerId,
    discountCodes: [],
    subtotal: 100_000,
    totalDiscounts: 0,
    total: 100_000,
    lineItems: [],
    refunds: [],
  });
  return {
    ...emptySeed({ domain: SHOP, id: 10 }),
    customers: [
      customer(21, ["VIP", "age:23-30"], "CHAMPIONS", "HIGH", "VN", "SUBSCRIBED"),
      customer(22, ["age:15-22"], "AT_RISK", "LOW", "US", "NOT_SUBSCRIBED"),
      customer(23, [], null, null, null, "UNSUBSCRIBED"),
    ],
    orders: [order(41, 21), order(42, 21), order(43, 22)],
  };
}

const local = createLocalShopify({ now: () => clock, modules: [shopModule, segmentsModule, tagsModule] });
local.addShop(seed(), { maximumAvailable: 1_000_000, restoreRate: 1_000_000 });
local.issueAccessToken(SHOP, TOKEN);
beforeAll(() => local.listen());
afterAll(() => local.close());
const gql = adminBody(local, TOKEN);

const CREATE = `mutation Create($name: String!, $query: String!) {
  segmentCreate(name: $name, query: $query) { segment { id name query creationDate lastEditDate } userErrors { field message } }
}`;
const MEMBERS = `query Members($segmentId: ID, $query: String, $first: Int, $after: String) {
  customerSegmentMembers(segmentId: $segmentId, query: $query, first: $first, after: $after) {
    totalCount
    edges { cursor node { id numberOfOrders } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const memberIds = async (query: string) => {
  const body = await gql(MEMBERS, { query, first: 50 });
  expect(body.errors, query).toBeUndefined();
  return body.data.customerSegmentMembers.edges.map((e: { node: { id: string } }) => Number(e.node.id.split("/").at(-1)));
};

describe("segmentCreate and read-back", () => {
  it("creates a segment and reads it back through segment(id) and segments(first)", async () => {
    const created = await gql(CREATE, { name: "Champions", query: "rfm_group = CHAMPIONS" });
    expect(created.data.segmentCreate.userErrors).toEqual([]);
    const segment = created.data.segmentCreate.segment;
    expect(segment).toEqual({ id: expect.stringMatching(/^gid:\/\/shopify\/Segment\/\d+$/), name: "Champions", query: "rfm_group = CHAMPIONS", creationDate: "2026-03-01T08:00:00Z", lastEditDate: "2026-03-01T08:00:00Z" });

    clock += 1000;
    await gql(CREATE, { name: "Tagged VIP", query: "customer_tags CONTAINS 'vip'" });
    const byId = await gql(`query S($id: ID!) { segment(id: $id) { id name query } }`, { id: segment.id });
    expect(byId.data.segment).toEqual({ id: segment.id, name: "Champions", query: "rfm_group = CHAMPIONS" });
    expect((await gql(`{ segment(id: "gid://shopify/Segment/1") { id } }`)).data.segment).toBeNull();
    const list = await gql(`{ segments(first: 10) { nodes { name } edges { cursor } pageInfo { hasNextPage } } }`);
    expect(list.data.segments.nodes.map((n: { name: string }) => n.name)).toEqual(["Champions", "Tagged VIP"]);
    expect(list.data.segments.pageInfo.hasNextPage).toBe(false);
  });

  it("refuses blank and duplicate names and blank or malformed queries", async () => {
    const errors = async (name: string, query: string) => (await gql(CREATE, { name, query })).data.segmentCreate;
    expect(await errors("champions", "rfm_group = LOYAL")).toEqual({ segment: null, userErrors: [{ field: ["name"], message: "Name has already been taken" }] });
    expect((await errors(" ", "rfm_group = LOYAL")).userErrors).toEqual([{ field: ["name"], message: "Name can't be blank" }]);
    expect((await errors("Empty", "  ")).userErrors).toEqual([{ field: ["query"], message: "Query can't be blank" }]);
    const malformed: [string, RegExp][] = [
      ["customer_tags CONTAINS 'vip", /Line 1 Column 23: string is not terminated/],
      ["(rfm_group = CHAMPIONS", /expected '\)'/],
      ["rfm_group = CHAMPIONS)", /'\)' is unexpected/],
      ["customer_tagz CONTAINS 'vip'", /'customer_tagz' filter cannot be found/],
      ["rfm_group CONTAINS 'CHAMPIONS'", /CONTAINS is not a valid operator for rfm_group/],
      ["rfm_group = WINNERS", /'WINNERS' is not a valid value for rfm_group/],
      ["customer_tags CONTAINS", /expected a value/],
      ["customer_tags CONTAINS vip", /expects a quoted string/],
      ["rfm_group = CHAMPIONS AND", /expected a filter/],
      ["number_of_orders > 'two'", /expects a number/],
      ["rfm_group = CHAMPIONS predicted_spend_tier = HIGH", /expected AND, OR or the end of the query/],
    ];
    for (const [query, message] of malformed) {
      const result = await errors(`Bad ${query}`, query);
      expect(result.segment, query).toBeNull();
      expect(result.userErrors, query).toEqual([{ field: ["query"], message: expect.stringMatching(message) }]);
    }
    expect((await gql(`{ segments(first: 10) { nodes { name } } }`)).data.segments.nodes).toHaveLength(2);
  });

  it("fails loudly on real filters it does not evaluate", async () => {
    const body = await gql(CREATE, { name: "Big spenders", query: "amount_spent > 1000000" });
    expect(body.errors[0]).toMatchObject({ message: expect.stringContaining("the segment filter amount_spent"), extensions: { code: "NOT_IMPLEMENTED_LOCALLY" } });
    const fn = await gql(CREATE, { name: "Bought tea", query: "products_purchased(id: 11) = true" });
    expect(fn.errors[0].extensions.code).toBe("NOT_IMPLEMENTED_LOCALLY");
  });
});

describe("customerSegmentMembers", () => {
  it("evaluates the supported filters against the seed customers", async () => {
    expect(await memberIds("customer_tags CONTAINS 'vip'")).toEqual([21]); // tags compare case-insensitively
    expect(await memberIds("customer_tags NOT CONTAINS 'vip'")).toEqual([22, 23]);
    expect(await memberIds("customer_tags IS NULL")).toEqual([23]);
    expect(await memberIds("rfm_group = CHAMPIONS")).toEqual([21]);
    expect(await memberIds("rfm_group IN (CHAMPIONS, AT_RISK)")).toEqual([21, 22]);
    expect(await memberIds("rfm_group IS NOT NULL")).toEqual([21, 22]);
    expect(await memberIds("predicted_spend_tier = HIGH OR predicted_spend_tier = LOW")).toEqual([21, 22]);
    expect(await memberIds("email_subscription_status = 'SUBSCRIBED'")).toEqual([21]);
    expect(await memberIds("customer_countries CONTAINS 'US'")).toEqual([22]);
    expect(await memberIds("number_of_orders >= 1 AND number_of_orders < 2")).toEqual([22]);
    expect(await memberIds("number_of_orders BETWEEN 1 AND 5")).toEqual([21, 22]);
    expect(await memberIds("(rfm_group = CHAMPIONS OR rfm_group = AT_RISK) AND customer_tags CONTAINS 'age:15-22'")).toEqual([22]);
  });

  it("pages members, counts them, and follows tagsAdd", async () => {
    const segment = (await gql(CREATE, { name: "Bundle buyers", query: "customer_tags CONTAINS 'insight:bundle'" })).data.segmentCreate.segment;
    expect((await gql(MEMBERS, { segmentId: segment.id, first: 10 })).data.customerSegmentMembers.totalCount).toBe(0);
    for (const id of [21, 22, 23]) await gql(`mutation { tagsAdd(id: "${gid("Customer", id)}", tags: ["insight:bundle"]) { userErrors { message } } }`);
    const page = await gql(MEMBERS, { segmentId: segment.id, first: 2 });
    expect(page.data.customerSegmentMembers).toMatchObject({
      totalCount: 3,
      edges: [{ node: { id: gid("CustomerSegmentMember", 21), numberOfOrders: "2" } }, { node: { id: gid("CustomerSegmentMember", 22), numberOfOrders: "1" } }],
      pageInfo: { hasNextPage: true },
    });
    const next = await gql(MEMBERS, { segmentId: segment.id, first: 2, after: page.data.customerSegmentMembers.pageInfo.endCursor });
    expect(next.data.customerSegmentMembers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([gid("CustomerSegmentMember", 23)]);
  });

  it("matches tag values with hyphens and colons exactly (the app's il- tags), by segmentId with totalCount", async () => {
    const segment = (await gql(CREATE, { name: "il-seg champions", query: "customer_tags CONTAINS 'il-seg:champions-2026'" })).data.segmentCreate.segment;
    await gql(`mutation { tagsAdd(id: "${gid("Customer", 22)}", tags: ["il-seg:champions-2026"]) { userErrors { message } } }`);
    await gql(`mutation { tagsAdd(id: "${gid("Customer", 23)}", tags: ["il-seg:champions"]) { userErrors { message } } }`); // a prefix is another tag
    const members = await gql(MEMBERS, { segmentId: segment.id, first: 10 });
    expect(members.data.customerSegmentMembers.totalCount).toBe(1);
    expect(members.data.customerSegmentMembers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([gid("CustomerSegmentMember", 22)]);
    expect(await memberIds("customer_tags CONTAINS 'il-seg:champions' OR customer_tags CONTAINS 'il-seg:champions-2026'")).toEqual([22, 23]);
  });

  it("answers errors for an unknown segment, an invalid query, and fields it does not implement", async () => {
    const unknown = await gql(MEMBERS, { segmentId: "gid://shopify/Segment/1", first: 5 });
    expect(unknown.errors[0].message).toContain("Segment does not exist");
    const invalid = await gql(MEMBERS, { query: "rfm_group = ", first: 5 });
    expect(invalid.errors[0].message).toContain("Invalid segment query");
    const field = await gql(`{ customerSegmentMembers(query: "rfm_group = CHAMPIONS", first: 5) { edges { node { displayName } } } }`);
    expect(field.errors[0]).toMatchObject({ message: "The local Shopify does not implement CustomerSegmentMember.displayName", extensions: { code: "NOT_IMPLEMENTED_LOCALLY" } });
    const stats = await gql(`{ customerSegmentMembers(query: "rfm_group = CHAMPIONS", first: 5) { statistics { attributeStatistics(attributeName: "amount_spent") { sum } } } }`);
    expect(stats.errors[0].extensions.code).toBe("NOT_IMPLEMENTED_LOCALLY");
  });
});

describe("segmentUpdate and segmentDelete", () => {
  it("updates the name and query (validated like on create) and deletes", async () => {
    const segment = (await gql(CREATE, { name: "Temp", query: "predicted_spend_tier = MEDIUM" })).data.segmentCreate.segment;
    clock += 60_000;
    const UPDATE = `mutation U($id: ID!, $name: String, $query: String) { segmentUpdate(id: $id, name: $name, query: $query) { segment { name query lastEditDate } userErrors { field message } } }`;
    const updated = await gql(UPDATE, { id: segment.id, query: "predicted_spend_tier = HIGH" });
    expect(updated.data.segmentUpdate.segment).toEqual({ name: "Temp", query: "predicted_spend_tier = HIGH", lastEditDate: "2026-03-01T08:01:01Z" });
    expect((await gql(UPDATE, { id: segment.id, name: "Champions" })).data.segmentUpdate.userErrors).toEqual([{ field: ["name"], message: "Name has already been taken" }]);
    expect((await gql(UPDATE, { id: segment.id, query: "rfm_group = 'CHAMP" })).data.segmentUpdate.userErrors[0].field).toEqual(["query"]);
    expect((await gql(UPDATE, { id: "gid://shopify/Segment/1", name: "X" })).data.segmentUpdate).toEqual({ segment: null, userErrors: [{ field: ["id"], message: "Segment does not exist" }] });

    const DELETE = `mutation D($id: ID!) { segmentDelete(id: $id) { deletedSegmentId userErrors { field message } } }`;
    expect((await gql(DELETE, { id: segment.id })).data.segmentDelete).toEqual({ deletedSegmentId: segment.id, userErrors: [] });
    expect((await gql(DELETE, { id: segment.id })).data.segmentDelete).toEqual({ deletedSegmentId: null, userErrors: [{ field: ["id"], message: "Segment does not exist" }] });
  });
});
