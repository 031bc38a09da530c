/**
 * `npm run bench -- storefront`: what the storefront offers cost a shopper's browser (issue 11's budgets, ADR 019).
 *
 * Starts a local Shopify with a small seeded store (VND) and the app's metafields for one product published through
 * `metafieldsSet`, its storefront rendering the repository's theme app extension (extensions/insight-widgets), and a
 * stand-in app behind the app proxy that counts what reaches it. Debian's Chromium (playwright-core; never a downloaded
 * browser; `CHROMIUM_PATH` to override) with a desktop Chrome user agent opens the product page, then the cart page
 * with that product in the cart, and for each measures from navigation until `load` plus 2 s without any request:
 *
 * - JS: gzipped bytes of the extension's script assets the page loads, plus its blocks' inline scripts;
 * - CSS: gzipped bytes of the blocks' inline `<style>` (and any extension stylesheet);
 * - requests to the app proxy path, to the app itself, and to any host other than the storefront's: all must be 0;
 * - render-blocking resources of ours (scripts without defer/async, stylesheets; and Chromium's own verdict in
 *   Resource Timing's renderBlockingStatus): must be 0;
 *
 * then clicks the page (a first interaction) and hides it, and shows what was flushed (requests and events).
 * Budgets: JS ≤ 5 KB gz, CSS ≤ 4 KB gz per page (KB = 1,000 bytes), 0 requests before interaction, 0 render-blocking.
 * Exits non-zero when one is broken.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Page, type Request } from "playwright-core";
import { createLocalShopify } from "../tests/local-shopify";
import { gid } from "../tests/local-shopify/gid";
import { storefrontModule } from "../tests/local-shopify/modules/storefront";
import type { SeedProduct, SeedStore } from "../tests/local-shopify/seed";
import { emptySeed } from "../tests/local-shopify/store";
import { DEFAULT_EXTENSION_DIR } from "../tests/local-shopify/storefront/liquid";

const BUDGET = { jsGzip: 5000, cssGzip: 4000 };
const IDLE_MS = 2000;
const DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
const CHROMIUM = process.env.CHROMIUM_PATH ?? ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].find((p) => existsSync(p));
const SHOP = "bench-storefront.myshopify.com";
const STORE = "bench-storefront";

function product(id: number, title: string, price: number, productType = "Accessory"): SeedProduct {
  return {
    id,
    title,
    handle: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    productType,
    vendor: "Bench",
    tags: [],
    status: "ACTIVE",
    createdAt: "2025-01-01T00:00:00Z",
    updatedAt: "2025-01-01T00:00:00Z",
    deletedAt: null,
    collectionIds: [],
    variants: [{ id: id * 10 + 1, title: "Default Title", sku: `B-${id}`, price, compareAtPrice: null, unitCost: null, inventoryQuantity: 50, availableForSale: true }],
  };
}

function seed(): SeedStore {
  const headset = product(5, "Gaming Headset", 1_490_000);
  headset.variants.push({ id: 52, title: "White", sku: "B-5W", price: 1_590_000, compareAtPrice: null, unitCost: null, inventoryQuantity: 50, availableForSale: true });
  headset.variants[0]!.title = "Black";
  return {
    ...emptySeed({ domain: SHOP, id: 77, name: "Bench Store", currencyCode: "VND", locales: ["vi", "en"] }),
    products: [product(1, "Laptop 14", 21_990_000, "Laptop"), product(2, "Wireless Mouse", 390_000), product(3, "Laptop Bag", 690_000), product(4, "USB-C Dock", 1_290_000), headset, product(6, "Laptop 16 Pro", 32_990_000, "Laptop")],
  };
}

interface PageFigures {
  page: string;
  jsGzip: number;
  jsFiles: number;
  cssGzip: number;
  proxyBefore: number;
  appBefore: number;
  foreignBefore: number;
  blocking: number;
  blocksShown: number;
  afterInteraction: { proxyRequests: number; events: number; other: string[] };
  afterHide: { proxyRequests: number; events: number };
}

const gz = (text: string | Buffer) => (text.length === 0 ? 0 : gzipSync(text).length);

async function waitIdle(page: Page, lastRequestAt: () => number) {
  await page.waitForLoadState("load");
  while (Date.now() - lastRequestAt() < IDLE_MS) await page.waitForTimeout(100);
}

async function measure(page: Page, url: string, origin: string, appHits: () => number): Promise<PageFigures> {
  const storefrontHost = new URL(origin).host;
  const requests: Request[] = [];
  let last = Date.now();
  const onRequest = (r: Request) => {
    requests.push(r);
    last = Date.now();
  };
  page.on("request", onRequest);
  const appBefore0 = appHits();
  const response = await page.goto(url, { waitUntil: "load" });
  if (response?.status() !== 200) throw new Error(`${url} answered ${response?.status()}: ${(await response?.text())?.slice(0, 500)}`);
  await waitIdle(page, () => last);

  const isProxy = (r: Request) => new URL(r.url()).pathname.startsWith("/apps/");
  const before = [...requests];
  const ours = before.filter((r) => new URL(r.url()).pathname.startsWith("/extensions/"));
  let jsGzip = 0;
  let cssGzip = 0;
  for (const r of ours) {
    const body = (await r.response())?.body();
    if (!body) continue;
    if (r.resourceType() === "script") jsGzip += gz(await body);
    else if (r.resourceType() === "stylesheet") cssGzip += gz(await body);
  }
  const inline = await page.evaluate(() => ({
    scripts: [...document.querySelectorAll(".shopify-app-block script:not([src])")].map((s) => s.textContent ?? "").join("\n"),
    styles: [...document.querySelectorAll(".shopify-app-block style")].map((s) => s.textContent ?? "").join("\n"),
    blocking: [
      ...[...document.querySelectorAll<HTMLScriptElement>("script[src*='/extensions/']")].filter((s) => !s.defer && !s.async && s.type !== "module").map((s) => s.src),
      ...[...document.querySelectorAll<HTMLLinkElement>("link[rel~='stylesheet'][href*='/extensions/']")].map((l) => l.href),
      ...performance
        .getEntriesByType("resource")
        .filter((e) => (e as PerformanceResourceTiming & { renderBlockingStatus?: string }).renderBlockingStatus === "blocking" && e.name.includes("/extensions/"))
        .map((e) => e.name),
    ],
    shown: [...document.querySelectorAll(".il-offer")].filter((e) => (e as HTMLElement).offsetParent !== null).length,
  }));
  jsGzip += gz(inline.scripts);
  cssGzip += gz(inline.styles);
  const figures: PageFigures = {
    page: new URL(url).pathname,
    jsGzip,
    jsFiles: ours.filter((r) => r.resourceType() === "script").length,
    cssGzip,
    proxyBefore: before.filter(isProxy).length,
    appBefore: appHits() - appBefore0,
    foreignBefore: before.filter((r) => new URL(r.url()).host !== storefrontHost && !r.url().startsWith("data:")).length,
    blocking: new Set(inline.blocking).size,
    blocksShown: inline.shown,
    afterInteraction: { proxyRequests: 0, events: 0, other: [] },
    afterHide: { proxyRequests: 0, events: 0 },
  };

  const events = (rs: Request[]) => rs.filter(isProxy).reduce((n, r) => n + ((JSON.parse(r.postData() ?? "{}") as { events?: unknown[] }).events?.length ?? 0), 0);
  // A first interaction: a click on the page's heading (not on a block control).
  const mark = requests.length;
  const flushed = figures.blocksShown > 0 ? page.waitForRequest(isProxy, { timeout: 5000 }).catch(() => null) : Promise.resolve(null);
  await page.click("h1");
  await flushed;
  await waitIdle(page, () => last);
  const afterClick = requests.slice(mark);
  figures.afterInteraction = {
    proxyRequests: afterClick.filter(isProxy).length,
    events: events(afterClick),
    other: afterClick.filter((r) => !isProxy(r)).map((r) => `${r.method()} ${new URL(r.url()).pathname}`),
  };
  // Page hide: leave for a blank page; keepalive requests still go.
  const markHide = requests.length;
  await page.goto("about:blank");
  await page.waitForTimeout(500);
  const afterHide = requests.slice(markHide);
  figures.afterHide = { proxyRequests: afterHide.filter(isProxy).length, events: events(afterHide) };
  page.off("request", onRequest);
  return figures;
}

export async function benchStorefront(_args: string[]): Promise<void> {
  if (!CHROMIUM) throw new Error("Chromium not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.");
  for (const file of ["blocks/fbt.liquid", "blocks/upgrade.liquid", "blocks/cart-offers.liquid"]) {
    if (!existsSync(path.join(DEFAULT_EXTENSION_DIR, file))) throw new Error(`The extension has no ${file}`);
  }

  // The stand-in app: counts every request the proxy forwards; answers events with 202.
  let appHits = 0;
  const app = createServer((req, res) => {
    appHits++;
    req.resume();
    req.on("end", () => {
      res.writeHead(202, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;

  const local = createLocalShopify();
  local.use(storefrontModule({ apiSecret: randomBytes(16).toString("hex"), appUrl }));
  local.addShop(seed());
  const token = `shpat_${randomBytes(8).toString("hex")}`;
  local.issueAccessToken(SHOP, token);
  const origin = await local.listen();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const offers = {
      v: 1,
      version: 1,
      fbt: [2, 3, 5].map((id, i) => ({ product: gid("Product", id), variant: gid("ProductVariant", id * 10 + 1), source: "bought-together", reason: { en: "Often bought together", vi: "Thường được mua cùng" }, rank: "engine", slot: i + 1 })),
      upgrade: { product: gid("Product", 6), variant: gid("ProductVariant", 61), source: "upgrade-path", reason: { en: "More power", vi: "Mạnh hơn" }, priceDifference: 11_000_000 },
      bundle: null,
    };
    const set = await fetch(local.graphqlUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": token },
      body: JSON.stringify({
        query: `mutation Set($metafields: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $metafields) { userErrors { field message } } }`,
        variables: {
          metafields: [
            { ownerId: gid("Product", 1), namespace: "$app", key: "fbt", type: "list.product_reference", value: JSON.stringify([2, 3, 5].map((id) => gid("Product", id))) },
            { ownerId: gid("Product", 1), namespace: "$app", key: "upgrade", type: "product_reference", value: gid("Product", 6) },
            { ownerId: gid("Product", 1), namespace: "$app", key: "offers", type: "json", value: JSON.stringify(offers) },
            { ownerId: gid("Shop", 77), namespace: "$app", key: "widget_settings", type: "json", value: JSON.stringify({ v: 1, version: 1, holdoutShare: 0, salt: "bench", widgets: { fbt: true, upgrade: true, cart: true }, proxyPath: "/apps/insight-loop" }) },
          ],
        },
      }),
    });
    const answer = (await set.json()) as { data?: { metafieldsSet: { userErrors: unknown[] } }; errors?: unknown };
    if (!answer.data || answer.data.metafieldsSet.userErrors.length > 0) throw new Error(`metafieldsSet failed: ${JSON.stringify(answer)}`);

    const context = await browser.newContext({ userAgent: DESKTOP_CHROME, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const results: PageFigures[] = [];
    results.push(await measure(page, `${origin}/storefront/${STORE}/products/laptop-14`, origin, () => appHits));
    // The cart page, with the laptop in the cart (added through the Ajax API with the browser's cookies).
    const added = await context.request.post(`${origin}/cart/add.js`, { data: { items: [{ id: 11, quantity: 1 }] } });
    if (added.status() !== 200) throw new Error(`Adding to the cart failed: HTTP ${added.status()} ${await added.text()}`);
    results.push(await measure(page, `${origin}/storefront/${STORE}/cart`, origin, () => appHits));

    // The path a shopper takes: "Add selected to cart" in the bought-together block (Shopify.actions.updateCart).
    const shopper = await (await browser.newContext({ userAgent: DESKTOP_CHROME })).newPage();
    await shopper.goto(`${origin}/storefront/${STORE}/products/laptop-14`, { waitUntil: "load" });
    const lineUpdate = shopper.evaluate(() => new Promise<string>((resolve) => document.addEventListener("shopify:cart:lines-update", (e) => resolve(String((e as Event & { action?: string }).action)), { once: true })));
    await shopper.click("[data-il-add]");
    const action = await lineUpdate;
    await shopper.locator("[data-il-live]").first().filter({ hasText: /\S/ }).waitFor({ timeout: 5000 });
    const cart = (await (await shopper.request.get(`${origin}/cart.js`)).json()) as { items: { id: number; quantity: number; properties: Record<string, string> | null }[] };
    const confirmation = await shopper.locator("[data-il-live]").first().textContent();
    await shopper.context().close();

    const js = readFileSync(path.join(DEFAULT_EXTENSION_DIR, "assets/insight-widgets.js"));
    console.log(`storefront bench: extension ${path.relative(process.cwd(), DEFAULT_EXTENSION_DIR)}, insight-widgets.js ${js.length} B (${gz(js)} B gz)\n`);
    const rows = [
      ["page", "blocks shown", "JS gz (files)", "CSS gz", "proxy reqs before", "app reqs before", "other-host reqs", "render-blocking", "after click: proxy reqs / events", "after hide: proxy reqs / events"],
      ...results.map((r) => [
        r.page,
        String(r.blocksShown),
        `${r.jsGzip} B (${r.jsFiles})`,
        `${r.cssGzip} B`,
        String(r.proxyBefore),
        String(r.appBefore),
        String(r.foreignBefore),
        String(r.blocking),
        `${r.afterInteraction.proxyRequests} / ${r.afterInteraction.events}`,
        `${r.afterHide.proxyRequests} / ${r.afterHide.events}`,
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
    for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
    console.log(`\nAdd selected to cart (fbt block): shopify:cart:lines-update "${action}", confirmation "${confirmation?.trim()}", cart lines:`);
    for (const item of cart.items) console.log(`  variant ${item.id} × ${item.quantity}  ${JSON.stringify(item.properties ?? {})}`);
    for (const r of results) if (r.afterInteraction.other.length) console.log(`\n${r.page} after click also requested: ${r.afterInteraction.other.join(", ")}`);

    const broken: string[] = [];
    for (const r of results) {
      if (r.jsGzip > BUDGET.jsGzip) broken.push(`${r.page}: JS ${r.jsGzip} B gz > ${BUDGET.jsGzip}`);
      if (r.cssGzip > BUDGET.cssGzip) broken.push(`${r.page}: CSS ${r.cssGzip} B gz > ${BUDGET.cssGzip}`);
      if (r.proxyBefore + r.appBefore + r.foreignBefore > 0) broken.push(`${r.page}: ${r.proxyBefore + r.appBefore + r.foreignBefore} request(s) to the app or another host before any interaction`);
      if (r.blocking > 0) broken.push(`${r.page}: ${r.blocking} render-blocking resource(s) of ours`);
      if (r.blocksShown === 0) broken.push(`${r.page}: no block was shown, so nothing was measured`);
    }
    const tracked = cart.items.filter((i) => i.properties?._il_widget === "fbt").length;
    if (action !== "add" || tracked < 2) broken.push(`adding through the fbt block gave "${action}" and ${tracked} line(s) with _il_widget (expected "add" and ≥ 2)`);
    console.log(`\nBudgets: JS ≤ ${BUDGET.jsGzip} B gz, CSS ≤ ${BUDGET.cssGzip} B gz per page, 0 requests to the app before interaction, 0 render-blocking.`);
    if (broken.length) {
      console.log(`BROKEN:\n  ${broken.join("\n  ")}`);
      process.exitCode = 1;
    } else console.log("All budgets met.");
  } finally {
    await browser.close();
    await local.close();
    await new Promise<void>((resolve) => app.close(() => resolve()));
  }
}
