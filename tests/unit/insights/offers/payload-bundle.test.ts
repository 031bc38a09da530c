/**
 * A live bundle discount in the storefront offers (issue 12): the anchor's `offers.bundle` carries the discount, its
 * percentage, the add-ons' GIDs, its kind and (code discounts only) the code; other anchors, unofferable add-ons and
 * nonsense percentages publish no bundle; the serialisation is stable, so only a bundle change changes the digest.
 */
import { describe, expect, it } from "vitest";
import { buildProductOffers, productMetafields, type BundleOfferInput, type CatalogProduct, type OffersInput } from "../../../../app/insights/offers/payload";
import type { Recommendation } from "../../../../app/insights/recommend";
import { metafieldDigest } from "../../../../app/shopify/publish/digest";

const product = (id: string, over: Partial<CatalogProduct> = {}): CatalogProduct => ({
  id,
  title: `Product ${id}`,
  status: "ACTIVE",
  deleted: false,
  giftCard: false,
  variants: [{ id: `${id}01`, price: 100_000, currency: "VND", availableForSale: true }],
  ...over,
});

const rec = (productId: string): Recommendation => ({ productId, source: "co-purchase", explanation: "", score: 0.5, evidence: { anchor: "1", count: 40, lift: 3, confidence: 0.5, qValue: 0.01 } });

function input(bundles: Map<string, BundleOfferInput> | undefined, catalog = ["1", "2", "3", "4", "5"].map((id) => product(id))): OffersInput {
  return {
    recommendations: { "1": [rec("2"), rec("3")], "4": [rec("2")] },
    upgrades: [],
    products: new Map(catalog.map((p) => [p.id, p])),
    version: 2,
    ...(bundles ? { bundles } : {}),
  };
}

const code: BundleOfferInput = { discountId: "gid://shopify/DiscountCodeNode/7", title: "Laptop + mouse", percentOff: 15, addOns: ["3", "2"], kind: "code", code: "LAPTOP15-AB12" };

describe("bundle in the storefront offers", () => {
  it("the anchor with a live bundle carries it; other anchors carry null", () => {
    const offers = buildProductOffers(input(new Map([["1", code]])));
    const one = offers.find((o) => o.owner === "gid://shopify/Product/1")!;
    const four = offers.find((o) => o.owner === "gid://shopify/Product/4")!;
    expect(one.offers.bundle).toEqual({
      discountId: "gid://shopify/DiscountCodeNode/7",
      title: "Laptop + mouse",
      percentOff: 15,
      products: ["gid://shopify/Product/2", "gid://shopify/Product/3"],
      kind: "code",
      code: "LAPTOP15-AB12",
    });
    expect(four.offers.bundle).toBeNull();
  });

  it("an automatic bundle has no code, whatever is stored", () => {
    const [one] = buildProductOffers(input(new Map([["1", { ...code, kind: "automatic", code: "STRAY" }]])));
    expect(one!.offers.bundle).toMatchObject({ kind: "automatic", code: null });
  });

  it("add-ons that cannot be offered are left out; a bundle with none left, or a nonsense percentage, is not published", () => {
    const catalog = ["1", "2", "4"].map((id) => product(id)).concat(product("3", { status: "DRAFT" }));
    const [partial] = buildProductOffers(input(new Map([["1", code]]), catalog));
    expect(partial!.offers.bundle?.products).toEqual(["gid://shopify/Product/2"]);
    const [none] = buildProductOffers(input(new Map([["1", { ...code, addOns: ["3"] }]]), catalog));
    expect(none!.offers.bundle).toBeNull();
    const [zero] = buildProductOffers(input(new Map([["1", { ...code, percentOff: 0 }]])));
    expect(zero!.offers.bundle).toBeNull();
    const [self] = buildProductOffers(input(new Map([["1", { ...code, addOns: ["1"] }]])));
    expect(self!.offers.bundle).toBeNull();
  });

  it("the offers metafield's digest changes with the bundle and only with it", () => {
    const digest = (bundles?: Map<string, BundleOfferInput>) => {
      const one = buildProductOffers(input(bundles)).find((o) => o.owner === "gid://shopify/Product/1")!;
      const m = productMetafields(one).find((x) => x.key === "offers")!;
      return metafieldDigest(m.type, m.value);
    };
    expect(digest(new Map([["1", code]]))).toBe(digest(new Map([["1", { ...code, addOns: ["2", "3"] }]])));
    expect(digest(new Map([["1", code]]))).not.toBe(digest());
    expect(digest(new Map([["1", code]]))).not.toBe(digest(new Map([["1", { ...code, percentOff: 20 }]])));
    expect(digest()).toBe(digest(new Map()));
  });
});
