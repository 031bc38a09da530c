/**
 * CAC, LTV:CAC and payback on a hand-built shop (UTC, margin 50 %); every expected number is worked out by hand in the
 * comments from the orders and spend listed.
 */
import { describe, expect, it } from "vitest";
import { acquisitionCost, CacError, type AcquisitionOrder, type MarketingSpend } from "../../../../app/insights/clv/cac";

const at = (iso: string) => Date.parse(`${iso}T10:00:00Z`);
const orders: AcquisitionOrder[] = [
  { customerId: "c1", at: at("2024-01-10"), amount: 1000, source: "web" },
  { customerId: "c1", at: at("2024-02-10"), amount: 600, source: "pos" },
  { customerId: "c1", at: at("2024-03-05"), amount: 400, source: "web" },
  { customerId: "c2", at: at("2024-01-20"), amount: 2000, source: "pos" },
  { customerId: "c3", at: at("2024-02-03"), amount: 500, source: "web" },
  { customerId: "c3", at: at("2024-02-20"), amount: 500, source: "web" },
  { customerId: "c4", at: at("2024-03-01"), amount: 300, source: null },
  { customerId: "c5", at: at("2024-04-02"), amount: 9999, source: "web" }, // after asOf
];
const spend: MarketingSpend[] = [
  { month: "2024-01", amount: 1200, currency: "USD", channel: "web" },
  { month: "2024-01", amount: 600, currency: "USD", channel: "pos" },
  { month: "2024-02", amount: 900, currency: "USD", channel: "web" },
];
const base = { timeZone: "UTC", asOf: "2024-03-31", currency: "USD", grossMarginRate: 0.5 };

describe("acquisitionCost", () => {
  it("monthly CAC, historical LTV:CAC and payback", () => {
    const r = acquisitionCost(orders, spend, base);
    expect(r.ltvSource).toBe("historical");
    const [jan, feb, mar] = r.months;
    // January: spend 1800, new c1 and c2 → CAC 900. LTV = 0.5 × revenue to date: c1 2000 → 1000, c2 2000 → 1000.
    // Contribution: Jan (1000 + 2000)/2 = 1500, Feb +300 = 1800 ≥ 1800 → payback in month +1.
    expect(jan).toMatchObject({ month: "2024-01", channel: null, spend: 1800, newCustomers: 2, cac: 900, ltv: 1000, paybackMonths: 1 });
    expect(jan!.ltvToCac).toBeCloseTo(1000 / 900, 12);
    expect(jan!.cumulativeContribution).toEqual([1500, 1800, 2000]);
    // February: spend 900, new c3 (1000 revenue → 500) → CAC 900, LTV 500, never paid back by March.
    expect(feb).toMatchObject({ spend: 900, newCustomers: 1, cac: 900, ltv: 500, paybackMonths: null, cumulativeContribution: [500, 500] });
    expect(feb!.ltvToCac).toBeCloseTo(500 / 900, 12);
    expect(feb!.messages[0]).toMatch(/2024-02: not paid back within the 2 month\(s\) observed \(contribution 500 of 900\)/);
    // March: c4 is new but no spend was entered.
    expect(mar).toMatchObject({ month: "2024-03", spend: null, newCustomers: 1, cac: null, ltv: 150, ltvToCac: null, paybackMonths: null });
    expect(mar!.messages).toEqual(["2024-03: 1 new customer(s) but no marketing spend entered: CAC not computed"]);
    // Total over months with spend: 2700 / 3 new customers = 900; LTV (1000 + 1000 + 500)/3.
    expect(r.total.spend).toBe(2700);
    expect(r.total.newCustomers).toBe(3);
    expect(r.total.cac).toBe(900);
    expect(r.total.ltv).toBeCloseTo(2500 / 3, 10);
  });

  it("per channel: the first order's source, or channelOf when known", () => {
    const r = acquisitionCost(orders, spend, base);
    const rows = r.channels.map((c) => [c.month, c.channel, c.spend, c.newCustomers, c.cac, c.paybackMonths]);
    expect(rows).toEqual([
      // c1 came through web (first order), spend 1200: contribution 500, 800, 1000 never reaches 1200.
      ["2024-01", "pos", 600, 1, 600, 0], // c2: 1000 in January ≥ 600
      ["2024-01", "web", 1200, 1, 1200, null],
      ["2024-02", "web", 900, 1, 900, null],
      ["2024-03", "unknown", null, 1, null, null], // c4's order has no source
    ]);
    const tagged = acquisitionCost(orders, spend, { ...base, channelOf: new Map([["c1", "pos"]]) });
    // c1 now counts as pos: January pos has c1 and c2 for 600 → CAC 300; January web has nobody.
    const janPos = tagged.channels.find((c) => c.month === "2024-01" && c.channel === "pos")!;
    expect([janPos.newCustomers, janPos.cac]).toEqual([2, 300]);
    const janWeb = tagged.channels.find((c) => c.month === "2024-01" && c.channel === "web")!;
    expect([janWeb.newCustomers, janWeb.cac]).toEqual([0, null]);
    expect(janWeb.messages).toEqual(["2024-01 (web): spend 1200 entered but no new customers: CAC undefined"]);
  });

  it("model LTV: margin × (revenue to date + predicted future value)", () => {
    const ltv = new Map([
      ["c1", 800],
      ["c2", 0],
      ["c3", 200],
    ]);
    const r = acquisitionCost(orders, spend, { ...base, ltv });
    expect(r.ltvSource).toBe("model");
    // January: c1 0.5 × (2000 + 800) = 1400, c2 1000 → 1200; CAC 900.
    expect(r.months[0]!.ltv).toBe(1200);
    expect(r.months[0]!.ltvToCac).toBeCloseTo(1200 / 900, 12);
    // c4 has no model value: historical only, and a message says so.
    expect(r.months[2]!.ltv).toBe(150);
    expect(r.messages).toContain("1 customer(s) have no model LTV: their LTV is the historical margin only");
  });

  it("says what is missing", () => {
    const none = acquisitionCost(orders, [], { timeZone: "UTC", asOf: "2024-03-31", currency: "USD" });
    expect(none.messages[0]).toMatch(/no gross margin rate given/);
    expect(none.messages[1]).toMatch(/no marketing spend entered/);
    expect(none.months.every((m) => m.cac === null)).toBe(true);
    expect(none.total.cac).toBeNull();
    const noCustomers = acquisitionCost([], [{ month: "2024-01", amount: 5, currency: "USD" }], base);
    expect(noCustomers.messages).toContain("no customers with orders by the as-of day: nothing to compute CAC on");
    expect(noCustomers.months[0]!.messages).toEqual(["2024-01: spend 5 entered but no new customers: CAC undefined"]);
    expect(() => acquisitionCost(orders, [{ month: "2024-01", amount: 5, currency: "EUR" }], base)).toThrow(CacError);
    expect(() => acquisitionCost(orders, [{ month: "2024-13", amount: 5, currency: "USD" }], base)).toThrow(/not a month/);
    expect(() => acquisitionCost(orders, [{ month: "2024-05", amount: 5, currency: "USD" }], base)).toThrow(/after the as-of month/);
    expect(() => acquisitionCost(orders, spend, { ...base, grossMarginRate: 1.5 })).toThrow(/margin/);
  });

  it("guest first orders are acquisitions; contribution amounts take no margin rate", () => {
    // Amounts are contribution already. January adds two guest orders (500 and 300 contribution) to c1 and c2:
    // 4 new customers for 1800 spend → CAC 450. LTV: c1 2000 + model 400, c2 2000 + model 0, guests 500 and 300
    // (a guest cannot be followed: no model value) → (2400 + 2000 + 500 + 300) / 4 = 1300.
    const withGuests: AcquisitionOrder[] = [
      ...orders,
      { customerId: null, orderId: "g1", at: at("2024-01-15"), amount: 500, source: "web" },
      { customerId: null, orderId: "g2", at: at("2024-01-25"), amount: 300, source: "pos" },
    ];
    const r = acquisitionCost(withGuests, spend, { timeZone: "UTC", asOf: "2024-03-31", currency: "USD", amounts: "contribution", ltv: new Map([["c1", 400], ["c2", 0], ["c3", 0], ["c4", 0]]) });
    const jan = r.months[0]!;
    expect(jan).toMatchObject({ newCustomers: 4, guestNewCustomers: 2, cac: 450, ltv: 1300 });
    // Contribution in January: 1000 + 2000 + 500 + 300 = 3800 ≥ 1800 → paid back in the acquisition month.
    expect(jan.cumulativeContribution[0]).toBe(3800);
    expect(jan.paybackMonths).toBe(0);
    expect(r.total.guestNewCustomers).toBe(2);
    expect(r.messages.join(" ")).toMatch(/2 guest order\(s\) counted as new customers/);
    expect(r.messages.join(" ")).not.toMatch(/no gross margin rate/);
    expect(r.messages.join(" ")).not.toMatch(/have no model LTV/);
    // Per channel: the web guest joins January's web cohort (c1 and the guest g1).
    expect(r.channels.find((c) => c.month === "2024-01" && c.channel === "web")).toMatchObject({ newCustomers: 2, guestNewCustomers: 1, cac: 600 });
    expect(() => acquisitionCost(withGuests, spend, { timeZone: "UTC", asOf: "2024-03-31", currency: "USD", amounts: "contribution", grossMarginRate: 0.5 })).toThrow(CacError);
  });
});
