import { describe, expect, it } from "vitest";
import { dataQuality, historyGaps } from "../../../app/insights/data-quality";
import type { SeriesOrder } from "../../../app/insights/trends/series";

let id = 1;
const order = (day: string, o: Partial<SeriesOrder> = {}): SeriesOrder => ({
  id: String(id++),
  createdAt: new Date(`${day}T03:00:00Z`),
  customerId: "c",
  currency: "VND",
  total: 100,
  totalRefunded: 0,
  cancelledAt: null,
  test: false,
  lines: [{ productId: "p", quantity: 1, refundedQuantity: 0 }],
  ...o,
});

describe("dataQuality", () => {
  it("counts shares by hand: 10 orders, 1 test, 3 guests of 9, 2 cancelled, 2 refunded, 2 of 11 lines without product", () => {
    const orders = [
      order("2024-01-01", { test: true, customerId: null }),
      order("2024-01-01", { customerId: null }),
      order("2024-01-02", { customerId: null }),
      order("2024-01-02", { customerId: null, lines: [{ productId: null, quantity: 1, refundedQuantity: 0 }] }),
      order("2024-01-03", { cancelledAt: new Date("2024-01-04T00:00:00Z") }),
      order("2024-01-03", { cancelledAt: new Date("2024-01-04T00:00:00Z") }),
      order("2024-01-04", { totalRefunded: 100 }),
      order("2024-01-04", { lines: [{ productId: "p", quantity: 2, refundedQuantity: 1 }, { productId: null, quantity: 1, refundedQuantity: 0 }] }),
      order("2024-01-05"),
      order("2024-01-05"),
    ];
    const r = dataQuality(orders, "Asia/Ho_Chi_Minh");
    expect(r.shares).toEqual({ test: 0.1, guest: 3 / 9, cancelled: 0.2, refunded: 0.2, linesWithoutProduct: 2 / 11 });
    expect(r.caveats.map((c) => c.code)).toEqual(["guest-orders", "test-orders", "cancelled-orders", "refunded-orders", "lines-without-product"]);
    expect(r.caveats[0]!.message).toMatch(/^33.3 % of orders are guest checkouts/);
    expect(r.caveats.every((c) => c.severity === "warning")).toBe(true);
  });

  it("currency mix: a warning below 20 % other currencies, blocking above", () => {
    const few = [...Array.from({ length: 9 }, () => order("2024-01-01")), order("2024-01-01", { currency: "USD" })];
    expect(dataQuality(few, "UTC").caveats.find((c) => c.code === "currency-mix")).toMatchObject({ severity: "warning", value: 0.1 });
    const many = [...Array.from({ length: 6 }, () => order("2024-01-01")), ...Array.from({ length: 4 }, () => order("2024-01-01", { currency: "USD" }))];
    const c = dataQuality(many, "UTC").caveats.find((x) => x.code === "currency-mix")!;
    expect(c.severity).toBe("blocking");
    expect(c.message).toContain("USD 4, VND 6");
  });

  it("finds gaps longer than 5 × the typical gap (and at least 7 days)", () => {
    // Orders every day in January 2024 except 10–25 (16 empty days); typical gap 1 day.
    const days = Array.from({ length: 31 }, (_, i) => `2024-01-${String(i + 1).padStart(2, "0")}`).filter((d) => d < "2024-01-10" || d > "2024-01-25");
    expect(historyGaps(days)).toEqual({ typicalGapDays: 1, gaps: [{ from: "2024-01-10", to: "2024-01-25", days: 16 }] });
    // Weekly orders (typical gap 7): a 3-week silence (20 empty days) is not 5 × 7.
    const weekly = ["2024-01-01", "2024-01-08", "2024-01-15", "2024-02-05", "2024-02-12"];
    expect(historyGaps(weekly).gaps).toEqual([]);
    expect(historyGaps(weekly, { gapFactor: 2, minGapDays: 7 }).gaps).toEqual([{ from: "2024-01-16", to: "2024-02-04", days: 20 }]);
    const r = dataQuality(days.map((d) => order(d)), "UTC");
    expect(r.caveats).toEqual([expect.objectContaining({ code: "history-gap", value: 16 })]);
  });

  it("no orders is a blocking caveat", () => {
    expect(dataQuality([], "UTC").caveats).toEqual([expect.objectContaining({ code: "no-orders", severity: "blocking" })]);
  });
});
