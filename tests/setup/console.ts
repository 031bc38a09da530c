/**
 * An unexpected console.error or console.warn fails the test that caused it. A test that expects one says so with
 * `expectConsole("error", /pattern/)` from tests/support/console.ts.
 */
import { afterEach, beforeEach, vi } from "vitest";
import { consoleState } from "../support/console";

beforeEach(() => {
  consoleState.unexpected = [];
  consoleState.allowed = [];
  for (const level of ["error", "warn"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      const text = args.map((a) => (a instanceof Error ? a.stack ?? a.message : String(a))).join(" ");
      if (!consoleState.allowed.some((rule) => rule.level === level && rule.pattern.test(text))) {
        consoleState.unexpected.push(`console.${level}: ${text}`);
      }
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  const unexpected = consoleState.unexpected;
  consoleState.unexpected = [];
  if (unexpected.length > 0) {
    throw new Error(`Unexpected console output (use expectConsole() if it is expected):\n${unexpected.join("\n")}`);
  }
});
