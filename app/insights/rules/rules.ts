/**
 * Association rules A → c with a single-item consequent, from the frequent itemsets (frequentItemsets).
 *
 * For every frequent itemset S with minSize <= |S| <= maxSize and every item c of S, the rule (S \ {c}) → c is a
 * candidate; all candidates are "tested" (they form the Benjamini–Hochberg family), and those with
 * confidence >= minConfidence are returned. Measures, with N transactions and n(X) the count of transactions
 * containing X (weighted: the sums of their weights, and N the total weight):
 *
 *   support    = n(A ∪ c) / N                 confidence = n(A ∪ c) / n(A)
 *   lift       = confidence / (n(c) / N)      leverage   = support − (n(A) / N) · (n(c) / N)
 *   conviction = (1 − n(c) / N) / (1 − confidence), or null when confidence = 1 (an infinite conviction: JSON has no
 *                Infinity, and null is what JSON.stringify would write for it anyway).
 *
 * The confidence threshold is exact like the support's: n(A ∪ c) · den >= num · n(A) on integers (threshold.ts).
 * Significance uses the unweighted counts even when weights are given (a test needs counts of transactions):
 *   pValue          one-sided Fisher exact p-value of "A and c co-occur more than under independence" (stats.ts),
 *                   and log10PValue, its logarithm, finite where pValue underflows to 0;
 *   qValue          its Benjamini–Hochberg adjustment over all candidate rules;
 *   significant     qValue <= alpha (default 0.05);
 *   confidenceLower Wilson score lower bound of the confidence, one-sided at confidenceLevel (default 0.95).
 */
import { compareText, type EncodedTransactions } from "./encode";
import { frequentItemsets, MiningError, type FrequentItemset } from "./fpgrowth";
import { benjaminiHochberg, fisherGreaterLogP, wilsonLower } from "./stats";
import { decimalFraction, reaches } from "./threshold";

export interface RuleOptions {
  /** Minimum support in (0, 1] of the whole rule (A ∪ c). */
  minSupport: number;
  /** Minimum confidence in [0, 1]. */
  minConfidence: number;
  /** Fewest items in the whole rule, ≥ 2 (default 2: pairs and up). */
  minSize?: number;
  /** Most items in the whole rule (default 10, as arules' maxlen). */
  maxSize?: number;
  /** One weight per transaction (e.g. decayWeights); support, confidence, lift, leverage and conviction use them. */
  weights?: ArrayLike<number>;
  /** False discovery rate for `significant` (default 0.05). */
  alpha?: number;
  /** One-sided level of `confidenceLower` (default 0.95). */
  confidenceLevel?: number;
}

export interface AssociationRule {
  /** Item names, in code-unit order. */
  antecedent: string[];
  /** One item name. */
  consequent: string[];
  support: number;
  confidence: number;
  lift: number;
  leverage: number;
  /** null = infinite (confidence 1). */
  conviction: number | null;
  /** Transactions containing the whole rule (unweighted). */
  count: number;
  /** Transactions containing the antecedent, and the consequent (unweighted). */
  antecedentCount: number;
  consequentCount: number;
  /** May underflow to 0 for very strong rules: log10PValue keeps their order. */
  pValue: number;
  /** log10 of pValue, computed in log space (finite even when pValue underflows). */
  log10PValue: number;
  qValue: number;
  significant: boolean;
  confidenceLower: number;
}

export interface RuleMiningResult {
  rules: AssociationRule[];
  /** Transactions (N). */
  transactions: number;
  /** Frequent itemsets mined (up to maxSize items, singletons included). */
  frequentItemsets: number;
  /** Candidate rules, the family the q-values control. */
  rulesTested: number;
  /** The smallest frequent count (unweighted) or weight (weighted). */
  supportThreshold: number;
}

const keyOf = (items: readonly number[]) => items.join(",");

/** Rules from already mined frequent itemsets (all itemsets up to maxSize, as frequentItemsets returns them). */
export function rulesFromItemsets(
  tx: EncodedTransactions,
  itemsets: readonly FrequentItemset[],
  totalWeight: number,
  options: RuleOptions,
): { rules: AssociationRule[]; rulesTested: number } {
  const minSize = options.minSize ?? 2;
  const maxSize = options.maxSize ?? 10;
  const alpha = options.alpha ?? 0.05;
  const level = options.confidenceLevel ?? 0.95;
  if (!Number.isInteger(minSize) || minSize < 2) throw new MiningError(`minSize must be an integer ≥ 2, got ${minSize}`);
  if (!(maxSize >= minSize)) throw new MiningError(`maxSize (${maxSize}) must be ≥ minSize (${minSize})`);
  if (!(options.minConfidence >= 0 && options.minConfidence <= 1)) throw new MiningError(`minConfidence must be in [0, 1], got ${options.minConfidence}`);
  if (!(alpha > 0 && alpha < 1)) throw new MiningError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(level > 0 && level < 1)) throw new MiningError(`confidenceLevel must be in (0, 1), got ${level}`);
  const minConfidence = decimalFraction(options.minConfidence, "minConfidence");
  const weighted = options.weights !== undefined;
  const N = tx.n;

  const index = new Map<string, FrequentItemset>();
  for (const s of itemsets) index.set(keyOf(s.items), s);
  const single = (g: number) => index.get(String(g))!;

  interface Candidate {
    set: FrequentItemset;
    antecedent: FrequentItemset;
    consequent: FrequentItemset;
    logP: number;
  }
  const candidates: Candidate[] = [];
  const rest: number[] = [];
  for (const set of itemsets) {
    const size = set.items.length;
    if (size < minSize || size > maxSize) continue;
    for (let i = 0; i < size; i++) {
      rest.length = 0;
      for (let j = 0; j < size; j++) if (j !== i) rest.push(set.items[j]!);
      const antecedent = index.get(keyOf(rest));
      if (!antecedent) throw new MiningError(`internal: subset ${keyOf(rest)} of a frequent itemset is missing`);
      const consequent = single(set.items[i]!);
      const logP = fisherGreaterLogP(set.count, N, consequent.count, antecedent.count);
      candidates.push({ set, antecedent, consequent, logP });
    }
  }
  const q = benjaminiHochberg(candidates.map((c) => c.logP));

  const rules: AssociationRule[] = [];
  candidates.forEach((cand, r) => {
    const { set, antecedent, consequent } = cand;
    const whole = weighted ? set.weight : set.count;
    const a = weighted ? antecedent.weight : antecedent.count;
    const c = weighted ? consequent.weight : consequent.count;
    const passes = weighted
      ? whole >= (Number(minConfidence.num) / Number(minConfidence.den)) * a * (1 - 1e-12)
      : reaches(set.count, antecedent.count, minConfidence);
    if (!passes || a <= 0) return;
    const support = whole / totalWeight;
    const confidence = whole / a;
    const consequentSupport = c / totalWeight;
    const certain = weighted ? confidence >= 1 : set.count === antecedent.count;
    rules.push({
      antecedent: antecedent.items.map((g) => tx.names[g]!).sort(compareText),
      consequent: [tx.names[consequent.items[0]!]!],
      support,
      confidence,
      lift: weighted ? confidence / consequentSupport : (set.count * N) / (antecedent.count * consequent.count),
      leverage: support - (a / totalWeight) * consequentSupport,
      conviction: certain ? null : (1 - consequentSupport) / (1 - confidence),
      count: set.count,
      antecedentCount: antecedent.count,
      consequentCount: consequent.count,
      pValue: Math.exp(cand.logP),
      log10PValue: cand.logP / Math.LN10,
      qValue: q[r]!,
      significant: q[r]! <= alpha,
      confidenceLower: wilsonLower(set.count, antecedent.count, level),
    });
  });
  rules.sort(compareRules);
  return { rules, rulesTested: candidates.length };
}

/** Default order: lift, then confidence, then count (all descending), then the item names. */
export function compareRules(x: AssociationRule, y: AssociationRule): number {
  return (
    y.lift - x.lift ||
    y.confidence - x.confidence ||
    y.count - x.count ||
    compareText(x.consequent[0]!, y.consequent[0]!) ||
    x.antecedent.length - y.antecedent.length ||
    compareText(x.antecedent.join("\u0000"), y.antecedent.join("\u0000"))
  );
}

/** Frequent itemsets and rules in one call. */
export function associationRules(tx: EncodedTransactions, options: RuleOptions): RuleMiningResult {
  const maxSize = options.maxSize ?? 10;
  const mined = frequentItemsets(tx, { minSupport: options.minSupport, maxSize, weights: options.weights });
  const { rules, rulesTested } = rulesFromItemsets(tx, mined.itemsets, mined.totalWeight, options);
  return { rules, transactions: tx.n, frequentItemsets: mined.itemsets.length, rulesTested, supportThreshold: mined.threshold };
}

/**
 * Time-decay weights: weight = 0.5^(age / halfLife), so an order one half-life old counts half. Ages and the half-life
 * are in the same unit (e.g. days before the analysis date, which the caller chooses: the core reads no clock).
 */
export function decayWeights(ages: ArrayLike<number>, halfLife: number): Float64Array {
  if (!(halfLife > 0) || !Number.isFinite(halfLife)) throw new MiningError(`halfLife must be a positive number, got ${halfLife}`);
  const out = new Float64Array(ages.length);
  for (let i = 0; i < ages.length; i++) {
    const age = ages[i]!;
    if (!(age >= 0) || !Number.isFinite(age)) throw new MiningError(`ages[${i}] = ${age}: ages must be finite and ≥ 0`);
    out[i] = Math.pow(0.5, age / halfLife);
  }
  return out;
}
