/**
 * `npm run bench -- recommend [--cutoff 2011-09-01] [--max-items 1000,2000] [--min-count 5] [--max-test-baskets n]
 *   [--rankers rules,ease-gated,ease,popular,popular-30d]`
 *
 * Recommender quality and time on UCI Online Retail (../shared/datasets/online-retail/online_retail.csv.gz) with the
 * backtest split of ADR 014: learn from the invoices before the cutoff, evaluate on the later ones with 2+ products.
 * Two tasks (app/insights/backtest.ts evaluateTasks): cart completion (each item hidden in turn, the rest is the
 * cart) and single anchor (each item alone, a hit when the list holds another item of its invoice). Rankers:
 *   rules        today's recommender: significant co-purchase rules by confidence, then the cold-start chain;
 *   ease-gated   the same admitted candidates ranked by EASE (what a shop that chooses EASE shows);
 *   ease         EASE over every modelled item, ungated (a reference: the app never shows an ungated suggestion);
 *   popular      best sellers before the cutoff;  popular-30d  best sellers of the 30 days before it.
 * EASE's λ is chosen on a validation slice of the training period (its last 20 %), never on the test. Printed: HR@5
 * ± its binomial standard error (and the SE clustered by invoice), HR@10, MRR@10, fit time and prediction time per case.
 */
import path from "node:path";
import { chooseLambda, easeScorer, evaluateTasks, popularityRanker, recommenderRanker, type ListRanker } from "../app/insights/backtest";
import { prepareBaskets } from "../app/insights/baskets";
import { fitEase } from "../app/insights/ease";
import { buildRecommender } from "../app/insights/recommend";
import { readInsightFile } from "../scripts/cli-insights";
import { ROOT } from "../tests/support/migrations";
import { option, positive } from "./args";

export const ONLINE_RETAIL = path.resolve(ROOT, "../shared/datasets/online-retail/online_retail.csv.gz");

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (x: number) => `${(100 * x).toFixed(2)}`;

function timed(ranker: ListRanker, clock: { ms: number; calls: number }): ListRanker {
  return {
    ...ranker,
    list(context, k) {
      const t = performance.now();
      const out = ranker.list(context, k);
      clock.ms += performance.now() - t;
      clock.calls++;
      return out;
    },
  };
}

export async function benchRecommend(args: string[]): Promise<void> {
  const cutoffDay = option(args, "cutoff", "2011-09-01");
  const cutoff = Date.parse(`${cutoffDay}T00:00:00Z`);
  if (Number.isNaN(cutoff)) throw new Error(`--cutoff must be a day YYYY-MM-DD, got ${cutoffDay}`);
  const caps = option(args, "max-items", "1000,2000")
    .split(",")
    .map((s) => positive(s.trim(), "max-items"));
  const minCount = positive(option(args, "min-count", "5"), "min-count");
  const maxTest = option(args, "max-test-baskets", "");
  const wanted = new Set(option(args, "rankers", "rules,ease-gated,ease,popular,popular-30d").split(","));

  let t = performance.now();
  const read = await readInsightFile(ONLINE_RETAIL, "online-retail", { map: [] });
  const prepared = prepareBaskets(read.orders, read.products);
  const train = prepared.baskets.filter((b) => b.createdAt < cutoff);
  let test = prepared.baskets.filter((b) => b.createdAt >= cutoff && new Set(b.items).size >= 2);
  if (maxTest) test = test.slice(0, positive(maxTest, "max-test-baskets"));
  console.log(`Online Retail: ${prepared.baskets.length.toLocaleString("en-US")} baskets read in ${seconds(performance.now() - t)}; ${train.length.toLocaleString("en-US")} before ${cutoffDay} learnt, ${test.length.toLocaleString("en-US")} later baskets with 2+ products tested.`);

  const rows: { ranker: ListRanker; fitMs: number; note: string }[] = [];
  t = performance.now();
  const rules = buildRecommender(train, read.products, { minCount });
  const rulesMs = performance.now() - t;
  rows.push({ ranker: recommenderRanker(rules, "rules", "today: co-purchase confidence"), fitMs: rulesMs, note: `${rules.stats.significantProductRules.toLocaleString("en-US")} significant rules` });
  for (const maxItems of caps) {
    t = performance.now();
    const { lambda, validation } = chooseLambda(train, { maxItems });
    const lambdaMs = performance.now() - t;
    t = performance.now();
    const ease = fitEase(
      train.map((b) => b.items),
      { lambda, maxItems },
    );
    const easeMs = performance.now() - t;
    console.log(
      `EASE, ${ease.items.length} items: λ = ${lambda} on the validation slice (HR@5 by λ: ${validation.map((v) => `${v.lambda}: ${pct(v.hitRate5)} %`).join(", ")}) in ${seconds(lambdaMs)}; fit in ${seconds(easeMs)}`,
    );
    rows.push({ ranker: recommenderRanker(rules, `ease-gated/${ease.items.length}`, "EASE over the admitted pairs", easeScorer(ease)), fitMs: rulesMs + easeMs, note: `λ ${lambda}; fit = rules + EASE` });
    rows.push({ ranker: { name: `ease/${ease.items.length}`, label: "EASE, ungated (reference)", list: (c, k) => ease.top(c, k) }, fitMs: easeMs, note: `λ ${lambda}; λ search ${seconds(lambdaMs)}` });
  }
  t = performance.now();
  const popular = popularityRanker(train, { name: "popular", label: "best sellers, all time" });
  rows.push({ ranker: popular, fitMs: performance.now() - t, note: "" });
  t = performance.now();
  const recent = popularityRanker(train, { name: "popular-30d", label: "best sellers, last 30 days", since: cutoff - 30 * 86_400_000 });
  rows.push({ ranker: recent, fitMs: performance.now() - t, note: "" });

  console.log("");
  console.log("ranker            task         cases     HR@5 % ± SE (clustered)    HR@10 %  MRR@10   fit      predict/case");
  for (const row of rows) {
    if (!wanted.has(row.ranker.name.split("/")[0]!)) continue;
    const clock = { ms: 0, calls: 0 };
    t = performance.now();
    const [r] = evaluateTasks(test, [timed(row.ranker, clock)]);
    const evalMs = performance.now() - t;
    for (const [task, m] of [
      ["cart", r!.cart],
      ["single-anchor", r!.anchor],
    ] as const) {
      console.log(
        `${row.ranker.name.padEnd(17)} ${task.padEnd(13)} ${String(m.cases).padStart(7)}   ${pct(m.hitRate5).padStart(6)} ± ${pct(m.se5)} (${pct(m.clusteredSe5)})` +
          `      ${pct(m.hitRate10).padStart(6)}   ${m.mrr10.toFixed(4)}   ${seconds(row.fitMs).padStart(7)}  ${clock.calls > 0 ? `${(clock.ms / clock.calls).toFixed(3)} ms` : "—"}`,
      );
    }
    console.log(`${"".padEnd(17)} ${row.ranker.label}${row.note ? `; ${row.note}` : ""}; both tasks scored in ${seconds(evalMs)}`);
  }
}
