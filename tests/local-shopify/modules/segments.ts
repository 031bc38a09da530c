/**
 * Customer segments: `segmentCreate`, `segmentUpdate`, `segmentDelete`, the read-back `segment`/`segments`, and
 * `customerSegmentMembers`, which evaluates a segment's query against the seed customers (with the tags as
 * tagsAdd/tagsRemove left them).
 *
 * Segment queries are ShopifyQL `WHERE` conditions (https://shopify.dev/docs/api/shopifyql/segment-query-language-reference):
 * `attribute operator value` clauses joined by AND/OR, grouped with parentheses. The filters evaluated here, with the
 * operators Shopify documents for them (https://help.shopify.com/en/manual/customers/customer-segmentation/reference-guide/shopify-segments):
 *   customer_tags CONTAINS 'vip' | NOT CONTAINS | IS NULL | IS NOT NULL
 *   customer_countries CONTAINS 'VN' | NOT CONTAINS | IS NULL | IS NOT NULL
 *   rfm_group = CHAMPIONS | != | IN (...) | NOT IN (...) | IS NULL | IS NOT NULL      (CustomerRfmGroup values)
 *   predicted_spend_tier = HIGH | != | IN | NOT IN | IS NULL | IS NOT NULL            (CustomerPredictedSpendTier values)
 *   email_subscription_status = 'SUBSCRIBED' | !=
 *   number_of_orders = 3 | != | > | >= | < | <= | BETWEEN 1 AND 5
 * Other real Shopify filters (amount_spent, products_purchased(), last_order_date, ...) fail loudly as not implemented;
 * an unknown filter or a malformed query (unbalanced quotes or parentheses, a missing value, a wrong operator) is a
 * user error on `query`, as Shopify rejects it. Segment names are unique (https://shopify.dev/docs/api/admin-graphql/2026-01/mutations/segmentCreate).
 * The wording of query error messages is the local Shopify's own (`Line 1 Column 14: ...`).
 */
import { GraphQLError } from "graphql";
import { connection } from "../connections";
import { gid } from "../gid";
import type { SeedCustomer } from "../seed";
import { notImplemented, type ApiModule, type RequestContext } from "../server";
import { effectiveTags, type ShopState } from "../store";
import { dateTime, plainUserError, seedLookup, splitGid, type PageArgs } from "./mutation-kit";

interface SegmentRecord {
  id: number;
  name: string;
  query: string;
  creationDate: number;
  lastEditDate: number;
}

const state = (shop: ShopState) => shop.module<{ segments: Map<number, SegmentRecord> }>("segments", () => ({ segments: new Map() }));

function segmentObject(s: SegmentRecord) {
  return {
    __typename: "Segment",
    id: gid("Segment", s.id),
    name: s.name,
    query: s.query,
    creationDate: dateTime(s.creationDate),
    lastEditDate: dateTime(s.lastEditDate),
  };
}

function findSegment(shop: ShopState, id: string): SegmentRecord | undefined {
  const parsed = splitGid(id);
  return parsed?.type === "Segment" ? state(shop).segments.get(parsed.id) : undefined;
}

/** The Segment object for a segment GID, or undefined (discount contexts refer to segments). */
export function segmentObjectById(shop: ShopState, id: string) {
  const s = findSegment(shop, id);
  return s ? segmentObject(s) : undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// The query language

type Token = { kind: "word" | "string" | "number" | "op" | "punct"; text: string; value: string; line: number; column: number };

export class SegmentQueryError extends Error {}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (start: number) => ({ line, column: start - lineStart });
  while (i < query.length) {
    const c = query[i]!;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let value = "";
      i++;
      while (i < query.length && query[i] !== c) {
        if (query[i] === "\\" && i + 1 < query.length) i++;
        if (query[i] === "\n") break;
        value += query[i];
        i++;
      }
      if (query[i] !== c) throw syntaxError(at(start), "string is not terminated.");
      i++;
      tokens.push({ kind: "string", text: query.slice(start, i), value, ...at(start) });
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(query.slice(i));
    if (number && (c !== "-" || /\d/.test(query[i + 1] ?? ""))) {
      i += number[0].length;
      tokens.push({ kind: "number", text: number[0], value: number[0], ...at(start) });
      continue;
    }
    const op = /^(!=|>=|<=|=|>|<)/.exec(query.slice(i));
    if (op) {
      i += op[0].length;
      tokens.push({ kind: "op", text: op[0], value: op[0], ...at(start) });
      continue;
    }
    if ("(),:".includes(c)) {
      i++;
      tokens.push({ kind: "punct", text: c, value: c, ...at(start) });
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i));
    if (!word) throw syntaxError(at(start), `'${c}' is unexpected.`);
    i += word[0].length;
    tokens.push({ kind: "word", text: word[0], value: word[0], ...at(start) });
  }
  return tokens;
}

function syntaxError(where: { line: number; column: number }, detail: string) {
  return new SegmentQueryError(`Line ${where.line} Column ${where.column}: ${detail}`);
}

type Value = { kind: "string" | "number" | "word"; value: string };
type Condition = { attribute: string; op: string; values: Value[] };
type Expr = { kind: "and" | "or"; left: Expr; right: Expr } | { kind: "condition"; condition: Condition };

type AttributeSpec = {
  ops: string[];
  values: "string" | "number" | { enum: readonly string[] };
  test: (customer: SeedCustomer, shop: ShopState, condition: Condition) => boolean;
};

const RFM_GROUPS = ["CHAMPIONS", "LOYAL", "ACTIVE", "NEW", "PROMISING", "NEEDS_ATTENTION", "ALMOST_LOST", "PREVIOUSLY_LOYAL", "AT_RISK", "DORMANT", "PROSPECTS"] as const;
const SPEND_TIERS = ["HIGH", "MEDIUM", "LOW"] as const;
const EMAIL_STATES = ["SUBSCRIBED", "NOT_SUBSCRIBED", "PENDING", "UNSUBSCRIBED"] as const;
const LIST_OPS = ["CONTAINS", "NOT CONTAINS", "IS NULL", "IS NOT NULL"];
const ENUM_OPS = ["=", "!=", "IN", "NOT IN", "IS NULL", "IS NOT NULL"];

function listTest(values: (customer: SeedCustomer, shop: ShopState) => string[]) {
  return (customer: SeedCustomer, shop: ShopState, { op, values: wanted }: Condition) => {
    const have = values(customer, shop).map((v) => v.toLowerCase());
    if (op === "IS NULL") return have.length === 0;
    if (op === "IS NOT NULL") return have.length > 0;
    const contains = have.includes(wanted[0]!.value.toLowerCase());
    return op === "CONTAINS" ? contains : !contains;
  };
}

function scalarTest(value: (customer: SeedCustomer, shop: ShopState) => string | number | null) {
  return (customer: SeedCustomer, shop: ShopState, { op, values }: Condition) => {
    const have = value(customer, shop);
    if (op === "IS NULL") return have === null;
    if (op === "IS NOT NULL") return have !== null;
    const wanted = values.map((v) => (typeof have === "number" ? Number(v.value) : v.value.toUpperCase()));
    switch (op) {
      case "=":
        return have === wanted[0];
      case "!=":
        return have !== wanted[0];
      case "IN":
        return wanted.includes(have as never);
      case "NOT IN":
        return !wanted.includes(have as never);
      case "BETWEEN":
        return have !== null && have >= wanted[0]! && have <= wanted[1]!;
      case ">":
        return have !== null && have > wanted[0]!;
      case ">=":
        return have !== null && have >= wanted[0]!;
      case "<":
        return have !== null && have < wanted[0]!;
      default:
        return have !== null && have <= wanted[0]!;
    }
  };
}

const ATTRIBUTES: Record<string, AttributeSpec> = {
  customer_tags: { ops: LIST_OPS, values: "string", test: listTest((c, shop) => effectiveTags(shop, gid("Customer", c.id), c.tags)) },
  customer_countries: { ops: LIST_OPS, values: "string", test: listTest((c) => (c.countryCode ? [c.countryCode] : [])) },
  rfm_group: { ops: ENUM_OPS, values: { enum: RFM_GROUPS }, test: scalarTest((c) => c.rfmGroup) },
  predicted_spend_tier: { ops: ENUM_OPS, values: { enum: SPEND_TIERS }, test: scalarTest((c) => c.predictedSpendTier) },
  email_subscription_status: { ops: ["=", "!="], values: { enum: EMAIL_STATES }, test: scalarTest((c) => c.emailMarketingState) },
  number_of_orders: {
    ops: ["=", "!=", ">", ">=", "<", "<=", "BETWEEN"],
    values: "number",
    test: scalarTest((c, shop) => seedLookup(shop).ordersOf(c.id).length),
  },
};

/** Real Shopify segment filters this local Shopify does not evaluate. */
const UNIMPLEMENTED_ATTRIBUTES = new Set([
  "abandoned_checkout_date",
  "amount_spent",
  "anniversary",
  "companies",
  "created_by_app_id",
  "customer_account_status",
  "customer_added_date",
  "customer_cities",
  "customer_email_domain",
  "customer_language",
  "customer_regions",
  "customer_within_distance",
  "last_order_date",
  "orders_placed",
  "predicted_lifetime_value",
  "products_purchased",
  "product_subscription_status",
  "shopify_email",
  "sms_subscription_status",
  "store_credit_accounts",
  "storefront",
]);

function parseSegmentQuery(query: string): Expr {
  const tokens = tokenize(query);
  let i = 0;
  const end = { line: query.split("\n").length, column: query.length - query.lastIndexOf("\n") - 1 };
  const peek = () => tokens[i];
  const where = (t: Token | undefined) => (t ? { line: t.line, column: t.column } : end);
  const isWord = (t: Token | undefined, word: string) => t?.kind === "word" && t.value.toUpperCase() === word;
  const expect = (what: string) => {
    const t = peek();
    throw syntaxError(where(t), t ? `'${t.text}' is unexpected, expected ${what}.` : `expected ${what}.`);
  };

  const value = (spec: AttributeSpec, attribute: string): Value => {
    const t = peek();
    if (!t || !["string", "number", "word"].includes(t.kind) || (t.kind === "word" && ["AND", "OR"].includes(t.value.toUpperCase()))) expect("a value");
    i++;
    const v = { kind: t!.kind as Value["kind"], value: t!.value };
    if (spec.values === "number" && v.kind !== "number") throw syntaxError(where(t), `${attribute} expects a number.`);
    if (spec.values === "string" && v.kind !== "string") throw syntaxError(where(t), `${attribute} expects a quoted string.`);
    if (typeof spec.values === "object" && (v.kind === "number" || !spec.values.enum.includes(v.value.toUpperCase()))) {
      throw syntaxError(where(t), `'${v.value}' is not a valid value for ${attribute} (${spec.values.enum.join(", ")}).`);
    }
    return v;
  };

  const condition = (): Expr => {
    const t = peek();
    if (!t || t.kind !== "word") return expect("a filter");
    const attribute = t.value.toLowerCase();
    const spec = ATTRIBUTES[attribute];
    if (!spec) {
      if (UNIMPLEMENTED_ATTRIBUTES.has(attribute) || attribute.startsWith("metafields.") || attribute.startsWith("shopify_email.")) {
        throw notImplemented(`the segment filter ${attribute}`);
      }
      throw syntaxError(where(t), `'${t.value}' filter cannot be found.`);
    }
    i++;
    const o = peek();
    let op: string;
    if (o?.kind === "op") {
      op = o.value;
      i++;
    } else if (isWord(o, "CONTAINS") || isWord(o, "IN") || isWord(o, "BETWEEN")) {
      op = o!.value.toUpperCase();
      i++;
    } else if (isWord(o, "NOT") && (isWord(tokens[i + 1], "CONTAINS") || isWord(tokens[i + 1], "IN"))) {
      op = `NOT ${tokens[i + 1]!.value.toUpperCase()}`;
      i += 2;
    } else if (isWord(o, "IS") && isWord(tokens[i + 1], "NULL")) {
      op = "IS NULL";
      i += 2;
    } else if (isWord(o, "IS") && isWord(tokens[i + 1], "NOT") && isWord(tokens[i + 2], "NULL")) {
      op = "IS NOT NULL";
      i += 3;
    } else {
      return expect("an operator");
    }
    if (!spec.ops.includes(op)) throw syntaxError(where(o), `${op} is not a valid operator for ${attribute} (${spec.ops.join(", ")}).`);
    const values: Value[] = [];
    if (op === "IN" || op === "NOT IN") {
      if (peek()?.text !== "(") expect("'('");
      i++;
      values.push(value(spec, attribute));
      while (peek()?.text === ",") {
        i++;
        values.push(value(spec, attribute));
      }
      if (peek()?.text !== ")") expect("')'");
      i++;
    } else if (op === "BETWEEN") {
      values.push(value(spec, attribute));
      if (!isWord(peek(), "AND")) expect("AND");
      i++;
      values.push(value(spec, attribute));
    } else if (op !== "IS NULL" && op !== "IS NOT NULL") {
      values.push(value(spec, attribute));
    }
    return { kind: "condition", condition: { attribute, op, values } };
  };

  const primary = (): Expr => {
    if (peek()?.text === "(") {
      i++;
      const inner = or();
      if (peek()?.text !== ")") expect("')'");
      i++;
      return inner;
    }
    return condition();
  };
  const and = (): Expr => {
    let left = primary();
    while (isWord(peek(), "AND")) {
      i++;
      left = { kind: "and", left, right: primary() };
    }
    return left;
  };
  function or(): Expr {
    let left = and();
    while (isWord(peek(), "OR")) {
      i++;
      left = { kind: "or", left, right: and() };
    }
    return left;
  }

  const expr = or();
  if (i < tokens.length) expect("AND, OR or the end of the query");
  return expr;
}

function evaluate(expr: Expr, customer: SeedCustomer, shop: ShopState): boolean {
  if (expr.kind === "condition") return ATTRIBUTES[expr.condition.attribute]!.test(customer, shop, expr.condition);
  const left = evaluate(expr.left, customer, shop);
  return expr.kind === "and" ? left && evaluate(expr.right, customer, shop) : left || evaluate(expr.right, customer, shop);
}

/** The problem with a segment query (a user error message), or null when it is valid. */
function queryProblem(query: string): string | null {
  if (query.trim().length === 0) return "Query can't be blank";
  try {
    parseSegmentQuery(query);
    return null;
  } catch (error) {
    if (error instanceof SegmentQueryError) return error.message;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Mutations and queries

const MAX_NAME_LENGTH = 255;

function nameProblem(shop: ShopState, name: string, except?: number): string | null {
  if (name.trim().length === 0) return "Name can't be blank";
  if (name.length > MAX_NAME_LENGTH) return `Name is too long (maximum is ${MAX_NAME_LENGTH} characters)`;
  const taken = [...state(shop).segments.values()].some((s) => s.id !== except && s.name.toLowerCase() === name.trim().toLowerCase());
  return taken ? "Name has already been taken" : null;
}

function segmentCreate(args: { name: string; query: string }, { shop, now }: RequestContext) {
  const errors = [];
  const nProblem = nameProblem(shop, args.name);
  if (nProblem) errors.push(plainUserError(["name"], nProblem));
  const qProblem = queryProblem(args.query);
  if (qProblem) errors.push(plainUserError(["query"], qProblem));
  if (errors.length > 0) return { segment: null, userErrors: errors };
  const record: SegmentRecord = { id: shop.nextId(), name: args.name.trim(), query: args.query, creationDate: now.getTime(), lastEditDate: now.getTime() };
  state(shop).segments.set(record.id, record);
  return { segment: segmentObject(record), userErrors: [] };
}

function segmentUpdate(args: { id: string; name?: string | null; query?: string | null }, { shop, now }: RequestContext) {
  const record = findSegment(shop, args.id);
  if (!record) return { segment: null, userErrors: [plainUserError(["id"], "Segment does not exist")] };
  const errors = [];
  if (args.name != null) {
    const problem = nameProblem(shop, args.name, record.id);
    if (problem) errors.push(plainUserError(["name"], problem));
  }
  if (args.query != null) {
    const problem = queryProblem(args.query);
    if (problem) errors.push(plainUserError(["query"], problem));
  }
  if (errors.length > 0) return { segment: null, userErrors: errors };
  if (args.name != null) record.name = args.name.trim();
  if (args.query != null) record.query = args.query;
  record.lastEditDate = now.getTime();
  return { segment: segmentObject(record), userErrors: [] };
}

function segmentDelete(args: { id: string }, { shop }: RequestContext) {
  const record = findSegment(shop, args.id);
  if (!record) return { deletedSegmentId: null, userErrors: [plainUserError(["id"], "Segment does not exist")] };
  state(shop).segments.delete(record.id);
  return { deletedSegmentId: gid("Segment", record.id), userErrors: [] };
}

const SEGMENT_SORTS: Record<string, (s: SegmentRecord) => number> = {
  CREATION_DATE: (s) => s.creationDate,
  LAST_EDIT_DATE: (s) => s.lastEditDate,
  ID: (s) => s.id,
};

function segments(args: PageArgs & { query?: string | null; sortKey?: string | null }, context: RequestContext) {
  const { shop } = context;
  if (args.query) throw notImplemented("segments(query:)");
  const sortKey = args.sortKey ?? "CREATION_DATE";
  const sort = SEGMENT_SORTS[sortKey];
  if (!sort) throw notImplemented(`segments(sortKey: ${sortKey})`);
  const items = [...state(shop).segments.values()].sort((a, b) => sort(a) - sort(b) || a.id - b.id);
  return connection("Segment", items, (s) => String(s.id), args, context, segmentObject);
}

interface MembersArgs extends PageArgs {
  segmentId?: string | null;
  query?: string | null;
  queryId?: string | null;
  timezone?: string | null;
  sortKey?: string | null;
}

function customerSegmentMembers(args: MembersArgs, context: RequestContext) {
  const { shop } = context;
  if (args.queryId != null) throw notImplemented("customerSegmentMembers(queryId:) (customerSegmentMembersQueryCreate)");
  if (args.sortKey != null) throw notImplemented("customerSegmentMembers(sortKey:)");
  const given = [args.segmentId, args.query].filter((a) => a != null).length;
  if (given !== 1) throw new GraphQLError("Exactly one of segmentId, query or queryId must be provided.", { extensions: { code: "BAD_REQUEST" } });
  let query = args.query ?? "";
  if (args.segmentId != null) {
    const record = findSegment(shop, args.segmentId);
    if (!record) throw new GraphQLError(`Segment does not exist: ${args.segmentId}`, { extensions: { code: "NOT_FOUND" } });
    query = record.query;
  }
  let expr: Expr;
  try {
    expr = parseSegmentQuery(query);
  } catch (error) {
    if (error instanceof SegmentQueryError) throw new GraphQLError(`Invalid segment query: ${error.message}`, { extensions: { code: "BAD_REQUEST" } });
    throw error;
  }
  const lookup = seedLookup(shop);
  const members = [...lookup.customers].sort((a, b) => a.id - b.id).filter((c) => evaluate(expr, c, shop));
  const page = connection("CustomerSegmentMember", members, (c) => String(c.id), args, context, (c) => ({
    __typename: "CustomerSegmentMember",
    id: gid("CustomerSegmentMember", c.id),
    numberOfOrders: String(lookup.ordersOf(c.id).length),
  }));
  return { __typename: page.__typename, edges: page.edges, pageInfo: page.pageInfo, totalCount: members.length };
}

export const segmentsModule: ApiModule = {
  name: "segments",
  query: {
    segment: (args: { id: string }, { shop }) => segmentObjectById(shop, args.id) ?? null,
    segments,
    customerSegmentMembers,
  },
  mutation: { segmentCreate, segmentUpdate, segmentDelete },
};
