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

  it("would reject a field Shopify does not have (the check can fail)", () => {
    const errors = validate(schema, parse("query Bad { shop { currencyCode timezoneOffsetMinutesX } }"));
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('Cannot query field "timezoneOffsetMinutesX"')]);
  });
});
