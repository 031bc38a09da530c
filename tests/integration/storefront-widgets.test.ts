/**
 * Storefront widgets in the app: launching one from the "Storefront offers" page records its test before launch and
 * turns it on in the published settings; its evaluation is the randomized comparison of exposed visitors (impression
 * events) and their attributed orders, treatment against holdout — with a planted lift found, an A/A test not called
 * achieved, a peek before the window closes inconclusive, orders before exposure, cancelled orders and other shops'
 * data left out. Real server build and authenticate.admin; runs on PGlite and PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRng, type Rng } from "../../app/insights/trends/random";
import { evaluateAction, getAction } from "../../app/lib/insights/actions.server";
import { launchWidget, parseWidgetEvaluation, widgetVisitorOutcomes } from "../../app/lib/storefront/widgets.server";
import { parseShopSettings } from "../../app/models/shop-settings";
import { createShop } from "../factories";
import { adminRequest, storeOfflineSession } from "../support/admin-request";
import { testDb } from "../support/db";
import { TEST_APP } from "../support/test-app";
import { loadRequestHandler } from "../support/server-build";

const handler = await loadRequestHandler();
const DAY = 86_400_000;
const LAUNCH = new Date("2026-10-01T00:00:00Z");

const post = (shop: string, fields: Record<string, string>) => adminRequest(handler, "/app/storefront", shop, { method: "POST", body: new URLSearchParams(fields) });

/** A standard normal draw (Box–Muller). */
const normal = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

/**
 * A randomized experiment on `visitors` exposed visitors: a share in the holdout; each visitor buys with probability
 * `conversion[arm]`, placing 1–2 orders of lognormal value (median 500,000 VND). Events and orders go in the database.
 */
async function plantExperiment(shop: string, { visitors, holdoutShare, conversion, seed, start }: { visitors: number; holdoutShare: number; conversion: { treatment: number; holdout: number }; seed: number; start: Date }) {
  const db = testDb();
  const rng = seededRng(seed);
  const events: { shop: string; id: string; type: string; widget: string; arm: string; visitorId: string; anchorId: string; occurredAt: Date }[] = [];
  const orders: { shop: string; id: string; name: string; createdAt: Date; processedAt: Date; updatedAt: Date; currency: string; subtotal: bigint; total: bigint; visitorId: string; offerArm: string }[] = [];
  const truth = { treatment: { visitors: 0, orders: 0, revenue: 0 }, holdout: { visitors: 0, orders: 0, revenue: 0 } };
  for (let i = 0; i < visitors; i++) {
    const arm = rng() < holdoutShare ? "holdout" : "treatment";
    const vid = `v${seed}-${i}-${randomUUID().slice(0, 8)}`;
    const seenAt = new Date(start.getTime() + Math.floor(rng() * 20 * DAY));
    events.push({ shop, id: randomUUID(), type: "impression", widget: "fbt", arm, visitorId: vid, anchorId: "1", occurredAt: seenAt });
    truth[arm].visitors += 1;
    if (rng() < conversion[arm]) {
      const n = rng() < 0.2 ? 2 : 1;
      for (let k = 0; k < n; k++) {
        const at = new Date(seenAt.getTime() + Math.floor(rng() * 5 * DAY));
        const total = BigInt(Math.round(Math.exp(Math.log(500_000) + 0.6 * normal(rng))));
        orders.push({ shop, id: `${seed}${i}${k}`, name: `#${i}-${k}`, createdAt: at, processedAt: at, updatedAt: at, currency: "VND", subtotal: total, total, visitorId: vid, offerArm: arm });
        truth[arm].orders += 1;
        truth[arm].revenue += Number(total);
      }
    }
  }
  for (let i = 0; i < events.length; i += 2000) await db.storefrontEvent.createMany({ data: events.slice(i, i + 2000) });
  for (let i = 0; i < orders.length; i += 2000) await db.order.createMany({ data: orders.slice(i, i + 2000) });
  return truth;
}

let shopA: string;
let shopB: string;
beforeAll(async () => {
  shopA = (await createShop(testDb())).domain;
  shopB = (await createShop(testDb())).domain;
  await storeOfflineSession(shopA);
  await storeOfflineSession(shopB);
});
afterAll(async () => {});

describe("storefront widgets", () => {
  it("the page shows the three widgets with an empty test state", async () => {
    const { response, html } = await adminRequest(handler, "/app/storefront", shopA);
    expect(response.status).toBe(200);
    for (const label of ["Frequently bought together", "Upgrade offer", "Cart suggestions", "Holdout share"]) expect(html).toContain(label);
  });

  it("without write_products the page says which permission is missing and how to grant it; with it, no banner", async () => {
    const { html } = await adminRequest(handler, "/app/storefront", shopA);
    expect(html).toContain("needs a permission this store has not granted");
    expect(html).toMatch(/data-testid="missing-scopes">write_products</);
    const granted = (await createShop(testDb())).domain;
    await storeOfflineSession(granted, `${TEST_APP.scopes},write_products`);
    const ok = await adminRequest(handler, "/app/storefront", granted);
    expect(ok.response.status).toBe(200);
    expect(ok.html).toContain("Holdout share");
    expect(ok.html).not.toContain("needs a permission this store has not granted");
  });

  it("launching records the test before launch, turns the widget on and raises the settings version; a second launch is refused", async () => {
    const db = testDb();
    const before = parseShopSettings(shopB, (await db.shop.findUniqueOrThrow({ where: { domain: shopB } })).settings).storefront;
    const first = await post(shopB, { intent: "launch", widget: "upgrade", metric: "conversion", goalPercent: "5", evaluationDays: "28" });
    expect(first.response.status).toBe(200);
    const actions = await db.action.findMany({ where: { shop: shopB } });
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ kind: "widget", metric: "conversion", goalValue: 0.05, evaluationDays: 28, status: "live" });
    expect(actions[0]!.target).toEqual({ products: [], widget: "upgrade" });
    const after = parseShopSettings(shopB, (await db.shop.findUniqueOrThrow({ where: { domain: shopB } })).settings).storefront;
    expect(after.widgets.upgrade).toBe(true);
    expect(after.version).toBe(before.version + 1);
    const again = await post(shopB, { intent: "launch", widget: "upgrade", metric: "conversion", goalPercent: "5", evaluationDays: "28" });
    expect(again.response.status).toBe(400);
    expect(again.html).toContain("already running");
    expect(await db.action.count({ where: { shop: shopB } })).toBe(1);
  });

  it("refuses a launch without its metric or with a window too short to judge", async () => {
    const noMetric = await post(shopB, { intent: "launch", widget: "fbt", goalPercent: "5", evaluationDays: "28" });
    expect(noMetric.response.status).toBe(400);
    expect(noMetric.html).toContain("metric must be chosen before launch");
    const short = await post(shopB, { intent: "launch", widget: "fbt", metric: "aov", goalPercent: "5", evaluationDays: "2" });
    expect(short.response.status).toBe(400);
    expect(short.html).toContain("at least 7 days");
  });

  it("a planted lift is found by the randomized comparison; a peek before the window closes stays inconclusive", async () => {
    const db = testDb();
    const { action } = await launchWidget({ db, shop: shopA, now: LAUNCH, input: { widget: "fbt", metric: "revenue-per-visitor", goalPercent: "5", evaluationDays: "28" } });
    // Conversion 4 % → 7 %: +75 % revenue per visitor, far above the +5 % goal.
    const truth = await plantExperiment(shopA, { visitors: 15_000, holdoutShare: 0.2, conversion: { treatment: 0.07, holdout: 0.04 }, seed: 11, start: LAUNCH });
    // Noise the comparison must leave out: an order before the visitor's exposure, a cancelled one, another shop's data.
    const someone = (await db.storefrontEvent.findFirstOrThrow({ where: { shop: shopA, arm: "holdout" }, orderBy: { occurredAt: "desc" } })).visitorId;
    const early = new Date(LAUNCH.getTime() - DAY);
    await db.order.create({ data: { shop: shopA, id: "early", name: "#early", createdAt: early, processedAt: early, updatedAt: early, currency: "VND", subtotal: 9_000_000n, total: 9_000_000n, visitorId: someone, offerArm: "holdout" } });
    const mid = new Date(LAUNCH.getTime() + 25 * DAY);
    await db.order.create({ data: { shop: shopA, id: "cancelled", name: "#c", createdAt: mid, processedAt: mid, updatedAt: mid, cancelledAt: mid, currency: "VND", subtotal: 9_000_000n, total: 9_000_000n, visitorId: someone, offerArm: "holdout" } });
    await plantExperiment(shopB, { visitors: 300, holdoutShare: 0.5, conversion: { treatment: 0, holdout: 0.9 }, seed: 12, start: LAUNCH });

    const outcomes = await widgetVisitorOutcomes({ db, shop: shopA, widget: "fbt", from: LAUNCH, to: new Date(LAUNCH.getTime() + 28 * DAY) });
    const sum = (arm: "treatment" | "holdout") => outcomes.filter((o) => o.arm === arm).reduce((s, o) => ({ visitors: s.visitors + 1, orders: s.orders + o.orders, revenue: s.revenue + o.revenue }), { visitors: 0, orders: 0, revenue: 0 });
    expect(sum("treatment")).toEqual(truth.treatment);
    expect(sum("holdout")).toEqual(truth.holdout);

    const peek = await evaluateAction({ db, shop: shopA, id: action.id, now: new Date(LAUNCH.getTime() + 14 * DAY) });
    expect(peek.evaluation.verdict).toBe("inconclusive");
    expect(peek.evaluation.reason).toContain("interim");

    const done = await evaluateAction({ db, shop: shopA, id: action.id, now: new Date(LAUNCH.getTime() + 29 * DAY) });
    const stored = parseWidgetEvaluation((await getAction({ db, shop: shopA, id: action.id })).lastEvaluation);
    expect(stored).not.toBeNull();
    expect(stored!.method).toBe("randomized holdout");
    expect(stored!.lift.method).toContain("randomized holdout");
    expect(done.evaluation.verdict).toBe("achieved");
    const rpv = stored!.lift.metrics["revenue-per-visitor"]!;
    const plantedRelative = (truth.treatment.revenue / truth.treatment.visitors) / (truth.holdout.revenue / truth.holdout.visitors) - 1;
    expect(rpv.relative!.lower).toBeLessThanOrEqual(plantedRelative);
    expect(rpv.relative!.upper).toBeGreaterThanOrEqual(plantedRelative);

    const { html } = await adminRequest(handler, "/app/storefront", shopA);
    expect(html).toContain("achieved");
    expect(html).toContain("randomized holdout");
  });

  it("an A/A test (the widget changes nothing) is not called achieved", async () => {
    const db = testDb();
    const shop = (await createShop(db)).domain;
    const { action } = await launchWidget({ db, shop, now: LAUNCH, input: { widget: "cart", metric: "revenue-per-visitor", goalPercent: "5", evaluationDays: "28" } });
    await plantExperiment(shop, { visitors: 6_000, holdoutShare: 0.1, conversion: { treatment: 0.05, holdout: 0.05 }, seed: 21, start: LAUNCH });
    const { evaluation } = await evaluateAction({ db, shop, id: action.id, now: new Date(LAUNCH.getTime() + 29 * DAY) });
    expect(evaluation.verdict).not.toBe("achieved");
  });

  it("turning a widget off ends its test and hides it from the published settings", async () => {
    const db = testDb();
    const off = await post(shopB, { intent: "stop", widget: "upgrade" });
    expect(off.response.status).toBe(200);
    const settings = parseShopSettings(shopB, (await db.shop.findUniqueOrThrow({ where: { domain: shopB } })).settings).storefront;
    expect(settings.widgets.upgrade).toBe(false);
    const ended = await db.action.findFirstOrThrow({ where: { shop: shopB, kind: "widget" } });
    expect(ended.status).toBe("ended");
    expect(ended.endsAt).not.toBeNull();
  });
});
