import { adminBody } from "../../support/local-admin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalShopify } from "../../local-shopify";
import { gid } from "../../local-shopify/gid";
import { APP_NAMESPACE, LOCAL_APP_ID, metafieldFields, metafieldsModule, metafieldsOf } from "../../local-shopify/modules/metafields";
import { shopModule } from "../../local-shopify/modules/shop";
import type { SeedStore } from "../../local-shopify/seed";
import { emptySeed } from "../../local-shopify/store";

const SHOP = "metafields.myshopify.com";
const TOKEN = "shpat_metafields";
const T0 = Date.parse("2026-03-01T08:00:00Z");
let clock = T0;

function seed(): SeedStore {
  const base = emptySeed({ domain: SHOP, id: 7 });
  const variant = (id: number, title: string) => ({ id, title, sku: `SKU-${id}`, price: 100_000, compareAtPrice: null, unitCost: null, inventoryQuantity: 5, availableForSale: true });
  const product = (id: number, title: string, variants: ReturnType<typeof variant>[], deletedAt: string | null = null) => ({
    id,
    title,
    handle: title.toLowerCase().replace(/\s+/g, "-"),
    productType: "Tea",
    vendor: "Insight",
    tags: [],
    status: "ACTIVE" as const,
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
    deletedAt,
    collectionIds: [31],
    variants,
  });
  const customer = (id: number) => ({
    id,
    createdAt: "2025-02-01T00:00:00Z",
    updatedAt: "2025-02-01T00:00:00Z",
    tags: [],
    locale: "vi",
    countryCode: "VN",
    emailMarketingState: "SUBSCRIBED" as const,
    rfmGroup: null,
    predictedSpendTier: null,
  });
  return {
    ...base,
    collections: [{ id: 31, title: "Teas", handle: "teas", updatedAt: "2025-01-01T00:00:00Z" }],
    products: [product(11, "Green Tea", [variant(111, "Default Title")]), product(12, "Black Tea", [variant(121, "Small"), variant(122, "Large")]), product(13, "Gone Tea", [variant(131, "Default Title")], "2025-06-01T00:00:00Z")],
    customers: [customer(21), customer(22)],
    orders: [],
  };
}

const local = createLocalShopify({ now: () => clock, modules: [shopModule, metafieldsModule] });
local.addShop(seed(), { maximumAvailable: 1_000_000, restoreRate: 1_000_000 });
local.issueAccessToken(SHOP, TOKEN);
beforeAll(() => local.listen());
afterAll(() => local.close());
const gql = adminBody(local, TOKEN);

const DEFINITION_CREATE = `mutation Define($definition: MetafieldDefinitionInput!) {
  metafieldDefinitionCreate(definition: $definition) {
    createdDefinition { id name namespace key ownerType type { name } description }
    userErrors { field message code }
  }
}`;

const SET = `mutation Set($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) {
    metafields { id namespace key value type createdAt updatedAt ownerType }
    userErrors { field message code elementIndex }
  }
}`;

const PRODUCT = gid("Product", 11);
const OTHER_PRODUCT = gid("Product", 12);
const CUSTOMER = gid("Customer", 21);
const SHOP_GID = gid("Shop", 7);

describe("metafieldDefinitionCreate", () => {
  it("creates a definition in the app-reserved namespace and reads it back through metafieldDefinitions", async () => {
    const created = await gql(DEFINITION_CREATE, {
      definition: { namespace: "$app", key: "bundle_partners", name: "Bundle partners", ownerType: "PRODUCT", type: "list.product_reference", description: "Bought together" },
    });
    expect(created.data.metafieldDefinitionCreate.userErrors).toEqual([]);
    expect(created.data.metafieldDefinitionCreate.createdDefinition).toMatchObject({
      namespace: `app--${LOCAL_APP_ID}`,
      key: "bundle_partners",
      ownerType: "PRODUCT",
      type: { name: "list.product_reference" },
      description: "Bought together",
    });
    // `$app:suffix` and an omitted namespace resolve too.
    const suffixed = await gql(DEFINITION_CREATE, { definition: { namespace: "$app:insight", key: "score", name: "Score", ownerType: "CUSTOMER", type: "number_integer" } });
    expect(suffixed.data.metafieldDefinitionCreate.createdDefinition.namespace).toBe(`${APP_NAMESPACE}--insight`);
    const omitted = await gql(DEFINITION_CREATE, { definition: { key: "settings", name: "Settings", ownerType: "SHOP", type: "json" } });
    expect(omitted.data.metafieldDefinitionCreate.createdDefinition.namespace).toBe(APP_NAMESPACE);

    const read = await gql(`{
      metafieldDefinitions(ownerType: PRODUCT, first: 10, namespace: "$app") {
        nodes { id name namespace key type { name } metafieldsCount }
        edges { cursor node { key } }
        pageInfo { hasNextPage hasPreviousPage }
      }
      none: metafieldDefinitions(ownerType: PRODUCT, first: 10, namespace: "$app", key: "missing") { nodes { id } }
    }`);
    expect(read.errors).toBeUndefined();
    expect(read.data.metafieldDefinitions.nodes).toEqual([
      { id: created.data.metafieldDefinitionCreate.createdDefinition.id, name: "Bundle partners", namespace: APP_NAMESPACE, key: "bundle_partners", type: { name: "list.product_reference" }, metafieldsCount: 0 },
    ]);
    expect(read.data.metafieldDefinitions.edges[0].node.key).toBe("bundle_partners");
    expect(read.data.metafieldDefinitions.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
    expect(read.data.none.nodes).toEqual([]);
  });

  it("refuses a duplicate (owner type, namespace, key) with TAKEN", async () => {
    const again = await gql(DEFINITION_CREATE, { definition: { namespace: "$app", key: "bundle_partners", name: "Again", ownerType: "PRODUCT", type: "json" } });
    expect(again.data.metafieldDefinitionCreate).toEqual({
      createdDefinition: null,
      userErrors: [{ field: ["definition", "key"], code: "TAKEN", message: expect.stringContaining("in use") }],
    });
    // The same key on another owner type is free.
    const customer = await gql(DEFINITION_CREATE, { definition: { namespace: "$app", key: "bundle_partners", name: "Other owner", ownerType: "CUSTOMER", type: "json" } });
    expect(customer.data.metafieldDefinitionCreate.userErrors).toEqual([]);
  });

  it("validates key, namespace, name and type", async () => {
    const errorsOf = async (definition: Record<string, unknown>) =>
      (await gql(DEFINITION_CREATE, { definition: { ownerType: "PRODUCT", name: "N", type: "json", key: "valid_key", ...definition } })).data.metafieldDefinitionCreate.userErrors.map(
        (e: { field: string[]; code: string }) => [e.field.join("."), e.code],
      );
    expect(await errorsOf({ key: "k" })).toEqual([["definition.key", "TOO_SHORT"]]);
    expect(await errorsOf({ key: "x".repeat(65) })).toEqual([["definition.key", "TOO_LONG"]]);
    expect(await errorsOf({ key: "bad key!" })).toEqual([["definition.key", "INVALID_CHARACTER"]]);
    expect(await errorsOf({ namespace: "ab" })).toEqual([["definition.namespace", "TOO_SHORT"]]);
    expect(await errorsOf({ namespace: "white space" })).toEqual([["definition.namespace", "INVALID_CHARACTER"]]);
    expect(await errorsOf({ namespace: "app--12345" })).toEqual([["definition.namespace", "RESERVED_NAMESPACE_KEY"]]);
    expect(await errorsOf({ name: "  " })).toEqual([["definition.name", "BLANK"]]);
    expect(await errorsOf({ type: "not_a_type" })).toEqual([["definition.type", "INCLUSION"]]);
  });

  it("fails loudly on definition features and types it does not implement", async () => {
    const validations = await gql(DEFINITION_CREATE, {
      definition: { key: "rated", name: "Rated", ownerType: "PRODUCT", type: "number_integer", validations: [{ name: "min", value: "1" }] },
    });
    expect(validations.errors[0]).toMatchObject({ message: expect.stringContaining("MetafieldDefinitionInput.validations"), extensions: { code: "NOT_IMPLEMENTED_LOCALLY" } });
    const money = await gql(DEFINITION_CREATE, { definition: { key: "price_floor", name: "Floor", ownerType: "PRODUCT", type: "money" } });
    expect(money.errors[0].extensions.code).toBe("NOT_IMPLEMENTED_LOCALLY");
    const owner = await gql(DEFINITION_CREATE, { definition: { key: "blog_key", name: "Blog", ownerType: "ARTICLE", type: "json" } });
    expect(owner.errors[0].message).toContain("owner type ARTICLE");
  });
});

describe("metafieldsSet", () => {
  it("sets metafields on products, customers and the shop, typed by their definition, and upserts", async () => {
    const first = await gql(SET, {
      metafields: [
        { ownerId: PRODUCT, namespace: "$app", key: "bundle_partners", value: JSON.stringify([OTHER_PRODUCT]) }, // type from the definition
        { ownerId: CUSTOMER, namespace: "$app:insight", key: "score", value: "42" },
        { ownerId: SHOP_GID, key: "settings", value: '{"threshold":0.2}' },
        { ownerId: CUSTOMER, namespace: "custom", key: "nickname", type: "single_line_text_field", value: "Lan" },
      ],
    });
    expect(first.errors).toBeUndefined();
    expect(first.data.metafieldsSet.userErrors).toEqual([]);
    const [bundle, score, settings, nickname] = first.data.metafieldsSet.metafields;
    expect(bundle).toMatchObject({ namespace: APP_NAMESPACE, key: "bundle_partners", type: "list.product_reference", value: `["${OTHER_PRODUCT}"]`, ownerType: "PRODUCT", createdAt: "2026-03-01T08:00:00Z" });
    expect(score).toMatchObject({ namespace: `${APP_NAMESPACE}--insight`, type: "number_integer", value: "42", ownerType: "CUSTOMER" });
    expect(settings).toMatchObject({ namespace: APP_NAMESPACE, type: "json", ownerType: "SHOP" });
    expect(nickname).toMatchObject({ namespace: "custom", type: "single_line_text_field", value: "Lan" });

    clock = T0 + 60_000;
    const second = await gql(SET, { metafields: [{ ownerId: CUSTOMER, namespace: "$app:insight", key: "score", value: "43" }] });
    const updated = second.data.metafieldsSet.metafields[0];
    expect(updated).toMatchObject({ id: score.id, value: "43", createdAt: "2026-03-01T08:00:00Z", updatedAt: "2026-03-01T08:01:00Z" });

    // What the owners' `metafields` fields will serve (the lead attaches these to Shop/Product/Customer).
    const state = local.shop(SHOP);
    expect(metafieldsOf(state, CUSTOMER).map((m) => [m.namespace, m.key, m.value])).toEqual([
      [`${APP_NAMESPACE}--insight`, "score", "43"],
      ["custom", "nickname", "Lan"],
    ]);
    expect(metafieldsOf(state, SHOP_GID)).toHaveLength(1);
    const fields = metafieldFields(state, PRODUCT);
    expect(fields.metafield({ namespace: "$app", key: "bundle_partners" })?.value).toBe(`["${OTHER_PRODUCT}"]`);
    expect(fields.metafield({ key: "bundle_partners" })?.id).toBe(bundle.id);
    expect(fields.metafields({ first: 5, keys: ["$app.bundle_partners"] }).nodes).toHaveLength(1);
    expect(fields.metafields({ first: 5, namespace: "custom" }).nodes).toHaveLength(0);

    const count = await gql(`{ metafieldDefinitions(ownerType: CUSTOMER, first: 5, namespace: "$app:insight") { nodes { key metafieldsCount metafields(first: 5) { nodes { value } } } } }`);
    expect(count.data.metafieldDefinitions.nodes).toEqual([{ key: "score", metafieldsCount: 1, metafields: { nodes: [{ value: "43" }] } }]);
  });

  it("validates owners, types and values, and writes nothing when any input is invalid", async () => {
    const result = await gql(SET, {
      metafields: [
        { ownerId: OTHER_PRODUCT, namespace: "custom", key: "fine", type: "single_line_text_field", value: "would be valid" },
        { ownerId: gid("Product", 999), namespace: "custom", key: "ghost", type: "json", value: "{}" },
        { ownerId: gid("Product", 13), namespace: "custom", key: "deleted", type: "json", value: "{}" },
        { ownerId: PRODUCT, namespace: "$app", key: "bundle_partners", type: "json", value: "[]" },
        { ownerId: PRODUCT, namespace: "custom", key: "count", type: "number_integer", value: "1.5" },
        { ownerId: PRODUCT, namespace: "custom", key: "blob", type: "json", value: "{not json" },
        { ownerId: PRODUCT, namespace: "$app", key: "bundle_partners", value: JSON.stringify([gid("Product", 999)]) },
        { ownerId: PRODUCT, namespace: "custom", key: "untyped", value: "x" },
        { ownerId: PRODUCT, namespace: "custom", key: "empty", type: "single_line_text_field", value: "" },
        { ownerId: PRODUCT, namespace: "custom", key: "weird", type: "no_such_type", value: "x" },
        { ownerId: PRODUCT, namespace: "custom", key: "k", type: "json", value: "{}" },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data.metafieldsSet.metafields).toEqual([]);
    expect(result.data.metafieldsSet.userErrors.map((e: { field: string[]; code: string; elementIndex: number }) => [e.field.join("."), e.code, e.elementIndex])).toEqual([
      ["metafields.1.ownerId", "INVALID", 1],
      ["metafields.2.ownerId", "INVALID", 2],
      ["metafields.3.type", "INVALID_TYPE", 3],
      ["metafields.4.value", "INVALID_VALUE", 4],
      ["metafields.5.value", "INVALID_VALUE", 5],
      ["metafields.6.value", "INVALID_VALUE", 6],
      ["metafields.7.type", "BLANK", 7],
      ["metafields.8.value", "BLANK", 8],
      ["metafields.9.type", "INVALID_TYPE", 9],
      ["metafields.10.key", "TOO_SHORT", 10],
    ]);
    expect(metafieldsOf(local.shop(SHOP), OTHER_PRODUCT)).toEqual([]); // atomic: the valid first input was not written
  });

  it("accepts the value formats of the supported types", async () => {
    const values: [string, string][] = [
      ["boolean", "true"],
      ["number_decimal", "-12.50"],
      ["date", "2026-02-28"],
      ["date_time", "2026-02-28T10:00:00Z"],
      ["url", "https://example.com/a"],
      ["color", "#A1B2C3"],
      ["multi_line_text_field", "line one\nline two"],
      ["variant_reference", gid("ProductVariant", 122)],
      ["collection_reference", gid("Collection", 31)],
      ["customer_reference", gid("Customer", 22)],
      ["list.number_integer", "[1,2,3]"],
      ["list.single_line_text_field", '["a","b"]'],
    ];
    const result = await gql(SET, { metafields: values.map(([type, value], i) => ({ ownerId: OTHER_PRODUCT, namespace: "formats", key: `k${i}`, type, value })) });
    expect(result.data.metafieldsSet.userErrors).toEqual([]);
    const invalid: [string, string][] = [
      ["boolean", "yes"],
      ["date", "2026-02-30"],
      ["url", "ftp://example.com"],
      ["color", "red"],
      ["single_line_text_field", "two\nlines"],
      ["variant_reference", gid("Product", 11)],
      ["list.number_integer", '["1"]'],
      ["list.product_reference", "not json"],
    ];
    const refused = await gql(SET, { metafields: invalid.map(([type, value], i) => ({ ownerId: OTHER_PRODUCT, namespace: "formats", key: `bad${i}`, type, value })) });
    expect(refused.data.metafieldsSet.userErrors.map((e: { code: string }) => e.code)).toEqual(invalid.map(() => "INVALID_VALUE"));
  });

  it("answers more than 25 metafields with Shopify's top-level MAX_INPUT_SIZE_EXCEEDED error and writes nothing", async () => {
    const metafields = Array.from({ length: 26 }, (_, i) => ({ ownerId: gid("Customer", 22), namespace: "bulk", key: `key_${i}`, type: "single_line_text_field", value: "v" }));
    const result = await gql(SET, { metafields });
    expect(result.errors).toEqual([
      {
        message: "The input array size of 26 is greater than the maximum allowed of 25.",
        locations: [{ line: 2, column: 3 }],
        path: ["metafieldsSet", "metafields"],
        extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
      },
    ]);
    expect(metafieldsOf(local.shop(SHOP), gid("Customer", 22))).toEqual([]);
    const exactly25 = await gql(SET, { metafields: metafields.slice(0, 25) });
    expect(exactly25.data.metafieldsSet.metafields).toHaveLength(25);
  });

  it("fails loudly on what it does not implement", async () => {
    const digest = await gql(`mutation { metafieldsSet(metafields: [{ ownerId: "${PRODUCT}", namespace: "custom", key: "note", type: "json", value: "{}" }]) { metafields { compareDigest } userErrors { message } } }`);
    expect(digest.errors[0]).toMatchObject({ message: "The local Shopify does not implement Metafield.compareDigest", extensions: { code: "NOT_IMPLEMENTED_LOCALLY" } });
    const rating = await gql(SET, { metafields: [{ ownerId: PRODUCT, namespace: "custom", key: "stars", type: "rating", value: '{"value":"4"}' }] });
    expect(rating.errors[0].message).toContain("metafield type rating");
    const owner = await gql(SET, { metafields: [{ ownerId: "gid://shopify/Article/1", namespace: "custom", key: "stars", type: "json", value: "{}" }] });
    expect(owner.errors[0].message).toContain("metafields on Article owners");
    const compare = await gql(SET, { metafields: [{ ownerId: PRODUCT, namespace: "custom", key: "stars", type: "json", value: "{}", compareDigest: null }] });
    expect(compare.errors[0].message).toContain("compareDigest");
  });
});

describe("metafieldsDelete", () => {
  it("deletes by owner, namespace and key, answering null for metafields that do not exist", async () => {
    const result = await gql(
      `mutation Delete($metafields: [MetafieldIdentifierInput!]!) {
        metafieldsDelete(metafields: $metafields) { deletedMetafields { ownerId namespace key } userErrors { field message } }
      }`,
      { metafields: [{ ownerId: CUSTOMER, namespace: "custom", key: "nickname" }, { ownerId: CUSTOMER, namespace: "custom", key: "nope" }] },
    );
    expect(result.data.metafieldsDelete).toEqual({ deletedMetafields: [{ ownerId: CUSTOMER, namespace: "custom", key: "nickname" }, null], userErrors: [] });
    expect(metafieldsOf(local.shop(SHOP), CUSTOMER).map((m) => m.key)).toEqual(["score"]);
  });
});
