/**
 * The local storefront: product and cart pages render a theme app extension's Liquid from seeded products and the
 * metafields the app set through `metafieldsSet`; the Ajax cart answers Shopify's shapes; the app proxy forwards with a
 * signature the app can verify; checkout creates an order and delivers `orders/create` signed like Shopify.
 *
 * Most tests use a small fixture extension written here (so they test the renderer, not the real blocks' markup);
 * the last group renders the repository's real extension.
 */
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { orderFromWebhook } from "../../../app/shopify/mappers/webhooks";
import { adminBody } from "../../support/local-admin";
import { createLocalShopify, type LocalShopify } from "../../local-shopify";
import { gid } from "../../local-shopify/gid";
import { configureStorefront, readAppProxy, storefrontModule } from "../../local-shopify/modules/storefront";
import type { SeedProduct, SeedStore } from "../../local-shopify/seed";
import { emptySeed } from "../../local-shopify/store";
import { ThemeExtension } from "../../local-shopify/storefront/liquid";
import { Catalog, ProductDrop, ShopDrop, StrictObject } from "../../local-shopify/storefront/objects";

const SHOP = "storefront-test.myshopify.com";
const STORE = "storefront-test";
const TOKEN = "shpat_storefront";
const SECRET = "storefront-test-secret";

// ---------------------------------------------------------------------------------------------------------------------
// Fixture extension

const FIXTURE = mkdtempSync(path.join(tmpdir(), "il-storefront-"));
const EXT = path.join(FIXTURE, "fixture-widgets");
function write(file: string, text: string) {
  mkdirSync(path.dirname(path.join(EXT, file)), { recursive: true });
  writeFileSync(path.join(EXT, file), text);
}
write(
  "blocks/fbt.liquid",
  `{%- assign anchor = block.settings.product -%}
{%- capture in_cart -%},{% for i in cart.items %}{{ i.product_id }},{% endfor %}{%- endcapture -%}
{%- assign shown = 0 -%}
<ol class="fx-fbt">
{%- for p in anchor.metafields["$app"].fbt.value -%}
  {%- assign v = p.selected_or_first_available_variant -%}
  {%- assign key = ',' | append: p.id | append: ',' -%}
  {%- if p.available != true or p.gift_card? or v.price == 0 or in_cart contains key or shown >= block.settings.items -%}{%- continue -%}{%- endif -%}
  {%- assign shown = shown | plus: 1 -%}
  <li data-product="{{ p.id }}">{{ p.title | escape }} {{ v.price | money }}</li>
{%- endfor -%}
</ol>
{%- assign offers = anchor.metafields["$app"].offers.value -%}
<p class="fx-reason">{{ offers.fbt[0].reason[request.locale.iso_code] }}</p>
<p class="fx-heading">{{ 'fbt.heading' | t: count: shown }}</p>
{% render 'fx-note', note: 'from-snippet' %}
{% style %}.fx-fbt{color:{{ block.settings.color }}}{% endstyle %}
{% schema %}
{"name":"FBT","target":"section","javascript":"fx.js","settings":[
 {"type":"product","id":"product","autofill":true},
 {"type":"range","id":"items","default":3,"min":1,"max":4,"step":1},
 {"type":"color","id":"color","default":"#123456"}]}
{% endschema %}`,
);
write(
  "blocks/upgrade.liquid",
  `{%- assign up = block.settings.product.metafields["$app"].upgrade.value -%}
{%- if up -%}<p class="fx-up" data-product="{{ up.id }}">{{ up.title }}</p>{%- endif -%}
{% schema %}{"name":"Upgrade","target":"section","javascript":"fx.js","settings":[{"type":"product","id":"product","autofill":true}]}{% endschema %}`,
);
write(
  "blocks/cart-offers.liquid",
  `<div class="fx-embed" data-count="{{ cart.item_count }}" data-total="{{ cart.total_price }}">{{ 'cart.title' | t }} {{ shop.metafields["$app"].widget_settings.value.holdoutShare }}</div>
{% schema %}{"name":"Cart offers","target":"body","javascript":"fx.js","settings":[]}{% endschema %}`,
);
write("snippets/fx-note.liquid", `<span class="fx-note">{{ note }}{% if optional_param %}!{% endif %}</span>`);
write("assets/fx.js", "/* fixture */\n");
write("locales/en.default.json", JSON.stringify({ fbt: { heading: { one: "{{ count }} suggestion", other: "{{ count }} suggestions" } }, cart: { title: "You may also like" } }));
write("locales/vi.json", JSON.stringify({ fbt: { heading: { other: "{{ count }} gợi ý" } } }));

// ---------------------------------------------------------------------------------------------------------------------
// Seed

function product(id: number, title: string, price: number, extra: Partial<SeedProduct> = {}, variantExtra: { availableForSale?: boolean; inventoryQuantity?: number } = {}): SeedProduct {
  return {
    id,
    title,
    handle: title.toLowerCase().replace(/\s+/g, "-"),
    productType: "Accessory",
    vendor: "Local",
    tags: [],
    status: "ACTIVE",
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
    deletedAt: null,
    collectionIds: [],
    variants: [{ id: id * 10 + 1, title: "Default Title", sku: `SKU-${id}`, price, compareAtPrice: null, unitCost: null, inventoryQuantity: variantExtra.inventoryQuantity ?? 10, availableForSale: variantExtra.availableForSale ?? true }],
    ...extra,
  };
}

function seed(): SeedStore {
  const base = emptySeed({ domain: SHOP, id: 5, name: "Storefront Test", currencyCode: "VND", locales: ["en", "vi"] });
  const keyboard = product(17, "Keyboard", 1_000_000);
  keyboard.variants = [
    { id: 171, title: "Red", sku: "KB-R", price: 1_000_000, compareAtPrice: null, unitCost: null, inventoryQuantity: 3, availableForSale: true },
    { id: 172, title: "Blue", sku: "KB-B", price: 1_100_000, compareAtPrice: null, unitCost: null, inventoryQuantity: 0, availableForSale: false },
  ];
  return {
    ...base,
    products: [
      product(11, "Laptop", 20_000_000),
      product(12, "Mouse", 500_000),
      product(13, "Bag", 700_000, { status: "DRAFT" }),
      product(14, "Headset", 900_000, {}, { availableForSale: false, inventoryQuantity: 0 }),
      product(15, "Gift Card", 1_000_000, { productType: "Gift Card" }),
      product(16, "Sticker", 0),
      keyboard,
      product(18, "Monitor", 4_000_000),
      product(19, "Dock", 2_000_000),
      product(20, "Laptop Pro", 30_000_000),
      product(21, "Laptop Max", 40_000_000, { status: "ARCHIVED" }),
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The app: one HTTP receiver for proxy requests and webhooks

interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: string;
}
const received: Received[] = [];
let appAnswer: { status: number; type: string; body: string } = { status: 200, type: "application/json", body: '{"ok":true}' };
const app: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    received.push({ method: req.method ?? "", url: new URL(req.url ?? "/", "http://app"), headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(appAnswer.status, { "content-type": appAnswer.type });
    res.end(appAnswer.body);
  });
});

let local: LocalShopify;
let origin = "";
let gql: ReturnType<typeof adminBody>;
const NOW = Date.now();

beforeAll(async () => {
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  local = createLocalShopify({ now: () => NOW });
  local.use(storefrontModule({ apiSecret: SECRET, appUrl }, { extensionDir: EXT }));
  local.addShop(seed(), { maximumAvailable: 1_000_000, restoreRate: 1_000_000 });
  local.issueAccessToken(SHOP, TOKEN);
  origin = await local.listen();
  gql = adminBody(local, TOKEN);
  await setMetafields([
    { ownerId: gid("Product", 11), key: "fbt", type: "list.product_reference", value: JSON.stringify([18, 13, 14, 15, 16, 17, 12, 19].map((id) => gid("Product", id))) },
    {
      ownerId: gid("Product", 11),
      key: "offers",
      type: "json",
      value: JSON.stringify({ v: 1, version: 1, fbt: [{ product: gid("Product", 18), variant: gid("ProductVariant", 181), source: "bought-together", reason: { en: "Bought together", vi: "Thường mua cùng" }, rank: "engine", slot: 1 }], upgrade: null, bundle: null }),
    },
    { ownerId: gid("Product", 11), key: "upgrade", type: "product_reference", value: gid("Product", 20) },
    { ownerId: gid("Product", 12), key: "upgrade", type: "product_reference", value: gid("Product", 21) },
    { ownerId: gid("Shop", 5), key: "widget_settings", type: "json", value: JSON.stringify({ v: 1, version: 1, holdoutShare: 0.1, salt: "s", widgets: { fbt: true, upgrade: true, cart: true }, proxyPath: "/apps/insight-loop" }) },
  ]);
});

afterAll(async () => {
  await local.close();
  await new Promise<void>((resolve) => app.close(() => resolve()));
  rmSync(FIXTURE, { recursive: true, force: true });
});

beforeEach(() => {
  received.length = 0;
  appAnswer = { status: 200, type: "application/json", body: '{"ok":true}' };
  configureStorefront(local, SHOP, { productBlocks: ["fbt", "upgrade"], embeds: ["cart-offers"], settings: {} });
});

async function setMetafields(metafields: { ownerId: string; key: string; type: string; value: string }[]) {
  const answer = await gql(
    `mutation Set($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { metafields { id } userErrors { field message } } }`,
    { metafields: metafields.map((m) => ({ ...m, namespace: "$app" })) },
  );
  expect(answer.errors).toBeUndefined();
  expect(answer.data.metafieldsSet.userErrors).toEqual([]);
}

/** A browser-like visitor: keeps the cookies the storefront sets. */
function visitor() {
  const jar = new Map<string, string>();
  const request = async (pathname: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(`${origin}${pathname}`, { ...init, headers, redirect: "manual" });
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return response;
  };
  const json = async (pathname: string, body?: unknown) => {
    const response = await request(pathname, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  return { request, json, jar };
}

const suggested = (html: string) => [...html.matchAll(/<li data-product="(\d+)">/g)].map((m) => Number(m[1]));

// ---------------------------------------------------------------------------------------------------------------------

describe("product page", () => {
  it("renders the published suggestions in order, without unpublished, out-of-stock, gift-card or zero-price products", async () => {
    const page = await visitor().request(`/storefront/${STORE}/products/laptop`);
    expect(page.status).toBe(200);
    const html = await page.text();
    // Published: 18, 13 (draft), 14 (sold out), 15 (gift card), 16 (price 0), 17, 12, 19; three shown (items = 3).
    expect(suggested(html)).toEqual([18, 17, 12]);
    expect(html).toContain("Monitor 4.000.000₫"); // VND: cents in Liquid, no decimals, "." thousands
    expect(html).toContain('<p class="fx-heading">3 suggestions</p>');
    expect(html).toContain('<p class="fx-reason">Bought together</p>');
    expect(html).toContain('<span class="fx-note">from-snippet</span>');
    expect(html).toContain("<style data-shopify>.fx-fbt{color:#123456}</style>");
    expect(html).not.toContain("schema");
    expect(html).toMatch(/<div id="shopify-block-[\w-]+" class="shopify-block shopify-app-block"><ol class="fx-fbt">/);
  });

  it("drops a suggestion already in the cart, and one deleted after publication", async () => {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}`);
    expect((await shopper.json("/cart/add.js", { items: [{ id: 181, quantity: 1 }] })).status).toBe(200);
    const dock = local.shop(SHOP).seed.products.find((p) => p.id === 19)!;
    dock.deletedAt = "2026-01-01T00:00:00Z";
    try {
      configureStorefront(local, SHOP, { settings: { fbt: { items: 4 } } });
      const html = await (await shopper.request(`/storefront/${STORE}/products/laptop`)).text();
      expect(suggested(html)).toEqual([17, 12]);
    } finally {
      dock.deletedAt = null;
    }
  });

  it("resolves a product reference to nothing when the target is not published", async () => {
    const laptop = await (await visitor().request(`/storefront/${STORE}/products/laptop`)).text();
    expect(laptop).toContain('<p class="fx-up" data-product="20">Laptop Pro</p>');
    const mouse = await (await visitor().request(`/storefront/${STORE}/products/mouse`)).text();
    expect(mouse).not.toContain("fx-up"); // its upgrade, Laptop Max, is archived
  });

  it("names each block's JavaScript once, deferred, in the head; the embed renders before </body> on every page", async () => {
    const html = await (await visitor().request(`/storefront/${STORE}/products/laptop`)).text();
    const scripts = [...html.matchAll(/<script src="([^"]+)" defer="defer"><\/script>/g)].map((m) => m[1]);
    expect(scripts).toEqual(["/extensions/fixture-widgets/assets/fx.js"]);
    expect(html.indexOf("fx.js")).toBeLessThan(html.indexOf("</head>"));
    expect(html).toMatch(/<div class="fx-embed" data-count="0" data-total="0">You may also like 0.1<\/div>[\s\S]*<\/body>/);
    const asset = await fetch(`${origin}${scripts[0]}`);
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe("/* fixture */\n");
    const cart = await (await visitor().request(`/storefront/${STORE}/cart`)).text();
    expect(cart).toContain('class="fx-embed"');
    expect(cart).not.toContain("fx-fbt");
  });

  it("shows only the configured blocks, and switches language with ?locale=vi (falling back to the default locale file)", async () => {
    configureStorefront(local, SHOP, { productBlocks: ["upgrade"], embeds: [] });
    const shopper = visitor();
    const html = await (await shopper.request(`/storefront/${STORE}/products/laptop?locale=vi`)).text();
    expect(html).not.toContain("fx-fbt");
    expect(html).not.toContain("fx-embed");
    expect(html).toContain('"locale":"vi"');
    expect(html).toContain(`"shop":"${SHOP}"`);
    configureStorefront(local, SHOP, { productBlocks: ["fbt"], embeds: ["cart-offers"] });
    const vi = await (await shopper.request(`/storefront/${STORE}/products/laptop`)).text(); // the locale cookie stays
    expect(vi).toContain('<p class="fx-heading">3 gợi ý</p>');
    expect(vi).toContain('<p class="fx-reason">Thường mua cùng</p>');
    expect(vi).toContain("You may also like"); // missing in vi.json: en.default.json
  });

  it("answers 404 for an unpublished product's page", async () => {
    expect((await visitor().request(`/storefront/${STORE}/products/bag`)).status).toBe(404);
  });
});

describe("Liquid environment", () => {
  const extension = new ThemeExtension(EXT);
  const globalsFor = () => {
    const catalog = new Catalog(local.shop(SHOP));
    const request = new StrictObject("request", { locale: new StrictObject("request.locale", { iso_code: "en" }) });
    return { shop: new ShopDrop(catalog), product: new ProductDrop(catalog, catalog.product(17)!), request };
  };
  const render = (source: string, currency = "VND", locale = "en") => extension.renderString(source, { globals: globalsFor(), locale, currency });

  it("formats money like Shopify's default formats", async () => {
    expect(await render("{{ 123400000 | money }}|{{ 123400000 | money_with_currency }}|{{ 123400000 | money_without_currency }}")).toBe("1.234.000₫|1.234.000₫ VND|1.234.000");
    expect(await render("{{ 1200 | money }}|{{ 123456 | money_with_currency }}|{{ 1200 | money_without_trailing_zeros }}", "USD")).toBe("$12.00|$1,234.56 USD|$12");
    expect(await render("{{ product.price }} {{ product.variants.size }} {{ product.has_only_default_variant }}")).toBe("100000000 2 false");
  });

  it("fails loudly on what it does not implement", async () => {
    await expect(render("{{ product.compare_at_price_range }}")).rejects.toThrow(/product.compare_at_price_range is not implemented/);
    await expect(render("{{ 'x' | image_tag }}")).rejects.toThrow(/image_tag/);
    await expect(render("{% if customer %}x{% endif %}")).rejects.toThrow(/customer/);
    expect(await render("{{ request.locale.iso_code }}")).toBe("en");
    await expect(render("{{ request.locale.endonym_name }}")).rejects.toThrow(/request.locale.endonym_name is not implemented/);
    await expect(render("{{ 'nope.key' | t }}")).rejects.toThrow(/Translation missing: en.nope.key/);
    await expect(render("{{ product.featured_image | image_url: width: 10 }}")).rejects.toThrow(/image_url: no image/);
    await expect(render("{{ 'missing.js' | asset_url }}")).rejects.toThrow(/no asset missing.js/);
    await expect(render("{{ 1 | money }}", "XAF")).rejects.toThrow(/no money format for XAF/);
  });

  it("reads metafields as { value, type }, nil when absent; json escapes what could close a script", async () => {
    expect(await render(`{{ shop.metafields["$app"].widget_settings.type }} {{ shop.metafields["$app"].widget_settings.value.widgets.fbt }} [{{ shop.metafields["$app"].nothing }}]`)).toBe("json true []");
    expect(await render(`{{ "</script>" | json }}`)).toBe('"\\u003c/script\\u003e"');
  });
});

describe("Ajax cart", () => {
  it("adds items as separate lines per properties, merges equal ones, and answers Shopify's shapes in cents", async () => {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}`);
    const added = await shopper.json("/cart/add.js", {
      items: [
        { id: 121, quantity: 1, properties: { _il_widget: "fbt", _il_slot: "2", _il_rank: "engine" } },
        { id: 121, quantity: 2 },
      ],
    });
    expect(added.status).toBe(200);
    expect(added.body.items).toHaveLength(2);
    expect(added.body.items[0]).toMatchObject({ id: 121, variant_id: 121, product_id: 12, quantity: 1, price: 50_000_000, properties: { _il_widget: "fbt", _il_slot: "2", _il_rank: "engine" } });
    expect(added.body.items[1]).toMatchObject({ id: 121, quantity: 2, properties: null });
    await shopper.json("/cart/add.js", { items: [{ id: 121, quantity: 1, properties: { _il_widget: "fbt", _il_slot: "2", _il_rank: "engine" } }] });
    const cart = await shopper.json("/cart.js");
    expect(cart.body).toMatchObject({ item_count: 4, total_price: 200_000_000, currency: "VND" });
    expect(cart.body.items.map((i: { quantity: number }) => i.quantity)).toEqual([2, 2]);
  });

  it("refuses an unknown, unpublished or sold-out variant with 422 and adds nothing", async () => {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}`);
    for (const id of [999, 131, 141, 172]) {
      const answer = await shopper.json("/cart/add.js", { items: [{ id: 121, quantity: 1 }, { id, quantity: 1 }] });
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({ status: 422, message: "Cart Error" });
    }
    expect((await shopper.json("/cart.js")).body.item_count).toBe(0);
  });

  it("update.js sets attributes and quantities; change.js and clear.js change lines; a form add redirects to the cart", async () => {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}`);
    const form = await shopper.request("/cart/add", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "id=111&quantity=1&properties%5B_il_widget%5D=upgrade" });
    expect(form.status).toBe(303);
    expect(form.headers.get("location")).toBe(`/storefront/${STORE}/cart`);
    await shopper.json("/cart/add.js", { id: 181, quantity: 1 });
    let cart = (await shopper.json("/cart/update.js", { attributes: { _il_vid: "abc123", _il_arm: "treatment" }, updates: { "181": 3 } })).body;
    expect(cart.attributes).toEqual({ _il_vid: "abc123", _il_arm: "treatment" });
    expect(cart.items.map((i: { id: number; quantity: number; properties: unknown }) => [i.id, i.quantity, i.properties])).toEqual([[111, 1, { _il_widget: "upgrade" }], [181, 3, null]]);
    cart = (await shopper.json("/cart/change.js", { id: cart.items[0].key, quantity: 0 })).body;
    expect(cart.items.map((i: { id: number }) => i.id)).toEqual([181]);
    cart = (await shopper.json("/cart/change.js", { line: 1, quantity: 2 })).body;
    expect(cart.item_count).toBe(2);
    cart = (await shopper.json("/cart/update.js", { attributes: { _il_arm: "" } })).body;
    expect(cart.attributes).toEqual({ _il_vid: "abc123" });
    cart = (await shopper.json("/cart/clear.js", {})).body;
    expect(cart.item_count).toBe(0);
  });

  it("refuses what it does not implement (section rendering, selling plans) instead of ignoring it", async () => {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}`);
    const sections = await shopper.json("/cart/add.js", { items: [{ id: 121, quantity: 1 }], sections: "cart-drawer" });
    expect(sections.status).toBe(501);
    expect(sections.body.description).toMatch(/sections/);
    expect((await shopper.json("/cart/add.js", { items: [{ id: 121, quantity: 1, selling_plan: 5 }] })).status).toBe(501);
    expect((await shopper.json("/cart.js")).body.item_count).toBe(0);
  });

  it("says which store is missing instead of guessing", async () => {
    const answer = await visitor().json("/cart.js");
    expect(answer.status).toBe(400);
    expect(answer.body.description).toMatch(/No store selected/);
  });
});

describe("app proxy", () => {
  it("forwards method, path, query and body with Shopify's parameters and a signature the app can verify", async () => {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}`);
    appAnswer = { status: 202, type: "application/json", body: '{"accepted":2}' };
    const body = JSON.stringify({ events: [{ id: "e1", type: "impression" }] });
    const answer = await shopper.request("/apps/insight-loop/events?v=1&tag=a&tag=b", { method: "POST", headers: { "content-type": "application/json" }, body });
    expect(answer.status).toBe(202);
    expect(await answer.text()).toBe('{"accepted":2}');
    expect(received).toHaveLength(1);
    const forwarded = received[0]!;
    expect(forwarded.method).toBe("POST");
    expect(forwarded.url.pathname).toBe("/proxy/events");
    expect(forwarded.body).toBe(body);
    const q = forwarded.url.searchParams;
    expect(q.get("shop")).toBe(SHOP);
    expect(q.get("logged_in_customer_id")).toBe("");
    expect(q.get("path_prefix")).toBe("/apps/insight-loop");
    expect(Number(q.get("timestamp"))).toBe(Math.floor(NOW / 1000));
    expect(q.getAll("tag")).toEqual(["a", "b"]);
    // Independently: sorted key=value pairs (repeats joined by ","), concatenated, hex HMAC-SHA256 with the secret.
    const pairs = new Map<string, string[]>();
    for (const [k, v] of q) if (k !== "signature") pairs.set(k, [...(pairs.get(k) ?? []), v]);
    const message = [...pairs.keys()].sort().map((k) => `${k}=${pairs.get(k)!.join(",")}`).join("");
    expect(message).toBe(`logged_in_customer_id=path_prefix=/apps/insight-loopshop=${SHOP}tag=a,btimestamp=${Math.floor(NOW / 1000)}v=1`);
    expect(q.get("signature")).toBe(createHmac("sha256", SECRET).update(message).digest("hex"));
  });

  it("replaces a signature the browser sent and relays the app's refusal as is", async () => {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}`);
    appAnswer = { status: 401, type: "text/plain", body: "bad signature" };
    const answer = await shopper.request("/apps/insight-loop/events?signature=forged&shop=other.myshopify.com");
    expect(answer.status).toBe(401);
    expect(await answer.text()).toBe("bad signature");
    const q = received[0]!.url.searchParams;
    expect(q.getAll("signature")).toHaveLength(1);
    expect(q.get("signature")).not.toBe("forged");
    expect(q.getAll("shop")).toEqual([SHOP]);
  });
  it("answers 502 when the app cannot be reached", async () => {
    const offline = createLocalShopify({ now: () => NOW });
    offline.use(storefrontModule({ apiSecret: SECRET, appUrl: "http://127.0.0.1:1" }, { extensionDir: EXT }));
    offline.addShop(seed());
    const at = await offline.listen();
    try {
      const answer = await fetch(`${at}/apps/insight-loop/events`, { method: "POST", headers: { cookie: `store=${STORE}` }, body: "{}" });
      expect(answer.status).toBe(502);
      expect(((await answer.json()) as { errors: string }).errors).toMatch(/could not reach http:\/\/127.0.0.1:1\/proxy\/events/);
    } finally {
      await offline.close();
    }
  });
});

describe("app proxy configuration", () => {
  it("reads [app_proxy] from the app TOML, and falls back to /apps/insight-loop → <app>/proxy without it", () => {
    expect(readAppProxy()).toEqual({ prefix: "apps", subpath: "insight-loop", urlPath: "/proxy" });
    const custom = path.join(FIXTURE, "custom.toml");
    writeFileSync(custom, `client_id = "x"\n[app_proxy]\nurl = "https://example.test/storefront-api/"\nsubpath = "il"\nprefix = "a"\n`);
    expect(readAppProxy(custom)).toEqual({ prefix: "a", subpath: "il", urlPath: "/storefront-api" });
    const none = path.join(FIXTURE, "none.toml");
    writeFileSync(none, `client_id = "x"\n`);
    expect(readAppProxy(none)).toEqual({ prefix: "apps", subpath: "insight-loop", urlPath: "/proxy" });
    writeFileSync(none, `[app_proxy]\nurl = "https://example.test/p"\nsubpath = "admin path"\nprefix = "apps"\n`);
    expect(() => readAppProxy(none)).toThrow(/Invalid \[app_proxy\]/);
  });
});

describe("checkout", () => {
  it("creates an order with the cart's attributes and line properties, delivers orders/create signed, and decrements stock", async () => {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}/products/laptop`);
    await shopper.json("/cart/add.js", { items: [{ id: 111, quantity: 1 }, { id: 171, quantity: 2, properties: { _il_widget: "fbt", _il_slot: "1", _il_rank: "bandit" } }] });
    await shopper.json("/cart/update.js", { attributes: { _il_vid: "0123456789abcdef", _il_arm: "treatment" } });
    const before = local.shop(SHOP).seed.orders.length;

    const checkout = await shopper.request(`/storefront/${STORE}/checkout`, { method: "POST" });
    expect(checkout.status).toBe(303);
    const orders = local.shop(SHOP).seed.orders;
    expect(orders).toHaveLength(before + 1);
    const order = orders.at(-1)!;
    expect(checkout.headers.get("location")).toBe(`/storefront/${STORE}/orders/${order.id}`);
    expect(order).toMatchObject({ customerId: null, sourceName: "web", subtotal: 22_000_000, total: 22_000_000, processedAt: new Date(NOW).toISOString() });
    expect(order.customAttributes).toEqual([{ key: "_il_vid", value: "0123456789abcdef" }, { key: "_il_arm", value: "treatment" }]);
    expect(order.lineItems.map((l) => [l.variantId, l.quantity, l.customAttributes])).toEqual([
      [111, 1, undefined],
      [171, 2, [{ key: "_il_widget", value: "fbt" }, { key: "_il_slot", value: "1" }, { key: "_il_rank", value: "bandit" }]],
    ]);
    expect(local.shop(SHOP).seed.products.find((p) => p.id === 17)!.variants[0]!.inventoryQuantity).toBe(1);

    // The webhook, as the app receives it.
    const hooks = received.filter((r) => r.headers["x-shopify-topic"] === "orders/create");
    expect(hooks).toHaveLength(1);
    const hook = hooks[0]!;
    expect(hook.url.pathname).toBe("/webhooks/orders");
    expect(hook.headers["x-shopify-shop-domain"]).toBe(SHOP);
    expect(hook.headers["x-shopify-hmac-sha256"]).toBe(createHmac("sha256", SECRET).update(hook.body, "utf8").digest("base64"));
    const payload = JSON.parse(hook.body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(payload).toMatchObject({ id: order.id, name: order.name, currency: "VND", total_price: "22000000", customer: null, note_attributes: [{ name: "_il_vid", value: "0123456789abcdef" }, { name: "_il_arm", value: "treatment" }] });
    expect(payload.line_items[1]).toMatchObject({ variant_id: 171, quantity: 2, price: "1000000", properties: [{ name: "_il_widget", value: "fbt" }, { name: "_il_slot", value: "1" }, { name: "_il_rank", value: "bandit" }] });
    const mapped = orderFromWebhook(payload); // the app's own parser accepts it
    expect(mapped).toMatchObject({ id: String(order.id), total: 22_000_000n, currency: "VND" });

    // The thank-you page, an empty cart afterwards, and the order in the Admin API.
    const thanks = await (await shopper.request(checkout.headers.get("location")!)).text();
    expect(thanks).toContain(`<b class="order-name">${order.name}</b>`);
    expect((await shopper.json("/cart.js")).body.item_count).toBe(0);
    // What a later sync reads: the order, its attributes and its lines' attributes through the Admin API.
    const admin = await gql(`query Orders { orders(first: 1, reverse: true) { nodes { id name customAttributes { key value } lineItems(first: 5) { nodes { customAttributes { key value } } } } } }`);
    expect(admin.errors).toBeUndefined();
    expect(admin.data.orders.nodes).toEqual([
      {
        id: gid("Order", order.id),
        name: order.name,
        customAttributes: [{ key: "_il_vid", value: "0123456789abcdef" }, { key: "_il_arm", value: "treatment" }],
        lineItems: { nodes: [{ customAttributes: [] }, { customAttributes: [{ key: "_il_widget", value: "fbt" }, { key: "_il_slot", value: "1" }, { key: "_il_rank", value: "bandit" }] }] },
      },
    ]);
  });

  it("refuses an empty cart", async () => {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}`);
    const before = local.shop(SHOP).seed.orders.length;
    expect((await shopper.request(`/storefront/${STORE}/checkout`, { method: "POST" })).status).toBe(422);
    expect(local.shop(SHOP).seed.orders).toHaveLength(before);
    expect(received).toHaveLength(0);
  });
});

describe("the repository's extension (extensions/insight-widgets)", () => {
  let real: LocalShopify;
  let realOrigin = "";
  beforeAll(async () => {
    real = createLocalShopify({ now: () => NOW });
    real.use(storefrontModule({ apiSecret: SECRET, appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}` }));
    real.addShop(seed(), { maximumAvailable: 1_000_000, restoreRate: 1_000_000 });
    real.issueAccessToken(SHOP, TOKEN);
    realOrigin = await real.listen();
    const answer = await adminBody(real, TOKEN)(
      `mutation Set($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { userErrors { field message } } }`,
      {
        metafields: [
          { ownerId: gid("Product", 11), namespace: "$app", key: "fbt", type: "list.product_reference", value: JSON.stringify([18, 13, 14, 15, 16, 17, 12].map((id) => gid("Product", id))) },
          { ownerId: gid("Product", 11), namespace: "$app", key: "upgrade", type: "product_reference", value: gid("Product", 20) },
          { ownerId: gid("Product", 12), namespace: "$app", key: "fbt", type: "list.product_reference", value: JSON.stringify([gid("Product", 19)]) },
        ],
      },
    );
    expect(answer.data.metafieldsSet.userErrors).toEqual([]);
  });
  afterAll(() => real.close());

  const get = async (pathname: string, cookie = "") => {
    const response = await fetch(`${realOrigin}${pathname}`, { headers: cookie ? { cookie } : {} });
    return { status: response.status, text: await response.text(), cookies: response.headers.getSetCookie().map((c) => c.split(";")[0]!).join("; ") };
  };
  const order = (text: string, titles: string[]) => titles.map((t) => text.indexOf(`>${t}<`));

  it("renders the product page's blocks from the published metafields, in published order, once per script", async () => {
    for (const locale of ["en", "vi"]) {
      const page = await get(`/storefront/${STORE}/products/laptop?locale=${locale}`);
      expect(page.status, page.text.slice(0, 500)).toBe(200);
      const positions = order(page.text, ["Monitor", "Keyboard", "Mouse"]);
      expect(positions.every((p) => p > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      for (const hidden of ["Bag", "Headset", "Gift Card", "Sticker"]) expect(page.text).not.toContain(`>${hidden}<`);
      expect(page.text).toContain(">Laptop Pro<");
      expect(page.text.match(/<script src="\/extensions\/insight-widgets\/assets\/insight-widgets\.js" defer="defer">/g)).toHaveLength(1);
    }
  });

  it("renders the cart embed from what is in the cart", async () => {
    const first = await get(`/storefront/${STORE}`);
    const add = await fetch(`${realOrigin}/cart/add.js`, { method: "POST", headers: { cookie: first.cookies, "content-type": "application/json" }, body: JSON.stringify({ items: [{ id: 121, quantity: 1 }] }) });
    expect(add.status).toBe(200);
    const cookie = [first.cookies, ...add.headers.getSetCookie().map((c) => c.split(";")[0]!)].join("; ");
    const cart = await get(`/storefront/${STORE}/cart`, cookie);
    expect(cart.status, cart.text.slice(0, 500)).toBe(200);
    expect(cart.text).toContain(">Dock<");
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Live discounts: created through the Admin API (the discounts module), priced by the cart. Oracles from the seed's
// prices in dong (VND has no minor unit below the dong; the Ajax API and Liquid show cents: × 100).

describe("live discounts in the cart", () => {
  const ERRORS = "userErrors { field code message }";
  const AUTO_BXGY = `mutation C($input: DiscountAutomaticBxgyInput!) { discountAutomaticBxgyCreate(automaticBxgyDiscount: $input) { automaticDiscountNode { id } ${ERRORS} } }`;
  const CODE_BXGY = `mutation C($input: DiscountCodeBxgyInput!) { discountCodeBxgyCreate(bxgyCodeDiscount: $input) { codeDiscountNode { id } ${ERRORS} } }`;
  const created: { id: string; kind: "Automatic" | "Code" }[] = [];
  const PRICE = { laptop: 20_000_000, mouse: 500_000, monitor: 4_000_000, dock: 2_000_000 };

  /** Buy one `anchor`, get `quantity` of `addOn` at `percentage` off. */
  const bundle = (title: string, anchor: number, addOn: number, percentage: number, extra: Record<string, unknown> = {}) => ({
    title,
    customerBuys: { value: { quantity: "1" }, items: { products: { productsToAdd: [gid("Product", anchor)] } } },
    customerGets: { value: { discountOnQuantity: { quantity: "1", effect: { percentage } } }, items: { products: { productsToAdd: [gid("Product", addOn)] } } },
    ...extra,
  });
  async function automatic(input: Record<string, unknown>) {
    const body = await gql(AUTO_BXGY, { input });
    expect(body.errors).toBeUndefined();
    expect(body.data.discountAutomaticBxgyCreate.userErrors).toEqual([]);
    const id = body.data.discountAutomaticBxgyCreate.automaticDiscountNode.id as string;
    created.push({ id, kind: "Automatic" });
    return id;
  }
  async function withCode(input: Record<string, unknown>) {
    const body = await gql(CODE_BXGY, { input: { context: { all: "ALL" }, ...input } });
    expect(body.errors).toBeUndefined();
    expect(body.data.discountCodeBxgyCreate.userErrors).toEqual([]);
    const id = body.data.discountCodeBxgyCreate.codeDiscountNode.id as string;
    created.push({ id, kind: "Code" });
    return id;
  }
  const mutate = async (name: string, id: string) => {
    const body = await gql(`mutation M($id: ID!) { ${name}(id: $id) { ${ERRORS} } }`, { id });
    expect(body.errors).toBeUndefined();
    expect(body.data[name].userErrors).toEqual([]);
  };
  afterEach(async () => {
    for (const d of created.splice(0)) {
      await gql(`mutation D($id: ID!) { discount${d.kind}Delete(id: $id) { ${ERRORS} } }`, { id: d.id });
    }
  });
  async function shopperWith(items: { id: number; quantity: number }[]) {
    const shopper = visitor();
    await shopper.request(`/storefront/${STORE}`);
    expect((await shopper.json("/cart/add.js", { items })).status).toBe(200);
    return shopper;
  }
  const cartJs = async (shopper: ReturnType<typeof visitor>) => (await shopper.json("/cart.js")).body;
  const cartPage = async (shopper: ReturnType<typeof visitor>) => (await shopper.request(`/storefront/${STORE}/cart`)).text();
  const dataCents = (html: string, id: string) => Number(new RegExp(`id="${id}" data-cents="(\\d+)"`).exec(html)?.[1]);

  it("an automatic buy X get Y discount takes its effect off the total; deactivated it does not; reactivated it does again", async () => {
    const shopper = await shopperWith([{ id: 111, quantity: 1 }, { id: 121, quantity: 1 }]);
    const original = (PRICE.laptop + PRICE.mouse) * 100;
    expect((await cartJs(shopper)).total_price).toBe(original);

    const id = await automatic(bundle("Laptop + mouse: 20% off the mouse", 11, 12, 0.2));
    const off = PRICE.mouse * 0.2 * 100; // 10_000_000 cents
    let cart = await cartJs(shopper);
    expect(cart).toMatchObject({ original_total_price: original, total_discount: off, total_price: original - off, items_subtotal_price: original - off, cart_level_discount_applications: [], discount_codes: [] });
    const [laptop, mouse] = cart.items;
    expect(laptop).toMatchObject({ line_level_discount_allocations: [], line_level_total_discount: 0, final_line_price: PRICE.laptop * 100 });
    expect(mouse).toMatchObject({
      price: PRICE.mouse * 100,
      original_line_price: PRICE.mouse * 100,
      discounted_price: PRICE.mouse * 100 - off,
      final_price: PRICE.mouse * 100 - off,
      final_line_price: PRICE.mouse * 100 - off,
      line_price: PRICE.mouse * 100 - off,
      line_level_total_discount: off,
      discounts: [{ amount: off, title: "Laptop + mouse: 20% off the mouse" }],
    });
    expect(mouse.line_level_discount_allocations).toEqual([
      {
        amount: off,
        discount_application: expect.objectContaining({ type: "automatic", title: "Laptop + mouse: 20% off the mouse", value: "20.0", value_type: "percentage", target_selection: "entitled", target_type: "line_item", allocation_method: "each", total_allocated_amount: off }),
      },
    ]);
    // The cart page and the Liquid cart object say the same.
    let page = await cartPage(shopper);
    expect(dataCents(page, "cart-total")).toBe(original - off);
    expect(dataCents(page, "cart-total-discount")).toBe(off);
    expect(dataCents(page, "cart-original-total")).toBe(original);
    expect(page).toContain(`<li class="cart__discount" data-discount-title="Laptop + mouse: 20% off the mouse" data-discount-type="automatic" data-amount-cents="${off}">`);
    expect(page).toMatch(new RegExp(`data-variant-id="121">.*class="cart__line-discount" data-discount-title="Laptop \\+ mouse: 20% off the mouse" data-amount-cents="${off}"`));
    expect(page).toContain(`data-total="${original - off}"`); // the fixture embed renders {{ cart.total_price }}

    await mutate("discountAutomaticDeactivate", id);
    cart = await cartJs(shopper);
    expect(cart).toMatchObject({ total_price: original, total_discount: 0 });
    expect(cart.items[1].line_level_discount_allocations).toEqual([]);
    page = await cartPage(shopper);
    expect(dataCents(page, "cart-total")).toBe(original);

    await mutate("discountAutomaticActivate", id);
    expect((await cartJs(shopper)).total_price).toBe(original - off);
  });

  it("a scheduled discount, one limited to customer segments (the cart is a guest's) and one without its anchor in the cart do not apply", async () => {
    const segment = await gql(`mutation { segmentCreate(name: "Storefront VIPs", query: "customer_tags CONTAINS 'il-vip'") { segment { id } userErrors { message } } }`);
    const segmentId = segment.data.segmentCreate.segment.id;
    await automatic(bundle("Later", 11, 12, 0.5, { startsAt: new Date(NOW + 86_400_000).toISOString() }));
    await automatic(bundle("VIPs only", 11, 12, 0.5, { context: { customerSegments: { add: [segmentId] } } }));
    await automatic(bundle("Needs a monitor", 18, 12, 0.5));
    const shopper = await shopperWith([{ id: 111, quantity: 1 }, { id: 121, quantity: 1 }]);
    expect(await cartJs(shopper)).toMatchObject({ total_discount: 0, total_price: (PRICE.laptop + PRICE.mouse) * 100 });
    await gql(`mutation D($id: ID!) { segmentDelete(id: $id) { deletedSegmentId } }`, { id: segmentId });
  });

  it("a code discount applies only once its code is on the cart (/cart/update.js {discount}, or the /discount/<code> link)", async () => {
    await withCode(bundle("Monitor + dock", 18, 19, 0.5, { code: "MONDOCK" }));
    const shopper = await shopperWith([{ id: 181, quantity: 1 }, { id: 191, quantity: 1 }]);
    const original = (PRICE.monitor + PRICE.dock) * 100;
    const off = PRICE.dock * 0.5 * 100;
    expect(await cartJs(shopper)).toMatchObject({ total_price: original, discount_codes: [] });

    const updated = await shopper.json("/cart/update.js", { discount: "mondock, NOPE" });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ total_price: original - off, total_discount: off, discount_codes: [{ code: "mondock", applicable: true }, { code: "NOPE", applicable: false }] });
    expect(updated.body.items[1].line_level_discount_allocations[0]).toMatchObject({ amount: off, discount_application: { type: "discount_code", title: "mondock", value_type: "percentage", value: "50.0" } });
    const page = await cartPage(shopper);
    expect(dataCents(page, "cart-total")).toBe(original - off);
    expect(page).toContain(`<li data-code="mondock" data-applicable="true">`);
    expect(page).toContain(`<li data-code="NOPE" data-applicable="false">`);
    // "" removes the codes.
    expect((await shopper.json("/cart/update.js", { discount: "" })).body).toMatchObject({ total_price: original, discount_codes: [] });

    // Shopify's share link: sets the code on the visitor's cart and redirects.
    const linked = await shopperWith([{ id: 181, quantity: 1 }, { id: 191, quantity: 1 }]);
    const redirect = await linked.request(`/discount/MONDOCK?redirect=${encodeURIComponent(`/storefront/${STORE}/cart`)}`);
    expect(redirect.status).toBe(303);
    expect(redirect.headers.get("location")).toBe(`/storefront/${STORE}/cart`);
    expect(await cartJs(linked)).toMatchObject({ total_price: original - off, discount_codes: [{ code: "MONDOCK", applicable: true }] });
    const home = await linked.request(`/discount/OTHER?redirect=https://elsewhere.test/`);
    expect(home.headers.get("location")).toBe(`/storefront/${STORE}`);
    expect((await cartJs(linked)).discount_codes).toEqual([{ code: "MONDOCK", applicable: true }, { code: "OTHER", applicable: false }]);

    // The same form on the cart page posts to the cart's update endpoint and comes back to the cart.
    const form = await linked.request(`/storefront/${STORE}/cart/update`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "discount=" });
    expect(form.status).toBe(303);
    expect((await cartJs(linked)).discount_codes).toEqual([]);
  });

  it("usesPerOrderLimit 1 discounts one add-on among two anchors and two add-ons; without it both", async () => {
    const limited = await automatic(bundle("One free mouse", 11, 12, 1, { usesPerOrderLimit: "1" }));
    const shopper = await shopperWith([{ id: 111, quantity: 2 }, { id: 121, quantity: 2 }]);
    const original = (2 * PRICE.laptop + 2 * PRICE.mouse) * 100;
    let cart = await cartJs(shopper);
    expect(cart).toMatchObject({ total_discount: PRICE.mouse * 100, total_price: original - PRICE.mouse * 100 });
    expect(cart.items[1]).toMatchObject({ final_line_price: PRICE.mouse * 100, discounted_price: (PRICE.mouse * 100) / 2 });
    await mutate("discountAutomaticDelete", limited);
    created.splice(0);
    await automatic(bundle("Free mice", 11, 12, 1));
    cart = await cartJs(shopper);
    expect(cart).toMatchObject({ total_discount: 2 * PRICE.mouse * 100, total_price: original - 2 * PRICE.mouse * 100 });
  });

  it("combinesWith: product discounts add up across lines only when both allow it; on one line only the larger applies", async () => {
    const shopper = await shopperWith([{ id: 111, quantity: 1 }, { id: 121, quantity: 1 }, { id: 181, quantity: 1 }, { id: 191, quantity: 1 }]);
    const original = (PRICE.laptop + PRICE.mouse + PRICE.monitor + PRICE.dock) * 100;
    const mouse20 = PRICE.mouse * 0.2 * 100;
    const dock50 = PRICE.dock * 0.5 * 100;
    const combinable = { combinesWith: { productDiscounts: true } };

    // Neither combines: the larger wins.
    await automatic(bundle("Mouse 20%", 11, 12, 0.2));
    await automatic(bundle("Dock 50%", 18, 19, 0.5));
    let cart = await cartJs(shopper);
    expect(cart.total_discount).toBe(dock50);
    expect(cart.items.map((i: { line_level_total_discount: number }) => i.line_level_total_discount)).toEqual([0, 0, 0, dock50]);
    for (const d of created.splice(0)) await mutate("discountAutomaticDelete", d.id);

    // Only one side allows it: still the larger alone.
    await automatic(bundle("Mouse 20%", 11, 12, 0.2, combinable));
    await automatic(bundle("Dock 50%", 18, 19, 0.5));
    expect((await cartJs(shopper)).total_discount).toBe(dock50);
    for (const d of created.splice(0)) await mutate("discountAutomaticDelete", d.id);

    // Both allow it: both apply, each on its own line.
    await automatic(bundle("Mouse 20%", 11, 12, 0.2, combinable));
    await automatic(bundle("Dock 50%", 18, 19, 0.5, combinable));
    cart = await cartJs(shopper);
    expect(cart).toMatchObject({ total_discount: mouse20 + dock50, total_price: original - mouse20 - dock50 });
    expect(cart.items.map((i: { line_level_total_discount: number }) => i.line_level_total_discount)).toEqual([0, mouse20, 0, dock50]);

    // A third, combinable, on the mouse's line too: one product discount per line, the larger (40% beats 20%).
    await automatic(bundle("Mouse 40%", 11, 12, 0.4, combinable));
    cart = await cartJs(shopper);
    const mouse40 = PRICE.mouse * 0.4 * 100;
    expect(cart.total_discount).toBe(mouse40 + dock50);
    expect(cart.items[1].line_level_discount_allocations.map((a: { discount_application: { title: string } }) => a.discount_application.title)).toEqual(["Mouse 40%"]);
  });

  it("an order discount (all items) is cart level: cart_level_discount_applications, allocated across the lines", async () => {
    const body = await gql(`mutation C($input: DiscountAutomaticBasicInput!) { discountAutomaticBasicCreate(automaticBasicDiscount: $input) { automaticDiscountNode { id } ${ERRORS} } }`, {
      input: { title: "10% off over 1M", customerGets: { value: { percentage: 0.1 }, items: { all: true } }, minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: "1000000" } } },
    });
    expect(body.data.discountAutomaticBasicCreate.userErrors).toEqual([]);
    created.push({ id: body.data.discountAutomaticBasicCreate.automaticDiscountNode.id, kind: "Automatic" });
    const small = await shopperWith([{ id: 121, quantity: 1 }]);
    expect((await cartJs(small)).total_discount).toBe(0); // under the minimum subtotal
    const shopper = await shopperWith([{ id: 121, quantity: 2 }, { id: 191, quantity: 1 }]);
    const original = (2 * PRICE.mouse + PRICE.dock) * 100;
    const off = original / 10;
    const cart = await cartJs(shopper);
    expect(cart).toMatchObject({ original_total_price: original, items_subtotal_price: original, total_discount: off, total_price: original - off });
    expect(cart.cart_level_discount_applications).toEqual([expect.objectContaining({ type: "automatic", title: "10% off over 1M", value: "10.0", target_selection: "all", allocation_method: "across", total_allocated_amount: off })]);
    expect(cart.items.map((i: { line_level_total_discount: number }) => i.line_level_total_discount)).toEqual([0, 0]);
    expect(dataCents(await cartPage(shopper), "cart-total")).toBe(original - off);
  });

  it("checkout carries the discounts onto the order: seed, orders/create payload and the Admin API", async () => {
    const combinable = { combinesWith: { productDiscounts: true } };
    await automatic(bundle("Mouse 20%", 11, 12, 0.2, combinable));
    await withCode(bundle("Monitor + dock", 18, 19, 0.5, { code: "MONDOCK", ...combinable }));
    const shopper = await shopperWith([{ id: 111, quantity: 1 }, { id: 121, quantity: 1 }, { id: 181, quantity: 1 }, { id: 191, quantity: 1 }]);
    await shopper.json("/cart/update.js", { discount: "MONDOCK" });
    const mouseOff = PRICE.mouse * 0.2;
    const dockOff = PRICE.dock * 0.5;
    const gross = PRICE.laptop + PRICE.mouse + PRICE.monitor + PRICE.dock;

    const checkout = await shopper.request(`/storefront/${STORE}/checkout`, { method: "POST" });
    expect(checkout.status).toBe(303);
    const order = local.shop(SHOP).seed.orders.at(-1)!;
    expect(order).toMatchObject({ discountCodes: ["MONDOCK"], totalDiscounts: mouseOff + dockOff, subtotal: gross - mouseOff - dockOff, total: gross - mouseOff - dockOff });
    expect(order.lineItems.map((l) => [l.variantId, l.unitPrice, l.totalDiscount])).toEqual([
      [111, PRICE.laptop, 0],
      [121, PRICE.mouse, mouseOff],
      [181, PRICE.monitor, 0],
      [191, PRICE.dock, dockOff],
    ]);

    const hook = received.find((r) => r.headers["x-shopify-topic"] === "orders/create")!;
    const payload = JSON.parse(hook.body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(payload).toMatchObject({
      total_discounts: String(mouseOff + dockOff),
      subtotal_price: String(gross - mouseOff - dockOff),
      total_line_items_price: String(gross),
      total_price: String(gross - mouseOff - dockOff),
      discount_codes: [{ code: "MONDOCK", amount: String(dockOff), type: "percentage" }],
    });
    const apps = payload.discount_applications as { type: string; title?: string; code?: string }[];
    const mouseLine = payload.line_items[1];
    expect(mouseLine).toMatchObject({ total_discount: String(mouseOff), discount_allocations: [{ amount: String(mouseOff) }] });
    expect(apps[mouseLine.discount_allocations[0].discount_application_index]).toMatchObject({ type: "automatic", title: "Mouse 20%", value: "20.0", value_type: "percentage" });
    const dockLine = payload.line_items[3];
    expect(apps[dockLine.discount_allocations[0].discount_application_index]).toMatchObject({ type: "discount_code", code: "MONDOCK" });
    // The app's own parser reads the discounts.
    const mapped = orderFromWebhook(payload);
    expect(mapped).toMatchObject({ totalDiscounts: BigInt(mouseOff + dockOff), discountCodes: ["MONDOCK"], total: BigInt(gross - mouseOff - dockOff) });
    expect(mapped.lines.map((l) => l.totalDiscount)).toEqual([0n, BigInt(mouseOff), 0n, BigInt(dockOff)]);

    // What a later sync reads through the Admin API.
    const admin = await gql(`query O { orders(first: 1, reverse: true) { nodes { discountCodes totalDiscountsSet { shopMoney { amount } } lineItems(first: 5) { nodes { totalDiscountSet { shopMoney { amount } } } } } } }`);
    expect(admin.errors).toBeUndefined();
    expect(admin.data.orders.nodes[0]).toEqual({
      discountCodes: ["MONDOCK"],
      totalDiscountsSet: { shopMoney: { amount: String(mouseOff + dockOff) } },
      lineItems: { nodes: [0, mouseOff, 0, dockOff].map((amount) => ({ totalDiscountSet: { shopMoney: { amount: String(amount) } } })) },
    });
  });
});
