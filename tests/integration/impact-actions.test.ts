/**
 * "Did it work?" in the app after ADR 023 (app/lib/insights/actions.server.ts): recording an action stores the minimum
 * detectable effect of its design; an evaluation stores its checks (pre-period fit, placebo in time), the donor rule and
 * what it left out, the share of draws at or beyond the goal and the one-sided p-value; the page controls the false
 * discovery rate across the shop's verdicts. Orders come from the calibration simulator (planted +40 % units on P0).
 * Service functions called directly; PGlite and PostgreSQL.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { actionsPage, confirmationsOf, createAction, evaluateAction, listActions, parsePlannedPower } from "../../app/lib/insights/actions.server";
import { createShop } from "../factories";
import { testDb } from "../support/db";
import { simulateShop } from "../support/impact-simulate";

const shop = "impact-actions.myshopify.com";
const fdrShop = "impact-fdr.myshopify.com";
const sim = simulateShop({ seed: 77, phi: 0.5, products: 5, unitsEffect: 0.4 });

beforeAll(async () => {
  const db = testDb();
  await createShop(db, { domain: shop, timezone: "UTC" });
  await createShop(db, { domain: fdrShop, timezone: "UTC" });
  const products = ["P0", "P1", "P2", "P3", "P4", "A"];
  await db.product.createMany({ data: products.map((id) => ({ shop, id, title: `Product ${id}`, handle: id.toLowerCase(), productType: id === "A" ? "Accessory" : `Type ${id}` })) });
  await db.product.createMany({ data: products.map((id) => ({ shop: fdrShop, id, title: `Product ${id}`, handle: id.toLowerCase() })) });
  await db.order.createMany({
    data: sim.orders.map((o) => ({ shop, id: o.id, name: `#${o.id}`, createdAt: o.createdAt, processedAt: o.createdAt, updatedAt: o.createdAt, currency: "VND", subtotal: BigInt(o.total), total: BigInt(o.total) })),
  });
  let line = 0;
  await db.orderLine.createMany({
    data: sim.orders.flatMap((o) => o.lines.map((l) => ({ shop, orderId: o.id, id: String(++line), productId: l.productId, title: `Line ${l.productId}`, quantity: l.quantity, unitPrice: BigInt(l.amount!), isCustom: false }))),
  });
}, 60_000);

describe("an action recorded and evaluated with ADR 023's inference", () => {
  it("stores the minimum detectable effect when recorded, and the checks when evaluated", async () => {
    const db = testDb();
    const input = { kind: "price-change", title: "P0 price cut", products: ["P0"], start: sim.window.start, metric: "units", goalValue: "0.05", goalDirection: "increase", evaluationDays: "28" };
    const created = await createAction({ db, shop, now: new Date(`${sim.window.start}T00:00:00Z`), input });
    const power = parsePlannedPower(created.plannedPower);
    expect(power).not.toBeNull();
    expect(power!.days).toBe(28);
    expect(power!.power).toBe(0.8);
    expect(power!.value).toBeGreaterThan(0.05);
    expect(power!.value).toBeLessThan(1);
    // The fake launch ends the day before the real one.
    expect(power!.periods.post.end < sim.window.start).toBe(true);

    const { evaluation } = await evaluateAction({ db, shop, id: created.id, now: new Date("2025-06-01T00:00:00Z") });
    if (!("pGoal" in evaluation)) throw new Error("expected a before/after evaluation");
    expect(evaluation.method).toBe("before/after against a control");
    expect(evaluation.ci!.lower).toBeLessThanOrEqual(0.4);
    expect(evaluation.ci!.upper).toBeGreaterThanOrEqual(0.4);
    expect(evaluation.pGoal).toBeGreaterThan(0);
    expect(evaluation.placebo?.periods.post.end).toBe("2025-03-31");
    expect(evaluation.preFit?.weeks).toBeGreaterThan(10);
    // The add-on rides along with every product: a complement of P0, left out of the control.
    expect(evaluation.donors?.complements).toContain("A");
    expect(evaluation.control!.products).not.toContain("A");

    const page = await actionsPage({ db, shop, now: new Date("2025-06-01T00:00:00Z") });
    const shown = page.actions.find((a) => a.id === created.id)!;
    expect(shown.power).toMatch(/^Detectable with 80 % power at 95 %: an effect of \d+\.\d % or more over 28 days/);
    expect(shown.verdict!.details.some((d) => d.startsWith("Placebo in time (fake launch 2025-03-04 – 2025-03-31)"))).toBe(true);
    expect(shown.verdict!.details.some((d) => d.includes("Product A (complement)"))).toBe(true);
  }, 60_000);
});

describe("the false discovery rate across a shop's verdicts", () => {
  const stored = (verdict: string, pGoal: number) => ({
    actionId: "x",
    metric: "units",
    effectKind: "relative",
    method: "before/after against a control",
    design: "difference-in-differences",
    asOf: "2025-06-01",
    verdict,
    reason: verdict === "achieved" ? "the whole interval reaches the goal" : "effect below noise",
    estimate: 0.2,
    ci: { lower: 0.06, upper: 0.4, level: 0.95 },
    prePost: 0.2,
    periods: { pre: { start: "2025-01-01", end: "2025-03-31" }, post: { start: "2025-04-01", end: "2025-04-28" } },
    target: { pre: { units: 90, value: 6 }, post: { units: 28, value: 7 } },
    control: null,
    caveats: [],
    pGoal,
  });
  const add = (title: string, evaluation: object) =>
    testDb().action.create({
      data: { shop: fdrShop, kind: "price-change", title, target: { products: ["P1"] }, startsAt: new Date("2025-04-01T00:00:00Z"), metric: "units", goalValue: 0.05, goalDirection: "increase", evaluationDays: 28, createdAt: new Date("2025-03-01T00:00:00Z"), lastEvaluation: evaluation },
    });

  it("an achieved verdict that does not survive Benjamini–Hochberg is shown as not confirmed, with the reason", async () => {
    const db = testDb();
    const lone = await add("Alone it would pass", stored("achieved", 0.02));
    let page = await actionsPage({ db, shop: fdrShop, now: new Date("2025-06-01T00:00:00Z") });
    // A family of one: p = 0.02 ≤ 0.025, confirmed.
    expect(page.actions.find((a) => a.id === lone.id)!.verdict!.label).toBe("Achieved");

    await add("Second", stored("inconclusive", 0.4));
    await add("Third", stored("inconclusive", 0.8));
    page = await actionsPage({ db, shop: fdrShop, now: new Date("2025-06-01T00:00:00Z") });
    const shown = page.actions.find((a) => a.id === lone.id)!.verdict!;
    // Three evaluations: the smallest p must be at most 0.025 / 3.
    expect(shown.label).toBe("Not confirmed");
    expect(shown.verdict).toBe("inconclusive");
    expect(shown.reason).toMatch(/^not confirmed: achieved on its own \(one-sided p = 0\.020\), but not after controlling the false discovery rate at 2\.5 % across this shop's 3 evaluated actions/);
  });

  it("counts widget and campaign verdicts (holdout tests) in the same family, final verdicts only", () => {
    type Listed = Parameters<typeof confirmationsOf>[0][number];
    const none = { lastEvaluation: null, widgetEvaluation: null, campaignEvaluation: null };
    const widget = (id: string, pGoal: number, over: boolean) =>
      ({ ...none, id, widgetEvaluation: { verdict: over && pGoal <= 0.025 ? "achieved" : "inconclusive", window: { over }, lift: { verdict: { pGoal } } } }) as unknown as Listed;
    const campaign = (id: string, pGoal: number | undefined) =>
      ({ ...none, id, campaignEvaluation: { verdict: pGoal !== undefined && pGoal <= 0.025 ? "achieved" : "inconclusive", result: pGoal === undefined ? null : { pGoal } } }) as unknown as Listed;
    // Alone, the widget's p = 0.02 stands; with a campaign (p 0.5) and a final widget (p 0.3) it needs 0.025 / 3.
    expect(confirmationsOf([widget("w1", 0.02, true)]).get("w1")!.confirmed).toBe(true);
    const family = confirmationsOf([widget("w1", 0.02, true), campaign("c1", 0.5), widget("w2", 0.3, true), widget("w3", 0.001, false), campaign("c2", undefined)]);
    expect(family.get("w1")).toMatchObject({ confirmed: false, family: 3, pGoal: 0.02 });
    expect(family.get("w1")!.reason).toMatch(/across this shop's 3 evaluated actions \(Benjamini–Hochberg\)$/);
    // An interim widget look and a campaign without a final test are not in the family.
    expect(family.has("w3")).toBe(false);
    expect(family.has("c2")).toBe(false);
    // A strong campaign result survives beside them: 0.004 ≤ 0.025 · 1/3.
    expect(confirmationsOf([widget("w1", 0.02, true), campaign("c1", 0.004), widget("w2", 0.3, true)]).get("c1")!.confirmed).toBe(true);
  });

  it("reads evaluations stored before ADR 023 (no checks, no p-value) and leaves them out of the family", async () => {
    const db = testDb();
    const { pGoal: _p, ...old } = stored("inconclusive", 0);
    const row = await add("Old", { ...old, method: "difference-in-differences", design: undefined });
    const listed = (await listActions({ db, shop: fdrShop, now: new Date("2025-06-01T00:00:00Z") })).find((a) => a.id === row.id)!;
    expect(listed.lastEvaluation).toMatchObject({ design: "difference-in-differences", method: "before/after against a control", pGoal: null, placebo: null, mde: null, donors: null });
  });
});
