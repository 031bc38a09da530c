/**
 * The app's only shopifyApp() configuration: an embedded App Store app using token exchange (Shopify-managed install)
 * and expiring offline access tokens, with sessions in our database.
 */
import "@shopify/shopify-app-remix/adapters/node";
import "./shopify/local-shopify.server";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import prisma from "./db.server";
import { env } from "./env.server";
import { installShop } from "./lib/install-shop.server";
import { EncryptedSessionStorage, sessionTokenKey } from "./lib/token-crypto.server";
import { ADMIN_API_VERSION } from "./shopify/api-version";
import { createAdminClient, type AdminClient } from "./shopify/client.server";
import { adminFetch } from "./shopify/local-shopify.server";

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  appUrl: env.SHOPIFY_APP_URL,
  scopes: env.SCOPES.split(","),
  apiVersion: ADMIN_API_VERSION,
  authPathPrefix: "/auth",
  // Access and refresh tokens are encrypted at rest (ADR 027); rows from before are read and encrypted on their next write.
  sessionStorage: new EncryptedSessionStorage(new PrismaSessionStorage(prisma), sessionTokenKey(env)),
  distribution: AppDistribution.AppStore,
  isEmbeddedApp: true,
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      await installShop({ shop: session.shop, graphql: admin.graphql });
      // Every order since the shop opened: start the full sync now (it runs in the background).
      const { requestFullSync } = await import("./lib/sync.server");
      await requestFullSync({ shop: session.shop });
    },
  },
});

export default shopify;
export const apiVersion = ADMIN_API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
/**
 * The one throttle-aware Admin client on a shop's offline session (its token refreshed when it expires), for work done
 * outside a merchant's request (sync, publications, discounts, segments); null when that session has no access token.
 */
export async function offlineAdminClient(shop: string, options: { maxAttempts?: number } = {}): Promise<AdminClient | null> {
  const { session } = await unauthenticated.admin(shop);
  return session.accessToken ? createAdminClient({ shop, accessToken: session.accessToken, fetch: adminFetch(), ...options }) : null;
}

export type AdminGraphql = Awaited<ReturnType<typeof shopify.authenticate.admin>>["admin"]["graphql"];
