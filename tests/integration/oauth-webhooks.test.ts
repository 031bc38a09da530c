/**
 * Installation and webhooks through the real server build, with no session stored beforehand and no shortcut: the
 * app's authenticate.admin exchanges the session token at the local Shopify (reached through
 * SHOPIFY_LOCAL_ADMIN_ORIGIN), runs afterAuth → installShop over the local Admin GraphQL endpoint and stores the
 * expiring offline session; webhooks are signed and delivered as Shopify delivers them to the app's real routes.
 */
import { afterAll, describe, expect, it } from "vitest";
import { decryptToken, sessionTokenKey } from "../../app/lib/token-crypto.server";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import { createLocalShopify, emptySeed } from "../local-shopify";
import { installedShopsFor, issuedTokensFor, oauthModule } from "../local-shopify/modules/oauth";
import { hostParam, signSessionToken } from "../local-shopify/session-token";
import { WebhookSender } from "../local-shopify/webhooks";
import { testDb } from "../support/db";
import { loadRequestHandler } from "../support/server-build";
import { TEST_APP } from "../support/test-app";

const SHOP = "pho-corner.myshopify.com";
const STRANGER = "che-ba-mien.myshopify.com";

const local = createLocalShopify().use(oauthModule(TEST_APP));
local.addShop(emptySeed({ domain: SHOP, currencyCode: "USD", ianaTimezone: "America/Los_Angeles", locales: ["en", "vi"] }));
local.addShop(emptySeed({ domain: STRANGER, id: 2 }));
// The app reads the variable when the build is loaded: set it first. This test file has its own module graph.
process.env.SHOPIFY_LOCAL_ADMIN_ORIGIN = await local.listen();
const handler = await loadRequestHandler();
afterAll(() => local.close());

async function openApp(shop: string, token: string) {
  const url = new URL("/app", TEST_APP.appUrl);
  url.searchParams.set("embedded", "1");
  url.searchParams.set("shop", shop);
  url.searchParams.set("host", hostParam(shop));
  url.searchParams.set("id_token", token);
  const response = await handler(new Request(url));
  return { response, html: (await response.text()).replaceAll("<!-- -->", "") };
}

const sessionToken = (shop: string, secret: string = TEST_APP.apiSecret) =>
  signSessionToken({ shop, apiKey: TEST_APP.apiKey, secret });

/** The stored offline session row, its tokens decrypted (they are encrypted at rest, ADR 027). */
const offlineSession = async (shop: string) => {
  const row = await testDb().session.findUnique({ where: { id: `offline_${shop}` } });
  if (!row) return row;
  const key = sessionTokenKey(TEST_APP_ENV);
  expect(row.accessToken).toMatch(/^enc:v1:/);
  expect(row.refreshToken).toMatch(/^enc:v1:/);
  return { ...row, accessToken: decryptToken(row.accessToken, key), refreshToken: row.refreshToken && decryptToken(row.refreshToken, key) };
};
const TEST_APP_ENV = { SHOPIFY_API_SECRET: TEST_APP.apiSecret, SESSION_TOKEN_KEY: process.env.SESSION_TOKEN_KEY };

const webhooks = (attempts = 1) =>
  new WebhookSender({
    appUrl: TEST_APP.appUrl,
    apiSecret: TEST_APP.apiSecret,
    apiVersion: ADMIN_API_VERSION,
    fetch: (request) => handler(request),
    retry: { attempts, baseDelayMs: 1 },
  });

const statuses = (delivery: { targets: { attempts: { status: number | null }[] }[] }) =>
  delivery.targets.flatMap((t) => t.attempts.map((a) => a.status));

describe("installation by token exchange", () => {
  it("installs a shop on first open: token exchange, afterAuth → installShop, offline session, Polaris page", async () => {
    const db = testDb();
    expect(await db.session.count({ where: { shop: SHOP } })).toBe(0);

    const { response, html } = await openApp(SHOP, await sessionToken(SHOP));
    expect(response.status).toBe(200);
    expect(html).toContain("Polaris-Page");
    expect(html).toContain(SHOP);

    // installShop wrote what the local Shopify's seed says, through the app's ShopQuery and the issued token.
    expect(await db.shop.findUniqueOrThrow({ where: { domain: SHOP } })).toMatchObject({
      currency: "USD",
      timezone: "America/Los_Angeles",
      locale: "en",
      uninstalledAt: null,
    });
    // The stored session holds a token the local Shopify issued, expiring in an hour, with its refresh token.
    const session = await offlineSession(SHOP);
    expect(session).toMatchObject({ shop: SHOP, isOnline: false, scope: TEST_APP.scopes });
    const issued = issuedTokensFor(local, SHOP);
    expect(issued.accessTokens).toContain(session!.accessToken);
    expect(issued.refreshTokens).toContain(session!.refreshToken);
    expect(session!.expires!.getTime() - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(session!.refreshTokenExpires!.getTime() - Date.now()).toBeGreaterThan(80 * 86_400_000);
    expect(installedShopsFor(local)).toEqual([SHOP]);
    expect(html).not.toContain(session!.accessToken);
    expect(html).not.toContain(TEST_APP.apiSecret);
  });

  it("gives no session for a token signed with another secret", async () => {
    const { response, html } = await openApp(STRANGER, await sessionToken(STRANGER, "someone-elses-secret"));
    expect(response.status).not.toBe(200);
    expect(html).not.toContain("Polaris-Page");
    expect(await testDb().session.count({ where: { shop: STRANGER } })).toBe(0);
    expect(await testDb().shop.count({ where: { domain: STRANGER } })).toBe(0);
    expect(installedShopsFor(local)).not.toContain(STRANGER);
  });

  it("gives no session for a shop the local Shopify does not have", async () => {
    const ghost = "ghost-store.myshopify.com";
    const { response } = await openApp(ghost, await sessionToken(ghost));
    expect(response.status).toBe(500);
    expect(await testDb().session.count({ where: { shop: ghost } })).toBe(0);
  });
});

describe("webhooks", () => {
  it("app/scopes_update updates the stored session's scopes", async () => {
    const delivery = await webhooks().deliver({
      topic: "app/scopes_update",
      shop: SHOP,
      payload: { id: 1, previous: TEST_APP.scopes.split(","), current: ["read_orders", "read_products"], updated_at: "2026-02-01T00:00:00Z" },
    });
    expect(statuses(delivery)).toEqual([200]);
    expect((await offlineSession(SHOP))?.scope).toBe("read_orders,read_products");
  });

  it("refreshes an expired offline token at the local Shopify before handling a webhook", async () => {
    const db = testDb();
    const before = (await offlineSession(SHOP))!;
    await db.session.update({ where: { id: before.id }, data: { expires: new Date(Date.now() - 60_000) } });

    const delivery = await webhooks().deliver({
      topic: "app/scopes_update",
      shop: SHOP,
      payload: { id: 2, previous: ["read_orders", "read_products"], current: TEST_APP.scopes.split(",") },
    });
    expect(statuses(delivery)).toEqual([200]);

    const after = (await offlineSession(SHOP))!;
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(local.shopForToken(after.accessToken)?.domain).toBe(SHOP);
    expect(local.shopForToken(before.accessToken)).toBeUndefined(); // rotated: the old token no longer works
  });

  it("rejects a tampered app/uninstalled with 401 on every attempt, changing nothing", async () => {
    const delivery = await webhooks(2).deliver({ topic: "app/uninstalled", shop: SHOP, payload: { id: 1, domain: SHOP }, tamper: true });
    expect(statuses(delivery)).toEqual([401, 401]);
    expect(await offlineSession(SHOP)).not.toBeNull();
    expect((await testDb().shop.findUniqueOrThrow({ where: { domain: SHOP } })).uninstalledAt).toBeNull();
  });

  it("app/uninstalled marks the shop uninstalled and deletes its sessions; a replay changes nothing more", async () => {
    const sender = webhooks();
    const delivery = await sender.deliver({ topic: "app/uninstalled", shop: SHOP, payload: { id: 1, domain: SHOP } });
    expect(statuses(delivery)).toEqual([200]);
    expect(await testDb().session.count({ where: { shop: SHOP } })).toBe(0);
    const { uninstalledAt } = await testDb().shop.findUniqueOrThrow({ where: { domain: SHOP } });
    expect(uninstalledAt).toBeInstanceOf(Date);

    const replay = await sender.replay(delivery.id);
    expect(replay.webhookId).toBe(delivery.webhookId);
    expect(statuses(replay)).toEqual([200]);
    expect((await testDb().shop.findUniqueOrThrow({ where: { domain: SHOP } })).uninstalledAt).toEqual(uninstalledAt);
  });
});
