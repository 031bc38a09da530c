/** The local Shopify with every implemented slice of the Admin API. */
import { bulkModule } from "./modules/bulk";
import { commerceModule } from "./modules/commerce";
import { discountsModule } from "./modules/discounts";
import { metafieldsModule } from "./modules/metafields";
import { segmentsModule } from "./modules/segments";
import { shopModule } from "./modules/shop";
import { tagsModule } from "./modules/tags";
import { webPixelsModule } from "./modules/web-pixels";
import { LocalShopify, type ApiModule, type LocalShopifyOptions } from "./server";

export const DEFAULT_MODULES: ApiModule[] = [
  shopModule,
  commerceModule,
  bulkModule,
  metafieldsModule,
  discountsModule,
  tagsModule,
  segmentsModule,
  webPixelsModule,
];

export function createLocalShopify(options: Omit<LocalShopifyOptions, "modules"> & { modules?: ApiModule[] } = {}) {
  return new LocalShopify({ ...options, modules: options.modules ?? DEFAULT_MODULES });
}

export { LocalShopify } from "./server";
export { emptySeed } from "./store";
export { oauthModule } from "./modules/oauth";
/** The storefront needs the app (proxy target, webhook secret): `local.use(storefrontModule(app))`, not a default module. */
export { configureStorefront, storefrontModule, storefrontUrl } from "./modules/storefront";
export { WebhookSender } from "./webhooks";
export { hostParam, signSessionToken } from "./session-token";
