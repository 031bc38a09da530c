/**
 * `npm run bench -- calibration --part trends [--shops 300] [--coverage-shops 120] [--forecast-shops 40] [--seed 1]`:
 * calibration of the trends inference (ADR 024) on simulated shops with serially correlated demand
 * (tests/support/trends-simulate.ts: shop-wide and per-product AR(1) log shocks, 20 products; the unit tests in
 * tests/unit/insights/trends/calibration.test.ts run the same simulations small).
 *
 * - Null months: no month effect planted; the share of month effects whose 95 % interval excludes "no effect", with
 *   the occurrence-clustered intervals and, for comparison, ADR 017's independent-days intervals; and the share of
 *   shops with any month finding after Benjamini–Hochberg. Several autocorrelation settings, 2 and 3 years.
 * - The same with the lunar calendar on (both calendars fitted, one chosen): null months of the chosen model.
 * - Planted month effects (Gregorian months 3 ×1.2, 7 ×0.75, 11 ×1.1): coverage of the 95 % intervals of all twelve
 *   contrasts, and the share of shops where the July dip is found.
 * - Forecast: coverage of the 90 % conformal intervals on 12 held-out weeks (Monte-Carlo error over shops, whose weeks
 *   move together), and the backtest's own MAPE.
 * Every rate is printed with its Monte-Carlo standard error.
 */
import { forecast } from "../app/insights/trends/forecast";
import { seasonality } from "../app/insights/trends/seasonality";
import { NULL_SHOP, rate, simulateShop, type ShopPlan } from "../tests/support/trends-simulate";
import { option, positive } from "./args";

const MONTH_TRUTH: Record<number, number> = { 3: 1.2, 7: 0.75, 11: 1.1 };
const SETTINGS: { label: string; rho: number; sigmaShop: number; sigmaProduct: number }[] = [
  { label: "Poisson only (no shocks)", rho: 0, sigmaShop: 0, sigmaProduct: 0 },
  { label: "ρ 0.5, σ 0.15 / 0.3", rho: 0.5, sigmaShop: 0.15, sigmaProduct: 0.3 },
  { label: "ρ 0.8, σ 0.15 / 0.3", rho: 0.8, sigmaShop: 0.15, sigmaProduct: 0.3 },
  { label: "ρ 0.95, σ 0.15 / 0.3", rho: 0.95, sigmaShop: 0.15, sigmaProduct: 0.3 },
];

const show = (r: ReturnType<typeof rate>) => `${(100 * r.rate).toFixed(1).padStart(5)} ± ${(100 * r.se).toFixed(1)}`;

function plantedContrast(k: number): number {
  let others = 0;
  for (let j = 1; j <= 12; j++) if (j !== k) others += Math.log(MONTH_TRUTH[j] ?? 1);
  return Math.exp(Math.log(MONTH_TRUTH[k] ?? 1) - others / 11);
}

export async function benchTrendsCalibration(args: string[]): Promise<void> {
  const shops = positive(option(args, "shops", "300"), "shops");
  const coverageShops = positive(option(args, "coverage-shops", "120"), "coverage-shops");
  const forecastShops = positive(option(args, "forecast-shops", "40"), "forecast-shops");
  const seed = positive(option(args, "seed", "1"), "seed");
  const started = Date.now();

  console.log(`Trends calibration (ADR 024): % of null months flagged at 95 % (nominal 5), ${shops} shops × 12 months per row, ± Monte-Carlo se`);
  console.log("setting                      years  clustered   indep. days   shops w/ BH month finding (clustered / indep.)");
  for (const years of [3, 2]) {
    for (const s of SETTINGS) {
      let c = 0;
      let i = 0;
      let fc = 0;
      let fi = 0;
      for (let k = 0; k < shops; k++) {
        const { series } = simulateShop({ ...NULL_SHOP, ...s, days: years * 365 }, seed * 1_000_003 + years * 10_007 + k);
        const rc = seasonality(series, { lunar: false });
        const ri = seasonality(series, { lunar: false, intervals: "independent" });
        c += rc.gregorianMonths!.filter((e) => e.significant).length;
        i += ri.gregorianMonths!.filter((e) => e.significant).length;
        if (rc.findings.some((f) => f.effect.key.startsWith("month:"))) fc++;
        if (ri.findings.some((f) => f.effect.key.startsWith("month:"))) fi++;
      }
      console.log(`${s.label.padEnd(28)} ${String(years).padStart(5)}  ${show(rate(c, shops * 12))}   ${show(rate(i, shops * 12))}     ${show(rate(fc, shops))} / ${show(rate(fi, shops))}`);
    }
  }

  console.log(`\nLunar calendar on (both calendars fitted, one chosen), no month effect, 3 years, ρ 0.8: ${Math.max(20, Math.round(shops / 4))} shops`);
  {
    const n = Math.max(20, Math.round(shops / 4));
    let flagged = 0;
    let months = 0;
    const verdicts = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const r = seasonality(simulateShop(NULL_SHOP, seed * 7_000_003 + k).series);
      const effects = r.lunarMonths ?? r.gregorianMonths ?? [];
      flagged += effects.filter((e) => e.significant).length;
      months += effects.length;
      const v = `${r.calendar.chosen}/${r.calendar.verdict}`;
      verdicts.set(v, (verdicts.get(v) ?? 0) + 1);
    }
    console.log(`  null months of the chosen model flagged: ${show(rate(flagged, months))} %; choices: ${[...verdicts].map(([v, c]) => `${v} ${c}`).join(", ")}`);
  }

  console.log(`\nPlanted Gregorian month effects (3 ×1.2, 7 ×0.75, 11 ×1.1), 3 years: coverage of the 95 % intervals of the 12 contrasts (nominal 95), ${coverageShops} shops`);
  for (const s of SETTINGS) {
    let covered = 0;
    let coveredIndependent = 0;
    let dip = 0;
    const plan: ShopPlan = { ...NULL_SHOP, ...s, months: { calendar: "gregorian", multipliers: MONTH_TRUTH } };
    for (let k = 0; k < coverageShops; k++) {
      const { series } = simulateShop(plan, seed * 3_000_017 + k);
      const r = seasonality(series, { lunar: false });
      const ri = seasonality(series, { lunar: false, intervals: "independent" });
      r.gregorianMonths!.forEach((e, m) => (covered += e.lower <= plantedContrast(m + 1) && plantedContrast(m + 1) <= e.upper ? 1 : 0));
      ri.gregorianMonths!.forEach((e, m) => (coveredIndependent += e.lower <= plantedContrast(m + 1) && plantedContrast(m + 1) <= e.upper ? 1 : 0));
      if (r.findings.some((f) => f.effect.key === "month:07")) dip++;
    }
    console.log(`  ${s.label.padEnd(28)} clustered ${show(rate(covered, coverageShops * 12))}   indep. days ${show(rate(coveredIndependent, coverageShops * 12))}   July dip found ${show(rate(dip, coverageShops))}`);
  }

  console.log(`\nForecast: 90 % conformal intervals on 12 held-out weeks after 2 years (nominal 90), ${forecastShops} shops; weekday pattern planted`);
  for (const s of SETTINGS.slice(1)) {
    let covered = 0;
    let total = 0;
    let mape = 0;
    const perShop: number[] = [];
    let heldOutApe = 0;
    for (let k = 0; k < forecastShops; k++) {
      const { series } = simulateShop({ ...NULL_SHOP, ...s, days: 2 * 365 + 84, weekday: [1.3, 0.9, 0.9, 0.9, 1, 1.1, 1.2] }, seed * 5_000_011 + k);
      const history = series.slice(0, series.length - 84);
      const f = forecast(history, seasonality(history, { lunar: false }).model, { horizonWeeks: 12, level: 0.9 });
      mape += f.backtest.mape ?? 0;
      let inside = 0;
      f.weeks.forEach((w, h) => {
        const actual = series.slice(history.length + 7 * h, history.length + 7 * h + 7).reduce((a, p) => a + p.value, 0);
        total++;
        if (w.lower <= actual && actual <= w.upper) inside++;
        heldOutApe += Math.abs(w.forecast - actual) / Math.max(1, actual);
      });
      covered += inside;
      perShop.push(inside / f.weeks.length);
    }
    // Weeks of one shop move together: the Monte-Carlo error is the spread of the shops' own coverage.
    const mean = perShop.reduce((a, b) => a + b, 0) / perShop.length;
    const se = Math.sqrt(perShop.reduce((a, b) => a + (b - mean) ** 2, 0) / (perShop.length - 1) / perShop.length);
    console.log(
      `  ${s.label.padEnd(28)} coverage ${(100 * (covered / total)).toFixed(1).padStart(5)} ± ${(100 * se).toFixed(1)} (se over shops)   backtest MAPE ${((100 * mape) / forecastShops).toFixed(1)} %   held-out MAPE ${((100 * heldOutApe) / total).toFixed(1)} %`,
    );
  }
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(0)} s)`);
}
