/**
 * One shop inside the local Shopify: its seed data (read-only history), what the app has written through mutations
 * (metafields, discounts, tags, segments, pixels, bulk operations), its rate-limit bucket and its id sequence.
 */
import type { SeedStore } from "./seed";
import { LeakyBucket, type ThrottlePlan } from "./throttle";

export interface MutableShopData {
  /** Added/removed customer, order and product tags, by GID, applied over the seed's tags. */
  tags: Map<string, Set<string>>;
  /** Everything else a mutation module keeps, by module name (each module owns its slot). */
  modules: Map<string, unknown>;
}

export class ShopState {
  readonly bucket: LeakyBucket;
  readonly data: MutableShopData = { tags: new Map(), modules: new Map() };
  private sequence = 9_000_000_000;

  constructor(
    readonly seed: SeedStore,
    plan: ThrottlePlan,
    now: () => number,
  ) {
    this.bucket = new LeakyBucket(plan, now);
  }

  get domain() {
    return this.seed.shop.domain;
  }

  /** Ids for objects created through the API, above any seed id. */
  nextId(): number {
    return ++this.sequence;
  }

  /** A mutation module's own state, created on first use. */
  module<T>(name: string, create: () => T): T {
    let value = this.data.modules.get(name) as T | undefined;
    if (value === undefined) {
      value = create();
      this.data.modules.set(name, value);
    }
    return value;
  }
}

/** A minimal seed: a shop with no catalog and no orders (for tests that need only the shop). */
export function emptySeed({
  domain,
  id = 1,
  name = domain.replace(".myshopify.com", ""),
  currencyCode = "VND",
  ianaTimezone = "Asia/Ho_Chi_Minh",
  locales = ["vi", "en"],
}: {
  domain: string;
  id?: number;
  name?: string;
  currencyCode?: string;
  ianaTimezone?: string;
  locales?: string[];
}): SeedStore {
  return {
    shop: { id, domain, name, currencyCode, ianaTimezone, locales },
    collections: [],
    products: [],
    customers: [],
    orders: [],
  };
}

/** Tags of an object as the API shows them: the seed's, with what tagsAdd/tagsRemove changed (sorted, unique). */
export function effectiveTags(shop: ShopState, objectGid: string, seedTags: readonly string[]): string[] {
  const changed = shop.data.tags.get(objectGid);
  return [...(changed ?? new Set(seedTags))].sort();
}

/** Replaces an object's tags (tagsAdd/tagsRemove write through this). */
export function setTags(shop: ShopState, objectGid: string, tags: Iterable<string>) {
  shop.data.tags.set(objectGid, new Set(tags));
}
