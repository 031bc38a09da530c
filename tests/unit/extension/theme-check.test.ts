/**
 * `shopify theme check` (from @shopify/cli 4 on the pinned Node 22 in node_modules/.bin) gates the theme app extension:
 * zero errors. It picks the theme-app-extension rules itself (the folder holds shopify.extension.toml) and runs offline.
 * A copy with two planted mistakes shows the check can fail.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
const extension = path.join(root, "extensions/insight-widgets");
const bin = path.join(root, "node_modules/.bin");

interface Offense {
  check: string;
  severity: string;
  message: string;
  start_row: number;
}
interface FileReport {
  path: string;
  offenses: Offense[];
  errorCount: number;
}

async function themeCheck(dir: string): Promise<{ code: number; reports: FileReport[] }> {
  const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, SHOPIFY_CLI_NO_ANALYTICS: "1", NO_COLOR: "1" };
  try {
    const { stdout } = await promisify(execFile)(path.join(bin, "shopify"), ["theme", "check", "--path", dir, "--output", "json"], {
      env,
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, reports: JSON.parse(stdout) as FileReport[] };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== "number" || !e.stdout?.trim().startsWith("[")) throw new Error(`theme check did not run: ${e.stderr ?? String(error)}`);
    return { code: e.code, reports: JSON.parse(e.stdout) as FileReport[] };
  }
}

const describeOffenses = (reports: FileReport[]) =>
  reports.flatMap((r) => r.offenses.map((o) => `${path.relative(root, r.path)}:${o.start_row + 1} ${o.severity} ${o.check}: ${o.message}`));

const scratch = mkdtempSync(path.join(tmpdir(), "il-theme-check-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("shopify theme check on extensions/insight-widgets", () => {
  it("finds zero errors", { timeout: 120_000 }, async () => {
    const started = performance.now();
    const { code, reports } = await themeCheck(extension);
    const offenses = describeOffenses(reports);
    console.log(`theme check: ${offenses.length} offenses in ${Math.round(performance.now() - started)} ms${offenses.length ? `\n${offenses.join("\n")}` : ""}`);
    const errors = reports.flatMap((r) => r.offenses.filter((o) => o.severity === "error"));
    expect(offenses.filter((o) => / error /.test(o))).toEqual([]);
    expect(errors).toEqual([]);
    expect(code).toBe(0);
  });

  it("fails a copy with an unknown filter and a missing translation (the gate can fail)", { timeout: 120_000 }, async () => {
    const copy = path.join(scratch, "insight-widgets");
    cpSync(extension, copy, { recursive: true });
    const block = path.join(copy, "blocks/fbt.liquid");
    writeFileSync(block, readFileSync(block, "utf8").replace("{{ total | money }}", "{{ total | moneyy }}").replace("'blocks.fbt.total'", "'blocks.fbt.nope'"));
    const { code, reports } = await themeCheck(copy);
    const checks = reports.flatMap((r) => r.offenses.filter((o) => o.severity === "error").map((o) => o.check)).sort();
    expect(checks).toEqual(["TranslationKeyExists", "UnknownFilter"]);
    expect(code).toBe(1);
  });
});
