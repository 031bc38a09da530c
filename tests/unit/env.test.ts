import { describe, expect, it } from "vitest";

// The module validates process.env at import, so unit tests give it a valid one first, then test parseEnv directly.
process.env.SHOPIFY_API_KEY ??= "key";
process.env.SHOPIFY_API_SECRET ??= "secret";
process.env.SHOPIFY_APP_URL ??= "https://app.example.com";
const { parseEnv, EnvError, jobWorkersOn } = await import("../../app/env.server");

const KEY = Buffer.alloc(32, 7).toString("base64");
const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://app.example.com",
};

describe("job workers in the web process", () => {
  it("run by default, not under tests, and JOB_WORKERS decides when set", () => {
    expect(jobWorkersOn(parseEnv(valid))).toBe(true);
    expect(jobWorkersOn(parseEnv({ ...valid, NODE_ENV: "production", SESSION_TOKEN_KEY: KEY }))).toBe(true);
    expect(jobWorkersOn(parseEnv({ ...valid, NODE_ENV: "test" }))).toBe(false);
    expect(jobWorkersOn(parseEnv({ ...valid, NODE_ENV: "test", JOB_WORKERS: "on" }))).toBe(true);
    expect(jobWorkersOn(parseEnv({ ...valid, NODE_ENV: "production", SESSION_TOKEN_KEY: KEY, JOB_WORKERS: "off" }))).toBe(false);
  });

  it("refuses another value, naming the variable", () => {
    expect(() => parseEnv({ ...valid, JOB_WORKERS: "yes" })).toThrow(/JOB_WORKERS must be on or off/);
  });
});

describe("environment validation", () => {
  it("accepts a minimal environment and fills defaults", () => {
    const env = parseEnv(valid);
    expect(env.SCOPES).toBe("read_orders,read_all_orders,read_products,write_products,write_discounts,read_customers,write_customers,write_app_proxy");
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.NODE_ENV).toBe("development");
    expect(env.STOREFRONT_EVENTS_RATE).toBe("20/60");
    expect(parseEnv({ ...valid, STOREFRONT_EVENTS_RATE: "0.5/10" }).STOREFRONT_EVENTS_RATE).toBe("0.5/10");
  });

  it("names every missing variable", () => {
    const error = (() => {
      try {
        parseEnv({ SHOPIFY_APP_URL: "https://app.example.com" });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EnvError);
    expect((error as InstanceType<typeof EnvError>).problems).toEqual([
      "SHOPIFY_API_KEY is required",
      "SHOPIFY_API_SECRET is required",
    ]);
  });

  it("treats empty strings as unset", () => {
    expect(() => parseEnv({ ...valid, SHOPIFY_API_SECRET: "  " })).toThrow(/SHOPIFY_API_SECRET is required/);
  });

  it("names malformed variables with the reason", () => {
    expect(() => parseEnv({ ...valid, SHOPIFY_APP_URL: "not a url" })).toThrow(/SHOPIFY_APP_URL must be the app's public/);
    expect(() => parseEnv({ ...valid, DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL must be a postgresql:\/\/ URL/);
    expect(() => parseEnv({ ...valid, SCOPES: "read orders" })).toThrow(/SCOPES must be a comma-separated list/);
    expect(() => parseEnv({ ...valid, NODE_ENV: "staging" })).toThrow(/NODE_ENV/);
    expect(() => parseEnv({ ...valid, STOREFRONT_EVENTS_RATE: "20" })).toThrow(/STOREFRONT_EVENTS_RATE must be <requests per second>\/<burst>/);
    expect(() => parseEnv({ ...valid, STOREFRONT_EVENTS_RATE: "0/60" })).toThrow(/STOREFRONT_EVENTS_RATE/);
  });

  it("never echoes the secret in its message", () => {
    try {
      parseEnv({ ...valid, SHOPIFY_APP_URL: "bad", SHOPIFY_API_SECRET: "s3cr3t-value" });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain("s3cr3t-value");
    }
  });
});
