/**
 * A purchase model that fails its holdout check is not shown as a prediction (ADR 026): a shop whose customers all
 * stopped buying in early May, checked at the end of July, gives a holdout period (from 30 April) with a handful of
 * repeat purchases against the dozens the models expect from the earlier pace; the stored value says why, and the
 * page's data carries no predicted figure. Runs on PGlite and PostgreSQL.
 */
import { describe, expect, it } from "vitest";
import { computeCustomerValue } from "../../app/lib/insights/customer-value.server";
import { customerValuePage } from "../../app/lib/insights/customer-value-page.server";
import { definitionProblem } from "../../app/lib/segments/definitions.server";
import type { LoadedOrder } from "../../app/lib/insights/load.server";
import { createShop } from "../factories";
import { testDb } from "../support/db";

const DAY = 86_400_000;
const start = Date.UTC(2025, 0, 1, 3);

/** 200 customers: first order on day i mod 100 of 2025, then (i mod 4) more orders 10 days apart; none after 10 May. */
function orders(): LoadedOrder[] {
  const out: LoadedOrder[] = [];
  for (let i = 0; i < 200; i++) {
    for (let k = 0; k <= i % 4; k++) {
      const at = new Date(start + ((i % 100) + 10 * k) * DAY);
      out.push({
        id: `o-${i}-${k}`,
        createdAt: at,
        cancelledAt: null,
        test: false,
        customerId: `c-${i}`,
        currency: "USD",
        subtotal: 5_000 + 100 * (i % 7),
        total: 5_500 + 100 * (i % 7),
        totalRefunded: 0,
        discountCodes: [],
        sourceName: "web",
        lines: [{ productId: null, variantId: null, quantity: 1, refundedQuantity: 0, isGiftCard: false, isCustom: true, unitPrice: 5_000 + 100 * (i % 7), totalDiscount: 0 }],
      });
    }
  }
  return out;
}

describe("customer value with a model that fails its holdout check", () => {
  it("stores why, and the page shows no predicted figure", async () => {
    const db = testDb();
    const shop = (await createShop(db, { currency: "USD", timezone: "UTC" })).domain;
    // "now" is 80 days after the last order (10 May), so the analysis is as of today and the holdout is its last 90 days.
    const { data, summary } = await computeCustomerValue({ db, shop, now: new Date(Date.UTC(2025, 6, 29, 12)), orders: orders() });
    expect(summary.asOf).toBe("2025-07-29");
    expect(data.validation?.calibrationEnd).toBe("2025-04-30");
    for (const m of data.validation!.models) {
      expect(m.passes).toBe(false);
      expect(m.totalPredicted).toBeGreaterThan(5 * m.totalActual);
    }
    expect(data.purchaseModel).not.toBeNull();
    expect(data.predictions.shown).toBe(false);
    expect(data.predictions.withheld).toMatch(/model failed its holdout check: .* predicted \d+ repeat purchases in the holdout period and \d+ happened: off by \d+ %/);
    // Net revenue without tax and shipping (no unit costs, no margin): Σ subtotals.
    expect(data.basis.basis).toBe("net-revenue");
    expect(data.basis.netRevenue).toBe(orders().reduce((n, o) => n + o.subtotal, 0));
    const page = await customerValuePage({ shop, db });
    if (!page.ready) throw new Error("the page has no value");
    expect(page.predictions.shown).toBe(false);
    expect(page.model?.clv).toBeNull();
    expect(page.model?.expectedPurchases).toBeNull();
    expect(page.model?.interval).toBeNull();
    expect(page.groups.every((g) => g.clv === null && g.interval === null)).toBe(true);
    // Segments resting on the withheld predictions cannot be published; descriptive ones (RFM) still can.
    expect(await definitionProblem(db, shop, { kind: "slipping" })).toMatch(/^this segment rests on the purchase model's predictions, which are withheld: the .* model failed its holdout check/);
    expect(await definitionProblem(db, shop, { kind: "ltv-tier", tier: "top" })).toMatch(/which are withheld/);
    expect(await definitionProblem(db, shop, { kind: "rfm", group: "CHAMPIONS" })).toBeNull();
  });
});
