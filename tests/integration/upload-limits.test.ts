/**
 * Upload and body limits through the real server build (ADR 028): a compression bomb or an endless quoted field stops
 * the import with a message naming the line and writes nothing (even after batches were written); an admin form over
 * its part or size limit gets a clear 413; a webhook body over the cap is answered 413 without being read whole, while
 * a signed delivery under it still passes the HMAC check over exactly the bytes sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOK_BODY_LIMIT } from "../../app/lib/body-limits.server";
import { importUpload } from "../../app/lib/imports.server";
import { ADMIN_API_VERSION } from "../../app/shopify/api-version";
import { createShop } from "../factories";
import { tableCounts } from "../factories/import-files";
import { webhookHmac } from "../local-shopify/webhooks";
import { appUrl, sessionToken, storeOfflineSession } from "../support/admin-request";
import { testDb } from "../support/db";
import { loadRequestHandler } from "../support/server-build";
import { TEST_APP } from "../support/test-app";

const handler = await loadRequestHandler();
const dir = mkdtempSync(path.join(tmpdir(), "upload-limits-it-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shop = "limits-shop.myshopify.com";
beforeAll(async () => {
  await createShop(testDb(), { domain: shop, currency: "USD" });
  await storeOfflineSession(shop);
});

async function counts() {
  const { shops: _shops, ...rows } = await tableCounts(shop);
  return rows;
}
const NOTHING = { orders: 0, lines: 0, customers: 0, products: 0 };

const HEADER = "Invoice,Day,Client,Item,Qty,Price\n";
const row = (i: number) => `O${i},2025-01-${String((i % 28) + 1).padStart(2, "0")},c${i % 50},Item ${i % 40},1,9.99\n`;
const MAPPING = "order_id=Invoice\ndate=Day\ncustomer_id=Client\nproduct=Item\nquantity=Qty\nprice=Price";
const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => row(from + k)).join("");

/** An endless body that counts the bytes pulled from it. */
function endless() {
  const pulled = { bytes: 0 };
  const chunk = new Uint8Array(64 * 1024).fill(32);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled.bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { body, pulled };
}

describe("import limits", () => {
  it("stops a gzip bomb of valid rows at the decompressed cap, naming the line, after batches were written: nothing kept", async () => {
    // 64 000 valid rows (2.4 MB) gzipped about tenfold; the cap (1 MB, ~27 000 rows) falls after many 2000-order
    // batches were written inside the import's transaction.
    const inflated = HEADER + rows(1, 64_000);
    const bomb = gzipSync(inflated, { level: 9 });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(inflated.length).toBeGreaterThan(2 * 1024 * 1024);
    const file = path.join(dir, "bomb");
    writeFileSync(file, bomb);
    const result = await importUpload({
      shop,
      file: { path: file, name: "orders.csv.gz" },
      format: "csv",
      options: { map: MAPPING.split("\n"), maxDecompressedBytes: 1024 * 1024 },
      db: testDb(),
    });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/^orders\.csv\.gz: line \d{5}: the file holds more than 1 MB once decompressed, the most accepted; nothing was imported$/),
    });
    expect(await counts()).toEqual(NOTHING);
  });

  it("stops an uploaded file whose quoted field never closes, naming the line, and writes nothing (admin page)", async () => {
    const text = `${HEADER}${rows(1, 3000)}O3001,2025-01-02,c1,"endless ${"and on, and on\n".repeat(100_000)}`;
    const form = new FormData();
    form.set("format", "csv");
    form.set("mapping", MAPPING);
    form.set("file", new Blob([gzipSync(text)]), "orders.csv.gz");
    const response = await handler(
      new Request(appUrl("/app/imports", shop), { method: "POST", body: form, headers: { authorization: `Bearer ${await sessionToken(shop)}` } }),
    );
    const html = (await response.text()).replaceAll("<!-- -->", "");
    expect(response.status).toBe(422);
    expect(html).toContain("orders.csv.gz: line 3002: the record starting after line 3001 is longer than 1 MB");
    expect(await counts()).toEqual(NOTHING);
  });

  it("refuses an upload form with more parts than the import takes, with a clear message", async () => {
    const form = new FormData();
    form.set("format", "csv");
    for (let i = 0; i < 40; i++) form.set(`extra${i}`, "x");
    form.set("file", new Blob([HEADER + rows(1, 3)]), "orders.csv");
    const response = await handler(
      new Request(appUrl("/app/imports", shop), { method: "POST", body: form, headers: { authorization: `Bearer ${await sessionToken(shop)}` } }),
    );
    expect(response.status).toBe(413);
    expect((await response.text()).replaceAll("<!-- -->", "")).toContain("The form has more than 16 fields, the most the import accepts.");
    expect(await counts()).toEqual(NOTHING);
  });
});

describe("admin form limits", () => {
  it("answers a form with too many fields, or too many bytes, with 413 and the reason on the page", async () => {
    const post = async (params: URLSearchParams) =>
      handler(
        new Request(appUrl("/app/trends", shop), {
          method: "POST",
          body: params.toString(),
          headers: { authorization: `Bearer ${await sessionToken(shop)}`, "content-type": "application/x-www-form-urlencoded" },
        }),
      );
    const many = new URLSearchParams();
    for (let i = 0; i < 60; i++) many.append(`f${i}`, "1");
    const tooMany = await post(many);
    expect(tooMany.status).toBe(413);
    expect(await tooMany.text()).toContain("The form has more than 50 fields, the most this page accepts.");
    const big = await post(new URLSearchParams({ intent: "x".repeat(100 * 1024) }));
    expect(big.status).toBe(413);
    expect(await big.text()).toContain("The form is larger than 64 KB, the most this page accepts.");
  });
});

describe("webhook body limits", () => {
  const url = new URL("/webhooks/orders", TEST_APP.appUrl).toString();
  const headers = (body: string) => ({
    "Content-Type": "application/json",
    "X-Shopify-Topic": "orders/delete",
    "X-Shopify-Hmac-Sha256": webhookHmac(body, TEST_APP.apiSecret),
    "X-Shopify-Shop-Domain": shop,
    "X-Shopify-Webhook-Id": `limits-${body.length}`,
    "X-Shopify-API-Version": ADMIN_API_VERSION,
  });

  it("answers 413 to an endless body (no Content-Length) after reading about the cap, and to a declared oversize unread", async () => {
    const { body, pulled } = endless();
    const response = await handler(new Request(url, { method: "POST", body, headers: headers("{}"), duplex: "half" } as RequestInit));
    expect(response.status).toBe(413);
    expect(pulled.bytes).toBeGreaterThan(WEBHOOK_BODY_LIMIT);
    expect(pulled.bytes).toBeLessThanOrEqual(WEBHOOK_BODY_LIMIT + 4 * 64 * 1024);

    const declared = endless();
    const refused = await handler(
      new Request(url, {
        method: "POST",
        body: declared.body,
        headers: { ...headers("{}"), "Content-Length": String(50 * 1024 * 1024) },
        duplex: "half",
      } as RequestInit),
    );
    expect(refused.status).toBe(413);
    expect(declared.pulled.bytes).toBeLessThanOrEqual(4 * 64 * 1024);
  });

  it("still checks the HMAC over the bytes kept: a signed delivery under the cap is accepted, a tampered one refused", async () => {
    const body = JSON.stringify({ id: 424242 });
    expect((await handler(new Request(url, { method: "POST", body, headers: headers(body) }))).status).toBe(200);
    const tampered = body.replace("424242", "424243");
    expect((await handler(new Request(url, { method: "POST", body: tampered, headers: headers(body) }))).status).toBe(401);
  });
});
