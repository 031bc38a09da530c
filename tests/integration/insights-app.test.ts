/**
 * Insights in the app: a generated demo shop synced from the local Shopify, its insights recomputed by the
 * insights.recompute job, stored per shop and shown on the "Cross-sell and upgrades" and "Customer value" pages (real server build, real
 * authenticate.admin). Expectations come from the generator's planted truth (runs on PGlite and PostgreSQL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB } from "../../app/jobs/names";
import { exportCustomerData, redactCustomer } from "../../app/lib/compliance/customer-data.server";
import { readCrossSell } from "../../app/lib/insights/cross-sell.server";
import { readCustomerValue, type CustomerValueData } from "../../app/lib/insights/customer-value.server";
import { CATALOG, type Category } from "../demo-store/catalog";
import { generateDemoStore } from "../demo-store/generate";
import { createShop } from "../factories";
import { adminRequest, storeOfflineSession } from "../support/admin-request";
import { testDb } from "../support/db";
import type { TestWorker } from "../support/jobs";
import { loadRequestHandler } from "../support/server-build";
import { syncedDemoShop, type SyncedDemoShop } from "../support/synced-demo-shop";

const handler = await loadRequestHandler();
// Enough orders that every laptop's per-product attach rates are well apart (the planted rates split over several mice).
const { store, truth } = generateDemoStore({ seed: 11, orders: 20_000 });
let env: SyncedDemoShop["env"];
let worker: TestWorker;
const categoryByTitle = new Map<string, Category>(CATALOG.map((p) => [p.title, p.category]));

let demo: SyncedDemoShop | undefined;
/** The stored customer value before a default margin is entered (net revenue basis). */
let netRevenueBasis: CustomerValueData | undefined;
beforeAll(async () => {
  demo = await syncedDemoShop(store);
  ({ env, worker } = demo);
}, 120_000);
afterAll(async () => {
  await demo?.close();
});

describe("cross-sell in the app", () => {
  it("shows an empty state before the first computation", async () => {
    const { response, html } = await adminRequest(handler, "/app/cross-sell", env.shop);
    expect(response.status).toBe(200);
    expect(html).toContain("No suggestions yet");
  });

  it("the recompute job stores the shop's suggestions: laptop → mouse first, standard → pro on top, with explanations", async () => {
    await worker.queue.enqueue(JOB.insightsRecompute, {}, { shop: env.shop, singletonKey: `insights/${env.shop}` });
    await worker.drain(120_000);
    const stored = await readCrossSell(testDb(), env.shop);
    expect(stored).not.toBeNull();
    const { data, summary } = stored!;
    // Baskets = orders that are neither cancelled nor test (and keep a product line): at most the planted counts allow.
    const kept = store.orders.filter((o) => o.cancelledAt === null && !o.test).length;
    expect(summary.baskets).toBeLessThanOrEqual(kept);
    expect(summary.baskets).toBeGreaterThan(kept * 0.95);
    expect(summary.excluded.testOrders).toBe(store.orders.filter((o) => o.test && o.cancelledAt === null).length);

    // The strongest planted attachment of a laptop is a mouse: every well-sold laptop's first suggestion is a mouse.
    const strongest = truth.baskets.attachRules.filter((r) => r.from === "laptop").sort((a, b) => b.probability - a.probability)[0]!;
    expect(strongest.to).toBe("mouse");
    const laptopOrders = new Map<string, number>();
    for (const o of store.orders) for (const l of o.lineItems) if (categoryByTitle.get(l.title) === "laptop" && l.productId !== null) laptopOrders.set(String(l.productId), (laptopOrders.get(String(l.productId)) ?? 0) + 1);
    const laptops = [...laptopOrders].filter(([id, n]) => n >= 300 && data.products[id]?.offerable).map(([id]) => id);
    expect(laptops.length).toBeGreaterThanOrEqual(2);
    for (const id of laptops) {
      const [first] = data.recommendations[id]!;
      expect(categoryByTitle.get(data.products[first!.productId]!.title), data.products[id]!.title).toBe("mouse");
      expect(first!.source).toBe("co-purchase");
      expect(first!.explanation).toMatch(/^bought together in [\d,]+ orders — \d+\.\d× more than chance$/);
    }

    // The planted standard → pro upgrade path is the top upgrade of standard models with enough buyers.
    let checked = 0;
    for (const pair of truth.upgradePaths.pairs) {
      const upgrades = data.upgrades.find((u) => u.productId === String(pair.standard.productId));
      const top = upgrades?.upgrades[0];
      if (!top?.path || top.path.count < 3 || !data.products[String(pair.pro.productId)]?.offerable) continue;
      expect(top.productId, pair.standard.title).toBe(String(pair.pro.productId));
      expect(top.explanation).toContain(`buyers came back for the ${pair.pro.title}`);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it("the same job stores each customer's value and the shop's RFM groups, cohorts and model", async () => {
    const db = testDb();
    const stored = await readCustomerValue(db, env.shop);
    expect(stored).not.toBeNull();
    const { summary, data } = stored!;
    // Counted on the generated orders: customers with at least one order that is neither cancelled nor test, and
    // what they spent net of refunds.
    const counted = store.orders.filter((o) => o.customerId !== null && o.cancelledAt === null && !o.test);
    const spend = new Map<string, number>();
    for (const o of counted) {
      const refunded = o.refunds.reduce((n, r) => n + r.amount, 0);
      spend.set(String(o.customerId), (spend.get(String(o.customerId)) ?? 0) + Math.max(0, o.total - refunded));
    }
    expect(summary.customers).toBe(spend.size);
    expect(summary.ordersCounted).toBe(counted.length);
    const scores = await db.customerScore.findMany({ where: { shop: env.shop }, select: { customerId: true, totalSpend: true, orders: true, pAlive: true } });
    expect(scores).toHaveLength(spend.size);
    for (const s of scores) expect(Number(s.totalSpend), s.customerId).toBe(spend.get(s.customerId));
    expect(scores.every((s) => s.pAlive !== null && s.pAlive >= 0 && s.pAlive <= 1)).toBe(true);
    expect(data.purchaseModel).not.toBeNull();
    expect(data.gammaGamma).not.toBeNull();
    // Every stored customer is in exactly one RFM group (those without a counted order are prospects).
    const customers = await db.customer.count({ where: { shop: env.shop } });
    expect(data.rfm.groups.reduce((n, g) => n + g.customers, 0)).toBe(customers);
    // Cohorts: every counted customer belongs to the cohort of their first order month.
    expect(data.cohorts.cohorts.reduce((n, c) => n + c.customers, 0)).toBe(spend.size);
    // The holdout check fitted both purchase models and used the one with the lower error.
    expect(data.validation?.models.map((m) => m.model)).toEqual(["bgnbd", "mbgnbd"]);
    const [bg, mbg] = data.validation!.models;
    expect(data.purchaseModel!.kind).toBe(bg!.mae <= mbg!.mae ? "bgnbd" : "mbgnbd");
    expect(data.predictions.shown).toBe(data.validation!.models.find((m) => m.model === data.purchaseModel!.kind)!.passes);
    expect(data.intervals!.total.low).toBeLessThan(data.intervals!.total.estimate);
    expect(data.intervals!.total.high).toBeGreaterThan(data.intervals!.total.estimate);
    // The value basis: no default margin entered, and some products have no unit cost → net revenue, with the share of
    // revenue on costed products recounted here from the orders and the variants' costs.
    const costed = new Set((await db.variant.findMany({ where: { shop: env.shop, unitCost: { not: null } }, select: { id: true } })).map((v) => v.id));
    let known = 0;
    let all = 0;
    for (const o of store.orders) {
      if (o.cancelledAt !== null || o.test) continue;
      const returned = new Map<number, number>();
      for (const r of o.refunds) for (const l of r.lineItems) returned.set(l.lineItemId, (returned.get(l.lineItemId) ?? 0) + l.quantity);
      for (const l of o.lineItems) {
        if (l.isGiftCard) continue;
        const kept = ((l.unitPrice * l.quantity - l.totalDiscount) * (l.quantity - (returned.get(l.id) ?? 0))) / l.quantity;
        all += kept;
        if (l.variantId !== null && costed.has(String(l.variantId))) known += kept;
      }
    }
    expect(data.basis.basis).toBe("net-revenue");
    expect(data.basis.knownCostShare!).toBeCloseTo(known / all, 9);
    netRevenueBasis = data;
    expect(data.validation!.models.every((m) => m.totalActual > 0)).toBe(true);
    // The generated history ends long before today: the values are as of the last counted order's day (shop time
    // zone: UTC here), said in a caveat, so the holdout period holds real repeat purchases.
    const lastDay = new Date(Math.max(...counted.map((o) => Date.parse(o.createdAt)))).toISOString().slice(0, 10);
    expect(summary.asOf).toBe(lastDay);
    expect(summary.caveats.some((c) => c.startsWith(`The latest order is from ${lastDay}`))).toBe(true);
  });

  it("the age groups are compared: the planted 15–22 vs 23–30 difference shows in the stored segments", async () => {
    const { data } = (await readCustomerValue(testDb(), env.shop))!;
    const age = data.segments.find((s) => s.by === "tag age:")!.report;
    expect(age.comparison).toMatchObject({ a: "age:15-22", b: "age:23-30" });
    // The planted direction, from the generator's realised figures: the younger group comes back more often.
    const [young, older] = ["age:15-22", "age:23-30"].map((tag) => truth.ageGroups.find((g) => g.tag === tag)!);
    expect(young!.realised.repeatCustomerShare).toBeGreaterThan(older!.realised.repeatCustomerShare);
    const repeat = age.comparison!.differences.find((d) => d.metric === "repeatRate")!;
    expect(repeat.significant).toBe(true);
    expect(repeat.low).toBeGreaterThan(0);
    // Sizes: the customers the generator put in each group with a counted order.
    for (const g of [young!, older!]) {
      const counted = new Set(store.orders.filter((o) => o.customerId !== null && o.cancelledAt === null && !o.test).map((o) => String(o.customerId)));
      const members = store.customers.filter((c) => c.tags.includes(g.tag) && counted.has(String(c.id))).length;
      expect(age.segments.find((x) => x.segment === g.tag)!.customers, g.tag).toBe(members);
    }
  });

  it("marketing spend entered on the page gives the month's acquisition cost", async () => {
    const spend = (fields: Record<string, string>) =>
      adminRequest(handler, "/app/customers", env.shop, { method: "POST", body: new URLSearchParams({ intent: "spend", ...fields }) });
    const bad = await spend({ month: "2026-13", channel: "", amount: "100" });
    expect(bad.response.status).toBe(400);
    expect(bad.html).toContain("month must be YYYY-MM");
    expect((await spend({ month: "2025-06", channel: "", amount: "-5" })).response.status).toBe(400);
    // Shop currency VND has no minor digits: 50,000,000 VND.
    expect((await spend({ month: "2025-06", channel: "", amount: "50000000" })).response.status).toBe(200);
    // The default margin, entered on the same page before the recompute: a bad one is refused beside its field.
    const margin = (value: string) =>
      adminRequest(handler, "/app/customers", env.shop, { method: "POST", body: new URLSearchParams({ intent: "margin", defaultMarginPercent: value }) });
    const badMargin = await margin("140");
    expect(badMargin.response.status).toBe(400);
    expect(badMargin.html).toContain("Default margin: must be at most 100 %");
    expect((await margin("abc")).response.status).toBe(400);
    const okMargin = await margin("35");
    expect(okMargin.response.status).toBe(200);
    expect(okMargin.html).toContain("Default margin 35 % saved");
    expect(await testDb().marketingSpend.findMany({ where: { shop: env.shop }, select: { month: true, channel: true, amount: true } })).toEqual([
      { month: "2025-06", channel: "all", amount: 50_000_000n },
    ]);
    await worker.drain(120_000);
    const { data, summary } = (await readCustomerValue(testDb(), env.shop))!;
    const june = data.cac!.months.find((m) => m.month === "2025-06")!;
    // New customers of June 2025 counted on the generated orders: first counted order in that month (shop time zone).
    const first = new Map<string, number>();
    for (const o of store.orders) {
      if (o.customerId === null || o.cancelledAt !== null || o.test) continue;
      const at = Date.parse(o.createdAt);
      const id = String(o.customerId);
      if (!first.has(id) || at < first.get(id)!) first.set(id, at);
    }
    const month = (ms: number) => new Intl.DateTimeFormat("en-CA", { timeZone: summary.timeZone, year: "numeric", month: "2-digit" }).format(ms).slice(0, 7);
    // Guest checkouts are acquisitions too: each counted guest order of June is a new customer.
    const guestsInJune = store.orders.filter((o) => o.customerId === null && o.cancelledAt === null && !o.test && month(Date.parse(o.createdAt)) === "2025-06").length;
    const newInJune = [...first.values()].filter((at) => month(at) === "2025-06").length + guestsInJune;
    expect(guestsInJune).toBeGreaterThan(0);
    expect(june.guestNewCustomers).toBe(guestsInJune);
    expect(june.newCustomers).toBe(newInJune);
    expect(june.cac).toBeCloseTo(50_000_000 / newInJune, 6);
    // With the margin, lifetime value and payback are in contribution: below net revenue, and below the values before.
    const before = netRevenueBasis!;
    expect(data.basis).toMatchObject({ basis: "contribution", defaultMarginPercent: 35, knownCostShare: before.basis.knownCostShare });
    expect(data.basis.contribution!).toBeLessThan(data.basis.netRevenue);
    expect(data.totals.clv!).toBeLessThan(before.totals.clv!);
    expect(data.cac!.messages.join(" ")).not.toMatch(/no gross margin rate/);
  }, 180_000);

  it("a customer's scores are exported by customers/data_request and removed by customers/redact", async () => {
    const db = testDb();
    const [one, two] = await db.customerScore.findMany({ where: { shop: env.shop }, take: 2, orderBy: { customerId: "asc" } });
    // An action that targets customers by id names them too.
    await db.action.create({
      data: {
        shop: env.shop,
        id: "win-back",
        kind: "campaign",
        title: "Win-back email",
        target: { products: [], customers: [one!.customerId, two!.customerId] },
        startsAt: new Date("2030-01-01T00:00:00Z"),
        metric: "revenue",
        goalValue: 0.05,
        goalDirection: "increase",
        evaluationDays: 30,
      },
    });
    const exportId = await exportCustomerData({ shop: env.shop, customerId: one!.customerId, db });
    const exported = (await db.customerDataExport.findUniqueOrThrow({ where: { id: exportId! } })).data as { derived: Record<string, { customerId?: string; id?: string }[]> };
    expect(exported.derived.customerScores?.map((r) => r.customerId)).toEqual([one!.customerId]);
    expect(exported.derived.actionsTargetingCustomer?.map((r) => r.id)).toEqual(["win-back"]);
    await redactCustomer({ shop: env.shop, customerId: one!.customerId, db });
    expect(await db.customerScore.count({ where: { shop: env.shop, customerId: one!.customerId } })).toBe(0);
    const action = await db.action.findUniqueOrThrow({ where: { shop_id: { shop: env.shop, id: "win-back" } } });
    expect((action.target as { customers: string[] }).customers).toEqual([two!.customerId]);
  });

  it("the customer value page shows the groups and retention, for this shop only", async () => {
    const { response, html } = await adminRequest(handler, "/app/customers", env.shop);
    expect(response.status).toBe(200);
    expect(html).toContain("RFM groups");
    expect(html).toContain("Retention by first-order month");
    expect(html).toContain("Does the purchase model predict well? (holdout check)");
    expect(html).toContain("Decile lift of");
    // After the margin entered above.
    expect(html).toContain("Lifetime values on this page are contribution (net of tax, shipping and refunds, less product cost)");
    const { data } = (await readCustomerValue(testDb(), env.shop))!;
    if (data.predictions.shown) expect(html).toContain("Lifetime value, next 12 months, in contribution (90 % interval");
    else expect(html).toContain("No predictions shown");
    const other = "value-other.myshopify.com";
    await createShop(testDb(), { domain: other, currency: "VND" });
    await storeOfflineSession(other);
    const theirs = await adminRequest(handler, "/app/customers", other);
    expect(theirs.response.status).toBe(200);
    expect(theirs.html).toContain("No customer value yet");
  });

  it("the page shows the suggestions with their source and explanation, for this shop only", async () => {
    const { response, html } = await adminRequest(handler, "/app/cross-sell", env.shop);
    expect(response.status).toBe(200);
    expect(html).toContain("Frequently bought together");
    expect(html).toContain("Bought together");
    expect(html).toMatch(/bought together in [\d,]+ orders/);
    expect(html).toContain("Upgrade paths");
    expect(html).toMatch(/buyers came back for the/);

    const other = "another-shop.myshopify.com";
    await createShop(testDb(), { domain: other, currency: "VND" });
    await storeOfflineSession(other);
    const theirs = await adminRequest(handler, "/app/cross-sell", other);
    expect(theirs.response.status).toBe(200);
    expect(theirs.html).toContain("No suggestions yet");
    expect(theirs.html).not.toMatch(/bought together in [\d,]+ orders/);
  });

  it("Recompute queues one job for the session's shop", async () => {
    const before = await worker.queue.pending([JOB.insightsRecompute]);
    const post = () => adminRequest(handler, "/app/cross-sell", env.shop, { method: "POST", body: new URLSearchParams({ intent: "recompute" }) });
    expect((await post()).response.status).toBe(200);
    expect((await post()).response.status).toBe(200);
    expect(await worker.queue.pending([JOB.insightsRecompute])).toBe(before + 1);
  });
});
