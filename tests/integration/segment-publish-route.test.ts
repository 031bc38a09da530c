/**
 * The Customer value page's "Publish to Shopify" card through the real server build (authenticate.admin, Remix, Polaris):
 * the card renders with the segments and their sizes, and a publish with bad fields is answered 400 with each error
 * rendered next to its field; a store that has not granted write_customers is told so. Nothing reaches Shopify.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createShop } from "../factories";
import { adminRequest, storeOfflineSession } from "../support/admin-request";
import { testDb } from "../support/db";
import { loadRequestHandler } from "../support/server-build";
import { TEST_APP } from "../support/test-app";

const handler = await loadRequestHandler();
const SHOP = "segment-route.myshopify.com";
const NO_SCOPE = "segment-route-noscope.myshopify.com";

beforeAll(async () => {
  const db = testDb();
  for (const [shop, scope] of [
    [SHOP, `${TEST_APP.scopes},write_customers`],
    [NO_SCOPE, TEST_APP.scopes],
  ] as const) {
    await createShop(db, { domain: shop });
    await storeOfflineSession(shop, scope);
    const ids = ["11", "12", "13", "14", "15"];
    await db.customer.createMany({ data: ids.map((id) => ({ shop, id, createdAt: new Date("2025-01-01T00:00:00Z") })) });
    await db.customerScore.createMany({
      data: ids.map((id, i) => ({ shop, customerId: id, computedAt: new Date(), orders: 2, x: 1, tx: 5, age: 50, totalSpend: 1000n, meanRepeatSpend: 0n, rfmGroup: i < 3 ? "CHAMPIONS" : "LOYAL" })),
    });
  }
});

const post = (shop: string, fields: Record<string, string>) => adminRequest(handler, "/app/customers", shop, { method: "POST", body: new URLSearchParams({ intent: "publish-segment", ...fields }) });

/** The text of the error Polaris renders for the field with this id (`<id>Error`). */
function fieldError(html: string, id: string): string | null {
  const at = html.indexOf(`id="segment-publish-${id}Error"`);
  if (at < 0) return null;
  // Up to the end of the InlineError (its icon's markup first, then the message).
  const end = html.indexOf("</div></div>", at);
  return html.slice(at, end < 0 ? at + 3000 : end).replace(/<[^>]+>/g, " ").replaceAll("&#x27;", "'").replace(/\s+/g, " ");
}

describe("the Publish to Shopify card", () => {
  it("renders with the segments and how many customers each holds, and an empty list", async () => {
    const { response, html } = await adminRequest(handler, "/app/customers", SHOP);
    expect(response.status).toBe(200);
    expect(html).toContain("Publish to Shopify");
    expect(html).toContain("RFM: Champions (3 customers)");
    expect(html).toContain("RFM: Loyal (2 customers)");
    expect(html).toContain("Valuable customers slipping away");
    expect(html).toContain("No segment published yet");
  });

  it("a publish with bad fields is answered 400 with each error next to its field, and nothing is recorded", async () => {
    const { response, html } = await post(SHOP, { segment: "rfm:CHAMPIONS", name: "Champions", holdoutShare: "0.9", metric: "", goalPercent: "-3", evaluationDays: "30" });
    expect(response.status).toBe(400);
    expect(fieldError(html, "holdoutShare")).toContain("the holdout share is at most 50 %");
    expect(fieldError(html, "metric")).toContain("choose the campaign's metric before publishing");
    expect(fieldError(html, "goalPercent")).toContain("the goal must be above 0 %");
    expect(fieldError(html, "segment")).toBeNull();
    expect(fieldError(html, "name")).toBeNull();

    const unknown = await post(SHOP, { segment: "rfm:NOBODY", metric: "orders-per-customer", goalPercent: "5" });
    expect(unknown.response.status).toBe(400);
    expect(fieldError(unknown.html, "segment")).toContain("choose the segment to publish");
    expect(await testDb().segmentPublication.count({ where: { shop: SHOP } })).toBe(0);
    expect(await testDb().action.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("a store that has not granted write_customers is told which permission is missing", async () => {
    const { response, html } = await post(NO_SCOPE, { segment: "rfm:CHAMPIONS", metric: "orders-per-customer", goalPercent: "5" });
    expect(response.status).toBe(400);
    expect(html).toContain("needs the write_customers permission");
    expect(await testDb().segmentPublication.count({ where: { shop: NO_SCOPE } })).toBe(0);
  });
});
