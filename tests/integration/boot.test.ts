/** The production server refuses to start on a bad environment, and says which variable is wrong. */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/migrations";
import { TEST_APP } from "../support/test-app";

function boot(env: Record<string, string>) {
  const bin = path.join(ROOT, "node_modules/.bin");
  return spawnSync(path.join(bin, "remix-serve"), ["build/server/index.js"], {
    cwd: ROOT,
    env: { PATH: `${bin}:${process.env.PATH}`, NODE_ENV: "production", PORT: "0", ...env },
    encoding: "utf8",
    timeout: 20_000,
  });
}

describe("boot-time environment validation", () => {
  it("stops with a message naming the missing and malformed variables, without echoing values", () => {
    const result = boot({ SHOPIFY_API_KEY: TEST_APP.apiKey, SHOPIFY_APP_URL: "not-a-url", DATABASE_URL: "mysql://db" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("Invalid environment, the app cannot start");
    expect(result.stderr).toContain("SHOPIFY_API_SECRET is required");
    expect(result.stderr).toContain("SHOPIFY_APP_URL must be the app's public https URL");
    expect(result.stderr).toContain("DATABASE_URL must be a postgresql:// URL");
    expect(result.stderr).not.toContain("mysql://db");
  });
});

describe("boot-time refusal of the local-Shopify override", () => {
  const app = { SHOPIFY_API_KEY: TEST_APP.apiKey, SHOPIFY_API_SECRET: TEST_APP.apiSecret, SHOPIFY_APP_URL: TEST_APP.appUrl };

  it("stops when SHOPIFY_LOCAL_ADMIN_ORIGIN is set without NODE_ENV=test (npm run worker and npm start default to development)", () => {
    const result = boot({ ...app, NODE_ENV: "development", SHOPIFY_LOCAL_ADMIN_ORIGIN: "http://127.0.0.1:4100" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("SHOPIFY_LOCAL_ADMIN_ORIGIN must only be set when NODE_ENV is test");
  });

  it("stops when SHOPIFY_LOCAL_ADMIN_ORIGIN is not a loopback origin, even under NODE_ENV=test", () => {
    const result = boot({ ...app, NODE_ENV: "test", SHOPIFY_LOCAL_ADMIN_ORIGIN: "https://shopify.attacker.example" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("SHOPIFY_LOCAL_ADMIN_ORIGIN must be a loopback origin");
  });
});

describe("boot-time key for tokens at rest", () => {
  it("stops in production without SESSION_TOKEN_KEY, or with one that is not 32 bytes of base64, without echoing it", () => {
    const app = { SHOPIFY_API_KEY: TEST_APP.apiKey, SHOPIFY_API_SECRET: TEST_APP.apiSecret, SHOPIFY_APP_URL: TEST_APP.appUrl };
    const missing = boot(app);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("SESSION_TOKEN_KEY is required when NODE_ENV is production");
    const short = boot({ ...app, SESSION_TOKEN_KEY: "c2hvcnQta2V5" });
    expect(short.status).not.toBe(0);
    expect(short.stderr).toContain("SESSION_TOKEN_KEY must be 32 random bytes in base64");
    expect(short.stderr).not.toContain("c2hvcnQta2V5");
  });
});
