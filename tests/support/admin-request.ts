/**
 * Requests to the app's embedded admin pages through the real server build and the real authenticate.admin: an
 * offline session stored for the shop, and a session token signed as Shopify would (no auth bypass).
 */
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { Session } from "@shopify/shopify-api";
import { hostParam, signSessionToken } from "../local-shopify/session-token";
import { testDb } from "./db";
import { TEST_APP } from "./test-app";

/** The shop's offline session, as installing the app stores it; `scope` is what the merchant granted (default: the test app's scopes). */
export async function storeOfflineSession(shop: string, scope: string = TEST_APP.scopes): Promise<void> {
  const session = new Session({
    id: `offline_${shop}`,
    shop,
    state: "installed",
    isOnline: false,
    scope,
    accessToken: "shpat_test_token",
    expires: new Date(Date.now() + 3600_000),
  });
  session.refreshToken = "shprt_test_token";
  session.refreshTokenExpires = new Date(Date.now() + 30 * 86400_000);
  await new PrismaSessionStorage(testDb()).storeSession(session);
}

export const sessionToken = (shop: string, secret: string = TEST_APP.apiSecret) => signSessionToken({ shop, apiKey: TEST_APP.apiKey, secret });

export function appUrl(pathname: string, shop: string): URL {
  const url = new URL(pathname, TEST_APP.appUrl);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", hostParam(shop));
  return url;
}

/** A request as the embedded admin sends it; `html` has React's text separators removed. */
export async function adminRequest(
  handler: (request: Request) => Promise<Response>,
  pathname: string,
  shop: string,
  init: RequestInit = {},
  auth?: string,
): Promise<{ response: Response; body: string; html: string }> {
  const response = await handler(
    new Request(appUrl(pathname, shop), { ...init, headers: { authorization: `Bearer ${auth ?? (await sessionToken(shop))}`, ...init.headers } }),
  );
  const body = await response.text();
  return { response, body, html: body.replaceAll("<!-- -->", "") };
}
