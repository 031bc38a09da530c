/**
 * Holdout validation of a repeat-purchase model, and the choice between BG/NBD and MBG/NBD by it.
 *
 * The model is fitted on the calibration period only; for each customer it predicts the repeat purchases in the
 * holdout period (E[Y(duration) | x, t_x, T]), which are then compared with what the customer actually did:
 *
 * - aggregate error: (Σ predicted − Σ actual) / Σ actual, the bias of the shop-level forecast;
 * - MAE: the mean absolute difference per customer, the accuracy of the individual forecasts; beside it the MAE of a
 *   naive rule (each customer keeps their calibration rate x / T), so a model that is no better than that shows it;
 * - decile lift: customers ranked by prediction (highest first) and cut into ten equal groups; per group the mean
 *   predicted and actual holdout purchases. The top decile's lift is its actual mean over the overall actual mean.
 *
 * A model passes when |aggregate error| ≤ 25 % and the top decile's lift is ≥ 1.5 (its customers really buy at least
 * half again as often as the average). A model that fails is not shown as a prediction (the app then shows the
 * descriptive figures and says why). Between BG/NBD and MBG/NBD (`validateAndChoose`), the lower MAE wins when the
 * paired difference is beyond two standard errors; when the holdout cannot tell them apart MBG/NBD is kept, since its
 * story lets one-time buyers drop out.
 */
import { ModelInputError, REPEAT_MODEL_NAMES, type RepeatModelKind } from "./bgnbd";
import { calibrationHoldoutCheck, type HoldoutBucket } from "./holdout";
import { expectedRepeatPurchases, type RepeatModel } from "./repeat-model";

export const VALIDATION_CRITERIA = {
  /** Largest |Σ predicted − Σ actual| / Σ actual that passes. */
  maxAggregateError: 0.25,
  /** Smallest actual-purchase lift of the top predicted decile over the average that passes. */
  minTopDecileLift: 1.5,
} as const;

export interface ValidationCustomer {
  x: number;
  t_x: number;
  T: number;
  holdout?: { x: number };
}

export interface DecileRow {
  /** 1 = the customers with the highest predictions. */
  decile: number;
  customers: number;
  /** Mean predicted repeat purchases in the holdout period. */
  predicted: number;
  /** Mean actual repeat purchases in the holdout period. */
  actual: number;
}

export interface HoldoutValidation {
  model: RepeatModelKind;
  /** Holdout length, in the summary's time units. */
  duration: number;
  customers: number;
  totalActual: number;
  totalPredicted: number;
  /** (totalPredicted − totalActual) / totalActual; null when nobody bought in the holdout. */
  aggregateError: number | null;
  /** Mean |predicted − actual| per customer. */
  mae: number;
  /** The same for the naive rule "each customer keeps buying at x / T". */
  naiveMae: number;
  deciles: DecileRow[];
  /** Top decile's actual mean / overall actual mean; null when nobody bought in the holdout. */
  topDecileLift: number | null;
  /** By calibration frequency (FHL Fig. 4). */
  buckets: HoldoutBucket[];
  passes: boolean;
  /** Why it fails (empty when it passes). */
  failures: string[];
}

export function validateHoldout(model: RepeatModel, customers: readonly ValidationCustomer[], duration: number): HoldoutValidation {
  if (!(duration > 0)) throw new ModelInputError(`the holdout duration must be positive, got ${duration}`);
  const n = customers.length;
  if (n === 0) throw new ModelInputError("no customers to validate on");
  const predicted = new Float64Array(n);
  const actual = new Float64Array(n);
  const cache = new Map<string, number>();
  let totalActual = 0;
  let totalPredicted = 0;
  let absolute = 0;
  let naive = 0;
  for (let i = 0; i < n; i++) {
    const c = customers[i]!;
    if (!c.holdout) throw new ModelInputError("customers need holdout counts (summarise with a holdout end)");
    const key = `${c.x} ${c.t_x} ${c.T}`;
    let e = cache.get(key);
    if (e === undefined) cache.set(key, (e = expectedRepeatPurchases(model, c.x, c.t_x, c.T, duration)));
    predicted[i] = e;
    actual[i] = c.holdout.x;
    totalActual += c.holdout.x;
    totalPredicted += e;
    absolute += Math.abs(e - c.holdout.x);
    naive += Math.abs((c.T > 0 ? c.x / c.T : 0) * duration - c.holdout.x);
  }
  // Deciles by prediction, highest first; ties keep the input order (deterministic).
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => predicted[j]! - predicted[i]! || i - j);
  const deciles: DecileRow[] = [];
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((d * n) / 10);
    const to = Math.floor(((d + 1) * n) / 10);
    let p = 0;
    let a = 0;
    for (let k = from; k < to; k++) {
      p += predicted[order[k]!]!;
      a += actual[order[k]!]!;
    }
    const size = to - from;
    deciles.push({ decile: d + 1, customers: size, predicted: size > 0 ? p / size : 0, actual: size > 0 ? a / size : 0 });
  }
  const mean = totalActual / n;
  const aggregateError = totalActual > 0 ? (totalPredicted - totalActual) / totalActual : null;
  const topDecileLift = totalActual > 0 && deciles[0]!.customers > 0 ? deciles[0]!.actual / mean : null;
  const failures: string[] = [];
  const name = REPEAT_MODEL_NAMES[model.kind];
  if (aggregateError === null) failures.push(`nobody bought again in the holdout period: ${name}'s predictions cannot be checked`);
  else {
    if (Math.abs(aggregateError) > VALIDATION_CRITERIA.maxAggregateError) {
      failures.push(
        `${name} predicted ${totalPredicted.toFixed(0)} repeat purchases in the holdout period and ${totalActual} happened: off by ${(aggregateError * 100).toFixed(0)} %, more than the ±${VALIDATION_CRITERIA.maxAggregateError * 100} % allowed`,
      );
    }
    if (topDecileLift !== null && topDecileLift < VALIDATION_CRITERIA.minTopDecileLift) {
      failures.push(
        `the 10 % of customers ${name} ranked highest bought only ${topDecileLift.toFixed(2)}× the average in the holdout period (at least ${VALIDATION_CRITERIA.minTopDecileLift}× needed)`,
      );
    }
  }
  return {
    model: model.kind,
    duration,
    customers: n,
    totalActual,
    totalPredicted,
    aggregateError,
    mae: absolute / n,
    naiveMae: naive / n,
    deciles,
    topDecileLift,
    buckets: calibrationHoldoutCheck(model, customers, duration).buckets,
    passes: failures.length === 0,
    failures,
  };
}

export interface ModelChoice {
  chosen: RepeatModelKind;
  /** One sentence: which model, on what evidence. */
  reason: string;
  /**
   * MAE of BG/NBD − MAE of MBG/NBD over the same customers, with the standard error of that paired difference
   * (per-customer differences of absolute errors); null with a single model.
   */
  maeDifference: { value: number; standardError: number } | null;
}

/** How many standard errors the MAE difference must reach before the model with the lower error is preferred. */
export const CHOICE_Z = 2;

/**
 * Validates each model on the same customers and chooses: the model with the lower holdout MAE when the paired
 * difference is beyond CHOICE_Z standard errors; otherwise the holdout cannot tell them apart and MBG/NBD is kept,
 * because it lets one-time buyers drop out (BG/NBD keeps every one of them alive forever).
 */
export function validateAndChoose(models: readonly RepeatModel[], customers: readonly ValidationCustomer[], duration: number): { models: HoldoutValidation[]; choice: ModelChoice } {
  if (models.length === 0) throw new ModelInputError("no model to validate");
  const validations = models.map((m) => validateHoldout(m, customers, duration));
  if (models.length === 1) {
    const only = validations[0]!;
    return { models: validations, choice: { chosen: only.model, reason: `${REPEAT_MODEL_NAMES[only.model]} is the only model checked (holdout MAE ${only.mae.toFixed(4)})`, maeDifference: null } };
  }
  if (models.length !== 2 || models[0]!.kind !== "bgnbd" || models[1]!.kind !== "mbgnbd") throw new ModelInputError("the choice compares BG/NBD and MBG/NBD, in that order");
  // Paired per-customer differences of absolute errors.
  const cache = [new Map<string, number>(), new Map<string, number>()];
  let sum = 0;
  let sumSq = 0;
  for (const c of customers) {
    const key = `${c.x} ${c.t_x} ${c.T}`;
    const errors = models.map((m, k) => {
      let e = cache[k]!.get(key);
      if (e === undefined) cache[k]!.set(key, (e = expectedRepeatPurchases(m, c.x, c.t_x, c.T, duration)));
      return Math.abs(e - c.holdout!.x);
    });
    const d = errors[0]! - errors[1]!;
    sum += d;
    sumSq += d * d;
  }
  const n = customers.length;
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumSq - n * mean * mean) / (n - 1)) : 0;
  const se = Math.sqrt(variance / n);
  const [bg, mbg] = validations as [HoldoutValidation, HoldoutValidation];
  const figures = `mean absolute error per customer ${mbg.mae.toFixed(4)} (MBG/NBD) against ${bg.mae.toFixed(4)} (BG/NBD), difference ${mean.toFixed(4)} ± ${se.toFixed(4)}`;
  let choice: ModelChoice;
  if (mean > CHOICE_Z * se) choice = { chosen: "mbgnbd", reason: `MBG/NBD predicted the holdout period's repeat purchases better: ${figures}`, maeDifference: { value: mean, standardError: se } };
  else if (-mean > CHOICE_Z * se) choice = { chosen: "bgnbd", reason: `BG/NBD predicted the holdout period's repeat purchases better: ${figures}`, maeDifference: { value: mean, standardError: se } };
  else {
    choice = {
      chosen: "mbgnbd",
      reason: `the holdout period cannot tell the two apart (${figures}, within ${CHOICE_Z} standard errors); MBG/NBD is used because it lets one-time buyers drop out`,
      maeDifference: { value: mean, standardError: se },
    };
  }
  return { models: validations, choice };
}
