/**
 * `npm run bench -- calibration [--part impact|trends] [options]`: the large calibration study of issue 13. Simulated
 * shops with serially correlated demand (shop-wide and per-product autocorrelated shocks): with no effect, how often
 * placebo launches come out "achieved" and null months "significant"; with planted effects, how often the intervals
 * cover the truth. Each part prints its own rates.
 */
import { option } from "./args";

export async function benchCalibration(args: string[]): Promise<void> {
  const part = option(args, "part", "all");
  if (part !== "all" && part !== "impact" && part !== "trends") throw new Error(`--part must be impact, trends or all, got ${part}`);
  if (part === "all" || part === "impact") await import("./calibration-impact").then((m) => m.benchImpactCalibration(args));
  if (part === "all" || part === "trends") await import("./calibration-trends").then((m) => m.benchTrendsCalibration(args));
}
