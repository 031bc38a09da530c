/**
 * Relay connections as the Admin API pages them: `first`/`after` or `last`/`before` (one of first/last required, at most
 * 250), opaque cursors, `reverse`, sort keys and the `query:` search syntax for the fields the app filters on. Anything
 * outside that (an unknown search field, an unsupported sort key) is an error, not a silently ignored filter.
 */
import { GraphQLError } from "graphql";
import { notImplemented } from "./server";

export const MAX_PAGE_SIZE = 250;

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  reverse?: boolean | null;
  query?: string | null;
  sortKey?: string | null;
}

export interface PagingOptions {
  /** Bulk operations read whole connections: no page size limit, no first/last required. */
  unbounded?: boolean;
}

const encodeCursor = (key: string) => Buffer.from(JSON.stringify({ last_id: key })).toString("base64url");

function decodeCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { last_id?: unknown };
    if (typeof value.last_id === "string") return value.last_id;
  } catch {
    /* reported below */
  }
  throw new GraphQLError(`Invalid cursor for current pagination sort.`, { extensions: { code: "BAD_REQUEST" } });
}

/**
 * Builds a connection over items already filtered and sorted. `key` identifies an item stably (its GID); `toNode` maps
 * only the items of the returned page to API objects (a connection over a million orders builds 250 objects).
 */
export function connection<T, N = T>(
  typeName: string,
  items: readonly T[],
  key: (item: T) => string,
  args: ConnectionArgs,
  options: PagingOptions = {},
  toNode: (item: T) => N = (item) => item as unknown as N,
) {
  const { first, last, after, before } = args;
  if (!options.unbounded) {
    if (first == null && last == null) {
      throw new GraphQLError("you must provide one of first or last", { extensions: { code: "BAD_REQUEST" } });
    }
    for (const [name, value] of [["first", first], ["last", last]] as const) {
      if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
        throw new GraphQLError(`The ${name} argument must be between 0 and ${MAX_PAGE_SIZE}.`, {
          extensions: { code: "BAD_REQUEST", argumentName: name },
        });
      }
    }
  }
  const ordered = args.reverse ? [...items].reverse() : items;
  let start = 0;
  let end = ordered.length;
  if (after) {
    const id = decodeCursor(after);
    const index = ordered.findIndex((item) => key(item) === id);
    start = index < 0 ? end : index + 1;
  }
  if (before) {
    const id = decodeCursor(before);
    const index = ordered.findIndex((item) => key(item) === id);
    end = index < 0 ? end : index;
  }
  let window = ordered.slice(start, Math.max(start, end));
  let trimmedEnd = false;
  let trimmedStart = false;
  if (first != null && window.length > first) {
    window = window.slice(0, first);
    trimmedEnd = true;
  }
  if (last != null && window.length > last) {
    window = window.slice(window.length - last);
    trimmedStart = true;
  }
  const edges = window.map((item) => ({ __typename: `${typeName}Edge`, cursor: encodeCursor(key(item)), node: toNode(item) }));
  return {
    __typename: `${typeName}Connection`,
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      __typename: "PageInfo",
      hasNextPage: trimmedEnd || end < ordered.length,
      hasPreviousPage: trimmedStart || start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Search syntax: `field:value`, `field:>value`, `field:>=value`, `field:<value`, `field:<=value`, terms joined by spaces
// or AND. Values may be quoted. Dates are ISO dates or timestamps (a date without time means midnight UTC).

export type SearchTerm = { field: string; op: ">" | ">=" | "<" | "<=" | "="; value: string };

export function parseSearch(query: string | null | undefined): SearchTerm[] {
  if (!query || !query.trim()) return [];
  const tokens = query.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
  const terms: SearchTerm[] = [];
  for (const token of tokens) {
    if (token === "AND") continue;
    if (token === "OR" || token === "NOT" || token.startsWith("-") || token.includes("(")) {
      throw notImplemented(`search syntax "${token}" (only AND-joined field:value terms)`);
    }
    const match = /^([a-z_]+):(>=|<=|>|<)?(.+)$/.exec(token);
    if (!match) throw notImplemented(`free-text search "${token}"`);
    const [, field, op, raw] = match as unknown as [string, string, SearchTerm["op"] | undefined, string];
    terms.push({ field, op: op ?? "=", value: raw.replace(/^["']|["']$/g, "") });
  }
  return terms;
}

function compare(a: number | string, op: SearchTerm["op"], b: number | string): boolean {
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    default:
      return a === b;
  }
}

export type SearchField<T> = { kind: "date"; get: (item: T) => string | null } | { kind: "number"; get: (item: T) => number } | { kind: "string"; get: (item: T) => string | string[] | null };

/** Filters items by the search terms over the fields this connection supports. */
export function applySearch<T>(items: readonly T[], query: string | null | undefined, fields: Record<string, SearchField<T>>, connectionName: string): readonly T[] {
  const terms = parseSearch(query);
  if (terms.length === 0) return items;
  const predicates = terms.map((term) => {
    const field = fields[term.field];
    if (!field) throw notImplemented(`search field "${term.field}" on ${connectionName} (supported: ${Object.keys(fields).join(", ")})`);
    if (field.kind === "date") {
      const bound = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(term.value) ? `${term.value}T00:00:00Z` : term.value);
      if (Number.isNaN(bound)) throw new GraphQLError(`Invalid date in search: ${term.value}`, { extensions: { code: "BAD_REQUEST" } });
      return (item: T) => {
        const value = field.get(item);
        return value !== null && compare(Date.parse(value), term.op, bound);
      };
    }
    if (field.kind === "number") {
      const bound = Number(term.value.replace(/^gid:\/\/shopify\/\w+\//, ""));
      return (item: T) => compare(field.get(item), term.op, bound);
    }
    return (item: T) => {
      const value = field.get(item);
      if (value === null) return false;
      return Array.isArray(value) ? value.includes(term.value) : compare(value.toLowerCase(), term.op, term.value.toLowerCase());
    };
  });
  return items.filter((item) => predicates.every((p) => p(item)));
}

/** Sorts by a supported sort key (ties broken by id); an unsupported key is an error. */
export function applySort<T>(items: readonly T[], sortKey: string, keys: Record<string, (item: T) => number | string>, id: (item: T) => number, connectionName: string): T[] {
  const get = keys[sortKey];
  if (!get) throw notImplemented(`sortKey ${sortKey} on ${connectionName} (supported: ${Object.keys(keys).join(", ")})`);
  return [...items].sort((a, b) => {
    const x = get(a);
    const y = get(b);
    return x < y ? -1 : x > y ? 1 : id(a) - id(b);
  });
}
