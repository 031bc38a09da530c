/**
 * The false discovery rate across a shop's verdicts (ADR 023): Benjamini–Hochberg (1995) step-up over the one-sided
 * p-values of the "achieved" claims. A claim survives when its p-value is at or below k·q/m for some k at least its
 * rank, m the number of evaluated claims (achieved or not: every evaluation could have claimed success).
 */

/** For each p-value (null: not a claim, never a discovery), whether it survives Benjamini–Hochberg at level q. */
export function benjaminiHochberg(pValues: readonly (number | null)[], q: number): boolean[] {
  const tested = pValues.map((p, i) => ({ p, i })).filter((x): x is { p: number; i: number } => x.p !== null && Number.isFinite(x.p));
  const m = tested.length;
  const out = pValues.map(() => false);
  if (m === 0) return out;
  tested.sort((a, b) => a.p - b.p || a.i - b.i);
  let cutoff = -1;
  for (let k = 0; k < m; k++) if (tested[k]!.p <= ((k + 1) * q) / m) cutoff = k;
  for (let k = 0; k <= cutoff; k++) out[tested[k]!.i] = true;
  return out;
}
