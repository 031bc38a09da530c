/**
 * Holdout validation and the model choice (app/insights/clv/validation.ts):
 * - on CDNOW (calibration to 1997-09-30, holdout to 1998-06-30, 39 weeks, the FHL 2005 split): the totals, the MAE and
 *   the deciles against a brute-force recount from the transactions file, for BG/NBD and MBG/NBD;
 * - on the simulator's planted stories: with data from MBG/NBD (many one-time buyers who leave) MBG/NBD is chosen,
 *   and a model with the wrong parameters fails the stated criterion;
 * - hand cases for the deciles and the criterion.
 */
import { describe, expect, it } from "vitest";
import { countTriples, fitRepeatModel } from "../../../../app/insights/clv/bgnbd";
import { expectedRepeatPurchases, type RepeatModel } from "../../../../app/insights/clv/repeat-model";
import { customerSummary } from "../../../../app/insights/clv/summary";
import { CHOICE_Z, validateAndChoose, validateHoldout, VALIDATION_CRITERIA } from "../../../../app/insights/clv/validation";
import { simulateCustomers } from "../../../support/clv-simulate";
import { cdnowSamplePurchases } from "./cdnow";

describe("holdout validation on CDNOW", () => {
  const purchases = cdnowSamplePurchases();
  const split = customerSummary(purchases, { calibrationEnd: "1997-09-30", holdoutEnd: "1998-06-30", timeUnit: "week", timeZone: "UTC", currency: "USD" });

  it("counts, errors and deciles agree with a recount from the transactions; both models pass; the choice is stated", () => {
    // Brute force: distinct purchase days per customer after the calibration end.
    const days = new Map<string, Set<number>>();
    for (const p of purchases) {
      if (p.at <= Date.UTC(1997, 8, 30) || p.at > Date.UTC(1998, 5, 30)) continue;
      let set = days.get(p.customerId);
      if (!set) days.set(p.customerId, (set = new Set()));
      set.add(p.at);
    }
    const actualTotal = [...days.values()].reduce((n, s) => n + s.size, 0);
    expect(split.holdoutDuration).toBe(39);
    const fitted = (["bgnbd", "mbgnbd"] as const).map((kind): RepeatModel => ({ kind, params: fitRepeatModel(kind, countTriples(split.customers)).params }));
    const { models, choice } = validateAndChoose(fitted, split.customers, 39);
    models.forEach((v, k) => {
      const model = fitted[k]!;
      expect(v.customers).toBe(2357);
      expect(v.totalActual).toBe(actualTotal);
      const predicted = split.customers.map((c) => expectedRepeatPurchases(model, c.x, c.t_x, c.T, 39));
      expect(v.totalPredicted).toBeCloseTo(predicted.reduce((a, b) => a + b, 0), 6);
      const mae = split.customers.reduce((s, c, i) => s + Math.abs(predicted[i]! - (days.get(c.id)?.size ?? 0)), 0) / 2357;
      expect(v.mae).toBeCloseTo(mae, 9);
      // Deciles: ten groups of 235 or 236, predicted means falling, together every customer and every purchase.
      expect(v.deciles.map((d) => d.customers).reduce((a, b) => a + b, 0)).toBe(2357);
      for (let d = 1; d < 10; d++) expect(v.deciles[d]!.predicted).toBeLessThanOrEqual(v.deciles[d - 1]!.predicted);
      expect(v.deciles.reduce((s, d) => s + d.actual * d.customers, 0)).toBeCloseTo(actualTotal, 6);
      expect(v.passes, v.failures.join("; ")).toBe(true);
      expect(v.mae).toBeLessThan(v.naiveMae);
    });
    // The paired difference of MAEs is the difference of the two MAEs; the choice follows the stated rule.
    const d = choice.maeDifference!;
    expect(d.value).toBeCloseTo(models[0]!.mae - models[1]!.mae, 12);
    expect(d.standardError).toBeGreaterThan(0);
    const expected = d.value < -CHOICE_Z * d.standardError ? "bgnbd" : "mbgnbd";
    expect(choice.chosen).toBe(expected);
    expect(choice.reason).toMatch(/mean absolute error per customer/);
  });
});

describe("choosing by holdout on planted stories", () => {
  it("MBG/NBD is chosen on data from its own story with many one-time buyers who leave, and passes", () => {
    const customers = simulateCustomers({ seed: 77, customers: 8000, bgnbd: { r: 0.8, alpha: 8, a: 2, b: 2 }, model: "mbgnbd", minT: 26, maxT: 78, holdout: 26 });
    const rows = customers.map((c) => ({ x: c.x, t_x: c.t_x, T: c.T, holdout: { x: c.holdoutX } }));
    const { models: v, choice } = validateAndChoose(
      (["bgnbd", "mbgnbd"] as const).map((kind) => ({ kind, params: fitRepeatModel(kind, countTriples(rows)).params })),
      rows,
      26,
    );
    expect(choice.chosen).toBe("mbgnbd");
    // Clearly, not by the tie rule: beyond two standard errors.
    expect(choice.maeDifference!.value).toBeGreaterThan(CHOICE_Z * choice.maeDifference!.standardError);
    expect(v[1]!.passes, v[1]!.failures.join("; ")).toBe(true);
    // BG/NBD, which keeps every one-time buyer alive, over-predicts the holdout.
    expect(v[0]!.aggregateError!).toBeGreaterThan(v[1]!.aggregateError!);
  });

  it("BG/NBD is chosen on data from its own story, where one-time buyers never leave", () => {
    // In BG/NBD's story a one-time buyer is alive for sure: MBG/NBD, which lets them go, under-predicts them.
    const customers = simulateCustomers({ seed: 79, customers: 5000, bgnbd: { r: 0.8, alpha: 8, a: 2, b: 2 }, minT: 26, maxT: 78, holdout: 26 });
    const rows = customers.map((c) => ({ x: c.x, t_x: c.t_x, T: c.T, holdout: { x: c.holdoutX } }));
    const { choice } = validateAndChoose(
      (["bgnbd", "mbgnbd"] as const).map((kind) => ({ kind, params: fitRepeatModel(kind, countTriples(rows)).params })),
      rows,
      26,
    );
    expect(choice.chosen).toBe("bgnbd");
    expect(choice.maeDifference!.value).toBeLessThan(-CHOICE_Z * choice.maeDifference!.standardError);
  });

  it("a model with the wrong parameters fails the criterion and says why", () => {
    const customers = simulateCustomers({ seed: 78, customers: 3000, bgnbd: { r: 0.25, alpha: 4.4, a: 0.8, b: 2.4 }, minT: 26, maxT: 78, holdout: 26 });
    const rows = customers.map((c) => ({ x: c.x, t_x: c.t_x, T: c.T, holdout: { x: c.holdoutX } }));
    // Ten times the purchase rate: the aggregate is far off.
    const v = validateHoldout({ kind: "bgnbd", params: { r: 2.5, alpha: 4.4, a: 0.8, b: 2.4 } }, rows, 26);
    expect(v.passes).toBe(false);
    expect(v.failures.join(" ")).toMatch(/off by \d+ %/);
    expect(Math.abs(v.aggregateError!)).toBeGreaterThan(VALIDATION_CRITERIA.maxAggregateError);
  });
});

describe("deciles and the criterion by hand", () => {
  it("ten customers: one per decile, highest prediction first; a flat ranking fails the lift", () => {
    // x = k, t_x = T = 10: predictions rise with x; customer k bought k times in the holdout.
    const rows = Array.from({ length: 10 }, (_, k) => ({ x: k, t_x: k === 0 ? 0 : 10, T: 10, holdout: { x: k } }));
    const model: RepeatModel = { kind: "bgnbd", params: { r: 1, alpha: 10, a: 1.5, b: 5 } };
    const v = validateHoldout(model, rows, 10);
    expect(v.deciles.map((d) => d.actual)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(v.topDecileLift).toBeCloseTo(9 / 4.5, 12);
    // Reversed actuals: the top decile bought nothing.
    const reversed = validateHoldout(model, rows.map((r, k) => ({ ...r, holdout: { x: 9 - k } })), 10);
    expect(reversed.topDecileLift).toBe(0);
    expect(reversed.passes).toBe(false);
    expect(reversed.failures.join(" ")).toMatch(/ranked highest bought only 0\.00×/);
    // Nobody bought: nothing to check against.
    const none = validateHoldout(model, rows.map((r) => ({ ...r, holdout: { x: 0 } })), 10);
    expect(none.passes).toBe(false);
    expect(none.aggregateError).toBeNull();
  });
});
