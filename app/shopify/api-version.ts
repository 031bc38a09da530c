import { ApiVersion } from "@shopify/shopify-app-remix/server";

/**
 * The one Admin API version the app speaks. shopify.app.toml's `[webhooks] api_version` and the schema the GraphQL
 * documents are validated against must say the same (tests/unit/api-version.test.ts checks both).
 */
export const ADMIN_API_VERSION = ApiVersion.January26;
