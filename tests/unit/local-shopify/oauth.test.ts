/**
 * The local Shopify's token endpoint over HTTP, spoken to exactly as @shopify/shopify-api 15 speaks to Shopify's: token
 * exchange of a session token for an (expiring) offline access token, and refresh-token rotation. Also the session
 * token verification it relies on.
 */
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_QUERY } from "../../../app/shopify/graphql/ShopQuery";
import { createLocalShopify, emptySeed, type LocalShopify } from "../../local-shopify";
import {
  ACCESS_TOKEN_TTL_SECONDS,
  installedShopsFor,
  issuedTokensFor,
  oauthModule,
  REFRESH_TOKEN_TTL_SECONDS,
} from "../../local-shopify/modules/oauth";
import { signSessionToken, verifySessionToken } from "../../local-shopify/session-token";
import { TEST_APP } from "../../support/test-app";

const SHOP = "banh-mi-house.myshopify.com";
const OTHER = "cafe-sua-da.myshopify.com";
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** What the library sends (token-exchange.mjs): JSON, these fields, to https://<shop>/admin/oauth/access_token. */
function exchangeBody(subjectToken: string, overrides: Record<string, string> = {}) {
  return {
    client_id: TEST_APP.apiKey,
    client_secret: TEST_APP.apiSecret,
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: subjectToken,
    subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
    requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
    expiring: "1",
    ...overrides,
  };
}

const refreshBody = (refreshToken: string, overrides: Record<string, string> = {}) => ({
  client_id: TEST_APP.apiKey,
  client_secret: TEST_APP.apiSecret,
  refresh_token: refreshToken,
  grant_type: "refresh_token",
  ...overrides,
});

interface TokenAnswer {
  access_token: string;
  scope: string;
  expires_in?: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  error?: string;
  error_description?: string;
}

function client(local: LocalShopify) {
  return {
    /** POSTs to the token endpoint, naming the shop as app/shopify/local-shopify.server.ts does (unless `shop` is null). */
    async token(body: object, shop: string | null = SHOP) {
      const response = await fetch(`${local.origin}/admin/oauth/access_token`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          ...(shop ? { "x-shopify-local-shop": shop } : {}),
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as TokenAnswer };
    },
    /** The app's ShopQuery with an access token: the status says whether the token works. */
    async graphql(token: string) {
      const response = await fetch(local.graphqlUrl(), {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": token },
        body: JSON.stringify({ query: SHOP_QUERY }),
      });
      return { status: response.status, body: (await response.json()) as { data?: { shop: { myshopifyDomain: string } } } };
    },
  };
}

const sessionToken = (shop: string, options: { secret?: string; apiKey?: string; nowSeconds?: number } = {}) =>
  signSessionToken({ shop, apiKey: options.apiKey ?? TEST_APP.apiKey, secret: options.secret ?? TEST_APP.apiSecret, nowSeconds: options.nowSeconds });

describe("local Shopify token exchange", () => {
  const local = createLocalShopify().use(oauthModule(TEST_APP));
  local.addShop(emptySeed({ domain: SHOP }));
  local.addShop(emptySeed({ domain: OTHER, id: 2 }));
  const api = client(local);
  beforeAll(() => local.listen());
  afterAll(() => local.close());

  it("exchanges a valid session token for an expiring offline token that works on the Admin API", async () => {
    const { status, body } = await api.token(exchangeBody(await sessionToken(SHOP)));
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^shpat_[0-9a-f]{32}$/),
      scope: TEST_APP.scopes,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: expect.stringMatching(/^shprt_[0-9a-f]{32}$/),
      refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
    });
    const query = await api.graphql(body.access_token);
    expect(query.status).toBe(200);
    expect(query.body.data?.shop.myshopifyDomain).toBe(SHOP);
    expect(installedShopsFor(local)).toEqual([SHOP]);
    expect(issuedTokensFor(local, SHOP)).toEqual({ accessTokens: [body.access_token], refreshTokens: [body.refresh_token] });
  });

  it("issues a non-expiring token (no expiry, no refresh token) when not asked for an expiring one", async () => {
    const { status, body } = await api.token(exchangeBody(await sessionToken(SHOP), { expiring: "0" }));
    expect(status).toBe(200);
    expect(body).toEqual({ access_token: expect.stringMatching(/^shpat_/), scope: TEST_APP.scopes });
    expect((await api.graphql(body.access_token)).status).toBe(200);
  });

  it("accepts the form-encoded request other OAuth clients send", async () => {
    const response = await fetch(`${local.origin}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-shopify-local-shop": SHOP },
      body: new URLSearchParams(exchangeBody(await sessionToken(SHOP))).toString(),
    });
    expect(response.status).toBe(200);
  });

  describe("refuses, with a 400 and no token", () => {
    const refused = async (body: object, shop: string | null, error: string) => {
      const before = issuedTokensFor(local, OTHER).accessTokens.length + issuedTokensFor(local, SHOP).accessTokens.length;
      const answer = await api.token(body, shop);
      expect(answer).toEqual({ status: 400, body: { error, error_description: expect.any(String) } });
      const after = issuedTokensFor(local, OTHER).accessTokens.length + issuedTokensFor(local, SHOP).accessTokens.length;
      expect(after).toBe(before);
      expect(installedShopsFor(local)).not.toContain(OTHER);
    };

    it("a wrong client secret or client id", async () => {
      const token = await sessionToken(OTHER);
      await refused(exchangeBody(token, { client_secret: "not-the-secret" }), OTHER, "invalid_client");
      await refused(exchangeBody(token, { client_id: "someone-else" }), OTHER, "invalid_client");
    });

    it("an expired subject token (beyond the few seconds of leeway)", async () => {
      const token = await sessionToken(OTHER, { nowSeconds: nowSeconds() - 120 }); // expired 60 s ago
      await refused(exchangeBody(token), OTHER, "invalid_subject_token");
    });

    it("a subject token signed with another secret or for another app", async () => {
      await refused(exchangeBody(await sessionToken(OTHER, { secret: "someone-elses-secret" })), OTHER, "invalid_subject_token");
      await refused(exchangeBody(await sessionToken(OTHER, { apiKey: "another-app" })), OTHER, "invalid_subject_token");
    });

    it("a subject token for a shop the local Shopify does not have", async () => {
      await refused(exchangeBody(await sessionToken("ghost-store.myshopify.com")), null, "invalid_subject_token");
    });

    it("a subject token for one shop sent to another shop", async () => {
      await refused(exchangeBody(await sessionToken(SHOP)), OTHER, "invalid_subject_token");
    });

    it("online tokens, which the local Shopify does not implement", async () => {
      const body = exchangeBody(await sessionToken(OTHER), {
        requested_token_type: "urn:shopify:params:oauth:token-type:online-access-token",
      });
      await refused(body, OTHER, "invalid_request");
    });

    it("a missing subject token or another grant type", async () => {
      await refused(exchangeBody(""), OTHER, "missing_subject_token");
      await refused(exchangeBody(await sessionToken(OTHER), { grant_type: "authorization_code" }), OTHER, "unsupported_grant_type");
    });
  });

  it("answers 404 for a shop it does not have, as Shopify does for an unknown domain", async () => {
    const { status } = await api.token(exchangeBody(await sessionToken(SHOP)), "ghost-store.myshopify.com");
    expect(status).toBe(404);
  });
});

describe("local Shopify refresh-token rotation", () => {
  let clock = Date.now();
  const local = createLocalShopify({ now: () => clock }).use(oauthModule(TEST_APP));
  local.addShop(emptySeed({ domain: SHOP }));
  const api = client(local);
  beforeAll(() => local.listen());
  afterAll(() => local.close());

  const install = async () => {
    const { body } = await api.token(exchangeBody(await sessionToken(SHOP, { nowSeconds: Math.floor(clock / 1000) })));
    return { access: body.access_token, refresh: body.refresh_token! };
  };

  it("rotates both tokens: the new access token works, the old one is revoked (401)", async () => {
    const first = await install();
    const { status, body } = await api.token(refreshBody(first.refresh));
    expect(status).toBe(200);
    expect(body).toMatchObject({ scope: TEST_APP.scopes, expires_in: 3600, refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS });
    expect(body.access_token).not.toBe(first.access);
    expect(body.refresh_token).not.toBe(first.refresh);
    expect((await api.graphql(body.access_token)).status).toBe(200);
    expect((await api.graphql(first.access)).status).toBe(401);
  });

  it("retires a used refresh token once its replacement is used", async () => {
    const first = await install();
    const second = (await api.token(refreshBody(first.refresh))).body.refresh_token!;
    const third = (await api.token(refreshBody(second))).body.refresh_token!;
    expect(await api.token(refreshBody(first.refresh))).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect((await api.token(refreshBody(third))).status).toBe(200);
    expect(await api.token(refreshBody(second))).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("lets a used refresh token be retried while its replacement is unused (a lost refresh response)", async () => {
    const first = await install();
    const lost = (await api.token(refreshBody(first.refresh))).body;
    const retried = await api.token(refreshBody(first.refresh));
    expect(retried.status).toBe(200);
    expect((await api.graphql(retried.body.access_token)).status).toBe(200);
    expect((await api.graphql(lost.access_token)).status).toBe(401);
  });

  it("refuses unknown, expired and wrongly authenticated refreshes", async () => {
    expect(await api.token(refreshBody("shprt_forged"))).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const { refresh } = await install();
    expect(await api.token(refreshBody(refresh, { client_secret: "wrong" }))).toMatchObject({
      status: 400,
      body: { error: "invalid_client" },
    });
    clock += (REFRESH_TOKEN_TTL_SECONDS + 1) * 1000;
    expect(await api.token(refreshBody(refresh))).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });
});

describe("verifySessionToken", () => {
  const keys = { apiKey: TEST_APP.apiKey, secret: TEST_APP.apiSecret };
  const now = 1_800_000_000;

  it("returns the claims and the shop of a valid token", async () => {
    const claims = await verifySessionToken(await sessionToken(SHOP, { nowSeconds: now }), { ...keys, nowSeconds: now });
    expect(claims).toMatchObject({ shop: SHOP, dest: `https://${SHOP}`, iss: `https://${SHOP}/admin`, aud: TEST_APP.apiKey, sub: "42" });
  });

  it("allows a few seconds of clock skew on exp, not more", async () => {
    const token = await sessionToken(SHOP, { nowSeconds: now }); // expires at now + 60
    await expect(verifySessionToken(token, { ...keys, nowSeconds: now + 63 })).resolves.toMatchObject({ shop: SHOP });
    await expect(verifySessionToken(token, { ...keys, nowSeconds: now + 70 })).rejects.toThrow(/expired/);
  });

  it("refuses a wrong audience, a wrong signature and an issuer that does not match dest", async () => {
    const token = await sessionToken(SHOP, { nowSeconds: now });
    await expect(verifySessionToken(token, { ...keys, apiKey: "other", nowSeconds: now })).rejects.toThrow(/aud/);
    await expect(verifySessionToken(token, { ...keys, secret: "other", nowSeconds: now })).rejects.toThrow(/signature/);
    const forged = await new SignJWT({ dest: `https://${SHOP}` })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(`https://${OTHER}/admin`)
      .setAudience(TEST_APP.apiKey)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(TEST_APP.apiSecret));
    await expect(verifySessionToken(forged, { ...keys, nowSeconds: now })).rejects.toThrow(/iss does not match dest/);
  });

  it("refuses a token whose dest is not a shop", async () => {
    const token = await signSessionToken({ shop: "example.com", ...keys, nowSeconds: now });
    await expect(verifySessionToken(token, { ...keys, nowSeconds: now })).rejects.toThrow(/dest/);
  });
});
