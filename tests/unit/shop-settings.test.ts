import { describe, expect, it } from "vitest";
import { parseShopSettings, ShopSettingsError } from "../../app/models/shop-settings";

describe("shop settings", () => {
  it("fills defaults for an empty or missing settings object", () => {
    const expected = {
      uiLocale: "en",
      exclusions: { productIds: [], tags: [], collectionIds: [], vendors: [] },
      recencyHalfLifeDays: null,
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
});
