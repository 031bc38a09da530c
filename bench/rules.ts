/**
 * `npm run bench -- rules [--orders 1000000] [--baseline-orders N] [--support 0.001] [--retail-support 0.01]
 * [--timeout 600] [--repeat 3]`: frequent itemsets by our FP-growth (app/insights/rules) and by the npm package node-fpgrowth on
 * identical input (arrays of item names) and thresholds, each run in its own child process (bench/rules-worker.ts) so
 * that its peak RSS is its own. Inputs (bench/rules-data.ts): UCI Online Retail (invoices as baskets, StockCode items)
 * and a generated store (Zipf-like popularity over 5,000 products, 40 planted pairs).
 *
 * The itemsets (with counts) of the two must be identical: a mismatch is printed loudly and the exit code is 1.
 * node-fpgrowth gets the whole store unless --baseline-orders is smaller than --orders (default: equal); then it runs on the first
 * --baseline-orders orders (and so does ours, for the ratio), and ours alone on the whole store. Goals (issue 5): ≥ 10×
 * faster than node-fpgrowth; 1M orders mined in < 10 s on 2 cores.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "../tests/support/migrations";
import { STORE } from "./rules-data";

interface WorkerResult {
  algo: string;
  n: number;
  minCount: number;
  itemsets: number;
  seconds: number;
  rssBeforeMb: number;
  peakRssMb: number;
  out: string;
}

function runWorker(env: Record<string, string>, timeoutS: number): Promise<WorkerResult | "timeout"> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "bench/rules-worker.ts"], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutS * 1000);
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (timedOut) resolve("timeout");
      else if (code === 0) resolve({ ...(JSON.parse(out.trim().split("\n").at(-1)!) as WorkerResult), out: env.OUT! });
      else reject(new Error(`worker ${env.ALGO} exited ${code}: ${out}`));
    });
  });
}

const mb = (x: number) => `${Math.round(x)} MB`;
const line = (r: WorkerResult) =>
  `  ${r.algo.padEnd(13)} ${r.n.toLocaleString("en").padStart(9)} orders  ${r.seconds.toFixed(2).padStart(7)} s  ${String(r.itemsets).padStart(6)} itemsets (count ≥ ${r.minCount})  ` +
  `RSS before mining ${mb(r.rssBeforeMb)}, peak ${mb(r.peakRssMb)} (+${mb(r.peakRssMb - r.rssBeforeMb)})`;

export async function benchRules(args: string[]) {
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return (i >= 0 ? args[i + 1] : undefined) ?? fallback;
  };
  const orders = Number(option("orders", "1000000"));
  const baselineOrders = Math.min(orders, Number(option("baseline-orders", String(orders))));
  const support = option("support", "0.001");
  const retailSupport = option("retail-support", "0.01");
  const timeout = Number(option("timeout", "600"));
  const repeat = option("repeat", "3");
  const dir = mkdtempSync(path.join(tmpdir(), "il-rules-bench-"));
  let failed = false;

  const compare = async (title: string, env: Record<string, string>) => {
    console.log(`\n${title}`);
    env = { ...env, REPEAT: repeat };
    const ours = await runWorker({ ...env, ALGO: "ours", OUT: path.join(dir, `${env.DATA}-${env.ORDERS ?? ""}-ours.txt`) }, timeout);
    const theirs = await runWorker({ ...env, ALGO: "node-fpgrowth", OUT: path.join(dir, `${env.DATA}-${env.ORDERS ?? ""}-node-fpgrowth.txt`) }, timeout);
    if (ours === "timeout") throw new Error(`our miner took more than ${timeout} s`);
    console.log(line(ours));
    if (theirs === "timeout") {
      console.log(`  node-fpgrowth did not finish within ${timeout} s: no comparison on this input`);
      return;
    }
    console.log(line(theirs));
    const a = readFileSync(ours.out, "utf8");
    const b = readFileSync(theirs.out, "utf8");
    if (a !== b) {
      failed = true;
      const left = new Set(a.split("\n"));
      const right = new Set(b.split("\n"));
      const onlyOurs = [...left].filter((x) => !right.has(x));
      const onlyTheirs = [...right].filter((x) => !left.has(x));
      console.error(`\n  !!! MISMATCH: the frequent itemsets differ (${onlyOurs.length} only ours, ${onlyTheirs.length} only node-fpgrowth's)`);
      for (const x of onlyOurs.slice(0, 10)) console.error(`  !!! only ours:          ${x.replace("\t", " × ")}`);
      for (const x of onlyTheirs.slice(0, 10)) console.error(`  !!! only node-fpgrowth: ${x.replace("\t", " × ")}`);
      return;
    }
    console.log(
      `  identical frequent itemsets (${ours.itemsets}, counts included); ours is ${(theirs.seconds / ours.seconds).toFixed(1)}× faster, ` +
        `peak RSS ratio ${(theirs.peakRssMb / ours.peakRssMb).toFixed(2)} (node-fpgrowth / ours), memory added by mining ` +
        `${mb(theirs.peakRssMb - theirs.rssBeforeMb)} vs ${mb(ours.peakRssMb - ours.rssBeforeMb)}`,
    );
  };

  try {
    console.log("rules benchmark: all frequent itemsets, ours (FP-growth on typed arrays) vs node-fpgrowth, same input and count threshold");
    console.log(`(time = mining from arrays of item names, our encoding included, best of ${repeat} runs in one process; peak RSS includes the input, built before mining)`);
    await compare(`UCI Online Retail (invoices, StockCode items), minSupport ${retailSupport}`, { DATA: "online-retail", MIN_SUPPORT: retailSupport });
    const store = `generated store (${STORE.products} products, Zipf ${STORE.zipf}, ${STORE.plantedPairs} planted pairs, seed ${STORE.seed})`;
    if (baselineOrders < orders) {
      await compare(`${store}, first ${baselineOrders.toLocaleString("en")} orders, minSupport ${support} (node-fpgrowth runs on this subset only)`, {
        DATA: "random",
        ORDERS: String(baselineOrders),
        MIN_SUPPORT: support,
      });
      console.log(`\n${store}, ${orders.toLocaleString("en")} orders, minSupport ${support}: ours alone`);
      const big = await runWorker({ DATA: "random", ORDERS: String(orders), MIN_SUPPORT: support, REPEAT: repeat, ALGO: "ours", OUT: path.join(dir, "big-ours.txt") }, timeout);
      if (big === "timeout") throw new Error(`our miner took more than ${timeout} s`);
      console.log(line(big));
    } else {
      await compare(`${store}, ${orders.toLocaleString("en")} orders, minSupport ${support}`, { DATA: "random", ORDERS: String(orders), MIN_SUPPORT: support });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed) {
    console.error("\nFAILED: the miners disagree (see MISMATCH above)");
    process.exitCode = 1;
  }
}
