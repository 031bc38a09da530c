/**
 * `npm run bench -- sync [--lines 100000,1000000] [--db pglite,postgres]`: order lines from a generated shop, exported
 * by the local Shopify as bulk JSONL, synced into PGlite and PostgreSQL. Prints lines/s and the sync's peak RSS.
 * Goals (issue 4): ≥ 50k lines/s into PostgreSQL, ≥ 20k lines/s into PGlite, peak RSS not growing with file size.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { generateDemoStore } from "../tests/demo-store/generate";
import { createLocalShopify } from "../tests/local-shopify";
import { prismaMigrateDeploy, ROOT } from "../tests/support/migrations";

const LINES_PER_ORDER = 1.75; // measured on the generator's default mix; the real count is printed

function runWorker(env: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the sync process, to see where its time goes.
    const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : [];
    const child = spawn(process.execPath, [...profile, "--import", "tsx", "bench/sync-worker.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!)) : reject(new Error(`worker exited ${code}: ${out}`))));
  });
}

export async function benchSync(args: string[]) {
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return (i >= 0 ? args[i + 1] : undefined) ?? fallback;
  };
  const sizes = option("lines", "100000,1000000").split(",").map(Number);
  const dbs = option("db", "pglite,postgres").split(",");
  const adminUrl = process.env.TEST_DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/test";

  console.log(`sync benchmark: bulk JSONL from the local Shopify into ${dbs.join(" and ")}`);
  for (const wanted of sizes) {
    const orders = Math.round(wanted / LINES_PER_ORDER);
    const genStart = performance.now();
    const { store } = generateDemoStore({ seed: 11, orders });
    const lines = store.orders.reduce((n, o) => n + o.lineItems.length, 0);
    console.log(`\n${lines.toLocaleString("en")} order lines in ${orders.toLocaleString("en")} orders (generated in ${((performance.now() - genStart) / 1000).toFixed(1)} s)`);
    const local = createLocalShopify({ plan: { maximumAvailable: 20000, restoreRate: 1000 } });
    local.addShop(store);
    local.issueAccessToken(store.shop.domain, "bench");
    const origin = await local.listen();
    for (const kind of dbs) {
      const env: Record<string, string> = { SHOP: store.shop.domain, LOCAL_ORIGIN: origin, TOKEN: "bench" };
      let cleanup = () => Promise.resolve();
      if (kind === "pglite") {
        const dir = mkdtempSync(path.join(tmpdir(), "il-bench-"));
        await prismaMigrateDeploy({ DATABASE_URL: "", PGLITE_DATA_DIR: dir });
        Object.assign(env, { DATABASE_URL: "", PGLITE_DATA_DIR: dir });
        cleanup = async () => rmSync(dir, { recursive: true, force: true });
      } else {
        const name = `il_bench_${Date.now()}`;
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query(`CREATE DATABASE "${name}"`);
        await admin.end();
        const url = new URL(adminUrl);
        url.pathname = `/${name}`;
        await prismaMigrateDeploy({ DATABASE_URL: url.toString() });
        env.DATABASE_URL = url.toString();
        cleanup = async () => {
          const a = new pg.Client({ connectionString: adminUrl });
          await a.connect();
          await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          await a.end();
        };
      }
      try {
        const result = await runWorker(env);
        const rate = Math.round(Number(result.lines) / Number(result.seconds));
        console.log(
          `  ${kind.padEnd(8)} ${String(result.status).padEnd(9)} ${Number(result.seconds).toFixed(1).padStart(6)} s  ` +
            `${rate.toLocaleString("en").padStart(8)} lines/s (orders file: download, stage, write)  sync process CPU ${Number(result.cpuSeconds).toFixed(1)} s  whole sync ${Number(result.totalSeconds).toFixed(1)} s  peak RSS ${Math.round(Number(result.peakRssMb))} MB` +
            `${result.lines !== lines ? `  (stored ${result.lines} of ${lines} lines!)` : ""}`,
        );
      } finally {
        await cleanup();
      }
    }
    await local.close();
  }
}
