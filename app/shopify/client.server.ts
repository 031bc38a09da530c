/**
 * The one Admin GraphQL client: graphql-request over the shop's access token, aware of Shopify's cost-based rate limit.
 *
 * - Before a request it waits if the last known bucket (extensions.cost.throttleStatus, refilled at restoreRate since it
 *   was read) cannot cover the query's expected cost (its last requested cost), instead of hitting THROTTLED.
 * - THROTTLED is retried after the time the bucket needs; HTTP 429 after Retry-After; 5xx and network errors with
 *   exponential backoff and full jitter. Retries are bounded; then a typed AdminApiError says what failed.
 * - GraphQL errors other than THROTTLED, 4xx answers and missing data are not retried: they will not get better.
 * Shopify's library does not retry cost throttles (shopify-app-js `RETRIABLE_STATUS_CODES`), hence this client.
 */
import { ClientError, GraphQLClient } from "graphql-request";
import { ADMIN_API_VERSION } from "./api-version";

export type AdminApiErrorCode = "THROTTLED" | "RATE_LIMITED" | "SERVER" | "NETWORK" | "HTTP" | "GRAPHQL" | "NO_DATA";

export class AdminApiError extends Error {
  constructor(
    readonly code: AdminApiErrorCode,
    readonly operation: string,
    message: string,
    readonly details?: unknown,
    readonly attempts = 1,
  ) {
    super(`${operation}: ${message}`);
    this.name = "AdminApiError";
  }
}

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface AdminClientOptions {
  shop: string;
  accessToken: string;
  apiVersion?: string;
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Waiting is injectable so tests run without real time; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (info: { operation: string; attempt: number; code: AdminApiErrorCode; delayMs: number }) => void;
}

interface Cost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

const operationName = (query: string) => /(?:query|mutation)\s+(\w+)/.exec(query)?.[1] ?? "anonymous operation";

export function createAdminClient(options: AdminClientOptions) {
  const {
    shop,
    accessToken,
    apiVersion = ADMIN_API_VERSION,
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    now = Date.now,
    random = Math.random,
    maxAttempts = 8,
    baseDelayMs = 500,
    maxDelayMs = 30_000,
  } = options;
  const client = new GraphQLClient(`https://${shop}/admin/api/${apiVersion}/graphql.json`, {
    headers: { "X-Shopify-Access-Token": accessToken },
    errorPolicy: "all",
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  let bucket: (ThrottleStatus & { at: number }) | undefined;
  const expectedCost = new Map<string, number>();

  const available = () =>
    bucket ? Math.min(bucket.maximumAvailable, bucket.currentlyAvailable + ((now() - bucket.at) / 1000) * bucket.restoreRate) : Infinity;
  const backoff = (attempt: number) => Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * random();

  async function request<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const operation = operationName(query);
    for (let attempt = 1; ; attempt++) {
      const cost = expectedCost.get(query);
      if (bucket && cost !== undefined && available() < cost) {
        await sleep(Math.ceil(((cost - available()) / bucket.restoreRate) * 1000));
      }
      let failure: { code: AdminApiErrorCode; message: string; details?: unknown; delayMs: number; retry: boolean };
      try {
        const response = await client.rawRequest<T>(query, variables);
        const costInfo = (response.extensions as { cost?: Cost } | undefined)?.cost;
        if (costInfo?.throttleStatus) bucket = { ...costInfo.throttleStatus, at: now() };
        if (costInfo?.requestedQueryCost !== undefined) expectedCost.set(query, costInfo.requestedQueryCost);
        const errors = response.errors ?? [];
        const throttled = errors.some((e) => (e.extensions as { code?: string } | undefined)?.code === "THROTTLED");
        if (throttled) {
          const needed = costInfo?.requestedQueryCost ?? cost ?? 0;
          const wait = bucket ? ((needed - bucket.currentlyAvailable) / bucket.restoreRate) * 1000 : backoff(attempt);
          failure = { code: "THROTTLED", message: "Throttled", details: costInfo, delayMs: Math.max(wait, 0) + backoff(1) / 4, retry: true };
        } else if (errors.length > 0) {
          throw new AdminApiError("GRAPHQL", operation, errors.map((e) => e.message).join("; "), errors, attempt);
        } else if (response.data === undefined || response.data === null) {
          throw new AdminApiError("NO_DATA", operation, "the response has no data", undefined, attempt);
        } else {
          return response.data;
        }
      } catch (error) {
        if (error instanceof AdminApiError) throw error;
        if (error instanceof ClientError) {
          const status = error.response.status;
          if (status === 429) {
            const retryAfter = Number(error.response.headers?.get?.("retry-after"));
            failure = { code: "RATE_LIMITED", message: "HTTP 429", delayMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff(attempt), retry: true };
          } else if (status >= 500) {
            failure = { code: "SERVER", message: `HTTP ${status}`, delayMs: backoff(attempt), retry: true };
          } else {
            throw new AdminApiError("HTTP", operation, `HTTP ${status}`, error.response.error ?? error.response.errors, attempt);
          }
        } else {
          failure = { code: "NETWORK", message: (error as Error).message, delayMs: backoff(attempt), retry: true };
        }
      }
      if (!failure.retry || attempt >= maxAttempts) {
        throw new AdminApiError(failure.code, operation, `${failure.message} (gave up after ${attempt} attempts)`, failure.details, attempt);
      }
      options.onRetry?.({ operation, attempt, code: failure.code, delayMs: failure.delayMs });
      await sleep(failure.delayMs);
    }
  }

  return { request, throttleStatus: () => (bucket ? { ...bucket, currentlyAvailable: available() } : undefined) };
}

export type AdminClient = ReturnType<typeof createAdminClient>;
