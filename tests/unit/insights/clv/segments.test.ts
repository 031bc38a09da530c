/**
 * Segment comparison on hand-built customers (every statistic worked out by hand below), and the bootstrap interval
 * of a difference in repeat rate checked against the textbook normal-approximation (Wald) interval.
 */
import { describe, expect, it } from "vitest";
import { compareSegments, firstOrderSegments, SegmentError, tagSegment, type SegmentCustomer, type SegmentOrder } from "../../../../app/insights/clv/segments";
import { Rng } from "../../../support/clv-simulate";

const day = (d: number) => Date.UTC(2024, 0, d);
const customers: SegmentCustomer[] = [
  { id: "s1", segment: tagSegment(["student", "age:15-22"], "age:") },
  { id: "s2", segment: "age:15-22" },
  { id: "t1", segment: "age:23-30" },
  { id: "t2", segment: "age:23-30" },
  { id: "u", segment: tagSegment(["vip"], "age:") },
  { id: "v", segment: "age:15-22" },
];
const orders: SegmentOrder[] = [
  { customerId: "s1", at: day(1), amount: 100, products: ["p1"] },
  { customerId: "s1", at: day(20), amount: 200, products: ["p1", "p2", "p1"] },
  { customerId: "s2", at: day(2), amount: 300, products: ["p2"] },
  { customerId: "t1", at: day(3), amount: 1000, products: ["p3"] },
  { customerId: "t2", at: day(4), amount: 500, products: ["p3"] },
  { customerId: "t2", at: day(5), amount: 500, products: ["p4"] },
  { customerId: "t2", at: day(25), amount: 500, products: ["p3"] },
  { customerId: "u", at: day(6), amount: 50 },
  { customerId: "nobody", at: day(7), amount: 70 },
];

describe("compareSegments", () => {
  it("size, AOV, frequency, repeat rate, CLV, churn and top products per segment", () => {
    const clv = new Map([
      ["s1", 10],
      ["s2", 20],
      ["t1", 50],
      ["t2", 70],
    ]);
    const pAlive = new Map([
      ["s1", 0.8],
      ["s2", 0.6],
      ["t1", 1],
      ["t2", 0.5],
    ]);
    const r = compareSegments(customers, orders, { clv, pAlive });
    expect(r.unassigned).toBe(1);
    expect(r.withoutOrders).toBe(1);
    expect(r.churnDefinition).toBe("model");
    expect(r.comparison).toBeNull();
    const [young, older] = r.segments;
    // 15–22: s1 (100 + 200) and s2 (300): 3 orders, 600 → AOV 200, 1.5 orders each, s1 repeats. p1 and p2 in 2 of 3 orders.
    expect(young!.segment).toBe("age:15-22");
    expect(young).toMatchObject({ customers: 2, orders: 3, revenue: 600, aov: 200, purchaseFrequency: 1.5, repeatRate: 0.5, meanClv: 15 });
    expect(young!.churn).toBeCloseTo(0.3, 12); // 1 − (0.8 + 0.6)/2
    expect(young!.topProducts).toEqual([
      { product: "p1", orders: 2, share: 2 / 3 },
      { product: "p2", orders: 2, share: 2 / 3 },
    ]);
    // 23–30: t1 1000; t2 3 × 500: 4 orders, 2500 → AOV 625, 2 orders each, t2 repeats. p3 in 3 of 4 orders.
    expect(older).toMatchObject({ segment: "age:23-30", customers: 2, orders: 4, revenue: 2500, aov: 625, purchaseFrequency: 2, repeatRate: 0.5, meanClv: 60, churn: 0.25 });
    expect(older!.topProducts).toEqual([
      { product: "p3", orders: 3, share: 0.75 },
      { product: "p4", orders: 1, share: 0.25 },
    ]);
  });

  it("churn by inactivity: last order more than N days before asOf", () => {
    // asOf Jan 31, 11 days: s1 (Jan 20, exactly 11 days: not more) active, s2 (Jan 2) lapsed → 0.5; t1 (Jan 3)
    // lapsed, t2 (Jan 25) active → 0.5. With 10 days s1 lapses too → 1.
    const r = compareSegments(customers, orders, { inactiveAfterDays: 11, asOf: day(31) });
    expect(r.churnDefinition).toBe("inactive");
    expect(r.segments.map((s) => s.churn)).toEqual([0.5, 0.5]);
    expect(compareSegments(customers, orders, { inactiveAfterDays: 10, asOf: day(31) }).segments.map((s) => s.churn)).toEqual([1, 0.5]);
    expect(() => compareSegments(customers, orders, { inactiveAfterDays: 10 })).toThrow(SegmentError);
  });

  it("the bootstrap interval of a repeat-rate difference matches the Wald interval", () => {
    // A: 60 of 100 repeat; B: 40 of 100. Difference 0.2, SE √(0.6·0.4/100 + 0.4·0.6/100) = 0.069282, 95 %: ±0.135791.
    const many: SegmentCustomer[] = [];
    const manyOrders: SegmentOrder[] = [];
    for (let i = 0; i < 200; i++) {
      const group = i < 100 ? "A" : "B";
      const repeats = group === "A" ? i < 60 : i < 140;
      many.push({ id: `c${i}`, segment: group });
      manyOrders.push({ customerId: `c${i}`, at: day(1), amount: 100 });
      if (repeats) manyOrders.push({ customerId: `c${i}`, at: day(2), amount: 100 });
    }
    const rng = new Rng(2024);
    const r = compareSegments(many, manyOrders, { compare: ["A", "B"], random: () => rng.uniform(), resamples: 4000 });
    const repeat = r.comparison!.differences.find((d) => d.metric === "repeatRate")!;
    expect(repeat.a).toBe(0.6);
    expect(repeat.b).toBe(0.4);
    expect(repeat.difference).toBeCloseTo(0.2, 12);
    expect(repeat.low).toBeCloseTo(0.2 - 0.135791, 1);
    expect(Math.abs(repeat.low - (0.2 - 0.135791))).toBeLessThan(0.015);
    expect(Math.abs(repeat.high - (0.2 + 0.135791))).toBeLessThan(0.015);
    expect(repeat.significant).toBe(true);
    // Every order is 100: the AOV difference is exactly 0 in every resample.
    const aov = r.comparison!.differences.find((d) => d.metric === "aov")!;
    expect([aov.difference, aov.low, aov.high, aov.significant]).toEqual([0, 0, 0, false]);
  });

  it("an identical pair of segments is not significant; errors say what is missing", () => {
    const same: SegmentCustomer[] = [];
    const sameOrders: SegmentOrder[] = [];
    for (let i = 0; i < 100; i++) {
      same.push({ id: `a${i}`, segment: "A" }, { id: `b${i}`, segment: "B" });
      const n = 1 + (i % 3);
      for (let k = 0; k < n; k++) sameOrders.push({ customerId: `a${i}`, at: day(k + 1), amount: 100 * n }, { customerId: `b${i}`, at: day(k + 1), amount: 100 * n });
    }
    const rng = new Rng(7);
    const r = compareSegments(same, sameOrders, { compare: ["A", "B"], random: () => rng.uniform() });
    for (const d of r.comparison!.differences) {
      expect(d.difference).toBe(0);
      expect(d.significant).toBe(false);
    }
    expect(() => compareSegments(same, sameOrders, { compare: ["A", "C"], random: Math.random })).toThrow(/C has no customers/);
    expect(() => compareSegments(same, sameOrders, { compare: ["A", "B"] })).toThrow(/random/);
  });
});

describe("firstOrderSegments", () => {
  it("takes the earliest order's value", () => {
    const m = firstOrderSegments([
      { customerId: "a", at: 5, value: "pos" },
      { customerId: "a", at: 2, value: "web" },
      { customerId: "b", at: 1, value: null },
    ]);
    expect([...m]).toEqual([
      ["a", "web"],
      ["b", null],
    ]);
  });
});
