/** The local Shopify with every implemented slice of the Admin API. */
import { bulkModule } from "./modules/bulk";
import { commerceModule } from "./modules/commerce";
import { shopModule } from "./modules/shop";
import { LocalShopify, type ApiModule, type LocalShopifyOptions } from "./server";

export const DEFAULT_MODULES: ApiModule[] = [shopModule, commerceModule, bulkModule];

export function createLocalShopify(options: Omit<LocalShopifyOptions, "modules"> & { modules?: ApiModule[] } = {}) {
  return new LocalShopify({ ...options, modules: options.modules ?? DEFAULT_MODULES });
}

export { LocalShopify } from "./server";
export { emptySeed } from "./store";
