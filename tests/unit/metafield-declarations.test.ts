/**
 * The app-owned metafields the storefront blocks read are declared in shopify.app.toml with the same types the
 * publication writes (app/insights/offers/payload.ts): a mismatch would make Shopify refuse every metafieldsSet.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { METAFIELD_TYPES, PRODUCT_KEYS } from "../../app/insights/offers/payload";

const root = path.resolve(import.meta.dirname, "../..");
type Declared = Record<string, { metafields?: { app?: Record<string, { type?: string; name?: string; access?: { admin?: string } }> } }>;
const toml = parse(readFileSync(path.join(root, "shopify.app.toml"), "utf8")) as unknown as Declared;

describe("declared app-owned metafields", () => {
  it("every product key the publication writes is declared with its type", () => {
    const declared = toml.product?.metafields?.app ?? {};
    expect(Object.keys(declared).sort()).toEqual([...PRODUCT_KEYS].sort());
    for (const key of PRODUCT_KEYS) expect(declared[key]?.type).toBe(METAFIELD_TYPES[key]);
  });

  it("the shop's widget settings are declared with their type", () => {
    expect(toml.shop?.metafields?.app?.widget_settings?.type).toBe(METAFIELD_TYPES.widget_settings);
  });

  it("no declaration lets merchants edit what the storefront renders (admin access stays the default MERCHANT_READ)", () => {
    for (const owner of ["product", "shop"]) {
      for (const def of Object.values(toml[owner]?.metafields?.app ?? {})) expect(def.access?.admin).toBeUndefined();
    }
  });
});
