/**
 * A widget action's stored JSON is validated when read back (PGlite and PostgreSQL): a target without a known widget
 * is refused with a clear error instead of being evaluated over every widget's visitors, and the Storefront page
 * ignores such a row instead of failing.
 */
import { randomUUID } from "node:crypto";
import { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { evaluateWidgetAction, storefrontPage } from "../../app/lib/storefront/widgets.server";
import { createShop } from "../factories";
import { testDb } from "../support/db";

const DAY = 86_400_000;
const START = new Date("2026-09-01T00:00:00Z");

async function widgetAction(shop: string, target: Prisma.InputJsonValue | typeof Prisma.JsonNull, metric = "conversion") {
  return testDb().action.create({
    data: { shop, kind: "widget", title: "fbt", target: target as Prisma.InputJsonValue, startsAt: START, endsAt: null, metric, goalValue: 0.05, goalDirection: "increase", evaluationDays: 28, status: "live", createdAt: START },
  });
}

describe("a widget action's stored target", () => {
  it("without a known widget is refused, naming the field, rather than evaluated over every widget", async () => {
    const db = testDb();
    const { domain: shop } = await createShop(db, { domain: "stored-json.myshopify.com" });
    // Events of the cart widget that a target-less evaluation would take for its own.
    await db.storefrontEvent.createMany({
      data: Array.from({ length: 30 }, (_, i) => ({ shop, id: randomUUID(), type: "impression", widget: "cart", arm: i % 2 ? "holdout" : "treatment", visitorId: `vid-${i}-abcdef`, occurredAt: new Date(START.getTime() + DAY) })),
    });
    for (const target of [{ products: [] }, { products: [], widget: "banner" }]) {
      const row = await widgetAction(shop, target);
      await expect(evaluateWidgetAction({ db, shop, row, now: new Date(START.getTime() + 40 * DAY) })).rejects.toThrow(/stored target.*widget/);
      expect((await db.action.findUniqueOrThrow({ where: { shop_id: { shop, id: row.id } } })).lastEvaluation).toBeNull();
    }
    const bad = await widgetAction(shop, { products: [], widget: "fbt" }, "clicks");
    await expect(evaluateWidgetAction({ db, shop, row: bad, now: new Date(START.getTime() + 40 * DAY) })).rejects.toThrow(/metric/);
  });

  it("the Storefront page skips a widget row whose target is JSON null", async () => {
    const db = testDb();
    const { domain: shop } = await createShop(db, { domain: "stored-json-page.myshopify.com" });
    await widgetAction(shop, Prisma.JsonNull);
    const page = await storefrontPage({ db, shop, now: START });
    expect(page.widgets.map((w) => w.action)).toEqual([null, null, null]);
  });
});
