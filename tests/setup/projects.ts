/**
 * Vitest projects: unit (no database), and the same integration suite twice — on embedded PGlite and on PostgreSQL.
 * The Postgres suite can be skipped only on a developer machine, by SKIP_POSTGRES_TESTS=1; CI never skips it.
 */
import type { TestProjectInlineConfiguration } from "vitest/config";

export function testProjects(env: Record<string, string | undefined> = process.env): TestProjectInlineConfiguration[] {
  const common = ["tests/setup/console.ts"];
  const integration = ["tests/setup/test-env.ts", ...common];
  const projects: TestProjectInlineConfiguration[] = [
    {
      extends: true,
      test: { name: "unit", include: ["tests/unit/**/*.test.{ts,tsx}"], setupFiles: common, environment: "node" },
    },
    {
      extends: true,
      test: {
        name: "integration-pglite",
        include: ["tests/integration/**/*.test.{ts,tsx}"],
        // pg-boss is the PostgreSQL job queue: the embedded database has the in-process queue (jobs-in-process).
        exclude: ["tests/integration/jobs-pg-boss.test.ts"],
        globalSetup: ["tests/setup/global-pglite.ts"],
        setupFiles: [...integration, "tests/setup/db-pglite.ts"],
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    },
  ];
  projects.push({
    extends: true,
    test: {
      name: "e2e",
      include: ["tests/e2e/**/*.test.ts"],
      setupFiles: common,
      testTimeout: 180_000,
      hookTimeout: 120_000,
    },
  });
  if (env.SKIP_POSTGRES_TESTS === "1") {
    if (env.CI) throw new Error("SKIP_POSTGRES_TESTS=1 is not allowed in CI: the PostgreSQL suite must run.");
    console.warn("\n  SKIP_POSTGRES_TESTS=1: the PostgreSQL integration suite is SKIPPED. CI runs it.\n");
    return projects;
  }
  projects.push({
    extends: true,
    test: {
      name: "integration-postgres",
      include: ["tests/integration/**/*.test.{ts,tsx}"],
      globalSetup: ["tests/setup/global-postgres.ts"],
      setupFiles: [...integration, "tests/setup/db-postgres.ts"],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  });
  return projects;
}
