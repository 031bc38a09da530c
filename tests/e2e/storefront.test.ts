/**
 * Storefront offers end to end, in a real browser on `npm run demo`: the app publishes the "Frequently bought together"
 * suggestions after the install's sync, the local Shopify renders the theme app extension on a laptop's product page,
 * a treatment visitor sees the planted companions and adds them, the order comes back through `orders/create`, a
 * holdout visitor sees nothing, and the admin's "Storefront offers" page counts all of it.
 *
 * Oracle for the suggestions: the demo's planted truth attaches companions to laptops by CATEGORY
 * (`baskets.attachRules` with from "laptop": mouse, bag, warranty), and a laptop order gets nothing else. So every
 * suggestion on a laptop's page must be a product of one of those categories (tests/demo-store/catalog.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignArm, type Arm } from "../../app/insights/offers/assignment";
import { defaultStorefrontSalt } from "../../app/models/shop-settings";
import { CATALOG } from "../demo-store/catalog";
import type { DemoTruth } from "../demo-store/truth";
import { ROOT } from "../support/migrations";
import { DESKTOP_CHROME, launchChromium, openAppPage, startDemo, type Demo } from "./demo-harness";

const ORDERS = 1000;
const DATA_DIR = "tests/.tmp/demo-e2e-storefront";
const LAPTOP = CATALOG.find((p) => p.title === "VietBook 14" && p.category === "laptop")!;
const FBT = "Frequently bought together";
/** The demo's default holdout share (app/models/shop-settings.ts); the page's own assignment is checked against it. */
const HOLDOUT_SHARE = 0.1;

let demo: Demo;
let browser: Browser;
let admin = "";
let storefront = ""; // http://127.0.0.1:<port>/storefront/<store>
let shop = "";
let startedAt = 0;
const timings: Record<string, number> = {};

/** A visitor id (the format the block's script accepts) that the shop's assignment puts in `arm`. */
function visitorIn(arm: Arm): string {
  const salt = defaultStorefrontSalt(shop);
  for (let i = 1; ; i++) {
    const vid = i.toString(16).padStart(32, "0");
    if (assignArm(vid, salt, HOLDOUT_SHARE) === arm) return vid;
  }
}

/** A fresh desktop visitor whose `_il_vid` cookie is set before the first page. */
async function visitor(vid: string): Promise<BrowserContext> {
  const context = await browser.newContext({ userAgent: DESKTOP_CHROME });
  await context.addCookies([{ name: "_il_vid", value: vid, url: new URL(storefront).origin }]);
  // Cumulative layout shift of each page, as Chromium measures it.
  await context.addInitScript(() => {
    const w = window as unknown as { __cls: number };
    w.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) if (!e.hadRecentInput) w.__cls += e.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  return context;
}

/** Every request the page makes from now on. */
function record(page: Page): Request[] {
  const requests: Request[] = [];
  page.on("request", (r) => requests.push(r));
  return requests;
}

const toApp = (requests: Request[]) =>
  requests.map((r) => r.url()).filter((u) => u.startsWith(demo.appOrigin) || new URL(u).pathname.startsWith("/apps/"));

const cls = (page: Page) => page.evaluate(() => (window as unknown as { __cls: number }).__cls);

/** One stat of one widget card on the admin's "Storefront offers" page, as a number (NaN when not shown). */
async function stat(page: Page, widget: string, label: string): Promise<number> {
  const value = page
    .locator(`xpath=//h2[normalize-space()="${widget}"]/ancestor::*[.//p[normalize-space()="${label}"]][1]//p[normalize-space()="${label}"]/following-sibling::p[1]`)
    .first();
  if ((await value.count()) === 0) return Number.NaN;
  return Number((await value.textContent())!.replace(/,/g, ""));
}

async function storefrontStats(page: Page) {
  await openAppPage(page, admin, "/app/storefront");
  return {
    impressions: await stat(page, FBT, "Suggestions seen (28 days)"),
    holdout: await stat(page, FBT, "Holdout: suggestions that would have been shown"),
    addedToCart: await stat(page, FBT, "Added to cart"),
    orderedLines: await stat(page, FBT, "Ordered lines from it"),
  };
}

beforeAll(async () => {
  startedAt = Date.now();
  demo = await startDemo({ orders: ORDERS, dataDir: DATA_DIR });
  browser = await launchChromium();
  admin = (await demo.waitForLine(/Admin \(embedded app\): (\S+)/, 110_000))[1]!;
  storefront = (await demo.waitForLine(/Storefront preview:\s+(\S+)/, 1000))[1]!;
  shop = (await demo.waitForLine(/Demo store (\S+\.myshopify\.com):/, 1000))[1]!;
  timings.demoReady = Date.now() - startedAt;
  // The app publishes the suggestions after the install's sync and the insights recompute: poll the product page
  // until the fbt block is rendered.
  const deadline = Date.now() + 90_000;
  for (;;) {
    const html = await (await fetch(`${storefront}/products/${LAPTOP.key}`)).text();
    if (html.includes('data-il-widget="fbt"')) break;
    if (Date.now() > deadline) throw new Error(`The fbt block never appeared on ${LAPTOP.title}'s page. Demo output:\n${demo.output()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  timings.published = Date.now() - startedAt;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  console.log(`storefront e2e timings (ms since start): ${JSON.stringify(timings)}`);
});

describe("storefront offers on npm run demo", () => {
  let product: Page;
  let suggestions: { product: string; variant: string; slot: string; rank: string; handle: string }[] = [];
  let laptopId = "";
  let adminPage: Page;

  it("shows a treatment visitor the planted companions of a laptop, without a single request to the app", async () => {
    const truth = JSON.parse(readFileSync(path.join(ROOT, DATA_DIR, `truth-42-${ORDERS}.json`), "utf8")) as DemoTruth;
    const planted = new Set(truth.baskets.attachRules.filter((r) => r.from === "laptop").map((r) => r.to));
    expect([...planted].sort()).toEqual(["bag", "mouse", "warranty"]);

    const vid = visitorIn("treatment");
    product = await (await visitor(vid)).newPage();
    const requests = record(product);
    await product.goto(`${storefront}/products/${LAPTOP.key}`, { waitUntil: "load" });
    await product.waitForLoadState("networkidle");
    expect(await product.locator("html").getAttribute("data-il-vid")).toBe(vid);
    expect(await product.locator("html").getAttribute("data-il-arm")).toBe("treatment");

    const block = product.locator('.il-offer[data-il-widget="fbt"]');
    expect(await block.isVisible()).toBe(true);
    expect(await block.locator(".il-heading").textContent()).toBeTruthy();
    // The page's own product first (no slot), then the suggestions in slot order.
    laptopId = (await product.locator("section.product").getAttribute("data-product-id"))!;
    const first = block.locator(".il-item").first();
    expect(await first.getAttribute("data-il-self")).not.toBeNull();
    expect(await first.getAttribute("data-il-product")).toBe(laptopId);
    suggestions = await block.locator(".il-item[data-il-slot]").evaluateAll((els) =>
      els.map((e) => ({
        product: e.getAttribute("data-il-product")!,
        variant: e.getAttribute("data-il-variant")!,
        slot: e.getAttribute("data-il-slot")!,
        rank: e.getAttribute("data-il-rank")!,
        handle: /\/products\/([^/?#]+)/.exec(e.querySelector("a.il-link")!.getAttribute("href")!)![1]!,
      })),
    );
    expect(suggestions.length).toBeGreaterThanOrEqual(1);
    expect(suggestions.map((s) => s.slot)).toEqual(suggestions.map((_, i) => String(i + 1)));
    const categories = suggestions.map((s) => CATALOG.find((p) => p.key === s.handle)?.category);
    for (const category of categories) expect(planted).toContain(category);

    // Nothing left for the app while loading and rendering: no event, no proxy call, nothing from the app's origin.
    expect(requests.some((r) => r.url().endsWith("/extensions/insight-widgets/assets/insight-widgets.js"))).toBe(true);
    expect(toApp(requests)).toEqual([]);
    timings.treatmentPage = Date.now() - startedAt;
  }, 60_000);

  it("adds the suggestions to the cart with their offer properties, announces it and sends the events", async () => {
    const block = product.locator('.il-offer[data-il-widget="fbt"]');
    await block.scrollIntoViewIfNeeded();
    const checked = await block.locator(".il-check:checked").count();
    expect(checked).toBe(suggestions.length + 1); // every row is checked by default, the laptop's own included
    const events = product.waitForResponse((r) => new URL(r.url()).pathname === "/apps/insight-loop/events");
    await block.locator("[data-il-add=all]").click();
    const many = (await block.getAttribute("data-il-many"))!;
    await expect.poll(() => block.locator("[data-il-live]").textContent()).toBe(many.replace("%n", String(checked)));
    expect((await events).ok()).toBe(true);

    const cartJs = async () =>
      (await (await product.request.get(`${new URL(storefront).origin}/cart.js`)).json()) as {
        items: { product_id: number; variant_id: number; properties: Record<string, string> | null }[];
        attributes: Record<string, string>;
      };
    const cart = await cartJs();
    const offered = cart.items.filter((i) => i.properties?._il_widget);
    expect(offered.map((i) => ({ product: String(i.product_id), variant: String(i.variant_id), ...i.properties }))).toEqual(
      suggestions.map((s) => ({ product: s.product, variant: s.variant, _il_widget: "fbt", _il_slot: s.slot, _il_rank: s.rank })),
    );
    // The laptop itself is in the cart too, without offer properties.
    expect(cart.items.filter((i) => !i.properties?._il_widget).map((i) => String(i.product_id))).toEqual([laptopId]);
    // The visitor and arm go on the cart, so the order comes back with them.
    const vid = await product.locator("html").getAttribute("data-il-vid");
    await expect.poll(async () => (await cartJs()).attributes).toEqual({ _il_vid: vid, _il_arm: "treatment" });
    expect(await cls(product)).toBe(0); // the confirmation shifts nothing
    await product.screenshot({ path: path.join(ROOT, "tests/.tmp/storefront-treatment.png"), fullPage: true });
    timings.addedToCart = Date.now() - startedAt;
  }, 60_000);

  it("checks out, and the admin counts the impression, the add to cart and the ordered lines", async () => {
    await product.goto(`${storefront}/cart`);
    await Promise.all([product.waitForURL(/\/orders\/\d+$/), product.getByRole("button", { name: "Check out" }).click()]);
    expect(await product.locator(".order-name").textContent()).toMatch(/^#\d+$/);

    adminPage = await (await browser.newContext({ userAgent: DESKTOP_CHROME })).newPage();
    await adminPage.route(/^https:\/\/cdn\.shopify\.com\//, (route) => route.abort());
    // A fresh shop with this one visitor: one add to cart and one ordered line per suggestion (the laptop's own line is
    // not the block's); impressions once the block was half in view (it was scrolled to before the click).
    await expect
      .poll(() => storefrontStats(adminPage), { timeout: 60_000, interval: 1000 })
      .toSatisfy((s: Awaited<ReturnType<typeof storefrontStats>>) => s.orderedLines === suggestions.length && s.addedToCart === suggestions.length && s.impressions >= 1);
    timings.ordered = Date.now() - startedAt;
  }, 90_000);

  it("hides the block from a holdout visitor without shifting the page, and counts what would have been shown", async () => {
    const page = await (await visitor(visitorIn("holdout"))).newPage();
    const requests = record(page);
    await page.goto(`${storefront}/products/${LAPTOP.key}`, { waitUntil: "load" });
    await page.waitForLoadState("networkidle");
    expect(await page.locator("html").getAttribute("data-il-arm")).toBe("holdout");
    const block = page.locator('.il-offer[data-il-widget="fbt"]');
    expect(await block.count()).toBe(1); // rendered, and hidden by the inline CSS before it is parsed
    expect(await block.evaluate((e) => getComputedStyle(e).display)).toBe("none");
    expect(await block.boundingBox()).toBeNull();
    expect(await page.locator(".product__app-blocks").evaluate((e) => e.getBoundingClientRect().height)).toBe(0);
    expect(await cls(page)).toBe(0);
    expect(toApp(requests)).toEqual([]);

    // The script logs "would have been shown" at the first idle time after parsing (its idle callback was queued
    // before this one); it leaves when the page is hidden: navigate away, no interaction. (Playwright does not report
    // the requests of a document being unloaded, so the app's count is the proof it arrived.)
    await page.evaluate(() => new Promise((r) => requestIdleCallback(() => r(null))));
    await page.goto(storefront);

    // One "would have been shown" per suggestion row of the hidden block.
    await expect.poll(async () => (await storefrontStats(adminPage)).holdout, { timeout: 60_000, interval: 1000 }).toBe(suggestions.length);
    await adminPage.screenshot({ path: path.join(ROOT, "tests/.tmp/storefront-admin.png"), fullPage: true });
    timings.holdout = Date.now() - startedAt;
  }, 90_000);
});
