/**
 * Calibration of the trends inference on simulated shops with serially correlated demand (tests/support/
 * trends-simulate.ts: shop-wide and per-product AR(1) shocks). Small seeded versions of `npm run bench -- calibration
 * --part trends`, which runs thousands of shops and several autocorrelation settings.
 */
import { describe, expect, it } from "vitest";
import { forecast } from "../../../../app/insights/trends/forecast";
import { seasonality } from "../../../../app/insights/trends/seasonality";
import { NULL_SHOP, rate, simulateShop, type ShopPlan } from "../../../support/trends-simulate";

const MONTH_TRUTH: Record<number, number> = { 3: 1.2, 7: 0.75, 11: 1.1 };

/** The planted contrast of month k against the geometric mean of the other eleven. */
function plantedContrast(multipliers: Record<number, number>, k: number): number {
  let others = 0;
  for (let j = 1; j <= 12; j++) if (j !== k) others += Math.log(multipliers[j] ?? 1);
  return Math.exp(Math.log(multipliers[k] ?? 1) - others / 11);
}

describe("null months on shops with autocorrelated demand (ρ = 0.8, no month effect)", () => {
  const shops = 30;
  let clustered = 0;
  let independent = 0;
  let months = 0;
  for (let s = 0; s < shops; s++) {
    const { series } = simulateShop(NULL_SHOP, 100 + s);
    for (const e of seasonality(series, { lunar: false }).gregorianMonths!) clustered += e.significant ? 1 : 0;
    for (const e of seasonality(series, { lunar: false, intervals: "independent" }).gregorianMonths!) independent += e.significant ? 1 : 0;
    months += 12;
  }
  const c = rate(clustered, months);
  const i = rate(independent, months);
  console.log(`null months flagged at 95 %: clustered ${c.rate.toFixed(3)} ± ${c.se.toFixed(3)}, independent days ${i.rate.toFixed(3)} ± ${i.se.toFixed(3)} (${months} months)`);

  it("the clustered intervals flag null months at no more than the nominal 5 % (within two Monte-Carlo errors)", () => {
    expect(c.rate).toBeLessThanOrEqual(0.05 + 2 * Math.sqrt((0.05 * 0.95) / months));
  });

  it("treating days as independent (ADR 017's intervals) flags several times as many", () => {
    expect(i.rate).toBeGreaterThan(3 * 0.05);
  });
});

describe("planted month effects on shops with autocorrelated demand", () => {
  it("the 95 % intervals cover the planted contrasts at about their level", () => {
    const plan: ShopPlan = { ...NULL_SHOP, months: { calendar: "gregorian", multipliers: MONTH_TRUTH } };
    let covered = 0;
    let total = 0;
    let dipFound = 0;
    const shops = 20;
    for (let s = 0; s < shops; s++) {
      const r = seasonality(simulateShop(plan, 500 + s).series, { lunar: false });
      r.gregorianMonths!.forEach((e, k) => {
        total++;
        const truth = plantedContrast(MONTH_TRUTH, k + 1);
        if (e.lower <= truth && truth <= e.upper) covered++;
      });
      if (r.findings.some((f) => f.effect.key === "month:07")) dipFound++;
    }
    const c = rate(covered, total);
    console.log(`coverage of planted month contrasts: ${c.rate.toFixed(3)} ± ${c.se.toFixed(3)} (${total}); July dip found in ${dipFound}/${shops} shops`);
    expect(c.rate).toBeGreaterThanOrEqual(0.95 - 2 * Math.sqrt((0.05 * 0.95) / total));
    expect(dipFound).toBeGreaterThanOrEqual(shops / 2); // honest intervals, still power for a 25 % dip
  });
});

describe("one calendar per shop", () => {
  const plan = (calendar: "gregorian" | "lunar" | null): ShopPlan => ({
    ...NULL_SHOP,
    rho: 0.5,
    base: 80,
    ...(calendar ? { months: { calendar, multipliers: { 7: 0.7, 3: 1.2 } } } : {}),
  });

  it("picks the planted calendar when the data can tell, and says 'indistinguishable' when there is nothing to tell", () => {
    const lunar = seasonality(simulateShop(plan("lunar"), 7).series);
    expect([lunar.calendar.chosen, lunar.calendar.verdict]).toEqual(["lunar", "better"]);
    expect(lunar.gregorianMonths).toBeNull();
    expect(lunar.findings.every((f) => !f.effect.key.startsWith("month:"))).toBe(true);
    const gregorian = seasonality(simulateShop(plan("gregorian"), 8).series);
    expect([gregorian.calendar.chosen, gregorian.calendar.verdict]).toEqual(["gregorian", "better"]);
    expect(gregorian.lunarMonths).toBeNull();
    const none = seasonality(simulateShop(plan(null), 9).series);
    expect(none.calendar.verdict).toBe("indistinguishable");
    expect(none.caveats).toContain(none.calendar.reason);
    expect(none.models.map((m) => m.calendar)).toEqual(["lunar", "gregorian"]);
  });
});

describe("Tết from a single season", () => {
  it("is labelled a one-season estimate until two seasons are in the history", () => {
    const plan: ShopPlan = { ...NULL_SHOP, first: "2022-10-01", days: 300, rho: 0.5, preTet: 1.6 };
    const one = seasonality(simulateShop(plan, 3).series);
    expect(one.tet!.seasons).toBe(1);
    expect(one.tet!.oneSeason).toBe(true);
    expect(one.caveats.some((c) => c.startsWith("Tết effects are one-season estimates"))).toBe(true);
    const pre = one.findings.find((f) => f.effect.key === "tet:pre");
    expect(pre?.text).toMatch(/A one-season estimate/);
    const two = seasonality(simulateShop({ ...plan, days: 520 }, 3).series);
    expect([two.tet!.seasons, two.tet!.oneSeason]).toEqual([2, false]);
  });
});

describe("a shop closed on one weekday", () => {
  it("treats the weekday without orders as closed: the other weekdays keep finite intervals around their truth, the forecast is finite", () => {
    const planted = [1.3, 0.9, 0.9, 0.9, 1, 1.1, 1.2];
    const { series } = simulateShop({ ...NULL_SHOP, days: 400, rho: 0.5, weekday: planted }, 21);
    const closed = series.map((p, i) => (i % 7 === (6 - new Date(`${series[0]!.day}T00:00:00Z`).getUTCDay() + 7) % 7 ? { ...p, value: 0 } : p)); // Saturdays
    const r = seasonality(closed, { lunar: false });
    expect(r.weekday![6]!.closed).toBe(true);
    expect(r.caveats.some((c) => c.startsWith("No orders on Saturdays in the whole history"))).toBe(true);
    const open = planted.slice(0, 6);
    const g = Math.exp(open.reduce((s, x) => s + Math.log(x), 0) / 6);
    for (let w = 0; w < 6; w++) {
      const e = r.weekday![w]!;
      expect([w, Number.isFinite(e.upper), e.lower <= open[w]! / g && open[w]! / g <= e.upper]).toEqual([w, true, true]);
    }
    expect(r.findings.some((f) => f.effect.key === "weekday:Sun")).toBe(true);
    expect(r.findings.every((f) => f.effect.key !== "weekday:Sat")).toBe(true);
    const f = forecast(closed, r.model, { horizonWeeks: 4, maxOrigins: 10 });
    for (const w of f.weeks) expect([Number.isFinite(w.lower), Number.isFinite(w.upper), w.lower < w.forecast, w.forecast < w.upper]).toEqual([true, true, true, true]);
  });
});

describe("forecast intervals on held-out weeks of autocorrelated shops", () => {
  it("the conformal 90 % intervals cover the held-out weekly orders at about their level", () => {
    let covered = 0;
    let total = 0;
    for (let s = 0; s < 5; s++) {
      const { series } = simulateShop({ ...NULL_SHOP, days: 2 * 365 + 84, weekday: [1.3, 0.9, 0.9, 0.9, 1, 1.1, 1.2] }, 900 + s);
      const history = series.slice(0, series.length - 84);
      const f = forecast(history, seasonality(history, { lunar: false }).model, { horizonWeeks: 12, level: 0.9, maxOrigins: 30 });
      expect(f.backtest.origins).toBeGreaterThan(20);
      expect(f.backtest.calibrated).toBe(true);
      f.weeks.forEach((w, h) => {
        const actual = series.slice(history.length + 7 * h, history.length + 7 * h + 7).reduce((a, p) => a + p.value, 0);
        total++;
        if (w.lower <= actual && actual <= w.upper) covered++;
      });
    }
    const c = rate(covered, total);
    console.log(`forecast 90 % interval coverage on held-out weeks: ${c.rate.toFixed(3)} (${total} weeks of 5 shops)`);
    expect(c.rate).toBeGreaterThanOrEqual(0.75); // 60 weeks of 5 shops: weeks of one shop move together
  });
});
