/**
 * Holdout assignment: FNV-1a against published test vectors, the storefront copy against the reference, and the arms'
 * stability, balance and dependence on the salt.
 */
import { describe, expect, it } from "vitest";
import { ASSIGNMENT_JS, assignArm, fnv1a32 } from "../../../../app/insights/offers/assignment";
import { seededRng } from "../../../../app/insights/trends/random";

/** Visitor ids shaped like the snippet's cookie values (random base-36), from a seeded generator. */
function visitorIds(count: number, seed: number): string[] {
  const rng = seededRng(seed);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(Math.floor(rng() * 2 ** 32).toString(36) + Math.floor(rng() * 2 ** 32).toString(36));
  }
  return ids;
}

const storefront = new Function(`${ASSIGNMENT_JS}\nreturn { hash: ilFnv1a32, arm: ilArm };`)() as {
  hash: (s: string) => number;
  arm: (vid: string, salt: string, share: number) => string;
};

describe("fnv1a32", () => {
  // Vectors from the FNV reference test suite (Landon Curt Noll's fnv test vectors, 32-bit FNV-1a).
  it.each([
    ["", 0x811c9dc5],
    ["a", 0xe40c292c],
    ["b", 0xe70c2de5],
    ["foobar", 0xbf9cf968],
    ["chongo was here!\n", 0xd49930d5],
  ])("hashes %j to %i", (input, expected) => {
    expect(fnv1a32(input)).toBe(expected);
    expect(storefront.hash(input)).toBe(expected);
  });

  it("hashes the UTF-8 bytes (multi-byte and astral characters)", () => {
    // "é" is C3 A9; "€" is E2 82 AC; "😀" is F0 9F 98 80. Hashing the bytes by hand must give the same value.
    const bytes = (list: number[]) => list.reduce((h, b) => Math.imul(h ^ b, 16777619) >>> 0, 2166136261);
    expect(fnv1a32("é")).toBe(bytes([0xc3, 0xa9]));
    expect(fnv1a32("€")).toBe(bytes([0xe2, 0x82, 0xac]));
    expect(fnv1a32("😀")).toBe(bytes([0xf0, 0x9f, 0x98, 0x80]));
    expect(fnv1a32("Giày thể thao")).toBe(bytes([...new TextEncoder().encode("Giày thể thao")]));
  });

  it("is unsigned", () => {
    for (const id of visitorIds(1000, 3)) {
      const h = fnv1a32(id);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });

  it("the storefront copy hashes and assigns exactly as the reference", () => {
    const ids = [...visitorIds(5000, 11), "Khách-hàng", "€uro", "😀"];
    for (const id of ids) {
      expect(storefront.hash(id)).toBe(fnv1a32(id));
      for (const share of [0, 0.05, 0.1, 0.2, 0.5]) expect(storefront.arm(id, "s4lt", share)).toBe(assignArm(id, "s4lt", share));
    }
  });
});

describe("assignArm", () => {
  it("follows the documented rule", () => {
    for (const id of visitorIds(2000, 5)) {
      const bucket = fnv1a32(`salt:${id}`) % 10000;
      expect(assignArm(id, "salt", 0.1)).toBe(bucket < 1000 ? "holdout" : "treatment");
    }
  });

  it("is stable: the same visitor and salt always get the same arm", () => {
    const ids = visitorIds(1000, 7);
    const first = ids.map((id) => assignArm(id, "shop-salt", 0.1));
    const again = ids.map((id) => assignArm(id, "shop-salt", 0.1));
    expect(again).toEqual(first);
  });

  it.each([0.1, 0.2, 0.05])("puts a share %s of 100k visitors in the holdout (within 4 binomial sigmas)", (share) => {
    const n = 100_000;
    const holdout = visitorIds(n, 42).filter((id) => assignArm(id, "a1b2c3", share) === "holdout").length;
    const sigma = Math.sqrt(n * share * (1 - share));
    expect(Math.abs(holdout - n * share)).toBeLessThan(4 * sigma);
  });

  it("share 0 holds out nobody and 0.5 half", () => {
    const ids = visitorIds(20_000, 9);
    expect(ids.some((id) => assignArm(id, "x", 0) === "holdout")).toBe(false);
    const half = ids.filter((id) => assignArm(id, "x", 0.5) === "holdout").length;
    expect(Math.abs(half - 10_000)).toBeLessThan(4 * Math.sqrt(20_000 * 0.25));
  });

  it("a different salt reshuffles the arms independently", () => {
    const n = 100_000;
    const ids = visitorIds(n, 13);
    let both = 0;
    let first = 0;
    let second = 0;
    for (const id of ids) {
      const a = assignArm(id, "salt-one", 0.1) === "holdout";
      const b = assignArm(id, "salt-two", 0.1) === "holdout";
      if (a) first++;
      if (b) second++;
      if (a && b) both++;
    }
    // Independent: P(holdout under both) = 0.01; identical would be 0.1, so 4 sigmas around 1 000 separates them.
    const expected = (first * second) / n;
    expect(Math.abs(both - expected)).toBeLessThan(4 * Math.sqrt(n * 0.01 * 0.99));
  });

  it.each([-0.01, 0.51, Number.NaN, Number.POSITIVE_INFINITY])("rejects share %s", (share) => {
    expect(() => assignArm("v", "s", share)).toThrow(/holdoutShare must be a number in \[0, 0.5\]/);
  });

  it("rejects an empty visitor id", () => {
    expect(() => assignArm("", "s", 0.1)).toThrow(/visitorId/);
  });
});
