import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../../scripts/generate-demo-store";
import { generateDemoStore } from "../../demo-store/generate";
import type { DemoTruth } from "../../demo-store/truth";
import type { SeedStore } from "../../local-shopify/seed";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const SCRIPT = path.join(ROOT, "scripts/generate-demo-store.ts");
const dir = mkdtempSync(path.join(tmpdir(), "demo-store-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), clock: () => 0 };
}

describe("generate-demo-store CLI", () => {
  it("writes store.json (the same bytes as JSON.stringify) and truth.json, and prints one line", async () => {
    const io = capture();
    const out = path.join(dir, "run");
    const code = await main(["--orders", "1000", "--seed", "7", "--out", out], io);
    expect(code).toBe(0);
    expect(io.stderr).toEqual([]);
    expect(io.stdout.join("").trim().split("\n")).toHaveLength(1);
    expect(io.stdout.join("")).toMatch(/1000 orders/);

    const text = readFileSync(path.join(out, "store.json"), "utf8");
    const store = JSON.parse(text) as SeedStore;
    const truth = JSON.parse(readFileSync(path.join(out, "truth.json"), "utf8")) as DemoTruth;
    expect(store.orders).toHaveLength(1000);
    expect(truth.options.orders).toBe(1000);
    expect(truth.seed).toBe(7);
    const expected = generateDemoStore({ seed: 7, orders: 1000 });
    expect(text).toBe(JSON.stringify(expected.store));
    expect(truth).toEqual(JSON.parse(JSON.stringify(expected.truth)));
  });

  it("rejects bad arguments with a message naming the flag", async () => {
    const cases: [string[], RegExp][] = [
      [["--orders", "10", "--out", dir], /--orders: must be an integer from 1000 to 1000000/],
      [["--orders", "2000000", "--out", dir], /--orders/],
      [["--orders", "12.5", "--out", dir], /--orders/],
      [["--out", dir], /--orders: is required/],
      [["--orders", "1000"], /--out: is required/],
      [["--orders", "1000", "--out", dir, "--seed", "-1"], /--seed/],
      [["--orders", "1000", "--out", dir, "--colour", "red"], /--colour: unknown option/],
      [["--orders", "1000", "--out", dir, "--end", "2030-01-01"], /lunar table/],
      [["--orders"], /--orders needs a value/],
    ];
    for (const [argv, message] of cases) {
      const io = capture();
      expect(await main(argv, io), argv.join(" ")).not.toBe(0);
      expect(io.stderr.join("")).toMatch(message);
    }
  });

  it("exits non-zero from the command line on --orders 10", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", SCRIPT, "--orders", "10", "--out", dir], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/--orders/);
  });
});
