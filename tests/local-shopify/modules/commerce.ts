/**
 * Products, variants, collections, customers and orders (with line items and refunds) from the shop's seed, in the
 * Admin API's shapes. Objects carry only the fields implemented here; selecting any other field is an error.
 * Deleted products do not exist in the API (a line item's `product` is then null), as in Shopify.
 */
import { GraphQLError } from "graphql";
import { applySearch, applySort, connection, type ConnectionArgs } from "../connections";
import { currencyDigits, gid, money, moneyBag, parseGid } from "../gid";
import type { SeedCollection, SeedCustomer, SeedLineItem, SeedOrder, SeedProduct, SeedRefund, SeedVariant } from "../seed";
import type { ApiModule, RequestContext } from "../server";
import { effectiveTags, type ShopState } from "../store";
import { metafieldFields } from "./metafields";

interface Indexes {
  products: Map<number, SeedProduct>;
  variants: Map<number, { variant: SeedVariant; product: SeedProduct }>;
  collections: Map<number, SeedCollection>;
  customers: Map<number, SeedCustomer>;
  orders: Map<number, SeedOrder>;
  ordersByCustomer: Map<number, SeedOrder[]>;
  sorted: Map<string, readonly unknown[]>;
}

function indexes(shop: ShopState): Indexes {
  return shop.module("commerce", () => {
    const { seed } = shop;
    const live = seed.products.filter((p) => p.deletedAt === null);
    const ordersByCustomer = new Map<number, SeedOrder[]>();
    for (const order of seed.orders) {
      if (order.customerId === null) continue;
      const list = ordersByCustomer.get(order.customerId) ?? [];
      list.push(order);
      ordersByCustomer.set(order.customerId, list);
    }
    return {
      products: new Map(live.map((p) => [p.id, p])),
      variants: new Map(live.flatMap((product) => product.variants.map((variant) => [variant.id, { variant, product }] as const))),
      collections: new Map(seed.collections.map((c) => [c.id, c])),
      customers: new Map(seed.customers.map((c) => [c.id, c])),
      orders: new Map(seed.orders.map((o) => [o.id, o])),
      ordersByCustomer,
      sorted: new Map(),
    };
  });
}

/** Sorted views are cached per (resource, sort key): the seed never changes. */
function sortedCached<T>(shop: ShopState, name: string, sortKey: string, items: () => readonly T[], keys: Record<string, (item: T) => number | string>, id: (item: T) => number): readonly T[] {
  const cache = indexes(shop).sorted;
  const cacheKey = `${name}:${sortKey}`;
  let sorted = cache.get(cacheKey) as readonly T[] | undefined;
  if (!sorted) {
    sorted = applySort(items(), sortKey, keys, id, name);
    cache.set(cacheKey, sorted);
  }
  return sorted;
}

const time = (iso: string | null) => (iso === null ? 0 : Date.parse(iso));

// ---------------------------------------------------------------------------------------------------------------------
// Object builders

function currency(shop: ShopState) {
  const code = shop.seed.shop.currencyCode;
  return { code, digits: currencyDigits(code) };
}

function decimal(minor: number, digits: number) {
  return money(minor, "XXX", digits).amount;
}

function variantObject(shop: ShopState, variant: SeedVariant, product: SeedProduct) {
  const { code, digits } = currency(shop);
  return {
    __typename: "ProductVariant",
    id: gid("ProductVariant", variant.id),
    legacyResourceId: String(variant.id),
    title: variant.title,
    displayName: `${product.title} - ${variant.title}`,
    sku: variant.sku,
    price: decimal(variant.price, digits),
    compareAtPrice: variant.compareAtPrice === null ? null : decimal(variant.compareAtPrice, digits),
    inventoryQuantity: variant.inventoryQuantity,
    availableForSale: variant.availableForSale,
    product: () => productObject(shop, product),
    inventoryItem: {
      __typename: "InventoryItem",
      id: gid("InventoryItem", variant.id),
      sku: variant.sku,
      tracked: true,
      unitCost: variant.unitCost === null ? null : money(variant.unitCost, code, digits),
    },
  };
}

function collectionObject(shop: ShopState, collection: SeedCollection) {
  return {
    __typename: "Collection",
    id: gid("Collection", collection.id),
    legacyResourceId: String(collection.id),
    title: collection.title,
    handle: collection.handle,
    updatedAt: collection.updatedAt,
    products: (args: ConnectionArgs, context: RequestContext) =>
      connection(
        "Product",
        shop.seed.products
          .filter((p) => p.deletedAt === null && p.collectionIds.includes(collection.id))
          .map((p) => productObject(shop, p)),
        (p) => p.id,
        args,
        context,
      ),
  };
}

function productObject(shop: ShopState, product: SeedProduct) {
  const id = gid("Product", product.id);
  return {
    __typename: "Product",
    id,
    legacyResourceId: String(product.id),
    title: product.title,
    handle: product.handle,
    productType: product.productType,
    vendor: product.vendor,
    tags: effectiveTags(shop, id, product.tags),
    status: product.status,
    createdAt: product.createdAt,
    updatedAt: product.updatedAt,
    totalVariants: product.variants.length,
    hasOnlyDefaultVariant: product.variants.length === 1 && product.variants[0]?.title === "Default Title",
    ...metafieldFields(shop, id),
    variants: (args: ConnectionArgs, context: RequestContext) =>
      connection("ProductVariant", product.variants, (v) => gid("ProductVariant", v.id), args, context, (v) => variantObject(shop, v, product)),
    collections: (args: ConnectionArgs, context: RequestContext) =>
      connection(
        "Collection",
        product.collectionIds.flatMap((cid) => {
          const c = indexes(shop).collections.get(cid);
          return c ? [collectionObject(shop, c)] : [];
        }),
        (c) => c.id,
        args,
        context,
      ),
  };
}

function customerObject(shop: ShopState, customer: SeedCustomer) {
  const id = gid("Customer", customer.id);
  const orders = () => indexes(shop).ordersByCustomer.get(customer.id) ?? [];
  return {
    __typename: "Customer",
    id,
    legacyResourceId: String(customer.id),
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
    tags: effectiveTags(shop, id, customer.tags),
    locale: customer.locale,
    numberOfOrders: String(orders().length),
    statistics: { __typename: "CustomerStatistics", rfmGroup: customer.rfmGroup, predictedSpendTier: customer.predictedSpendTier },
    // Only the country: the app stores no address (and asks for nothing else of it).
    defaultAddress: customer.countryCode === null ? null : { __typename: "MailingAddress", countryCodeV2: customer.countryCode },
    emailMarketingConsent: { __typename: "CustomerEmailMarketingConsentState", marketingState: customer.emailMarketingState },
    ...metafieldFields(shop, id),
    orders: (args: ConnectionArgs, context: RequestContext) =>
      connection("Order", orders(), (o) => gid("Order", o.id), args, context, (o) => orderObject(shop, o)),
  };
}

function attributes(list: readonly { key: string; value: string }[] | undefined) {
  return (list ?? []).map((a) => ({ __typename: "Attribute", key: a.key, value: a.value }));
}

function lineItemObject(shop: ShopState, order: SeedOrder, line: SeedLineItem) {
  const { code, digits } = currency(shop);
  const index = indexes(shop);
  const refunded = order.refunds.reduce((sum, r) => sum + r.lineItems.filter((l) => l.lineItemId === line.id).reduce((s, l) => s + l.quantity, 0), 0);
  const current = order.cancelledAt === null ? line.quantity - refunded : 0;
  const product = line.productId === null ? undefined : index.products.get(line.productId);
  const variant = line.variantId === null ? undefined : index.variants.get(line.variantId);
  return {
    __typename: "LineItem",
    id: gid("LineItem", line.id),
    title: line.title,
    name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
    variantTitle: line.variantTitle,
    sku: line.sku,
    quantity: line.quantity,
    currentQuantity: current,
    refundableQuantity: current,
    isGiftCard: line.isGiftCard,
    requiresShipping: line.requiresShipping,
    originalUnitPriceSet: moneyBag(line.unitPrice, code, digits),
    originalTotalSet: moneyBag(line.unitPrice * line.quantity, code, digits),
    totalDiscountSet: moneyBag(line.totalDiscount, code, digits),
    discountedTotalSet: moneyBag(line.unitPrice * line.quantity - line.totalDiscount, code, digits),
    product: product ? () => productObject(shop, product) : null,
    variant: variant ? () => variantObject(shop, variant.variant, variant.product) : null,
    // Line item properties, as the cart set them (e.g. a storefront block's hidden `_il_widget`).
    customAttributes: attributes(line.customAttributes),
  };
}

function refundObject(shop: ShopState, order: SeedOrder, refund: SeedRefund) {
  const { code, digits } = currency(shop);
  const lines = new Map(order.lineItems.map((l) => [l.id, l]));
  return {
    __typename: "Refund",
    id: gid("Refund", refund.id),
    createdAt: refund.createdAt,
    processedAt: refund.createdAt,
    totalRefundedSet: moneyBag(refund.amount, code, digits),
    refundLineItems: (args: ConnectionArgs, context: RequestContext) =>
      connection(
        "RefundLineItem",
        refund.lineItems.flatMap((r) => {
          const line = lines.get(r.lineItemId);
          if (!line) return [];
          return [
            {
              __typename: "RefundLineItem",
              id: gid("RefundLineItem", `${refund.id}${r.lineItemId}`),
              quantity: r.quantity,
              lineItem: lineItemObject(shop, order, line),
              subtotalSet: moneyBag(line.unitPrice * r.quantity, code, digits),
            },
          ];
        }),
        (r) => r.id,
        args,
        context,
      ),
  };
}

function orderObject(shop: ShopState, order: SeedOrder) {
  const { code, digits } = currency(shop);
  const id = gid("Order", order.id);
  const refunded = order.refunds.reduce((s, r) => s + r.amount, 0);
  const customer = order.customerId === null ? undefined : indexes(shop).customers.get(order.customerId);
  return {
    __typename: "Order",
    id,
    legacyResourceId: String(order.id),
    name: order.name,
    createdAt: order.createdAt,
    processedAt: order.processedAt,
    updatedAt: order.updatedAt,
    cancelledAt: order.cancelledAt,
    test: order.test,
    sourceName: order.sourceName,
    currencyCode: code,
    presentmentCurrencyCode: code,
    discountCodes: order.discountCodes,
    discountCode: order.discountCodes[0] ?? null,
    // The cart's attributes carried onto the order (e.g. the storefront's `_il_vid`, `_il_arm`).
    customAttributes: attributes(order.customAttributes),
    tags: effectiveTags(shop, id, []),
    customer: customer ? () => customerObject(shop, customer) : null,
    subtotalPriceSet: moneyBag(order.subtotal, code, digits),
    totalPriceSet: moneyBag(order.total, code, digits),
    totalDiscountsSet: moneyBag(order.totalDiscounts, code, digits),
    totalRefundedSet: moneyBag(refunded, code, digits),
    currentTotalPriceSet: moneyBag(order.cancelledAt === null ? order.total - refunded : 0, code, digits),
    lineItems: (args: ConnectionArgs, context: RequestContext) =>
      connection("LineItem", order.lineItems, (l) => gid("LineItem", l.id), args, context, (l) => lineItemObject(shop, order, l)),
    refunds: (args: { first?: number | null }) =>
      order.refunds.slice(0, args.first ?? undefined).map((r) => refundObject(shop, order, r)),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Root fields

type Args = ConnectionArgs & { sortKey?: string | null };

const commonSearch = <T extends { id: number; createdAt: string; updatedAt: string }>() => ({
  created_at: { kind: "date" as const, get: (x: T) => x.createdAt },
  updated_at: { kind: "date" as const, get: (x: T) => x.updatedAt },
  id: { kind: "number" as const, get: (x: T) => x.id },
});

function byId<T>(map: Map<number, T>, value: unknown, type: string): T | null {
  const id = parseGid(value, type);
  if (id === null) throw new GraphQLError(`Invalid global id '${String(value)}'`, { extensions: { code: "BAD_REQUEST" } });
  return map.get(id) ?? null;
}

export const commerceModule: ApiModule = {
  name: "commerce",
  query: {
    products: (args: Args, context) => {
      const { shop } = context;
      const sorted = sortedCached(
        shop,
        "products",
        args.sortKey ?? "ID",
        () => [...indexes(shop).products.values()],
        { ID: (p) => p.id, CREATED_AT: (p) => time(p.createdAt), UPDATED_AT: (p) => time(p.updatedAt), TITLE: (p) => p.title.toLowerCase() },
        (p) => p.id,
      );
      const filtered = applySearch(sorted, args.query, {
        ...commonSearch<SeedProduct>(),
        status: { kind: "string", get: (p) => p.status },
        product_type: { kind: "string", get: (p) => p.productType },
        vendor: { kind: "string", get: (p) => p.vendor },
        tag: { kind: "string", get: (p) => effectiveTags(shop, gid("Product", p.id), p.tags) },
      }, "products");
      return connection("Product", filtered, (p) => gid("Product", p.id), args, context, (p) => productObject(shop, p));
    },
    product: ({ id }: { id: string }, { shop }) => {
      const p = byId(indexes(shop).products, id, "Product");
      return p ? productObject(shop, p) : null;
    },
    productVariant: ({ id }: { id: string }, { shop }) => {
      const v = byId(indexes(shop).variants, id, "ProductVariant");
      return v ? variantObject(shop, v.variant, v.product) : null;
    },
    collections: (args: Args, context) => {
      const { shop } = context;
      const sorted = sortedCached(
        shop,
        "collections",
        args.sortKey ?? "ID",
        () => shop.seed.collections,
        { ID: (c) => c.id, UPDATED_AT: (c) => time(c.updatedAt), TITLE: (c) => c.title.toLowerCase() },
        (c) => c.id,
      );
      const filtered = applySearch(sorted, args.query, { updated_at: { kind: "date", get: (c) => c.updatedAt }, id: { kind: "number", get: (c) => c.id } }, "collections");
      return connection("Collection", filtered, (c) => gid("Collection", c.id), args, context, (c) => collectionObject(shop, c));
    },
    customers: (args: Args, context) => {
      const { shop } = context;
      const sorted = sortedCached(
        shop,
        "customers",
        args.sortKey ?? "ID",
        () => shop.seed.customers,
        { ID: (c) => c.id, CREATED_AT: (c) => time(c.createdAt), UPDATED_AT: (c) => time(c.updatedAt) },
        (c) => c.id,
      );
      const filtered = applySearch(sorted, args.query, { ...commonSearch<SeedCustomer>(), tag: { kind: "string", get: (c) => effectiveTags(shop, gid("Customer", c.id), c.tags) } }, "customers");
      return connection("Customer", filtered, (c) => gid("Customer", c.id), args, context, (c) => customerObject(shop, c));
    },
    customer: ({ id }: { id: string }, { shop }) => {
      const c = byId(indexes(shop).customers, id, "Customer");
      return c ? customerObject(shop, c) : null;
    },
    orders: (args: Args, context) => {
      const { shop } = context;
      const sorted = sortedCached(
        shop,
        "orders",
        args.sortKey ?? "PROCESSED_AT",
        () => shop.seed.orders,
        {
          PROCESSED_AT: (o) => time(o.processedAt),
          CREATED_AT: (o) => time(o.createdAt),
          UPDATED_AT: (o) => time(o.updatedAt),
          ID: (o) => o.id,
        },
        (o) => o.id,
      );
      const filtered = applySearch(sorted, args.query, {
        ...commonSearch<SeedOrder>(),
        processed_at: { kind: "date", get: (o) => o.processedAt },
        customer_id: { kind: "number", get: (o) => o.customerId ?? -1 },
        test: { kind: "string", get: (o) => String(o.test) },
      }, "orders");
      return connection("Order", filtered, (o) => gid("Order", o.id), args, context, (o) => orderObject(shop, o));
    },
    order: ({ id }: { id: string }, { shop }) => {
      const o = byId(indexes(shop).orders, id, "Order");
      return o ? orderObject(shop, o) : null;
    },
  },
};
