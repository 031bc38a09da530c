/**
 * The local Shopify admin as the merchant sees it: a page that embeds the app in an iframe, like admin.shopify.com does,
 * with a fresh session token on every load (real session tokens live one minute, so a printed URL with a token in it
 * would soon be dead). And a bare storefront preview: product pages where later work renders the theme app extension.
 */
import { currencyDigits } from "../gid";
import { escapeHtml } from "../html";
import { hostParam, signSessionToken } from "../session-token";
import type { ApiModule, LocalShopify } from "../server";

export interface EmbeddedApp {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  handle: string;
  name: string;
}

const storeHandle = (domain: string) => domain.replace(".myshopify.com", "");

export function adminUrl(local: LocalShopify, shop: string, app: EmbeddedApp) {
  return `${local.origin}/store/${storeHandle(shop)}/apps/${app.handle}`;
}

export function storefrontUrl(local: LocalShopify, shop: string) {
  return `${local.origin}/storefront/${storeHandle(shop)}`;
}

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
  body { margin: 0; font-family: Inter, system-ui, sans-serif; background: #f1f1f1; color: #303030; }
  header { background: #1a1a1a; color: #fff; padding: 10px 16px; font-size: 14px; display: flex; gap: 12px; align-items: center; }
  header b { font-weight: 600; } header span { opacity: .7; }
  iframe { border: 0; width: 100%; height: calc(100vh - 40px); display: block; background: #f1f1f1; }
  main { max-width: 960px; margin: 24px auto; padding: 0 16px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 16px; }
  .card { background: #fff; border-radius: 12px; padding: 16px; box-shadow: 0 1px 2px rgba(0,0,0,.1); }
  a { color: #005bd3; } a.card { text-decoration: none; color: inherit; }
</style></head><body>${body}</body></html>`;
}

export function adminPageModule(app: EmbeddedApp): ApiModule {
  return {
    name: "admin-page",
    install(local) {
      local.route("GET", /^\/store\/([a-z0-9-]+)\/apps\/([a-z0-9-]+)$/, async (_request, match) => {
        const shop = `${match[1]}.myshopify.com`;
        if (!local.shops.has(shop) || match[2] !== app.handle) return { status: 404, body: "Not Found" };
        const token = await signSessionToken({ shop, apiKey: app.apiKey, secret: app.apiSecret });
        const src = new URL("/app", app.appUrl);
        src.search = new URLSearchParams({ embedded: "1", shop, host: hostParam(shop), locale: "en", id_token: token }).toString();
        const body = `<header><b>${escapeHtml(match[1]!)}</b><span>Local Shopify admin</span><span>›</span><b>${escapeHtml(app.name)}</b></header>
<iframe title="${escapeHtml(app.name)}" name="app-iframe" src="${escapeHtml(src.toString())}"></iframe>`;
        return { status: 200, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }, body: page(app.name, body) };
      });

      local.route("GET", /^\/storefront\/([a-z0-9-]+)(?:\/products\/([a-z0-9-]+))?$/, (_request, match) => {
        const state = local.shops.get(`${match[1]}.myshopify.com`);
        if (!state) return { status: 404, body: "Not Found" };
        const { seed } = state;
        const live = seed.products.filter((p) => p.deletedAt === null && p.status === "ACTIVE");
        const { currencyCode } = seed.shop;
        const formatter = new Intl.NumberFormat(seed.shop.locales[0] ?? "en", { style: "currency", currency: currencyCode });
        const price = (minor: number) => formatter.format(minor / 10 ** currencyDigits(currencyCode));
        const html = (body: string, title: string) => ({ status: 200, headers: { "content-type": "text/html; charset=utf-8" }, body: page(title, body) });
        if (match[2]) {
          const product = live.find((p) => p.handle === match[2]);
          if (!product) return { status: 404, body: "Not Found" };
          const variant = product.variants[0];
          return html(
            `<header><b>${escapeHtml(seed.shop.name)}</b><span>Storefront preview</span></header><main><div class="card">
<p><a href="/storefront/${escapeHtml(match[1]!)}">← All products</a></p><h1>${escapeHtml(product.title)}</h1>
<p>${variant ? escapeHtml(price(variant.price)) : ""}</p><p>${escapeHtml(product.productType)} · ${escapeHtml(product.vendor)}</p>
<div id="insight-loop-widgets" data-product-id="${product.id}"><!-- bundle and upgrade widgets render here --></div></div></main>`,
            product.title,
          );
        }
        const cards = live
          .map((p) => `<a class="card" href="/storefront/${escapeHtml(match[1]!)}/products/${escapeHtml(p.handle)}"><b>${escapeHtml(p.title)}</b><br>${p.variants[0] ? escapeHtml(price(p.variants[0].price)) : ""}</a>`)
          .join("");
        return html(`<header><b>${escapeHtml(seed.shop.name)}</b><span>Storefront preview</span></header><main><div class="grid">${cards}</div></main>`, seed.shop.name);
      });
    },
  };
}
