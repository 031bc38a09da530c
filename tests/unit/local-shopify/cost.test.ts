import { parse, type OperationDefinitionNode } from "graphql";
import { describe, expect, it } from "vitest";
import { requestedQueryCost } from "../../local-shopify/cost";
import { adminSchema } from "../../local-shopify/schema";

function cost(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions[0] as OperationDefinitionNode;
  return requestedQueryCost(adminSchema(), document, operation, variables);
}

// Expected values worked by hand from Shopify's documented rules (scalar 0, object 1, connection 2 + first × node,
// mutation 10), independent of the implementation's traversal.
describe("requested query cost", () => {
  it("prices scalars at 0 and objects at 1", () => {
    expect(cost("{ shop { name currencyCode } }")).toBe(1);
    expect(cost("{ shop { name billingAddress { city } } }")).toBe(2);
  });

  it("prices a connection at 2 plus first × one node", () => {
    expect(cost("{ products(first: 10) { edges { node { id title } } } }")).toBe(12);
    expect(cost("{ products(first: 10) { nodes { id } pageInfo { hasNextPage } } }")).toBe(12);
    expect(cost("query Q($n: Int) { products(first: $n) { nodes { id } } }", { n: 50 })).toBe(52);
  });

  it("multiplies nested connections", () => {
    // 2 + 5 × (1 order + (2 + 10 × 1 line item))
    expect(cost("{ orders(first: 5) { nodes { id lineItems(first: 10) { nodes { id } } } } }")).toBe(67);
  });

  it("follows fragments", () => {
    expect(cost("query { shop { ...S } } fragment S on Shop { name billingAddress { city } }")).toBe(2);
  });

  it("adds 10 for a mutation (plus its payload and userErrors objects)", () => {
    expect(cost('mutation { tagsAdd(id: "gid://shopify/Customer/1", tags: ["x"]) { userErrors { message } } }')).toBe(12);
  });
});
