/**
 * The local Shopify's online store: pages that render the theme app extension's real Liquid (storefront/liquid.ts)
 * in a minimal theme (storefront/theme.ts), the Ajax cart, the app proxy and a checkout that creates an order and
 * delivers `orders/create` to the app.
 *
 * Pages: `GET /storefront/<store>` (products), `/storefront/<store>/products/<handle>` (title, price, an add-to-cart
 * form, then the product-page app blocks — `fbt` and `upgrade` by default — at the main section),
 * `/storefront/<store>/cart`, `POST /storefront/<store>/checkout`, then `/storefront/<store>/orders/<id>`
 * (thank-you). App embeds (`cart-offers` by default) render before `</body>` on every page. `?locale=vi` switches the
 * language (one of the shop's locales; remembered in a `locale` cookie). Which blocks and embeds a shop shows, and their
 * settings, is set with `configureStorefront` (the merchant's theme editor, in short). The extension's assets are
 * served at `/extensions/<extension>/assets/<file>` (what `asset_url` gives). Prices in Liquid and in the Ajax API are
 * in cents of the currency, as on Shopify (storefront/money.ts): 1.234.000 ₫ is 123400000.
 *
 * Root paths. On Shopify the store is the origin, so the blocks' JavaScript calls `/cart/add.js` and
 * `/apps/insight-loop/…`. Here one origin serves every shop: each storefront page sets a `store` cookie
 * (Path=/), and `/cart.js`, `/cart/*`, `/cart`, `/products/<handle>` and the app proxy path at the root act for the shop
 * that cookie names (without it they answer 400 saying so). The same cart endpoints also answer under
 * `/storefront/<store>/cart…`, without the cookie. The cart itself is per visitor: a `cart` cookie holds its token.
 *
 * App proxy: `ANY /<prefix>/<subpath>/*` from `shopify.app.toml` `[app_proxy]` (default `apps`/`insight-loop`, to
 * `<app url>/proxy`; the TOML's URL keeps its path and is resolved against the local app's URL) is forwarded with its
 * method, body and query, plus `shop`, `logged_in_customer_id` (empty: no customer accounts here), `path_prefix`,
 * `timestamp` and `signature` — hex HMAC-SHA256 with the app secret of the sorted `key=value` pairs joined without a
 * separator (repeated keys joined by ","), as @shopify/shopify-api validates it. The app's answer is relayed as is;
 * an `application/liquid` answer (which Shopify would render in the theme) is refused as not implemented.
 *
 * Discounts: the cart is priced with the shop's live discounts (storefront/discounts.ts: automatic ones by themselves,
 * code ones once their code is on the cart). Codes reach the cart through `/cart/update.js {discount: "A,B"}`, the
 * cart page's code form, `Shopify.actions.updateCart({discountCodes})`, or Shopify's share link
 * `GET /discount/<code>?redirect=<path>` (also `/storefront/<store>/discount/<code>`), which adds the code to the
 * visitor's cart and redirects (303) to `redirect` when it is a path on this origin, else to the store's home
 * (`/storefront/<store>`, the store root here).
 *
 * The cart page (`/storefront/<store>/cart`), stable hooks for browser tests (amounts as `data-*` in cents, text
 * formatted with the shop's money format):
 *   `tr.cart__line[data-line-key][data-variant-id]` per line, with `td.cart__line-total[data-original-cents][data-final-cents]`
 *     and one `li.cart__line-discount[data-discount-title][data-amount-cents]` per line-level allocation;
 *   `#cart-discounts` listing the applied discounts: `li.cart__discount[data-discount-title][data-discount-type]
 *     [data-amount-cents]` (type `automatic` or `discount_code`);
 *   `#cart-original-total[data-cents]`, `#cart-total-discount[data-cents]`, `#cart-total[data-cents]` (what the
 *     buyer pays: after every discount); `#cart-discount-codes` with `li[data-code][data-applicable]` per entered code;
 *   `form#cart-discount-form` (input `name="discount"`) posting to the cart's update endpoint.
 *
 * Checkout: the cart becomes an order in the shop's seed (so later bulk syncs include it) with line custom attributes
 * from line properties and order custom attributes from cart attributes; stock is decremented (a variant at 0 is no
 * longer available for sale: inventory tracked, overselling denied; a variant for sale at 0 is untracked and stays so); `orders/create` is delivered through the
 * WebhookSender with a REST payload. The discounts the cart had carry over as Shopify's orders carry them: each line's
 * `totalDiscount` (its line-level and cart-level allocations), the order's `totalDiscounts`, `discountCodes` (the
 * applicable codes) and `subtotal`/`total` after discounts in the seed (what the Admin API and bulk syncs read as
 * `totalDiscountSet`, `totalDiscountsSet`, `discountCodes`, `subtotalPriceSet`); in the REST payload `discount_codes`
 * ([{code, amount, type}]), `discount_applications`, each line's `discount_allocations` ([{amount, amount_set,
 * discount_application_index}]) and `total_discount`, `total_discounts`, `subtotal_price` (after discounts) and
 * `total_line_items_price` (before). No payment, shipping or tax; a guest (customer null).
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { ADMIN_API_VERSION } from "../../../app/shopify/api-version";
import { gid } from "../gid";
import { escapeHtml } from "../html";
import type { SeedLineItem, SeedOrder } from "../seed";
import type { ApiModule, LocalRequest, LocalResponse, LocalShopify } from "../server";
import type { ShopState } from "../store";
import { addItems, ajaxCart, ajaxLine, CartError, cartFor, changeLine, clearCart, dropCart, newCartToken, pricedCart, updateCart, type AddItem } from "../storefront/cart";
import { parseDiscountCodes, type PricedCart } from "../storefront/discounts";
import { DEFAULT_EXTENSION_DIR, ThemeExtension } from "../storefront/liquid";
import { decimalString, formatMoney, currencyFormats } from "../storefront/money";
import { AppDrop, CartDrop, Catalog, isGiftCardProduct, ProductDrop, ShopDrop, StrictObject, type CartRecord } from "../storefront/objects";
import { layout } from "../storefront/theme";
import { DEFAULT_TOML_PATH, WebhookSender, type RequestHandler } from "../webhooks";

export interface StorefrontApp {
  apiSecret: string;
  appUrl: string;
}

export interface StorefrontModuleOptions {
  /** The theme app extension folder (default: the repository's extensions/insight-widgets). */
  extensionDir?: string;
  /** The app TOML ([app_proxy], webhook subscriptions). */
  tomlPath?: string;
  /** Where proxy requests go: HTTP by default, or an in-process handler. */
  fetch?: RequestHandler;
  /** Delivers orders/create (default: a WebhookSender for the app, over `fetch`). */
  webhooks?: WebhookSender;
}

/** Which blocks a shop's theme shows, and their settings (the merchant's theme editor, in short). */
export interface StorefrontConfig {
  /** App blocks at the product page's main section, in order. */
  productBlocks: string[];
  /** Enabled app embeds (target body). */
  embeds: string[];
  /** Setting overrides per block name (ids from the block's schema). */
  settings: Record<string, Record<string, unknown>>;
}

const DEFAULT_CONFIG: StorefrontConfig = { productBlocks: ["fbt", "upgrade"], embeds: ["cart-offers"], settings: {} };

const configOf = (shop: ShopState) => shop.module<StorefrontConfig>("storefront:config", () => structuredClone(DEFAULT_CONFIG));

/** Sets which blocks and embeds a shop's storefront shows, and their settings. */
export function configureStorefront(local: LocalShopify, shop: string, config: Partial<StorefrontConfig>) {
  Object.assign(configOf(local.shop(shop)), config);
}

const storeHandle = (domain: string) => domain.replace(".myshopify.com", "");

export function storefrontUrl(local: LocalShopify, shop: string) {
  return `${local.origin}/storefront/${storeHandle(shop)}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// App proxy configuration and signature

export interface AppProxyConfig {
  prefix: string;
  subpath: string;
  /** The app's proxy URL path (resolved against the app URL). */
  urlPath: string;
}

const TomlProxy = z.object({
  app_proxy: z.object({ url: z.string().min(1), subpath: z.string().regex(/^[A-Za-z0-9_-]{1,30}$/), prefix: z.enum(["apps", "a", "community", "tools"]) }).optional(),
});

export function readAppProxy(tomlPath: string = DEFAULT_TOML_PATH): AppProxyConfig {
  const parsed = TomlProxy.safeParse(parseToml(readFileSync(tomlPath, "utf8")));
  if (!parsed.success) throw new Error(`Invalid [app_proxy] in ${tomlPath}: ${parsed.error.message}`);
  const proxy = parsed.data.app_proxy;
  if (!proxy) return { prefix: "apps", subpath: "insight-loop", urlPath: "/proxy" };
  const urlPath = /^https?:\/\//i.test(proxy.url) ? new URL(proxy.url).pathname : `/${proxy.url.replace(/^\/+/, "")}`;
  return { prefix: proxy.prefix, subpath: proxy.subpath, urlPath: urlPath.replace(/\/+$/, "") || "/" };
}

/** Shopify's app proxy signature: hex HMAC-SHA256 of the sorted `key=value` pairs (repeats joined by ","), no separator. */
export function appProxySignature(params: URLSearchParams, secret: string): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "signature") continue;
    grouped.set(key, [...(grouped.get(key) ?? []), value]);
  }
  const message = [...grouped.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, values]) => `${key}=${values.join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message, "utf8").digest("hex");
}

// ---------------------------------------------------------------------------------------------------------------------
// HTTP helpers

function header(request: LocalRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookies(request: LocalRequest): Record<string, string> {
  const jar: Record<string, string> = {};
  for (const part of (header(request, "cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) jar[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return jar;
}

const cookie = (name: string, value: string) => `${name}=${encodeURIComponent(value)}; Path=/; SameSite=Lax`;

/** Form fields with Shopify's bracket names (`properties[_x]`, `items[0][id]`, `updates[key]`) as nested objects. */
export function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const parts = name.replace(/\]/g, "").split("[");
    let node = out;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, unknown>;
    });
  }
  const arrays = (value: unknown): unknown => {
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, arrays(v)] as const);
    return entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k)) && entries.some(([k]) => k === "0")
      ? entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v)
      : Object.fromEntries(entries);
  };
  return arrays(out) as Record<string, unknown>;
}

function parseBody(request: LocalRequest): Record<string, unknown> {
  const text = request.body.toString("utf8");
  if (text.trim() === "") return {};
  const type = header(request, "content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type === "application/x-www-form-urlencoded") return parseForm(text);
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new CartError(400, "The body must be a JSON object");
    return parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof CartError) throw error;
    throw new CartError(400, "The body is neither JSON nor a form");
  }
}

const html = (status: number, body: string, extraHeaders: Record<string, string | string[]> = {}): LocalResponse => ({
  status,
  headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...extraHeaders },
  body,
});

const redirect = (location: string, setCookies: string[] = []): LocalResponse => ({
  status: 303,
  headers: { location, ...(setCookies.length ? { "set-cookie": setCookies } : {}) },
});

// ---------------------------------------------------------------------------------------------------------------------
// Orders

function nextOrderNumber(shop: ShopState): number {
  const numbers = shop.seed.orders.map((o) => Number(/(\d+)/.exec(o.name)?.[1] ?? 0));
  return Math.max(1000, ...numbers) + 1;
}

/** The REST `orders/create` payload for an order the storefront created (shaped like Shopify's; guest, no tax). */
export function orderCreatePayload(shop: ShopState, order: SeedOrder, extra: { cartToken: string; note: string | null; locale: string; priced?: PricedCart }) {
  const currency = shop.seed.shop.currencyCode;
  const dec = (minor: number) => decimalString(minor, currency);
  const set = (minor: number) => ({ shop_money: { amount: dec(minor), currency_code: currency }, presentment_money: { amount: dec(minor), currency_code: currency } });
  const number = Number(/(\d+)/.exec(order.name)?.[1] ?? 0);
  const catalog = new Catalog(shop);
  const applications = extra.priced?.applications ?? [];
  const index = new Map(applications.map((a, i) => [a, i]));
  const codeAmounts = new Map<string, { amount: number; type: string }>();
  for (const a of applications) {
    if (a.code === null) continue;
    const seen = codeAmounts.get(a.code) ?? { amount: 0, type: a.valueType };
    seen.amount += a.totalAllocated;
    codeAmounts.set(a.code, seen);
  }
  return {
    id: order.id,
    admin_graphql_api_id: gid("Order", order.id),
    name: order.name,
    number: number - 1000,
    order_number: number,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    processed_at: order.processedAt,
    cancelled_at: null,
    cancel_reason: null,
    closed_at: null,
    confirmed: true,
    test: order.test,
    currency,
    presentment_currency: currency,
    financial_status: "paid",
    fulfillment_status: null,
    source_name: order.sourceName,
    cart_token: extra.cartToken,
    customer_locale: extra.locale,
    email: "",
    contact_email: null,
    phone: null,
    customer: null,
    billing_address: null,
    shipping_address: null,
    note: extra.note,
    note_attributes: (order.customAttributes ?? []).map((a) => ({ name: a.key, value: a.value })),
    tags: "",
    discount_codes: order.discountCodes.map((code) => ({ code, amount: dec(codeAmounts.get(code)?.amount ?? 0), type: codeAmounts.get(code)?.type ?? "fixed_amount" })),
    discount_applications: applications.map((a) => ({
      target_type: "line_item",
      type: a.type,
      value: a.valueType === "percentage" ? a.value.toFixed(1) : dec(a.value),
      value_type: a.valueType,
      allocation_method: a.allocationMethod,
      target_selection: a.targetSelection,
      ...(a.code === null ? { title: a.title, description: a.title } : { code: a.code, description: a.code }),
    })),
    subtotal_price: dec(order.subtotal),
    subtotal_price_set: set(order.subtotal),
    total_line_items_price: dec(order.subtotal + order.totalDiscounts),
    total_line_items_price_set: set(order.subtotal + order.totalDiscounts),
    total_discounts: dec(order.totalDiscounts),
    total_discounts_set: set(order.totalDiscounts),
    total_price: dec(order.total),
    total_price_set: set(order.total),
    total_tax: dec(0),
    total_tax_set: set(0),
    taxes_included: false,
    total_outstanding: dec(0),
    payment_gateway_names: ["bogus"],
    line_items: order.lineItems.map((line, i) => {
      const product = line.productId === null ? undefined : catalog.product(line.productId);
      const priced = extra.priced?.lines[i];
      const allocations = priced ? [...priced.lineLevel, ...priced.cartLevel] : [];
      return {
        id: line.id,
        admin_graphql_api_id: gid("LineItem", line.id),
        product_id: line.productId,
        variant_id: line.variantId,
        product_exists: product !== undefined,
        title: line.title,
        name: line.variantTitle ? `${line.title} - ${line.variantTitle}` : line.title,
        variant_title: line.variantTitle,
        sku: line.sku,
        vendor: product?.vendor ?? null,
        quantity: line.quantity,
        current_quantity: line.quantity,
        fulfillable_quantity: line.quantity,
        fulfillment_status: null,
        fulfillment_service: "manual",
        price: dec(line.unitPrice),
        price_set: set(line.unitPrice),
        total_discount: dec(line.totalDiscount),
        total_discount_set: set(line.totalDiscount),
        discount_allocations: allocations.map((a) => ({ amount: dec(a.amount), amount_set: set(a.amount), discount_application_index: index.get(a.application)! })),
        gift_card: line.isGiftCard,
        requires_shipping: line.requiresShipping,
        taxable: true,
        grams: 0,
        properties: (line.customAttributes ?? []).map((a) => ({ name: a.key, value: a.value })),
        tax_lines: [],
        duties: [],
        attributed_staffs: [],
        variant_inventory_management: "shopify",
      };
    }),
    refunds: [],
    fulfillments: [],
    shipping_lines: [],
    tax_lines: [],
  };
}

/** Turns a cart into an order in the shop's seed, with its discounts, and decrements stock. Refuses an empty or unavailable cart. */
export function placeOrder(shop: ShopState, cart: CartRecord, now: Date): { order: SeedOrder; priced: PricedCart } {
  if (cart.lines.length === 0) throw new CartError(422, "Your cart is empty");
  const catalog = new Catalog(shop);
  const priced = pricedCart(shop, cart, now.getTime());
  const resolved = cart.lines.map((line) => {
    const found = catalog.variant(line.variantId);
    if (!found || !catalog.published(found.product)) throw new CartError(422, `A product in your cart is no longer available`);
    const { variant } = found;
    // The seed has no "track quantity" flag: a variant for sale at zero stock is not tracked (a warranty, a gift card —
    // the demo generator sells those without stock), since a tracked one at zero is not for sale (overselling denied).
    const tracked = variant.inventoryQuantity > 0;
    if (!variant.availableForSale || (tracked && variant.inventoryQuantity < line.quantity)) {
      throw new CartError(422, `Only ${Math.max(0, variant.inventoryQuantity)} of ${found.product.title} left`);
    }
    return { line, tracked, ...found };
  });
  const at = now.toISOString();
  const lineItems: SeedLineItem[] = resolved.map(({ line, product, variant }, i) => {
    const pricedLine = priced.lines[i]!;
    const attributes = Object.entries(line.properties).map(([key, value]) => ({ key, value }));
    return {
      id: shop.nextId(),
      productId: product.id,
      variantId: variant.id,
      title: product.title,
      variantTitle: variant.title === "Default Title" ? null : variant.title,
      sku: variant.sku,
      quantity: line.quantity,
      unitPrice: variant.price,
      totalDiscount: pricedLine.lineLevelDiscount + pricedLine.cartLevel.reduce((s, a) => s + a.amount, 0),
      isGiftCard: isGiftCardProduct(product),
      requiresShipping: !isGiftCardProduct(product),
      ...(attributes.length > 0 ? { customAttributes: attributes } : {}),
    };
  });
  const subtotal = lineItems.reduce((sum, l) => sum + l.unitPrice * l.quantity - l.totalDiscount, 0);
  const orderAttributes = Object.entries(cart.attributes).map(([key, value]) => ({ key, value }));
  const order: SeedOrder = {
    id: shop.nextId(),
    name: `#${nextOrderNumber(shop)}`,
    createdAt: at,
    processedAt: at,
    updatedAt: at,
    cancelledAt: null,
    test: false,
    sourceName: "web",
    customerId: null,
    discountCodes: priced.codes.filter((c) => c.applicable).map((c) => c.code),
    subtotal,
    totalDiscounts: priced.totalDiscount,
    total: subtotal,
    lineItems,
    refunds: [],
    ...(orderAttributes.length > 0 ? { customAttributes: orderAttributes } : {}),
  };
  for (const { line, variant, tracked } of resolved) {
    if (!tracked) continue;
    variant.inventoryQuantity -= line.quantity;
    if (variant.inventoryQuantity <= 0) variant.availableForSale = false;
  }
  shop.seed.orders.push(order);
  // The Admin API modules index the seed once; a new order (and changed stock) must be seen by later queries and syncs.
  shop.data.modules.delete("commerce");
  shop.data.modules.delete("mutation-kit:seed");
  return { order, priced };
}

// ---------------------------------------------------------------------------------------------------------------------
// The module

export function storefrontModule(app: StorefrontApp, options: StorefrontModuleOptions = {}): ApiModule {
  const extension = new ThemeExtension(options.extensionDir ?? DEFAULT_EXTENSION_DIR);
  const tomlPath = options.tomlPath ?? DEFAULT_TOML_PATH;
  const proxy = readAppProxy(tomlPath);
  const send = options.fetch ?? ((request: Request) => fetch(request));
  let webhooks = options.webhooks;
  const sender = () => (webhooks ??= new WebhookSender({ appUrl: app.appUrl, apiSecret: app.apiSecret, apiVersion: ADMIN_API_VERSION, tomlPath, fetch: options.fetch }));

  return {
    name: "storefront",
    install(local) {
      const shopOf = (store: string | undefined): ShopState | undefined => (store ? local.shops.get(`${store}.myshopify.com`) : undefined);

      /** The shop a root path acts for: the path's store, else the `store` cookie. */
      const selectShop = (request: LocalRequest, store: string | undefined): ShopState => {
        const name = store ?? cookies(request).store;
        const shop = shopOf(name);
        if (!shop) {
          throw new CartError(400, name ? `No shop ${name} in the local Shopify` : "No store selected: open /storefront/<store> first (it sets the store cookie)");
        }
        return shop;
      };

      /** The visitor's cart and the cookies to set when it is new. */
      const visitorCart = (request: LocalRequest, shop: ShopState) => {
        const jar = cookies(request);
        const token = jar.cart && /^local-[0-9a-f]{24}$/.test(jar.cart) ? jar.cart : newCartToken();
        return { cart: cartFor(shop, token), setCookies: jar.cart === token ? [] : [cookie("cart", token)] };
      };

      const localeOf = (request: LocalRequest, shop: ShopState) => {
        const locales = shop.seed.shop.locales;
        const asked = request.url.searchParams.get("locale") ?? cookies(request).locale;
        return asked && locales.includes(asked) ? asked : (locales[0] ?? "en");
      };

      /** A storefront page: the theme layout, the blocks at the main section, the app embeds before </body>. */
      const renderPage = async (
        request: LocalRequest,
        shop: ShopState,
        page: { title: string; pageType: "index" | "product" | "cart" | "thank-you"; main: string; product?: ProductDrop; blocks?: string[] },
      ): Promise<LocalResponse> => {
        const store = storeHandle(shop.domain);
        const locale = localeOf(request, shop);
        const { cart, setCookies } = visitorCart(request, shop);
        const catalog = new Catalog(shop);
        const currency = catalog.currency;
        const globals = {
          shop: new ShopDrop(catalog),
          cart: new CartDrop(catalog, cart, local.now()),
          request: new StrictObject("request", {
            locale: new StrictObject("request.locale", { iso_code: locale, primary: locale === shop.seed.shop.locales[0], root_url: "/" }),
            design_mode: false,
            page_type: page.pageType,
            host: header(request, "host") ?? "",
            path: request.url.pathname,
          }),
          routes: new StrictObject("routes", { root_url: "/", cart_url: "/cart", cart_add_url: "/cart/add", cart_change_url: "/cart/change", cart_update_url: "/cart/update", cart_clear_url: "/cart/clear" }),
          app: new AppDrop(),
          ...(page.product ? { product: page.product } : {}),
        };
        const javascript = new Map<string, string>();
        const scripts = new Set<string>();
        const stylesheets = new Set<string>();
        const render = async (name: string, target: "section" | "body") => {
          const rendered = await extension.renderBlock(name, { globals, locale, currency, product: page.product, settings: configOf(shop).settings[name], javascript });
          const expected = target === "section" ? ["section"] : ["body", "head", "compliance_head"];
          if (!expected.includes(rendered.schema.target)) {
            throw new Error(`Block ${name} has target "${rendered.schema.target}"; the local storefront places it as ${target === "section" ? "an app block (target section)" : "an app embed (target body)"}`);
          }
          if (rendered.schema.javascript) scripts.add(extension.assetUrl(rendered.schema.javascript));
          if (rendered.schema.stylesheet) stylesheets.add(extension.assetUrl(rendered.schema.stylesheet));
          return rendered.html;
        };
        const config = configOf(shop);
        const blocks: string[] = [];
        for (const name of page.blocks ?? []) blocks.push(await render(name, "section"));
        const embeds: string[] = [];
        for (const name of config.embeds) embeds.push(await render(name, "body"));
        const body = layout({
          title: page.title,
          locale,
          locales: shop.seed.shop.locales,
          shopDomain: shop.domain,
          shopName: shop.seed.shop.name,
          store,
          currency,
          cartCount: cart.lines.reduce((s, l) => s + l.quantity, 0),
          path: request.url.pathname,
          main: page.main.replace("<!--app-blocks-->", blocks.join("\n")),
          blockScripts: [...scripts],
          blockStylesheets: [...stylesheets],
          inlineJavascript: [...javascript.values()],
          embeds,
        });
        const set = [...setCookies, cookie("store", store)];
        if (request.url.searchParams.get("locale") === locale) set.push(cookie("locale", locale));
        return html(200, body, { "set-cookie": set });
      };

      const money = (shop: ShopState, minor: number) => formatMoney(new Catalog(shop).cents(minor), currencyFormats(shop.seed.shop.currencyCode).money);

      const failure = (error: unknown): LocalResponse => {
        if (error instanceof CartError) return { status: error.status, body: error.body };
        throw error;
      };

      // Pages ---------------------------------------------------------------------------------------------------------
      local.route("GET", /^\/storefront\/([a-z0-9-]+)\/?$/, async (request, match) => {
        const shop = shopOf(match[1]);
        if (!shop) return html(404, "Not Found");
        const catalog = new Catalog(shop);
        const cards = catalog
          .publishedProducts()
          .map((p) => {
            const min = Math.min(...p.variants.map((v) => v.price));
            return `<li><a class="card" href="/storefront/${match[1]}/products/${escapeHtml(p.handle)}"><b>${escapeHtml(p.title)}</b><br>${p.variants.length ? escapeHtml(money(shop, min)) : ""}</a></li>`;
          })
          .join("");
        return renderPage(request, shop, { title: "Products", pageType: "index", main: `<h1>Products</h1><ul class="grid">${cards}</ul>` });
      });

      local.route("GET", /^\/storefront\/([a-z0-9-]+)\/products\/([^/]+)$/, async (request, match) => {
        const shop = shopOf(match[1]);
        const product = shop ? new Catalog(shop).productByHandle(decodeURIComponent(match[2]!)) : undefined;
        if (!shop || !product) return html(404, "Not Found");
        const drop = new ProductDrop(new Catalog(shop), product);
        const variants = product.variants;
        const selected = variants.find((v) => v.availableForSale) ?? variants[0];
        const picker =
          variants.length > 1
            ? `<label>Variant <select name="id">${variants.map((v) => `<option value="${v.id}"${v === selected ? " selected" : ""}${v.availableForSale ? "" : " disabled"}>${escapeHtml(v.title)} – ${escapeHtml(money(shop, v.price))}</option>`).join("")}</select></label>`
            : `<input type="hidden" name="id" value="${selected?.id ?? ""}">`;
        const available = variants.some((v) => v.availableForSale);
        const main = `<section class="product" data-product-id="${product.id}">
<h1 class="product__title">${escapeHtml(product.title)}</h1>
<p class="product__price">${selected ? escapeHtml(money(shop, selected.price)) : ""}</p>
<form method="post" action="/cart/add" class="product-form">${picker}
<label>Quantity <input type="number" name="quantity" value="1" min="1"></label>
<button type="submit" name="add"${available ? "" : " disabled"}>${available ? "Add to cart" : "Sold out"}</button></form>
<div class="product__app-blocks"><!--app-blocks--></div>
</section>`;
        return renderPage(request, shop, { title: product.title, pageType: "product", main, product: drop, blocks: configOf(shop).productBlocks });
      });

      local.route("GET", /^\/storefront\/([a-z0-9-]+)\/cart$/, async (request, match) => {
        const shop = shopOf(match[1]);
        if (!shop) return html(404, "Not Found");
        const { cart } = visitorCart(request, shop);
        const catalog = new Catalog(shop);
        const priced = pricedCart(shop, cart, local.now());
        const cents = (minor: number) => catalog.cents(minor);
        const attr = (value: string | number | boolean) => escapeHtml(String(value));
        const rows = priced.lines
          .map((p) => {
            const { line } = p;
            const item = ajaxLine(catalog, line, p);
            const visible = Object.entries(line.properties).filter(([k]) => !k.startsWith("_"));
            const props = visible.map(([k, v]) => `<br><small>${escapeHtml(k)}: ${escapeHtml(v)}</small>`).join("");
            const discounts = p.lineLevel.length
              ? `<ul class="cart__line-discounts">${p.lineLevel.map((a) => `<li class="cart__line-discount" data-discount-title="${attr(a.application.title)}" data-amount-cents="${cents(a.amount)}">${escapeHtml(a.application.title)} (−${escapeHtml(money(shop, a.amount))})</li>`).join("")}</ul>`
              : "";
            const was = p.lineLevelDiscount > 0 ? `<s class="cart__line-original">${escapeHtml(money(shop, p.originalLinePrice))}</s> ` : "";
            return `<tr class="cart__line" data-line-key="${attr(line.key)}" data-variant-id="${line.variantId}"><td><a href="/storefront/${match[1]}/products/${escapeHtml(item.handle)}">${escapeHtml(item.title)}</a>${props}${discounts}</td><td>${line.quantity}</td><td class="cart__line-total" data-original-cents="${cents(p.originalLinePrice)}" data-final-cents="${cents(p.finalLinePrice)}">${was}${escapeHtml(money(shop, p.finalLinePrice))}</td></tr>`;
          })
          .join("");
        const applied = priced.applications
          .map((a) => `<li class="cart__discount" data-discount-title="${attr(a.title)}" data-discount-type="${a.type}" data-amount-cents="${cents(a.totalAllocated)}">${escapeHtml(a.title)}: −${escapeHtml(money(shop, a.totalAllocated))}</li>`)
          .join("");
        const codes = priced.codes.map((c) => `<li data-code="${attr(c.code)}" data-applicable="${c.applicable}">${escapeHtml(c.code)}${c.applicable ? "" : " (not applicable)"}</li>`).join("");
        const codeForm = `<form id="cart-discount-form" method="post" action="/storefront/${match[1]}/cart/update"><label>Discount code <input name="discount" value="${attr(cart.discountCodes.join(","))}"></label> <button type="submit">Apply</button></form>
<ul id="cart-discount-codes">${codes}</ul>`;
        const main =
          cart.lines.length === 0
            ? `<h1>Your cart</h1><p>Your cart is empty.</p>`
            : `<h1>Your cart</h1><table class="cart"><thead><tr><th>Product</th><th>Quantity</th><th>Total</th></tr></thead><tbody>${rows}</tbody></table>
<ul id="cart-discounts">${applied}</ul>
<p class="cart__original-total">Subtotal: <span id="cart-original-total" data-cents="${cents(priced.originalTotal)}">${escapeHtml(money(shop, priced.originalTotal))}</span></p>
<p class="cart__total-discount">Discounts: <span id="cart-total-discount" data-cents="${cents(priced.totalDiscount)}">−${escapeHtml(money(shop, priced.totalDiscount))}</span></p>
<p class="cart__total">Total: <b id="cart-total" data-cents="${cents(priced.total)}">${escapeHtml(money(shop, priced.total))}</b></p>
${codeForm}
<form method="post" action="/storefront/${match[1]}/checkout"><button type="submit" name="checkout">Check out</button></form>`;
        return renderPage(request, shop, { title: "Your cart", pageType: "cart", main });
      });

      // Shopify's discount share link: the code goes on the visitor's cart, then a redirect.
      local.route("GET", /^(?:\/storefront\/([a-z0-9-]+))?\/discount\/([^/]+)$/, (request, match) => {
        try {
          const shop = selectShop(request, match[1]);
          const { cart, setCookies } = visitorCart(request, shop);
          cart.discountCodes = parseDiscountCodes([...cart.discountCodes, decodeURIComponent(match[2]!)]);
          const asked = request.url.searchParams.get("redirect");
          const target = asked && asked.startsWith("/") && !asked.startsWith("//") ? asked : `/storefront/${storeHandle(shop.domain)}`;
          return redirect(target, [...setCookies, cookie("store", storeHandle(shop.domain))]);
        } catch (error) {
          return failure(error);
        }
      });

      local.route("POST", /^\/storefront\/([a-z0-9-]+)\/checkout$/, async (request, match) => {
        const shop = shopOf(match[1]);
        if (!shop) return html(404, "Not Found");
        const { cart } = visitorCart(request, shop);
        let order: SeedOrder;
        let priced: PricedCart;
        try {
          ({ order, priced } = placeOrder(shop, cart, new Date(local.now())));
        } catch (error) {
          if (error instanceof CartError) return html(error.status, `<!doctype html><title>Checkout</title><p>${escapeHtml(error.description)}</p><p><a href="/storefront/${match[1]}/cart">Back to the cart</a></p>`);
          throw error;
        }
        const payload = orderCreatePayload(shop, order, { cartToken: cart.token, note: cart.note, locale: localeOf(request, shop), priced });
        dropCart(shop, cart.token);
        await sender().deliver({ topic: "orders/create", shop: shop.domain, payload, triggeredAt: new Date(local.now()) });
        return redirect(`/storefront/${match[1]}/orders/${order.id}`, [cookie("cart", newCartToken())]);
      });

      local.route("GET", /^\/storefront\/([a-z0-9-]+)\/orders\/(\d+)$/, async (request, match) => {
        const shop = shopOf(match[1]);
        const order = shop?.seed.orders.find((o) => o.id === Number(match[2]));
        if (!shop || !order) return html(404, "Not Found");
        const main = `<h1>Thank you!</h1><p>Your order <b class="order-name">${escapeHtml(order.name)}</b> is confirmed.</p><p>Total: ${escapeHtml(money(shop, order.total))}</p><p><a href="/storefront/${match[1]}">Continue shopping</a></p>`;
        return renderPage(request, shop, { title: `Order ${order.name}`, pageType: "thank-you", main });
      });

      // Root paths for the selected store --------------------------------------------------------------------------
      local.route("GET", /^\/cart$/, (request) => {
        try {
          return redirect(`/storefront/${storeHandle(selectShop(request, undefined).domain)}/cart`);
        } catch (error) {
          return failure(error);
        }
      });
      local.route("GET", /^\/products\/([^/]+)$/, (request, match) => {
        try {
          return redirect(`/storefront/${storeHandle(selectShop(request, undefined).domain)}/products/${match[1]}${request.url.search}`);
        } catch (error) {
          return failure(error);
        }
      });

      // Assets ---------------------------------------------------------------------------------------------------------
      local.route("GET", /^\/extensions\/([A-Za-z0-9_-]+)\/assets\/([A-Za-z0-9._-]+)$/, (_request, match) => {
        if (match[1] !== extension.name) return { status: 404, body: { errors: "Not Found" } };
        let file: string;
        try {
          file = extension.assetFile(match[2]!);
        } catch {
          return { status: 404, body: { errors: "Not Found" } };
        }
        const types: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png" };
        return { status: 200, headers: { "content-type": types[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" }, body: readFileSync(file) };
      });

      // Ajax cart API --------------------------------------------------------------------------------------------------
      const CART = /^(?:\/storefront\/([a-z0-9-]+))?\/cart(?:\/(add|update|change|clear))?(\.js)?$/;
      const cartApi = (request: LocalRequest, match: RegExpExecArray): LocalResponse => {
        const [, store, action, js] = match;
        try {
          const shop = selectShop(request, store);
          const { cart, setCookies } = visitorCart(request, shop);
          const withCookies = (answer: LocalResponse): LocalResponse =>
            setCookies.length ? { ...answer, headers: { ...answer.headers, "set-cookie": setCookies } } : answer;
          const done = (json: object): LocalResponse =>
            withCookies(js ? { status: 200, body: json } : redirect(`/storefront/${storeHandle(shop.domain)}/cart`));
          if (request.method === "GET") {
            if (action || !js) return { status: 404, body: { errors: "Not Found" } };
            return withCookies({ status: 200, body: ajaxCart(shop, cart, local.now()) });
          }
          const body = parseBody(request);
          for (const unsupported of ["sections", "sections_url", "selling_plan"]) {
            const asked = unsupported in body || request.url.searchParams.has(unsupported) || (Array.isArray(body.items) && (body.items as Record<string, unknown>[]).some((i) => i !== null && typeof i === "object" && unsupported in i));
            if (asked) throw new CartError(501, `The local Shopify's cart does not implement "${unsupported}"`);
          }
          switch (action) {
            case "add": {
              const items = Array.isArray(body.items) ? (body.items as AddItem[]) : [{ id: body.id, quantity: body.quantity, properties: body.properties }];
              const touched = addItems(shop, cart, items);
              const catalog = new Catalog(shop);
              const priced = pricedCart(shop, cart, local.now());
              const lines = touched.map((l) => ajaxLine(catalog, l, priced.lines.find((p) => p.line === l)));
              return done(Array.isArray(body.items) ? { items: lines } : (lines[0] ?? {}));
            }
            case "update":
              updateCart(cart, body);
              return done(ajaxCart(shop, cart, local.now()));
            case "change":
              changeLine(cart, body);
              return done(ajaxCart(shop, cart, local.now()));
            case "clear":
              clearCart(cart);
              return done(ajaxCart(shop, cart, local.now()));
            default:
              return { status: 404, body: { errors: "Not Found" } };
          }
        } catch (error) {
          return failure(error);
        }
      };
      local.route("GET", CART, cartApi);
      local.route("POST", CART, cartApi);

      // App proxy ------------------------------------------------------------------------------------------------------
      const proxyPattern = new RegExp(`^/${proxy.prefix}/${proxy.subpath}(/.*)?$`);
      const forward = async (request: LocalRequest, match: RegExpExecArray): Promise<LocalResponse> => {
        let shop: ShopState;
        try {
          shop = selectShop(request, undefined);
        } catch (error) {
          return failure(error);
        }
        const target = new URL(`${app.appUrl.replace(/\/+$/, "")}${proxy.urlPath}${match[1] ?? ""}`);
        const params = new URLSearchParams();
        const reserved = new Set(["shop", "logged_in_customer_id", "path_prefix", "timestamp", "signature", "hmac"]);
        for (const [key, value] of request.url.searchParams) if (!reserved.has(key)) params.append(key, value);
        params.set("shop", shop.domain);
        params.set("logged_in_customer_id", "");
        params.set("path_prefix", `/${proxy.prefix}/${proxy.subpath}`);
        params.set("timestamp", String(Math.floor(local.now() / 1000)));
        params.set("signature", appProxySignature(params, app.apiSecret));
        target.search = params.toString();
        const headers = new Headers();
        for (const name of ["content-type", "accept", "user-agent", "accept-language"]) {
          const value = header(request, name);
          if (value) headers.set(name, value);
        }
        const hasBody = request.method !== "GET" && request.method !== "HEAD";
        let response: Response;
        try {
          response = await send(new Request(target, { method: request.method, headers, body: hasBody ? new Uint8Array(request.body) : undefined, redirect: "manual" }));
        } catch (error) {
          // Shopify answers a bad gateway page when the app cannot be reached.
          return { status: 502, body: { errors: `The app proxy could not reach ${target.origin}${target.pathname}: ${(error as Error).message}` } };
        }
        const type = response.headers.get("content-type") ?? "";
        if (type.startsWith("application/liquid")) {
          return { status: 501, body: { errors: "The local Shopify does not render application/liquid app proxy answers" } };
        }
        const relayed: Record<string, string> = {};
        for (const name of ["content-type", "cache-control", "location", "retry-after"]) {
          const value = response.headers.get(name);
          if (value) relayed[name] = value;
        }
        return { status: response.status, headers: relayed, body: Buffer.from(await response.arrayBuffer()) };
      };
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]) local.route(method, proxyPattern, forward);
    },
  };
}

