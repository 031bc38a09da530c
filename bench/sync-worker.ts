/**
 * Benchmark worker (a child process, so its peak RSS is the sync's own): runs one full sync of SHOP from the local
 * Shopify at LOCAL_ORIGIN into the database chosen by DATABASE_URL / PGLITE_DATA_DIR, and prints one JSON line.
 */
import { PrismaClient } from "@prisma/client";
import { openPGlite, resolveDatabaseTarget, runtimeAdapter } from "../app/db/adapters.server";
import { createAdminClient } from "../app/shopify/client.server";
import { runFullSync, startFullSync } from "../app/shopify/sync/full-sync.server";

const shop = process.env.SHOP!;
const origin = process.env.LOCAL_ORIGIN!;
const target = resolveDatabaseTarget(process.env);
const pglite = target.kind === "pglite" ? openPGlite(target.dataDir) : undefined;
const db = new PrismaClient({ adapter: runtimeAdapter(target, pglite) });

await db.shop.upsert({ where: { domain: shop }, create: { domain: shop, currency: "VND" }, update: {} });
const client = createAdminClient({
  shop,
  accessToken: process.env.TOKEN!,
  fetch: (input, init) => fetch(String(input instanceof Request ? input.url : input).replace(`https://${shop}`, origin), init),
});
const started = performance.now();
const { run } = await startFullSync({ shop, db, now: new Date() });
// Time spent waiting for Shopify's export is not ours: measure from the moment the orders file starts downloading.
let lastDownload = started;
let cpuAtDownload = process.cpuUsage();
const download = (url: string) => {
  lastDownload = performance.now();
  cpuAtDownload = process.cpuUsage();
  return fetch(url);
};
const done = await runFullSync({ runId: run.id, deps: { db, client, now: () => new Date(), pollIntervalMs: 50, download } });
const ended = performance.now();
// This process's own CPU over the orders file (parsing, mapping, the driver; PGlite's engine runs in it too).
const cpu = process.cpuUsage(cpuAtDownload);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const seconds = (ended - lastDownload) / 1000;
const totalSeconds = (ended - started) / 1000;
const lines = await db.orderLine.count({ where: { shop } });
const orders = await db.order.count({ where: { shop } });
console.log(JSON.stringify({ status: done.status, lastError: done.lastError, seconds, cpuSeconds, totalSeconds, orders, lines, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
await db.$disconnect();
await pglite?.close();
