/**
 * The MBG/NBD model (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of models for customer
 * base analysis", IJRM 24): BG/NBD in which a customer may also drop out right after the first purchase. In BG/NBD a
 * customer with no repeat purchase has had no chance to drop out, so P(alive | x = 0) = 1 however long ago they bought;
 * here every customer has x + 1 chances (at 0 and after each repeat purchase) and a one-time buyer's P(alive) falls
 * with time. Same parameters (r, α, a, b), same data (x, t_x, T); the fit is `fitRepeatModel("mbgnbd", …)` in bgnbd.ts.
 *
 * Given (λ, p) and alive at T, the rest of the process is BG/NBD's; the posterior of p given alive after x + 1 survived
 * chances is Beta(a, b + x + 1), of λ Gamma(r + x, α + T). Hence:
 *   P(alive | x, t_x, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))
 *   E[Y(t) | x, t_x, T] = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive)
 *   E[X(t)] (new customer, first purchase at 0) = b/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))]
 */
import { oneMinusScaled2F1, type BgNbdParams } from "./bgnbd";

export function probabilityAliveMbg({ r, alpha, a, b }: BgNbdParams, x: number, t_x: number, T: number): number {
  const lo = Math.log(a) - Math.log(b + x) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + t_x));
  return 1 / (1 + Math.exp(lo));
}

export function conditionalExpectedPurchasesMbg(params: BgNbdParams, x: number, t_x: number, T: number, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  return ((a + b + x) / (a - 1)) * oneMinusScaled2F1(r + x, b + x + 1, a + b + x, z, (r + x) * Math.log((alpha + T) / (alpha + T + t))) * probabilityAliveMbg(params, x, t_x, T);
}

export function expectedPurchasesNewCustomerMbg({ r, alpha, a, b }: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  return (b / (a - 1)) * oneMinusScaled2F1(r, b + 1, a + b, t / (alpha + t), r * Math.log(alpha / (alpha + t)));
}
