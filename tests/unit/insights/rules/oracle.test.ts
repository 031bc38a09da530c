/**
 * The FP-growth miner against independent oracles: the brute-force level-wise miner (tests/support/brute-force-miner.ts,
 * direct counting over the transactions), the figures published for the groceries file (Lantz, "Machine Learning with
 * R", ch. 8: apriori with support 0.006, confidence 0.25, minlen 2 gives 463 rules, the top rule by lift being
 * {herbs} → {root vegetables} with support 0.007015760, confidence 0.4312500, lift 3.956477), and exact BigInt
 * hypergeometric sums for the p-values.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { associationRules, encodeTransactions, frequentItemsets, type AssociationRule, type EncodedTransactions } from "../../../../app/insights/rules";
import { BruteForceMiner, exactFisherGreaterLog, itemsetKey, type BruteRule, type Ratio } from "../../../support/brute-force-miner";

const GROCERIES = path.resolve(import.meta.dirname, "../../../../../shared/datasets/groceries/groceries.csv");
const groceries = readFileSync(GROCERIES, "utf8")
  .split("\n")
  .filter((line) => line.length > 0)
  .map((line) => line.split(","));

/** mulberry32: a small seeded generator, so the random data is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBaskets(seed: number, n: number, items: number, meanSize: number): string[][] {
  const rnd = seeded(seed);
  const out: string[][] = [];
  for (let t = 0; t < n; t++) {
    const basket: string[] = [];
    const size = Math.floor(rnd() * meanSize * 2);
    for (let k = 0; k < size; k++) basket.push(`item-${Math.floor(Math.pow(rnd(), 2) * items)}`); // skewed popularity
    if (basket.includes("item-1") && rnd() < 0.6) basket.push("item-7"); // a planted pair
    out.push(basket);
  }
  return out;
}

function minedByName(tx: EncodedTransactions, minSupport: number, maxSize?: number, weights?: number[]) {
  const result = frequentItemsets(tx, { minSupport, maxSize, weights });
  return new Map(result.itemsets.map((s) => [itemsetKey(s.items.map((i) => tx.names[i]!)), s]));
}

const ruleKey = (antecedent: readonly string[], consequent: string) => `${itemsetKey(antecedent)} -> ${consequent}`;

function expectSameRules(actual: AssociationRule[], expected: BruteRule[]) {
  const byKey = new Map(actual.map((r) => [ruleKey(r.antecedent, r.consequent[0]!), r]));
  expect(byKey.size).toBe(actual.length);
  expect([...byKey.keys()].sort()).toEqual(expected.map((r) => ruleKey(r.antecedent, r.consequent)).sort());
  for (const e of expected) {
    const r = byKey.get(ruleKey(e.antecedent, e.consequent))!;
    expect([r.count, r.antecedentCount, r.consequentCount]).toEqual([e.count, e.antecedentCount, e.consequentCount]);
    expect(r.support).toBeCloseTo(e.support, 14);
    expect(r.confidence).toBeCloseTo(e.confidence, 14);
    expect(r.lift / e.lift).toBeCloseTo(1, 12);
    expect(r.leverage).toBeCloseTo(e.leverage, 14);
    if (e.conviction === Number.POSITIVE_INFINITY) expect(r.conviction).toBeNull();
    else expect(r.conviction! / e.conviction).toBeCloseTo(1, 12);
  }
}

describe("frequent itemsets = the brute-force miner's", () => {
  const tx = encodeTransactions(groceries);
  const brute = new BruteForceMiner(groceries);

  it.each([
    [0.01, { num: 1, den: 100 }],
    [0.005, { num: 5, den: 1000 }],
  ] as [number, Ratio][])("groceries.csv at minSupport $0: same itemsets, same counts", { timeout: 30_000 }, (minSupport, ratio) => {
    const expected = brute.frequentItemsets(ratio);
    const actual = minedByName(tx, minSupport);
    expect(actual.size).toBe(expected.size);
    for (const [key, e] of expected) expect(actual.get(key)?.count, key).toBe(e.count);
  });

  it("generated data at several thresholds and size limits", { timeout: 30_000 }, () => {
    for (const [seed, n, items, size, minSupport, ratio, maxSize] of [
      [1, 1500, 25, 4, 0.02, { num: 2, den: 100 }, undefined],
      [2, 800, 12, 6, 0.05, { num: 5, den: 100 }, 3],
      [3, 400, 40, 3, 0.0125, { num: 125, den: 10000 }, undefined],
      [4, 1000, 8, 5, 0.125, { num: 1, den: 8 }, 2],
    ] as [number, number, number, number, number, Ratio, number | undefined][]) {
      const baskets = randomBaskets(seed, n, items, size);
      const expected = new BruteForceMiner(baskets).frequentItemsets(ratio, maxSize);
      const actual = minedByName(encodeTransactions(baskets), minSupport, maxSize);
      expect(new Map([...actual].map(([k, s]) => [k, s.count]))).toEqual(new Map([...expected].map(([k, s]) => [k, s.count])));
    }
  });

  it("weighted: the same weighted counts as direct summation", () => {
    const baskets = randomBaskets(9, 600, 15, 4);
    const rnd = seeded(99);
    const weights = baskets.map(() => rnd() * 3);
    const expected = new BruteForceMiner(baskets, weights).frequentItemsets({ num: 3, den: 100 }, undefined, true);
    const actual = minedByName(encodeTransactions(baskets), 0.03, undefined, weights);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, e] of expected) {
      expect(actual.get(key)!.count).toBe(e.count);
      expect(actual.get(key)!.weight).toBeCloseTo(e.weight, 9);
    }
  });
});

describe("rules = the brute-force miner's", () => {
  it.each([
    [0.01, 0.1, { num: 1, den: 100 }, { num: 1, den: 10 }],
    [0.005, 0.2, { num: 5, den: 1000 }, { num: 2, den: 10 }],
  ] as [number, number, Ratio, Ratio][])("groceries.csv, minSupport %s, minConfidence %s", { timeout: 30_000 }, (s, c, sr, cr) => {
    const result = associationRules(encodeTransactions(groceries), { minSupport: s, minConfidence: c });
    expectSameRules(result.rules, new BruteForceMiner(groceries).rules(sr, cr));
  });

  it("generated data with minSize and maxSize", { timeout: 30_000 }, () => {
    const baskets = randomBaskets(5, 1200, 20, 5);
    const brute = new BruteForceMiner(baskets);
    const tx = encodeTransactions(baskets);
    for (const [minSize, maxSize] of [[2, 2], [3, 4], [2, 10]]) {
      const result = associationRules(tx, { minSupport: 0.02, minConfidence: 0.15, minSize, maxSize });
      expectSameRules(result.rules, brute.rules({ num: 2, den: 100 }, { num: 15, den: 100 }, minSize, maxSize));
    }
  });

  it("groceries.csv reproduces the published apriori result (Lantz, ch. 8)", () => {
    const { rules } = associationRules(encodeTransactions(groceries), { minSupport: 0.006, minConfidence: 0.25 });
    expect(rules).toHaveLength(463);
    const top = rules[0]!; // sorted by lift
    expect([top.antecedent, top.consequent]).toEqual([["herbs"], ["root vegetables"]]);
    expect(top.support).toBeCloseTo(0.00701576, 8);
    expect(top.confidence).toBeCloseTo(0.43125, 7);
    expect(top.lift).toBeCloseTo(3.956477, 6);
  });

  it("p-values equal exact hypergeometric sums; q-values are BH over every candidate rule", { timeout: 30_000 }, () => {
    const result = associationRules(encodeTransactions(groceries), { minSupport: 0.01, minConfidence: 0 });
    const n = groceries.length;
    // minConfidence 0 keeps every candidate, so the family is exactly the returned rules.
    expect(result.rules).toHaveLength(result.rulesTested);
    const sample = result.rules.filter((_, i) => i % 40 === 0);
    for (const r of sample) {
      const exact = exactFisherGreaterLog(r.count, n, r.consequentCount, r.antecedentCount);
      if (exact < -700) expect(Math.log(r.pValue) / exact).toBeCloseTo(1, 6);
      else expect(Math.log(r.pValue) - exact).toBeCloseTo(0, 8);
    }
    // BH by its definition: q(i) = min over j with p(j) >= p(i) of p(j) · m / rank(j).
    const m = result.rules.length;
    const sorted = [...result.rules].sort((x, y) => x.pValue - y.pValue);
    const qs = sorted.map((r, i) => Math.min(1, (r.pValue * m) / (i + 1)));
    for (let i = m - 2; i >= 0; i--) qs[i] = Math.min(qs[i]!, qs[i + 1]!);
    sorted.forEach((r, i) => {
      expect(r.qValue / qs[i]!).toBeCloseTo(1, 9);
      expect(r.significant).toBe(r.qValue <= 0.05);
    });
  });
});
