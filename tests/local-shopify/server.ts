/**
 * A local Shopify on loopback, for tests and the demo. The Admin GraphQL endpoint executes against Shopify's real schema
 * of the pinned version: documents Shopify would reject are rejected with Shopify's error shape, every response carries
 * `extensions.cost`, each shop has its own leaky bucket, and anything not implemented is an error — never a silent null
 * or a fake success. Other Shopify endpoints (OAuth token exchange, bulk result files, the admin page) are added as
 * routes by their modules. It is test infrastructure: the app never imports it.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type OperationDefinitionNode,
} from "graphql";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import { requestedQueryCost } from "./cost";
import { adminSchema } from "./schema";
import type { SeedStore } from "./seed";
import { ShopState } from "./store";
import { PLANS, type ThrottlePlan } from "./throttle";

export const MAX_QUERY_COST = 1000;
export const INVALID_TOKEN_MESSAGE = "[API] Invalid API key or access token (unrecognized login or wrong password)";

export interface RequestContext {
  local: LocalShopify;
  shop: ShopState;
  now: Date;
  /** Set while a bulk operation runs its query: connections return every item, unpaged. */
  unbounded?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arguments are validated by the schema before this runs
export type RootField = (args: any, context: RequestContext, info: GraphQLResolveInfo) => unknown;

/** A slice of the Admin API: root query and mutation fields, and HTTP routes. */
export interface ApiModule {
  name: string;
  query?: Record<string, RootField>;
  mutation?: Record<string, RootField>;
  install?: (local: LocalShopify) => void;
}

export interface LocalRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface LocalResponse {
  status: number;
  /** An array sends the header once per value (Set-Cookie). */
  headers?: Record<string, string | string[]>;
  body?: string | Buffer | object;
}

type RouteHandler = (request: LocalRequest, match: RegExpExecArray) => Promise<LocalResponse> | LocalResponse;

/** A fault to inject into the next matching request(s). */
export type Fault =
  | { kind: "status"; status: number; path?: RegExp; times?: number } // e.g. 500, 502, 503
  | { kind: "rate-limit"; retryAfterSeconds?: number; path?: RegExp; times?: number } // HTTP 429 with Retry-After
  | { kind: "delay"; ms: number; path?: RegExp; times?: number }
  | { kind: "drop"; path?: RegExp; times?: number }; // the connection is destroyed without an answer

export interface LocalShopifyOptions {
  plan?: ThrottlePlan;
  now?: () => number;
  modules?: ApiModule[];
}

type ShopifyError = {
  message: string;
  locations?: readonly { line: number; column: number }[];
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
};

function shopifyError(error: GraphQLError, code?: string): ShopifyError {
  const extensionCode = code ?? error.extensions?.code;
  return {
    message: error.message,
    ...(error.locations ? { locations: error.locations } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(extensionCode ? { extensions: { ...error.extensions, code: extensionCode } } : {}),
  };
}

export function notImplemented(what: string): GraphQLError {
  return new GraphQLError(`The local Shopify does not implement ${what}`, { extensions: { code: "NOT_IMPLEMENTED_LOCALLY" } });
}

/**
 * Reads what the objects hold. A field an object does not hold is not implemented, and says so. Functions are
 * called with (args, context, info), so objects can compute fields such as nested connections.
 */
const strictFieldResolver: GraphQLFieldResolver<unknown, RequestContext> = (source, args, context, info) => {
  const record = source as Record<string, unknown> | null;
  if (record === null || typeof record !== "object" || !(info.fieldName in record)) {
    throw notImplemented(`${info.parentType.name}.${info.fieldName}`);
  }
  const value = record[info.fieldName];
  return typeof value === "function" ? (value as RootField).call(record, args, context, info) : value;
};

export class LocalShopify {
  readonly version = ADMIN_API_VERSION;
  readonly shops = new Map<string, ShopState>();
  private readonly tokens = new Map<string, { shop: string; expiresAt: number | null }>(); // access token -> shop
  private readonly routes: { method: string; pattern: RegExp; handler: RouteHandler }[] = [];
  private readonly queryRoot: Record<string, RootField> = {};
  private readonly mutationRoot: Record<string, RootField> = {};
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  origin = "";
  readonly now: () => number;
  private readonly plan: ThrottlePlan;

  constructor(options: LocalShopifyOptions = {}) {
    this.now = options.now ?? Date.now;
    this.plan = options.plan ?? PLANS.standard;
    this.route("POST", new RegExp(`^/admin/api/${this.version}/graphql\\.json$`), (request) => this.handleGraphql(request));
    for (const module of options.modules ?? []) this.use(module);
  }

  /** The query root's fields (bulk operations execute their inner query against them). */
  queryRootFields(): Record<string, RootField> {
    return this.queryRoot;
  }

  readonly fieldResolver = strictFieldResolver;

  use(module: ApiModule): this {
    for (const [name, field] of Object.entries(module.query ?? {})) this.defineRoot(this.queryRoot, "QueryRoot", name, field);
    for (const [name, field] of Object.entries(module.mutation ?? {})) this.defineRoot(this.mutationRoot, "Mutation", name, field);
    module.install?.(this);
    return this;
  }

  private defineRoot(root: Record<string, RootField>, type: string, name: string, field: RootField) {
    if (name in root) throw new Error(`${type}.${name} is defined by two local Shopify modules`);
    root[name] = field;
  }

  route(method: string, pattern: RegExp, handler: RouteHandler) {
    this.routes.push({ method, pattern, handler });
  }

  addShop(seed: SeedStore, plan?: ThrottlePlan): ShopState {
    const state = new ShopState(seed, plan ?? (seed.shop.plan ? PLANS[seed.shop.plan] : this.plan), this.now);
    this.shops.set(seed.shop.domain, state);
    return state;
  }

  shop(domain: string): ShopState {
    const state = this.shops.get(domain);
    if (!state) throw new Error(`No shop ${domain} in the local Shopify`);
    return state;
  }

  /** Registers an access token for a shop; an expiring token stops working at `expiresAt` (ms since epoch). */
  issueAccessToken(shop: string, token: string, { expiresAt = null }: { expiresAt?: number | null } = {}) {
    this.shop(shop);
    this.tokens.set(token, { shop, expiresAt });
  }

  revokeAccessToken(token: string) {
    this.tokens.delete(token);
  }

  shopForToken(token: string | undefined): ShopState | undefined {
    const record = token ? this.tokens.get(token) : undefined;
    if (!record || (record.expiresAt !== null && this.now() >= record.expiresAt)) return undefined;
    return this.shops.get(record.shop);
  }

  /** Injects a fault into the next matching request(s) (`times`, default 1). */
  inject(fault: Fault) {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  private takeFault(path: string): Fault | undefined {
    const index = this.faults.findIndex((f) => !f.path || f.path.test(path));
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** Executes one Admin GraphQL request for the shop the token belongs to. Status and body as Shopify answers. */
  async graphql(token: string | undefined, body: unknown): Promise<{ status: number; body: object }> {
    const state = this.shopForToken(token);
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
            {
              message: "Throttled",
              extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" },
            },
          ],
          extensions: {
            cost: { requestedQueryCost: requested, actualQueryCost: null, throttleStatus: state.bucket.status() },
          },
        },
      };
    }

    const context: RequestContext = { local: this, shop: state, now: new Date(this.now()) };
    const result = await execute({
      schema,
      document,
      operationName,
      variableValues: variables,
      rootValue: operation.operation === "mutation" ? this.mutationRoot : this.queryRoot,
      contextValue: context,
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

  private async handleGraphql(request: LocalRequest): Promise<LocalResponse> {
    let body: unknown;
    try {
      body = JSON.parse(request.body.toString("utf8"));
    } catch {
      return { status: 400, body: { errors: "Request body is not valid JSON" } };
    }
    const header = request.headers["x-shopify-access-token"];
    return this.graphql(Array.isArray(header) ? header[0] : header, body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://local");
    const fault = this.takeFault(url.pathname);
    if (fault?.kind === "drop") {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ errors: `Injected fault: HTTP ${fault.status}` }));
      return;
    }
    if (fault?.kind === "rate-limit") {
      res.writeHead(429, { "content-type": "application/json", "retry-after": String(fault.retryAfterSeconds ?? 2) });
      res.end(JSON.stringify({ errors: "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service." }));
      return;
    }

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: LocalRequest = { method: req.method ?? "GET", url, headers: req.headers, body: Buffer.concat(chunks) };
    for (const route of this.routes) {
      const match = route.method === request.method ? route.pattern.exec(url.pathname) : null;
      if (!match) continue;
      const answer = await route.handler(request, match);
      const isJson = answer.body !== undefined && typeof answer.body === "object" && !Buffer.isBuffer(answer.body);
      res.writeHead(answer.status, { ...(isJson ? { "content-type": "application/json" } : {}), ...answer.headers });
      res.end(isJson ? JSON.stringify(answer.body) : (answer.body as string | Buffer | undefined));
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ errors: "Not Found" }));
  }

  /** Listens on 127.0.0.1 (an ephemeral port unless given) and returns the origin. */
  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (res.headersSent) return res.destroy();
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: `Internal error in the local Shopify: ${(error as Error).message}` }));
      });
    });
    // Node closes an idle keep-alive socket after 5 s and the fetch client reuses one for up to 4 s: on a loaded machine
    // the two race and a request goes out on a socket the server is closing ("fetch failed", other side closed). Real
    // Shopify keeps connections far longer than clients do; so does the local one (close() still destroys them).
    this.server.keepAliveTimeout = 60_000;
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.origin;
  }

  async close() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve, reject) =>
      this.server ? this.server.close((e) => (e ? reject(e) : resolve())) : resolve(),
    );
  }

  graphqlUrl(origin: string = this.origin) {
    return `${origin}/admin/api/${this.version}/graphql.json`;
  }
}
