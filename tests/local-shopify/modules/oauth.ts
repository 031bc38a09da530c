/**
 * POST /admin/oauth/access_token, as @shopify/shopify-api 15 calls it: token exchange (an App Bridge session token for
 * an offline access token, optionally expiring with a refresh token) and refresh-token rotation.
 *
 * Sources: Shopify's token-exchange and offline-access-token docs and changelogs (3600 s access tokens, 90-day refresh
 * tokens, a used refresh token stays retryable until its replacement is used), and the request the library builds
 * (node_modules/@shopify/shopify-api/dist/esm/lib/auth/oauth/token-exchange.mjs, refresh-token.mjs). Error bodies are
 * OAuth-style `{ error, error_description }`; where Shopify's exact code or wording is not documented, the comment at
 * the error says it is our guess.
 *
 * The app reaches this endpoint through app/shopify/local-shopify.server.ts, which sends requests for
 * https://<shop>.myshopify.com to the local Shopify with the shop in an `X-Shopify-Local-Shop` header.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiModule, LocalRequest, LocalResponse, LocalShopify } from "../server";
import { SessionTokenError, verifySessionToken } from "../session-token";
import type { ShopState } from "../store";

export const TOKEN_EXCHANGE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const REFRESH_TOKEN_GRANT_TYPE = "refresh_token";
export const ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
export const OFFLINE_ACCESS_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token";
export const ONLINE_ACCESS_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:online-access-token";
/** Expiring offline access tokens last one hour. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;
/** Refresh tokens last 90 days. */
export const REFRESH_TOKEN_TTL_SECONDS = 90 * 86_400;
/** A used refresh token can be retried until its replacement is used, for at most 30 days from its first use. */
export const REFRESH_RETRY_WINDOW_SECONDS = 30 * 86_400;
/** The header app/shopify/local-shopify.server.ts adds: the shop the app addressed (the rewritten URL's host). */
export const LOCAL_SHOP_HEADER = "x-shopify-local-shop";

export interface OAuthApp {
  apiKey: string;
  apiSecret: string;
  /** The scopes the merchant granted (comma-separated), answered as `scope`. */
  scopes: string;
}

interface RefreshRecord {
  /** The access token issued with this refresh token (revoked when this refresh token is used). */
  accessToken: string;
  expiresAt: number;
  firstUsedAt: number | null;
  /** The refresh token issued when this one was used; this one is retired once that one is used. */
  replacedBy: string | null;
  /** The refresh token whose use issued this one. */
  predecessor: string | null;
}

/** What the local Shopify remembers about one shop's installation of the app (kept in the shop's module slot). */
interface ShopOAuthState {
  apiKey: string;
  scopes: string;
  installedAt: number;
  accessTokens: Map<string, { expiresAt: number | null }>;
  refreshTokens: Map<string, RefreshRecord>;
}

const SLOT = "oauth";

function stateOf(shop: ShopState): ShopOAuthState | undefined {
  return shop.data.modules.get(SLOT) as ShopOAuthState | undefined;
}

/** Shops the app has been installed on through this endpoint (a token exchange succeeded), optionally for one app. */
export function installedShopsFor(local: LocalShopify, apiKey?: string): string[] {
  return [...local.shops.values()]
    .filter((shop) => {
      const state = stateOf(shop);
      return state !== undefined && (apiKey === undefined || state.apiKey === apiKey);
    })
    .map((shop) => shop.domain)
    .sort();
}

/** The access and refresh tokens this endpoint issued for a shop and has not retired (for assertions in tests). */
export function issuedTokensFor(local: LocalShopify, shop: string): { accessTokens: string[]; refreshTokens: string[] } {
  const state = stateOf(local.shop(shop));
  return { accessTokens: [...(state?.accessTokens.keys() ?? [])], refreshTokens: [...(state?.refreshTokens.keys() ?? [])] };
}

function oauthError(error: string, description: string, status = 400): LocalResponse {
  return { status, body: { error, error_description: description } };
}

const INVALID_SUBJECT_TOKEN = () =>
  // Code and wording as Shopify answers an invalid subject token (seen in Shopify's responses quoted in public issues;
  // shopify-app-remix matches on the code to bounce the request for a fresh session token).
  oauthError("invalid_subject_token", "Token exchange cannot be performed due to an invalid subject token.");

const INVALID_GRANT = () =>
  // Code per RFC 6749 §5.2, which Shopify uses for refresh failures; the wording is our guess.
  oauthError("invalid_grant", "The refresh token is invalid, expired or revoked.");

function header(request: LocalRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The shop the request addressed: the local-routing header, else a myshopify.com Host. Undefined if neither names one. */
function addressedShop(request: LocalRequest): string | undefined {
  const local = header(request, LOCAL_SHOP_HEADER)?.trim().toLowerCase();
  if (local) return local;
  const host = header(request, "host")?.split(":")[0]?.toLowerCase();
  return host?.endsWith(".myshopify.com") ? host : undefined;
}

/** The form fields, from a JSON body (what the library sends) or a form-encoded one (what OAuth clients often send). */
function parseFields(request: LocalRequest): Record<string, string> | undefined {
  const type = header(request, "content-type")?.split(";")[0]?.trim().toLowerCase();
  const text = request.body.toString("utf8");
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") fields[key] = String(value);
    }
    return fields;
  } catch {
    return undefined;
  }
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function sameSecret(given: string | undefined, expected: string): boolean {
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

const newToken = (prefix: string) => `${prefix}_${randomBytes(16).toString("hex")}`;

/** Issues an access token (and, when expiring, a refresh token) for the shop, registered with the local Shopify. */
function issue(
  local: LocalShopify,
  shop: ShopState,
  state: ShopOAuthState,
  { expiring, predecessor }: { expiring: boolean; predecessor: string | null },
): LocalResponse {
  const now = local.now();
  const accessToken = newToken("shpat");
  const expiresAt = expiring ? now + ACCESS_TOKEN_TTL_SECONDS * 1000 : null;
  local.issueAccessToken(shop.domain, accessToken, { expiresAt });
  state.accessTokens.set(accessToken, { expiresAt });
  if (!expiring) return { status: 200, body: { access_token: accessToken, scope: state.scopes } };

  const refreshToken = newToken("shprt");
  state.refreshTokens.set(refreshToken, {
    accessToken,
    expiresAt: now + REFRESH_TOKEN_TTL_SECONDS * 1000,
    firstUsedAt: null,
    replacedBy: null,
    predecessor,
  });
  return {
    status: 200,
    body: {
      access_token: accessToken,
      scope: state.scopes,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
    },
  };
}

function retireAccessToken(local: LocalShopify, state: ShopOAuthState, token: string) {
  local.revokeAccessToken(token);
  state.accessTokens.delete(token);
}

async function tokenExchange(
  local: LocalShopify,
  app: OAuthApp,
  fields: Record<string, string>,
  addressed: string | undefined,
): Promise<LocalResponse> {
  const subjectToken = fields.subject_token;
  // "missing_subject_token" is what Shopify answers without one (quoted in a community thread); the wording is ours.
  if (!subjectToken) return oauthError("missing_subject_token", "The subject_token parameter is required.");
  if (fields.subject_token_type !== ID_TOKEN_TYPE) {
    // The code appears in Shopify's responses (shopify-app-js PR #563); the wording is our guess.
    return oauthError("invalid_subject_token_type", `subject_token_type must be ${ID_TOKEN_TYPE}.`);
  }
  const requested = fields.requested_token_type ?? OFFLINE_ACCESS_TOKEN_TYPE;
  if (requested === ONLINE_ACCESS_TOKEN_TYPE) {
    return oauthError("invalid_request", "Online access tokens are not supported by the local Shopify.");
  }
  if (requested !== OFFLINE_ACCESS_TOKEN_TYPE) {
    // Our guess at the code (RFC 8693 leaves it open); the app never sends another type.
    return oauthError("invalid_request", `requested_token_type must be ${OFFLINE_ACCESS_TOKEN_TYPE}.`);
  }

  let shopDomain: string;
  try {
    const claims = await verifySessionToken(subjectToken, {
      apiKey: app.apiKey,
      secret: app.apiSecret,
      nowSeconds: Math.floor(local.now() / 1000),
    });
    shopDomain = claims.shop;
  } catch (error) {
    if (error instanceof SessionTokenError) return INVALID_SUBJECT_TOKEN();
    throw error;
  }
  // The token must be for a shop that exists here, and for the shop the request was sent to.
  const shop = local.shops.get(shopDomain);
  if (!shop || (addressed !== undefined && addressed !== shopDomain)) return INVALID_SUBJECT_TOKEN();

  const state = shop.module<ShopOAuthState>(SLOT, () => ({
    apiKey: app.apiKey,
    scopes: app.scopes,
    installedAt: local.now(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
  }));
  // Earlier tokens stay valid: whether Shopify revokes them on a new exchange is not documented.
  const expiring = fields.expiring === "1" || fields.expiring === "true";
  return issue(local, shop, state, { expiring, predecessor: null });
}

function refresh(local: LocalShopify, fields: Record<string, string>, addressed: string | undefined): LocalResponse {
  const token = fields.refresh_token;
  if (!token) return oauthError("invalid_request", "The refresh_token parameter is required."); // Wording: our guess.
  const candidates = addressed ? [local.shops.get(addressed)] : [...local.shops.values()];
  const shop = candidates.find((s) => s && stateOf(s)?.refreshTokens.has(token));
  const state = shop && stateOf(shop);
  const record = state?.refreshTokens.get(token);
  if (!shop || !state || !record) return INVALID_GRANT();

  const now = local.now();
  const retryExpired = record.firstUsedAt !== null && now > record.firstUsedAt + REFRESH_RETRY_WINDOW_SECONDS * 1000;
  if (now > record.expiresAt || retryExpired) {
    state.refreshTokens.delete(token);
    return INVALID_GRANT();
  }

  // Using a refresh token retires its predecessor (the app has begun using this replacement).
  if (record.predecessor) state.refreshTokens.delete(record.predecessor);
  // Retrying a used refresh token (its replacement never used, e.g. a lost response) supersedes that replacement.
  // Whether Shopify answers the same pair again or a new one is not documented: we issue a new one.
  if (record.replacedBy) {
    const unused = state.refreshTokens.get(record.replacedBy);
    if (unused) retireAccessToken(local, state, unused.accessToken);
    state.refreshTokens.delete(record.replacedBy);
  }
  retireAccessToken(local, state, record.accessToken);

  const answer = issue(local, shop, state, { expiring: true, predecessor: token });
  record.firstUsedAt ??= now;
  record.replacedBy = (answer.body as { refresh_token: string }).refresh_token;
  return answer;
}

/** The token endpoint for one app (client id and secret). Installing it adds the route to the local Shopify. */
export function oauthModule(app: OAuthApp): ApiModule {
  return {
    name: "oauth",
    install(local) {
      local.route("POST", /^\/admin\/oauth\/access_token$/, async (request) => {
        const addressed = addressedShop(request);
        // Real Shopify answers an unknown shop's domain with a 404 page.
        if (addressed !== undefined && !local.shops.has(addressed)) return { status: 404, body: { errors: "Not Found" } };

        const fields = parseFields(request);
        // Code per RFC 6749 §5.2; Shopify's exact answer to a malformed body is our guess.
        if (!fields) return oauthError("invalid_request", "The request body must be JSON or form-encoded parameters.");
        if (fields.client_id !== app.apiKey || !sameSecret(fields.client_secret, app.apiSecret)) {
          // RFC 6749 §5.2 allows 400 or 401 for invalid_client; which one Shopify uses, and its wording, is our guess.
          return oauthError("invalid_client", "Client authentication failed: unknown client_id or wrong client_secret.");
        }
        if (fields.grant_type === TOKEN_EXCHANGE_GRANT_TYPE) return tokenExchange(local, app, fields, addressed);
        if (fields.grant_type === REFRESH_TOKEN_GRANT_TYPE) return refresh(local, fields, addressed);
        // The authorization-code grant is not implemented: the app installs through token exchange only.
        return oauthError("unsupported_grant_type", `The local Shopify does not implement grant_type ${fields.grant_type ?? "(none)"}.`);
      });
    },
  };
}
