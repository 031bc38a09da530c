/**
 * A minimal Online Store 2.0 theme for the local storefront: one layout with a header (shop, locale switch, cart count),
 * the page's main section, and the slots Shopify fills for theme app extensions — block JavaScript (`<script defer>`,
 * once per page, in the head) and app embeds (before `</body>`).
 *
 * It also injects what Shopify injects on every Liquid storefront: `window.Shopify` (shop, locale, currency, routes)
 * and the standard actions (`Shopify.actions.getCart/updateCart/openCart`, a module script, so ready after parsing,
 * firing `shopify:cart:lines-update` and `shopify:cart:attributes-update` as the action starts). Theirs is built on the
 * Storefront API; this one posts to the local Ajax cart. `updateCart({ discountCodes: [...] })` replaces the cart's
 * codes (`/cart/update.js {discount}`), and the cart it answers lists `discountCodes: [{ code, applicable }]` as the
 * Storefront API's Cart does. Everything the local Shopify adds is marked
 * `data-local-shopify`, so measurements can tell it from the extension's own code.
 */
import { escapeHtml } from "../html";

const THEME_CSS = `
  :root { --color-foreground: #1f2430; --color-background: #fff; --color-accent: #2251c5; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--color-foreground); background: var(--color-background); }
  .site-header { display: flex; gap: 16px; align-items: center; padding: 12px 24px; border-bottom: 1px solid #e3e3e3; }
  .site-header .brand { font-weight: 700; text-decoration: none; color: inherit; margin-right: auto; }
  .site-header a { color: var(--color-accent); }
  main { max-width: 1040px; margin: 24px auto; padding: 0 24px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 16px; padding: 0; list-style: none; }
  .card { border: 1px solid #e3e3e3; border-radius: 8px; padding: 16px; display: block; color: inherit; text-decoration: none; }
  .product__price { font-size: 1.25rem; }
  .product-form { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; margin: 16px 0 32px; }
  button, .button { font: inherit; padding: 10px 18px; border-radius: 6px; border: 1px solid var(--color-accent); background: var(--color-accent); color: #fff; cursor: pointer; }
  table.cart { width: 100%; border-collapse: collapse; } table.cart td, table.cart th { padding: 8px; border-bottom: 1px solid #eee; text-align: left; }
`;

/** Shopify's standard storefront actions, over the local Ajax cart. */
const ACTIONS_SHIM = `
const S = window.Shopify;
const root = S.routes.root;
const gidId = (v) => Number(String(v).split("/").pop());
const attrs = (list) => Object.fromEntries((list || []).map((a) => [a.key, a.value]));
const money = (cents, code) => ({ amount: (cents / 100).toFixed(2), currencyCode: code });
const post = async (path, body) => {
  const r = await fetch(root + path, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) });
  return { ok: r.ok, body: await r.json() };
};
const toCart = (c) => ({
  id: "gid://shopify/Cart/" + c.token, totalQuantity: c.item_count, note: c.note,
  cost: { totalAmount: money(c.total_price, c.currency), subtotalAmount: money(c.items_subtotal_price, c.currency) },
  discountCodes: (c.discount_codes || []).map((d) => ({ code: d.code, applicable: d.applicable })),
  lines: c.items.map((i) => ({
    id: i.key, quantity: i.quantity,
    merchandise: { id: "gid://shopify/ProductVariant/" + i.variant_id, product: { id: "gid://shopify/Product/" + i.product_id, title: i.product_title } },
    attributes: Object.entries(i.properties || {}).map(([key, value]) => ({ key, value })),
    cost: { totalAmount: money(i.final_line_price, c.currency) },
  })),
});
const ajaxCart = async () => (await fetch(root + "cart.js", { headers: { accept: "application/json" } })).json();
const refresh = (cart) => document.querySelectorAll("[data-cart-count]").forEach((e) => { e.textContent = String(cart.totalQuantity); });
const fail = (errors, body) => errors.push({ code: "INVALID", field: ["lines"], message: body.description || body.message || "Cart error" });
async function getCart() { return { cart: toCart(await ajaxCart()) }; }
function updateCart(payload = {}, options = {}) {
  const context = options.context || "standard-action";
  const lines = payload.lines || [];
  const adds = lines.filter((l) => l.merchandiseId);
  const changes = lines.filter((l) => !l.merchandiseId);
  const run = (async () => {
    const userErrors = [];
    if (adds.length) {
      const r = await post("cart/add.js", { items: adds.map((l) => ({ id: gidId(l.merchandiseId), quantity: l.quantity ?? 1, properties: attrs(l.attributes) })) });
      if (!r.ok) fail(userErrors, r.body);
    }
    for (const l of changes) {
      if (!l.id) throw new Error("updateCart: a line needs merchandiseId (add) or id (update)");
      const r = await post("cart/change.js", { id: l.id, ...(l.quantity !== undefined ? { quantity: l.quantity } : {}), ...(l.attributes ? { properties: attrs(l.attributes) } : {}) });
      if (!r.ok) fail(userErrors, r.body);
    }
    if (payload.attributes || payload.note !== undefined) {
      const body = {};
      if (payload.note !== undefined) body.note = payload.note;
      if (payload.attributes) {
        const current = (await ajaxCart()).attributes;
        const next = attrs(payload.attributes);
        body.attributes = { ...Object.fromEntries(Object.keys(current).map((k) => [k, ""])), ...next };
      }
      const r = await post("cart/update.js", body);
      if (!r.ok) fail(userErrors, r.body);
    }
    if (payload.discountCodes) {
      const r = await post("cart/update.js", { discount: payload.discountCodes.join(",") });
      if (!r.ok) fail(userErrors, r.body);
    }
    const { cart } = await getCart();
    refresh(cart);
    return { cart, userErrors, warnings: [] };
  })();
  run.catch((error) => document.dispatchEvent(Object.assign(new Event("shopify:cart:error", { bubbles: true }), { error })));
  const dispatch = (name, props) => document.dispatchEvent(Object.assign(new Event(name, { bubbles: true }), props, { context, promise: run }));
  if (lines.length) dispatch("shopify:cart:lines-update", { action: adds.length ? "add" : lines.every((l) => l.quantity === 0) ? "remove" : "update", lines });
  if (payload.attributes) dispatch("shopify:cart:attributes-update", { attributes: payload.attributes });
  return run;
}
async function openCart() { location.href = S.routes.cart_url; }
for (const f of [getCart, updateCart, openCart]) f.isDefault = () => false;
S.actions = { getCart, updateCart, openCart };
`;

export interface LayoutOptions {
  title: string;
  locale: string;
  locales: string[];
  shopDomain: string;
  shopName: string;
  store: string;
  currency: string;
  cartCount: number;
  /** Current path (for the locale switch). */
  path: string;
  /** The page's main section. */
  main: string;
  /** Asset URLs the page's blocks name in their schema `javascript`, once each. */
  blockScripts: string[];
  /** Asset URLs the page's blocks name in their schema `stylesheet`, once each. */
  blockStylesheets: string[];
  /** `{% javascript %}` bodies, once per block type. */
  inlineJavascript: string[];
  /** Rendered app embeds (target body). */
  embeds: string[];
}

export function layout(o: LayoutOptions): string {
  const shopify = {
    shop: o.shopDomain,
    locale: o.locale,
    currency: { active: o.currency, rate: "1.0" },
    country: "VN",
    routes: { root: "/", cart_url: `/storefront/${o.store}/cart` },
  };
  const switchLocale = o.locales
    .map((l) => (l === o.locale ? `<b>${escapeHtml(l)}</b>` : `<a href="${escapeHtml(`${o.path}?locale=${encodeURIComponent(l)}`)}" hreflang="${escapeHtml(l)}">${escapeHtml(l)}</a>`))
    .join(" ");
  return `<!doctype html>
<html lang="${escapeHtml(o.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} – ${escapeHtml(o.shopName)}</title>
<style data-local-shopify>${THEME_CSS}</style>
<script data-local-shopify>window.Shopify = ${JSON.stringify(shopify).replace(/</g, "\\u003c")};</script>
<script type="module" data-local-shopify>${ACTIONS_SHIM}</script>
${o.blockStylesheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join("\n")}
${o.blockScripts.map((src) => `<script src="${escapeHtml(src)}" defer="defer"></script>`).join("\n")}
</head>
<body>
<header class="site-header" data-local-shopify>
  <a class="brand" href="/storefront/${escapeHtml(o.store)}">${escapeHtml(o.shopName)}</a>
  <span class="locales">${switchLocale}</span>
  <a href="/storefront/${escapeHtml(o.store)}/cart">Cart (<span data-cart-count>${o.cartCount}</span>)</a>
</header>
<main id="MainContent">
${o.main}
</main>
${o.embeds.join("\n")}
${o.inlineJavascript.map((code) => `<script>${code}</script>`).join("\n")}
</body>
</html>`;
}
