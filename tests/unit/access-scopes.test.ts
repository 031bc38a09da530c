/** Which features lack which access scopes: write implies read (as Shopify's library compares), and the message says how to grant. */
import { describe, expect, it } from "vitest";
import { FEATURES, missingAccess, missingScopes } from "../../app/lib/access-scopes";
import { parse as parseToml } from "smol-toml";
import { readFileSync } from "node:fs";

describe("access scopes", () => {
  it("a granted write scope covers its read scope; a read scope does not cover the write", () => {
    expect(missingScopes("write_customers", ["read_customers"])).toEqual([]);
    expect(missingScopes("read_customers", ["write_customers"])).toEqual(["write_customers"]);
    expect(missingScopes("read_orders, write_discounts", ["write_discounts", "write_customers"])).toEqual(["write_customers"]);
    expect(missingScopes(undefined, ["write_discounts"])).toEqual(["write_discounts"]);
  });

  it("names the feature, the missing scope and how to grant it; nothing when granted", () => {
    const lack = missingAccess("segments", "read_orders,read_customers");
    expect(lack).toMatchObject({ feature: "segments", missing: ["write_customers"] });
    expect(lack?.howToGrant).toMatch(/Apps → Insight Loop/);
    expect(missingAccess("bundle-discounts", "write_discounts,read_orders")).toBeNull();
  });

  it("every scope a feature needs is declared in shopify.app.toml, so Shopify can ask the merchant for it", () => {
    const toml = parseToml(readFileSync("shopify.app.toml", "utf8")) as { access_scopes: { scopes: string } };
    const declared = toml.access_scopes.scopes.split(",").map((s) => s.trim());
    for (const feature of Object.values(FEATURES)) for (const scope of feature.scopes) expect(declared).toContain(scope);
  });
});
