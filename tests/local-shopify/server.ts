/**
 * A local Shopify Admin GraphQL endpoint on loopback, executing against Shopify's real schema of the pinned version:
 * documents Shopify would reject are rejected here with Shopify's error shape, every response carries
 * `extensions.cost`, and each shop has its own leaky bucket. Test infrastructure (and the demo's backend); it is
 * never part of the app.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type OperationDefinitionNode,
} from "graphql";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import { requestedQueryCost } from "./cost";
import { adminSchema } from "./schema";
import type { LocalStoreData } from "./store";
import { LeakyBucket, PLANS, type ThrottlePlan } from "./throttle";

export const MAX_QUERY_COST = 1000;
export const INVALID_TOKEN_MESSAGE = "[API] Invalid API key or access token (unrecognized login or wrong password)";

interface ShopState {
  data: LocalStoreData;
  bucket: LeakyBucket;
}

export interface LocalShopifyOptions {
  plan?: ThrottlePlan;
  now?: () => number;
}

type ShopifyError = { message: string; locations?: readonly { line: number; column: number }[]; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };

function shopifyError(error: GraphQLError, code?: string): ShopifyError {
  return {
    message: error.message,
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(code || error.extensions?.code ? { extensions: { ...error.extensions, code: code ?? error.extensions.code } } : {}),
  };
}

/** Reads what the store holds; a field the store does not hold is not implemented, and says so. */
const strictFieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
  const record = source as Record<string, unknown> | null;
  if (record === null || typeof record !== "object" || !(info.fieldName in record)) {
    throw new GraphQLError(`The local Shopify does not implement ${info.parentType.name}.${info.fieldName}`, {
      extensions: { code: "NOT_IMPLEMENTED_LOCALLY" },
    });
  }
  const value = record[info.fieldName];
  return typeof value === "function" ? (value as (a: unknown, c: unknown) => unknown).call(record, args, context) : value;
};

export class LocalShopify {
  private readonly shops = new Map<string, ShopState>();
  private readonly tokens = new Map<string, string>(); // access token -> shop domain
  private server: Server | undefined;
  readonly version = ADMIN_API_VERSION;
  private readonly now: () => number;
  private readonly plan: ThrottlePlan;

  constructor(options: LocalShopifyOptions = {}) {
    this.now = options.now ?? Date.now;
    this.plan = options.plan ?? PLANS.standard;
  }

  addShop(data: LocalStoreData, plan: ThrottlePlan = this.plan) {
    this.shops.set(data.shop.myshopifyDomain, { data, bucket: new LeakyBucket(plan, this.now) });
  }

  issueAccessToken(shop: string, token: string) {
    if (!this.shops.has(shop)) throw new Error(`No shop ${shop} in the local Shopify`);
    this.tokens.set(token, shop);
  }

  /** Executes one Admin GraphQL request for the shop the token belongs to. Status and body as Shopify answers. */
  async graphql(token: string | undefined, body: unknown): Promise<{ status: number; body: unknown }> {
    const shop = token ? this.tokens.get(token) : undefined;
    const state = shop ? this.shops.get(shop) : undefined;
    if (!state) return { status: 401, body: { errors: INVALID_TOKEN_MESSAGE } };

    const request = body as { query?: unknown; variables?: unknown; operationName?: unknown } | null;
    if (!request || typeof request.query !== "string") {
      return { status: 400, body: { errors: { query: "Required parameter missing or invalid" } } };
    }
    const variables = (request.variables ?? {}) as Record<string, unknown>;
    const operationName = typeof request.operationName === "string" ? request.operationName : undefined;

    const schema = adminSchema(this.version);
    let document: DocumentNode;
    try {
      document = parse(request.query);
    } catch (error) {
      return { status: 200, body: { errors: [shopifyError(error as GraphQLError, "PARSE_ERROR")] } };
    }
    const validation = validate(schema, document);
    if (validation.length > 0) {
      return { status: 200, body: { errors: validation.map((e) => shopifyError(e, "GRAPHQL_VALIDATION_FAILED")) } };
    }
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
    const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
    if (!operation || (!operationName && operations.length > 1)) {
      return { status: 200, body: { errors: [{ message: "An operation name is required" }] } };
    }

    const requested = requestedQueryCost(schema, document, operation, variables);
    if (requested > MAX_QUERY_COST) {
      return {
        status: 200,
        body: {
          errors: [
            {
              message: `Query cost is ${requested}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
              extensions: { code: "MAX_COST_EXCEEDED", cost: requested, maxCost: MAX_QUERY_COST },
            },
          ],
        },
      };
    }
    if (!state.bucket.take(requested)) {
      return {
        status: 200,
        body: {
          errors: [
            { message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } },
          ],
          extensions: {
            cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: state.bucket.status() },
          },
        },
      };
    }

    const result = await execute({
      schema,
      document,
      operationName,
      variableValues: variables,
      rootValue: operation.operation === "query" ? state.data : {},
      fieldResolver: strictFieldResolver,
    });
    return {
      status: 200,
      body: {
        ...(result.data !== undefined ? { data: result.data } : {}),
        ...(result.errors ? { errors: result.errors.map((e) => shopifyError(e)) } : {}),
        extensions: {
          cost: { requestedQueryCost: requested, actualQueryCost: requested, throttleStatus: state.bucket.status() },
        },
      },
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? "/", "http://local");
    if (req.method !== "POST" || url.pathname !== `/admin/api/${this.version}/graphql.json`) {
      return send(404, { errors: "Not Found" });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(400, { errors: "Request body is not valid JSON" });
    }
    const header = req.headers["x-shopify-access-token"];
    const { status, body: answer } = await this.graphql(Array.isArray(header) ? header[0] : header, body);
    send(status, answer);
  }

  /** Listens on 127.0.0.1 (an ephemeral port unless given). */
  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: `Internal error in the local Shopify: ${(error as Error).message}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close() {
    await new Promise<void>((resolve, reject) => (this.server ? this.server.close((e) => (e ? reject(e) : resolve())) : resolve()));
  }

  graphqlUrl(origin: string) {
    return `${origin}/admin/api/${this.version}/graphql.json`;
  }
}
