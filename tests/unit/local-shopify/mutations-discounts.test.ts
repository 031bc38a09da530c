import { adminBody, type GraphqlAnswer } from "../../support/local-admin";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalShopify } from "../../local-shopify";
import { gid } from "../../local-shopify/gid";
import { discountsModule, MAX_ACTIVE_AUTOMATIC_DISCOUNTS } from "../../local-shopify/modules/discounts";
import { segmentsModule } from "../../local-shopify/modules/segments";
import { shopModule } from "../../local-shopify/modules/shop";
import type { SeedCustomer, SeedProduct, SeedStore } from "../../local-shopify/seed";
import { emptySeed } from "../../local-shopify/store";

const SHOP = "discounts.myshopify.com";
const TOKEN = "shpat_discounts";
const T0 = Date.parse("2026-03-01T08:00:00Z");
let clock = T0;

function seed(): SeedStore {
  const product = (id: number, title: string, variantIds: number[]): SeedProduct => ({
    id,
    title,
    handle: title.toLowerCase().replace(/\s+/g, "-"),
    productType: "Tea",
    vendor: "Insight",
    tags: [],
    status: "ACTIVE",
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
    deletedAt: null,
    collectionIds: [31],
    variants: variantIds.map((vid, i) => ({ id: vid, title: i === 0 ? "Small" : "Large", sku: `SKU-${vid}`, price: 100_000, compareAtPrice: null, unitCost: 40_000, inventoryQuantity: 5, availableForSale: true })),
  });
  const customer = (id: number): SeedCustomer => ({ id, createdAt: "2025-02-01T00:00:00Z", updatedAt: "2025-02-01T00:00:00Z", tags: ["vip"], locale: "vi", countryCode: "VN", emailMarketingState: "SUBSCRIBED", rfmGroup: "CHAMPIONS", predictedSpendTier: "HIGH" });
  return {
    ...emptySeed({ domain: SHOP, id: 8, currencyCode: "VND" }),
    collections: [{ id: 31, title: "Teas", handle: "teas", updatedAt: "2025-01-01T00:00:00Z" }],
    products: [product(11, "Green Tea", [111]), product(12, "Black Tea", [121, 122]), product(13, "Oolong", [131])],
    customers: [customer(21), customer(22)],
    orders: [],
  };
}

const local = createLocalShopify({ now: () => clock, modules: [shopModule, discountsModule, segmentsModule] });
local.addShop(seed(), { maximumAvailable: 1_000_000, restoreRate: 1_000_000 });
local.issueAccessToken(SHOP, TOKEN);
beforeAll(() => local.listen());
afterAll(() => local.close());
const gql = adminBody(local, TOKEN);

const ERRORS = "userErrors { field message code extraInfo }";
const CODE_BASIC = `mutation Create($input: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $input) { codeDiscountNode { id } ${ERRORS} }
}`;
const AUTOMATIC_BASIC = `mutation Create($input: DiscountAutomaticBasicInput!) {
  discountAutomaticBasicCreate(automaticBasicDiscount: $input) { automaticDiscountNode { id } ${ERRORS} }
}`;
const CODE_BXGY = `mutation Create($input: DiscountCodeBxgyInput!) {
  discountCodeBxgyCreate(bxgyCodeDiscount: $input) { codeDiscountNode { id } ${ERRORS} }
}`;
const AUTOMATIC_BXGY = `mutation Create($input: DiscountAutomaticBxgyInput!) {
  discountAutomaticBxgyCreate(automaticBxgyDiscount: $input) { automaticDiscountNode { id } ${ERRORS} }
}`;

const ALL = { all: "ALL" };
const percentOffTeas = (code: string, extra: Record<string, unknown> = {}) => ({
  title: `${code} tea sale`,
  code,
  startsAt: "2026-03-01T00:00:00Z",
  endsAt: "2026-04-01T00:00:00Z",
  context: ALL,
  customerGets: { value: { percentage: 0.1 }, items: { collections: { add: [gid("Collection", 31)] } } },
  ...extra,
});
const bxgy = (extra: Record<string, unknown> = {}) => ({
  title: "Buy 2 black teas, get a green tea free",
  startsAt: "2026-03-01T00:00:00Z",
  customerBuys: { value: { quantity: "2" }, items: { products: { productsToAdd: [gid("Product", 12)] } } },
  customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 1.0 } } }, items: { products: { productsToAdd: [gid("Product", 11)] } } },
  ...extra,
});
const errorsOf = (body: GraphqlAnswer["body"]) =>
  (Object.values(body.data)[0] as { userErrors: { field: string[]; code: string }[] }).userErrors.map((e) => [e.field.join("."), e.code]);

const READ_NODE = `query Read($id: ID!) {
  discountNode(id: $id) {
    id
    discount {
      __typename
      ... on DiscountCodeBasic {
        title status startsAt endsAt createdAt discountClasses appliesOncePerCustomer usageLimit
        codes(first: 5) { nodes { id code } }
        codesCount { count precision }
        combinesWith { productDiscounts orderDiscounts shippingDiscounts }
        context { __typename ... on DiscountBuyerSelectionAll { all } }
        customerGets {
          value { __typename ... on DiscountPercentage { percentage } }
          items { __typename ... on DiscountCollections { collections(first: 5) { nodes { id title } } } }
        }
      }
      ... on DiscountAutomaticBasic {
        title status endsAt discountClasses
        customerGets { value { ... on DiscountAmount { amount { amount currencyCode } appliesOnEachItem } } items { ... on AllDiscountItems { allItems } } }
        minimumRequirement { ... on DiscountMinimumSubtotal { greaterThanOrEqualToSubtotal { amount } } }
      }
      ... on DiscountCodeBxgy {
        title status usesPerOrderLimit
        codes(first: 1) { nodes { code } }
        customerBuys { value { ... on DiscountQuantity { quantity } } items { ... on DiscountProducts { products(first: 5) { nodes { id title } } } } }
        customerGets {
          value { ... on DiscountOnQuantity { quantity { quantity } effect { ... on DiscountPercentage { percentage } } } }
          items { ... on DiscountProducts { products(first: 5) { nodes { id } } productVariants(first: 5) { nodes { id } } } }
        }
        context { ... on DiscountCustomers { customers { id } } }
      }
      ... on DiscountAutomaticBxgy { title status customerBuys { value { ... on DiscountPurchaseAmount { amount } } } }
    }
  }
}`;

describe("code and automatic basic discounts", () => {
  it("creates a percentage code discount and reads it back by id and by code", async () => {
    const created = await gql(CODE_BASIC, { input: percentOffTeas("TEA10", { usageLimit: 100, appliesOncePerCustomer: true, combinesWith: { productDiscounts: true } }) });
    expect(created.data.discountCodeBasicCreate.userErrors).toEqual([]);
    const id = created.data.discountCodeBasicCreate.codeDiscountNode.id;
    expect(id).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);

    const read = await gql(READ_NODE, { id });
    expect(read.errors).toBeUndefined();
    expect(read.data.discountNode).toEqual({
      id,
      discount: {
        __typename: "DiscountCodeBasic",
        title: "TEA10 tea sale",
        status: "ACTIVE",
        startsAt: "2026-03-01T00:00:00Z",
        endsAt: "2026-04-01T00:00:00Z",
        createdAt: "2026-03-01T08:00:00Z",
        discountClasses: ["PRODUCT"],
        appliesOncePerCustomer: true,
        usageLimit: 100,
        codes: { nodes: [{ id: expect.stringMatching(/^gid:\/\/shopify\/DiscountRedeemCode\/\d+$/), code: "TEA10" }] },
        codesCount: { count: 1, precision: "EXACT" },
        combinesWith: { productDiscounts: true, orderDiscounts: false, shippingDiscounts: false },
        context: { __typename: "DiscountBuyerSelectionAll", all: "ALL" },
        customerGets: {
          value: { __typename: "DiscountPercentage", percentage: 0.1 },
          items: { __typename: "DiscountCollections", collections: { nodes: [{ id: gid("Collection", 31), title: "Teas" }] } },
        },
      },
    });

    const byCode = await gql(`{ codeDiscountNodeByCode(code: "tea10") { id codeDiscount { __typename ... on DiscountCodeBasic { title } } } }`);
    expect(byCode.data.codeDiscountNodeByCode).toEqual({ id, codeDiscount: { __typename: "DiscountCodeBasic", title: "TEA10 tea sale" } });
    expect((await gql(`{ codeDiscountNodeByCode(code: "NOPE") { id } }`)).data.codeDiscountNodeByCode).toBeNull();
  });

  it("creates an automatic fixed-amount discount on all items (an order discount) starting now when startsAt is omitted", async () => {
    const created = await gql(AUTOMATIC_BASIC, {
      input: { title: "50k off orders over 500k", customerGets: { value: { discountAmount: { amount: "50000", appliesOnEachItem: false } }, items: { all: true } }, minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "500000" } } },
    });
    expect(created.data.discountAutomaticBasicCreate.userErrors).toEqual([]);
    const read = await gql(READ_NODE, { id: created.data.discountAutomaticBasicCreate.automaticDiscountNode.id });
    expect(read.data.discountNode.discount).toEqual({
      __typename: "DiscountAutomaticBasic",
      title: "50k off orders over 500k",
      status: "ACTIVE",
      endsAt: null,
      discountClasses: ["ORDER"],
      customerGets: { value: { amount: { amount: "50000", currencyCode: "VND" }, appliesOnEachItem: false }, items: { allItems: true } },
      minimumRequirement: { greaterThanOrEqualToSubtotal: { amount: "500000" } },
    });
  });

  it("validates the input with Shopify's DiscountErrorCode codes", async () => {
    const cases: [Record<string, unknown>, [string, string][]][] = [
      [{ title: " " }, [["basicCodeDiscount.title", "BLANK"]]],
      [{ endsAt: "2026-02-01T00:00:00Z" }, [["basicCodeDiscount.endsAt", "END_DATE_BEFORE_START_DATE"]]],
      [{ customerGets: { value: { percentage: 1.5 }, items: { all: true } } }, [["basicCodeDiscount.customerGets.value.percentage", "VALUE_OUTSIDE_RANGE"]]],
      [{ customerGets: { value: { percentage: 0.2 }, items: { products: { productsToAdd: [gid("Product", 999)] } } } }, [["basicCodeDiscount.customerGets.items.products.productsToAdd.0", "INVALID"]]],
      [{ customerGets: { value: { percentage: 0.2 }, items: { products: { productVariantsToAdd: [gid("ProductVariant", 999)] } } } }, [["basicCodeDiscount.customerGets.items.products.productVariantsToAdd.0", "INVALID"]]],
      [{ customerGets: { value: { percentage: 0.2 }, items: { collections: { add: [gid("Collection", 999)] } } } }, [["basicCodeDiscount.customerGets.items.collections.add.0", "INVALID"]]],
      [{ customerGets: { value: { percentage: 0.2 }, items: { all: true, collections: { add: [gid("Collection", 31)] } } } }, [["basicCodeDiscount.customerGets.items", "CONFLICT"]]],
      [{ customerGets: { value: { discountAmount: { amount: "0" } }, items: { all: true } } }, [["basicCodeDiscount.customerGets.value.discountAmount.amount", "GREATER_THAN"]]],
      [{ customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 1 } } }, items: { all: true } } }, [["basicCodeDiscount.customerGets.value", "INVALID"]]],
      [{ customerGets: null }, [["basicCodeDiscount.customerGets", "BLANK"]]],
      [{ context: null }, [["basicCodeDiscount.context", "BLANK"]]],
      [{ context: { customers: { add: [gid("Customer", 999)] } } }, [["basicCodeDiscount.context.customers.add.0", "INVALID"], ["basicCodeDiscount.context.customers.add", "BLANK"]]],
      [{ code: "" }, [["basicCodeDiscount.code", "BLANK"]]],
      [{ code: "tea10" }, [["basicCodeDiscount.code", "TAKEN"]]],
      [{ minimumRequirement: { quantity: { greaterThanOrEqualToQuantity: "2" }, subtotal: { greaterThanOrEqualToSubtotal: "10" } } }, [["basicCodeDiscount.minimumRequirement", "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT"]]],
    ];
    for (const [override, expected] of cases) {
      const body = await gql(CODE_BASIC, { input: percentOffTeas("FRESH", override) });
      expect(body.errors, JSON.stringify(override)).toBeUndefined();
      expect(body.data.discountCodeBasicCreate.codeDiscountNode, JSON.stringify(override)).toBeNull();
      expect(errorsOf(body), JSON.stringify(override)).toEqual(expected);
    }
    // Every refusal left nothing behind: FRESH is still free.
    expect((await gql(`{ codeDiscountNodeByCode(code: "FRESH") { id } }`)).data.codeDiscountNodeByCode).toBeNull();
    const missing = await gql(AUTOMATIC_BASIC, { input: { customerGets: { value: { percentage: 0.1 }, items: { all: true } } } });
    expect(errorsOf(missing)).toEqual([["automaticBasicDiscount.title", "BLANK"]]);
  });
});

describe("buy X get Y discounts", () => {
  it("creates code and automatic BXGY discounts and reads them back", async () => {
    const code = await gql(CODE_BXGY, { input: bxgy({ code: "BUY2", context: { customers: { add: [gid("Customer", 21)] } }, usesPerOrderLimit: 1 }) });
    expect(code.data.discountCodeBxgyCreate.userErrors).toEqual([]);
    const read = await gql(READ_NODE, { id: code.data.discountCodeBxgyCreate.codeDiscountNode.id });
    expect(read.errors).toBeUndefined();
    expect(read.data.discountNode.discount).toEqual({
      __typename: "DiscountCodeBxgy",
      title: "Buy 2 black teas, get a green tea free",
      status: "ACTIVE",
      usesPerOrderLimit: 1,
      codes: { nodes: [{ code: "BUY2" }] },
      customerBuys: { value: { quantity: "2" }, items: { products: { nodes: [{ id: gid("Product", 12), title: "Black Tea" }] } } },
      customerGets: { value: { quantity: { quantity: "1" }, effect: { percentage: 1 } }, items: { products: { nodes: [{ id: gid("Product", 11) }] }, productVariants: { nodes: [] } } },
      context: { customers: [{ id: gid("Customer", 21) }] },
    });

    const automatic = await gql(AUTOMATIC_BXGY, { input: bxgy({ title: "Spend 300k, get a tea at half price", customerBuys: { value: { amount: "300000" }, items: { collections: { add: [gid("Collection", 31)] } } } }) });
    expect(automatic.data.discountAutomaticBxgyCreate.userErrors).toEqual([]);
    const readAutomatic = await gql(READ_NODE, { id: automatic.data.discountAutomaticBxgyCreate.automaticDiscountNode.id });
    expect(readAutomatic.data.discountNode.discount).toEqual({ __typename: "DiscountAutomaticBxgy", title: "Spend 300k, get a tea at half price", status: "ACTIVE", customerBuys: { value: { amount: "300000" } } });
  });

  it("enforces the BXGY rules", async () => {
    const cases: [Record<string, unknown>, [string, string][]][] = [
      [{ customerGets: { value: { percentage: 0.5 }, items: { products: { productsToAdd: [gid("Product", 11)] } } } }, [["bxgyCodeDiscount.customerGets.value", "INVALID"]]],
      [{ customerBuys: { value: { quantity: "0" }, items: { products: { productsToAdd: [gid("Product", 12)] } } } }, [["bxgyCodeDiscount.customerBuys.value.quantity", "GREATER_THAN"]]],
      [{ customerBuys: { value: { quantity: "2", amount: "10" }, items: { products: { productsToAdd: [gid("Product", 12)] } } } }, [["bxgyCodeDiscount.customerBuys.value", "TOO_MANY_ARGUMENTS"]]],
      [{ customerBuys: { value: { quantity: "2" }, items: { all: true } } }, [["bxgyCodeDiscount.customerBuys.items.all", "INVALID"]]],
      [{ customerBuys: null }, [["bxgyCodeDiscount.customerBuys", "BLANK"]]],
      [
        { customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 2 } } }, items: { products: { productsToAdd: [gid("Product", 11)] } } } },
        [["bxgyCodeDiscount.customerGets.value.discountOnQuantity.effect.percentage", "VALUE_OUTSIDE_RANGE"]],
      ],
      [
        { customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 1 } } }, items: { products: { productsToAdd: [gid("Product", 12)], productVariantsToAdd: [gid("ProductVariant", 121)] } } } },
        [["bxgyCodeDiscount.customerGets.items.products.productVariantsToAdd.0", "IMPLICIT_DUPLICATE"]],
      ],
    ];
    for (const [override, expected] of cases) {
      const body = await gql(CODE_BXGY, { input: bxgy({ code: "BXGY-BAD", context: ALL, ...override }) });
      expect(errorsOf(body), JSON.stringify(override)).toEqual(expected);
    }
  });
});

describe("deactivate, delete and list", () => {
  it("deactivates (endsAt = now, EXPIRED), deletes, and answers user errors for unknown ids", async () => {
    const created = await gql(CODE_BASIC, { input: percentOffTeas("BYE", { endsAt: null }) });
    const id = created.data.discountCodeBasicCreate.codeDiscountNode.id;
    clock += 3_600_000;
    const deactivated = await gql(`mutation D($id: ID!) { discountCodeDeactivate(id: $id) { codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { status endsAt } } } ${ERRORS} } }`, { id });
    expect(deactivated.data.discountCodeDeactivate).toEqual({ codeDiscountNode: { id, codeDiscount: { status: "EXPIRED", endsAt: "2026-03-01T09:00:00Z" } }, userErrors: [] });

    const wrongKind = await gql(`mutation D($id: ID!) { discountAutomaticDelete(id: $id) { deletedAutomaticDiscountId ${ERRORS} } }`, { id });
    expect(wrongKind.data.discountAutomaticDelete).toEqual({ deletedAutomaticDiscountId: null, userErrors: [{ field: ["id"], code: "INVALID", message: "Discount does not exist", extraInfo: null }] });
    const deleted = await gql(`mutation D($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId ${ERRORS} } }`, { id });
    expect(deleted.data.discountCodeDelete).toEqual({ deletedCodeDiscountId: id, userErrors: [] });
    expect((await gql(READ_NODE, { id })).data.discountNode).toBeNull();
    const again = await gql(`mutation D($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId ${ERRORS} } }`, { id });
    expect(again.data.discountCodeDelete.userErrors[0]).toMatchObject({ field: ["id"], code: "INVALID" });
    const unknown = await gql(`mutation { discountAutomaticDeactivate(id: "gid://shopify/DiscountAutomaticNode/1") { automaticDiscountNode { id } ${ERRORS} } }`);
    expect(unknown.data.discountAutomaticDeactivate.userErrors[0].message).toBe("Discount does not exist");
  });

  it("lists discounts with paging, a status/method filter and sort keys", async () => {
    const all = await gql(`{ discountNodes(first: 50) { nodes { id discount { __typename } } } }`);
    const count = all.data.discountNodes.nodes.length;
    expect(count).toBe(4); // TEA10, the two automatic discounts and BUY2 (the deleted one is gone)
    const firstPage = await gql(`{ discountNodes(first: 2) { nodes { id } pageInfo { hasNextPage endCursor } } }`);
    expect(firstPage.data.discountNodes.pageInfo.hasNextPage).toBe(true);
    const secondPage = await gql(`query P($after: String) { discountNodes(first: 50, after: $after) { nodes { id } } }`, { after: firstPage.data.discountNodes.pageInfo.endCursor });
    expect(secondPage.data.discountNodes.nodes).toHaveLength(count - 2);
    const automatic = await gql(`{ discountNodes(first: 50, query: "method:automatic status:active", sortKey: TITLE) { nodes { discount { ... on DiscountAutomaticBasic { title } ... on DiscountAutomaticBxgy { title } } } } }`);
    expect(automatic.data.discountNodes.nodes.map((n: { discount: { title: string } }) => n.discount.title)).toEqual(["50k off orders over 500k", "Spend 300k, get a tea at half price"]);
    const unsupported = await gql(`{ discountNodes(first: 5, query: "times_used:0") { nodes { id } } }`);
    expect(unsupported.errors[0].extensions.code).toBe("NOT_IMPLEMENTED_LOCALLY");
  });

  it("fails loudly on fields it does not implement", async () => {
    const body = await gql(`{ discountNodes(first: 1) { nodes { discount { ... on DiscountCodeBasic { summary } ... on DiscountAutomaticBasic { summary } ... on DiscountCodeBxgy { summary } ... on DiscountAutomaticBxgy { summary } } } } }`);
    expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(/does not implement Discount\w+\.summary/), extensions: { code: "NOT_IMPLEMENTED_LOCALLY" } });
  });

  it(`refuses more than ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} active automatic discounts`, async () => {
    const active = (await gql(`{ discountNodes(first: 100, query: "method:automatic") { nodes { id } } }`)).data.discountNodes.nodes.length;
    for (let i = active; i < MAX_ACTIVE_AUTOMATIC_DISCOUNTS; i++) {
      const ok = await gql(AUTOMATIC_BASIC, { input: { title: `Auto ${i}`, customerGets: { value: { percentage: 0.05 }, items: { all: true } } } });
      expect(ok.data.discountAutomaticBasicCreate.userErrors).toEqual([]);
    }
    const over = await gql(AUTOMATIC_BASIC, { input: { title: "One too many", customerGets: { value: { percentage: 0.05 }, items: { all: true } } } });
    expect(errorsOf(over)).toEqual([["automaticBasicDiscount", "ACTIVE_PERIOD_OVERLAP"]]);
  });

  it("targets customer segments that exist", async () => {
    const segment = await gql(`mutation { segmentCreate(name: "VIPs", query: "customer_tags CONTAINS 'vip'") { segment { id } userErrors { message } } }`);
    const segmentId = segment.data.segmentCreate.segment.id;
    const ok = await gql(CODE_BASIC, { input: percentOffTeas("VIPONLY", { context: { customerSegments: { add: [segmentId] } } }) });
    expect(ok.data.discountCodeBasicCreate.userErrors).toEqual([]);
    const read = await gql(`query R($id: ID!) { discountNode(id: $id) { discount { ... on DiscountCodeBasic { context { ... on DiscountCustomerSegments { segments { id name } } } } } } }`, {
      id: ok.data.discountCodeBasicCreate.codeDiscountNode.id,
    });
    expect(read.data.discountNode.discount.context).toEqual({ segments: [{ id: segmentId, name: "VIPs" }] });
    const bad = await gql(CODE_BASIC, { input: percentOffTeas("NOSEG", { context: { customerSegments: { add: ["gid://shopify/Segment/1"] } } }) });
    expect(errorsOf(bad)).toEqual([
      ["basicCodeDiscount.context.customerSegments.add.0", "INVALID"],
      ["basicCodeDiscount.context.customerSegments.add", "BLANK"],
    ]);
  });
});

describe("activate (after the cap test: 25 automatic discounts are active)", () => {
  const CODE_ACTIVATE = `mutation A($id: ID!) { discountCodeActivate(id: $id) { codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { status startsAt endsAt updatedAt } } } ${ERRORS} } }`;
  const AUTOMATIC_ACTIVATE = `mutation A($id: ID!) { discountAutomaticActivate(id: $id) { automaticDiscountNode { id automaticDiscount { ... on DiscountAutomaticBasic { status startsAt endsAt } ... on DiscountAutomaticBxgy { status startsAt endsAt } } } ${ERRORS} } }`;
  const now = () => new Date(clock).toISOString().replace(/\.\d{3}Z$/, "Z");

  it("starts a scheduled code discount now, reopens a deactivated one (endsAt null), and leaves an active one as it is", async () => {
    const scheduled = (await gql(CODE_BASIC, { input: percentOffTeas("SOON", { startsAt: "2026-06-01T00:00:00Z", endsAt: null }) })).data.discountCodeBasicCreate.codeDiscountNode.id;
    clock += 60_000;
    const started = await gql(CODE_ACTIVATE, { id: scheduled });
    expect(started.data.discountCodeActivate).toEqual({ codeDiscountNode: { id: scheduled, codeDiscount: { status: "ACTIVE", startsAt: now(), endsAt: null, updatedAt: now() } }, userErrors: [] });

    const paused = (await gql(CODE_BASIC, { input: percentOffTeas("PAUSED", { endsAt: "2026-12-01T00:00:00Z" }) })).data.discountCodeBasicCreate.codeDiscountNode.id;
    await gql(`mutation D($id: ID!) { discountCodeDeactivate(id: $id) { ${ERRORS} } }`, { id: paused });
    clock += 60_000;
    const reopened = await gql(CODE_ACTIVATE, { id: paused });
    expect(reopened.data.discountCodeActivate.codeDiscountNode.codeDiscount).toEqual({ status: "ACTIVE", startsAt: "2026-03-01T00:00:00Z", endsAt: null, updatedAt: now() });
    const before = reopened.data.discountCodeActivate.codeDiscountNode.codeDiscount;
    clock += 60_000;
    const again = await gql(CODE_ACTIVATE, { id: paused });
    expect(again.data.discountCodeActivate.codeDiscountNode.codeDiscount).toEqual(before); // nothing to change: updatedAt stays
  });

  it("answers INVALID on id for an unknown id and for the other kind's id", async () => {
    const unknown = await gql(CODE_ACTIVATE, { id: "gid://shopify/DiscountCodeNode/1" });
    expect(unknown.data.discountCodeActivate).toEqual({ codeDiscountNode: null, userErrors: [{ field: ["id"], code: "INVALID", message: "Discount does not exist", extraInfo: null }] });
    const code = (await gql(`{ codeDiscountNodeByCode(code: "SOON") { id } }`)).data.codeDiscountNodeByCode.id;
    const wrongKind = await gql(AUTOMATIC_ACTIVATE, { id: code.replace("DiscountCodeNode", "DiscountAutomaticNode") });
    expect(errorsOf(wrongKind)).toEqual([["id", "INVALID"]]);
  });

  it(`refuses to reactivate an automatic discount while ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} others are active, with the creation's error`, async () => {
    const autos = (await gql(`{ discountNodes(first: 100, query: "method:automatic status:active", sortKey: ID) { nodes { id } } }`)).data.discountNodes.nodes.map((n: { id: string }) => n.id.replace("DiscountNode", "DiscountAutomaticNode"));
    expect(autos).toHaveLength(MAX_ACTIVE_AUTOMATIC_DISCOUNTS);
    const paused = autos.at(-1);
    await gql(`mutation D($id: ID!) { discountAutomaticDeactivate(id: $id) { ${ERRORS} } }`, { id: paused });
    const filler = await gql(AUTOMATIC_BXGY, { input: bxgy({ title: "Takes the freed place", startsAt: undefined }) });
    expect(filler.data.discountAutomaticBxgyCreate.userErrors).toEqual([]);
    clock += 60_000;
    const refused = await gql(AUTOMATIC_ACTIVATE, { id: paused });
    expect(refused.data.discountAutomaticActivate).toEqual({
      automaticDiscountNode: null,
      userErrors: [{ field: ["id"], code: "ACTIVE_PERIOD_OVERLAP", message: `Only ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} automatic discounts can be active at the same time.`, extraInfo: null }],
    });
    const still = await gql(`query S($id: ID!) { discountNode(id: $id) { discount { ... on DiscountAutomaticBasic { status } } } }`, { id: paused });
    expect(still.data.discountNode.discount.status).toBe("EXPIRED");
    // Deleting one frees a place: the paused discount activates again, with no end date.
    const fillerId = filler.data.discountAutomaticBxgyCreate.automaticDiscountNode.id;
    expect((await gql(`mutation D($id: ID!) { discountAutomaticDelete(id: $id) { ${ERRORS} } }`, { id: fillerId })).data.discountAutomaticDelete.userErrors).toEqual([]);
    const activated = await gql(AUTOMATIC_ACTIVATE, { id: paused });
    expect(activated.data.discountAutomaticActivate).toMatchObject({ automaticDiscountNode: { id: paused, automaticDiscount: { status: "ACTIVE", endsAt: null } }, userErrors: [] });
  });
});

describe("update buy X get Y discounts (after activate: 25 automatic discounts are active)", () => {
  const CODE_UPDATE = `mutation U($id: ID!, $input: DiscountCodeBxgyInput!) { discountCodeBxgyUpdate(id: $id, bxgyCodeDiscount: $input) { codeDiscountNode { id } ${ERRORS} } }`;
  const AUTOMATIC_UPDATE = `mutation U($id: ID!, $input: DiscountAutomaticBxgyInput!) {
    discountAutomaticBxgyUpdate(id: $id, automaticBxgyDiscount: $input) { automaticDiscountNode { id automaticDiscount { ... on DiscountAutomaticBxgy { title status endsAt } } } ${ERRORS} }
  }`;
  const READ_BXGY = `query R($id: ID!) {
    discountNode(id: $id) {
      discount {
        ... on DiscountCodeBxgy {
          title status startsAt endsAt updatedAt usesPerOrderLimit
          codes(first: 2) { nodes { code } }
          combinesWith { productDiscounts orderDiscounts shippingDiscounts }
          context { __typename }
          customerBuys { value { ... on DiscountQuantity { quantity } } items { ... on DiscountProducts { products(first: 5) { nodes { id } } } } }
          customerGets {
            value { ... on DiscountOnQuantity { quantity { quantity } effect { ... on DiscountPercentage { percentage } } } }
            items { ... on DiscountProducts { products(first: 5) { nodes { id } } } }
          }
        }
      }
    }
  }`;
  const read = async (id: string) => (await gql(READ_BXGY, { id })).data.discountNode.discount;
  const stamp = () => new Date(clock).toISOString().replace(/\.\d{3}Z$/, "Z");
  let codeId = "";

  it("changes only the fields given: title, then end and percentage, then items by add/remove, then the code", async () => {
    const created = await gql(CODE_BXGY, { input: bxgy({ code: "UPD1", context: ALL, endsAt: "2026-09-01T00:00:00Z", usesPerOrderLimit: 1, combinesWith: { orderDiscounts: true } }) });
    codeId = created.data.discountCodeBxgyCreate.codeDiscountNode.id;
    const before = await read(codeId);
    clock += 60_000;
    const renamed = await gql(CODE_UPDATE, { id: codeId, input: { title: "Renamed in the admin" } });
    expect(renamed.data.discountCodeBxgyUpdate).toEqual({ codeDiscountNode: { id: codeId }, userErrors: [] });
    expect(await read(codeId)).toEqual({ ...before, title: "Renamed in the admin", updatedAt: stamp() });

    const changed = await gql(CODE_UPDATE, {
      id: codeId,
      input: { endsAt: "2026-10-01T00:00:00Z", customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 0.25 } } } } },
    });
    expect(changed.data.discountCodeBxgyUpdate.userErrors).toEqual([]);
    const afterChange = await read(codeId);
    expect(afterChange).toEqual({
      ...before,
      title: "Renamed in the admin",
      updatedAt: stamp(),
      endsAt: "2026-10-01T00:00:00Z",
      customerGets: { value: { quantity: { quantity: "1" }, effect: { percentage: 0.25 } }, items: before.customerGets.items },
    });
    expect(afterChange.combinesWith).toEqual({ productDiscounts: false, orderDiscounts: true, shippingDiscounts: false });

    const items = await gql(CODE_UPDATE, { id: codeId, input: { customerGets: { items: { products: { productsToAdd: [gid("Product", 13)], productsToRemove: [gid("Product", 11)] } } } } });
    expect(items.data.discountCodeBxgyUpdate.userErrors).toEqual([]);
    expect((await read(codeId)).customerGets).toEqual({ value: { quantity: { quantity: "1" }, effect: { percentage: 0.25 } }, items: { products: { nodes: [{ id: gid("Product", 13) }] } } });

    const recoded = await gql(CODE_UPDATE, { id: codeId, input: { code: "UPD2" } });
    expect(recoded.data.discountCodeBxgyUpdate.userErrors).toEqual([]);
    expect((await gql(`{ codeDiscountNodeByCode(code: "upd2") { id } }`)).data.codeDiscountNodeByCode).toEqual({ id: codeId });
    expect((await gql(`{ codeDiscountNodeByCode(code: "UPD1") { id } }`)).data.codeDiscountNodeByCode).toBeNull();
    // Its own code is not TAKEN; `endsAt: null` removes the end.
    const own = await gql(CODE_UPDATE, { id: codeId, input: { code: "UPD2", endsAt: null } });
    expect(own.data.discountCodeBxgyUpdate.userErrors).toEqual([]);
    expect((await read(codeId)).endsAt).toBeNull();
  });

  it("answers the creation's user errors and changes nothing", async () => {
    const before = await read(codeId);
    const cases: [Record<string, unknown>, [string, string][]][] = [
      [{ title: "  " }, [["bxgyCodeDiscount.title", "BLANK"]]],
      [{ endsAt: "2026-02-01T00:00:00Z" }, [["bxgyCodeDiscount.endsAt", "END_DATE_BEFORE_START_DATE"]]],
      [{ code: "buy2" }, [["bxgyCodeDiscount.code", "TAKEN"]]],
      [{ context: null }, [["bxgyCodeDiscount.context", "BLANK"]]],
      [{ customerGets: { value: { percentage: 0.5 } } }, [["bxgyCodeDiscount.customerGets.value", "INVALID"]]],
      [{ customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage: 2 } } } } }, [["bxgyCodeDiscount.customerGets.value.discountOnQuantity.effect.percentage", "VALUE_OUTSIDE_RANGE"]]],
      [{ customerGets: { items: { products: { productsToRemove: [gid("Product", 13)] } } } }, [["bxgyCodeDiscount.customerGets.items", "BLANK"]]],
      [{ customerGets: { items: { products: { productsToAdd: [gid("Product", 99)] } } } }, [["bxgyCodeDiscount.customerGets.items.products.productsToAdd.0", "INVALID"]]],
      [{ customerBuys: { items: { all: true } } }, [["bxgyCodeDiscount.customerBuys.items.all", "INVALID"]]],
      [{ customerBuys: { value: { quantity: "0" } } }, [["bxgyCodeDiscount.customerBuys.value.quantity", "GREATER_THAN"]]],
      [{ title: "Valid", usesPerOrderLimit: 0 }, [["bxgyCodeDiscount.usesPerOrderLimit", "GREATER_THAN"]]],
    ];
    clock += 60_000;
    for (const [input, expected] of cases) {
      const body = await gql(CODE_UPDATE, { id: codeId, input });
      expect(body.errors, JSON.stringify(input)).toBeUndefined();
      expect(errorsOf(body), JSON.stringify(input)).toEqual(expected);
      expect(body.data.discountCodeBxgyUpdate.codeDiscountNode).toBeNull();
    }
    expect(await read(codeId)).toEqual(before);
  });

  it("answers INVALID on id for an unknown id, the other method's id and a basic discount's id", async () => {
    const tea10 = (await gql(`{ codeDiscountNodeByCode(code: "TEA10") { id } }`)).data.codeDiscountNodeByCode.id;
    for (const id of ["gid://shopify/DiscountCodeNode/1", codeId.replace("DiscountCodeNode", "DiscountAutomaticNode"), tea10]) {
      const mutation = id.includes("Automatic") ? AUTOMATIC_UPDATE : CODE_UPDATE;
      const body = await gql(mutation, { id, input: { title: "Nope" } });
      expect(Object.values(body.data)[0], id).toEqual({ [id.includes("Automatic") ? "automaticDiscountNode" : "codeDiscountNode"]: null, userErrors: [{ field: ["id"], code: "INVALID", message: "Discount does not exist", extraInfo: null }] });
    }
  });

  it(`refuses an update that would make an expired automatic discount active while ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} others are`, async () => {
    const found = await gql(`{ discountNodes(first: 5, query: "method:automatic discount_type:bogo status:active", sortKey: ID) { nodes { id } } }`);
    const id = found.data.discountNodes.nodes[0].id.replace("DiscountNode", "DiscountAutomaticNode");
    await gql(`mutation D($id: ID!) { discountAutomaticDeactivate(id: $id) { ${ERRORS} } }`, { id });
    const filler = await gql(AUTOMATIC_BXGY, { input: bxgy({ title: "Holds the 25th place", startsAt: undefined }) });
    expect(filler.data.discountAutomaticBxgyCreate.userErrors).toEqual([]);
    clock += 60_000;
    // Still expired after a title change: no place needed.
    const renamed = await gql(AUTOMATIC_UPDATE, { id, input: { title: "Renamed while paused" } });
    expect(renamed.data.discountAutomaticBxgyUpdate).toMatchObject({ automaticDiscountNode: { automaticDiscount: { title: "Renamed while paused", status: "EXPIRED" } }, userErrors: [] });
    const refused = await gql(AUTOMATIC_UPDATE, { id, input: { endsAt: "2026-12-31T00:00:00Z" } });
    expect(refused.data.discountAutomaticBxgyUpdate).toEqual({
      automaticDiscountNode: null,
      userErrors: [{ field: ["automaticBxgyDiscount"], code: "ACTIVE_PERIOD_OVERLAP", message: `Only ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} automatic discounts can be active at the same time.`, extraInfo: null }],
    });
    const fillerId = filler.data.discountAutomaticBxgyCreate.automaticDiscountNode.id;
    expect((await gql(`mutation D($id: ID!) { discountAutomaticDelete(id: $id) { ${ERRORS} } }`, { id: fillerId })).data.discountAutomaticDelete.userErrors).toEqual([]);
    const extended = await gql(AUTOMATIC_UPDATE, { id, input: { endsAt: "2026-12-31T00:00:00Z" } });
    expect(extended.data.discountAutomaticBxgyUpdate).toEqual({
      automaticDiscountNode: { id, automaticDiscount: { title: "Renamed while paused", status: "ACTIVE", endsAt: "2026-12-31T00:00:00Z" } },
      userErrors: [],
    });
  });
});

describe("status over time (last: it moves the clock past the other discounts' end dates)", () => {
  it("derives the status from startsAt/endsAt and the clock", async () => {
    const scheduled = await gql(CODE_BASIC, { input: percentOffTeas("LATER", { startsAt: "2026-05-01T00:00:00Z", endsAt: null }) });
    const id = scheduled.data.discountCodeBasicCreate.codeDiscountNode.id;
    const status = async () => (await gql(`query S($id: ID!) { discountNode(id: $id) { discount { ... on DiscountCodeBasic { status } } } }`, { id })).data.discountNode.discount.status;
    expect(await status()).toBe("SCHEDULED");
    clock = Date.parse("2026-05-02T00:00:00Z"); // the clock only moves forward: the throttle bucket follows it
    expect(await status()).toBe("ACTIVE");
    const tea10 = (await gql(`{ codeDiscountNodeByCode(code: "TEA10") { codeDiscount { ... on DiscountCodeBasic { status } } } }`)).data.codeDiscountNodeByCode;
    expect(tea10.codeDiscount.status).toBe("EXPIRED"); // ended 2026-04-01
  });
});
