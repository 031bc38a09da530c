/**
 * Shopify session tokens as App Bridge sends them: HS256 JWTs signed with the app's secret, with Shopify's claims.
 * https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";

export async function signSessionToken({
  shop,
  apiKey,
  secret,
  userId = "42",
  nowSeconds = Math.floor(Date.now() / 1000),
  ttlSeconds = 60,
}: {
  shop: string;
  apiKey: string;
  secret: string;
  userId?: string;
  nowSeconds?: number;
  ttlSeconds?: number;
}): Promise<string> {
  return new SignJWT({ dest: `https://${shop}`, sid: randomUUID() })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(`https://${shop}/admin`)
    .setAudience(apiKey)
    .setSubject(userId)
    .setJti(randomUUID())
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds - 5)
    .setExpirationTime(nowSeconds + ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

/** The `host` query parameter the admin adds: base64 of the admin URL of the store. */
export function hostParam(shop: string): string {
  return Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
}
