/**
 * Frequently-bought-together rules: encode transactions (encode.ts), mine frequent itemsets by FP-growth on typed
 * arrays (fpgrowth.ts) with an exact support threshold (threshold.ts), derive single-consequent rules with their
 * measures and significance (rules.ts, stats.ts). Pure: plain data in, plain data out. See ADR 013.
 */
export { compareText, encodeTransactions, TransactionEncoder, transactionNames, type EncodedTransactions } from "./encode";
export { frequentItemsets, MiningError, supportThreshold, type FrequentItemset, type FrequentItemsetOptions, type FrequentItemsetResult } from "./fpgrowth";
export { associationRules, compareRules, decayWeights, rulesFromItemsets, type AssociationRule, type RuleMiningResult, type RuleOptions } from "./rules";
export { benjaminiHochberg, erfc, fisherGreaterLogP, logChoose, logFactorial, logHypergeometric, normalQuantile, wilsonLower } from "./stats";
export { decimalFraction, minCount, reaches, ThresholdError, type Fraction } from "./threshold";
