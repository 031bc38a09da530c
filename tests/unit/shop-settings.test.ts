import { describe, expect, it } from "vitest";
import { defaultStorefrontSalt, parseShopSettings, ShopSettingsError } from "../../app/models/shop-settings";

describe("shop settings", () => {
  it("fills defaults for an empty or missing settings object", () => {
    const expected = {
      uiLocale: "en",
      exclusions: { productIds: [], tags: [], collectionIds: [], vendors: [] },
      recencyHalfLifeDays: null,
      defaultMarginPercent: null,
      storefront: { holdoutShare: 0.1, salt: defaultStorefrontSalt("a.myshopify.com"), widgets: { fbt: true, upgrade: true, cart: true }, version: 1 },
    };
    expect(parseShopSettings("a.myshopify.com", {})).toEqual(expected);
    expect(parseShopSettings("a.myshopify.com", null)).toEqual(expected);
  });

  it("keeps valid values and drops unknown keys", () => {
    const s = parseShopSettings("a.myshopify.com", {
      uiLocale: "vi",
      exclusions: { tags: ["gift"] },
      recencyHalfLifeDays: 90,
      legacy: true,
    });
    expect(s.uiLocale).toBe("vi");
    expect(s.exclusions.tags).toEqual(["gift"]);
    expect(s.recencyHalfLifeDays).toBe(90);
    expect(s).not.toHaveProperty("legacy");
  });

  it("rejects bad values with the shop and the field path", () => {
    expect(() => parseShopSettings("a.myshopify.com", { recencyHalfLifeDays: -3 })).toThrow(ShopSettingsError);
    expect(() => parseShopSettings("a.myshopify.com", { exclusions: { tags: [""] } })).toThrow(
      /a\.myshopify\.com: exclusions\.tags\.0/,
    );
  });

  it("loads settings stored before the storefront widgets existed, and fills a partial storefront object", () => {
    const old = parseShopSettings("a.myshopify.com", { uiLocale: "vi", recencyHalfLifeDays: 30 });
    expect(old.storefront).toEqual({ holdoutShare: 0.1, salt: defaultStorefrontSalt("a.myshopify.com"), widgets: { fbt: true, upgrade: true, cart: true }, version: 1 });
    const partial = parseShopSettings("a.myshopify.com", { storefront: { holdoutShare: 0.25, widgets: { cart: false }, version: 4, salt: "s1" } });
    expect(partial.storefront).toEqual({ holdoutShare: 0.25, salt: "s1", widgets: { fbt: true, upgrade: true, cart: false }, version: 4 });
  });

  it("derives a stable salt per shop, different between shops", () => {
    expect(defaultStorefrontSalt("a.myshopify.com")).toMatch(/^[0-9a-f]{16}$/);
    expect(defaultStorefrontSalt("a.myshopify.com")).toBe(defaultStorefrontSalt("a.myshopify.com"));
    expect(defaultStorefrontSalt("a.myshopify.com")).not.toBe(defaultStorefrontSalt("b.myshopify.com"));
  });

  it("rejects a holdout share outside 0..0.5, a non-integer version and an empty salt", () => {
    expect(() => parseShopSettings("a.myshopify.com", { storefront: { holdoutShare: 0.6 } })).toThrow(/storefront\.holdoutShare/);
    expect(() => parseShopSettings("a.myshopify.com", { storefront: { holdoutShare: -0.1 } })).toThrow(/storefront\.holdoutShare/);
    expect(() => parseShopSettings("a.myshopify.com", { storefront: { version: 1.5 } })).toThrow(/storefront\.version/);
    expect(() => parseShopSettings("a.myshopify.com", { storefront: { salt: "" } })).toThrow(/storefront\.salt/);
    expect(() => parseShopSettings("a.myshopify.com", { storefront: { widgets: { fbt: "yes" } } })).toThrow(/storefront\.widgets\.fbt/);
  });

  it("keeps a default margin between 0 and 100 %, refuses others with the field", () => {
    expect(parseShopSettings("a.myshopify.com", { defaultMarginPercent: 42.5 }).defaultMarginPercent).toBe(42.5);
    expect(parseShopSettings("a.myshopify.com", { defaultMarginPercent: 100 }).defaultMarginPercent).toBe(100);
    expect(() => parseShopSettings("a.myshopify.com", { defaultMarginPercent: 0 })).toThrow(/defaultMarginPercent: must be more than 0 %/);
    expect(() => parseShopSettings("a.myshopify.com", { defaultMarginPercent: 120 })).toThrow(/defaultMarginPercent: must be at most 100 %/);
    expect(() => parseShopSettings("a.myshopify.com", { defaultMarginPercent: "40" })).toThrow(/defaultMarginPercent/);
  });
});
