export const consoleState = {
  unexpected: [] as string[],
  allowed: [] as { level: "error" | "warn"; pattern: RegExp }[],
};

/** Declares, inside one test, a console message that is expected and must not fail it. */
export function expectConsole(level: "error" | "warn", pattern: RegExp) {
  consoleState.allowed.push({ level, pattern });
}
