/**
 * The webhook sender: Shopify's headers and HMAC (checked here with node:crypto, independently of the sender), the
 * subscriptions read from the real shopify.app.toml, retries with backoff, replay, out-of-order delivery and tampering.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_API_VERSION } from "../../../app/shopify/api-version";
import { tamperBody, UnknownTopicError, WebhookSender, type WebhookSenderOptions } from "../../local-shopify/webhooks";
import { TEST_APP } from "../../support/test-app";

const SHOP = "nha-sach.myshopify.com";

interface Received {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

/** An in-process handler that records requests and answers the statuses given, in turn (then 200). */
function recorder(statuses: (number | "throw")[] = []) {
  const received: Received[] = [];
  const fetch = async (request: Request) => {
    received.push({ url: request.url, method: request.method, headers: request.headers, body: await request.text() });
    const status = statuses.shift() ?? 200;
    if (status === "throw") throw new TypeError("fetch failed: connection refused");
    return new Response(null, { status });
  };
  return { received, fetch };
}

const sender = (options: Partial<WebhookSenderOptions> = {}) =>
  new WebhookSender({
    appUrl: TEST_APP.appUrl,
    apiSecret: TEST_APP.apiSecret,
    apiVersion: ADMIN_API_VERSION,
    retry: { attempts: 3, baseDelayMs: 1 },
    ...options,
  });

/** Shopify's verification, written independently: base64 HMAC-SHA256 of the raw body with the secret. */
function hmacMatches(body: string, header: string | null, secret: string = TEST_APP.apiSecret) {
  const expected = createHmac("sha256", secret).update(Buffer.from(body, "utf8")).digest();
  const given = Buffer.from(header ?? "", "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("WebhookSender", () => {
  it("reads the subscriptions from shopify.app.toml", () => {
    expect(sender().topics).toEqual([
      "app/uninstalled", "app/scopes_update", "orders/create", "orders/updated", "orders/delete", "refunds/create", "products/create", "products/update", "products/delete", "customers/create", "customers/update", "customers/delete", "bulk_operations/finish", "customers/data_request", "customers/redact", "shop/redact",
    ]);
  });

  it("POSTs the raw JSON to the subscribed URI with Shopify's headers and a valid HMAC", async () => {
    const { received, fetch } = recorder();
    const payload = { id: 1, domain: SHOP, name: "Nhà sách" };
    const delivery = await sender({ fetch }).deliver({
      topic: "app/uninstalled",
      shop: SHOP,
      payload,
      triggeredAt: new Date("2026-02-01T03:04:05Z"),
    });

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.url).toBe(`${TEST_APP.appUrl}/webhooks/app/uninstalled`);
    expect(request!.method).toBe("POST");
    expect(request!.body).toBe(JSON.stringify(payload));
    expect(Object.fromEntries(request!.headers)).toMatchObject({
      "content-type": "application/json",
      "x-shopify-topic": "app/uninstalled",
      "x-shopify-shop-domain": SHOP,
      "x-shopify-api-version": ADMIN_API_VERSION,
      "x-shopify-triggered-at": "2026-02-01T03:04:05.000Z",
      "x-shopify-webhook-id": delivery.webhookId,
      "x-shopify-event-id": delivery.eventId,
    });
    expect(delivery.webhookId).toMatch(/^[0-9a-f-]{36}$/);
    expect(hmacMatches(request!.body, request!.headers.get("x-shopify-hmac-sha256"))).toBe(true);
    expect(hmacMatches(request!.body, request!.headers.get("x-shopify-hmac-sha256"), "another-secret")).toBe(false);
    expect(delivery).toMatchObject({ ok: true, targets: [{ ok: true, attempts: [{ attempt: 1, status: 200 }] }] });
  });

  it("delivers over HTTP by default", async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      req.on("end", () => {
        bodies.push(body);
        res.writeHead(hmacMatches(body, String(req.headers["x-shopify-hmac-sha256"])) ? 200 : 401).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const delivery = await sender({ appUrl }).deliver({ topic: "app/scopes_update", shop: SHOP, payload: { current: ["read_orders"] } });
      expect(delivery.targets[0]!.attempts.map((a) => a.status)).toEqual([200]);
      expect(bodies).toEqual(['{"current":["read_orders"]}']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("retries non-2xx answers and network errors with backoff, logging each attempt", async () => {
    const { received, fetch } = recorder([503, "throw"]);
    const delivery = await sender({ fetch, retry: { attempts: 5, baseDelayMs: 20 } }).deliver({
      topic: "app/uninstalled",
      shop: SHOP,
      payload: { id: 1 },
    });
    const attempts = delivery.targets[0]!.attempts;
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, null],
      [3, 200],
    ]);
    expect(attempts[1]!.error).toMatch(/connection refused/);
    // Waits of 20 ms then 40 ms between the attempts.
    expect(Date.parse(attempts[2]!.at) - Date.parse(attempts[0]!.at)).toBeGreaterThanOrEqual(55);
    expect(delivery.ok).toBe(true);
    // Every attempt is the same webhook, byte for byte.
    expect(new Set(received.map((r) => r.headers.get("x-shopify-webhook-id"))).size).toBe(1);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
  });

  it("gives up after the configured attempts", async () => {
    const { fetch } = recorder([500, 500, 500, 500]);
    const delivery = await sender({ fetch, retry: { attempts: 2, baseDelayMs: 1 } }).deliver({
      topic: "app/uninstalled",
      shop: SHOP,
      payload: {},
    });
    expect(delivery.ok).toBe(false);
    expect(delivery.targets[0]!.attempts.map((a) => a.status)).toEqual([500, 500]);
  });

  it("fails an attempt the handler does not answer in time", async () => {
    const never = () => new Promise<Response>(() => undefined);
    const delivery = await sender({ fetch: never, timeoutMs: 20, retry: { attempts: 1, baseDelayMs: 1 } }).deliver({
      topic: "app/uninstalled",
      shop: SHOP,
      payload: {},
    });
    expect(delivery.targets[0]!.attempts[0]).toMatchObject({ status: null, error: "no answer within 20 ms" });
  });

  it("replays a delivery with the same webhook id, body and signature", async () => {
    const { received, fetch } = recorder();
    const webhooks = sender({ fetch });
    const first = await webhooks.deliver({ topic: "app/uninstalled", shop: SHOP, payload: { id: 7 } });
    const again = await webhooks.replay(first.id);
    expect(again.id).not.toBe(first.id);
    expect(again).toMatchObject({ replayOf: first.id, webhookId: first.webhookId, eventId: first.eventId, body: first.body });
    expect(received[1]!.headers.get("x-shopify-webhook-id")).toBe(first.webhookId);
    expect(received[1]!.headers.get("x-shopify-hmac-sha256")).toBe(received[0]!.headers.get("x-shopify-hmac-sha256"));
    expect(webhooks.deliveries.map((d) => d.id)).toEqual([first.id, again.id]);
    await expect(webhooks.replay("delivery-404")).rejects.toThrow(/No delivery delivery-404/);
  });

  it("delivers out of order: reversed, or shuffled deterministically by seed", async () => {
    const events = [1, 2, 3, 4, 5, 6].map((n) => ({
      topic: "app/scopes_update",
      shop: SHOP,
      payload: { n },
      webhookId: `webhook-${n}`,
    }));
    const order = async (options: Parameters<WebhookSender["deliverMany"]>[1]) => {
      const { received, fetch } = recorder();
      const deliveries = await sender({ fetch }).deliverMany(events, options);
      expect(deliveries.map((d) => d.webhookId)).toEqual(received.map((r) => r.headers.get("x-shopify-webhook-id")));
      return received.map((r) => (JSON.parse(r.body) as { n: number }).n);
    };
    expect(await order({})).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await order({ order: "reversed" })).toEqual([6, 5, 4, 3, 2, 1]);
    const shuffled = await order({ order: "shuffled", seed: 42 });
    expect(shuffled).not.toEqual([1, 2, 3, 4, 5, 6]);
    expect([...shuffled].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await order({ order: "shuffled", seed: 42 })).toEqual(shuffled);
    expect(await order({ order: "shuffled", seed: 7 })).not.toEqual(shuffled);
  });

  it("refuses a topic the app does not subscribe to, naming the subscribed ones, before sending anything", async () => {
    const { received, fetch } = recorder();
    const webhooks = sender({ fetch });
    await expect(webhooks.deliver({ topic: "orders/cancelled", shop: SHOP, payload: {} })).rejects.toThrow(
      /^No webhook subscription for topic "orders\/cancelled" in shopify\.app\.toml; subscribed topics: app\/uninstalled, app\/scopes_update, orders\/create/,
    );
    await expect(
      webhooks.deliverMany([
        { topic: "app/uninstalled", shop: SHOP, payload: {} },
        { topic: "orders/cancelled", shop: SHOP, payload: {} },
      ]),
    ).rejects.toBeInstanceOf(UnknownTopicError);
    expect(received).toHaveLength(0);
  });

  it("tampers one byte after signing, keeping the JSON valid, so the HMAC fails", async () => {
    const { received, fetch } = recorder();
    const payload = { id: 123, domain: SHOP };
    const delivery = await sender({ fetch }).deliver({ topic: "app/uninstalled", shop: SHOP, payload, tamper: true });
    const original = JSON.stringify(payload);
    const sent = received[0]!.body;
    expect(delivery.tampered).toBe(true);
    expect(sent).toHaveLength(original.length);
    expect([...sent].filter((c, i) => c !== original[i])).toHaveLength(1);
    expect(() => JSON.parse(sent) as unknown).not.toThrow();
    expect(hmacMatches(original, received[0]!.headers.get("x-shopify-hmac-sha256"))).toBe(true);
    expect(hmacMatches(sent, received[0]!.headers.get("x-shopify-hmac-sha256"))).toBe(false);
    expect(tamperBody("[]")).not.toBe("[]");
  });

  describe("with another TOML", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "webhooks-toml-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("includes compliance topics and absolute URIs, and sends to every subscription of a topic", async () => {
      const tomlPath = path.join(dir, "shopify.app.toml");
      writeFileSync(
        tomlPath,
        [
          "[webhooks]",
          'api_version = "2026-01"',
          "[[webhooks.subscriptions]]",
          'topics = ["orders/create", "orders/updated"]',
          'uri = "/webhooks/orders"',
          "[[webhooks.subscriptions]]",
          'compliance_topics = ["customers/redact", "shop/redact"]',
          'uri = "https://compliance.example.com/gdpr"',
          "[[webhooks.subscriptions]]",
          'topics = ["orders/create"]',
          'uri = "webhooks/audit"',
        ].join("\n"),
      );
      const { received, fetch } = recorder();
      const webhooks = sender({ fetch, tomlPath, appUrl: "https://app.example.com/" });
      expect(webhooks.topics).toEqual(["orders/create", "orders/updated", "customers/redact", "shop/redact"]);
      await webhooks.deliver({ topic: "orders/create", shop: SHOP, payload: { id: 1 } });
      await webhooks.deliver({ topic: "shop/redact", shop: SHOP, payload: { shop_domain: SHOP } });
      expect(received.map((r) => r.url)).toEqual([
        "https://app.example.com/webhooks/orders",
        "https://app.example.com/webhooks/audit",
        "https://compliance.example.com/gdpr",
      ]);
    });
  });
});
