import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateDemoStore } from "../../demo-store/generate";

const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

describe("demo-store determinism", () => {
  it("gives byte-identical JSON for the same seed and options", () => {
    const first = generateDemoStore({ seed: 42, orders: 2000 });
    const second = generateDemoStore({ seed: 42, orders: 2000 });
    expect(hash(second.store)).toBe(hash(first.store));
    expect(hash(second.truth)).toBe(hash(first.truth));
  });

  it("changes with the seed and with the options", () => {
    const base = hash(generateDemoStore({ seed: 42, orders: 2000 }).store);
    expect(hash(generateDemoStore({ seed: 43, orders: 2000 }).store)).not.toBe(base);
    expect(hash(generateDemoStore({ seed: 42, orders: 2000, end: "2025-05-31" }).store)).not.toBe(base);
  });

  it("uses the documented defaults and records the options", () => {
    const { store, truth } = generateDemoStore({ seed: 1, orders: 1000 });
    expect(store.shop).toMatchObject({
      domain: "insight-loop-demo.myshopify.com",
      name: "Insight Loop Demo",
      currencyCode: "VND",
      ianaTimezone: "Asia/Ho_Chi_Minh",
      locales: ["vi", "en"],
    });
    expect(truth.options).toEqual({ orders: 1000, start: "2023-01-01", end: "2025-06-30", domain: "insight-loop-demo.myshopify.com" });
    expect(truth.seed).toBe(1);
    expect(store.orders).toHaveLength(1000);
  });

  it("rejects options it cannot honour", () => {
    expect(() => generateDemoStore({ seed: 1, orders: 0 })).toThrow(/orders/);
    expect(() => generateDemoStore({ seed: 1, orders: 1.5 })).toThrow(/orders/);
    expect(() => generateDemoStore({ seed: 1, orders: 100, end: "2027-06-30" })).toThrow(/lunar table/);
    expect(() => generateDemoStore({ seed: 1, orders: 100, start: "2023-02-30" })).toThrow(/calendar day/);
    expect(() => generateDemoStore({ seed: 1, orders: 100, domain: "example.com" })).toThrow(/myshopify/);
  });
});
