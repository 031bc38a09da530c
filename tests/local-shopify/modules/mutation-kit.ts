/**
 * Small pieces the mutation modules (metafields, discounts, tags, segments, web pixels) share: user errors, Shopify's
 * DateTime format, and looking up seed objects by GID. Connections are built with ../connections.
 */
import { GraphQLError } from "graphql";
import type { ConnectionArgs } from "../connections";
import { gid } from "../gid";
import type { SeedCollection, SeedCustomer, SeedOrder, SeedProduct, SeedVariant } from "../seed";
import type { ShopState } from "../store";

/** A user error with an error-code enum (DiscountUserError, MetafieldsSetUserError, ...). */
export interface CodedUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

export function userError(field: string[] | null, message: string, code: string | null = null): CodedUserError {
  return { field, message, code };
}

/** A plain `UserError` (field and message only: the type has no code). */
export function plainUserError(field: string[] | null, message: string) {
  return { field, message };
}

/** Shopify's DateTime format: ISO 8601 in UTC without milliseconds, e.g. 2026-01-05T10:00:00Z. */
export function dateTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Parses a DateTime argument. The schema's DateTime scalar passes strings through, so the format is checked here. */
export function parseDateTime(value: unknown, argument: string): number {
  const ms = typeof value === "string" && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new GraphQLError(`Argument '${argument}' has an invalid value (${JSON.stringify(value)}). Expected type 'DateTime'.`, {
      extensions: { code: "argumentLiteralsIncompatible" },
    });
  }
  return ms;
}

/** The paging arguments of a connection field (sorting and search are each connection's own). */
export type PageArgs = Pick<ConnectionArgs, "first" | "after" | "last" | "before" | "reverse">;

/** Any Shopify GID, split into its type and numeric id. */
export function splitGid(value: unknown): { type: string; id: number } | null {
  if (typeof value !== "string") return null;
  const match = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/.exec(value);
  return match ? { type: match[1]!, id: Number(match[2]) } : null;
}

/** The seed objects the API exposes (deleted products and their variants do not exist). */
export interface SeedLookup {
  product(id: number): SeedProduct | undefined;
  variant(id: number): { variant: SeedVariant; product: SeedProduct } | undefined;
  collection(id: number): SeedCollection | undefined;
  customer(id: number): SeedCustomer | undefined;
  order(id: number): SeedOrder | undefined;
  customers: readonly SeedCustomer[];
  ordersOf(customerId: number): readonly SeedOrder[];
}

export function seedLookup(shop: ShopState): SeedLookup {
  return shop.module("mutation-kit:seed", () => {
    const { seed } = shop;
    const live = seed.products.filter((p) => p.deletedAt === null);
    const products = new Map(live.map((p) => [p.id, p]));
    const variants = new Map(live.flatMap((product) => product.variants.map((variant) => [variant.id, { variant, product }] as const)));
    const collections = new Map(seed.collections.map((c) => [c.id, c]));
    const customers = new Map(seed.customers.map((c) => [c.id, c]));
    const orders = new Map(seed.orders.map((o) => [o.id, o]));
    const byCustomer = new Map<number, SeedOrder[]>();
    for (const order of seed.orders) {
      if (order.customerId === null) continue;
      byCustomer.set(order.customerId, [...(byCustomer.get(order.customerId) ?? []), order]);
    }
    return {
      product: (id) => products.get(id),
      variant: (id) => variants.get(id),
      collection: (id) => collections.get(id),
      customer: (id) => customers.get(id),
      order: (id) => orders.get(id),
      customers: seed.customers,
      ordersOf: (customerId) => byCustomer.get(customerId) ?? [],
    };
  });
}

/** Whether a GID names an object that exists in the shop (seed objects and the shop itself). */
export function gidExists(shop: ShopState, value: string): boolean {
  const parsed = splitGid(value);
  if (!parsed) return false;
  const lookup = seedLookup(shop);
  switch (parsed.type) {
    case "Product":
      return lookup.product(parsed.id) !== undefined;
    case "ProductVariant":
      return lookup.variant(parsed.id) !== undefined;
    case "Collection":
      return lookup.collection(parsed.id) !== undefined;
    case "Customer":
      return lookup.customer(parsed.id) !== undefined;
    case "Order":
      return lookup.order(parsed.id) !== undefined;
    case "Shop":
      return parsed.id === shop.seed.shop.id;
    default:
      return false;
  }
}

/** Minimal catalog objects for references (id and title from the seed; other fields belong to the catalog module). */
export function productRef(product: SeedProduct) {
  return { __typename: "Product", id: gid("Product", product.id), legacyResourceId: String(product.id), title: product.title, handle: product.handle };
}

export function variantRef(variant: SeedVariant) {
  return { __typename: "ProductVariant", id: gid("ProductVariant", variant.id), legacyResourceId: String(variant.id), title: variant.title, sku: variant.sku };
}

export function collectionRef(collection: SeedCollection) {
  return { __typename: "Collection", id: gid("Collection", collection.id), legacyResourceId: String(collection.id), title: collection.title, handle: collection.handle };
}

export function customerRef(customer: SeedCustomer) {
  return { __typename: "Customer", id: gid("Customer", customer.id), legacyResourceId: String(customer.id) };
}
