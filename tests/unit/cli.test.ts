/**
 * The `insight-loop` CLI as a process: `import … --json` prints only JSON on stdout, failures exit non-zero with a
 * message naming the file, and rows land in the embedded database the CLI closes cleanly. The database is a PGlite
 * folder migrated by the real `prisma migrate deploy` (or loaded from the integration suite's cached migrated template
 * when it is there and current).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ImportReport } from "../../app/import/types";
import { migrationsDigest, prismaMigrateDeploy, ROOT, TMP } from "../support/migrations";

const dir = mkdtempSync(path.join(tmpdir(), "insight-loop-cli-"));
const dataDir = path.join(dir, "pglite");
const csv = path.join(dir, "sales.csv");
const baskets = path.join(dir, "baskets.csv");

beforeAll(async () => {
  const template = path.join(TMP, `pglite-${migrationsDigest()}.tar.gz`);
  if (existsSync(template)) {
    const db = await PGlite.create({ dataDir, loadDataDir: new Blob([readFileSync(template)]) });
    await db.close();
  } else {
    await prismaMigrateDeploy({ DATABASE_URL: "", PGLITE_DATA_DIR: dataDir });
  }
  writeFileSync(csv, ["Invoice,Date,Cust,Item,Qty,Price", "A1,2025-01-05,c1,Tea,2,3.50", "A1,2025-01-05,c1,Cup,1,8", "A2,2025-01-06,,Tea,x,3.50", "A3,2025-01-07,c2,Tea,1,3.50"].join("\n"));
  writeFileSync(baskets, "milk,bread\nbread,butter,jam\n");
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: "", PGLITE_DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const cli = (...args: string[]) => run(process.execPath, ["--import", "tsx", "scripts/cli.ts", ...args]);
const MAP = ["--map", "order_id=Invoice", "--map", "date=Date", "--map", "customer_id=Cust", "--map", "product=Item", "--map", "quantity=Qty", "--map", "price=Price"];

async function countOrders(shop: string): Promise<number> {
  const db = new PGlite(dataDir);
  try {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Order" WHERE "shop" = $1`, [shop]);
    return rows[0]!.n;
  } finally {
    await db.close();
  }
}

describe("insight-loop import", () => {
  it("--json: stdout is only the JSON report; the rows are in the database, which is closed cleanly", async () => {
    const result = await cli("import", csv, "--format", "csv", "--shop", "cli-shop.myshopify.com", ...MAP, "--currency", "EUR", "--json");
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ImportReport;
    expect(report).toMatchObject({
      format: "csv", file: csv, shop: "cli-shop.myshopify.com", rowsRead: 4, rowsImported: 3, rowsSkipped: 1, orders: 2,
      customers: 2, products: 2, currency: "EUR", shopCreated: true,
      problems: [{ line: 4, message: 'Qty "x" is not an integer' }], problemCount: 1,
    });
    expect(await countOrders("cli-shop.myshopify.com")).toBe(2);
  }, 60_000);

  it("works as `npm run --silent cli -- …` and as the package bin, with the same contract", async () => {
    const viaNpm = await run("npm", ["run", "--silent", "cli", "--", "import", baskets, "--format", "baskets", "--shop", "npm-shop", "--json"]);
    expect(viaNpm.code, viaNpm.stderr).toBe(0);
    expect(JSON.parse(viaNpm.stdout)).toMatchObject({ orders: 2, lines: 5, products: 4 });
    const viaBin = await run(process.execPath, ["bin/insight-loop.mjs", "import", baskets, "--format", "baskets", "--shop", "bin-shop", "--date", "2024-05-01", "--json"]);
    expect(viaBin.code, viaBin.stderr).toBe(0);
    expect(JSON.parse(viaBin.stdout)).toMatchObject({ shop: "bin-shop", orders: 2, shopCreated: true });
    expect(await countOrders("bin-shop")).toBe(2);
  }, 90_000);

  it("prints a human summary, and the skipped rows with file and line on stderr, without --json", async () => {
    const result = await cli("import", csv, "--format", "csv", "--shop", "cli-shop.myshopify.com", ...MAP);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Imported .*sales\.csv \(csv\) into cli-shop\.myshopify\.com in [\d.]+ s:\n {2}rows: 4 read, 3 imported, 1 skipped\n {2}2 orders \(0 cancelled\), 3 lines, 2 customers, 2 products/);
    expect(result.stderr).toContain(`${csv}: line 4: Qty "x" is not an integer`);
  }, 60_000);

  it("fails with a non-zero exit and a clear message: bad format, bad option, missing file, missing --shop", async () => {
    const badFormat = await cli("import", csv, "--format", "xlsx", "--shop", "s", "--json");
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/insight-loop import: unknown format "xlsx" \(formats: shopify-csv, online-retail, baskets, cdnow, csv\)/);
    expect(JSON.parse(badFormat.stdout)).toEqual({ error: { message: expect.stringMatching(/unknown format "xlsx"/), field: "--format" } });

    const badTz = await cli("import", csv, "--format", "csv", "--shop", "s", "--tz", "Mars/Base");
    expect(badTz.code).toBe(2);
    expect(badTz.stderr).toMatch(/--tz "Mars\/Base" is not an IANA time zone/);
    expect(badTz.stdout).toBe("");

    const missing = path.join(dir, "missing.csv");
    const noFile = await cli("import", missing, "--format", "csv", "--shop", "s", "--json");
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain(`${missing}: cannot read the file (no such file)`);
    expect(JSON.parse(noFile.stdout)).toMatchObject({ error: { file: missing } });

    const noShop = await cli("import", csv, "--format", "csv");
    expect(noShop.code).toBe(2);
    expect(noShop.stderr).toMatch(/required option '--shop <name>' not specified/);
  }, 90_000);
});
