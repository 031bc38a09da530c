/**
 * `npm run bench -- upload-bomb [--endless-mb 400] [--bomb-mb 2048]`: peak memory growth (RSS) while the importer
 * reads a hostile upload with the admin's limits (ADR 028), parsing only (the writes are batched and bounded anyway).
 *
 * - endless field: a Shopify export whose quoted field opens and never closes, `--endless-mb` MB of it, gzipped
 *   (400 MB is the ~400 KB .gz of the penetration test, which used to take ~0.9 GB). Stopped by the record cap.
 * - gzip bomb: `--bomb-mb` MB of line breaks gzipped to a few MB, past the admin's decompressed cap. Stopped by the
 *   decompressed-bytes cap.
 *
 * Goal: each grows peak RSS by < 100 MB and ends in an ImportError naming the line. `--unlimited` also reads the
 * endless field with the record cap lifted, the behaviour before ADR 028 (memory grows with the field).
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { once } from "node:events";
import { createGzip } from "node:zlib";
import { readOrders } from "../app/import/read";
import { ADMIN_MAX_DECOMPRESSED_BYTES as MAX_DECOMPRESSED_BYTES, ImportError } from "../app/import/types";
import { option, positive } from "./args";

const MB = 1024 * 1024;

/** A gzip file of `head`, then `totalMb` MB of `fill`, written in 1 MB pieces (never held whole). */
async function gzipFile(file: string, head: string, fill: string, totalMb: number): Promise<number> {
  const gzip = createGzip({ level: 9 });
  const out = createWriteStream(file);
  gzip.pipe(out);
  gzip.write(head);
  const piece = Buffer.from(fill.repeat(Math.ceil(MB / fill.length)).slice(0, MB));
  for (let i = 0; i < totalMb; i++) {
    if (!gzip.write(piece)) await once(gzip, "drain");
  }
  gzip.end();
  await once(out, "finish");
  return statSync(file).size;
}

async function measure(label: string, file: string, compressed: number, format: string, options: Record<string, unknown>) {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  let outcome = "no error (limit not reached)";
  let orders = 0;
  try {
    for await (const _ of readOrders(file, format, options)) orders++;
  } catch (error) {
    outcome = error instanceof ImportError ? error.message.replace(file, "<file>") : `unexpected ${(error as Error).message}`;
  }
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label}: ${(compressed / 1024).toFixed(0)} KB gzipped; peak RSS growth ${((peak - before) / MB).toFixed(1)} MB; ${seconds.toFixed(2)} s; ${orders} orders; ${outcome}`,
  );
}

export async function benchUploadBomb(args: string[]): Promise<void> {
  const endlessMb = positive(option(args, "endless-mb", "400"), "endless-mb");
  const bombMb = positive(option(args, "bomb-mb", String(Math.ceil((MAX_DECOMPRESSED_BYTES * 2) / MB))), "bomb-mb");
  const dir = mkdtempSync(path.join(tmpdir(), "upload-bomb-"));
  try {
    const admin = { maxProblems: 50, maxDecompressedBytes: MAX_DECOMPRESSED_BYTES };
    const endless = path.join(dir, "endless.csv.gz");
    const head = "Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem price,Currency\n#1,,2025-01-01 10:00:00 +0000,1,Mug,9.99,USD\n#2,,2025-01-01 11:00:00 +0000,1,\"";
    const endlessSize = await gzipFile(endless, head, "an endless quoted field, ", endlessMb);
    await measure(`endless quoted field (${endlessMb} MB inflated)`, endless, endlessSize, "shopify-csv", admin);
    if (args.includes("--unlimited")) {
      await measure(`endless quoted field, record cap lifted`, endless, endlessSize, "shopify-csv", { ...admin, maxRecordBytes: 2 ** 40 });
    }

    const bomb = path.join(dir, "bomb.csv.gz");
    const bombSize = await gzipFile(bomb, "Name,Email,Created at,Lineitem quantity,Lineitem name,Lineitem price,Currency\n", "\n", bombMb);
    await measure(`gzip bomb (${bombMb} MB of line breaks, cap ${MAX_DECOMPRESSED_BYTES / MB} MB)`, bomb, bombSize, "shopify-csv", admin);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
