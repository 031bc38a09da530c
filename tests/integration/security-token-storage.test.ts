/**
 * The app's session storage (app/shopify.server.ts) keeps Shopify access and refresh tokens encrypted in the Session
 * table, gives them back in clear, reads rows written before encryption and encrypts them on their next write (ADR 027).
 */
import { Session } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import { storeOfflineSession } from "../support/admin-request";
import { expectConsole } from "../support/console";
import { testDb } from "../support/db";

const { sessionStorage } = await import("../../app/shopify.server");

function offline(shop: string) {
  const session = new Session({ id: `offline_${shop}`, shop, state: "installed", isOnline: false, scope: "read_orders" });
  session.accessToken = "shpat_at_rest_access";
  session.expires = new Date(Date.now() + 3600_000);
  session.refreshToken = "shprt_at_rest_refresh";
  session.refreshTokenExpires = new Date(Date.now() + 30 * 86400_000);
  return session;
}

const row = (id: string) => testDb().session.findUniqueOrThrow({ where: { id }, select: { accessToken: true, refreshToken: true } });

describe("Shopify tokens at rest", () => {
  it("are stored encrypted and loaded in clear", async () => {
    const session = offline("encrypted-store.myshopify.com");
    await sessionStorage.storeSession(session);
    const stored = await row(session.id);
    expect(stored.accessToken).toMatch(/^enc:v1:/);
    expect(stored.refreshToken).toMatch(/^enc:v1:/);
    expect(JSON.stringify(stored)).not.toContain("at_rest");

    const loaded = await sessionStorage.loadSession(session.id);
    expect(loaded?.accessToken).toBe("shpat_at_rest_access");
    expect(loaded?.refreshToken).toBe("shprt_at_rest_refresh");
    expect(loaded?.refreshTokenExpires?.getTime()).toBe(session.refreshTokenExpires!.getTime());
    const [byShop] = await sessionStorage.findSessionsByShop(session.shop);
    expect(byShop?.refreshToken).toBe("shprt_at_rest_refresh");
  });

  it("reads a row written before encryption as it is, and encrypts it on the next write", async () => {
    const shop = "legacy-store.myshopify.com";
    await storeOfflineSession(shop); // the library's own Prisma storage: plain text, as before this change
    expect((await row(`offline_${shop}`)).refreshToken).toBe("shprt_test_token");

    const loaded = await sessionStorage.loadSession(`offline_${shop}`);
    expect(loaded?.accessToken).toBe("shpat_test_token");
    expect(loaded?.refreshToken).toBe("shprt_test_token");

    await sessionStorage.storeSession(loaded!);
    const stored = await row(`offline_${shop}`);
    expect(stored.accessToken).toMatch(/^enc:v1:/);
    expect(stored.refreshToken).toMatch(/^enc:v1:/);
    expect((await sessionStorage.loadSession(`offline_${shop}`))?.refreshToken).toBe("shprt_test_token");
  });

  it("treats a row it cannot decrypt (tampered, or another key) as no session", async () => {
    const session = offline("tampered-store.myshopify.com");
    await sessionStorage.storeSession(session);
    const stored = await row(session.id);
    const tampered = stored.refreshToken!.slice(0, 12) + (stored.refreshToken![12] === "A" ? "B" : "A") + stored.refreshToken!.slice(13);
    await testDb().session.update({ where: { id: session.id }, data: { refreshToken: tampered } });
    expectConsole("warn", /cannot be decrypted with SESSION_TOKEN_KEY/);
    expect(await sessionStorage.loadSession(session.id)).toBeUndefined();
  });
});
