import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

async function lint(code: string, file = "app/insights/example.ts") {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId);
}

describe("app/insights stays pure (lint rule)", () => {
  it.each([
    ['import { PrismaClient } from "@prisma/client";', "no-restricted-imports"],
    ['import { authenticate } from "@shopify/shopify-app-remix/server";', "no-restricted-imports"],
    ['import { json } from "@remix-run/node";', "no-restricted-imports"],
    ['import { readFileSync } from "node:fs";', "no-restricted-imports"],
    ['import { readFileSync } from "fs";', "no-restricted-imports"],
    ['import prisma from "../db.server";', "no-restricted-imports"],
    ['import { x } from "../shopify/client";', "no-restricted-imports"],
    ["export const t = Date.now();", "no-restricted-properties"],
    ["export const t = new Date();", "no-restricted-syntax"],
    ["export const r = Math.random();", "no-restricted-properties"],
    ["export const e = process.env.X;", "no-restricted-globals"],
  ])("rejects %s", async (code, rule) => {
    expect(await lint(code)).toContain(rule);
  });

  it("accepts pure code, including dates passed in", async () => {
    const code = [
      'import { toMinorUnits } from "./money";',
      "export const f = (asOf: Date, price: string) => ({ at: new Date(asOf.getTime()), minor: toMinorUnits(price, \"VND\") });",
      "",
    ].join("\n");
    expect(await lint(code)).toEqual([]);
  });

  it("does not restrict code outside the core", async () => {
    expect(await lint('import { readFileSync } from "node:fs";\nexport const r = readFileSync;\n', "app/lib/x.server.ts")).toEqual([]);
  });
});
