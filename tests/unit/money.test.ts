import { describe, expect, it } from "vitest";
import { fromMinorUnits, minorUnitDigits, MoneyError, toMinorUnits } from "../../app/insights/money";

describe("money in minor units", () => {
  // Minor-unit exponents from the ISO 4217 list (independent of the platform data the code reads).
  it.each([
    ["USD", 2],
    ["EUR", 2],
    ["VND", 0],
    ["JPY", 0],
    ["KWD", 3],
    ["BHD", 3],
  ])("%s has %i decimals", (currency, digits) => {
    expect(minorUnitDigits(currency)).toBe(digits);
  });

  it("converts decimal strings exactly, without float drift", () => {
    expect(toMinorUnits("1234.50", "USD")).toBe(123450);
    expect(toMinorUnits("0.1", "USD") + toMinorUnits("0.2", "USD")).toBe(toMinorUnits("0.3", "USD"));
    expect(toMinorUnits("30000000", "VND")).toBe(30_000_000);
    expect(toMinorUnits("30000000.00", "VND")).toBe(30_000_000);
    expect(toMinorUnits("-5.5", "USD")).toBe(-550);
    expect(toMinorUnits("1.234", "KWD")).toBe(1234);
  });

  it("rejects what it cannot represent exactly, naming the value", () => {
    expect(() => toMinorUnits("0.001", "USD")).toThrow(/more decimals than USD allows/);
    expect(() => toMinorUnits("100.5", "VND")).toThrow(MoneyError);
    expect(() => toMinorUnits("1,000", "USD")).toThrow(/not a decimal amount/);
    expect(() => toMinorUnits("12", "dollars")).toThrow(/not an ISO 4217/);
    expect(() => toMinorUnits("99999999999999999999", "VND")).toThrow(/too large/);
  });

  it("round-trips", () => {
    for (const [value, currency] of [
      ["1234.50", "USD"],
      ["0.05", "USD"],
      ["-0.05", "EUR"],
      ["30000000", "VND"],
      ["1.234", "KWD"],
    ] as const) {
      expect(fromMinorUnits(toMinorUnits(value, currency), currency)).toBe(value);
    }
  });
});
