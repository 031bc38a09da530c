/**
 * The storefront offers payload (ADR 019's data contract): which suggestions are published, with which variant, source,
 * reason (English and Vietnamese), rank and slot; what is left out; the metafields and their fixed serialisation.
 */
import { describe, expect, it } from "vitest";
import {
  buildProductOffers,
  defaultVariant,
  groupDigits,
  productMetafields,
  widgetSettingsMetafield,
  type CatalogProduct,
  type OffersInput,
} from "../../../../app/insights/offers/payload";
import type { Recommendation } from "../../../../app/insights/recommend";
import type { ProductUpgrades, UpgradeCandidate } from "../../../../app/insights/upgrades";
import { metafieldDigest } from "../../../../app/shopify/publish/digest";

function product(id: string, over: Partial<CatalogProduct> = {}): CatalogProduct {
  return {
    id,
    title: `Product ${id}`,
    status: "ACTIVE",
    deleted: false,
    giftCard: false,
    variants: [{ id: `${id}01`, price: 100_000, currency: "VND", availableForSale: true }],
    ...over,
  };
}

const coPurchase = (productId: string, count: number): Recommendation => ({
  productId,
  source: "co-purchase",
  explanation: "english only",
  score: 0.5,
  evidence: { anchor: "1", count, lift: 3, confidence: 0.5, qValue: 0.01 },
});

function candidate(productId: string, over: Partial<UpgradeCandidate> = {}): UpgradeCandidate {
  return {
    productId,
    title: `Product ${productId}`,
    price: 200_000,
    priceRatio: 1.6,
    sameType: true,
    sharedCollections: [],
    sameLine: true,
    similarity: 0.8,
    path: null,
    score: 0.08,
    explanation: "english only",
    ...over,
  };
}

function input(over: Partial<OffersInput> & { catalog?: CatalogProduct[] } = {}): OffersInput {
  const catalog = over.catalog ?? ["1", "2", "3", "4"].map((id) => product(id));
  return {
    recommendations: over.recommendations ?? {},
    upgrades: over.upgrades ?? [],
    products: new Map(catalog.map((p) => [p.id, p])),
    version: over.version ?? 3,
  };
}

describe("storefront offers payload", () => {
  it("publishes each suggestion with its default variant, source, reasons in both languages, rank and slot", () => {
    const recommendations: Record<string, Recommendation[]> = {
      "1": [
        coPurchase("2", 1412),
        { productId: "3", source: "complementary-type", explanation: "", score: 0.3, evidence: { fromType: "Laptop", toType: "Mouse", orders: 40 } },
        { productId: "4", source: "bestseller", explanation: "", score: 90, evidence: { orders: 1234 } },
      ],
    };
    const [offers, ...rest] = buildProductOffers(input({ recommendations }));
    expect(rest).toEqual([]);
    expect(offers).toEqual({
      owner: "gid://shopify/Product/1",
      fbt: ["gid://shopify/Product/2", "gid://shopify/Product/3", "gid://shopify/Product/4"],
      upgrade: null,
      offers: {
        v: 1,
        version: 3,
        fbt: [
          {
            product: "gid://shopify/Product/2",
            variant: "gid://shopify/ProductVariant/201",
            source: "bought-together",
            reason: { en: "Bought together in 1,412 orders", vi: "Thường được mua cùng trong 1.412 đơn hàng" },
            rank: "engine",
            slot: 1,
          },
          {
            product: "gid://shopify/Product/3",
            variant: "gid://shopify/ProductVariant/301",
            source: "complementary-type",
            reason: { en: "Shoppers who buy laptops often add mice", vi: "Khách mua laptop thường mua thêm mouse" },
            rank: "engine",
            slot: 2,
          },
          {
            product: "gid://shopify/Product/4",
            variant: "gid://shopify/ProductVariant/401",
            source: "bestseller",
            reason: { en: "A bestseller, in 1,234 orders", vi: "Sản phẩm bán chạy, có trong 1.234 đơn hàng" },
            rank: "engine",
            slot: 3,
          },
        ],
        upgrade: null,
        bundle: null,
      },
    });
  });

  it("picks the first available variant priced above 0", () => {
    const p = product("9", {
      variants: [
        { id: "91", price: 500, currency: "VND", availableForSale: false },
        { id: "92", price: 0, currency: "VND", availableForSale: true },
        { id: "93", price: 700, currency: "VND", availableForSale: true },
        { id: "94", price: 600, currency: "VND", availableForSale: true },
      ],
    });
    expect(defaultVariant(p)?.id).toBe("93");
    expect(defaultVariant(product("8", { variants: [{ id: "81", price: 0, currency: "VND", availableForSale: true }] }))).toBeNull();
  });

  it("leaves out gift cards, zero prices, sold-out, non-ACTIVE and deleted products, unknown products and the anchor itself; slots close up", () => {
    const catalog = [
      product("1"),
      product("2", { giftCard: true }),
      product("3", { variants: [{ id: "301", price: 0, currency: "VND", availableForSale: true }] }),
      product("4", { status: "DRAFT" }),
      product("5", { status: "ARCHIVED" }),
      product("6", { deleted: true }),
      product("7", { variants: [{ id: "701", price: 100, currency: "VND", availableForSale: false }] }),
      product("8"),
    ];
    const recommendations = { "1": ["1", "2", "3", "4", "5", "6", "7", "99", "8"].map((id, i) => coPurchase(id, 10 + i)) };
    const [offers] = buildProductOffers(input({ catalog, recommendations }));
    expect(offers!.fbt).toEqual(["gid://shopify/Product/8"]);
    expect(offers!.offers.fbt.map((f) => [f.product, f.slot])).toEqual([["gid://shopify/Product/8", 1]]);
  });

  it("publishes nothing for an anchor that is not ACTIVE or is deleted, or has nothing offerable left", () => {
    const catalog = [product("1", { status: "DRAFT" }), product("2", { deleted: true }), product("3"), product("4", { giftCard: true }), product("5")];
    const recommendations = { "1": [coPurchase("5", 9)], "2": [coPurchase("5", 9)], "3": [coPurchase("4", 9)], "5": [coPurchase("3", 9)] };
    expect(buildProductOffers(input({ catalog, recommendations })).map((o) => o.owner)).toEqual(["gid://shopify/Product/5"]);
  });

  it("takes the best offerable upgrade, with its source, reason and price difference in minor units", () => {
    const catalog = [
      product("1", { title: "VietBook 14", variants: [{ id: "101", price: 25_000_000, currency: "VND", availableForSale: true }] }),
      product("2", { status: "ARCHIVED" }),
      product("3", { variants: [{ id: "301", price: 32_500_000, currency: "VND", availableForSale: true }] }),
    ];
    const path = { count: 12, buyers: 120, observedBuyers: 100, upgraded: 12, share: 0.12, censored: false, medianDays: 160.4 };
    const upgrades: ProductUpgrades[] = [{ productId: "1", title: "VietBook 14", price: 25_000_000, upgrades: [candidate("2"), candidate("3", { path })] }];
    const [offers] = buildProductOffers(input({ catalog, upgrades }));
    expect(offers).toMatchObject({ owner: "gid://shopify/Product/1", fbt: [], upgrade: "gid://shopify/Product/3" });
    expect(offers!.offers.upgrade).toEqual({
      product: "gid://shopify/Product/3",
      variant: "gid://shopify/ProductVariant/301",
      source: "upgrade-path",
      reason: {
        en: "12% of VietBook 14 buyers came back for this one, a median 160 days later",
        vi: "12% khách đã mua VietBook 14 quay lại mua sản phẩm này, trung vị 160 ngày sau",
      },
      priceDifference: 7_500_000,
    });
  });

  it("says a similar-title upgrade is a step up, and has no price difference across currencies", () => {
    const catalog = [product("1", { title: "Tai nghe X" }), product("2", { variants: [{ id: "201", price: 300, currency: "USD", availableForSale: true }] })];
    const upgrades: ProductUpgrades[] = [{ productId: "1", title: "Tai nghe X", price: 100_000, upgrades: [candidate("2", { priceRatio: 2.25 })] }];
    const [offers] = buildProductOffers(input({ catalog, upgrades }));
    expect(offers!.offers.upgrade).toMatchObject({
      source: "similar-title",
      reason: { en: "A step up from the Tai nghe X: same line, 2.3× the price", vi: "Bản nâng cấp của Tai nghe X: cùng dòng sản phẩm, giá gấp 2,3 lần" },
      priceDifference: null,
    });
  });

  it("writes offers always, fbt and upgrade only when they reference something, with a stable serialisation", () => {
    const catalog = [product("1"), product("2"), product("3")];
    const upgrades: ProductUpgrades[] = [{ productId: "2", title: "", price: 1, upgrades: [candidate("3")] }];
    const built = buildProductOffers(input({ catalog, recommendations: { "1": [coPurchase("2", 7)] }, upgrades }));
    const metafields = built.flatMap(productMetafields);
    expect(metafields.map((m) => [m.ownerId, m.key, m.type])).toEqual([
      ["gid://shopify/Product/1", "fbt", "list.product_reference"],
      ["gid://shopify/Product/1", "offers", "json"],
      ["gid://shopify/Product/2", "upgrade", "product_reference"],
      ["gid://shopify/Product/2", "offers", "json"],
    ]);
    expect(metafields[0]!.value).toBe('["gid://shopify/Product/2"]');
    expect(metafields[2]!.value).toBe("gid://shopify/Product/3");
    expect(JSON.parse(metafields[1]!.value)).toEqual(built[0]!.offers);
    expect(metafields[1]!.value.startsWith('{"v":1,"version":3,"fbt":[{"product":')).toBe(true);
    // The same input twice gives byte-identical values, hence identical digests; a changed count changes the value.
    const again = buildProductOffers(input({ catalog, recommendations: { "1": [coPurchase("2", 7)] }, upgrades })).flatMap(productMetafields);
    expect(again.map((m) => metafieldDigest(m.type, m.value))).toEqual(metafields.map((m) => metafieldDigest(m.type, m.value)));
    const changed = buildProductOffers(input({ catalog, recommendations: { "1": [coPurchase("2", 8)] }, upgrades })).flatMap(productMetafields);
    expect(changed.map((m) => m.value === metafields.find((x) => x.ownerId === m.ownerId && x.key === m.key)?.value)).toEqual([true, false, true, true]);
  });

  it("writes the shop's widget settings in the contract's shape", () => {
    const m = widgetSettingsMetafield("gid://shopify/Shop/7", { version: 2, holdoutShare: 0.1, salt: "abc", widgets: { fbt: true, upgrade: false, cart: true } });
    expect(m).toMatchObject({ ownerId: "gid://shopify/Shop/7", key: "widget_settings", type: "json" });
    expect(JSON.parse(m.value)).toEqual({ v: 1, version: 2, holdoutShare: 0.1, salt: "abc", widgets: { fbt: true, upgrade: false, cart: true }, proxyPath: "/apps/insight-loop" });
  });

  it("groups digits the English and the Vietnamese way", () => {
    expect([groupDigits(0, ","), groupDigits(999, ","), groupDigits(1000, ","), groupDigits(1234567, ".")]).toEqual(["0", "999", "1,000", "1.234.567"]);
  });

  it("digests type and value together", () => {
    // sha256 of the bytes "json\n{}" (computed independently, with sha256sum).
    expect(metafieldDigest("json", "{}")).toBe("9cdddd37e21250a04bdad94e1ff2e1e22149e6720181989b685effdbeb4bffd8");
    expect(metafieldDigest("json", "{}")).toMatch(/^[0-9a-f]{64}$/);
    expect(metafieldDigest("json", "1")).not.toBe(metafieldDigest("number_integer", "1"));
  });

  it("lets the bandit re-order only the admitted suggestions, with the arm that placed each slot", () => {
    const catalog = [product("1"), product("2"), product("3"), product("4", { status: "DRAFT" }), product("5")];
    const recommendations = { "1": [coPurchase("2", 30), coPurchase("3", 20), coPurchase("4", 10)] };
    const seen: { anchor: string; admitted: string[] }[] = [];
    const [offers] = buildProductOffers({
      ...input({ catalog, recommendations }),
      reorder: (anchor, admitted) => {
        seen.push({ anchor, admitted: admitted.map((a) => a.productId) });
        // Puts a draft and a product the engine never admitted first: neither may be published.
        return { order: ["4", "5", "3", "2"], rank: ["bandit", "bandit", "bandit", "explore"] };
      },
    });
    expect(seen).toEqual([{ anchor: "1", admitted: ["2", "3"] }]);
    expect(offers!.fbt).toEqual(["gid://shopify/Product/3", "gid://shopify/Product/2"]);
    expect(offers!.offers.fbt.map((f) => [f.product, f.rank, f.slot])).toEqual([
      ["gid://shopify/Product/3", "bandit", 1],
      ["gid://shopify/Product/2", "explore", 2],
    ]);
  });
});
