/**
 * Properties of the miner on arbitrary small databases (fast-check): anti-monotone support, confidence as a ratio of
 * direct counts, lift symmetric for pairs, the exact support boundary, and results that do not depend on the order of
 * the transactions or on what the items are called.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { associationRules, encodeTransactions, frequentItemsets } from "../../../../app/insights/rules";
import { BruteForceMiner, itemsetKey } from "../../../support/brute-force-miner";

const ITEMS = ["a", "b", "c", "d", "e", "f", "g", "h"];
const database = fc.array(fc.uniqueArray(fc.constantFrom(...ITEMS), { maxLength: 6 }), { minLength: 1, maxLength: 60 });
const support = fc.constantFrom(0.05, 0.1, 0.125, 0.2, 0.25, 0.3);
const RUNS = { numRuns: 150 };

const byName = (tx: ReturnType<typeof encodeTransactions>, items: number[]) => items.map((i) => tx.names[i]!);

describe("frequent itemsets", () => {
  it("support is anti-monotone: every subset of a frequent itemset is frequent with a count at least as large", () => {
    fc.assert(
      fc.property(database, support, (db, minSupport) => {
        const tx = encodeTransactions(db);
        const { itemsets } = frequentItemsets(tx, { minSupport });
        const counts = new Map(itemsets.map((s) => [s.items.join(","), s.count]));
        for (const s of itemsets) {
          for (let i = 0; i < s.items.length && s.items.length > 1; i++) {
            const sub = s.items.filter((_, j) => j !== i).join(",");
            expect(counts.get(sub)).toBeGreaterThanOrEqual(s.count);
          }
        }
      }),
      RUNS,
    );
  });

  it("counts equal direct counts over the transactions, and the itemsets are exactly the brute-force ones", () => {
    fc.assert(
      fc.property(database, support, (db, minSupport) => {
        const tx = encodeTransactions(db);
        const actual = new Map(frequentItemsets(tx, { minSupport }).itemsets.map((s) => [itemsetKey(byName(tx, s.items)), s.count]));
        const ratio = { num: Math.round(minSupport * 1000), den: 1000 };
        const expected = new Map([...new BruteForceMiner(db).frequentItemsets(ratio)].map(([k, s]) => [k, s.count]));
        expect(actual).toEqual(expected);
      }),
      RUNS,
    );
  });

  it("threshold is exact at the boundary: an item in exactly minSupport · N transactions is frequent, one fewer is not", () => {
    // N with only the prime factors 2 and 5, so k / N is a terminating decimal and minSupport = k / N exactly.
    const ns = [10, 20, 25, 40, 50, 80, 100, 125, 200, 250, 400, 1000];
    fc.assert(
      fc.property(fc.constantFrom(...ns), fc.double({ min: 0, max: 1, noNaN: true }), (n, x) => {
        const k = Math.max(2, Math.min(n, Math.ceil(x * n)));
        const minSupport = k / n;
        const db: string[][] = Array.from({ length: n }, (_, t) => [...(t < k ? ["hit"] : []), ...(t < k - 1 ? ["miss"] : [])]);
        const tx = encodeTransactions(db);
        const names = frequentItemsets(tx, { minSupport }).itemsets.map((s) => byName(tx, s.items).join("+"));
        expect(names).toContain("hit");
        expect(names).not.toContain("miss");
      }),
      { numRuns: 300 },
    );
  });
});

describe("rules", () => {
  it("confidence = count(rule) / count(antecedent), both recounted directly; lift(a→b) = lift(b→a) for pairs", () => {
    fc.assert(
      fc.property(database, support, (db, minSupport) => {
        const { rules } = associationRules(encodeTransactions(db), { minSupport, minConfidence: 0 });
        const brute = new BruteForceMiner(db);
        const lifts = new Map<string, number>();
        for (const r of rules) {
          const whole = brute.count([...r.antecedent, r.consequent[0]!]).count;
          const antecedent = brute.count(r.antecedent).count;
          expect(r.count).toBe(whole);
          expect(r.confidence).toBe(whole / antecedent);
          if (r.antecedent.length === 1) lifts.set(`${r.antecedent[0]}>${r.consequent[0]}`, r.lift);
        }
        for (const [key, lift] of lifts) {
          const [a, b] = key.split(">");
          const reverse = lifts.get(`${b}>${a}`);
          expect(reverse).toBeDefined(); // minConfidence 0: both directions are rules
          expect(reverse! / lift).toBeCloseTo(1, 12);
        }
      }),
      RUNS,
    );
  });

  it("do not depend on the order of the transactions or on the item names", () => {
    fc.assert(
      fc.property(database, support, fc.integer(), (db, minSupport, seed) => {
        const options = { minSupport, minConfidence: 0.2, maxSize: 4 };
        const base = associationRules(encodeTransactions(db), options).rules;
        // a permutation of the transactions (and of the items within each), from the seed
        let state = seed >>> 0 || 1;
        const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0), state / 4294967296);
        const shuffle = <T>(xs: T[]) => xs.map((x) => [next(), x] as const).sort((p, q) => p[0] - q[0]).map(([, x]) => x);
        const renamed = new Map(shuffle(ITEMS).map((name, i) => [ITEMS[i]!, `item ${name.toUpperCase()} #${i}`]));
        const back = new Map([...renamed].map(([k, v]) => [v, k]));
        const other = associationRules(encodeTransactions(shuffle(db).map((t) => shuffle(t.map((i) => renamed.get(i)!)))), options).rules;
        const canonical = (rules: typeof base, name: (s: string) => string) =>
          rules
            .map((r) => ({ ...r, antecedent: r.antecedent.map(name).sort(), consequent: r.consequent.map(name) }))
            .map((r) => JSON.stringify([r.antecedent, r.consequent, r.count, r.antecedentCount, r.consequentCount, r.support, r.confidence, r.lift]))
            .sort();
        expect(canonical(other, (s) => back.get(s)!)).toEqual(canonical(base, (s) => s));
      }),
      RUNS,
    );
  });

  it("with equal weights, weighted rules equal the unweighted ones", () => {
    fc.assert(
      fc.property(database, support, fc.double({ min: 0.1, max: 10, noNaN: true }), (db, minSupport, w) => {
        const tx = encodeTransactions(db);
        const plain = associationRules(tx, { minSupport, minConfidence: 0.1 }).rules;
        const weighted = associationRules(tx, { minSupport, minConfidence: 0.1, weights: db.map(() => w) }).rules;
        // float slack can only admit boundary itemsets, never lose one
        const keys = (rs: typeof plain) => new Set(rs.map((r) => `${r.antecedent.join("+")}>${r.consequent[0]}`));
        for (const k of keys(plain)) expect(keys(weighted).has(k)).toBe(true);
        for (const r of weighted) {
          const p = plain.find((x) => x.antecedent.join("+") === r.antecedent.join("+") && x.consequent[0] === r.consequent[0]);
          if (!p) continue;
          expect(r.support).toBeCloseTo(p.support, 12);
          expect(r.confidence).toBeCloseTo(p.confidence, 12);
          expect(r.count).toBe(p.count);
        }
      }),
      RUNS,
    );
  });
});
