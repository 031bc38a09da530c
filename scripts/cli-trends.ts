/**
 * `insight-loop trends` and `insight-loop impact`: trends, seasonality (weekday, months, lunar months, Tết), forecasts
 * and "did it work?" evaluations straight from an import file (no database).
 *
 *   trends --input <file> --format <f> [--tz Asia/Ho_Chi_Minh] [--measure orders|revenue] [--granularity day|week|month]
 *          [--weeks 12] [--lunar | --no-lunar] [--seed n] [--map …] [--json]
 *          (findings from one month calendar, BH-filtered; forecast intervals calibrated by a rolling-origin backtest,
 *          whose error is printed: ADR 024)
 *   impact --input <file> --format <f> --products <ids> [--add-ons <ids>] --start YYYY-MM-DD [--end YYYY-MM-DD]
 *          --metric attach-rate|aov|revenue|units [--goal <minimum effect>] [--pre-days 90] [--as-of YYYY-MM-DD]
 *          [--seed n] [--tz …] [--map …] [--json]
 *
 * Days are shop-local in --tz (the format's default time zone otherwise). The lunar calendar (Tết, lunar months) is
 * used by default when --tz is a Vietnamese zone. Money in the JSON is in minor units of the file's currency. Product
 * ids are the import's: the SKU / StockCode / mapped `sku` column, else the slug of the product name.
 */
import path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { checkFormat, openImport, resolveOptions } from "../app/import/read";
import { IMPORT_FORMATS, ImportError } from "../app/import/types";
import { dataQuality } from "../app/insights/data-quality";
import { evaluateAction, IMPACT_METRICS, ImpactError, type ImpactMetric, type ImpactOrder } from "../app/insights/impact/evaluate";
import { forecast } from "../app/insights/trends/forecast";
import { seasonality } from "../app/insights/trends/seasonality";
import { addDays, buildSeries, type Granularity } from "../app/insights/trends/series";
import type { CliIo } from "./cli";

type Done = (code: number) => void;

const collect = (value: string, previous: string[]) => [...previous, value];
const VIETNAM_ZONES = new Set(["Asia/Ho_Chi_Minh", "Asia/Saigon"]);

function day(name: string) {
  return (text: string): string => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) throw new InvalidArgumentError(`${name} must be a day YYYY-MM-DD, got ${JSON.stringify(text)}`);
    return text;
  };
}

function integerIn(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
    return value;
  };
}

function oneOf<T extends string>(name: string, values: readonly T[]) {
  return (text: string): T => {
    if (!(values as readonly string[]).includes(text)) throw new InvalidArgumentError(`${name} must be one of ${values.join(", ")}, got ${JSON.stringify(text)}`);
    return text as T;
  };
}

function ids(text: string): string[] {
  const list = text.split(",").map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError(`expected a comma-separated list of product ids, got ${JSON.stringify(text)}`);
  return list;
}

function failure(error: unknown): { message: string; file?: string; line?: number; field?: string } {
  if (error instanceof ImportError) return { message: error.message, file: error.file, line: error.line, field: error.field };
  return { message: error instanceof Error ? error.message : String(error) };
}

interface ReadOptions {
  input: string;
  format: string;
  map: string[];
  tz?: string;
}

/** The file's orders as the trends/impact core's records, and the time zone days are counted in. */
async function readOrders(io: CliIo, opts: ReadOptions): Promise<{ orders: ImpactOrder[]; timeZone: string; problems: string[] }> {
  const options = { map: opts.map, tz: opts.tz, maxProblems: 10 };
  const resolved = resolveOptions(checkFormat(opts.format), options);
  const file = path.isAbsolute(opts.input) ? opts.input : path.resolve(io.env.INIT_CWD ?? process.cwd(), opts.input);
  const source = await openImport(file, opts.format, options);
  const orders: ImpactOrder[] = [];
  for await (const o of source.orders) {
    orders.push({
      id: o.id,
      createdAt: o.createdAt,
      customerId: o.customerId,
      currency: o.currency,
      total: Number(o.total),
      totalRefunded: Number(o.totalRefunded),
      cancelledAt: o.cancelledAt,
      test: o.test,
      lines: o.lines.map((l) => ({
        productId: l.productId === null || l.isCustom || l.isGiftCard ? null : l.productId,
        quantity: l.quantity,
        refundedQuantity: l.refundedQuantity,
        amount: Number(l.unitPrice) * l.quantity - Number(l.totalDiscount),
      })),
    });
  }
  const ctx = source.context;
  const problems = ctx.problems.map((p) => `${ctx.file}: ${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`);
  return { orders, timeZone: resolved.tz, problems };
}

function reportProblems(io: CliIo, problems: string[]): void {
  if (problems.length > 0) io.err([`${problems.length} row problem(s):`, ...problems, ""].join("\n"));
}

export function registerTrends(program: Command, io: CliIo, done: Done) {
  program
    .command("trends")
    .description("time series, seasonality (weekday, months, lunar months, Tết) and a forecast from a file (no database)")
    .requiredOption("--input <file>", "the orders file (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .option("--tz <zone>", "the shop's IANA time zone: days are counted in it (default: the format's)")
    .option("--measure <m>", "what seasonality and the forecast model: orders or revenue (default orders)", oneOf("--measure", ["orders", "revenue"] as const))
    .option("--granularity <g>", "the series' periods: day, week (ISO) or month (default week)", oneOf("--granularity", ["day", "week", "month"] as const))
    .option("--weeks <n>", "forecast horizon in weeks (default 12)", integerIn("--weeks", 1, 52))
    .option("--lunar", "use the Vietnamese lunar calendar (default when --tz is Vietnamese)")
    .option("--no-lunar", "do not use the lunar calendar")
    .option("--seed <n>", "unused since the forecast intervals became conformal (ADR 024); accepted for old scripts", integerIn("--seed", 0, 2 ** 31 - 1))
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--json", "print only JSON on stdout")
    .action(
      async (opts: ReadOptions & { measure?: "orders" | "revenue"; granularity?: Granularity; weeks?: number; lunar?: boolean; seed?: number; json?: boolean }) => {
        const fail = (error: unknown, code: number) => {
          const info = failure(error);
          io.err(`insight-loop trends: ${info.message}\n`);
          if (opts.json) io.out(`${JSON.stringify({ error: info }, null, 2)}\n`);
          done(code);
        };
        try {
          resolveOptions(checkFormat(opts.format), { map: opts.map, tz: opts.tz });
        } catch (error) {
          fail(error, 2);
          return;
        }
        try {
          const { orders, timeZone, problems } = await readOrders(io, opts);
          reportProblems(io, problems);
          const measure = opts.measure ?? "orders";
          const lunar = opts.lunar ?? VIETNAM_ZONES.has(timeZone);
          const quality = dataQuality(orders, timeZone);
          const series = buildSeries(orders, { timeZone, granularity: opts.granularity ?? "week" });
          const daily = buildSeries(orders, { timeZone, granularity: "day", currency: series.currency });
          const values = daily.points.map((p) => ({ day: p.period, value: measure === "orders" ? p.orders : Math.max(0, p.revenue) }));
          let seasonal: ReturnType<typeof seasonality> | null = null;
          let seasonalError: string | null = null;
          try {
            seasonal = seasonality(values, { lunar, measure });
          } catch (error) {
            seasonalError = error instanceof Error ? error.message : String(error);
          }
          let fc: ReturnType<typeof forecast> | null = null;
          if (seasonal && values.length >= 56) fc = forecast(values, seasonal.model, { horizonWeeks: opts.weeks ?? 12, seed: opts.seed ?? 1 });
          const result = {
            currency: series.currency,
            timeZone,
            measure,
            lunarCalendar: lunar,
            excluded: series.excluded,
            series: { granularity: series.granularity, first: series.first, last: series.last, points: series.points },
            seasonality: seasonal && {
              first: seasonal.first,
              last: seasonal.last,
              level: seasonal.level,
              trendDegree: seasonal.trendDegree,
              weekday: seasonal.weekday,
              gregorianMonths: seasonal.gregorianMonths,
              lunarMonths: seasonal.lunarMonths,
              tet: seasonal.tet,
              models: seasonal.models,
              calendar: seasonal.calendar,
              variance: seasonal.variance,
              findings: seasonal.findings.map((f) => f.text),
              caveats: seasonal.caveats,
            },
            seasonalityError: seasonalError,
            forecast: fc,
            dataQuality: { shares: quality.shares, currencies: quality.currencies, gaps: quality.gaps, caveats: quality.caveats },
          };
          if (opts.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
          else {
            const lines = [
              `${series.points.length} ${series.granularity}s from ${series.first} to ${series.last} (${timeZone}, ${series.currency}); ` +
                `left out: ${series.excluded.cancelled} cancelled, ${series.excluded.test} test, ${series.excluded.otherCurrency} in another currency`,
              ...(seasonal
                ? ["", `Months: ${seasonal.calendar.chosen} (${seasonal.calendar.verdict})`, "Findings:", ...seasonal.findings.map((f) => `  ${f.text}`), ...seasonal.caveats.map((c) => `  Note: ${c}`)]
                : [`Seasonality: ${seasonalError}`]),
              ...(fc
                ? [
                    "",
                    `Forecast (${measure}, ${Math.round(fc.level * 100)} % intervals):`,
                    ...fc.weeks.map((w) => `  ${w.start}..${w.end}  ${w.forecast.toFixed(0)}  [${w.lower.toFixed(0)}, ${w.upper.toFixed(0)}]`),
                    `Backtest (${fc.backtest.origins} origins ${fc.backtest.from}..${fc.backtest.to}, ${fc.backtest.pairs} weeks): MAPE ${fc.backtest.mape === null ? "—" : `${(fc.backtest.mape * 100).toFixed(1)} %`}, ` +
                      `MAE ${fc.backtest.mae.toFixed(1)}, sequential ${Math.round(fc.level * 100)} % interval coverage ${fc.backtest.coverage.rate === null ? "—" : `${(fc.backtest.coverage.rate * 100).toFixed(1)} % of ${fc.backtest.coverage.checked}`}`,
                  ]
                : []),
              ...(quality.caveats.length > 0 ? ["", "Data quality:", ...quality.caveats.map((c) => `  ${c.message}`)] : []),
              "",
            ];
            io.out(lines.join("\n"));
          }
          done(0);
        } catch (error) {
          fail(error, error instanceof RangeError ? 2 : 1);
        }
      },
    );
}

export function registerImpact(program: Command, io: CliIo, done: Done) {
  program
    .command("impact")
    .description("did it work? an action's effect on a metric against an automatically chosen control, from a file (no database)")
    .requiredOption("--input <file>", "the orders file (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .requiredOption("--products <ids>", "the targeted products, comma-separated", ids)
    .option("--add-ons <ids>", "attach-rate: the products whose attachment to the targets is measured", ids)
    .requiredOption("--start <day>", "first day of the action, YYYY-MM-DD", day("--start"))
    .option("--end <day>", "last day of the action (default: 30 days from --start)", day("--end"))
    .requiredOption("--metric <metric>", `the metric chosen before launch: ${IMPACT_METRICS.filter((m) => m !== "margin").join(", ")}`, oneOf("--metric", IMPACT_METRICS.filter((m) => m !== "margin")))
    .option("--goal <x>", "the minimum effect that counts as success: rate points for attach-rate, minor units for aov, a relative change for units/revenue (default 0.05, aov 0)", Number)
    .option("--decrease", "the goal is a decrease")
    .option("--pre-days <n>", "days before --start that form the comparison period (default 90)", integerIn("--pre-days", 7, 3650))
    .option("--as-of <day>", "the day of the evaluation (default: the last order's day)", day("--as-of"))
    .option("--seed <n>", "seed of the bootstrap (default 1)", integerIn("--seed", 0, 2 ** 31 - 1))
    .option("--tz <zone>", "the shop's IANA time zone (default: the format's)")
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--json", "print only JSON on stdout")
    .action(
      async (
        opts: ReadOptions & {
          products: string[];
          addOns?: string[];
          start: string;
          end?: string;
          metric: ImpactMetric;
          goal?: number;
          decrease?: boolean;
          preDays?: number;
          asOf?: string;
          seed?: number;
          json?: boolean;
        },
      ) => {
        const fail = (error: unknown, code: number) => {
          const info = failure(error);
          io.err(`insight-loop impact: ${info.message}\n`);
          if (opts.json) io.out(`${JSON.stringify({ error: info }, null, 2)}\n`);
          done(code);
        };
        try {
          resolveOptions(checkFormat(opts.format), { map: opts.map, tz: opts.tz });
          if (opts.metric === "attach-rate" && !opts.addOns) throw new ImpactError("--metric attach-rate needs --add-ons");
          if (opts.goal !== undefined && !(Number.isFinite(opts.goal) && opts.goal >= 0)) throw new ImpactError("--goal must be a non-negative number");
          if (opts.end !== undefined && opts.end < opts.start) throw new ImpactError(`--end ${opts.end} is before --start ${opts.start}`);
        } catch (error) {
          fail(error, 2);
          return;
        }
        try {
          const { orders, timeZone, problems } = await readOrders(io, opts);
          reportProblems(io, problems);
          const quality = dataQuality(orders, timeZone);
          const end = opts.end ?? addDays(opts.start, 29);
          const lastDay = orders.reduce((m, o) => (o.createdAt.getTime() > m ? o.createdAt.getTime() : m), Number.NEGATIVE_INFINITY);
          const asOf = opts.asOf ?? (Number.isFinite(lastDay) ? new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(lastDay) : opts.start);
          const result = evaluateAction(
            orders,
            {
              id: "cli",
              kind: "campaign",
              target: { products: opts.products, addOns: opts.addOns },
              window: { start: opts.start, end },
              metric: opts.metric,
              goal: { direction: opts.decrease ? "decrease" : "increase", minimumEffect: opts.goal ?? (opts.metric === "aov" ? 0 : 0.05) },
              evaluation: { preDays: opts.preDays ?? 90 },
              decidedOn: opts.start,
            },
            { timeZone, asOf, seed: opts.seed ?? 1, caveats: quality.caveats },
          );
          if (opts.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
          else {
            const v = (x: number | null | undefined) => (x === null || x === undefined ? "—" : x.toFixed(4));
            io.out(
              [
                `${result.metric}: target ${v(result.target.pre.value)} → ${v(result.target.post.value)} (${result.target.pre.units} → ${result.target.post.units} ${result.metric === "attach-rate" || result.metric === "aov" ? "orders" : "days"})`,
                result.control ? `control (${result.control.products.join(", ")}): ${v(result.control.pre.value)} → ${v(result.control.post.value)}` : "no comparable control: pre/post only",
                `effect (${result.method}, ${result.effectKind}): ${v(result.estimate)}${result.ci ? ` [${v(result.ci.lower)}, ${v(result.ci.upper)}]` : ""}`,
                `verdict: ${result.verdict} — ${result.reason}`,
                ...result.caveats.map((c) => `  Note: ${c.message}`),
                "",
              ].join("\n"),
            );
          }
          done(0);
        } catch (error) {
          fail(error, error instanceof ImpactError ? 2 : 1);
        }
      },
    );
}
