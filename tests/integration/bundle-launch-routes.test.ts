/**
 * The bundle launch through the app's real routes (server build, authenticate.admin, Polaris rendering) against the
 * local Shopify: the cross-sell page's bundle idea row links to a preview that renders the what-if, the exact discount
 * and a launch key; the launch POST creates one discount and its Action (a repeated POST with the same key creates no
 * second); a refused code comes back next to the code field; the "Bundle discounts" page shows the status badge and
 * pauses the discount in Shopify. Runs on PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { Session } from "@shopify/shopify-api";
import { CROSS_SELL, CROSS_SELL_VERSION } from "../../app/lib/insights/cross-sell.server";
import { localDay } from "../../app/insights/trends/series";
import { createShop } from "../factories";
import { createLocalShopify } from "../local-shopify";
import { adminRequest } from "../support/admin-request";
import { testDb } from "../support/db";
import * as fx from "../support/publish-fixtures";
import { loadRequestHandler } from "../support/server-build";
import { TEST_APP } from "../support/test-app";

const local = createLocalShopify();
const F = fx.shopFixture("bundle-routes.myshopify.com", 81, 4000, "shpat_test_token");
const SCOPES = `${TEST_APP.scopes},write_discounts`;
const seed = fx.seedStore(F.domain, F.shopId, F.base);
local.addShop(seed);
local.issueAccessToken(F.domain, F.token);
// The build reads these when it is loaded: the app's scopes include write_discounts, and Shopify is the local one.
process.env.SCOPES = SCOPES;
process.env.SHOPIFY_LOCAL_ADMIN_ORIGIN = await local.listen();
const handler = await loadRequestHandler();
afterAll(() => local.close());

const anchor = String(F.base + 1);
const addOn = String(F.base + 2);
const TZ = "Asia/Ho_Chi_Minh";

beforeAll(async () => {
  const db = testDb();
  await createShop(db, { domain: F.domain, timezone: TZ });
  await fx.storeCatalog(db, F.domain, seed.products);
  await db.variant.updateMany({ where: { shop: F.domain, productId: addOn }, data: { unitCost: 50_000n } });
  const session = new Session({ id: `offline_${F.domain}`, shop: F.domain, state: "installed", isOnline: false, scope: SCOPES, accessToken: F.token, expires: new Date(Date.now() + 3600_000) });
  session.refreshToken = "shprt_test_token";
  session.refreshTokenExpires = new Date(Date.now() + 30 * 86400_000);
  await new PrismaSessionStorage(db).storeSession(session);
  const bundle = { anchor, items: [anchor, addOn], count: 40, anchorCount: 100, attachRate: 0.4, lift: 3, pValue: 0.001, qValue: 0.01, price: 300_000, cost: 150_000, discountPercent: 15, bundlePrice: 255_000, explanation: "bought together in 40 orders" };
  const data = { recommendations: { [anchor]: [fx.rec(Number(addOn), 40)] }, upgrades: [], bundles: [bundle], products: { [anchor]: { title: `Product ${anchor}`, productType: "Laptop", offerable: true }, [addOn]: { title: `Product ${addOn}`, productType: "Mouse", offerable: true } }, bestsellers: [anchor] };
  const summary = { baskets: 500, productRules: 10, significantProductRules: 4, caveats: [] };
  await db.insightSnapshot.create({ data: { shop: F.domain, kind: CROSS_SELL, version: CROSS_SELL_VERSION, computedAt: new Date(), asOf: new Date(), summary, data: JSON.parse(JSON.stringify(data)) } });
});

const fieldValue = (html: string, name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="${name}"`).exec(html)?.slice(1).find(Boolean);

describe("bundle launch through the routes", () => {
  it("the idea row links to the preview; the launch POST creates one discount and its Action; the bundles page pauses it", async () => {
    const page = await adminRequest(handler, "/app/cross-sell", F.domain);
    expect(page.response.status).toBe(200);
    expect(page.html).toContain(`data-testid="bundle-launch-${anchor}-${addOn}"`);
    expect(page.html).toContain(`preview=${anchor}%2C${addOn}`);

    const preview = await adminRequest(handler, `/app/cross-sell?preview=${anchor}%2C${addOn}`, F.domain);
    expect(preview.response.status).toBe(200);
    expect(preview.html).toContain('data-testid="bundle-preview"');
    expect(preview.html).toContain('data-testid="bundle-launch-submit"');
    expect(preview.html).toContain("Break-even: the discount must lift the attach rate by at least");
    // The baseline's anchor orders, what they project over the campaign, and what the attach rate is a share of.
    expect(preview.html).toMatch(/Anchor orders from \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}: [\d,]+ \([\d.]+ a day\), so about [\d,]+ expected over the campaign/);
    expect(preview.html).toMatch(/Attach rate now: [\d.]+ %/);
    expect(preview.html).not.toContain("Orders with the anchor:");
    expect(preview.html).toContain("discountAutomaticBxgyCreate");
    const key = fieldValue(preview.html, "idempotencyKey");
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(fieldValue(preview.html, "percentOff")).toBe("15");

    const fields = {
      intent: "launch",
      idempotencyKey: key!,
      preview: `${anchor},${addOn}`,
      anchors: anchor,
      addOns: addOn,
      title: "Laptop and mouse",
      percentOff: "15",
      kind: "code",
      code: "ROUTE-BUNDLE",
      start: localDay(new Date(), TZ),
      end: "",
      combinesChosen: "1",
      combinesOrder: "on",
      combinesShipping: "on",
      segment: "",
      metric: "attach-rate",
      goal: "2",
      goalDirection: "increase",
      evaluationDays: "28",
    };
    const post = (body: Record<string, string>) => adminRequest(handler, `/app/cross-sell?preview=${anchor}%2C${addOn}`, F.domain, { method: "POST", body: new URLSearchParams(body) });
    const launched = await post(fields);
    expect(launched.response.status).toBe(200);
    expect(launched.html).toContain("is live in Shopify as the code ROUTE-BUNDLE");
    const again = await post(fields);
    expect(again.response.status).toBe(200);
    const db = testDb();
    const rows = await db.bundleDiscount.findMany({ where: { shop: F.domain } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "ACTIVE", kind: "code", code: "ROUTE-BUNDLE", percentOff: 15, actionId: rows[0]!.id });
    expect(await db.action.findUnique({ where: { shop_id: { shop: F.domain, id: rows[0]!.id } } })).toMatchObject({ kind: "bundle-discount", metric: "attach-rate", goalValue: 0.02, evaluationDays: 28 });

    // The same code again, as a new launch: refused by Shopify, shown next to the code field, nothing recorded.
    const taken = await post({ ...fields, idempotencyKey: crypto.randomUUID(), title: "Another" });
    expect(taken.response.status).toBe(400);
    // Next to the code field: Polaris' inline error of the input named "code".
    expect(taken.html).toMatch(/name="code"[^>]*aria-invalid="true"[\s\S]{0,800}Polaris-InlineError[\s\S]{0,1200}Code must be unique/);
    // A corrected form is a new launch: the form now carries a new key.
    expect(fieldValue(taken.html, "idempotencyKey")).not.toBe(key);
    expect(await db.action.count({ where: { shop: F.domain } })).toBe(1);

    const withBadge = await adminRequest(handler, "/app/cross-sell", F.domain);
    expect(withBadge.html).toMatch(new RegExp(`data-testid="bundle-status-${anchor}-${addOn}" data-status="ACTIVE"`));

    const list = await adminRequest(handler, "/app/bundles", F.domain);
    expect(list.response.status).toBe(200);
    expect(list.html).toMatch(new RegExp(`data-testid="bundle-status-badge-${rows[0]!.id}" data-status="ACTIVE"`));
    expect(list.html).toContain(`data-testid="bundle-pause-${rows[0]!.id}"`);
    const paused = await adminRequest(handler, "/app/bundles", F.domain, { method: "POST", body: new URLSearchParams({ intent: "pause", id: rows[0]!.id }) });
    expect(paused.response.status).toBe(200);
    expect(paused.html).toContain("Paused: “Laptop and mouse”");
    expect(await db.bundleDiscount.findUniqueOrThrow({ where: { shop_id: { shop: F.domain, id: rows[0]!.id } } })).toMatchObject({ status: "PAUSED" });
    const after = await adminRequest(handler, "/app/bundles", F.domain);
    expect(after.html).toMatch(new RegExp(`data-testid="bundle-status-badge-${rows[0]!.id}" data-status="PAUSED"`));
  });
});
