/**
 * The local Shopify admin as the merchant sees it: a page that embeds the app in an iframe, like admin.shopify.com does,
 * with a fresh session token on every load (real session tokens live one minute, so a printed URL with a token in it
 * would soon be dead). The storefront is its own module (storefront.ts); `storefrontUrl` is re-exported here for callers.
 */
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

export { storefrontUrl } from "./storefront";

const storeHandle = (domain: string) => domain.replace(".myshopify.com", "");

export function adminUrl(local: LocalShopify, shop: string, app: EmbeddedApp) {
  return `${local.origin}/store/${storeHandle(shop)}/apps/${app.handle}`;
}

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
  body { margin: 0; font-family: Inter, system-ui, sans-serif; background: #f1f1f1; color: #303030; }
  header { background: #1a1a1a; color: #fff; padding: 10px 16px; font-size: 14px; display: flex; gap: 12px; align-items: center; }
  header b { font-weight: 600; } header span { opacity: .7; }
  iframe { border: 0; width: 100%; height: calc(100vh - 40px); display: block; background: #f1f1f1; }
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
    },
  };
}
