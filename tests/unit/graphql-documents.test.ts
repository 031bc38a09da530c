/**
 * Every GraphQL document the app sends must be one Shopify would accept: validated against the real Admin schema of the
 * pinned version (shared datasets), one named operation per file.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, parse, validate, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";

const root = path.resolve(import.meta.dirname, "../..");
const schema = buildSchema(
  readFileSync(path.resolve(root, "../shared/datasets/shopify-admin-schema", `admin-${ADMIN_API_VERSION}.graphql`), "utf8"),
  { assumeValidSDL: true },
);
const dir = path.join(root, "app/shopify/graphql");
const files = readdirSync(dir).filter((f) => /\.tsx?$/.test(f));

async function documentsOf(file: string): Promise<string[]> {
  const module = (await import(path.join(dir, file))) as Record<string, unknown>;
  return Object.values(module).filter((v): v is string => typeof v === "string" && v.includes("#graphql"));
}

describe("GraphQL documents against the Admin schema", () => {
  it("finds the documents", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("%s holds one named operation, named like the file, valid for the schema", async (file) => {
    const documents = await documentsOf(file);
    expect(documents).toHaveLength(1);
    const ast = parse(documents[0]!);
    const operations = ast.definitions.filter((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
    expect(operations.map((o) => o.name?.value)).toEqual([path.basename(file).replace(/\.tsx?$/, "")]);
    expect(validate(schema, ast).map((e) => e.message)).toEqual([]);
  });

  it("every #graphql document anywhere under app/ is valid for the schema", () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? walk(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : [],
      );
    const found: string[] = [];
    for (const file of walk(path.join(root, "app"))) {
      for (const match of readFileSync(file, "utf8").matchAll(/`#graphql([\s\S]*?)`/g)) {
        const errors = validate(schema, parse(match[1]!)).map((e) => `${path.relative(root, file)}: ${e.message}`);
        expect(errors).toEqual([]);
        found.push(file);
      }
    }
    // Every document found by the walker lives in app/shopify/graphql (one named operation per file).
    expect(found.length).toBeGreaterThanOrEqual(files.length);
    expect(found.every((f) => f.startsWith(dir))).toBe(true);
  });

  it("would reject a field Shopify does not have (the check can fail)", () => {
    const errors = validate(schema, parse("query Bad { shop { currencyCode timezoneOffsetMinutesX } }"));
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('Cannot query field "timezoneOffsetMinutesX"')]);
  });
});
