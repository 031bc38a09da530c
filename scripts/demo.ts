/**
 * `npm run demo`: the whole app on a seeded demo store, without a real Shopify store.
 *
 * 1. Generates the demo store (deterministic), and writes its planted truth under data/demo/.
 * 2. Starts the local Shopify on loopback with that store: Admin GraphQL, token exchange, bulk operations, an admin page
 *    that embeds the app, and a storefront preview.
 * 3. Starts the app (the production build) on its own embedded database, pointed at the local Shopify.
 * 4. Installs the app on the demo shop through the normal path: a session token → token exchange → afterAuth.
 * 5. Prints the admin URL and the storefront preview URL. Ctrl-C stops everything it started.
 *
 * The app secret is random for each run and never printed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { generateDemoStore } from "../tests/demo-store/generate";
import { createLocalShopify } from "../tests/local-shopify";
import { adminPageModule, adminUrl, storefrontUrl } from "../tests/local-shopify/modules/admin-page";
import { oauthModule } from "../tests/local-shopify/modules/oauth";
import { storefrontModule } from "../tests/local-shopify/modules/storefront";
import type { SeedStore } from "../tests/local-shopify/seed";
import { hostParam, signSessionToken } from "../tests/local-shopify/session-token";
import { isBuildFresh } from "../tests/support/server-build";

const ROOT = path.resolve(import.meta.dirname, "..");

const Options = z.object({
  orders: z.coerce.number().int().min(1000).max(1_000_000).default(5000),
  seed: z.coerce.number().int().min(0).default(42),
  port: z.coerce.number().int().min(1).max(65535).default(3000),
  shopifyPort: z.coerce.number().int().min(1).max(65535).default(4100),
  dataDir: z.string().min(1).default("data/demo"),
});

function parseArgs(argv: string[]) {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!match) throw new Error(`Unexpected argument "${argv[i]}". Usage: npm run demo -- [--orders N] [--seed S] [--port P] [--shopify-port P] [--data-dir D]`);
    const key = match[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    raw[key] = match[2] ?? argv[++i] ?? "";
  }
  const parsed = Options.safeParse(raw);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`).join("\n"));
  }
  return parsed.data;
}

/**
 * Generates the demo store in memory (deterministic: the same seed gives the same shop; 5,000 orders take about 0.3 s,
 * a million about 30 s) and writes its planted truth beside the demo's data.
 */
function generate(dir: string, seed: number, orders: number): { store: SeedStore; truthFile: string } {
  mkdirSync(dir, { recursive: true });
  const truthFile = path.join(dir, `truth-${seed}-${orders}.json`);
  const { store, truth } = generateDemoStore({ seed, orders });
  writeFileSync(`${truthFile}.partial`, JSON.stringify(truth, null, 2));
  renameSync(`${truthFile}.partial`, truthFile);
  return { store, truthFile };
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The app exited with code ${child.exitCode} before it was ready.`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The app did not answer at ${url} within ${timeoutMs / 1000} s.`);
}

/** What the demo started, stopped on Ctrl-C, on SIGTERM and on any failure. */
const started: { server?: ChildProcess; local?: { close(): Promise<void> } } = {};
let stopping = false;

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (started.server && started.server.exitCode === null) {
    const exited = new Promise((resolve) => started.server!.once("exit", resolve));
    started.server.kill("SIGTERM");
    await exited;
  }
  await started.local?.close();
  process.exit(code);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const startedAt = Date.now();
  const dir = path.resolve(ROOT, options.dataDir);
  const { store, truthFile } = generate(dir, options.seed, options.orders);
  const shop = store.shop.domain;

  const app = {
    apiKey: "insight-loop-demo",
    apiSecret: randomBytes(24).toString("hex"),
    appUrl: `http://127.0.0.1:${options.port}`,
    handle: "insight-loop",
    name: "Insight Loop",
    scopes: "read_orders,read_all_orders,read_products,write_products,write_discounts,read_customers,write_customers,write_app_proxy",
  };

  const local = createLocalShopify();
  local.use(oauthModule(app)).use(adminPageModule(app)).use(storefrontModule(app));
  local.addShop(store);
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  started.local = local;
  await local.listen(options.shopifyPort);

  // A fresh database each run: the local Shopify is new each run too (new tokens, new secret), so sessions stored by an
  // earlier run would point at tokens nobody honours. The demo store itself is regenerated identically from its seed.
  const dataDir = path.join(dir, "pglite");
  rmSync(dataDir, { recursive: true, force: true });
  const env = {
    ...process.env,
    // Not "production": the local-only routing is refused there. Not "development": remix-serve would then wait for a
    // Vite dev server. The demo serves the production build with NODE_ENV=test.
    NODE_ENV: "test" as const,
    // …but, unlike tests, with the job workers running: webhooks and the insights recompute after the sync.
    JOB_WORKERS: "on" as const,
    PORT: String(options.port),
    HOST: "127.0.0.1",
    SHOPIFY_API_KEY: app.apiKey,
    SHOPIFY_API_SECRET: app.apiSecret,
    SHOPIFY_APP_URL: app.appUrl,
    SCOPES: app.scopes,
    SHOPIFY_LOCAL_ADMIN_ORIGIN: local.origin,
    DATABASE_URL: "",
    PGLITE_DATA_DIR: dataDir,
  };
  const bin = path.join(ROOT, "node_modules/.bin");
  if (!isBuildFresh()) {
    console.log("demo: building the app (remix vite:build)…");
    const build = spawnSync(process.execPath, [path.join(bin, "remix"), "vite:build"], { cwd: ROOT, encoding: "utf8" });
    if (build.status !== 0) throw new Error(`Building the app failed:\n${build.stdout}${build.stderr}`);
  }
  const migrate = spawnSync(path.join(bin, "prisma"), ["migrate", "deploy"], { cwd: ROOT, env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`Migrating the demo database failed:\n${migrate.stdout}${migrate.stderr}`);

  const server = spawn(process.execPath, [path.join(bin, "remix-serve"), "build/server/index.js"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.server = server;
  server.stdout!.on("data", (d: Buffer) => process.env.DEMO_VERBOSE && process.stdout.write(`[app] ${d}`));
  server.stderr!.on("data", (d: Buffer) => process.stderr.write(`[app] ${d}`));
  server.on("exit", (code) => {
    if (!stopping) {
      console.error(`The app stopped unexpectedly (exit code ${code}).`);
      void stop(1);
    }
  });

  await waitFor(`${app.appUrl}/`, server);

  // Install through the normal path: the admin opens the app with a session token; the app exchanges it for an
  // access token at the (local) Shopify and runs afterAuth.
  const install = new URL("/app", app.appUrl);
  install.search = new URLSearchParams({
    embedded: "1",
    shop,
    host: hostParam(shop),
    id_token: await signSessionToken({ shop, apiKey: app.apiKey, secret: app.apiSecret }),
  }).toString();
  // The library answers 410 to bots, and Node's fetch user agent counts as one: identify as the browser the admin is.
  const installed = await fetch(install, {
    headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36" },
  });
  if (installed.status !== 200) throw new Error(`Installing the app on ${shop} failed: HTTP ${installed.status}`);

  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  console.log(`
Insight Loop demo is running (ready in ${seconds} s).

  Admin (embedded app): ${adminUrl(local, shop, app)}
  Storefront preview:   ${storefrontUrl(local, shop)}

  Demo store ${shop}: ${store.orders.length.toLocaleString("en")} orders, ${store.customers.length.toLocaleString("en")} customers, ${store.products.length} products (seed ${options.seed}).
  Planted truth: ${path.relative(ROOT, truthFile)}

Press Ctrl-C to stop.`);
}

main().catch((error: unknown) => {
  console.error(`demo: ${(error as Error).message}`);
  void stop(1);
});
