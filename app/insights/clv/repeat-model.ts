/**
 * One interface over the two repeat-purchase models (BG/NBD and MBG/NBD): a fitted model is its kind and parameters,
 * and P(alive), E[Y(t) | x, t_x, T] and E[X(t)] dispatch on the kind. Everything downstream (holdout validation, lifetime
 * value, intervals) takes a RepeatModel, so the model chosen by the holdout check is the one used.
 */
import { conditionalExpectedPurchases, expectedPurchasesNewCustomer, probabilityAlive, type BgNbdParams, type RepeatModelKind } from "./bgnbd";
import { conditionalExpectedPurchasesMbg, expectedPurchasesNewCustomerMbg, probabilityAliveMbg } from "./mbgnbd";

export interface RepeatModel {
  kind: RepeatModelKind;
  params: BgNbdParams;
}

export function aliveProbability(model: RepeatModel, x: number, t_x: number, T: number): number {
  return model.kind === "mbgnbd" ? probabilityAliveMbg(model.params, x, t_x, T) : probabilityAlive(model.params, x, t_x, T);
}

/** Expected repeat purchases in (T, T + t] of a customer with history (x, t_x, T). */
export function expectedRepeatPurchases(model: RepeatModel, x: number, t_x: number, T: number, t: number): number {
  return model.kind === "mbgnbd" ? conditionalExpectedPurchasesMbg(model.params, x, t_x, T, t) : conditionalExpectedPurchases(model.params, x, t_x, T, t);
}

/** Expected repeat purchases in (0, t] of a customer whose first purchase is at 0. */
export function expectedNewCustomerPurchases(model: RepeatModel, t: number): number {
  return model.kind === "mbgnbd" ? expectedPurchasesNewCustomerMbg(model.params, t) : expectedPurchasesNewCustomer(model.params, t);
}

/** A bare parameter set is BG/NBD (what callers passed before MBG/NBD existed). */
export function asRepeatModel(model: RepeatModel | BgNbdParams): RepeatModel {
  return "kind" in model ? model : { kind: "bgnbd", params: model };
}
