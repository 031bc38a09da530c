/**
 * customerSummary against the CDNOW summary files (derived by Fader, Hardie & Lee from the same transactions) and
 * against hand-computed small cases.
 */
import { describe, expect, it } from "vitest";
import { customerSummary, dayNumberIn, SummaryError, type Purchase } from "../../../../app/insights/clv/summary";
import { cdnowSamplePurchases, readSummaryCsv } from "./cdnow";

const round2 = (v: number) => Math.round(v * 100) / 100;

describe("customerSummary on CDNOW_sample.txt (calibration end 1997-09-30, weeks)", () => {
  const summary = customerSummary(cdnowSamplePurchases(), { calibrationEnd: "1997-09-30", timeUnit: "week", timeZone: "UTC", currency: "USD" });
  const byId = new Map(summary.customers.map((c) => [c.id, c]));

  it("reproduces cdnow_customers_summary.csv exactly (frequency, recency, T to the file's 2 decimals)", () => {
    const rows = readSummaryCsv("cdnow_customers_summary.csv");
    expect(rows).toHaveLength(2357);
    expect(summary.customers).toHaveLength(2357);
    for (const row of rows) {
      const c = byId.get(String(row.ID));
      expect(c, `customer ${row.ID}`).toBeDefined();
      expect([c!.x, round2(c!.t_x), round2(c!.T)], `customer ${row.ID}`).toEqual([row.frequency, row.recency, row.T]);
    }
    expect(rows.filter((r) => r.frequency! > 0)).toHaveLength(946);
  });

  it("reproduces cdnow_customers_summary_with_transactions.csv exactly (x, t_x, T, zbar = mean repeat spend)", () => {
    const rows = readSummaryCsv("cdnow_customers_summary_with_transactions.csv");
    expect(rows).toHaveLength(2357);
    for (const row of rows) {
      const c = byId.get(String(row.ID))!;
      // monetary is in cents; the file's zbar is dollars rounded to cents.
      expect([c.x, round2(c.t_x), round2(c.T), Math.round(c.monetary) / 100], `customer ${row.ID}`).toEqual([row.x, row.t_x, row.T, row.zbar]);
    }
  });

  it("customer 1: days 1997-01-01 (first), 1997-01-18, 1997-08-02 by hand", () => {
    // From CDNOW_sample.txt: 29.33, 29.73, 14.96; x = 2, t_x = 213/7, T = 272/7, zbar = (29.73 + 14.96) / 2.
    const c = byId.get("1")!;
    expect(c).toMatchObject({ x: 2, t_x: 213 / 7, T: 272 / 7, monetary: (2973 + 1496) / 2, firstPurchase: "1997-01-01", totalSpend: 2933 + 2973 + 1496 });
  });
});

describe("customerSummary rules", () => {
  const at = (iso: string) => Date.parse(iso);
  const p = (customerId: string, iso: string, amount: number): Purchase => ({ customerId, at: at(iso), amount });

  it("merges same-day purchases, counts days in the shop's time zone, and splits calibration and holdout", () => {
    const purchases = [
      p("a", "2024-01-01T10:00:00Z", 100),
      p("a", "2024-01-01T20:00:00Z", 50), // 2024-01-02 03:00 in Ho Chi Minh City (UTC+7): a second day there
      p("a", "2024-01-15T03:00:00Z", 300),
      p("a", "2024-01-20T03:00:00Z", 70), // holdout
      p("a", "2024-01-20T05:00:00Z", 30), // same holdout day
      p("a", "2024-02-20T03:00:00Z", 999), // after the holdout end
      p("b", "2024-01-16T03:00:00Z", 10), // first purchase after the calibration end: not in the cohort
    ];
    const utc = customerSummary(purchases, { calibrationEnd: "2024-01-15", holdoutEnd: "2024-01-31", timeUnit: "day", timeZone: "UTC", currency: "VND" });
    expect(utc.customers).toEqual([{ id: "a", x: 1, t_x: 14, T: 14, monetary: 300, firstPurchase: "2024-01-01", totalSpend: 450, holdout: { x: 1, spend: 100 } }]);
    expect(utc.holdoutDuration).toBe(16);
    expect(utc.purchasesAfterEnd).toBe(1);
    const hcm = customerSummary(purchases, { calibrationEnd: "2024-01-15", timeUnit: "day", timeZone: "Asia/Ho_Chi_Minh", currency: "VND" });
    expect(hcm.customers).toEqual([{ id: "a", x: 2, t_x: 14, T: 14, monetary: 175, firstPurchase: "2024-01-01", totalSpend: 450 }]);
  });

  it("weeks are days / 7 from the first purchase day", () => {
    const s = customerSummary([p("a", "2024-01-01T00:00:00Z", 1), p("a", "2024-01-04T00:00:00Z", 1)], { calibrationEnd: "2024-01-11", timeZone: "UTC", currency: "USD" });
    expect(s.customers[0]).toMatchObject({ x: 1, t_x: 3 / 7, T: 10 / 7 });
  });

  it("rejects bad days, a holdout before the calibration end, another currency and fractional amounts", () => {
    const base = { timeZone: "UTC", currency: "USD" };
    expect(() => customerSummary([], { ...base, calibrationEnd: "2024-02-30" })).toThrow(SummaryError);
    expect(() => customerSummary([], { ...base, calibrationEnd: "2024-02-01", holdoutEnd: "2024-02-01" })).toThrow(/must be after/);
    expect(() => customerSummary([{ customerId: "a", at: 0, amount: 1, currency: "EUR" }], { ...base, calibrationEnd: "2024-02-01" })).toThrow(/EUR/);
    expect(() => customerSummary([{ customerId: "a", at: 0, amount: 1.5 }], { ...base, calibrationEnd: "2024-02-01" })).toThrow(/minor units/);
    expect(() => customerSummary([], { ...base, timeZone: "Mars/Olympus", calibrationEnd: "2024-02-01" })).toThrow(/time zone/);
  });

  it("dayNumberIn follows daylight saving time (America/New_York)", () => {
    const ny = dayNumberIn("America/New_York");
    // 2024-03-10 03:30 UTC is 2024-03-09 22:30 EST; 2024-07-01 03:30 UTC is 2024-06-30 23:30 EDT.
    expect(ny(Date.parse("2024-03-10T03:30:00Z"))).toBe(Date.UTC(2024, 2, 9) / 86_400_000);
    expect(ny(Date.parse("2024-07-01T03:30:00Z"))).toBe(Date.UTC(2024, 5, 30) / 86_400_000);
    expect(ny(Date.parse("2024-07-01T04:30:00Z"))).toBe(Date.UTC(2024, 6, 1) / 86_400_000);
  });
});
