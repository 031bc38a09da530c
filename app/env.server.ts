/**
 * The environment, validated once at boot. Importing this module with a missing or malformed variable throws an
 * EnvError naming every bad variable, which stops the server before it serves anything.
 *
 * Nothing here may reach the browser: the client gets only what a loader returns (the API key, which is public).
 */
import { z } from "zod";

const DEFAULT_SCOPES = "read_orders,read_all_orders,read_products,write_products,write_discounts,read_customers,write_customers,write_app_proxy";

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().trim().min(1, "is required (the app's client id from the Partner Dashboard)"),
  SHOPIFY_API_SECRET: z.string().trim().min(1, "is required (the app's client secret; never logged)"),
  SHOPIFY_APP_URL: z.url({ error: "must be the app's public https URL, e.g. https://example.trycloudflare.com" }),
  SCOPES: z
    .string()
    .trim()
    .regex(/^[a-z_]+(,[a-z_]+)*$/, "must be a comma-separated list of scopes such as read_orders,read_products")
    .default(DEFAULT_SCOPES),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL (unset it to use the embedded database)")
    .optional(),
  PGLITE_DATA_DIR: z.string().trim().min(1).optional(),
  SHOPIFY_LOCAL_ADMIN_ORIGIN: z
    .url({ protocol: /^https?$/, error: "must be the local Shopify's origin, e.g. http://127.0.0.1:4100" })
    .optional(),
  /**
   * Whether the web process runs the embedded database's jobs itself (app/jobs/queue.server.ts). Default: yes, except
   * under NODE_ENV=test, where tests run the queue themselves; the demo (which serves with NODE_ENV=test) turns it on.
   */
  JOB_WORKERS: z.enum(["on", "off"], { error: "must be on or off" }).optional(),
  /**
   * The AES-256-GCM key for Shopify access and refresh tokens at rest (app/lib/token-crypto.server.ts): 32 random bytes,
   * base64 (`openssl rand -base64 32`). Required in production; elsewhere a key derived from the app secret is used.
   */
  SESSION_TOKEN_KEY: z
    .string()
    .trim()
    .refine((v) => /^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, "base64").length === 32, "must be 32 random bytes in base64, e.g. the output of openssl rand -base64 32")
    .optional(),
  /** Storefront events through the app proxy, per shop and process: `<requests per second>/<burst>` (ADR 020). */
  STOREFRONT_EVENTS_RATE: z
    .string()
    .trim()
    .refine((v) => /^\d+(\.\d+)?\/[1-9]\d*$/.test(v) && Number(v.split("/")[0]) > 0, "must be <requests per second>/<burst>, e.g. 20/60")
    .default("20/60"),
})
  .refine((env) => env.NODE_ENV !== "production" || env.SESSION_TOKEN_KEY !== undefined, {
    path: ["SESSION_TOKEN_KEY"],
    message: "is required when NODE_ENV is production (32 random bytes in base64: openssl rand -base64 32); it encrypts Shopify tokens at rest",
  })
  .refine((env) => env.SHOPIFY_LOCAL_ADMIN_ORIGIN === undefined || env.NODE_ENV === "test", {
    path: ["SHOPIFY_LOCAL_ADMIN_ORIGIN"],
    message:
      "must only be set when NODE_ENV is test (the tests and npm run demo set it): it sends Shopify API calls to a local Shopify",
  })
  // (A value that is not a URL at all already has its own issue: no second one for it.)
  .refine((env) => !URL.canParse(env.SHOPIFY_LOCAL_ADMIN_ORIGIN ?? "") || isLoopbackOrigin(env.SHOPIFY_LOCAL_ADMIN_ORIGIN!), {
    path: ["SHOPIFY_LOCAL_ADMIN_ORIGIN"],
    message: "must be a loopback origin (127.0.0.1, ::1 or localhost), e.g. http://127.0.0.1:4100",
  });

/** Whether a URL's host is this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackOrigin(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment, the app cannot start:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Validates an environment object. Empty strings count as unset. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const result = EnvSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".");
    const message = issue.code === "invalid_type" && cleaned[name] === undefined ? "is required" : issue.message;
    return `${name} ${message}`;
  });
  throw new EnvError(problems);
}

export const env: Env = parseEnv(process.env);

/** Whether this web process runs its (embedded database's) job workers: JOB_WORKERS, else off only under tests. */
export function jobWorkersOn(e: Pick<Env, "NODE_ENV" | "JOB_WORKERS">): boolean {
  return e.JOB_WORKERS ? e.JOB_WORKERS === "on" : e.NODE_ENV !== "test";
}
