/**
 * Requested query cost as Shopify documents it for the GraphQL Admin API
 * (https://shopify.dev/docs/api/usage/rate-limits#graphql-admin-api-rate-limits):
 *   scalars and enums cost 0, objects (and interfaces/unions) 1, connections 2 plus `first`/`last` times the cost of
 *   one returned object, mutations 10 plus what they select. Fragments are followed; a field selected twice counts twice
 *   (Shopify's own calculator does not merge either).
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

export const MUTATION_BASE_COST = 10;
const CONNECTION_BASE_COST = 2;

function argumentInt(value: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!value) return undefined;
  if (value.kind === "IntValue") return Number(value.value);
  if (value.kind === "Variable") {
    const v = variables[value.name.value];
    return typeof v === "number" ? v : undefined;
  }
  return undefined;
}

function fieldsOf(type: GraphQLCompositeType, schema: GraphQLSchema) {
  // Selections on an interface or union are priced by the first possible type that has the field.
  if (isAbstractType(type)) return schema.getPossibleTypes(type).map((t) => t.getFields());
  return [type.getFields()];
}

export function requestedQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> = {},
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === "FragmentDefinition") fragments.set(d.name.value, d);

  const selectionCost = (set: SelectionSetNode, parent: GraphQLCompositeType): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === "InlineFragment" || selection.kind === "FragmentSpread") {
        const fragment = selection.kind === "FragmentSpread" ? fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const typeName = fragment.typeCondition?.name.value;
        const type = typeName ? (schema.getType(typeName) as GraphQLCompositeType) : parent;
        total += selectionCost(fragment.selectionSet, type);
        continue;
      }
      if (selection.name.value === "__typename") continue;
      const candidates = fieldsOf(parent, schema)
        .map((fields) => fields[selection.name.value])
        .filter((f) => f !== undefined);
      const field = candidates[0];
      if (!field) continue; // validation reports unknown fields
      const type = getNamedType(field.type);
      if (!isCompositeType(type) || !selection.selectionSet) continue; // scalar or enum: 0
      const childCost = selectionCost(selection.selectionSet, type);
      if (type.name.endsWith("Connection")) {
        const args = new Map(selection.arguments?.map((a) => [a.name.value, a.value]));
        const size = argumentInt(args.get("first"), variables) ?? argumentInt(args.get("last"), variables) ?? 0;
        total += CONNECTION_BASE_COST + size * childCost;
      } else if (type.name.endsWith("Edge")) {
        total += childCost; // an edge is priced by its node, inside the connection's multiplier
      } else if (type.name === "PageInfo") {
        total += 0;
      } else {
        total += 1 + childCost;
      }
    }
    return total;
  };

  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  if (!root) return 0;
  const base = operation.operation === "mutation" ? MUTATION_BASE_COST : 0;
  return base + selectionCost(operation.selectionSet, root);
}
