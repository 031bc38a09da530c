/**
 * Shared setup of the storefront publication tests (tests/integration/publish-*.test.ts): a seeded catalog in the local
 * Shopify and in the app's database, a stored cross-sell snapshot, an Admin client that counts its writes, and the
 * shop's `$app` metafields read back through the Admin API.
 */
import type { PrismaClient } from "@prisma/client";
import { expect } from "vitest";
import { CROSS_SELL, CROSS_SELL_VERSION } from "../../app/lib/insights/cross-sell.server";
import type { CatalogProduct } from "../../app/insights/offers/payload";
import type { Recommendation } from "../../app/insights/recommend";
import type { ProductUpgrades } from "../../app/insights/upgrades";
import { createAdminClient, type AdminApiErrorCode } from "../../app/shopify/client.server";
import type { LocalShopify } from "../local-shopify";
import type { SeedProduct, SeedStore } from "../local-shopify/seed";
import { adminBody } from "./local-admin";

export interface ShopFixture {
  domain: string;
  shopId: number;
  base: number;
  token: string;
  /** Inputs per metafieldsSet / metafieldsDelete call, in order. */
  sets: number[];
  deletes: number[];
  retries: AdminApiErrorCode[];
  /** Runs once, just before the next metafieldsSet request reaches the local Shopify. */
  beforeNextSet?: () => void;
}

export const shopFixture = (domain: string, shopId: number, base: number, token: string): ShopFixture => ({ domain, shopId, base, token, sets: [], deletes: [], retries: [] });

export const resetCalls = (f: ShopFixture) => {
  f.sets.length = 0;
  f.deletes.length = 0;
  f.retries.length = 0;
};

export const PRODUCTS = 24;

/** Products base+1..base+24 (active, two variants each) and base+25 (a draft). */
export function seedProducts(base: number): SeedProduct[] {
  const at = "2025-01-01T00:00:00Z";
  const product = (n: number, status: SeedProduct["status"] = "ACTIVE"): SeedProduct => ({
    id: base + n,
    title: `Product ${base + n}`,
    handle: `product-${base + n}`,
    productType: n % 2 ? "Laptop" : "Mouse",
    vendor: "Viet",
    tags: [],
    status,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
    collectionIds: [],
    variants: [
      { id: (base + n) * 10 + 1, title: "A", sku: `S${base + n}A`, price: 100_000 * n, compareAtPrice: null, unitCost: null, inventoryQuantity: 5, availableForSale: true },
      { id: (base + n) * 10 + 2, title: "B", sku: `S${base + n}B`, price: 100_000 * n + 50_000, compareAtPrice: null, unitCost: null, inventoryQuantity: 5, availableForSale: true },
    ],
  });
  return [...Array.from({ length: PRODUCTS }, (_, i) => product(i + 1)), product(PRODUCTS + 1, "DRAFT")];
}

export function seedStore(domain: string, shopId: number, base: number): SeedStore {
  return {
    shop: { id: shopId, domain, name: domain, currencyCode: "VND", ianaTimezone: "Asia/Ho_Chi_Minh", locales: ["vi", "en"] },
    collections: [],
    products: seedProducts(base),
    customers: [],
    orders: [],
  };
}

/** The app's copy of the catalog (as a sync would store it). */
export async function storeCatalog(db: PrismaClient, shop: string, products: SeedProduct[]) {
  await db.product.createMany({
    data: products.map((p) => ({ shop, id: String(p.id), title: p.title, handle: p.handle, productType: p.productType, status: p.status })),
  });
  await db.variant.createMany({
    data: products.flatMap((p) =>
      p.variants.map((v) => ({ shop, id: String(v.id), productId: String(p.id), title: v.title, currency: "VND", price: BigInt(v.price), availableForSale: v.availableForSale })),
    ),
  });
}

export function catalogOf(products: SeedProduct[], deleted: ReadonlySet<number> = new Set()): Map<string, CatalogProduct> {
  return new Map(
    products.map((p) => [
      String(p.id),
      {
        id: String(p.id),
        title: p.title,
        status: p.status,
        deleted: deleted.has(p.id),
        giftCard: false,
        variants: p.variants.map((v) => ({ id: String(v.id), price: v.price, currency: "VND", availableForSale: v.availableForSale })),
      },
    ]),
  );
}

export const rec = (productId: number, count: number): Recommendation => ({
  productId: String(productId),
  source: "co-purchase",
  explanation: "",
  score: 0.4,
  evidence: { count, lift: 2, confidence: 0.4, qValue: 0.01 },
});

export interface Snapshot {
  recommendations: Record<string, Recommendation[]>;
  upgrades: ProductUpgrades[];
}

/** Products base+1..base+20 suggest the next two; base+1 also the draft; base+1..base+5 have an upgrade to base+10+i. */
export function initialSnapshot(base: number): Snapshot {
  const recommendations: Record<string, Recommendation[]> = {};
  for (let i = 1; i <= 20; i++) {
    recommendations[String(base + i)] = [rec(base + (i % PRODUCTS) + 1, 100 + i), rec(base + ((i + 1) % PRODUCTS) + 1, 50 + i)];
  }
  recommendations[String(base + 1)]!.push(rec(base + PRODUCTS + 1, 10));
  const upgrades: ProductUpgrades[] = [1, 2, 3, 4, 5].map((i) => ({
    productId: String(base + i),
    title: `Product ${base + i}`,
    price: 100_000 * i,
    upgrades: [
      { productId: String(base + 10 + i), title: `Product ${base + 10 + i}`, price: 0, priceRatio: 2, sameType: true, sharedCollections: [], sameLine: true, similarity: 0.7, path: null, score: 0.07, explanation: "" },
    ],
  }));
  return { recommendations, upgrades };
}

export async function storeSnapshot(db: PrismaClient, shop: string, s: Snapshot, at: Date) {
  const data = JSON.parse(JSON.stringify({ recommendations: s.recommendations, upgrades: s.upgrades, bundles: [], products: {}, bestsellers: [] }));
  await db.insightSnapshot.upsert({
    where: { shop_kind: { shop, kind: CROSS_SELL } },
    create: { shop, kind: CROSS_SELL, version: CROSS_SELL_VERSION, computedAt: at, asOf: at, summary: {}, data },
    update: { version: CROSS_SELL_VERSION, computedAt: at, asOf: at, data },
  });
}

/** An Admin client of the shop on the local Shopify that records the size of each metafieldsSet / metafieldsDelete. */
export function clientFor(local: LocalShopify, f: ShopFixture) {
  return createAdminClient({
    shop: f.domain,
    accessToken: f.token,
    baseDelayMs: 5,
    maxAttempts: 6,
    onRetry: ({ code }) => f.retries.push(code),
    fetch: async (input, init) => {
      const body = JSON.parse(String(init?.body ?? "{}")) as { query?: string; variables?: { metafields?: unknown[] } };
      if (body.query?.includes("mutation MetafieldsSet")) {
        f.sets.push(body.variables?.metafields?.length ?? -1);
        const hook = f.beforeNextSet;
        f.beforeNextSet = undefined;
        hook?.();
      }
      if (body.query?.includes("mutation MetafieldsDelete")) f.deletes.push(body.variables?.metafields?.length ?? -1);
      return fetch(String(input instanceof Request ? input.url : input).replace(`https://${f.domain}`, local.origin), init);
    },
  });
}

/** A test query, sent again while the shop's bucket is empty (waiting for the bucket, not for a time). */
export async function unthrottled(local: LocalShopify, f: ShopFixture, query: string, variables?: Record<string, unknown>) {
  for (;;) {
    const body = await adminBody(local, f.token)(query, variables);
    if (!body.errors?.some((e: { extensions?: { code?: string } }) => e.extensions?.code === "THROTTLED")) return body;
    const status = body.extensions.cost.throttleStatus as { currentlyAvailable: number; restoreRate: number };
    const needed = body.extensions.cost.requestedQueryCost as number;
    await new Promise((r) => setTimeout(r, Math.ceil(((needed - status.currentlyAvailable) / status.restoreRate) * 1000) + 1));
  }
}

/** The shop's `$app` metafields in the local Shopify, read back through the Admin API: owner → key → {type, value}. */
export async function readBack(local: LocalShopify, f: ShopFixture, ownerIds: string[]) {
  const out = new Map<string, Record<string, { type: string; value: string }>>();
  for (const id of ownerIds) {
    const body = await unthrottled(local, f, `query ReadBack($id: ID!) { product(id: $id) { metafields(first: 10, namespace: "$app") { nodes { key type value } } } }`, { id });
    expect(body.errors).toBeUndefined();
    const nodes = body.data.product.metafields.nodes as { key: string; type: string; value: string }[];
    if (nodes.length > 0) out.set(id, Object.fromEntries(nodes.map((n) => [n.key, { type: n.type, value: n.value }])));
  }
  return out;
}

export const productIds = (base: number) => Array.from({ length: PRODUCTS + 1 }, (_, i) => `gid://shopify/Product/${base + i + 1}`);
