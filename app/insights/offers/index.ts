/** Storefront offers, the pure parts (ADR 019): holdout assignment, the randomized lift, the bandit re-ranking. */
export { ASSIGNMENT_JS, assignArm, fnv1a32, validateHoldoutShare, type Arm } from "./assignment";
export {
  LIFT_METHOD,
  LIFT_METRICS,
  LiftError,
  judgeLift,
  minimumDetectableEffect,
  randomizedLift,
  type LiftGoal,
  type LiftMetric,
  type LiftOptions,
  type LiftResult,
  type LiftVerdict,
  type MetricLift,
  type VisitorOutcome,
} from "./lift";
export { BanditError, rankCandidates, type BanditCandidate, type CandidateStats, type RankArm, type RankCandidatesResult } from "./bandit";
