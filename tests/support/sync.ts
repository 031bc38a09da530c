/** A local Shopify with a generated shop, and an Admin client pointed at it, for sync tests and benchmarks. */
import { createAdminClient } from "../../app/shopify/client.server";
import { generateDemoStore } from "../demo-store/generate";
import { createLocalShopify } from "../local-shopify";
import type { SeedStore } from "../local-shopify/seed";

export async function localShopWithOrders(orders: number, seed = 7) {
  const { store } = generateDemoStore({ seed, orders });
  return localShop(store);
}

export async function localShop(store: SeedStore) {
  const local = createLocalShopify({ plan: { maximumAvailable: 2000, restoreRate: 100 } });
  local.addShop(store);
  const token = `shpat_sync_${store.shop.id}`;
  local.issueAccessToken(store.shop.domain, token);
  await local.listen();
  const client = createAdminClient({
    shop: store.shop.domain,
    accessToken: token,
    fetch: (input, init) => fetch(String(input instanceof Request ? input.url : input).replace(`https://${store.shop.domain}`, local.origin), init),
    baseDelayMs: 10,
  });
  return { local, client, store, shop: store.shop.domain };
}

/** What a complete, exact sync of the seed must produce (computed from the seed, independently of the sync code). */
export function expectedCounts(store: SeedStore) {
  const live = store.products.filter((p) => p.deletedAt === null);
  return {
    orders: store.orders.length,
    lines: store.orders.reduce((n, o) => n + o.lineItems.length, 0),
    products: live.length,
    variants: live.reduce((n, p) => n + p.variants.length, 0),
    collections: store.collections.length,
    customers: store.customers.length,
    totalMinor: store.orders.reduce((n, o) => n + BigInt(o.total), 0n),
  };
}
