/**
 * Upgrades on hand-built purchase histories; every count, share and median below is worked out by hand.
 */
import { describe, expect, it } from "vitest";
import type { Basket, InsightProduct } from "../../../app/insights/baskets";
import { lineTokens, titleSimilarity } from "../../../app/insights/text-similarity";
import { findUpgrades, percent } from "../../../app/insights/upgrades";

const DAY = 86_400_000;
const product = (id: string, title: string, price: number, extra: Partial<InsightProduct> = {}): InsightProduct => ({
  id,
  title,
  productType: "Laptop",
  vendor: "Acme",
  tags: [],
  collectionIds: [],
  status: "ACTIVE",
  price,
  ...extra,
});
const products = new Map(
  [
    product("S", "Acme Book 14", 1000),
    product("P", "Acme Book 14 Pro", 1600),
    product("Q", "Zen Book 15", 2000),
    product("F", "Acme Book 14 Max", 2500),
    product("C", "Acme Book 13", 800), // cheaper: never an upgrade of S
    product("D", "Acme Book 14 Ultra", 3000, { status: "DRAFT" }),
    product("E", "Acme Book 14 Plus", 1200, { available: false }),
    product("M", "Acme Mouse Pro", 5000, { productType: "Mouse" }), // pricier, but unrelated to S
  ].map((p) => [p.id, p]),
);

let n = 0;
const buy = (customerId: string | null, day: number, ...items: string[]): Basket => ({ orderId: `o${n++}`, customerId, createdAt: day * DAY, items });

const history: Basket[] = [
  ...["c1", "c2", "c3", "c4", "c6", "c7", "c8", "c9", "c10"].map((c) => buy(c, 0, "S")),
  buy("c5", 0, "P", "S"), // both in one order: not an upgrade path
  buy("c1", 100, "P"),
  buy("c2", 160, "P"),
  buy("c3", 200, "P"),
  buy("c4", 400, "P"), // after the 365-day window
  buy("c6", 10, "Q"),
  buy("c7", 20, "Q"),
  buy("c8", 30, "Q"),
  buy("c11", 900, "S"), // recent buyers: their window has not ended by day 1000
  buy("c12", 900, "S"),
  buy("c11", 950, "P"),
  buy(null, 0, "S"), // guests cannot be followed
  buy(null, 50, "P"),
];

const of = (result: ReturnType<typeof findUpgrades>, id: string) => result.find((r) => r.productId === id)?.upgrades ?? [];

describe("findUpgrades", () => {
  const result = findUpgrades(history, products, { asOf: 1000 * DAY });

  it("ranks observed upgrade paths, with their share of fully observed buyers and the median delay", () => {
    const s = of(result, "S");
    expect(s.map((u) => u.productId)).toEqual(["P", "Q", "F"]);
    // P: paths c1 (100 d), c2 (160), c3 (200), c11 (50) → count 4, median (100 + 160) / 2 = 130. Buyers of S: c1–c12 = 12;
    // observed (bought S by day 635): c1–c10 = 10, of whom c1–c3 upgraded: 30 %.
    expect(s[0]!.path).toEqual({ count: 4, buyers: 12, observedBuyers: 10, upgraded: 3, share: 0.3, censored: false, medianDays: 130 });
    expect(s[0]!.explanation).toBe("30 % of Acme Book 14 buyers came back for the Acme Book 14 Pro, a median 130 days later");
    expect(s[0]).toMatchObject({ sameLine: true, sameType: true, similarity: 1, priceRatio: 1.6 });
    // Q: c6, c7, c8 at 10, 20, 30 days → 3 of 10, median 20; similarity {acme, book, 14} vs {zen, book, 15} = 1/5.
    expect(s[1]!.path).toMatchObject({ count: 3, upgraded: 3, share: 0.3, medianDays: 20 });
    expect(s[1]!.similarity).toBeCloseTo(0.2, 12);
    // Score = Wilson lower bound (z = 1.645) of 3/10 + 0.1 · similarity.
    const z2 = 1.6448536269514722 ** 2;
    const wilson = (0.3 + z2 / 20 - Math.sqrt(z2) * Math.sqrt(0.021 + z2 / 400)) / (1 + z2 / 10);
    expect(s[0]!.score).toBeCloseTo(wilson + 0.1, 6);
    expect(s[1]!.score).toBeCloseTo(wilson + 0.02, 6);
    // F: never bought after S, but the same line (Max is a tier word): the cold-start evidence.
    expect(s[2]).toMatchObject({ path: null, sameLine: true, score: 0.1, explanation: "a step up from the Acme Book 14: same line, 2.5× the price" });
  });

  it("excludes cheaper, unpublished, out-of-stock and unrelated products", () => {
    const ids = of(result, "S").map((u) => u.productId);
    for (const id of ["C", "D", "E", "M"]) expect(ids).not.toContain(id);
    // P's only step up with evidence is F (same line); Q is a Laptop too but neither bought after P nor similar.
    expect(of(result, "P").map((u) => u.productId)).toEqual(["F"]);
    expect(result.find((r) => r.productId === "Q")).toBeUndefined();
  });

  it("a product of another type is never an upgrade, even bought later by the same customers under the same brand", () => {
    // A mouse, then (days later) a pricier keyboard of the same brand and collection, by five customers.
    const accessories = new Map(
      [
        product("MS", "Hanoi Click Silent M3", 300, { productType: "Mouse", collectionIds: ["acc"] }),
        product("KB", "Hanoi Click K1 Keyboard", 900, { productType: "Keyboard", collectionIds: ["acc"] }),
        product("MX", "Hanoi Click Silent M3 Pro", 600, { productType: "Mouse", collectionIds: ["acc"] }),
      ].map((p) => [p.id, p]),
    );
    const later = ["k1", "k2", "k3", "k4", "k5"].flatMap((c, i) => [buy(c, i, "MS"), buy(c, i + 40, "KB")]);
    const upgrades = of(findUpgrades(later, accessories, { asOf: 1000 * DAY }), "MS");
    // The keyboard has five "paths" and a shared collection; only the mouse of the same line counts as a step up.
    expect(upgrades.map((u) => u.productId)).toEqual(["MX"]);
    // Without types (a file import), the collection alone still relates them: the rule is about types, not names.
    const untyped = new Map([...accessories].map(([id, p]) => [id, { ...p, productType: "" }]));
    expect(of(findUpgrades(later, untyped, { asOf: 1000 * DAY }), "MS").map((u) => u.productId)).toContain("KB");
  });

  it("a shorter window: fewer paths, more observed buyers", () => {
    const short = of(findUpgrades(history, products, { asOf: 1000 * DAY, windowDays: 30 }), "S");
    // Only Q's paths (10, 20, 30 days) fit; all 12 buyers of S are observed by day 970: 3 / 12 = 25 %. P and F tie on
    // similarity alone (score 0.1): the cheaper step first.
    expect(short.map((u) => u.productId)).toEqual(["Q", "P", "F"]);
    expect(short[0]!.path).toMatchObject({ count: 3, observedBuyers: 12, share: 0.25 });
    expect(short[1]!.path).toBeNull();
  });

  it("censored: no buyer's window has ended, so the share is over all buyers and says so", () => {
    const young = [buy("d1", 0, "S"), buy("d2", 0, "S"), buy("d3", 0, "S"), buy("d4", 0, "S"), buy("d1", 100, "P"), buy("d2", 110, "P"), buy("d3", 120, "P")];
    const [p] = of(findUpgrades(young, products, { asOf: 300 * DAY }), "S");
    expect(p!.path).toEqual({ count: 3, buyers: 4, observedBuyers: 0, upgraded: 3, share: 0.75, censored: true, medianDays: 110 });
  });

  it("minPaths: fewer paths than that are not evidence", () => {
    const s = of(findUpgrades(history, products, { asOf: 1000 * DAY, minPaths: 5 }), "S");
    expect(s.map((u) => [u.productId, u.path])).toEqual([
      ["P", null],
      ["F", null],
    ]);
  });
});

describe("title similarity", () => {
  it("removes tier words and reads + as plus", () => {
    expect([...lineTokens("VietBook 14 Pro").tokens]).toEqual(["vietbook", "14"]);
    expect([...lineTokens("Galaxy S24+").tiers]).toEqual(["plus"]);
    expect(titleSimilarity("VietBook 14", "VietBook 14 Pro")).toBe(1);
    expect(titleSimilarity("VietBook 14", "VietBook 16 Pro")).toBeCloseTo(1 / 3, 12);
    expect(titleSimilarity("Pro", "Max")).toBe(0);
  });

  it("percent: whole numbers from 10 %, one decimal below", () => {
    expect([percent(0.3), percent(0.123), percent(0.042), percent(0)]).toEqual(["30 %", "12 %", "4.2 %", "0 %"]);
  });
});
