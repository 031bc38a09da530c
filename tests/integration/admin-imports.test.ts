/**
 * The admin's file import (app/routes/app.imports.tsx) through the real server build and the real authenticate.admin:
 * a multipart upload streamed to a temporary file, imported into the session's shop only, the report rendered; a bad
 * file leaves nothing written; the temporary folder is gone afterwards, whatever happened.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { importUpload, UploadError, withUpload } from "../../app/lib/imports.server";
import { createShop } from "../factories";
import { appUrl, sessionToken, storeOfflineSession } from "../support/admin-request";
import { SHOPIFY_CSV, tableCounts } from "../factories/import-files";
import { testDb } from "../support/db";
import { TEST_APP } from "../support/test-app";
import { loadRequestHandler } from "../support/server-build";

const handler = await loadRequestHandler();

// Uploads land in os.tmpdir(): point it at a folder of this test file to see that nothing is left behind.
const uploads = mkdtempSync(path.join(tmpdir(), "admin-imports-it-"));
const previousTmp = process.env.TMPDIR;
process.env.TMPDIR = uploads;
afterAll(() => {
  process.env.TMPDIR = previousTmp;
  rmSync(uploads, { recursive: true, force: true });
});
afterEach(() => {
  expect(readdirSync(uploads)).toEqual([]);
});

const token = (shop: string) => sessionToken(shop);
const pageUrl = (shop: string) => appUrl("/app/imports", shop);

const readable = (html: string) => html.replaceAll("<!-- -->", "");

async function upload(shop: string, fields: Record<string, string>, file?: { name: string; content: string }, auth: string | null = null) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  if (file) form.set("file", new Blob([file.content], { type: "text/csv" }), file.name);
  const response = await handler(
    new Request(pageUrl(shop), {
      method: "POST",
      body: form,
      headers: { authorization: `Bearer ${auth ?? (await token(shop))}` },
    }),
  );
  return { response, html: readable(await response.text()) };
}

/** The commerce rows of the shop (the shop row itself aside). */
async function counts(shop: string) {
  const { shops: _shops, ...rows } = await tableCounts(shop);
  return rows;
}


/** A generic CSV of `orders` one-line orders, then `tail`. */
function genericCsv(orders: number, tail = "") {
  const lines = ["Invoice,Day,Client,Item,Qty,Price"];
  for (let i = 1; i <= orders; i++) lines.push(`O${i},2025-01-${String((i % 28) + 1).padStart(2, "0")},c${i % 50},Item ${i % 40},1,9.99`);
  return `${lines.join("\n")}\n${tail}`;
}
const MAPPING = "order_id=Invoice\ndate=Day\ncustomer_id=Client\nproduct=Item\nquantity=Qty\nprice=Price";

describe("admin file import", () => {
  const mine = "importing-shop.myshopify.com";
  const other = "other-shop.myshopify.com";

  beforeAll(async () => {
    const db = testDb();
    await createShop(db, { domain: mine, currency: "VND" });
    await createShop(db, { domain: other, currency: "VND" });
    await storeOfflineSession(mine);
    await storeOfflineSession(other);
  });

  it("shows the upload form and explains the formats before anything is imported", async () => {
    const url = pageUrl(mine);
    url.searchParams.set("id_token", await token(mine));
    const response = await handler(new Request(url));
    const html = readable(await response.text());
    expect(response.status).toBe(200);
    expect(html).toContain("Import orders");
    expect(html).toContain("Import your order history from a file");
    for (const format of ["Shopify orders export", "Online Retail", "Baskets", "CDNOW", "Other CSV"]) expect(html).toContain(format);
    expect(html).not.toContain(TEST_APP.apiSecret);
  });

  it("imports a Shopify CSV into the session's shop only and shows the report with the bad row", async () => {
    // A `shop` form field is not how the shop is chosen: the session's shop is.
    const { response, html } = await upload(mine, { format: "shopify-csv", shop: other }, { name: "orders_export.csv", content: SHOPIFY_CSV });
    expect(response.status).toBe(200);
    expect(html).toContain("Imported orders_export.csv");
    const rows = Object.fromEntries([...html.matchAll(/scope="row">([^<]*)<\/th><td[^>]*>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]));
    expect(rows).toEqual({
      "Rows read": "5",
      "Rows imported": "4",
      "Rows skipped": "1",
      Orders: "3 (1 cancelled)",
      "Order lines": "4",
      Customers: "1",
      Products: "3",
      "5": "Lineitem quantity &quot;one&quot; is not an integer",
    });
    expect(html).not.toContain(uploads); // no server path reaches the page
    expect(await counts(mine)).toEqual({ orders: 3, lines: 4, customers: 1, products: 3 });
    expect(await counts(other)).toEqual({ orders: 0, lines: 0, customers: 0, products: 0 });
    const stored = await testDb().order.findMany({ where: { shop: mine }, select: { id: true }, orderBy: { id: "asc" } });
    expect(stored.map((o) => o.id)).toEqual(["6001", "6002", "6003"]);
  });

  it("imports a generic CSV with a column mapping", async () => {
    const shop = other;
    const { response, html } = await upload(shop, { format: "csv", mapping: MAPPING }, { name: "sales.csv", content: genericCsv(30) });
    expect(response.status).toBe(200);
    expect(html).toContain("Imported sales.csv");
    expect(await counts(shop)).toMatchObject({ orders: 30, lines: 30, customers: 30 });
  });

  it("writes nothing when the file turns out broken after a first batch was written, and says why", async () => {
    const shop = (await createShop(testDb())).domain;
    await storeOfflineSession(shop);
    // 4,000 good orders (the importer writes them in batches of 2,000 and keeps the last 1,000 open, so at least one
    // batch is written inside the import's transaction), then a quote that never closes.
    const content = genericCsv(4000, 'O4001,2025-01-01,c1,"never closed,1,1\nO4002,2025-01-01,c1,x,1,1\n');
    const { response, html } = await upload(shop, { format: "csv", mapping: MAPPING }, { name: "broken.csv", content });
    expect(response.status).toBe(422);
    expect(html).toContain("The import failed; nothing was written");
    expect(html).toMatch(/broken\.csv: line 4002: a quoted field opened after line 4001 is never closed/);
    expect(html).not.toContain(uploads);
    expect(html).not.toContain("Imported broken.csv");
    expect(await counts(shop)).toEqual({ orders: 0, lines: 0, customers: 0, products: 0 });
  }, 60_000);

  it("rejects a missing file, an unknown format and a bad column mapping with a clear message", async () => {
    const before = await counts(mine);
    const noFile = await upload(mine, { format: "shopify-csv" });
    expect(noFile.response.status).toBe(400);
    expect(noFile.html).toContain("Choose a file to import.");

    const badFormat = await upload(mine, { format: "xlsx" }, { name: "a.csv", content: SHOPIFY_CSV });
    expect(badFormat.response.status).toBe(400);
    expect(badFormat.html).toContain("Choose a format: shopify-csv, online-retail, baskets, cdnow, csv.");

    const badMapping = await upload(mine, { format: "csv", mapping: "order_id" }, { name: "sales.csv", content: genericCsv(3) });
    expect(badMapping.response.status).toBe(422);
    expect(badMapping.html).toMatch(/column mapping &quot;order_id&quot; is not field=column/);
    expect(await counts(mine)).toEqual(before);
  });

  it("does not import for a request without a valid session token", async () => {
    const shop = (await createShop(testDb())).domain;
    await storeOfflineSession(shop);
    const forged = await sessionToken(shop, "someone-elses-secret");
    const { response, html } = await upload(shop, { format: "shopify-csv" }, { name: "orders_export.csv", content: SHOPIFY_CSV }, forged);
    expect(response.status).not.toBe(200);
    expect(html).not.toContain("Imported");
    expect(await counts(shop)).toEqual({ orders: 0, lines: 0, customers: 0, products: 0 });
  });
});

describe("withUpload", () => {
  const multipart = (file: string, fields: Record<string, string> = { format: "csv" }) => {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    form.set("file", new Blob([file]), "../../etc/evil name.csv");
    return new Request("http://localhost/upload", { method: "POST", body: form });
  };

  it("refuses a file over the limit with a clear error and leaves no temporary file", async () => {
    let called = false;
    const error = await withUpload(multipart("x".repeat(5000)), async () => (called = true), { maxBytes: 1024 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).status).toBe(413);
    expect((error as UploadError).message).toMatch(/larger than .* the most the admin accepts/);
    expect(called).toBe(false);
  });

  it("streams the file to disk under a fixed name, keeps only its base name for display, and cleans up after a failure", async () => {
    let seen: { path: string; name: string; size: number } | null = null;
    const error = await withUpload(multipart("hello"), async ({ fields, file }) => {
      expect(fields).toEqual({ format: "csv" });
      seen = file;
      expect(readdirSync(path.dirname(file!.path))).toEqual(["upload"]);
      throw new Error("the import blew up");
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("the import blew up");
    expect(seen).toMatchObject({ name: "evil name.csv", size: 5 });
    expect(path.basename(seen!.path)).toBe("upload");
  });

  it("refuses a request that is not a multipart form", async () => {
    const request = new Request("http://localhost/upload", { method: "POST", body: "format=csv", headers: { "content-type": "application/x-www-form-urlencoded" } });
    await expect(withUpload(request, async () => 1)).rejects.toThrow(UploadError);
  });
});

describe("importUpload", () => {
  it("names the uploaded file, not the server's path, in errors", async () => {
    const shop = (await createShop(testDb())).domain;
    const missing = path.join(uploads, "gone", "upload");
    const result = await importUpload({ shop, file: { path: missing, name: "orders.csv" }, format: "shopify-csv", db: testDb() });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^orders\.csv: cannot read the file/);
    expect(!result.ok && result.error).not.toContain(uploads);
  });
});
