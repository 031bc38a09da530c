/**
 * Simulated shops for the calibration of the impact inference (ADR 023): serially correlated demand, repeat customers,
 * several products, and an effect planted (or not) on one product inside a window.
 *
 * - Orders of product p on day t ~ Poisson(rate_p · exp(s_t + u_{p,t} − (σ_s² + σ_u²)/2) · lift), with s the shop-wide
 *   and u_p each product's own AR(1) shock on the log rate (stationary standard deviations σ_s, σ_u, autocorrelation φ).
 *   The lift is 1 + `unitsEffect` for the target inside the window, 1 elsewhere.
 * - Each order belongs to a customer drawn by a Gamma(shape 0.5) propensity (a few customers buy often, most once or
 *   twice): repeat customers, clustered outcomes.
 * - Each order attaches the add-on "A" with probability logistic(logit(attach) + c_customer + v_{p,t}): a persistent
 *   customer taste (normal, sd `customerTaste`) and the product's AR(1) shock on the logit; inside the window the
 *   target's orders get `attachEffect` more (probability points, capped at 1). The planted attach effect is the mean
 *   realized increase over the target's window orders (so the cap is accounted for).
 * Everything is drawn from the seed; nothing here reads the evaluator.
 */
import type { Action, ImpactMetric, ImpactOrder } from "../../app/insights/impact/evaluate";
import { addDays } from "../../app/insights/trends/series";
import { poisson, testRng } from "./series-fixtures";

export interface SimulatedShopOptions {
  seed: number;
  products?: number;
  /** Mean orders a day per product (the target first). */
  ratePerDay?: number;
  phi?: number;
  shopShock?: number;
  productShock?: number;
  customers?: number;
  attach?: number;
  customerTaste?: number;
  attachShock?: number;
  preDays?: number;
  windowDays?: number;
  unitsEffect?: number;
  attachEffect?: number;
}

export interface SimulatedShop {
  orders: ImpactOrder[];
  window: { start: string; end: string };
  /** The planted effects in the evaluator's units: relative for units, probability points for attach rate. */
  truth: { units: number; attachRate: number };
  action(metric: ImpactMetric, goal: number): Action;
}

const START = "2025-01-01";

function normal(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** Gamma(shape < 1) by Ahrens–Dieter's GS via boosting: Gamma(a) = Gamma(a + 1) · U^(1/a), Marsaglia–Tsang for a + 1. */
function gamma(rng: () => number, shape: number): number {
  const a = shape + 1;
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  let x: number;
  for (;;) {
    const z = normal(rng);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = rng();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) {
      x = d * v;
      break;
    }
  }
  return x * rng() ** (1 / shape);
}

/** A stationary AR(1) path with standard deviation `sd` and autocorrelation `phi`. */
function ar1(rng: () => number, n: number, phi: number, sd: number): number[] {
  const out: number[] = [];
  let x = sd * normal(rng);
  const innovation = sd * Math.sqrt(1 - phi * phi);
  for (let t = 0; t < n; t++) {
    out.push(x);
    x = phi * x + innovation * normal(rng);
  }
  return out;
}

export function simulateShop(o: SimulatedShopOptions): SimulatedShop {
  const rng = testRng(o.seed);
  const P = o.products ?? 6;
  const rate = o.ratePerDay ?? 6;
  const phi = o.phi ?? 0.5;
  const sS = o.shopShock ?? 0.2;
  const sU = o.productShock ?? 0.15;
  const preDays = o.preDays ?? 90;
  const windowDays = o.windowDays ?? 28;
  const days = preDays + windowDays;
  const window = { start: addDays(START, preDays), end: addDays(START, days - 1) };
  const M = o.customers ?? 800;
  const propensity: number[] = [];
  let total = 0;
  for (let c = 0; c < M; c++) {
    total += gamma(rng, 0.5);
    propensity.push(total);
  }
  const taste = Array.from({ length: M }, () => (o.customerTaste ?? 0.5) * normal(rng));
  const pickCustomer = () => {
    const u = rng() * total;
    let lo = 0;
    let hi = M - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (propensity[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const shop = ar1(rng, days, phi, sS);
  const product = Array.from({ length: P }, () => ar1(rng, days, phi, sU));
  const attachShock = Array.from({ length: P }, () => ar1(rng, days, phi, o.attachShock ?? 0.2));
  const rates = Array.from({ length: P }, (_, p) => rate * (0.7 + 0.6 * (p / Math.max(1, P - 1))));
  const base = Math.log((o.attach ?? 0.3) / (1 - (o.attach ?? 0.3)));
  const orders: ImpactOrder[] = [];
  let id = 1;
  let planted = 0;
  let plantedOrders = 0;
  for (let t = 0; t < days; t++) {
    const day = addDays(START, t);
    const inWindow = t >= preDays;
    for (let p = 0; p < P; p++) {
      const lift = p === 0 && inWindow ? 1 + (o.unitsEffect ?? 0) : 1;
      const mean = rates[p]! * Math.exp(shop[t]! + product[p]![t]! - (sS * sS + sU * sU) / 2) * lift;
      for (let n = poisson(rng, mean); n > 0; n--) {
        const c = pickCustomer();
        const q0 = 1 / (1 + Math.exp(-(base + taste[c]! + attachShock[p]![t]!)));
        let q = q0;
        if (p === 0 && inWindow) {
          q = Math.min(1, q0 + (o.attachEffect ?? 0));
          planted += q - q0;
          plantedOrders++;
        }
        const attached = rng() < q;
        const lines = [{ productId: `P${p}`, quantity: 1, refundedQuantity: 0, amount: 200_000 + 50_000 * p, unitCost: 120_000 + 30_000 * p }];
        if (attached) lines.push({ productId: "A", quantity: 1, refundedQuantity: 0, amount: 80_000, unitCost: 40_000 });
        orders.push({
          id: String(id++),
          createdAt: new Date(`${day}T10:00:00Z`),
          customerId: `c${c}`,
          currency: "VND",
          total: lines.reduce((s, l) => s + l.amount, 0),
          totalRefunded: 0,
          cancelledAt: null,
          test: false,
          lines,
        });
      }
    }
  }
  return {
    orders,
    window,
    truth: { units: o.unitsEffect ?? 0, attachRate: plantedOrders > 0 ? planted / plantedOrders : 0 },
    action: (metric, goal) => ({
      id: `sim-${o.seed}`,
      kind: "price-change",
      target: { products: ["P0"], ...(metric === "attach-rate" ? { addOns: ["A"] } : {}) },
      window,
      metric,
      goal: { direction: "increase", minimumEffect: goal },
      evaluation: { preDays },
      decidedOn: addDays(window.start, -1),
    }),
  };
}

/** The one-sided Clopper–Pearson-style check: P(X ≥ k) for X ~ Binomial(n, p) (exact sum). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  let logC = 0;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    if (i >= k) sum += Math.exp(logC + i * Math.log(p) + (n - i) * Math.log(1 - p));
  }
  return Math.min(1, sum);
}
