/**
 * The newcomer's path, in a real browser: `npm run demo` starts, prints the admin URL, and that URL shows the app's home
 * page embedded for the demo shop. Playwright drives Debian's Chromium (never a downloaded browser).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/migrations";

const CHROMIUM = process.env.CHROMIUM_PATH ?? ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].find((p) => existsSync(p));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
let demo: ChildProcess;
let appOrigin = "";
let output = "";
let browser: Browser;

function waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo did not print ${pattern} in ${timeoutMs} ms. Output:\n${output}`)), timeoutMs);
    const check = () => {
      const match = pattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    demo.stdout!.on("data", check);
    demo.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}. Output:\n${output}`));
    });
    check();
  });
}

beforeAll(async () => {
  if (!CHROMIUM) throw new Error("Chromium not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.");
  const [port, shopifyPort] = [await freePort(), await freePort()];
  appOrigin = `http://127.0.0.1:${port}`;
  const args = ["scripts/demo.ts", "--orders", "1000", "--port", String(port), "--shopify-port", String(shopifyPort), "--data-dir", "tests/.tmp/demo-e2e"];
  demo = spawn(process.execPath, [path.join(ROOT, "node_modules/.bin/tsx"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  demo.stdout!.on("data", (d: Buffer) => (output += d));
  demo.stderr!.on("data", (d: Buffer) => (output += d));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (demo && demo.exitCode === null) {
    const exited = new Promise((r) => demo.on("exit", r));
    demo.kill("SIGINT");
    await exited;
  }
});

describe("npm run demo", () => {
  it("prints an admin URL that shows the embedded app's home page for the demo shop", async () => {
    const [, admin] = await waitForLine(/Admin \(embedded app\): (\S+)/, 150_000);
    const [, storefront] = await waitForLine(/Storefront preview:\s+(\S+)/, 1000);
    // Shopify's library answers 410 to bots, and headless Chromium says "HeadlessChrome": present as the desktop browser.
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
            await page.goto(admin!);
            const src = new URL((await page.locator('iframe[name="app-iframe"]').getAttribute("src"))!);
            src.pathname = appPath;
            await page.goto(src.toString());
            return page.getByText(shows, { exact: true }).count();
          },
          { timeout: 60_000, interval: 2000 },
        )
        .toBeGreaterThan(0);
    }
    expect(errors).toEqual([]);
  }, 240_000);

  it("stops every process it started on Ctrl-C", async () => {
    const exited = new Promise<number | null>((r) => demo.on("exit", r));
    demo.kill("SIGINT");
    expect(await exited).toBe(0);
    const [, admin] = /Admin \(embedded app\): (\S+)/.exec(output)!;
    await expect(fetch(admin!)).rejects.toThrow(); // the local Shopify is closed
    await expect(fetch(appOrigin)).rejects.toThrow(); // and so is the app server
  }, 30_000);
});
