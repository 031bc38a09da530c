/**
 * Delivers webhooks to the app as Shopify does: to the subscriptions declared in shopify.app.toml, with Shopify's
 * headers and an HMAC-SHA256 (base64) of the raw body signed with the app's secret, retried with exponential backoff
 * on a non-2xx answer or a network error. Shopify retries 8 times over 4 hours; here the attempts and the base delay are
 * options so tests stay fast. Deliveries are logged and can be replayed (same webhook id, for idempotency tests),
 * reordered (out-of-order delivery, deterministic by seed) or tampered with after signing (for rejection tests).
 *
 * Targets are reached over HTTP, or in-process through a `fetch` option such as Remix's request handler.
 * https://shopify.dev/docs/apps/build/webhooks/subscribe/https
 */
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { seededRng } from "../../app/insights/trends/random";

/** The app's TOML at the repository root. */
export const DEFAULT_TOML_PATH = path.resolve(import.meta.dirname, "../../shopify.app.toml");

export type RequestHandler = (request: Request) => Promise<Response>;

export interface WebhookSenderOptions {
  /** The app's URL: relative subscription URIs are resolved against it. */
  appUrl: string;
  /** The app's client secret: signs every delivery. */
  apiSecret: string;
  /** Sent as X-Shopify-API-Version. */
  apiVersion: string;
  tomlPath?: string;
  /** Where requests go: HTTP by default, or an in-process handler (e.g. the Remix request handler). */
  fetch?: RequestHandler;
  /** `attempts` in all (1: no retry); the n-th retry waits `baseDelayMs * 2^(n-1)`. Default 3 attempts, 10 ms. */
  retry?: { attempts: number; baseDelayMs: number };
  /** An attempt not answered within this time fails (Shopify allows 5 s in all). Default 5000 ms. */
  timeoutMs?: number;
}

export interface WebhookEvent {
  topic: string;
  shop: string;
  /** Serialised with JSON.stringify; a string is sent as is (it must be the JSON you want on the wire). */
  payload: unknown;
  webhookId?: string;
  eventId?: string;
  triggeredAt?: Date | string;
  /** Changes one byte of the body after signing, so the HMAC no longer matches. */
  tamper?: boolean;
}

export interface DeliveryAttempt {
  attempt: number;
  /** The HTTP status, or null when the attempt failed without one (network error, timeout, handler threw). */
  status: number | null;
  error?: string;
  at: string;
}

export interface DeliveryTarget {
  url: string;
  attempts: DeliveryAttempt[];
  ok: boolean;
}

export interface Delivery {
  /** This delivery's id in the sender's log (replay takes it). */
  id: string;
  /** The delivery this one replays, if any. */
  replayOf?: string;
  topic: string;
  shop: string;
  webhookId: string;
  eventId: string;
  triggeredAt: string;
  /** The body as sent (after tampering, if any). */
  body: string;
  headers: Record<string, string>;
  tampered: boolean;
  targets: DeliveryTarget[];
  /** Every target answered 2xx. */
  ok: boolean;
}

export interface Subscription {
  topics: string[];
  uri: string;
}

export class UnknownTopicError extends Error {
  constructor(
    readonly topic: string,
    readonly subscribedTopics: readonly string[],
    tomlPath: string,
  ) {
    super(
      `No webhook subscription for topic "${topic}" in ${path.basename(tomlPath)}; subscribed topics: ` +
        (subscribedTopics.length > 0 ? subscribedTopics.join(", ") : "(none)"),
    );
    this.name = "UnknownTopicError";
  }
}

const TomlSubscriptions = z.object({
  webhooks: z
    .object({
      subscriptions: z
        .array(
          z.object({
            topics: z.array(z.string().min(1)).optional(),
            compliance_topics: z.array(z.string().min(1)).optional(),
            uri: z.string().min(1),
          }),
        )
        .default([]),
    })
    .optional(),
});

/** The `[[webhooks.subscriptions]]` of an app TOML: each entry's topics and compliance topics with its URI. */
export function readSubscriptions(tomlPath: string = DEFAULT_TOML_PATH): Subscription[] {
  const parsed = TomlSubscriptions.safeParse(parseToml(readFileSync(tomlPath, "utf8")));
  if (!parsed.success) throw new Error(`Invalid webhook subscriptions in ${tomlPath}: ${parsed.error.message}`);
  return (parsed.data.webhooks?.subscriptions ?? []).map((s) => ({
    topics: [...(s.topics ?? []), ...(s.compliance_topics ?? [])],
    uri: s.uri,
  }));
}

/** The HMAC Shopify puts in X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body with the app's secret. */
export function webhookHmac(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

/**
 * Changes one byte: the first letter or digit inside a JSON string (so the body stays valid JSON and only the HMAC
 * fails), else the first digit, else the last byte.
 */
export function tamperBody(body: string): string {
  const bump = (c: string) => (c === "z" || c === "Z" || c === "9" ? String.fromCharCode(c.charCodeAt(0) - 1) : String.fromCharCode(c.charCodeAt(0) + 1));
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === "\\" && inString) {
      i++;
      continue;
    }
    if (c === '"') inString = !inString;
    else if (inString && /[A-Za-z0-9]/.test(c)) return body.slice(0, i) + bump(c) + body.slice(i + 1);
  }
  const digit = body.search(/[0-9]/);
  if (digit >= 0) return body.slice(0, digit) + bump(body[digit]!) + body.slice(digit + 1);
  if (body.length === 0) return " ";
  return body.slice(0, -1) + String.fromCharCode(body.charCodeAt(body.length - 1) ^ 1);
}


/** The order deliverMany sends events in. */
export function orderEvents<T>(events: readonly T[], order: "as-given" | "reversed" | "shuffled", seed = 0): T[] {
  const copy = [...events];
  if (order === "reversed") return copy.reverse();
  if (order === "shuffled") {
    const random = seededRng(seed);
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
  }
  return copy;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WebhookSender {
  readonly subscriptions: readonly Subscription[];
  private readonly log: Delivery[] = [];
  private readonly send: RequestHandler;
  private readonly retry: { attempts: number; baseDelayMs: number };
  private readonly timeoutMs: number;
  private readonly tomlPath: string;

  constructor(private readonly options: WebhookSenderOptions) {
    this.tomlPath = options.tomlPath ?? DEFAULT_TOML_PATH;
    this.subscriptions = readSubscriptions(this.tomlPath);
    this.send = options.fetch ?? ((request) => fetch(request));
    this.retry = options.retry ?? { attempts: 3, baseDelayMs: 10 };
    if (!Number.isInteger(this.retry.attempts) || this.retry.attempts < 1) throw new Error("retry.attempts must be an integer ≥ 1");
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Every subscribed topic, in TOML order. */
  get topics(): string[] {
    return [...new Set(this.subscriptions.flatMap((s) => s.topics))];
  }

  /** Every delivery so far, oldest first. */
  get deliveries(): readonly Delivery[] {
    return this.log;
  }

  /** The URLs subscribed to a topic; an UnknownTopicError (naming the subscribed topics) if there is none. */
  targetsFor(topic: string): string[] {
    const uris = this.subscriptions.filter((s) => s.topics.includes(topic)).map((s) => s.uri);
    if (uris.length === 0) throw new UnknownTopicError(topic, this.topics, this.tomlPath);
    return uris.map((uri) => {
      const url = /^[a-z][a-z0-9+.-]*:/i.test(uri) ? uri : `${this.options.appUrl.replace(/\/+$/, "")}/${uri.replace(/^\/+/, "")}`;
      if (!/^https?:\/\//i.test(url)) throw new Error(`Subscription URI ${uri} for ${topic} cannot be delivered over HTTP locally`);
      return url;
    });
  }

  /** Signs and POSTs one event to every URI subscribed to its topic, retrying failures. Returns the logged delivery. */
  async deliver(event: WebhookEvent): Promise<Delivery> {
    const urls = this.targetsFor(event.topic);
    const signed = typeof event.payload === "string" ? event.payload : JSON.stringify(event.payload);
    const webhookId = event.webhookId ?? randomUUID();
    const eventId = event.eventId ?? randomUUID();
    const triggeredAt =
      event.triggeredAt instanceof Date ? event.triggeredAt.toISOString() : (event.triggeredAt ?? new Date().toISOString());
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "X-Shopify-Topic": event.topic,
      "X-Shopify-Hmac-Sha256": webhookHmac(signed, this.options.apiSecret),
      "X-Shopify-Shop-Domain": event.shop,
      "X-Shopify-Webhook-Id": webhookId,
      "X-Shopify-Event-Id": eventId,
      "X-Shopify-Triggered-At": triggeredAt,
      "X-Shopify-API-Version": this.options.apiVersion,
    };
    const body = event.tamper ? tamperBody(signed) : signed;
    return this.dispatch({
      topic: event.topic,
      shop: event.shop,
      webhookId,
      eventId,
      triggeredAt,
      body,
      headers,
      tampered: event.tamper === true,
      urls,
    });
  }

  /** Re-sends an earlier delivery byte for byte: same body, same webhook id, event id and trigger time. */
  async replay(deliveryId: string): Promise<Delivery> {
    const original = this.log.find((d) => d.id === deliveryId);
    if (!original) throw new Error(`No delivery ${deliveryId} to replay`);
    return this.dispatch({ ...original, urls: original.targets.map((t) => t.url), replayOf: original.id });
  }

  /** Delivers events one after another in the given order ("shuffled" is deterministic for a seed). */
  async deliverMany(
    events: readonly WebhookEvent[],
    { order = "as-given", seed = 0 }: { order?: "as-given" | "reversed" | "shuffled"; seed?: number } = {},
  ): Promise<Delivery[]> {
    for (const event of events) this.targetsFor(event.topic); // fail before sending anything
    const deliveries: Delivery[] = [];
    for (const event of orderEvents(events, order, seed)) deliveries.push(await this.deliver(event));
    return deliveries;
  }

  private async dispatch(
    d: Omit<Delivery, "id" | "targets" | "ok"> & { urls: string[]; replayOf?: string },
  ): Promise<Delivery> {
    const { urls, ...rest } = d;
    const delivery: Delivery = { ...rest, id: `delivery-${this.log.length + 1}`, targets: [], ok: false };
    this.log.push(delivery);
    for (const url of urls) delivery.targets.push(await this.deliverTo(url, delivery));
    delivery.ok = delivery.targets.every((t) => t.ok);
    return delivery;
  }

  private async deliverTo(url: string, delivery: Delivery): Promise<DeliveryTarget> {
    const target: DeliveryTarget = { url, attempts: [], ok: false };
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      if (attempt > 1) await sleep(this.retry.baseDelayMs * 2 ** (attempt - 2));
      const at = new Date().toISOString();
      try {
        const request = new Request(url, { method: "POST", headers: delivery.headers, body: delivery.body });
        const response = await this.withTimeout(this.send(request));
        await response.arrayBuffer().catch(() => undefined); // drain, so HTTP connections are reused
        target.attempts.push({ attempt, status: response.status, at });
        if (response.ok) {
          target.ok = true;
          break;
        }
      } catch (error) {
        target.attempts.push({ attempt, status: null, error: (error as Error).message, at });
      }
    }
    return target;
  }

  private async withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
