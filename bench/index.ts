/** `npm run bench -- <name> [options]`: speed and memory goals, printed as figures (never asserted in unit tests). */
import { benchRules } from "./rules";
import { benchSync } from "./sync";

const [name, ...args] = process.argv.slice(2);
const benches: Record<string, (args: string[]) => Promise<void>> = { sync: benchSync, rules: benchRules };
benches.clv = (args) => import("./clv").then((m) => m.benchClv(args));
benches.storefront = (args) => import("./storefront").then((m) => m.benchStorefront(args));
benches.offers = (args) => import("./calibration-offers").then((m) => m.benchOffers(args));
benches["storefront-lift"] = (args) => import("./storefront-lift").then((m) => m.benchStorefrontLift(args));
benches["holdout-campaign"] = (args) => import("./holdout-campaign").then((m) => m.benchHoldoutCampaign(args));
benches.calibration = (args) => import("./calibration").then((m) => m.benchCalibration(args));
benches.recommend = (args) => import("./recommend").then((m) => m.benchRecommend(args));
benches["upload-bomb"] = (args) => import("./upload-bomb").then((m) => m.benchUploadBomb(args));
const bench = name ? benches[name] : undefined;
if (!bench) {
  console.error(`Usage: npm run bench -- <${Object.keys(benches).join("|")}> [options]`);
  process.exit(2);
}
await bench(args);
