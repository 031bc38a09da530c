/**
 * Bulk operations (2026-01 behaviour): `bulkOperationRunQuery` validates the inner query against the schema and Shopify's
 * bulk rules (at least one connection, at most 5 connections, connections nested at most 2 deep), runs it in the
 * background over whole connections, and writes a JSONL file served over HTTP. Each node is one line; nodes of nested
 * connections are lines of their own with `__parentId`. With `groupObjects: false` (the 2026-01 default) children are
 * NOT guaranteed to follow their parent — here some deliberately come before it, so readers must cope.
 * Up to 5 bulk query operations run at once per shop. Outcomes can be forced for tests (FAILED, EXPIRED, CANCELED).
 * https://shopify.dev/docs/api/usage/bulk-operations/queries
 */
import { randomBytes } from "node:crypto";
import {
  execute,
  getNamedType,
  GraphQLError,
  isCompositeType,
  parse,
  validate,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { applySearch, connection, type ConnectionArgs } from "../connections";
import { gid, parseGid } from "../gid";
import { adminSchema } from "../schema";
import type { ApiModule, LocalShopify, RequestContext } from "../server";
import type { ShopState } from "../store";

export const MAX_CONCURRENT_BULK_QUERIES = 5;
const MAX_CONNECTIONS = 5;
const MAX_NESTING = 2;

type Status = "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";

interface BulkOperation {
  id: number;
  query: string;
  groupObjects: boolean;
  status: Status;
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  createdAt: string;
  completedAt: string | null;
  objectCount: number;
  rootObjectCount: number;
  file: Buffer | null;
  partial: Buffer | null;
  fileKey: string;
}

/** A forced outcome applies to the next operation whose query matches `match` (any operation when absent). */
export type ForcedOutcome = { match?: RegExp } & (
  | { status: "FAILED"; errorCode?: "INTERNAL_SERVER_ERROR" | "TIMEOUT" | "ACCESS_DENIED"; partial?: boolean }
  | { status: "EXPIRED" }
  | { status: "CANCELED" }
  /** Completes, but line `line` of the file is garbled (a truncated JSON object), as a corrupted download would be. */
  | { status: "CORRUPT"; line: number }
);

export interface BulkControls {
  /** Delay before an operation starts running and before it finishes (ms), to observe CREATED/RUNNING. */
  delayMs: number;
  /** Outcomes forced on the next operations, in order. */
  forced: ForcedOutcome[];
  /**
   * When set, a RUNNING operation waits for the promise this returns (given its GID) before it produces its result:
   * a test holds an export RUNNING until a condition it waits on is met, instead of guessing a delay.
   */
  hold?: (operationId: string) => Promise<void>;
  /** Called when an operation reaches a final status (e.g. to send the bulk_operations/finish webhook). */
  onFinish?: (shop: string, operation: { id: string; status: Status; errorCode: string | null; type: "QUERY" }) => void;
}

const controls = new WeakMap<LocalShopify, BulkControls>();

export function bulkControls(local: LocalShopify): BulkControls {
  let c = controls.get(local);
  if (!c) {
    c = { delayMs: 0, forced: [] };
    controls.set(local, c);
  }
  return c;
}

function operations(shop: ShopState) {
  return shop.module("bulk", () => new Map<number, BulkOperation>());
}

// ---------------------------------------------------------------------------------------------------------------------
// Validation of the inner query against the bulk rules

function checkBulkShape(schema: GraphQLSchema, operation: OperationDefinitionNode): string | null {
  let connections = 0;
  let error: string | null = null;
  const walk = (set: SelectionSetNode, parent: GraphQLCompositeType, depth: number) => {
    for (const selection of set.selections) {
      if (selection.kind !== "Field") {
        if (selection.kind === "InlineFragment") walk(selection.selectionSet, parent, depth);
        else error ??= "Fragment spreads are not supported in the local Shopify's bulk queries; use inline fragments.";
        continue;
      }
      if (!selection.selectionSet || !("getFields" in parent)) continue;
      const field = parent.getFields()[selection.name.value];
      if (!field) continue;
      const type = getNamedType(field.type);
      if (!isCompositeType(type)) continue;
      let nextDepth = depth;
      if (type.name.endsWith("Connection")) {
        connections++;
        nextDepth = depth + 1;
        if (nextDepth > MAX_NESTING) error ??= `Bulk queries cannot contain connections with a nesting depth greater than ${MAX_NESTING}.`;
        if (depth >= 1) {
          const selectsId = set.selections.some((s) => s.kind === "Field" && s.name.value === "id");
          if (!selectsId) error ??= `The parent of the nested connection '${selection.name.value}' must select 'id'.`;
        }
      }
      walk(selection.selectionSet, type, nextDepth);
    }
  };
  const root = schema.getQueryType();
  if (!root) return "No query root";
  walk(operation.selectionSet, root, 0);
  if (error) return error;
  if (connections === 0) return "Bulk queries must contain at least one connection.";
  if (connections > MAX_CONNECTIONS) return `Bulk queries cannot contain more than ${MAX_CONNECTIONS} connections.`;
  return null;
}

// ---------------------------------------------------------------------------------------------------------------------
// Flattening the result into JSONL lines

type Json = Record<string, unknown>;

function isConnection(value: unknown): value is { edges?: { node: Json }[]; nodes?: Json[] } {
  return typeof value === "object" && value !== null && ("edges" in value || "nodes" in value) && !Array.isArray(value);
}

function nodesOf(value: { edges?: { node: Json }[]; nodes?: Json[] }): Json[] {
  return value.nodes ?? value.edges?.map((e) => e.node) ?? [];
}

/** Splits one node into its own line and the lines of its nested connections' nodes (with __parentId). */
function flatten(node: Json, parentId: string | null): { line: Json; children: Json[] } {
  const line: Json = {};
  const children: Json[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (isConnection(value)) {
      for (const child of nodesOf(value)) {
        const flat = flatten(child, String(node.id));
        children.push(flat.line, ...flat.children);
      }
    } else {
      line[key] = value;
    }
  }
  if (parentId !== null) line.__parentId = parentId;
  return { line, children };
}

/** Lines joined into one file as bytes, in chunks: a million-line export is larger than V8's biggest string. */
function fileOf(lines: readonly string[]): Buffer {
  const chunks: Buffer[] = [];
  for (let i = 0; i < lines.length; i += 10_000) chunks.push(Buffer.from(lines.slice(i, i + 10_000).map((l) => `${l}\n`).join("")));
  return Buffer.concat(chunks);
}

function toJsonl(data: Json, groupObjects: boolean): { lines: string[]; objectCount: number; rootObjectCount: number } {
  const out: string[] = [];
  let objectCount = 0;
  let rootObjectCount = 0;
  let index = 0;
  const push = (line: Json) => {
    out.push(JSON.stringify(line));
    objectCount++;
  };
  for (const value of Object.values(data)) {
    const roots = isConnection(value) ? nodesOf(value) : [];
    for (const root of roots) {
      rootObjectCount++;
      const { line, children } = flatten(root, null);
      // groupObjects: false gives no ordering guarantee; put the children of every other parent before it.
      if (!groupObjects && index++ % 2 === 1) {
        children.forEach(push);
        push(line);
      } else {
        push(line);
        children.forEach(push);
      }
    }
  }
  return { lines: out, objectCount, rootObjectCount };
}

// ---------------------------------------------------------------------------------------------------------------------

function operationObject(local: LocalShopify, op: BulkOperation) {
  const base = `${local.origin}/bulk-results/${op.fileKey}`;
  return {
    __typename: "BulkOperation",
    id: gid("BulkOperation", op.id),
    status: op.status,
    errorCode: op.errorCode,
    type: "QUERY",
    query: op.query,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.file ? String(op.file.length) : null,
    url: op.file && op.status === "COMPLETED" ? `${base}.jsonl` : null,
    partialDataUrl: op.partial ? `${base}-partial.jsonl` : null,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FINAL: readonly Status[] = ["COMPLETED", "CANCELED", "FAILED", "EXPIRED"];

async function run(local: LocalShopify, shop: ShopState, op: BulkOperation, document: DocumentNode) {
  const c = bulkControls(local);
  const finish = (status: Status) => {
    op.status = status;
    op.completedAt = new Date(local.now()).toISOString();
    c.onFinish?.(shop.domain, { id: gid("BulkOperation", op.id), status, errorCode: op.errorCode, type: "QUERY" });
  };
  await sleep(c.delayMs);
  if (op.status === "CANCELING") return finish("CANCELED");
  op.status = "RUNNING";
  await sleep(c.delayMs);
  if (c.hold) await c.hold(gid("BulkOperation", op.id));
  if ((op.status as Status) === "CANCELING") return finish("CANCELED");
  const forcedIndex = c.forced.findIndex((f) => !f.match || f.match.test(op.query));
  const forced = forcedIndex >= 0 ? c.forced.splice(forcedIndex, 1)[0] : undefined;
  const context: RequestContext = { local, shop, now: new Date(local.now()), unbounded: true };
  let result;
  try {
    result = await execute({
      schema: adminSchema(local.version),
      document,
      rootValue: local.queryRootFields(),
      contextValue: context,
      fieldResolver: local.fieldResolver,
    });
  } catch (error) {
    result = { errors: [error as GraphQLError] };
  }
  if (result.errors?.length || !result.data) {
    op.errorCode = "INTERNAL_SERVER_ERROR";
    return finish("FAILED");
  }
  const { lines, objectCount, rootObjectCount } = toJsonl(result.data as Json, op.groupObjects);
  op.objectCount = objectCount;
  op.rootObjectCount = rootObjectCount;
  if (forced?.status === "FAILED") {
    op.errorCode = forced.errorCode ?? "INTERNAL_SERVER_ERROR";
    if (forced.partial) op.partial = fileOf(lines.slice(0, Math.floor(lines.length / 2)));
    return finish("FAILED");
  }
  if (forced?.status === "CANCELED") return finish("CANCELED");
  if (forced?.status === "CORRUPT") {
    const index = Math.min(forced.line, lines.length) - 1;
    if (index >= 0) lines[index] = lines[index]!.slice(0, Math.floor(lines[index]!.length / 2));
    op.file = fileOf(lines);
    return finish("COMPLETED");
  }
  op.file = fileOf(lines);
  finish(forced?.status === "EXPIRED" ? "EXPIRED" : "COMPLETED");
}

function userError(message: string, code: "INVALID" | "OPERATION_IN_PROGRESS" | "LIMIT_REACHED", field: string[] | null = ["query"]) {
  return { bulkOperation: null, userErrors: [{ __typename: "BulkOperationUserError", field, message, code }] };
}

export const bulkModule: ApiModule = {
  name: "bulk",
  install(local) {
    local.route("GET", /^\/bulk-results\/([a-f0-9]+)(-partial)?\.jsonl$/, (_request, match) => {
      for (const shop of local.shops.values()) {
        for (const op of operations(shop).values()) {
          if (op.fileKey !== match[1]) continue;
          const body = match[2] ? op.partial : op.status === "COMPLETED" ? op.file : null;
          if (body) return { status: 200, headers: { "content-type": "application/jsonl" }, body };
        }
      }
      return { status: 404, body: { errors: "Not Found" } };
    });
  },
  mutation: {
    bulkOperationRunQuery: ({ query, groupObjects }: { query: string; groupObjects: boolean }, { local, shop }) => {
      let document: DocumentNode;
      try {
        document = parse(query);
      } catch (error) {
        return userError(`Invalid bulk query: ${(error as Error).message}`, "INVALID");
      }
      const schema = adminSchema(local.version);
      const errors = validate(schema, document);
      if (errors.length) return userError(`Invalid bulk query: ${errors.map((e) => e.message).join("; ")}`, "INVALID");
      const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
      if (ops.length !== 1 || ops[0]!.operation !== "query") return userError("Bulk queries must contain exactly one query operation.", "INVALID");
      const shapeError = checkBulkShape(schema, ops[0]!);
      if (shapeError) return userError(shapeError, "INVALID");
      const running = [...operations(shop).values()].filter((o) => !FINAL.includes(o.status)).length;
      if (running >= MAX_CONCURRENT_BULK_QUERIES) {
        return userError(`A shop can run at most ${MAX_CONCURRENT_BULK_QUERIES} bulk query operations at once.`, "LIMIT_REACHED", null);
      }
      const op: BulkOperation = {
        id: shop.nextId(),
        query,
        groupObjects,
        status: "CREATED",
        errorCode: null,
        createdAt: new Date(local.now()).toISOString(),
        completedAt: null,
        objectCount: 0,
        rootObjectCount: 0,
        file: null,
        partial: null,
        fileKey: randomBytes(12).toString("hex"),
      };
      operations(shop).set(op.id, op);
      void run(local, shop, op, document);
      return { bulkOperation: operationObject(local, op), userErrors: [] };
    },
    bulkOperationCancel: ({ id }: { id: string }, { local, shop }) => {
      const op = operations(shop).get(parseGid(id, "BulkOperation") ?? -1);
      if (!op) return { bulkOperation: null, userErrors: [{ __typename: "UserError", field: ["id"], message: "Bulk operation does not exist" }] };
      if (FINAL.includes(op.status)) {
        return { bulkOperation: operationObject(local, op), userErrors: [{ __typename: "UserError", field: null, message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}` }] };
      }
      op.status = "CANCELING";
      return { bulkOperation: operationObject(local, op), userErrors: [] };
    },
  },
  query: {
    bulkOperation: ({ id }: { id: string }, { local, shop }) => {
      const op = operations(shop).get(parseGid(id, "BulkOperation") ?? -1);
      return op ? operationObject(local, op) : null;
    },
    currentBulkOperation: ({ type }: { type: string }, { local, shop }) => {
      if (type !== "QUERY") throw new GraphQLError("The local Shopify does not implement bulk mutations", { extensions: { code: "NOT_IMPLEMENTED_LOCALLY" } });
      const latest = [...operations(shop).values()].at(-1);
      return latest ? operationObject(local, latest) : null;
    },
    bulkOperations: (args: ConnectionArgs, context) => {
      const { local, shop } = context;
      const all = [...operations(shop).values()].sort((a, b) => b.id - a.id); // CREATED_AT desc... reversed below
      const ordered = args.sortKey && args.sortKey !== "CREATED_AT" ? null : [...all].reverse();
      if (!ordered) throw new GraphQLError(`The local Shopify does not implement sortKey ${args.sortKey} on bulkOperations`, { extensions: { code: "NOT_IMPLEMENTED_LOCALLY" } });
      const filtered = applySearch(ordered, args.query, {
        status: { kind: "string", get: (o) => o.status },
        operation_type: { kind: "string", get: () => "QUERY" },
        created_at: { kind: "date", get: (o) => o.createdAt },
      }, "bulkOperations");
      return connection("BulkOperation", filtered, (o) => gid("BulkOperation", o.id), args, context, (o) => operationObject(local, o));
    },
  },
};
