/**
 * Storefront events (ADR 019, ADR 020): impressions, clicks and add-to-carts the theme blocks send through Shopify's
 * app proxy, `POST /apps/insight-loop/events` → this app's `POST /proxy/events`.
 *
 * Checks, in this order, each refusing before any further work (and nothing is stored from a refused request):
 * 1. Method POST (else 405).
 * 2. Size, before the body is read: a `Content-Length` above 16 KiB is 413 (not a number: 400). A body without one
 *    (chunked) is allowed — a proxy may re-chunk — because step 5 caps what is read whatever the header says.
 * 3. Shopify's signature over the query (`authenticate.public.appProxy`: HMAC-SHA256 of the sorted parameters with the
 *    app's secret, timestamp within ±90 s). The library throws 400 on a bad, missing or stale signature; we answer 401.
 *    The shop is taken from the verified query only; `logged_in_customer_id` is never read.
 * 4. Per-shop rate limit (token bucket in process memory: STOREFRONT_EVENTS_RATE): 429 with Retry-After. Then the shop must be
 *    installed (a Shop row, not uninstalled), else 404.
 * 5. The body, read through a reader that stops at 16 KiB whatever Content-Length claimed (413), must be UTF-8 JSON
 *    matching EventsBody: 1..50 events, strict objects (an unknown field — an email, a name — is refused, so no personal
 *    data can ride along), each value from a closed set or pattern (400, naming fields, never echoing values).
 * 6. Stored with one `createMany({ skipDuplicates: true })` keyed (shop, event id): a replayed or retried batch stores
 *    nothing new. The browser's time is clamped to [receipt − 1 day, receipt]. Answer 200 `{ stored, duplicates }`.
 *
 * Nothing here logs request contents or the signature.
 */
import type { PrismaClient } from "@prisma/client";
import { z } from "zod";
import defaultPrisma from "../../db.server";
import { env } from "../../env.server";
import { ATTRIBUTE_VISITOR_ID, OFFER_ARMS, OFFER_RANKS, OFFER_WIDGETS } from "../../shopify/mappers/attribution";
import { assignArm } from "../../insights/offers/assignment";
import { parseShopSettings } from "../../models/shop-settings";
import { parseRate, TokenBucketLimiter } from "./rate-limit.server";
import { readCapped } from "../body-limits.server";

/** The largest body accepted (bytes). 50 events of the blocks' shape are about 12 KiB. */
export const EVENTS_BODY_LIMIT = 16 * 1024;
export const MAX_EVENTS_PER_REQUEST = 50;
/** How far back a browser's timestamp may be (a tab hidden overnight); older ones are clamped to this. */
export const MAX_EVENT_AGE_MS = 24 * 60 * 60 * 1000;

export const EVENT_TYPES = ["impression", "click", "add_to_cart"] as const;

const Digits = z.string().regex(/^\d{1,20}$/, "must be a numeric id");

export const StorefrontEventSchema = z.strictObject({
  id: z.uuid("must be a UUID"),
  type: z.enum(EVENT_TYPES),
  widget: z.enum(OFFER_WIDGETS),
  arm: z.enum(OFFER_ARMS),
  // The blocks send null for what does not apply (an impression has no rank of its own in the cart embed, …).
  rank: z.enum(OFFER_RANKS).nullish(),
  anchor: Digits.nullish(),
  product: Digits.nullish(),
  slot: z.int().min(1).max(20).nullish(),
  vid: z.string().regex(ATTRIBUTE_VISITOR_ID, "must be 8 to 64 letters, digits or dashes"),
  t: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
});

export const EventsBodySchema = z.strictObject({
  events: z.array(StorefrontEventSchema).min(1).max(MAX_EVENTS_PER_REQUEST),
});

export type StorefrontEventInput = z.infer<typeof StorefrontEventSchema>;

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** The verification the route passes in: `authenticate.public.appProxy` (throws a Response when invalid). */
export type VerifyAppProxy = (request: Request) => Promise<unknown>;

export interface ReceiveOptions {
  verify: VerifyAppProxy;
  db?: PrismaClient;
  limiter?: TokenBucketLimiter;
  now?: () => Date;
}

/**
 * Per shop and process, from STOREFRONT_EVENTS_RATE (`<per second>/<burst>`, default 20/60: 20 requests a second
 * sustained, bursts of 60, each request up to 50 events — a thousand events a second for one shop).
 */
const defaultLimiter = new TokenBucketLimiter(parseRate(env.STOREFRONT_EVENTS_RATE));

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers } });
const refuse = (status: number, error: string, headers: Record<string, string> = {}) => json(status, { error }, headers);

export async function receiveStorefrontEvents(request: Request, options: ReceiveOptions): Promise<Response> {
  const { verify, db = defaultPrisma, limiter = defaultLimiter, now = () => new Date() } = options;

  if (request.method !== "POST") return refuse(405, "Only POST is accepted", { Allow: "POST" });

  const declared = request.headers.get("content-length");
  if (declared !== null) {
    if (!/^\d+$/.test(declared.trim())) return refuse(400, "Content-Length is not a number");
    if (Number(declared) > EVENTS_BODY_LIMIT) return refuse(413, `The body is larger than ${EVENTS_BODY_LIMIT} bytes`);
  }

  try {
    await verify(request);
  } catch (error) {
    // authenticate.public.appProxy throws a 400 Response for a bad, missing or expired signature.
    if (error instanceof Response && error.status === 400) return refuse(401, "Invalid or missing app proxy signature");
    throw error;
  }
  const shop = new URL(request.url).searchParams.get("shop") ?? "";
  if (!SHOP_DOMAIN.test(shop)) return refuse(401, "The signed request names no shop");

  const taken = limiter.take(shop);
  if (!taken.ok) {
    await request.body?.cancel().catch(() => {});
    return refuse(429, "Too many requests for this shop", { "Retry-After": String(taken.retryAfterSeconds) });
  }

  const installed = await db.shop.findUnique({ where: { domain: shop }, select: { uninstalledAt: true } });
  if (!installed || installed.uninstalledAt !== null) return refuse(404, "The shop has not installed the app");

  const bytes = await readCapped(request.body, EVENTS_BODY_LIMIT);
  if (bytes === null) return refuse(413, `The body is larger than ${EVENTS_BODY_LIMIT} bytes`);
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return refuse(400, "The body is not UTF-8 JSON");
  }
  const parsed = EventsBodySchema.safeParse(payload);
  if (!parsed.success) return refuse(400, `Invalid events: ${describeIssues(parsed.error)}`);

  const result = await storeStorefrontEvents({ shop, events: parsed.data.events, db, receivedAt: now() });
  return json(200, result);
}

/** Stores a validated batch for `shop`; events already stored (same shop and id) are skipped. */
export async function storeStorefrontEvents({
  shop,
  events,
  db = defaultPrisma,
  receivedAt,
}: {
  shop: string;
  events: readonly StorefrontEventInput[];
  db?: PrismaClient;
  receivedAt: Date;
}): Promise<{ stored: number; duplicates: number; wrongArm: number }> {
  const received = receivedAt.getTime();
  // The arm is the app's to say, not the browser's: it is derived again from the visitor id with the shop's salt and
  // holdout share. An event that declares another arm (forged, or from a page rendered before a settings change) is
  // not stored, so it can neither move the holdout comparison nor steer the bandit.
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  const { salt, holdoutShare } = parseShopSettings(shop, row?.settings).storefront;
  const kept = events.filter((e) => assignArm(e.vid, salt, holdoutShare) === e.arm);
  const { count } = await db.storefrontEvent.createMany({
    data: kept.map((e) => ({
      shop,
      id: e.id.toLowerCase(),
      type: e.type,
      widget: e.widget,
      arm: e.arm,
      rankArm: e.rank ?? null,
      visitorId: e.vid,
      anchorId: e.anchor ?? null,
      productId: e.product ?? null,
      slot: e.slot ?? null,
      occurredAt: new Date(Math.min(received, Math.max(received - MAX_EVENT_AGE_MS, e.t))),
      receivedAt,
    })),
    skipDuplicates: true,
  });
  return { stored: count, duplicates: kept.length - count, wrongArm: events.length - kept.length };
}

/** Issue paths and messages only (at most five): never the values sent. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`)
    .join("; ");
}
