/** Shopify tokens at rest (ADR 027): AES-256-GCM round trip, tamper detection, legacy plaintext, and the boot-time key check. */
import { describe, expect, it } from "vitest";

process.env.SHOPIFY_API_KEY ??= "key";
process.env.SHOPIFY_API_SECRET ??= "secret";
process.env.SHOPIFY_APP_URL ??= "https://app.example.com";
const { parseEnv } = await import("../../app/env.server");
const { decryptToken, encryptToken, isEncryptedToken, sessionTokenKey } = await import("../../app/lib/token-crypto.server");

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 8);
const valid = { SHOPIFY_API_KEY: "key", SHOPIFY_API_SECRET: "secret", SHOPIFY_APP_URL: "https://app.example.com" };

describe("encryptToken / decryptToken", () => {
  it("round-trips, never contains the token, and differs each time (random IV)", () => {
    const a = encryptToken("shprt_secret_refresh", KEY);
    const b = encryptToken("shprt_secret_refresh", KEY);
    expect(a).not.toBe(b);
    expect(a).not.toContain("shprt");
    expect(isEncryptedToken(a)).toBe(true);
    expect(decryptToken(a, KEY)).toBe("shprt_secret_refresh");
    expect(decryptToken(b, KEY)).toBe("shprt_secret_refresh");
  });

  it("refuses a wrong key and a tampered ciphertext", () => {
    const sealed = encryptToken("shpat_access", KEY);
    expect(() => decryptToken(sealed, OTHER)).toThrow();
    const raw = Buffer.from(sealed.slice("enc:v1:".length), "base64url");
    for (const at of [0, 12, raw.length - 1]) {
      const bad = Buffer.from(raw);
      bad[at]! ^= 1; // the IV, the tag, the ciphertext
      expect(() => decryptToken(`enc:v1:${bad.toString("base64url")}`, KEY)).toThrow();
    }
    expect(() => decryptToken("enc:v1:AAAA", KEY)).toThrow(/truncated/);
  });

  it("returns a value stored before encryption (no prefix) as it is", () => {
    expect(decryptToken("shpat_legacy_plain", KEY)).toBe("shpat_legacy_plain");
  });
});

describe("SESSION_TOKEN_KEY at boot", () => {
  const key = KEY.toString("base64");

  it("is required in production, naming the variable", () => {
    expect(() => parseEnv({ ...valid, NODE_ENV: "production" })).toThrow(/SESSION_TOKEN_KEY is required when NODE_ENV is production/);
    expect(parseEnv({ ...valid, NODE_ENV: "production", SESSION_TOKEN_KEY: key }).SESSION_TOKEN_KEY).toBe(key);
  });

  it("must be 32 bytes of base64", () => {
    for (const bad of [Buffer.alloc(16).toString("base64"), "not base64 at all!", Buffer.alloc(32).toString("hex")]) {
      expect(() => parseEnv({ ...valid, SESSION_TOKEN_KEY: bad })).toThrow(/SESSION_TOKEN_KEY must be 32 random bytes in base64/);
    }
  });

  it("is optional outside production: a stable key derived from the app secret is used", () => {
    const a = sessionTokenKey(parseEnv({ ...valid, NODE_ENV: "test" }));
    const b = sessionTokenKey(parseEnv({ ...valid, NODE_ENV: "development" }));
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(sessionTokenKey({ SHOPIFY_API_SECRET: "another secret" }))).toBe(false);
    expect(sessionTokenKey({ SHOPIFY_API_SECRET: "secret", SESSION_TOKEN_KEY: key }).equals(KEY)).toBe(true);
  });
});
