/** Running the `insight-loop` CLI in-process (scripts/cli.ts main) with its output captured, and files for it to read. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { main } from "../../scripts/cli";

export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { out: (t) => void (stdout += t), err: (t) => void (stderr += t), env: { ...process.env }, progress: false });
  return { code, stdout, stderr };
}

/** A temporary folder for this test file (removed after it), and a writer of line-per-line fixture files in it. */
export function fixtureDir(prefix: string) {
  const dir = mkdtempSync(path.join(tmpdir(), `insight-loop-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    fixture(name: string, lines: string[]): string {
      const file = path.join(dir, name);
      writeFileSync(file, `${lines.join("\n")}\n`);
      return file;
    },
  };
}
