/**
 * Learning the order of an anchor's suggestions from shoppers (ADR 019): a bandit that re-ranks, at each metafield
 * publication, ONLY the candidates the statistical engine admitted for the anchor. A product that is not among
 * `candidates` is never returned, whatever its counts in `stats`.
 *
 * Method: Thompson sampling (Thompson 1933; Chapelle & Li 2011, "An empirical evaluation of Thompson sampling") on the
 * add-to-cart rate, batched: one ordering per (anchor, publication version), drawn from a generator seeded by the
 * caller (e.g. `${anchorId}:${version}`), so a publication is reproducible.
 * - Reward: successes = addToCarts + w·purchases on trials = impressions + w·purchases (w = `purchaseWeight`, default
 *   1): an add-to-cart that became a purchase counts twice, so purchases weigh in without a second model. Add-to-carts
 *   above impressions (events are lost independently) are capped at impressions.
 * - Prior, centred by the engine's order: with K admitted candidates and the pooled rate of the anchor
 *   p̄ = (Σ successes + 1)/(Σ trials + 2), candidate at engine position k (0-based) gets Beta(S·mₖ, S·(1 − mₖ)) with
 *   mₖ = p̄ · (1 + τ·(K − 1 − 2k)/(K − 1)), τ = `engineTilt` (default 0.25: the engine's first starts 25 % above the
 *   pooled rate, its last 25 % below) and S = `priorStrength` pseudo-impressions (default 20: a few dozen real
 *   impressions outweigh the engine's opinion). Candidates never shown keep a wide prior, so they get sampled into the
 *   top slots and observed.
 * - Posterior draw θᵢ ~ Beta(S·mᵢ + successesᵢ, S·(1 − mᵢ) + trialsᵢ − successesᵢ) (Gamma variates by Marsaglia &
 *   Tsang 2000); the order is by θ, ties by engine order; every slot is labelled "bandit".
 * - Exploration: with probability `explorationShare` (default 0.1) per anchor per publication, a uniformly random
 *   permutation of the admitted candidates (Fisher–Yates), every slot labelled "explore" — this keeps learning even
 *   when the posteriors look settled and lets position bias be measured.
 * - No observations yet for any admitted candidate: the engine's order, labelled "engine".
 * Known limitation: impressions are not corrected for the slot's position bias; a candidate in a low slot looks a
 * little worse than it is. The simulation test plants such a bias and measures how fast the best candidate still rises.
 */
import { fnv1a32 } from "./assignment";
import { seededRng, type Rng } from "../trends/random";

export type RankArm = "engine" | "bandit" | "explore";

export interface BanditCandidate {
  productId: string;
  engineScore: number;
}

export interface CandidateStats {
  impressions: number;
  addToCarts: number;
  purchases: number;
}

export interface RankCandidatesInput {
  /** The admitted candidates, in the engine's order (best first). */
  candidates: readonly BanditCandidate[];
  /** Counts observed since learning began, by product id; entries for other products are ignored. */
  stats: ReadonlyMap<string, CandidateStats>;
  /** Per (anchor, publication version), e.g. `${anchorId}:${version}`; strings are hashed with FNV-1a. */
  seed: string | number;
  /** Probability of an exploration ordering for this anchor in this publication, in [0, 1]. Default 0.1. */
  explorationShare?: number;
  /** How many suggestions are shown (the output has min(slots, candidates) entries). */
  slots: number;
  /** Prior pseudo-impressions, default 20. */
  priorStrength?: number;
  /** Relative spread of the prior means around the pooled rate, from the engine's first to its last, in [0, 1). Default 0.25. */
  engineTilt?: number;
  /** Extra weight of a purchase, in pseudo add-to-carts on pseudo-impressions. Default 1. */
  purchaseWeight?: number;
}

export interface RankCandidatesResult {
  order: string[];
  /** Which arm ordered each slot. */
  rank: RankArm[];
}

export class BanditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BanditError";
  }
}

/** The 32-bit seed of a publication: FNV-1a of a string, or an integer as is. */
export function banditSeed(seed: string | number): number {
  if (typeof seed === "string") return fnv1a32(seed);
  if (!Number.isInteger(seed)) throw new BanditError(`seed must be a string or an integer, got ${String(seed)}`);
  return seed >>> 0;
}

function count(value: unknown, name: string): number {
  if (!(typeof value === "number" && Number.isFinite(value) && value >= 0)) throw new BanditError(`${name} must be a non-negative number, got ${String(value)}`);
  return value;
}

/** Orders the admitted candidates for one anchor at one publication. */
export function rankCandidates(input: RankCandidatesInput): RankCandidatesResult {
  const { candidates, stats } = input;
  const explorationShare = input.explorationShare ?? 0.1;
  const priorStrength = input.priorStrength ?? 20;
  const engineTilt = input.engineTilt ?? 0.25;
  const purchaseWeight = input.purchaseWeight ?? 1;
  if (!(explorationShare >= 0 && explorationShare <= 1)) throw new BanditError(`explorationShare must be in [0, 1], got ${String(explorationShare)}`);
  if (!(Number.isInteger(input.slots) && input.slots >= 1)) throw new BanditError(`slots must be a positive integer, got ${String(input.slots)}`);
  if (!(priorStrength > 0 && Number.isFinite(priorStrength))) throw new BanditError(`priorStrength must be positive, got ${String(priorStrength)}`);
  if (!(engineTilt >= 0 && engineTilt < 1)) throw new BanditError(`engineTilt must be in [0, 1), got ${String(engineTilt)}`);
  count(purchaseWeight, "purchaseWeight");
  const seed = banditSeed(input.seed);
  const seen = new Set<string>();
  for (const c of candidates) {
    if (typeof c.productId !== "string" || c.productId === "") throw new BanditError("every candidate needs a productId");
    if (seen.has(c.productId)) throw new BanditError(`candidate ${c.productId} is listed twice`);
    seen.add(c.productId);
  }
  const k = candidates.length;
  const shown = Math.min(input.slots, k);
  const ids = candidates.map((c) => c.productId);

  // Successes and trials of each admitted candidate (others in `stats` are never read).
  let pooledSuccesses = 0;
  let pooledTrials = 0;
  const successes = new Array<number>(k);
  const trials = new Array<number>(k);
  for (let i = 0; i < k; i++) {
    const s = stats.get(ids[i]!);
    const impressions = s ? count(s.impressions, `stats of ${ids[i]}: impressions`) : 0;
    const atc = s ? Math.min(count(s.addToCarts, `stats of ${ids[i]}: addToCarts`), impressions) : 0;
    const bought = s ? count(s.purchases, `stats of ${ids[i]}: purchases`) * purchaseWeight : 0;
    successes[i] = atc + bought;
    trials[i] = impressions + bought;
    pooledSuccesses += successes[i]!;
    pooledTrials += trials[i]!;
  }
  if (pooledTrials === 0) return { order: ids.slice(0, shown), rank: new Array<RankArm>(shown).fill("engine") };

  const rng = seededRng(seed);
  if (rng() < explorationShare) {
    const order = [...ids];
    for (let i = k - 1; i > 0; i--) {
      const j = Math.min(i, Math.floor(rng() * (i + 1)));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return { order: order.slice(0, shown), rank: new Array<RankArm>(shown).fill("explore") };
  }

  const pooled = (pooledSuccesses + 1) / (pooledTrials + 2);
  const draws = ids.map((_, i) => {
    const tilt = k > 1 ? (engineTilt * (k - 1 - 2 * i)) / (k - 1) : 0;
    const mean = Math.min(1 - 1e-9, Math.max(1e-9, pooled * (1 + tilt)));
    const alpha = priorStrength * mean + successes[i]!;
    const beta = priorStrength * (1 - mean) + Math.max(0, trials[i]! - successes[i]!);
    return { i, theta: sampleBeta(rng, alpha, beta) };
  });
  draws.sort((a, b) => b.theta - a.theta || a.i - b.i);
  return { order: draws.slice(0, shown).map((d) => ids[d.i]!), rank: new Array<RankArm>(shown).fill("bandit") };
}

function standardNormal(rng: Rng): number {
  let u = rng();
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 through Gamma(shape + 1)·U^(1/shape). */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    let u = rng();
    while (u === 0) u = rng();
    return sampleGamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Beta(alpha, beta) as X/(X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta). */
export function sampleBeta(rng: Rng, alpha: number, beta: number): number {
  const x = sampleGamma(rng, alpha);
  const y = sampleGamma(rng, beta);
  return x / (x + y);
}
