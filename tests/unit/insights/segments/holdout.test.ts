import { describe, expect, it } from "vitest";
import { holdoutHash, isHeldOut } from "../../../../app/insights/segments/holdout";

const ids = (n: number, from = 1) => Array.from({ length: n }, (_, i) => String(7_000_000_000 + from + i));

/** Binomial bounds: the count must fall within 4.5 standard deviations of n·p (false alarm odds below 1e-5). */
function withinBinomial(count: number, n: number, p: number) {
  const sd = Math.sqrt(n * p * (1 - p));
  return Math.abs(count - n * p) <= 4.5 * sd;
}

describe("segment holdout draw", () => {
  it("holds out the share asked for, for consecutive ids and for several salts", () => {
    for (const salt of ["pub-1", "0b7f1c9e-4a1d-4e8e-9c55-3b1f2a7d9e10", "x"]) {
      for (const share of [0.1, 0.25, 0.5]) {
        const n = 20_000;
        const held = ids(n).filter((id) => isHeldOut(salt, id, share)).length;
        expect(withinBinomial(held, n, share), `${salt} ${share}: ${held}/${n}`).toBe(true);
      }
    }
  });

  it("is uniform: each tenth of the hash range gets a tenth of the ids", () => {
    const n = 50_000;
    const bins = new Array<number>(10).fill(0);
    for (const id of ids(n)) bins[Math.floor((holdoutHash("pub-u", id) / 4_294_967_296) * 10)]!++;
    // Chi-square with 9 degrees of freedom: 27.9 is its 0.999 quantile.
    const chi = bins.reduce((s, b) => s + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi).toBeLessThan(27.9);
  });

  it("a customer's draw does not depend on the order customers are seen in, nor on the others", () => {
    const list = ids(2_000);
    const forward = new Map(list.map((id) => [id, isHeldOut("pub-2", id, 0.1)]));
    const shuffled = [...list].sort((a, b) => holdoutHash("shuffle", a) - holdoutHash("shuffle", b));
    expect(shuffled).not.toEqual(list);
    for (const id of shuffled) expect(isHeldOut("pub-2", id, 0.1)).toBe(forward.get(id));
    const alone = list.slice(500, 510).map((id) => isHeldOut("pub-2", id, 0.1));
    expect(alone).toEqual(list.slice(500, 510).map((id) => forward.get(id)));
  });

  it("two publications draw independently: the overlap of their holdouts is about share²", () => {
    const n = 40_000;
    const both = ids(n).filter((id) => isHeldOut("pub-a", id, 0.2) && isHeldOut("pub-b", id, 0.2)).length;
    expect(withinBinomial(both, n, 0.04)).toBe(true);
  });

  it("share 0 holds out no one; shares outside [0, 0.5] are refused", () => {
    expect(ids(1_000).some((id) => isHeldOut("pub", id, 0))).toBe(false);
    expect(() => isHeldOut("pub", "1", 0.6)).toThrow(RangeError);
    expect(() => isHeldOut("pub", "1", -0.1)).toThrow(RangeError);
    expect(() => isHeldOut("", "1", 0.1)).toThrow(RangeError);
  });
});
