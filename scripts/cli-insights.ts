/**
 * `insight-loop upgrades` and `insight-loop backtest`: the cross-sell and upgrade engine (app/insights) straight from an
 * import file, without a database, like `rules` (scripts/cli.ts).
 *
 *   upgrades --input <file> --format … [--as-of YYYY-MM-DD] [--window-days 365] [--map …] [--tz …] [--json]
 *   backtest --input <file> --format … --cutoff YYYY-MM-DD [--k 5] [--min-support s] [--tasks [--max-items 1000]] [--map …] [--tz …] [--json]
 *
 * With --tasks the backtest also scores the two tasks of ADR 025 (cart completion, single anchor: HR@5 with its
 * basket-clustered standard error, HR@10, MRR@10) for today's ranker, EASE behind the significance gate (λ chosen on
 * the last 20 % of the training period), and the best sellers of all time and of the 30 days before the cutoff.
 *
 * The file's orders become plain InsightOrders (one per order; prepareBaskets leaves out cancelled and test orders,
 * gift cards, custom lines and fully refunded lines). Products are those the file names: title and vendor from the
 * file, no product type or collections (files do not carry them), ACTIVE and available, priced at the unit price of
 * their latest line. With --json, stdout holds only JSON (the result, or `{"error": {...}}`); the summary goes to stderr.
 * Exit codes: 0 done, 1 the file could not be read, 2 bad usage.
 */
import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { openImport, checkFormat, resolveOptions } from "../app/import/read";
import { IMPORT_FORMATS, ImportError } from "../app/import/types";
import type { IngestOrder } from "../app/lib/ingest/types";
import { backtest, chooseLambda, easeScorer, evaluateTasks, popularityRanker, recommenderRanker } from "../app/insights/backtest";
import { fitEase } from "../app/insights/ease";
import { buildRecommender } from "../app/insights/recommend";
import { prepareBaskets, type InsightOrder, type InsightProduct } from "../app/insights/baskets";
import { decimalFraction, minCount, ThresholdError } from "../app/insights/rules";
import { findUpgrades } from "../app/insights/upgrades";
import type { CliIo } from "./cli";

class UsageError extends Error {}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const collect = (value: string, previous: string[]) => [...previous, value];
const count = (n: number) => n.toLocaleString("en-US");

function day(name: string, text: string): number {
  const ms = Date.parse(`${text}T00:00:00Z`);
  if (!DAY.test(text) || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) throw new UsageError(`${name} ${JSON.stringify(text)} is not a day YYYY-MM-DD`);
  return ms;
}

function integerFrom(name: string, min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
    return value;
  };
}

function fraction(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value <= 0 || value > 1) throw new InvalidArgumentError(`${name} must be a number in (0, 1], got ${JSON.stringify(text)}`);
    return value;
  };
}

interface Read {
  orders: InsightOrder[];
  products: Map<string, InsightProduct>;
  latest: number;
  problems: string;
}

/** The file's orders as InsightOrders, and its products. */
async function readFile(io: CliIo, input: string, format: string, options: { map: string[]; tz?: string }): Promise<Read> {
  const file = path.isAbsolute(input) ? input : path.resolve(io.env.INIT_CWD ?? process.cwd(), input);
  return readInsightFile(file, format, options);
}

/** An import file's orders as InsightOrders, and its products (also the recommend bench's reader). */
export async function readInsightFile(file: string, format: string, options: { map: string[]; tz?: string }): Promise<Read> {
  const source = await openImport(file, format, { ...options, maxProblems: 10 });
  const orders: InsightOrder[] = [];
  const prices = new Map<string, { at: number; price: number }>();
  let latest = Number.NEGATIVE_INFINITY;
  for await (const order of source.orders as AsyncIterable<IngestOrder>) {
    const at = order.createdAt.getTime();
    latest = Math.max(latest, at);
    orders.push({
      id: order.id,
      createdAt: at,
      cancelledAt: order.cancelledAt ? order.cancelledAt.getTime() : null,
      test: order.test,
      customerId: order.customerId,
      lines: order.lines.map((line) => {
        if (line.productId !== null && !line.isCustom) {
          const seen = prices.get(line.productId);
          if (!seen || at >= seen.at) prices.set(line.productId, { at, price: Number(line.unitPrice) });
        }
        return {
          productId: line.productId,
          variantId: line.variantId,
          quantity: line.quantity,
          refundedQuantity: line.refundedQuantity,
          isGiftCard: line.isGiftCard,
          isCustom: line.isCustom,
        };
      }),
    });
  }
  const ctx = source.context;
  const products = new Map<string, InsightProduct>();
  for (const p of ctx.products.values()) {
    products.set(p.id, { id: p.id, title: p.title, productType: p.productType, vendor: p.vendor, tags: p.tags, collectionIds: p.collectionIds, status: "ACTIVE", price: prices.get(p.id)?.price ?? 0, available: true });
  }
  const shown = ctx.problems.map((p) => `${ctx.file}: ${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`);
  const more = ctx.problemCount - ctx.problems.length;
  const problems = ctx.problemCount > 0 ? [`${count(ctx.problemCount)} row(s) skipped:`, ...shown, ...(more > 0 ? [`... and ${count(more)} more`] : []), ""].join("\n") : "";
  return { orders, products, latest, problems };
}

function reporter(io: CliIo, command: string, json: boolean | undefined, done: (code: number) => void) {
  return (error: unknown) => {
    const usage = error instanceof UsageError || error instanceof InvalidArgumentError || error instanceof ThresholdError || error instanceof RangeError;
    const info = error instanceof ImportError ? { message: error.message, file: error.file, line: error.line, field: error.field } : { message: error instanceof Error ? error.message : String(error) };
    io.err(`insight-loop ${command}: ${info.message}\n`);
    if (!usage && !(error instanceof ImportError) && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    if (json) io.out(`${JSON.stringify({ error: info }, null, 2)}\n`);
    done(usage ? 2 : 1);
  };
}

export function registerUpgrades(program: Command, io: CliIo, done: (code: number) => void) {
  program
    .command("upgrades")
    .description("higher-tier alternatives per product, from later purchases and similar titles (no database)")
    .requiredOption("--input <file>", "the orders file (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .option("--as-of <day>", "the analysis day, YYYY-MM-DD (default: the day after the latest order)")
    .option("--window-days <n>", "a later purchase counts as an upgrade within this many days (default 365)", integerFrom("--window-days", 1))
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--tz <zone>", "IANA time zone of times without an offset (default: UTC; online-retail Europe/London)")
    .option("--json", "print only JSON on stdout")
    .action(async (opts: { input: string; format: string; asOf?: string; windowDays?: number; map: string[]; tz?: string; json?: boolean }) => {
      const fail = reporter(io, "upgrades", opts.json, done);
      const options = { map: opts.map, tz: opts.tz };
      let asOf: number | undefined;
      try {
        resolveOptions(checkFormat(opts.format), options);
        if (opts.asOf !== undefined) asOf = day("--as-of", opts.asOf);
      } catch (error) {
        fail(error instanceof ImportError ? new UsageError(error.message) : error);
        return;
      }
      try {
        const read = await readFile(io, opts.input, opts.format, options);
        io.err(read.problems);
        const prepared = prepareBaskets(read.orders, read.products);
        const at = asOf ?? (Number.isFinite(read.latest) ? Math.floor(read.latest / 86_400_000 + 1) * 86_400_000 : 0);
        const windowDays = opts.windowDays ?? 365;
        const upgrades = findUpgrades(prepared.baskets, read.products, { asOf: at, windowDays });
        const summary =
          `${count(prepared.baskets.length)} baskets from ${count(prepared.orders)} orders, ${count(read.products.size)} products; ` +
          `${count(upgrades.length)} products with upgrades (as of ${new Date(at).toISOString().slice(0, 10)}, window ${windowDays} days)\n`;
        if (opts.json) {
          io.err(summary);
          io.out(`${JSON.stringify({ asOf: new Date(at).toISOString().slice(0, 10), windowDays, baskets: prepared.baskets.length, excluded: prepared.excluded, products: upgrades }, null, 2)}\n`);
        } else {
          io.out(summary);
          for (const p of upgrades) {
            io.out(`${p.title}\n`);
            for (const u of p.upgrades) io.out(`  → ${u.title}: ${u.explanation}\n`);
          }
        }
        done(0);
      } catch (error) {
        fail(error);
      }
    });
}

export function registerBacktest(program: Command, io: CliIo, done: (code: number) => void) {
  program
    .command("backtest")
    .description("learn recommendations before a cutoff, score them on later orders (leave one out) against best sellers")
    .requiredOption("--input <file>", "the orders file (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .requiredOption("--cutoff <day>", "learn from orders before this day (YYYY-MM-DD, UTC), evaluate on the rest")
    .option("--k <k>", "recommendations per cart (default 5)", integerFrom("--k", 1))
    .option("--min-support <s>", "fewest orders a pair needs, as a share of the orders before the cutoff (default: 5 orders)", fraction("--min-support"))
    .option("--tasks", "also score cart completion and single anchor for today's ranker, EASE and two popularity baselines")
    .option("--max-items <n>", "with --tasks: most products EASE models (default 1000)", integerFrom("--max-items", 1))
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--tz <zone>", "IANA time zone of times without an offset (default: UTC; online-retail Europe/London)")
    .option("--json", "print only JSON on stdout")
    .action(async (opts: { input: string; format: string; cutoff: string; k?: number; minSupport?: number; tasks?: boolean; maxItems?: number; map: string[]; tz?: string; json?: boolean }) => {
      const fail = reporter(io, "backtest", opts.json, done);
      const options = { map: opts.map, tz: opts.tz };
      let cutoff: number;
      try {
        resolveOptions(checkFormat(opts.format), options);
        cutoff = day("--cutoff", opts.cutoff);
      } catch (error) {
        fail(error instanceof ImportError ? new UsageError(error.message) : error);
        return;
      }
      try {
        const read = await readFile(io, opts.input, opts.format, options);
        io.err(read.problems);
        const prepared = prepareBaskets(read.orders, read.products);
        const k = opts.k ?? 5;
        const trainN = prepared.baskets.filter((b) => b.createdAt < cutoff).length;
        if (trainN === 0) throw new UsageError(`no order before --cutoff ${opts.cutoff}: nothing to learn from`);
        const pairs = opts.minSupport === undefined ? 5 : minCount(trainN, decimalFraction(opts.minSupport, "--min-support"));
        const started = performance.now();
        const result = backtest(prepared.baskets, { cutoff, k, minCount: pairs, products: read.products });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        let tasks: { lambda: number; easeItems: number; rankers: ReturnType<typeof evaluateTasks> } | undefined;
        if (opts.tasks) {
          const train = prepared.baskets.filter((b) => b.createdAt < cutoff);
          const test = prepared.baskets.filter((b) => b.createdAt >= cutoff);
          const maxItems = opts.maxItems ?? 1000;
          const { lambda } = chooseLambda(train, { maxItems });
          const ease = fitEase(
            train.map((b) => b.items),
            { lambda, maxItems },
          );
          const rules = buildRecommender(train, read.products, { minCount: pairs });
          const rankers = evaluateTasks(test, [
            recommenderRanker(rules, "rules", "co-purchase confidence (today)"),
            recommenderRanker(rules, "ease", "EASE over the admitted pairs", easeScorer(ease)),
            popularityRanker(train, { name: "popular", label: "best sellers, all time" }),
            popularityRanker(train, { name: "popular-30d", label: "best sellers, last 30 days", since: cutoff - 30 * 86_400_000 }),
          ]);
          tasks = { lambda, easeItems: ease.items.length, rankers };
        }
        const out = { ...result, cutoff: opts.cutoff, minCount: pairs, ...(tasks ? { tasks } : {}) };
        const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
        const summary =
          `${count(result.trainBaskets)} orders before ${opts.cutoff} learnt (pairs in ≥ ${count(pairs)} orders: ${count(result.rules.significantProductRules)} significant rules of ${count(result.rules.productRules)}); ` +
          `${count(result.testBaskets)} later orders with 2+ products, ${count(result.model.cases)} leave-one-out cases, in ${seconds} s\n`;
        if (opts.json) {
          io.err(summary);
          io.out(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          io.out(summary);
          io.out(`              hit-rate@${k}  precision@${k}  MAP@${k}\n`);
          io.out(`  model       ${pct(result.model.hitRate).padStart(10)}  ${pct(result.model.precision).padStart(12)}  ${pct(result.model.map).padStart(7)}\n`);
          io.out(`  popularity  ${pct(result.popularity.hitRate).padStart(10)}  ${pct(result.popularity.precision).padStart(12)}  ${pct(result.popularity.map).padStart(7)}\n`);
          if (tasks) {
            io.out(`\nTwo tasks (EASE: ${count(tasks.easeItems)} products, λ ${tasks.lambda} from the last 20 % of the training period); HR@5 ± SE clustered by order\n`);
            io.out(`              cart HR@5           HR@10     MRR@10   anchor HR@5         HR@10     MRR@10\n`);
            for (const r of tasks.rankers) {
              const cell = (m: (typeof r)["cart"]) => `${`${pct(m.hitRate5)} ± ${pct(m.clusteredSe5)}`.padEnd(18)}  ${pct(m.hitRate10).padStart(8)}  ${m.mrr10.toFixed(4)}`;
              io.out(`  ${r.name.padEnd(12)}${cell(r.cart)}   ${cell(r.anchor)}\n`);
            }
          }
        }
        done(0);
      } catch (error) {
        fail(error);
      }
    });
}
