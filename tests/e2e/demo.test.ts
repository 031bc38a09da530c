/**
 * The newcomer's path, in a real browser: `npm run demo` starts, prints the admin URL, and that URL shows the app's home
 * page embedded for the demo shop. Playwright drives Debian's Chromium (never a downloaded browser).
 */
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/migrations";
import { DESKTOP_CHROME, launchChromium, openAppPage, startDemo, type Demo } from "./demo-harness";

let demo: Demo;
let browser: Browser;

beforeAll(async () => {
  demo = await startDemo({ orders: 1000, dataDir: "tests/.tmp/demo-e2e" });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe("npm run demo", () => {
  it("prints an admin URL that shows the embedded app's home page for the demo shop", async () => {
    const [, admin] = await demo.waitForLine(/Admin \(embedded app\): (\S+)/, 150_000);
    const [, storefront] = await demo.waitForLine(/Storefront preview:\s+(\S+)/, 1000);
    const context = await browser.newContext({ userAgent: DESKTOP_CHROME });
    const page = await context.newPage();
    // Offline: Shopify's CDN (App Bridge script, fonts) cannot load; the app must render without them.
    await page.route(/^https:\/\/cdn\.shopify\.com\//, (route) => route.abort());
    const response = await page.goto(admin!);
    expect(response?.status()).toBe(200);
    const app = page.frameLocator('iframe[name="app-iframe"]');
    await expect.poll(() => app.locator(".Polaris-Page").count(), { timeout: 15_000 }).toBe(1);
    expect(await app.locator("h1").first().textContent()).toBe("Insight Loop");
    expect(await app.getByText("insight-loop-demo.myshopify.com").count()).toBeGreaterThan(0);
    // The install started the full sync: reloading the admin (a fresh session token each time) shows the whole store.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.frameLocator('iframe[name="app-iframe"]').locator("p", { hasText: /^1,000$/ }).count();
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toBe(1);
    expect(await page.frameLocator('iframe[name="app-iframe"]').getByText("Your data is up to date").count()).toBe(1);
    await page.screenshot({ path: path.join(ROOT, "tests/.tmp/demo-admin.png") });

    const shopPage = await context.newPage();
    expect((await shopPage.goto(storefront!))?.status()).toBe(200);
    expect(await shopPage.locator("a.card").count()).toBeGreaterThan(5);

    // The sync queued the insights recompute and the demo's web process ran it: every insight page shows results, and
    // nothing fails in the browser on the way. The pages load in the admin's frame, with the frame's fresh token.
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const pages = [
      { path: "/app/cross-sell", shows: "Frequently bought together" },
      { path: "/app/customers", shows: "RFM groups" },
      { path: "/app/trends", shows: "Forecast: orders per week" },
    ];
    for (const { path: appPath, shows } of pages) {
      await expect
        .poll(
          async () => {
            await openAppPage(page, admin!, appPath);
            return page.getByText(shows, { exact: true }).count();
          },
          { timeout: 60_000, interval: 2000 },
        )
        .toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
  }, 240_000);

  it("stops every process it started on Ctrl-C", async () => {
    expect(await demo.stop()).toBe(0);
    const [, admin] = /Admin \(embedded app\): (\S+)/.exec(demo.output())!;
    await expect(fetch(admin!)).rejects.toThrow(); // the local Shopify is closed
    await expect(fetch(demo.appOrigin)).rejects.toThrow(); // and so is the app server
  }, 30_000);
});
