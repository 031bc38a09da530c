/**
 * A brute-force frequent-itemset and rule miner: the oracle for app/insights/rules. It shares no code with the miner and
 * uses no tree: candidates of size k are built level-wise from the frequent itemsets of size k − 1 (Apriori join and
 * prune) and each is counted by checking every transaction directly. Item names stay strings; thresholds are given as
 * exact fractions (num / den) and compared on BigInts; every rule measure is computed from counts recounted over the
 * transactions, not taken from the itemset table.
 *
 * Slow on purpose (O(candidates × transactions)): fine for the groceries file and small generated data.
 */

export interface Ratio {
  num: number;
  den: number;
}

export interface BruteItemset {
  /** Item names, sorted in code-unit order. */
  items: string[];
  count: number;
  /** Sum of the weights of the transactions containing the items (= count without weights). */
  weight: number;
}

export interface BruteRule {
  antecedent: string[];
  consequent: string;
  count: number;
  antecedentCount: number;
  consequentCount: number;
  support: number;
  confidence: number;
  lift: number;
  leverage: number;
  /** Infinity when confidence is 1. */
  conviction: number;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const itemsetKey = (items: readonly string[]) => [...items].sort(byCodeUnit).join("\u0001");

/** count / n >= num / den, exactly. */
function atLeast(count: number, n: number, r: Ratio): boolean {
  return BigInt(count) * BigInt(r.den) >= BigInt(r.num) * BigInt(n);
}

export class BruteForceMiner {
  private readonly sets: Set<string>[];
  private readonly weights: number[];

  constructor(
    transactions: readonly (readonly string[])[],
    weights?: readonly number[],
  ) {
    this.sets = transactions.map((t) => new Set(t));
    this.weights = weights ? [...weights] : transactions.map(() => 1);
  }

  get n(): number {
    return this.sets.length;
  }

  get totalWeight(): number {
    return this.weights.reduce((s, w) => s + w, 0);
  }

  /** How many transactions contain every item, and their total weight. */
  count(items: readonly string[]): { count: number; weight: number } {
    let count = 0;
    let weight = 0;
    this.sets.forEach((set, t) => {
      for (const item of items) if (!set.has(item)) return;
      count++;
      weight += this.weights[t]!;
    });
    return { count, weight };
  }

  /**
   * All itemsets of at most maxSize items with count / N >= minSupport (unweighted), or, with `weighted`, with
   * weight / W >= minSupport as a floating-point comparison with a relative slack of 1e-9.
   */
  frequentItemsets(minSupport: Ratio, maxSize = Number.POSITIVE_INFINITY, weighted = false): Map<string, BruteItemset> {
    const n = this.n;
    const total = this.totalWeight;
    const keep = (c: { count: number; weight: number }) =>
      c.count > 0 && (weighted ? c.weight >= (minSupport.num / minSupport.den) * total * (1 - 1e-9) : atLeast(c.count, n, minSupport));
    const result = new Map<string, BruteItemset>();
    const names = [...new Set(this.sets.flatMap((s) => [...s]))].sort(byCodeUnit);
    let level: string[][] = [];
    for (const name of names) {
      const c = this.count([name]);
      if (keep(c)) {
        level.push([name]);
        result.set(itemsetKey([name]), { items: [name], ...c });
      }
    }
    for (let k = 2; k <= maxSize && level.length > 1; k++) {
      const next: string[][] = [];
      for (let i = 0; i < level.length; i++) {
        for (let j = i + 1; j < level.length; j++) {
          const a = level[i]!;
          const b = level[j]!;
          if (a.slice(0, k - 2).join("\u0001") !== b.slice(0, k - 2).join("\u0001")) continue;
          const candidate = [...a, b[k - 2]!].sort(byCodeUnit);
          // Apriori prune: every (k-1)-subset must be frequent.
          if (!candidate.every((_, drop) => result.has(itemsetKey(candidate.filter((__, x) => x !== drop))))) continue;
          const c = this.count(candidate);
          if (keep(c)) {
            next.push(candidate);
            result.set(itemsetKey(candidate), { items: candidate, ...c });
          }
        }
      }
      level = next.sort((x, y) => byCodeUnit(x.join("\u0001"), y.join("\u0001")));
    }
    return result;
  }

  /**
   * Rules (S \ {c}) → c for every frequent S with minSize <= |S| <= maxSize, kept when
   * count(S) / count(S \ {c}) >= minConfidence exactly. Unweighted measures.
   */
  rules(minSupport: Ratio, minConfidence: Ratio, minSize = 2, maxSize = 10): BruteRule[] {
    const n = this.n;
    const out: BruteRule[] = [];
    for (const set of this.frequentItemsets(minSupport, maxSize).values()) {
      if (set.items.length < minSize || set.items.length > maxSize) continue;
      for (const consequent of set.items) {
        const antecedent = set.items.filter((i) => i !== consequent);
        const whole = this.count(set.items).count;
        const a = this.count(antecedent).count;
        const c = this.count([consequent]).count;
        if (!atLeast(whole, a, minConfidence)) continue;
        const confidence = whole / a;
        out.push({
          antecedent,
          consequent,
          count: whole,
          antecedentCount: a,
          consequentCount: c,
          support: whole / n,
          confidence,
          lift: confidence / (c / n),
          leverage: whole / n - (a / n) * (c / n),
          conviction: whole === a ? Number.POSITIVE_INFINITY : (1 - c / n) / (1 - confidence),
        });
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Exact hypergeometric tails on BigInts (the oracle of the Fisher p-values)

function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  k = Math.min(k, n - k);
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/** ln(num / den) for positive BigInts of any size. */
export function logRatio(num: bigint, den: bigint): number {
  const ln = (x: bigint) => {
    const bits = x.toString(2).length;
    const shift = Math.max(0, bits - 60);
    return Math.log(Number(x >> BigInt(shift))) + shift * Math.LN2;
  };
  return ln(num) - ln(den);
}

/**
 * ln P(X >= a) for X ~ Hypergeometric(N, K, n), summed term by term on exact binomial coefficients:
 * Σ_{k >= a} C(K, k) · C(N − K, n − k) / C(N, n).
 */
export function exactFisherGreaterLog(a: number, N: number, K: number, n: number): number {
  let sum = 0n;
  for (let k = Math.max(a, 0); k <= Math.min(K, n); k++) sum += choose(K, k) * choose(N - K, n - k);
  if (sum === 0n) return Number.NEGATIVE_INFINITY;
  return logRatio(sum, choose(N, n));
}
