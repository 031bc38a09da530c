/**
 * `insight-loop clv`, `rfm`, `cohorts` and `segments`: customer value straight from an import file (no database).
 *
 *   clv --input <file> --format cdnow|online-retail|shopify-csv|csv --calibration-end YYYY-MM-DD
 *       [--holdout-end YYYY-MM-DD] [--time-unit week|day] [--horizon <n>] [--discount-rate <d>] [--map …] [--tz …] [--json]
 *   rfm --input <file> --format … --as-of YYYY-MM-DD [--previous YYYY-MM-DD] [--map …] [--tz …] [--json]
 *   cohorts --input <file> --format … [--as-of YYYY-MM-DD] [--period month|quarter|year] [--map …] [--tz …] [--json]
 *   segments --input <file> --format … --by tag-prefix:<prefix>|first-category|first-product|source|country
 *       [--as-of YYYY-MM-DD] [--inactive-days <n>] [--compare <a,b>] [--seed <n>] [--top <n>] [--map …] [--tz …] [--json]
 *
 * Orders: one purchase per order of a known customer, worth its line revenue net of discounts and refunds, without tax,
 * shipping and gift cards (ADR 026); with `clv --margin <percent>` that times the margin (import files carry no unit
 * costs), i.e. contribution. Cancelled and test orders and orders without a customer are left out.
 * `clv --model bgnbd|mbgnbd|auto`: the repeat-purchase model; auto (needs --holdout-end) fits both on the calibration
 * period and keeps the one with the lower holdout error; with a holdout the output has the validation (error, MAE,
 * decile lift, pass/fail) of every model fitted. Days are counted in --tz (the format's default time zone otherwise).
 * Amounts in the output are in major units of the file's currency (dollars, not cents); the models run on minor units.
 */
import path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { openImport, checkFormat, resolveOptions, type ImportSource } from "../app/import/read";
import type { IngestOrder } from "../app/lib/ingest/types";
import { IMPORT_FORMATS, ImportError } from "../app/import/types";
import { countTriples, fitRepeatModel, InsufficientDataError, ModelInputError, nextPurchase, REPEAT_MODEL_NAMES, type BgNbdFit, type RepeatModelKind } from "../app/insights/clv/bgnbd";
import { orderAmount, orderValue } from "../app/insights/clv/contribution";
import { aliveProbability, expectedRepeatPurchases, type RepeatModel } from "../app/insights/clv/repeat-model";
import { validateAndChoose, type HoldoutValidation } from "../app/insights/clv/validation";
import { customerLifetimeValue, expectedAverageSpend, fitGammaGamma, type GammaGammaFit } from "../app/insights/clv/gamma-gamma";
import { calibrationHoldoutCheck } from "../app/insights/clv/holdout";
import { RFM_GROUPS, rfmInputs, rfmMovement, rfmScores, RfmError, type Order } from "../app/insights/clv/rfm";
import { customerSummary, dayNumberIn, dayNumberOf, dayOfNumber, SummaryError, type Purchase, type TimeUnit } from "../app/insights/clv/summary";
import { churnByPeriod, CohortError, retentionMatrix, type ChurnPeriod } from "../app/insights/clv/cohorts";
import { compareSegments, firstOrderSegments, SegmentError, tagSegment } from "../app/insights/clv/segments";
import { minorUnitDigits } from "../app/insights/money";
import type { CliIo } from "./cli";
import { seededRng } from "../app/insights/trends/random";

type Done = (code: number) => void;

const collect = (value: string, previous: string[]) => [...previous, value];

function day(name: string) {
  return (text: string): string => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) throw new InvalidArgumentError(`${name} must be a day YYYY-MM-DD, got ${JSON.stringify(text)}`);
    return text;
  };
}

function positive(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`${name} must be a positive number, got ${JSON.stringify(text)}`);
    return value;
  };
}

function rate(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value >= 1) throw new InvalidArgumentError(`${name} must be a number in [0, 1), got ${JSON.stringify(text)}`);
    return value;
  };
}

interface ReadOptions {
  input: string;
  format: string;
  map: string[];
  tz?: string;
  /** Default margin, percent: amounts become contribution (no unit costs in files). */
  margin?: number;
}

interface OrdersRead {
  orders: Order[];
  currency: string;
  timeZone: string;
  skipped: { cancelled: number; test: number; withoutCustomer: number };
  problems: string[];
}

/**
 * The file's orders as plain (customer, time, amount) records, one currency. `each` also sees every kept order with
 * its record (for readers that keep more of it); the import context comes back for what the file says besides orders.
 */
async function readCustomerOrders(
  io: CliIo,
  opts: ReadOptions,
  each?: (order: IngestOrder, record: Order) => void,
): Promise<OrdersRead & { context: ImportSource["context"] }> {
  const file = path.isAbsolute(opts.input) ? opts.input : path.resolve(io.env.INIT_CWD ?? process.cwd(), opts.input);
  const source = await openImport(file, opts.format, { map: opts.map, tz: opts.tz, maxProblems: 10 });
  const orders: Order[] = [];
  const skipped = { cancelled: 0, test: 0, withoutCustomer: 0 };
  let currency: string | undefined;
  for await (const order of source.orders) {
    if (order.cancelledAt !== null) skipped.cancelled++;
    else if (order.test) skipped.test++;
    else if (order.customerId === null) skipped.withoutCustomer++;
    else {
      currency ??= order.currency;
      if (order.currency !== currency) throw new ImportError(`order ${order.id} is in ${order.currency}; the file's orders so far are in ${currency} (one currency per analysis)`);
      const value = orderValue(
        {
          subtotal: Number(order.subtotal),
          total: Number(order.total),
          totalRefunded: Number(order.totalRefunded),
          lines: order.lines.map((l) => ({ ...l, unitPrice: Number(l.unitPrice), totalDiscount: Number(l.totalDiscount) })),
        },
        () => null,
      );
      const margin = opts.margin === undefined ? null : opts.margin / 100;
      const amount = Math.round(orderAmount(value, margin === null ? "net-revenue" : "contribution", margin));
      const record = { customerId: order.customerId, at: order.createdAt.getTime(), amount };
      orders.push(record);
      each?.(order, record);
    }
  }
  const ctx = source.context;
  const problems = ctx.problems.map((p) => `${ctx.file}: ${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`);
  if (ctx.problemCount > problems.length) problems.push(`... and ${ctx.problemCount - problems.length} more`);
  return { orders, currency: currency ?? source.options.currency ?? "USD", timeZone: source.options.tz, skipped, problems, context: ctx };
}

function failWith(io: CliIo, command: string, json: boolean | undefined, done: Done) {
  return (error: unknown, code: number) => {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`insight-loop ${command}: ${message}\n`);
    const known = [ImportError, InsufficientDataError, ModelInputError, SummaryError, RfmError, CohortError, SegmentError].some((E) => error instanceof E);
    if (!known && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
    if (json) {
      const info: Record<string, unknown> = { message };
      if (error instanceof InsufficientDataError) Object.assign(info, { requirement: error.requirement, required: error.required, actual: error.actual });
      io.out(`${JSON.stringify({ error: info }, null, 2)}\n`);
    }
    done(code);
  };
}

const round = (v: number, digits: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);

export function registerClv(program: Command, io: CliIo, done: Done) {
  program
    .command("clv")
    .description("customer lifetime value from a file (no database): BG/NBD purchases, Gamma-Gamma spend, discounted CLV")
    .requiredOption("--input <file>", "the orders file (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .requiredOption("--calibration-end <day>", "the last day of the calibration period, YYYY-MM-DD (inclusive)", day("--calibration-end"))
    .option("--holdout-end <day>", "the last day of a holdout period to check the predictions against, YYYY-MM-DD", day("--holdout-end"))
    .option("--time-unit <unit>", "week or day (default week)", "week")
    .option("--horizon <n>", "expected purchases and CLV over this many time units (default 39 weeks / 273 days)", positive("--horizon"))
    .option("--discount-rate <d>", "CLV discount rate per month (default 0.01)", rate("--discount-rate"), 0.01)
    .option("--model <model>", "bgnbd, mbgnbd, or auto: the one with the lower holdout error (needs --holdout-end); default bgnbd", "bgnbd")
    .option("--margin <percent>", "default margin in percent: values in contribution instead of net revenue", positive("--margin"))
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--tz <zone>", "IANA time zone the days are counted in (default: the format's)")
    .option("--json", "print only JSON on stdout")
    .action(
      async (opts: {
        input: string;
        format: string;
        calibrationEnd: string;
        holdoutEnd?: string;
        timeUnit: string;
        horizon?: number;
        discountRate: number;
        model: string;
        margin?: number;
        map: string[];
        tz?: string;
        json?: boolean;
      }) => {
        const fail = failWith(io, "clv", opts.json, done);
        try {
          resolveOptions(checkFormat(opts.format), { map: opts.map, tz: opts.tz });
          if (opts.timeUnit !== "week" && opts.timeUnit !== "day") throw new ModelInputError(`--time-unit must be week or day, got ${JSON.stringify(opts.timeUnit)}`);
          if (!["bgnbd", "mbgnbd", "auto"].includes(opts.model)) throw new ModelInputError(`--model must be bgnbd, mbgnbd or auto, got ${JSON.stringify(opts.model)}`);
          if (opts.model === "auto" && opts.holdoutEnd === undefined) throw new ModelInputError("--model auto chooses by the holdout error: it needs --holdout-end");
          if (opts.margin !== undefined && opts.margin > 100) throw new ModelInputError(`--margin must be at most 100 (percent), got ${opts.margin}`);
          if (opts.holdoutEnd !== undefined && dayNumberOf(opts.holdoutEnd) <= dayNumberOf(opts.calibrationEnd)) {
            throw new ModelInputError(`--holdout-end ${opts.holdoutEnd} must be after --calibration-end ${opts.calibrationEnd}`);
          }
        } catch (error) {
          fail(error, 2);
          return;
        }
        try {
          const unit = opts.timeUnit as TimeUnit;
          const unitDays = unit === "week" ? 7 : 1;
          const horizon = opts.horizon ?? (unit === "week" ? 39 : 273);
          const read = await readCustomerOrders(io, opts);
          if (read.problems.length > 0) io.err(`${read.problems.length} row problem(s):\n${read.problems.join("\n")}\n`);
          const purchases: Purchase[] = read.orders.map((o) => ({ customerId: o.customerId, at: o.at, amount: o.amount }));
          const summary = customerSummary(purchases, {
            calibrationEnd: opts.calibrationEnd,
            holdoutEnd: opts.holdoutEnd,
            timeUnit: unit,
            timeZone: read.timeZone,
            currency: read.currency,
          });
          const started = performance.now();
          // At least a quarter of history: 13 weeks or 91 days. With a holdout, every model asked for is checked on it.
          const counts = countTriples(summary.customers);
          const kinds: RepeatModelKind[] = opts.model === "auto" ? ["bgnbd", "mbgnbd"] : [opts.model as RepeatModelKind];
          const fits = new Map(kinds.map((k) => [k, fitRepeatModel(k, counts, { minHistory: 91 / unitDays })] as const));
          const checked =
            summary.holdoutDuration !== undefined
              ? validateAndChoose(
                  kinds.map((k) => ({ kind: k, params: fits.get(k)!.params })),
                  summary.customers,
                  summary.holdoutDuration,
                )
              : null;
          const validations: HoldoutValidation[] = checked?.models ?? [];
          const choice = opts.model === "auto" ? checked!.choice : null;
          const kind = choice?.chosen ?? kinds[0]!;
          const bg: BgNbdFit = fits.get(kind)!;
          const model: RepeatModel = { kind, params: bg.params };
          let gg: GammaGammaFit | null = null;
          let ggError: string | null = null;
          try {
            gg = fitGammaGamma(summary.customers);
          } catch (error) {
            if (!(error instanceof InsufficientDataError)) throw error;
            ggError = error.message;
          }
          const scale = 10 ** minorUnitDigits(read.currency);
          const periodLength = 365.25 / 12 / unitDays;
          const customers = summary.customers.map((c) => {
            const next = nextPurchase(bg.params, c.x, c.t_x, c.T);
            const clv = gg ? customerLifetimeValue(model, gg.params, c, { horizon, periodLength, discountRate: opts.discountRate }) : null;
            return {
              id: c.id,
              x: c.x,
              t_x: c.t_x,
              T: c.T,
              monetary: c.monetary / scale,
              pAlive: aliveProbability(model, c.x, c.t_x, c.T),
              expectedPurchases: expectedRepeatPurchases(model, c.x, c.t_x, c.T, horizon),
              expectedSpendPerPurchase: gg ? expectedAverageSpend(gg.params, c.x, c.monetary) / scale : null,
              clv: clv === null ? null : clv / scale,
              nextPurchase: {
                probabilityWithinHorizon: next.probabilityWithin(horizon),
                medianDateIfAlive: dayOfNumber(dayNumberOf(opts.calibrationEnd) + Math.round(next.medianWaitIfAlive * unitDays)),
              },
              ...(c.holdout ? { holdout: { x: c.holdout.x, spend: c.holdout.spend / scale } } : {}),
            };
          });
          const holdout =
            summary.holdoutDuration !== undefined ? calibrationHoldoutCheck(model, summary.customers, summary.holdoutDuration) : undefined;
          const seconds = ((performance.now() - started) / 1000).toFixed(2);
          const warnings = [...[...fits.values()].flatMap((f) => f.warnings), ...(gg?.warnings ?? []), ...(ggError ? [ggError] : [])];
          const result = {
            timeUnit: unit,
            timeZone: read.timeZone,
            currency: read.currency,
            calibrationEnd: opts.calibrationEnd,
            ...(opts.holdoutEnd ? { holdoutEnd: opts.holdoutEnd } : {}),
            horizon,
            discountRatePerMonth: opts.discountRate,
            valueBasis: opts.margin === undefined ? "net revenue (net of discounts and refunds, without tax, shipping and gift cards)" : `contribution at a ${opts.margin} % margin`,
            purchaseModel: { kind, name: REPEAT_MODEL_NAMES[kind], ...bg.params, logLikelihood: bg.logLikelihood, standardErrors: bg.standardErrors, converged: bg.converged },
            ...(kind === "bgnbd"
              ? { bgnbd: { ...bg.params, logLikelihood: bg.logLikelihood, standardErrors: bg.standardErrors, converged: bg.converged, customers: bg.customers, repeatCustomers: bg.repeatCustomers } }
              : {}),
            ...(validations.length > 0 ? { validation: { models: validations, ...(choice ? { choice } : {}) } } : {}),
            gammaGamma: gg
              ? {
                  p: gg.params.p,
                  q: gg.params.q,
                  v: gg.params.v / scale,
                  logLikelihood: gg.logLikelihood,
                  standardErrors: gg.standardErrors && { ...gg.standardErrors, v: gg.standardErrors.v / scale },
                  converged: gg.converged,
                  customers: gg.customers,
                }
              : null,
            warnings,
            customers,
            ...(holdout ? { holdout } : {}),
          };
          const note =
            `${summary.customers.length} customers (${bg.repeatCustomers} with repeat purchases; ${read.skipped.cancelled} cancelled, ${read.skipped.test} test and ` +
            `${read.skipped.withoutCustomer} guest orders left out), models fitted in ${seconds} s\n` +
            warnings.map((w) => `warning: ${w}\n`).join("");
          if (opts.json) {
            io.err(note);
            io.out(`${JSON.stringify(result, null, 2)}\n`);
          } else {
            io.out(note);
            io.out(
              `${REPEAT_MODEL_NAMES[kind]}${choice ? ` (chosen: ${choice.reason})` : ""}: r = ${round(bg.params.r, 4)}, alpha = ${round(bg.params.alpha, 4)}, a = ${round(bg.params.a, 4)}, b = ${round(bg.params.b, 4)}, log-likelihood = ${round(bg.logLikelihood, 2)}\n`,
            );
            if (gg) io.out(`Gamma-Gamma: p = ${round(gg.params.p, 4)}, q = ${round(gg.params.q, 4)}, v = ${round(gg.params.v / scale, 4)} ${read.currency}, log-likelihood = ${round(gg.logLikelihood, 2)}\n`);
            const top = [...customers].sort((x, y) => (y.clv ?? 0) - (x.clv ?? 0)).slice(0, 10);
            io.out(`Top customers by CLV (${opts.margin === undefined ? "net revenue" : "contribution"}) over ${horizon} ${unit}s:\n`);
            for (const c of top) io.out(`  ${c.id.padEnd(12)} x=${c.x}  P(alive)=${c.pAlive.toFixed(3)}  E[purchases]=${c.expectedPurchases.toFixed(3)}  CLV=${c.clv?.toFixed(2) ?? "-"} ${read.currency}\n`);
            for (const v of validations) {
              io.out(
                `Holdout check of ${REPEAT_MODEL_NAMES[v.model]}: total error ${v.aggregateError === null ? "-" : `${(v.aggregateError * 100).toFixed(1)} %`}, ` +
                  `MAE ${v.mae.toFixed(4)} per customer (naive ${v.naiveMae.toFixed(4)}), top-decile lift ${v.topDecileLift?.toFixed(2) ?? "-"}: ${v.passes ? "passed" : `failed (${v.failures.join("; ")})`}\n`,
              );
              io.out(`  deciles (predicted/actual per customer): ${v.deciles.map((d) => `${d.predicted.toFixed(2)}/${d.actual.toFixed(2)}`).join(" ")}\n`);
            }
            if (holdout) {
              io.out(`Holdout (${holdout.duration.toFixed(2)} ${unit}s): actual ${holdout.totalActual} vs predicted ${holdout.totalPredicted.toFixed(1)} repeat purchases\n`);
              for (const b of holdout.buckets) io.out(`  x=${b.frequency.padEnd(3)} ${String(b.customers).padStart(7)} customers  actual ${b.actual.toFixed(3)}  predicted ${b.predicted.toFixed(3)}\n`);
            }
          }
          done(0);
        } catch (error) {
          fail(error, error instanceof InsufficientDataError || error instanceof SummaryError || error instanceof ModelInputError ? 2 : 1);
        }
      },
    );
}

export function registerRfm(program: Command, io: CliIo, done: Done) {
  program
    .command("rfm")
    .description("RFM scores and Shopify's RFM groups from a file (no database), optionally the movement since an earlier day")
    .requiredOption("--input <file>", "the orders file (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .requiredOption("--as-of <day>", "score the customers at the end of this day, YYYY-MM-DD", day("--as-of"))
    .option("--previous <day>", "also the movement between groups from this earlier day to --as-of", day("--previous"))
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--tz <zone>", "IANA time zone the days are counted in (default: the format's)")
    .option("--json", "print only JSON on stdout")
    .action(async (opts: { input: string; format: string; asOf: string; previous?: string; map: string[]; tz?: string; json?: boolean }) => {
      const fail = failWith(io, "rfm", opts.json, done);
      try {
        resolveOptions(checkFormat(opts.format), { map: opts.map, tz: opts.tz });
        if (opts.previous !== undefined && dayNumberOf(opts.previous) >= dayNumberOf(opts.asOf)) throw new RfmError(`--previous ${opts.previous} must be before --as-of ${opts.asOf}`);
      } catch (error) {
        fail(error, 2);
        return;
      }
      try {
        const read = await readCustomerOrders(io, opts);
        if (read.problems.length > 0) io.err(`${read.problems.length} row problem(s):\n${read.problems.join("\n")}\n`);
        const scale = 10 ** minorUnitDigits(read.currency);
        const inputs = rfmInputs(read.orders, { asOf: opts.asOf, timeZone: read.timeZone });
        const scores = rfmScores(inputs);
        const groups = Object.fromEntries(RFM_GROUPS.map((g) => [g, 0])) as Record<string, number>;
        for (const s of scores) groups[s.group]!++;
        const customers = scores.map((s, i) => ({ ...s, daysSinceLastOrder: inputs[i]!.daysSinceLastOrder, orders: inputs[i]!.orders, spend: inputs[i]!.spend / scale }));
        const movement = opts.previous ? rfmMovement(read.orders, { from: opts.previous, to: opts.asOf, timeZone: read.timeZone }) : undefined;
        const result = { asOf: opts.asOf, timeZone: read.timeZone, currency: read.currency, groups, customers, ...(movement ? { movement } : {}) };
        const note = `${scores.length} customers scored at the end of ${opts.asOf} (${read.timeZone})\n`;
        if (opts.json) {
          io.err(note);
          io.out(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          io.out(note);
          for (const g of RFM_GROUPS) io.out(`  ${g.padEnd(18)} ${String(groups[g]).padStart(8)}\n`);
          if (movement) {
            io.out(`Movement from ${movement.from} (rows) to ${movement.to} (columns):\n`);
            const short = movement.groups.map((g) => g.slice(0, 6));
            io.out(`  ${"".padEnd(18)}${short.map((s) => s.padStart(8)).join("")}\n`);
            movement.matrix.forEach((row, i) => io.out(`  ${movement.groups[i]!.padEnd(18)}${row.map((v) => String(v).padStart(8)).join("")}\n`));
          }
        }
        done(0);
      } catch (error) {
        fail(error, error instanceof RfmError || error instanceof SummaryError ? 2 : 1);
      }
    });
}

interface SegmentRead extends OrdersRead {
  /** The orders again, with what segments need: source and product lines. */
  detailed: { customerId: string; at: number; amount: number; source: string | null; lines: { product: string; category: string | null }[] }[];
  customers: Map<string, { tags: string[]; countryCode: string | null }>;
}

/** Like readCustomerOrders, keeping each order's source and lines and the file's customers (tags, country). */
async function readSegmentOrders(io: CliIo, opts: ReadOptions): Promise<SegmentRead> {
  const detailed: SegmentRead["detailed"] = [];
  const { context: ctx, ...read } = await readCustomerOrders(io, opts, (order, record) =>
    detailed.push({
      ...record,
      source: order.sourceName,
      lines: order.lines.map((l) => ({ product: l.productId ?? l.title, category: l.productId === null ? null : l.productId })),
    }),
  );
  // A product's category is its product type (empty in most import formats: then the category is unknown).
  for (const d of detailed) {
    for (const line of d.lines) {
      const product = line.category === null ? undefined : ctx.products.get(line.category);
      line.category = product && product.productType !== "" ? product.productType : null;
      if (product) line.product = product.title;
    }
  }
  const customers = new Map([...ctx.customers].map(([id, c]) => [id, { tags: c.tags, countryCode: c.countryCode }]));
  return { ...read, detailed, customers };
}

/** The last order's day in the time zone (the default as-of day). */
function lastOrderDay(orders: readonly Order[], timeZone: string): string {
  let last = -Infinity;
  for (const o of orders) if (o.at > last) last = o.at;
  if (last === -Infinity) throw new CohortError("the file has no orders of known customers");
  return dayOfNumber(dayNumberIn(timeZone)(last));
}

export function registerCohorts(program: Command, io: CliIo, done: Done) {
  program
    .command("cohorts")
    .description("cohort retention matrix by first-order month and churn per period from a file (no database)")
    .requiredOption("--input <file>", "the orders file (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .option("--as-of <day>", "the last day observed, YYYY-MM-DD (default: the last order's day)", day("--as-of"))
    .option("--period <period>", "churn period: month, quarter or year (default month)", "month")
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--tz <zone>", "IANA time zone the months are counted in (default: the format's)")
    .option("--json", "print only JSON on stdout")
    .action(async (opts: { input: string; format: string; asOf?: string; period: string; map: string[]; tz?: string; json?: boolean }) => {
      const fail = failWith(io, "cohorts", opts.json, done);
      try {
        resolveOptions(checkFormat(opts.format), { map: opts.map, tz: opts.tz });
        if (!["month", "quarter", "year"].includes(opts.period)) throw new CohortError(`--period must be month, quarter or year, got ${JSON.stringify(opts.period)}`);
      } catch (error) {
        fail(error, 2);
        return;
      }
      try {
        const read = await readCustomerOrders(io, opts);
        if (read.problems.length > 0) io.err(`${read.problems.length} row problem(s):\n${read.problems.join("\n")}\n`);
        const scale = 10 ** minorUnitDigits(read.currency);
        const asOf = opts.asOf ?? lastOrderDay(read.orders, read.timeZone);
        const matrix = retentionMatrix(read.orders, { timeZone: read.timeZone, asOf });
        const churn = churnByPeriod(read.orders, { timeZone: read.timeZone, asOf, period: opts.period as ChurnPeriod });
        const cohorts = matrix.cohorts.map((c) => ({
          ...c,
          revenuePerCustomer: c.revenuePerCustomer.map((v) => round(v / scale, 4)),
          cumulativeRevenuePerCustomer: c.cumulativeRevenuePerCustomer.map((v) => round(v / scale, 4)),
        }));
        const result = { ...matrix, currency: read.currency, cohorts, churnPeriod: opts.period, churn };
        const note =
          `${cohorts.reduce((s, c) => s + c.customers, 0)} customers in ${cohorts.length} monthly cohorts to ${asOf} (${read.timeZone}; ${read.skipped.cancelled} cancelled, ` +
          `${read.skipped.test} test and ${read.skipped.withoutCustomer} guest orders left out)${matrix.lastMonthPartial ? `; ${matrix.lastMonth} is a partial month` : ""}\n`;
        if (opts.json) {
          io.err(note);
          io.out(`${JSON.stringify(result, null, 2)}\n`);
        } else {
          io.out(note);
          io.out("Retention (share of the cohort buying in month +k):\n");
          for (const c of cohorts) io.out(`  ${c.cohort} ${String(c.customers).padStart(7)}  ${c.retention.map((v) => `${(100 * v).toFixed(0)}%`.padStart(5)).join("")}\n`);
          io.out(`Churn per ${opts.period} (active in the previous period, no order in this one):\n`);
          for (const r of churn) io.out(`  ${r.period.padEnd(8)} ${r.churnRate === null ? "    -" : `${(100 * r.churnRate).toFixed(1)}%`.padStart(6)} of ${r.activeBefore}  (${r.returning} returning, ${r.new} new)\n`);
        }
        done(0);
      } catch (error) {
        fail(error, error instanceof CohortError || error instanceof SummaryError ? 2 : 1);
      }
    });
}

const SEGMENT_BY = /^(tag-prefix:.+|first-category|first-product|source|country)$/;


export function registerSegments(program: Command, io: CliIo, done: Done) {
  program
    .command("segments")
    .description("compare customer segments (a tag group, first category or product, acquisition source, country) from a file (no database)")
    .requiredOption("--input <file>", "the orders file (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .requiredOption("--by <attribute>", "tag-prefix:<prefix> (e.g. tag-prefix:age:), first-category, first-product, source or country")
    .option("--as-of <day>", "the last day observed, YYYY-MM-DD (default: the last order's day)", day("--as-of"))
    .option("--inactive-days <n>", "churn: no order in the last n days (default 365)", positive("--inactive-days"), 365)
    .option("--compare <a,b>", "bootstrap intervals of the differences between two segments, e.g. age:15-22,age:23-30")
    .option("--seed <n>", "bootstrap seed (default 1)", positive("--seed"), 1)
    .option("--top <n>", "top products per segment (default 5)", positive("--top"), 5)
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--tz <zone>", "IANA time zone the days are counted in (default: the format's)")
    .option("--json", "print only JSON on stdout")
    .action(
      async (opts: { input: string; format: string; by: string; asOf?: string; inactiveDays: number; compare?: string; seed: number; top: number; map: string[]; tz?: string; json?: boolean }) => {
        const fail = failWith(io, "segments", opts.json, done);
        let compare: [string, string] | undefined;
        try {
          resolveOptions(checkFormat(opts.format), { map: opts.map, tz: opts.tz });
          if (!SEGMENT_BY.test(opts.by)) throw new SegmentError(`--by must be tag-prefix:<prefix>, first-category, first-product, source or country, got ${JSON.stringify(opts.by)}`);
          if (opts.compare !== undefined) {
            const parts = opts.compare.split(",").map((s) => s.trim());
            if (parts.length !== 2 || parts.some((p) => p === "")) throw new SegmentError(`--compare must be two segments separated by a comma, got ${JSON.stringify(opts.compare)}`);
            compare = [parts[0]!, parts[1]!];
          }
        } catch (error) {
          fail(error, 2);
          return;
        }
        try {
          const read = await readSegmentOrders(io, opts);
          if (read.problems.length > 0) io.err(`${read.problems.length} row problem(s):\n${read.problems.join("\n")}\n`);
          const scale = 10 ** minorUnitDigits(read.currency);
          const asOf = opts.asOf ?? lastOrderDay(read.orders, read.timeZone);
          // Inactivity is measured to the end of the as-of day (UTC; hours do not matter for a churn window of days).
          const asOfEnd = Date.parse(`${asOf}T00:00:00Z`) + 86_400_000;
          const dayOf = dayNumberIn(read.timeZone);
          const asOfDay = dayNumberOf(asOf);
          const inRange = read.detailed.filter((o) => dayOf(o.at) <= asOfDay);
          let segmentOf: (id: string) => string | null;
          if (opts.by.startsWith("tag-prefix:")) {
            const prefix = opts.by.slice("tag-prefix:".length);
            segmentOf = (id) => tagSegment(read.customers.get(id)?.tags ?? [], prefix);
          } else if (opts.by === "country") {
            segmentOf = (id) => read.customers.get(id)?.countryCode ?? null;
          } else {
            const first = firstOrderSegments(
              inRange.map((o) => ({
                customerId: o.customerId,
                at: o.at,
                value: opts.by === "source" ? o.source : opts.by === "first-product" ? (o.lines[0]?.product ?? null) : (o.lines[0]?.category ?? null),
              })),
            );
            segmentOf = (id) => first.get(id) ?? null;
          }
          const ids = new Set(inRange.map((o) => o.customerId));
          const customers = [...ids].map((id) => ({ id, segment: segmentOf(id) }));
          const report = compareSegments(
            customers,
            inRange.map((o) => ({ customerId: o.customerId, at: o.at, amount: o.amount, products: o.lines.map((l) => l.product) })),
            {
              inactiveAfterDays: opts.inactiveDays,
              asOf: asOfEnd,
              topProducts: opts.top,
              ...(compare ? { compare, random: seededRng(opts.seed) } : {}),
            },
          );
          const warnings: string[] = [];
          if (report.segments.length === 0) warnings.push(`no customer has a value for ${opts.by} in this file (${report.unassigned} customers without one)`);
          else if (report.unassigned > 0) warnings.push(`${report.unassigned} customer(s) have no value for ${opts.by}: left out`);
          const money = (v: number) => round(v / scale, 4);
          const segments = report.segments.map((s) => ({ ...s, revenue: money(s.revenue), aov: money(s.aov) }));
          const comparison = report.comparison && {
            ...report.comparison,
            differences: report.comparison.differences.map((d) =>
              d.metric === "aov" ? { ...d, a: money(d.a), b: money(d.b), difference: money(d.difference), low: money(d.low), high: money(d.high) } : d,
            ),
          };
          const result = { by: opts.by, asOf, timeZone: read.timeZone, currency: read.currency, churn: `no order in the last ${opts.inactiveDays} days`, segments, unassigned: report.unassigned, comparison, warnings };
          const note = `${customers.length} customers in ${segments.length} segment(s) by ${opts.by} to ${asOf}\n` + warnings.map((w) => `warning: ${w}\n`).join("");
          if (opts.json) {
            io.err(note);
            io.out(`${JSON.stringify(result, null, 2)}\n`);
          } else {
            io.out(note);
            for (const s of segments) {
              io.out(
                `  ${s.segment.padEnd(20)} ${String(s.customers).padStart(7)} customers  AOV ${s.aov.toFixed(2)} ${read.currency}  ${s.purchaseFrequency.toFixed(2)} orders each  ` +
                  `repeat ${(100 * s.repeatRate).toFixed(1)}%  churn ${s.churn === null ? "-" : `${(100 * s.churn).toFixed(1)}%`}\n`,
              );
            }
            if (comparison) {
              io.out(`${comparison.a} − ${comparison.b} (${(100 * comparison.level).toFixed(0)}% bootstrap intervals, ${comparison.resamples} resamples, seed ${opts.seed}):\n`);
              for (const d of comparison.differences) io.out(`  ${d.metric.padEnd(18)} ${d.difference.toFixed(4)} [${d.low.toFixed(4)}, ${d.high.toFixed(4)}]${d.significant ? " significant" : ""}\n`);
            }
          }
          done(0);
        } catch (error) {
          fail(error, error instanceof SegmentError || error instanceof SummaryError ? 2 : 1);
        }
      },
    );
}
