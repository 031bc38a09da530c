/** Shopify's real Admin GraphQL schema of the pinned version, loaded once per process. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildSchema, type GraphQLSchema } from "graphql";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";

export const SCHEMA_DIR = path.resolve(import.meta.dirname, "../../../shared/datasets/shopify-admin-schema");

const cache = new Map<string, GraphQLSchema>();

export function adminSchema(version: string = ADMIN_API_VERSION): GraphQLSchema {
  let schema = cache.get(version);
  if (!schema) {
    const file = path.join(SCHEMA_DIR, `admin-${version}.graphql`);
    schema = buildSchema(readFileSync(file, "utf8"), { assumeValidSDL: true });
    cache.set(version, schema);
  }
  return schema;
}
