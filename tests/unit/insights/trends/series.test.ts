import { describe, expect, it } from "vitest";
import { buildSeries, isoWeekOf, localDay, weekdayOf, type SeriesOrder } from "../../../../app/insights/trends/series";

let nextId = 1;
function order(createdAt: string, o: Partial<SeriesOrder> = {}): SeriesOrder {
  return {
    id: String(nextId++),
    createdAt: new Date(createdAt),
    customerId: null,
    currency: "VND",
    total: 100_000,
    totalRefunded: 0,
    cancelledAt: null,
    test: false,
    lines: [{ productId: "p1", quantity: 1, refundedQuantity: 0 }],
    ...o,
  };
}

describe("shop-local days and weeks", () => {
  it("assigns an instant to the shop's day (UTC+7; and across a DST change)", () => {
    expect(localDay(new Date("2024-03-01T16:59:59Z"), "Asia/Ho_Chi_Minh")).toBe("2024-03-01");
    expect(localDay(new Date("2024-03-01T17:00:00Z"), "Asia/Ho_Chi_Minh")).toBe("2024-03-02");
    // New York: EST (UTC−5) until 2024-03-10 02:00, EDT (UTC−4) after.
    expect(localDay(new Date("2024-03-10T04:30:00Z"), "America/New_York")).toBe("2024-03-09");
    expect(localDay(new Date("2024-03-11T03:30:00Z"), "America/New_York")).toBe("2024-03-10");
  });

  it("ISO weeks across a year boundary, weekdays", () => {
    expect(isoWeekOf("2020-12-31")).toEqual({ label: "2020-W53", monday: "2020-12-28" });
    expect(isoWeekOf("2021-01-03")).toEqual({ label: "2020-W53", monday: "2020-12-28" });
    expect(isoWeekOf("2021-01-04")).toEqual({ label: "2021-W01", monday: "2021-01-04" });
    expect(isoWeekOf("2024-12-30").label).toBe("2025-W01");
    expect(weekdayOf("2024-02-10")).toBe(6); // Tết 2024 was a Saturday
  });
});

describe("buildSeries", () => {
  const tz = "Asia/Ho_Chi_Minh";
  const orders = [
    order("2024-01-01T03:00:00Z", { customerId: "a", total: 300_000, lines: [{ productId: "p1", quantity: 3, refundedQuantity: 0 }] }),
    order("2024-01-01T18:00:00Z", { customerId: "b", total: 200_000, totalRefunded: 50_000, lines: [{ productId: "p1", quantity: 2, refundedQuantity: 1 }] }), // local 2024-01-02
    order("2024-01-03T05:00:00Z", { customerId: "a", total: 100_000 }),
    order("2024-01-03T06:00:00Z", { total: 400_000 }), // guest
    order("2024-01-03T07:00:00Z", { customerId: "c", cancelledAt: new Date("2024-01-04T00:00:00Z") }),
    order("2024-01-03T08:00:00Z", { test: true }),
    order("2024-01-03T09:00:00Z", { currency: "USD", total: 1000 }),
    order("2024-01-09T09:00:00Z", { customerId: "b", total: 100_000, totalRefunded: 100_000, lines: [{ productId: "p2", quantity: 1, refundedQuantity: 1 }] }),
  ];

  it("daily: zero-filled, net of refunds, new vs returning, exclusions counted", () => {
    const s = buildSeries(orders, { timeZone: tz, granularity: "day" });
    expect(s.currency).toBe("VND");
    expect(s.excluded).toEqual({ cancelled: 1, test: 1, otherCurrency: 1 });
    expect(s.points).toHaveLength(9); // 2024-01-01 … 2024-01-09
    expect(s.points[0]).toEqual({ period: "2024-01-01", start: "2024-01-01", days: 1, orders: 1, revenue: 300_000, aov: 300_000, units: 3, newCustomers: 1, returningCustomers: 0, guestOrders: 0 });
    expect(s.points[1]).toMatchObject({ period: "2024-01-02", orders: 1, revenue: 150_000, units: 1, newCustomers: 1 });
    expect(s.points[2]).toMatchObject({ period: "2024-01-03", orders: 2, revenue: 500_000, aov: 250_000, units: 2, newCustomers: 0, returningCustomers: 1, guestOrders: 1 });
    expect(s.points[3]).toMatchObject({ orders: 0, revenue: 0, aov: null });
    expect(s.points[8]).toMatchObject({ period: "2024-01-09", orders: 1, revenue: 0, units: 0, returningCustomers: 1 });
  });

  it("weekly (ISO) and monthly totals", () => {
    const w = buildSeries(orders, { timeZone: tz, granularity: "week" });
    expect(w.points.map((p) => [p.period, p.days, p.orders, p.revenue])).toEqual([
      ["2024-W01", 7, 4, 950_000],
      ["2024-W02", 2, 1, 0],
    ]);
    expect(w.points[0]).toMatchObject({ newCustomers: 2, returningCustomers: 0 }); // a and b both start in week 1
    const m = buildSeries(orders, { timeZone: tz, granularity: "month", from: "2023-12-30", to: "2024-02-02" });
    expect(m.points.map((p) => [p.period, p.days, p.orders])).toEqual([
      ["2023-12", 2, 0],
      ["2024-01", 31, 5],
      ["2024-02", 2, 0],
    ]);
  });

  it("an explicit currency keeps only that currency", () => {
    const s = buildSeries(orders, { timeZone: tz, granularity: "month", currency: "USD" });
    expect(s.points.map((p) => [p.orders, p.revenue])).toEqual([[1, 1000]]);
    expect(s.excluded.otherCurrency).toBe(5);
  });

  it("no orders: an empty series; unknown time zone: an error", () => {
    expect(buildSeries([], { timeZone: tz, granularity: "day" }).points).toEqual([]);
    expect(() => buildSeries(orders, { timeZone: "Mars/Olympus", granularity: "day" })).toThrow(/time zone/);
  });
});
