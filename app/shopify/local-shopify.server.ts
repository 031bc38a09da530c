/**
 * Local-only routing for tests and the demo. When SHOPIFY_LOCAL_ADMIN_ORIGIN is set (env.server.ts accepts it only with
 * NODE_ENV=test and a loopback host), the Shopify library's requests to https://<shop>.myshopify.com (token exchange, token refresh, Admin
 * GraphQL) go to the local Shopify at that origin instead, same path and query, with the shop named in the
 * X-Shopify-Local-Shop header. Every other request passes through unchanged.
 *
 * This is routing, not an auth bypass: the app still verifies session tokens and webhook HMACs with its secret, and the
 * local Shopify still verifies the client credentials, the session token and every access token.
 */
// The library's web-api adapter sets its fetch when first evaluated (shopify-app-remix/server imports it). Evaluating it
// here first makes sure ours, set below, is the one that stays.
import "@shopify/shopify-api/adapters/web-api";
import { setAbstractFetchFunc } from "@shopify/shopify-api/runtime";
import { env } from "../env.server";

export const LOCAL_SHOP_HEADER = "X-Shopify-Local-Shop";

const SHOP_HOST = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/i;

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch that sends https://<shop>.myshopify.com requests to `origin` (keeping path and query) and others to `next`. */
export function localShopifyFetch(origin: string, next: Fetch = (input, init) => globalThis.fetch(input, init)): Fetch {
  const base = new URL(origin);
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    if (url.protocol !== "https:" || !SHOP_HOST.test(url.hostname)) return next(input, init);

    const target = new URL(`${url.pathname}${url.search}`, base);
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    new Headers(init?.headers).forEach((value, name) => headers.set(name, value));
    headers.set(LOCAL_SHOP_HEADER, url.hostname.toLowerCase());
    if (!(input instanceof Request)) return next(target, { ...init, headers });
    const body = input.body === null ? undefined : await input.arrayBuffer();
    return next(target, { method: input.method, body, signal: input.signal, redirect: input.redirect, ...init, headers });
  };
}

if (env.SHOPIFY_LOCAL_ADMIN_ORIGIN) {
  setAbstractFetchFunc(localShopifyFetch(env.SHOPIFY_LOCAL_ADMIN_ORIGIN));
}

/**
 * The local admin page embeds the app from the local Shopify's origin, which Shopify's frame-ancestors policy does not
 * list; when (and only when) the local origin is configured, it is added so the demo's admin can frame the app.
 */
export function allowLocalAdminFrame(headers: Headers) {
  const origin = env.SHOPIFY_LOCAL_ADMIN_ORIGIN;
  const policy = headers.get("Content-Security-Policy");
  if (!origin || !policy?.includes("frame-ancestors")) return;
  headers.set("Content-Security-Policy", policy.replace("frame-ancestors", `frame-ancestors ${new URL(origin).origin}`));
}

/** The fetch Admin API calls made outside the Shopify library (our own client) must use: local when configured. */
export function adminFetch(): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const origin = env.SHOPIFY_LOCAL_ADMIN_ORIGIN;
  return origin ? localShopifyFetch(origin) : (input, init) => globalThis.fetch(input, init);
}
