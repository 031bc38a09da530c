/**
 * A storefront simulation for the bandit: one anchor product's block shows `slots` of the admitted candidates; each
 * candidate has a planted add-to-cart rate. Position bias: the block's slot k is seen (an impression is logged) with
 * probability `seen[k]`, and a shopper who sees it adds to cart with probability rate × `attention[k]` (lower slots
 * get less attention, so a good product shown low looks worse than it is). Added products are bought with probability
 * `purchaseRate`. Every `batch` block views the app publishes: rankCandidates with seed `${anchor}:${version}`.
 * An inadmissible product with a perfect record sits in the stats throughout.
 */
import { rankCandidates, type CandidateStats, type RankArm } from "../../../../app/insights/offers/bandit";
import { seededRng } from "../../../../app/insights/trends/random";

export interface BanditPlan {
  /** Engine order; `rate` is the planted add-to-cart rate when seen in slot 1. */
  candidates: readonly { productId: string; rate: number }[];
  slots: number;
  seen: readonly number[];
  attention: readonly number[];
  purchaseRate: number;
  /** Block views (the block is visible: slot 1 always logs an impression) between publications. */
  batch: number;
  explorationShare: number;
  /** Stop after this many publications. */
  maxPublications: number;
  /** The best candidate has "settled" in first place once it is first in this many bandit publications in a row. */
  settle: number;
}

export const BANDIT_PLAN: BanditPlan = {
  candidates: [
    { productId: "engine-1", rate: 0.05 },
    { productId: "engine-2", rate: 0.045 },
    { productId: "engine-3", rate: 0.04 },
    { productId: "engine-4", rate: 0.035 },
    { productId: "engine-5", rate: 0.03 },
    { productId: "best", rate: 0.08 }, // the engine ranked it last
  ],
  slots: 3,
  seen: [1, 0.7, 0.5],
  attention: [1, 0.85, 0.7],
  purchaseRate: 0.3,
  batch: 200,
  explorationShare: 0.1,
  maxPublications: 400,
  settle: 5,
};

export const INADMISSIBLE = "inadmissible";

export interface BanditRun {
  /** Block views before the publication from which the best candidate stayed first (null: not within the run). */
  viewsToFirst: number | null;
  publications: number;
  /** Every published ordering, for the invariants. */
  published: { order: string[]; rank: RankArm[] }[];
}

export function simulateBandit(plan: BanditPlan, seed: number, anchor = "anchor-1"): BanditRun {
  const rng = seededRng(seed);
  const rates = new Map(plan.candidates.map((c) => [c.productId, c.rate]));
  const stats = new Map<string, CandidateStats>(plan.candidates.map((c) => [c.productId, { impressions: 0, addToCarts: 0, purchases: 0 }]));
  stats.set(INADMISSIBLE, { impressions: 10_000, addToCarts: 10_000, purchases: 10_000 });
  const candidates = plan.candidates.map((c, i) => ({ productId: c.productId, engineScore: plan.candidates.length - i }));
  const published: BanditRun["published"] = [];
  let streak = 0;
  let streakStart = 0;
  for (let version = 1; version <= plan.maxPublications; version++) {
    const ranked = rankCandidates({ candidates, stats, seed: `${anchor}:${version}`, explorationShare: plan.explorationShare, slots: plan.slots });
    published.push(ranked);
    const viewsBefore = (version - 1) * plan.batch;
    if (ranked.rank[0] === "bandit") {
      if (ranked.order[0] === "best") {
        if (streak === 0) streakStart = viewsBefore;
        streak++;
        if (streak >= plan.settle) return { viewsToFirst: streakStart, publications: version, published };
      } else streak = 0;
    }
    for (let view = 0; view < plan.batch; view++) {
      ranked.order.forEach((id, slot) => {
        if (rng() >= plan.seen[slot]!) return;
        const s = stats.get(id)!;
        s.impressions++;
        if (rng() < rates.get(id)! * plan.attention[slot]!) {
          s.addToCarts++;
          if (rng() < plan.purchaseRate) s.purchases++;
        }
      });
    }
  }
  return { viewsToFirst: null, publications: plan.maxPublications, published };
}
