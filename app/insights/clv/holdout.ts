/**
 * Calibration/holdout check (FHL 2005, Figure 4): customers grouped by their calibration frequency x (0, 1, …, 6 and
 * "7+"), and per group the mean number of repeat purchases actually made in the holdout period beside the mean the
 * model (BG/NBD, or MBG/NBD given as a RepeatModel) predicted for it (the conditional expectation over the holdout length). Ready to chart.
 */
import { ModelInputError, type BgNbdParams } from "./bgnbd";
import { asRepeatModel, expectedRepeatPurchases, type RepeatModel } from "./repeat-model";

export interface HoldoutCustomer {
  x: number;
  t_x: number;
  T: number;
  holdout?: { x: number };
}

export interface HoldoutBucket {
  /** "0" … "6", then "7+" (with the default top bucket). */
  frequency: string;
  customers: number;
  actual: number;
  predicted: number;
}

export interface HoldoutCheck {
  /** The holdout length in time units. */
  duration: number;
  buckets: HoldoutBucket[];
  totalActual: number;
  totalPredicted: number;
}

export function calibrationHoldoutCheck(modelOrParams: RepeatModel | BgNbdParams, customers: Iterable<HoldoutCustomer>, duration: number, topBucket = 7): HoldoutCheck {
  if (!(duration > 0)) throw new ModelInputError(`the holdout duration must be positive, got ${duration}`);
  const model = asRepeatModel(modelOrParams);
  const count = new Array<number>(topBucket + 1).fill(0);
  const actual = new Array<number>(topBucket + 1).fill(0);
  const predicted = new Array<number>(topBucket + 1).fill(0);
  // Customers with the same (x, t_x, T) get the same prediction: compute it once.
  const cache = new Map<string, number>();
  for (const c of customers) {
    if (!c.holdout) throw new ModelInputError("customers need holdout counts (summarise with a holdout end)");
    const k = Math.min(c.x, topBucket);
    const key = `${c.x} ${c.t_x} ${c.T}`;
    let e = cache.get(key);
    if (e === undefined) {
      e = expectedRepeatPurchases(model, c.x, c.t_x, c.T, duration);
      cache.set(key, e);
    }
    count[k]!++;
    actual[k]! += c.holdout.x;
    predicted[k]! += e;
  }
  const buckets = count.map((n, k) => ({
    frequency: k === topBucket ? `${topBucket}+` : String(k),
    customers: n,
    actual: n > 0 ? actual[k]! / n : 0,
    predicted: n > 0 ? predicted[k]! / n : 0,
  }));
  return { duration, buckets, totalActual: actual.reduce((a, b) => a + b, 0), totalPredicted: predicted.reduce((a, b) => a + b, 0) };
}
