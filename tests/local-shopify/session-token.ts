/**
 * Shopify session tokens (the `id_token` App Bridge sends): HS256 JWTs signed with the app's secret, with Shopify's
 * claims. Tests sign them as the admin would; the local Shopify verifies them as the token-exchange endpoint does.
 * https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
 */
import { randomUUID } from "node:crypto";
import { errors, jwtVerify, SignJWT, type JWTPayload } from "jose";

/** Clock skew both sides tolerate on `exp` and `nbf`, in seconds (Shopify's libraries allow a few seconds too). */
export const SESSION_TOKEN_LEEWAY_SECONDS = 5;

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

/** The claims of a verified session token, with the shop its `dest` names. */
export interface SessionTokenClaims extends JWTPayload {
  iss: string;
  dest: string;
  aud: string;
  sub?: string;
  exp: number;
  nbf: number;
  iat?: number;
  jti?: string;
  sid?: string;
  /** The shop's myshopify domain, from `dest`. */
  shop: string;
}

/** Why a session token was refused. The message never contains the token or the secret. */
export class SessionTokenError extends Error {
  constructor(message: string) {
    super(`Invalid session token: ${message}`);
    this.name = "SessionTokenError";
  }
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/**
 * Verifies a session token as Shopify's token endpoint does: an HS256 signature with the app's secret, `aud` = the API
 * key, `exp`/`nbf` within a few seconds of leeway, `dest` = `https://<shop>` and `iss` = `https://<shop>/admin`.
 * Returns the claims or throws a SessionTokenError.
 */
export async function verifySessionToken(
  token: string,
  {
    apiKey,
    secret,
    nowSeconds = Math.floor(Date.now() / 1000),
    leewaySeconds = SESSION_TOKEN_LEEWAY_SECONDS,
  }: { apiKey: string; secret: string; nowSeconds?: number; leewaySeconds?: number },
): Promise<SessionTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ["HS256"],
      audience: apiKey,
      clockTolerance: leewaySeconds,
      currentDate: new Date(nowSeconds * 1000),
      requiredClaims: ["exp", "nbf", "iss", "dest"],
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new SessionTokenError("expired");
    if (error instanceof errors.JWTClaimValidationFailed) throw new SessionTokenError(`claim ${error.claim}: ${error.reason}`);
    if (error instanceof errors.JWSSignatureVerificationFailed) throw new SessionTokenError("signature does not verify");
    if (error instanceof errors.JOSEError) throw new SessionTokenError(error.code);
    throw new SessionTokenError("malformed");
  }

  const { dest, iss } = payload;
  if (typeof dest !== "string" || typeof iss !== "string") throw new SessionTokenError("dest and iss must be strings");
  let shop: string;
  try {
    const url = new URL(dest);
    if (url.protocol !== "https:" || url.pathname !== "/" || url.search || url.hash) throw new Error();
    shop = url.hostname;
  } catch {
    throw new SessionTokenError("dest is not https://<shop>");
  }
  if (!SHOP_DOMAIN.test(shop) || dest !== `https://${shop}`) throw new SessionTokenError("dest is not https://<shop>");
  if (iss !== `https://${shop}/admin`) throw new SessionTokenError("iss does not match dest");
  return { ...payload, shop } as SessionTokenClaims;
}
