/**
 * The blocks' Liquid, rendered with liquidjs and a few Shopify-like filters, on hand-made product and cart objects:
 * what is shown, in which order, what is dropped at render time (ADR 019) and the prices the first render shows.
 */
import { describe, expect, it } from "vitest";
import { fbtEntry as entry, gid, product, renderBlock as render, type Product } from "./liquid-env";

const rowsOf = (html: string) => [...html.matchAll(/<li class="il-item" ([^>]*)>/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/(data-il-[\w-]+)(?:="([^"]*)")?/g)].map((a) => [a[1]!, a[2] ?? true])));

describe("blocks/fbt.liquid", () => {
  const inCart = product(5);
  const suggestions = {
    unavailable: product(2, { available: false }),
    giftCard: product(3, { giftCard: true }),
    free: product(4, { price: 0 }),
    inCart,
    f: product(6),
    g: product(7, { variants: [{ available: false, price: 1 }, { price: 7100 }, { price: 7200 }] }),
    h: product(8),
    i: product(9),
  };
  const anchor: Product = product(1, { variants: [{ price: 1000 }, { price: 1100, available: false }, { price: 1200 }] });
  const list = [null, suggestions.unavailable, suggestions.giftCard, suggestions.free, suggestions.inCart, anchor, suggestions.f, suggestions.f, suggestions.g, suggestions.h, suggestions.i];
  const offers = { v: 1, version: 2, fbt: [entry(suggestions.f, 1, "bandit"), entry(suggestions.g, 2), entry(suggestions.h, 3, "explore")], upgrade: null, bundle: null };
  anchor.metafields.$app.fbt!.value = list;
  anchor.metafields.$app.offers!.value = offers;
  const settings = { product: anchor, heading: "", items: 3, show_prices: true };

  it("shows the anchor and the first N suggestions that survive, with the published slot and rank", async () => {
    const html = await render("fbt", settings, { cartProducts: [inCart] });
    const rows = rowsOf(html);
    expect(rows.map((r) => r["data-il-product"])).toEqual(["1", "6", "7", "8"]);
    expect(rows[0]).toMatchObject({ "data-il-self": true });
    expect(rows.slice(1).map((r) => [r["data-il-slot"], r["data-il-rank"]])).toEqual([["1", "bandit"], ["2", "engine"], ["3", "explore"]]);
    // Everything checked by default; one labelled checkbox per row.
    expect(html.match(/<input type="checkbox" class="il-check" id="([^"]+)" checked/g)).toHaveLength(4);
    for (const id of [...html.matchAll(/class="il-check" id="([^"]+)"/g)].map((m) => m[1])) expect(html).toContain(`<label for="${id}">`);
    // Combined price of the first available variants: 1000 + 6000 + 7100 + 8000.
    expect(html).toContain('<strong data-il-total>$221.00</strong>');
    expect(html).toContain("Frequently bought together</legend>");
    expect(html).toContain('data-il-add="all">Add selected to cart</button>');
    expect(html).toMatch(/role="status" aria-live="polite"/);
  });

  it("offers only available variants in the variant choice, and none for a single-variant product", async () => {
    const html = await render("fbt", settings, { cartProducts: [inCart] });
    const selects = [...html.matchAll(/<select class="il-variant" id="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)];
    expect(selects.map((s) => s[1])).toEqual(["il-b1-1-v", "il-b1-7-v"]);
    expect([...selects[1]![2]!.matchAll(/data-il-price="(\d+)"/g)].map((m) => m[1])).toEqual(["7100", "7200"]);
    expect([...selects[0]![2]!.matchAll(/data-il-price="(\d+)"/g)].map((m) => m[1])).toEqual(["1000", "1200"]);
    expect(html).toContain('<label class="il-vh" for="il-b1-7-v">');
  });

  it("renders the assignment script and the CSS before the block's markup", async () => {
    const html = await render("fbt", settings);
    expect(html.indexOf("<script>")).toBeGreaterThan(-1);
    expect(html.indexOf("<script>")).toBeLessThan(html.indexOf('<div class="il-offer'));
    expect(html.indexOf("<style data-shopify>")).toBeLessThan(html.indexOf('<div class="il-offer'));
    expect(html).toContain('data-il-proxy="/apps/insight-loop"');
  });

  it("the number of items is the merchant's", async () => {
    expect(rowsOf(await render("fbt", { ...settings, items: 1 }, { cartProducts: [inCart] })).map((r) => r["data-il-product"])).toEqual(["1", "6"]);
    // Without the cart line, the product in the cart is a suggestion again.
    expect(rowsOf(await render("fbt", { ...settings, items: 4 })).map((r) => r["data-il-product"])).toEqual(["1", "5", "6", "7", "8"]);
  });

  it("renders nothing at all when no suggestion survives, the widget is off, or there is no product", async () => {
    const lonely = product(20, { fbt: [null, suggestions.unavailable, suggestions.giftCard, suggestions.free, inCart] });
    expect(await render("fbt", { ...settings, product: lonely }, { cartProducts: [inCart] })).toBe("");
    expect(await render("fbt", settings, { settings: { widgets: { fbt: false, upgrade: true, cart: true } } })).toBe("");
    expect(await render("fbt", { ...settings, product: null })).toBe("");
    expect(await render("fbt", { ...settings, product: product(21) })).toBe("");
  });

  it("shows the bundle price with percentOff on the add-ons in the bundle", async () => {
    const bundled = product(30, { price: 10000, fbt: [suggestions.f, suggestions.h] });
    bundled.metafields.$app.offers!.value = {
      ...offers,
      bundle: { discountId: "gid://shopify/DiscountAutomaticNode/1", title: "Set", percentOff: 15, products: [gid(bundled), gid(suggestions.f)] },
    };
    const html = await render("fbt", { ...settings, product: bundled });
    expect(rowsOf(html).map((r) => [r["data-il-product"], r["data-il-bundle"] ?? false])).toEqual([["30", false], ["6", true], ["8", false]]);
    // 10000 + 6000 + 8000 = 24000; saving 15 % of 6000 = 900.
    expect(html).toContain('data-il-pct="15"');
    expect(html).toContain("<strong data-il-total>$240.00</strong>");
    expect(html).toContain("<strong data-il-bundle-price>$231.00</strong>");
    expect(html).toContain("<span data-il-saving>$9.00</span>");
  });

  it("hides prices when the merchant turns them off, and speaks Vietnamese to a Vietnamese shopper", async () => {
    const html = await render("fbt", { ...settings, show_prices: false }, { locale: "vi" });
    expect(html).not.toContain("data-il-total");
    expect(html).not.toMatch(/\$\d/);
    expect(html).toContain("Thường được mua cùng</legend>");
  });
});

describe("blocks/upgrade.liquid", () => {
  const target = product(50, { price: 15000 });
  const offers = { v: 1, version: 1, fbt: [], upgrade: { product: gid(target), variant: "gid://shopify/ProductVariant/9", source: "upgrade-path", reason: { en: "Twice the storage", vi: "Gấp đôi bộ nhớ" }, priceDifference: 5000 }, bundle: null };
  const anchor = product(40, { price: 10000, upgrade: target, offers });
  const settings = { product: anchor, heading: "", show_prices: true };

  it("shows the higher tier, its price difference and the reason in the shopper's language", async () => {
    const en = await render("upgrade", settings);
    expect(rowsOf(en)).toEqual([expect.objectContaining({ "data-il-product": "50", "data-il-slot": "1", "data-il-rank": "engine" })]);
    expect(en).toContain("+$50.00");
    expect(en).toContain("Twice the storage");
    expect(en).toContain('href="/products/p50"');
    expect(en).toMatch(/<button type="button" class="il-btn" data-il-add>Add to cart/);
    const vi = await render("upgrade", settings, { locale: "vi" });
    expect(vi).toContain("Gấp đôi bộ nhớ");
    expect(vi).not.toContain("Twice the storage");
  });

  it("renders nothing for a target in the cart, unavailable, a gift card, priced 0, unpublished or the anchor itself", async () => {
    expect(await render("upgrade", settings, { cartProducts: [target] })).toBe("");
    for (const bad of [product(51, { available: false }), product(52, { giftCard: true }), product(53, { price: 0 }), null]) {
      expect(await render("upgrade", { ...settings, product: product(41, { upgrade: bad ?? undefined, offers }) })).toBe("");
    }
    const self = product(42, { offers });
    self.metafields.$app.upgrade!.value = self;
    expect(await render("upgrade", { ...settings, product: self })).toBe("");
    expect(await render("upgrade", settings, { settings: { widgets: { fbt: true, upgrade: false, cart: true } } })).toBe("");
  });
});

describe("blocks/cart-offers.liquid", () => {
  const y = product(61), w = product(62), v = product(63), z = product(64, { available: false });
  const x = product(60, { fbt: [y, null, z, w], offers: { v: 1, version: 1, fbt: [entry(y, 1, "bandit"), entry(w, 4)], upgrade: null, bundle: null } });
  const q = product(70, { fbt: [y, x, v] });
  const settings = { heading: "", items: 3, show_prices: true };

  it("suggests from what is in the cart, without repeats or cart items, each with its own add button", async () => {
    const html = await render("cart-offers", settings, { cartProducts: [x, q] });
    expect(rowsOf(html).map((r) => [r["data-il-product"], r["data-il-from"], r["data-il-slot"], r["data-il-rank"]])).toEqual([
      ["61", "60", "1", "bandit"],
      ["62", "60", "4", "engine"],
      ["63", "70", "3", "engine"],
    ]);
    expect(html.match(/data-il-add>/g)).toHaveLength(3);
    expect(html).not.toContain('type="checkbox"');
  });

  it("stops at N and renders nothing for an empty cart or when disabled", async () => {
    expect(rowsOf(await render("cart-offers", { ...settings, items: 1 }, { cartProducts: [x, q] }))).toHaveLength(1);
    expect(await render("cart-offers", settings, { cartProducts: [] })).toBe("");
    expect(await render("cart-offers", settings, { cartProducts: [x], settings: { widgets: { fbt: true, upgrade: true, cart: false } } })).toBe("");
    expect(await render("cart-offers", settings, { cartProducts: [y, w] })).toBe("");
  });
});
