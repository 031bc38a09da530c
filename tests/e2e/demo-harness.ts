/**
 * What the browser end-to-end tests share: start `npm run demo` (scripts/demo.ts) on free ports with its own data
 * directory, wait for what it prints, stop it; launch Debian's Chromium (never a downloaded browser); open an app page
 * inside the local admin's frame.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT } from "../support/migrations";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].find((p) => existsSync(p));

/** Shopify's library answers 410 to bots, and headless Chromium says "HeadlessChrome": present as the desktop browser. */
export const DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export interface Demo {
  process: ChildProcess;
  /** The app server's origin (http://127.0.0.1:<port>). */
  appOrigin: string;
  /** Everything the demo printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects on timeout or when the demo exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
  /** Ctrl-C, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `scripts/demo.ts` with `orders` orders on two free ports, its data under `dataDir` (relative to the repo). */
export async function startDemo(options: { orders: number; dataDir: string }): Promise<Demo> {
  const [port, shopifyPort] = [await freePort(), await freePort()];
  const args = ["scripts/demo.ts", "--orders", String(options.orders), "--port", String(port), "--shopify-port", String(shopifyPort), "--data-dir", options.dataDir];
  // As from a shell: without vitest's variables (with VITEST set, vite.config.ts leaves out the Remix plugin, so the
  // demo's own rebuild of a stale build fails) and without the NODE_ENV vitest sets.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("VITEST") || key === "NODE_ENV") Reflect.deleteProperty(env, key);
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/.bin/tsx"), ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d));
  child.stderr.on("data", (d: Buffer) => (output += d));
  return {
    process: child,
    appOrigin: `http://127.0.0.1:${port}`,
    output: () => output,
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`demo did not print ${pattern} in ${timeoutMs} ms. Output:\n${output}`)), timeoutMs);
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            clearTimeout(timer);
            resolve(match);
          }
        };
        child.stdout.on("data", check);
        child.on("exit", (code) => {
          clearTimeout(timer);
          reject(new Error(`demo exited with ${code}. Output:\n${output}`));
        });
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.on("exit", r));
      child.kill("SIGINT");
      return exited;
    },
  };
}

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error("Chromium not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.");
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Opens `appPath` (a path, with a query or not) of the embedded app the way the admin's frame would: load the admin (a
 * fresh session token each time), take the frame's URL and navigate the page to it with the path replaced. Without
 * App Bridge (the local admin does not serve it) the session token travels as the frame URL's `id_token`, which
 * shopify-app-remix accepts on document requests and, within its minute, on the page's own form posts.
 */
export async function openAppPage(page: Page, adminUrl: string, appPath: string): Promise<void> {
  await page.goto(adminUrl);
  const src = new URL((await page.locator('iframe[name="app-iframe"]').getAttribute("src"))!);
  const target = new URL(appPath, src);
  src.pathname = target.pathname;
  // The page's own query (?preview=…) joins the frame's (shop, host, id_token), as a link inside the app would.
  for (const [key, value] of target.searchParams) src.searchParams.set(key, value);
  await page.goto(src.toString());
}
