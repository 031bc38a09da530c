/**
 * Title similarity for upgrade candidates: token Jaccard after removing tier words, so "VietBook 14" and
 * "VietBook 14 Pro" are the same line (similarity 1) and "VietBook 14" vs "VietBook 16 Pro" share half their tokens.
 * Pure. Tokens: lower-cased runs of letters and digits (any script), "+" read as "plus".
 */

/** Words that name a tier of a product line rather than the line itself. */
export const TIER_WORDS: ReadonlySet<string> = new Set([
  "pro",
  "plus",
  "max",
  "ultra",
  "standard",
  "std",
  "lite",
  "basic",
  "premium",
  "deluxe",
  "elite",
  "advanced",
  "edition",
]);

/** Tokens of a title with tier words removed, and whether any tier word was present. */
export function lineTokens(title: string): { tokens: Set<string>; tiers: Set<string> } {
  const tokens = new Set<string>();
  const tiers = new Set<string>();
  for (const raw of title.toLowerCase().replace(/\+/g, " plus ").split(/[^\p{L}\p{N}]+/u)) {
    if (!raw) continue;
    if (TIER_WORDS.has(raw)) tiers.add(raw);
    else tokens.add(raw);
  }
  return { tokens, tiers };
}

/** |A ∩ B| / |A ∪ B|; 0 when both are empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let common = 0;
  for (const x of a) if (b.has(x)) common++;
  return common / (a.size + b.size - common);
}

/** Token Jaccard of two titles after removing tier words. */
export function titleSimilarity(a: string, b: string): number {
  return jaccard(lineTokens(a).tokens, lineTokens(b).tokens);
}
