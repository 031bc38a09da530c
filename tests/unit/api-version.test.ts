import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";

const root = path.resolve(import.meta.dirname, "../..");

describe("one pinned Admin API version", () => {
  it("is 2026-01", () => {
    expect(ADMIN_API_VERSION).toBe("2026-01");
  });

  it("is what shopify.app.toml subscribes webhooks with", () => {
    const toml = readFileSync(path.join(root, "shopify.app.toml"), "utf8");
    const versions = [...toml.matchAll(/^\s*api_version\s*=\s*"([^"]+)"/gm)].map((m) => m[1]);
    expect(versions).toEqual([ADMIN_API_VERSION]);
  });

  it("has its Admin schema in the shared datasets", () => {
    const schema = path.resolve(root, "../shared/datasets/shopify-admin-schema", `admin-${ADMIN_API_VERSION}.graphql`);
    expect(readFileSync(schema, "utf8")).toContain("type QueryRoot");
  });
});
