/**
 * `npm run bench -- clv [--customers 1000000] [--seed 7]`: customer-value models at scale. Customers are simulated
 * (tests/support/clv-simulate.ts) with CDNOW-like BG/NBD and Gamma-Gamma parameters, ages of 0–2.5 years in weeks at
 * day resolution (what real order dates give), then:
 *
 * - BG/NBD fit (grouping into unique (x, t_x, T) triples included) + Gamma-Gamma fit. Goal: < 3 s for 1M customers.
 * - RFM scores and groups of the same customers. Goal: < 2 s for 1M customers.
 *
 * Times exclude the simulation. Peak RSS is the process's (simulation included).
 *
 * `npm run bench -- clv --intervals [--replications 400] [--customers 1000] [--draws 200]`: the coverage of the 90 %
 * lifetime value intervals (tests/support/clv-coverage.ts, the unit test's study at a larger size), and of 80 %.
 */
import { countTriples, fitBgNbd } from "../app/insights/clv/bgnbd";
import { fitGammaGamma } from "../app/insights/clv/gamma-gamma";
import { rfmScores, type RfmInput } from "../app/insights/clv/rfm";
import { coverageRun } from "../tests/support/clv-coverage";
import { simulateCustomers } from "../tests/support/clv-simulate";

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const peakRss = () => process.resourceUsage().maxRSS * 1024;

export async function benchClv(args: string[]): Promise<void> {
  if (args.includes("--intervals")) {
    const replications = option(args, "replications", 400);
    const customers = option(args, "customers", 1000);
    const draws = option(args, "draws", 200);
    for (const level of [0.9, 0.8]) {
      const t = performance.now();
      const run = coverageRun(replications, customers, draws, option(args, "seed", 31_000), level);
      const se = Math.sqrt((level * (1 - level)) / replications);
      console.log(
        `${level * 100} % intervals, ${replications} replications of ${customers} customers, ${draws} draws: coverage ${(run.coverage * 100).toFixed(1)} % ` +
          `(±${(1.96 * se * 100).toFixed(1)} % at 95 %), truth below ${(run.below * 100).toFixed(1)} %, mean width ${(run.meanRelativeWidth * 100).toFixed(1)} % of the truth, ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    }
    return;
  }
  const n = option(args, "customers", 1_000_000);
  const seed = option(args, "seed", 7);
  const planted = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const spend = { p: 6, q: 3.8, v: 1500 }; // cents
  let t = performance.now();
  const customers = simulateCustomers({ seed, customers: n, bgnbd: planted, spend, minT: 0, maxT: 130, resolution: 1 / 7 });
  for (const c of customers) c.monetary = Math.round(c.monetary); // whole cents, as orders give
  console.log(`simulated ${n.toLocaleString("en-US")} customers in ${((performance.now() - t) / 1000).toFixed(2)} s (RSS peak so far ${mb(peakRss())})`);

  t = performance.now();
  const triples = countTriples(customers);
  const grouped = performance.now();
  const bg = fitBgNbd(triples);
  const bgDone = performance.now();
  const gg = fitGammaGamma(customers);
  const ggDone = performance.now();
  const fitSeconds = (ggDone - t) / 1000;
  console.log(
    `BG/NBD: ${triples.size.toLocaleString("en-US")} unique triples grouped in ${((grouped - t) / 1000).toFixed(2)} s, fitted in ${((bgDone - grouped) / 1000).toFixed(2)} s ` +
      `(${bg.iterations} iterations, converged ${bg.converged}): r ${bg.params.r.toFixed(4)} α ${bg.params.alpha.toFixed(3)} a ${bg.params.a.toFixed(4)} b ${bg.params.b.toFixed(3)} ` +
      `(planted ${planted.r}, ${planted.alpha}, ${planted.a}, ${planted.b})`,
  );
  console.log(
    `Gamma-Gamma: ${gg.customers.toLocaleString("en-US")} repeat customers fitted in ${((ggDone - bgDone) / 1000).toFixed(2)} s: p ${gg.params.p.toFixed(3)} q ${gg.params.q.toFixed(3)} v ${gg.params.v.toFixed(1)} ` +
      `(planted ${spend.p}, ${spend.q}, ${spend.v})`,
  );
  console.log(`BG/NBD + Gamma-Gamma: ${fitSeconds.toFixed(2)} s (goal < 3 s) ${fitSeconds < 3 ? "OK" : "MISSED"}`);

  const inputs: RfmInput[] = customers.map((c, i) => ({
    id: String(i),
    daysSinceLastOrder: Math.round((c.T - c.t_x) * 7),
    orders: c.x + 1,
    spend: Math.round(c.monetary * (c.x + 1)),
  }));
  t = performance.now();
  const scores = rfmScores(inputs);
  const rfmSeconds = (performance.now() - t) / 1000;
  const champions = scores.filter((s) => s.group === "CHAMPIONS").length;
  console.log(`RFM: ${scores.length.toLocaleString("en-US")} customers scored and grouped in ${rfmSeconds.toFixed(2)} s (goal < 2 s) ${rfmSeconds < 2 ? "OK" : "MISSED"}; ${champions.toLocaleString("en-US")} champions`);
  console.log(`peak RSS ${mb(peakRss())}`);
}
