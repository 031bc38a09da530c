/** RFM scores, groups and movement, against hand-computed cases and properties. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quintileScores, RFM_GROUPS, rfmGroupOf, rfmInputs, rfmMovement, rfmScores, type Order } from "../../../../app/insights/clv/rfm";

describe("quintile scores", () => {
  it("ten distinct values: two per score", () => {
    expect([...quintileScores(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), true)]).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([...quintileScores(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), false)]).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
  });

  it("ties share the score of their worst position: 6 of 10 with one order score 1, the next value jumps to 4", () => {
    // worse counts: 1 → 0 (score 1); 2 → 6 (1 + ⌊30/10⌋ = 4); 3 → 8 (5); 9 → 9 (5).
    expect([...quintileScores(Float64Array.from([1, 1, 1, 1, 1, 1, 2, 2, 3, 9]), true)]).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
    expect([...quintileScores(Float64Array.from([7, 7, 7]), true)]).toEqual([1, 1, 1]);
  });

  it("properties: scores in 1..5, equal values equal scores, a better value never a lower score", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 60 }), fc.boolean(), (values, higher) => {
        const s = quintileScores(Float64Array.from(values), higher);
        for (let i = 0; i < values.length; i++) {
          expect(s[i]).toBeGreaterThanOrEqual(1);
          expect(s[i]).toBeLessThanOrEqual(5);
          for (let j = 0; j < values.length; j++) {
            const better = higher ? values[i]! > values[j]! : values[i]! < values[j]!;
            if (values[i] === values[j]) expect(s[i]).toBe(s[j]);
            else if (better) expect(s[i]).toBeGreaterThanOrEqual(s[j]!);
          }
        }
      }),
    );
  });
});

describe("groups", () => {
  it("the documented grid", () => {
    expect(rfmGroupOf(5, 5)).toBe("CHAMPIONS");
    expect(rfmGroupOf(5, 4)).toBe("CHAMPIONS");
    expect(rfmGroupOf(5, 3)).toBe("ACTIVE");
    expect(rfmGroupOf(5, 1.5)).toBe("NEW");
    expect(rfmGroupOf(4, 4.5)).toBe("LOYAL");
    expect(rfmGroupOf(4, 2.5)).toBe("ACTIVE");
    expect(rfmGroupOf(4, 2)).toBe("PROMISING");
    expect(rfmGroupOf(3, 3)).toBe("NEEDS_ATTENTION");
    expect(rfmGroupOf(3, 1)).toBe("ALMOST_LOST");
    expect(rfmGroupOf(2, 2.5)).toBe("ALMOST_LOST");
    expect(rfmGroupOf(2, 3.5)).toBe("AT_RISK");
    expect(rfmGroupOf(1, 5)).toBe("PREVIOUSLY_LOYAL");
    expect(rfmGroupOf(1, 2)).toBe("DORMANT");
    // Every (R, FM) cell has a group, and every group but PROSPECTS is reachable.
    const reached = new Set<string>();
    for (let r = 1; r <= 5; r++) for (let fm2 = 2; fm2 <= 10; fm2++) reached.add(rfmGroupOf(r, fm2 / 2));
    expect([...reached].sort()).toEqual(RFM_GROUPS.filter((g) => g !== "PROSPECTS").sort());
  });

  it("scores ten customers by hand; a customer without orders is a prospect", () => {
    const customers = Array.from({ length: 10 }, (_, i) => ({ id: `c${i}`, daysSinceLastOrder: i * 10, orders: 10 - i, spend: (10 - i) * 1000 }));
    const scores = rfmScores([...customers, { id: "p", daysSinceLastOrder: null, orders: 0, spend: 0 }]);
    expect(scores[0]).toEqual({ id: "c0", recency: 5, frequency: 5, monetary: 5, fm: 5, group: "CHAMPIONS" });
    expect(scores[4]).toEqual({ id: "c4", recency: 3, frequency: 3, monetary: 3, fm: 3, group: "NEEDS_ATTENTION" });
    expect(scores[9]).toEqual({ id: "c9", recency: 1, frequency: 1, monetary: 1, fm: 1, group: "DORMANT" });
    expect(scores[10]).toEqual({ id: "p", recency: null, frequency: null, monetary: null, fm: null, group: "PROSPECTS" });
  });
});

describe("inputs from orders and movement between dates", () => {
  const at = (day: string) => Date.parse(`${day}T12:00:00Z`);
  const orders: Order[] = [
    { customerId: "a", at: at("2024-01-05"), amount: 100 },
    { customerId: "a", at: at("2024-02-20"), amount: 100 },
    { customerId: "b", at: at("2024-01-20"), amount: 500 },
    { customerId: "c", at: at("2024-02-10"), amount: 50 }, // a prospect at the end of January
  ];

  it("counts orders, spend and days since the last order up to the as-of day", () => {
    const inputs = rfmInputs(orders, { asOf: "2024-01-31", timeZone: "UTC", customers: ["z"] });
    expect(inputs.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: "a", daysSinceLastOrder: 26, orders: 1, spend: 100 },
      { id: "b", daysSinceLastOrder: 11, orders: 1, spend: 500 },
      { id: "c", daysSinceLastOrder: null, orders: 0, spend: 0 },
      { id: "z", daysSinceLastOrder: null, orders: 0, spend: 0 },
    ]);
  });

  it("the transition matrix: rows are the groups at `from`, columns at `to`, every customer counted once", () => {
    const m = rfmMovement(orders, { from: "2024-01-31", to: "2024-02-29", timeZone: "UTC" });
    // Jan 31 (n = 2): b (R: 11 days beats 26, 1 + ⌊5/2⌋ = 3; F ties → 1; M 500 > 100 → 3; FM 2) ALMOST_LOST;
    //   a (R 1, F 1, M 1) DORMANT.
    // Feb 29: a 9 days, 2 orders, 200; b 40 days, 1, 500; c 19 days, 1, 50.
    //   R: a worse=2 → 4, c worse=1 → 2, b → 1. F: a worse=2 → 4, b, c → 1. M: b → 4, a → 2, c → 1.
    //   a: R4, FM 3 → ACTIVE; b: R1, FM 2.5 → DORMANT; c: R2, FM 1 → ALMOST_LOST.
    const cell = (from: string, to: string) => m.matrix[RFM_GROUPS.indexOf(from as never)]![RFM_GROUPS.indexOf(to as never)];
    expect(cell("DORMANT", "ACTIVE")).toBe(1);
    expect(cell("ALMOST_LOST", "DORMANT")).toBe(1);
    expect(cell("PROSPECTS", "ALMOST_LOST")).toBe(1);
    expect(m.matrix.flat().reduce((s, v) => s + v, 0)).toBe(3);
    expect(m.shares[RFM_GROUPS.indexOf("DORMANT")]![RFM_GROUPS.indexOf("ACTIVE")]).toBe(1);
    expect(m.countsFrom).toMatchObject({ ALMOST_LOST: 1, DORMANT: 1, PROSPECTS: 1 });
    expect(() => rfmMovement(orders, { from: "2024-02-29", to: "2024-01-31", timeZone: "UTC" })).toThrow(/must be after/);
  });
});
