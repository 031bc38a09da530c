// ESLint flat config. The rule that matters most: app/insights/** is a pure analytics core (plain data in, plain data
// out), so it may not import Shopify, Prisma, Remix, databases, React or Node IO. tests/unit/insights-boundary.test.ts
// proves the rule fires.
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export const INSIGHTS_FORBIDDEN_IMPORTS = {
  patterns: [
    { group: ["@shopify/*", "@shopify/**"], message: "app/insights is pure: no Shopify imports." },
    { group: ["@prisma/*", "prisma", "prisma/*", "pg", "pg-*", "@electric-sql/*", "pglite-*"], message: "app/insights is pure: no database imports." },
    { group: ["@remix-run/*", "react", "react-dom", "react/*", "react-dom/*"], message: "app/insights is pure: no Remix or React." },
    { group: ["graphql", "graphql-request"], message: "app/insights is pure: no API clients." },
    {
      group: ["node:*", "fs", "fs/*", "path", "child_process", "net", "http", "https", "http2", "os", "stream", "stream/*", "worker_threads", "dgram", "dns", "tls", "zlib", "readline", "process", "cluster", "vm"],
      message: "app/insights is pure: no Node IO. Pass data in, return data out.",
    },
    { group: ["**/*.server", "**/*.server.*", "~/*.server", "**/db.server*", "**/shopify/**", "**/routes/**", "**/lib/**"], message: "app/insights may not depend on server, integration or route code." },
  ],
};

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", "public/build/**", ".cache/**", "data/**", "tests/.tmp/**", "extensions/**/assets/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    files: ["app/insights/**/*.{ts,tsx,js}"],
    rules: {
      "no-restricted-imports": ["error", INSIGHTS_FORBIDDEN_IMPORTS],
      // No clock and no hidden randomness in the core: `asOf`/`now` and seeds are passed in.
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "Pass `asOf`/`now` in; the core never reads the clock." },
        { object: "Math", property: "random", message: "Use a seeded generator passed in." },
      ],
      "no-restricted-globals": [
        "error",
        { name: "process", message: "app/insights is pure: no process/env access." },
        { name: "fetch", message: "app/insights is pure: no network." },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "Pass `asOf`/`now` in; `new Date()` reads the clock." },
        { selector: "ImportExpression", message: "app/insights is pure: no dynamic imports." },
      ],
    },
  },
  {
    files: ["scripts/**", "bench/**", "tests/**", "*.config.*", "prisma.config.ts"],
    rules: { "no-console": "off" },
  },
);
