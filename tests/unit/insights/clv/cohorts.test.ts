/**
 * Cohort retention and churn on a hand-built shop (Asia/Ho_Chi_Minh, UTC+7): every number below was worked out by hand
 * from the orders listed, month by month.
 */
import { describe, expect, it } from "vitest";
import { churnByPeriod, CohortError, modelChurn, retentionMatrix, type CohortOrder } from "../../../../app/insights/clv/cohorts";

const TZ = "Asia/Ho_Chi_Minh";
const at = (iso: string) => Date.parse(iso);
const orders: CohortOrder[] = [
  { customerId: "A", at: at("2024-01-05T03:00:00Z"), amount: 100 },
  { customerId: "A", at: at("2024-02-10T03:00:00Z"), amount: 50 },
  { customerId: "A", at: at("2024-04-01T03:00:00Z"), amount: 30 },
  { customerId: "B", at: at("2024-01-20T03:00:00Z"), amount: 200 },
  { customerId: "B", at: at("2024-01-25T03:00:00Z"), amount: 20 },
  // 20:00 UTC on Jan 31 is 03:00 on Feb 1 in Ho Chi Minh City: C's cohort is February.
  { customerId: "C", at: at("2024-01-31T20:00:00Z"), amount: 80 },
  { customerId: "C", at: at("2024-03-15T03:00:00Z"), amount: 40 },
  { customerId: "D", at: at("2024-02-14T03:00:00Z"), amount: 60 },
  { customerId: "D", at: at("2024-02-28T03:00:00Z"), amount: 10 },
  { customerId: "D", at: at("2024-03-03T03:00:00Z"), amount: 70 },
  { customerId: "E", at: at("2024-05-02T03:00:00Z"), amount: 999 },
];

describe("retentionMatrix", () => {
  it("gives each first-order month's share active and revenue per member in month +k, in the shop's time zone", () => {
    const m = retentionMatrix(orders, { timeZone: TZ, asOf: "2024-04-15" });
    expect(m.lastMonth).toBe("2024-04");
    expect(m.lastMonthPartial).toBe(true);
    expect(m.ordersAfterAsOf).toBe(1);
    expect(m.cohorts.map((c) => c.cohort)).toEqual(["2024-01", "2024-02"]);
    const [jan, feb] = m.cohorts;
    // January: A and B. Active: Jan A,B; Feb A; Mar none; Apr A. Revenue: 320, 50, 0, 30 over 2 members.
    expect(jan).toEqual({
      cohort: "2024-01",
      customers: 2,
      active: [2, 1, 0, 1],
      retention: [1, 0.5, 0, 0.5],
      revenuePerCustomer: [160, 25, 0, 15],
      cumulativeRevenuePerCustomer: [160, 185, 185, 200],
    });
    // February: C (local Feb 1) and D. Active Feb C,D; Mar C,D; Apr none. Revenue 150, 110, 0.
    expect(feb).toEqual({
      cohort: "2024-02",
      customers: 2,
      active: [2, 2, 0],
      retention: [1, 1, 0],
      revenuePerCustomer: [75, 55, 0],
      cumulativeRevenuePerCustomer: [75, 130, 130],
    });
  });

  it("a month ending on asOf is complete; in UTC C's first order is in January", () => {
    const m = retentionMatrix(orders, { timeZone: "UTC", asOf: "2024-04-30" });
    expect(m.lastMonthPartial).toBe(false);
    // UTC: January is A, B, C (3 members). Active Feb: A, C? C's Feb order is none (its 2nd is Mar 15) → A only... and D is February's.
    expect(m.cohorts[0]!.customers).toBe(3);
    expect(m.cohorts[0]!.active).toEqual([3, 1, 1, 1]);
    expect(m.cohorts[1]!.customers).toBe(1);
  });

  it("refuses bad days, zones and amounts", () => {
    expect(() => retentionMatrix(orders, { timeZone: TZ, asOf: "2024-02-30" })).toThrow(CohortError);
    expect(() => retentionMatrix(orders, { timeZone: "Mars/Olympus", asOf: "2024-02-01" })).toThrow(/time zone/);
    expect(() => retentionMatrix([{ customerId: "X", at: 0, amount: 1.5 }], { timeZone: TZ, asOf: "2024-02-01" })).toThrow(/minor units/);
  });
});

describe("churnByPeriod", () => {
  it("monthly lapse churn over complete months only", () => {
    // asOf mid-April: April is incomplete, the last row is March.
    expect(churnByPeriod(orders, { timeZone: TZ, asOf: "2024-04-15" })).toEqual([
      // Jan active A, B; in Feb B has no order.
      { period: "2024-02", activeBefore: 2, churned: 1, churnRate: 0.5, active: 3, returning: 0, new: 2 },
      // Feb active A, C, D; in Mar A has none.
      { period: "2024-03", activeBefore: 3, churned: 1, churnRate: 1 / 3, active: 2, returning: 0, new: 0 },
    ]);
    const toApril = churnByPeriod(orders, { timeZone: TZ, asOf: "2024-04-30" });
    // Mar active C, D; neither buys in Apr; A comes back.
    expect(toApril[2]).toEqual({ period: "2024-04", activeBefore: 2, churned: 2, churnRate: 1, active: 1, returning: 1, new: 0 });
  });

  it("quarterly churn", () => {
    // Q1: A, B, C, D. Q2 (complete at 06-30): A (Apr) and E (new, May). Churned B, C, D.
    expect(churnByPeriod(orders, { timeZone: TZ, asOf: "2024-06-30", period: "quarter" })).toEqual([
      { period: "2024-Q2", activeBefore: 4, churned: 3, churnRate: 0.75, active: 2, returning: 0, new: 1 },
    ]);
    // 06-29: Q2 not complete yet, nothing to report.
    expect(churnByPeriod(orders, { timeZone: TZ, asOf: "2024-06-29", period: "quarter" })).toEqual([]);
  });
});

describe("modelChurn", () => {
  it("is 1 − mean P(alive), P(alive) from FHL's closed form", () => {
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    // P(alive | x=2, t_x=30.43, T=38.86) = 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)), by hand: 0.72658.
    const pAlive = 1 / (1 + (0.793 / 3.426) * Math.pow(43.274 / 34.844, 2.243));
    expect(pAlive).toBeCloseTo(0.72658, 4);
    const out = modelChurn(params, [
      { x: 2, t_x: 30.43, T: 38.86 },
      { x: 0, t_x: 0, T: 20 },
    ]);
    expect(out.customers).toBe(2);
    expect(out.expectedAlive).toBeCloseTo(1 + pAlive, 10);
    expect(out.churnShare).toBeCloseTo((1 - pAlive) / 2, 10);
    expect(() => modelChurn(params, [])).toThrow(CohortError);
  });
});
