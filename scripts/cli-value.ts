/**
 * `insight-loop clv` and `insight-loop rfm`: customer value straight from an import file (no database).
 *
 *   clv --input <file> --format cdnow|online-retail|shopify-csv|csv --calibration-end YYYY-MM-DD
 *       [--holdout-end YYYY-MM-DD] [--time-unit week|day] [--horizon <n>] [--discount-rate <d>] [--map …] [--tz …] [--json]
 *   rfm --input <file> --format … --as-of YYYY-MM-DD [--previous YYYY-MM-DD] [--map …] [--tz …] [--json]
 *
 * Orders: one purchase per order of a known customer, worth its total less refunds; cancelled and test orders and
 * orders without a customer are left out. Days are counted in --tz (the format's default time zone otherwise).
 * Amounts in the output are in major units of the file's currency (dollars, not cents); the models run on minor units.
 */
import path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { openImport, checkFormat, resolveOptions } from "../app/import/read";
import { IMPORT_FORMATS, ImportError } from "../app/import/types";
import { countTriples, fitBgNbd, InsufficientDataError, ModelInputError, nextPurchase, probabilityAlive, conditionalExpectedPurchases, type BgNbdFit } from "../app/insights/clv/bgnbd";
import { customerLifetimeValue, expectedAverageSpend, fitGammaGamma, type GammaGammaFit } from "../app/insights/clv/gamma-gamma";
import { calibrationHoldoutCheck } from "../app/insights/clv/holdout";
import { RFM_GROUPS, rfmInputs, rfmMovement, rfmScores, RfmError, type Order } from "../app/insights/clv/rfm";
import { customerSummary, dayNumberOf, dayOfNumber, SummaryError, type Purchase, type TimeUnit } from "../app/insights/clv/summary";
import { minorUnitDigits } from "../app/insights/money";
import type { CliIo } from "./cli";

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
}

interface OrdersRead {
  orders: Order[];
  currency: string;
  timeZone: string;
  skipped: { cancelled: number; test: number; withoutCustomer: number };
  problems: string[];
}

/** The file's orders as plain (customer, time, amount) records, one currency. */
async function readCustomerOrders(io: CliIo, opts: ReadOptions): Promise<OrdersRead> {
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
      orders.push({ customerId: order.customerId, at: order.createdAt.getTime(), amount: Number(order.total - order.totalRefunded) });
    }
  }
  const ctx = source.context;
  const problems = ctx.problems.map((p) => `${ctx.file}: ${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`);
  if (ctx.problemCount > problems.length) problems.push(`... and ${ctx.problemCount - problems.length} more`);
  return { orders, currency: currency ?? source.options.currency ?? "USD", timeZone: source.options.tz, skipped, problems };
}

function failWith(io: CliIo, command: string, json: boolean | undefined, done: Done) {
  return (error: unknown, code: number) => {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`insight-loop ${command}: ${message}\n`);
    const known = [ImportError, InsufficientDataError, ModelInputError, SummaryError, RfmError].some((E) => error instanceof E);
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
        map: string[];
        tz?: string;
        json?: boolean;
      }) => {
        const fail = failWith(io, "clv", opts.json, done);
        try {
          resolveOptions(checkFormat(opts.format), { map: opts.map, tz: opts.tz });
          if (opts.timeUnit !== "week" && opts.timeUnit !== "day") throw new ModelInputError(`--time-unit must be week or day, got ${JSON.stringify(opts.timeUnit)}`);
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
          // At least a quarter of history: 13 weeks or 91 days.
          const bg: BgNbdFit = fitBgNbd(countTriples(summary.customers), { minHistory: 91 / unitDays });
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
            const clv = gg ? customerLifetimeValue(bg.params, gg.params, c, { horizon, periodLength, discountRate: opts.discountRate }) : null;
            return {
              id: c.id,
              x: c.x,
              t_x: c.t_x,
              T: c.T,
              monetary: c.monetary / scale,
              pAlive: probabilityAlive(bg.params, c.x, c.t_x, c.T),
              expectedPurchases: conditionalExpectedPurchases(bg.params, c.x, c.t_x, c.T, horizon),
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
            summary.holdoutDuration !== undefined ? calibrationHoldoutCheck(bg.params, summary.customers, summary.holdoutDuration) : undefined;
          const seconds = ((performance.now() - started) / 1000).toFixed(2);
          const warnings = [...bg.warnings, ...(gg?.warnings ?? []), ...(ggError ? [ggError] : [])];
          const result = {
            timeUnit: unit,
            timeZone: read.timeZone,
            currency: read.currency,
            calibrationEnd: opts.calibrationEnd,
            ...(opts.holdoutEnd ? { holdoutEnd: opts.holdoutEnd } : {}),
            horizon,
            discountRatePerMonth: opts.discountRate,
            bgnbd: { ...bg.params, logLikelihood: bg.logLikelihood, standardErrors: bg.standardErrors, converged: bg.converged, customers: bg.customers, repeatCustomers: bg.repeatCustomers },
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
              `BG/NBD: r = ${round(bg.params.r, 4)}, alpha = ${round(bg.params.alpha, 4)}, a = ${round(bg.params.a, 4)}, b = ${round(bg.params.b, 4)}, log-likelihood = ${round(bg.logLikelihood, 2)}\n`,
            );
            if (gg) io.out(`Gamma-Gamma: p = ${round(gg.params.p, 4)}, q = ${round(gg.params.q, 4)}, v = ${round(gg.params.v / scale, 4)} ${read.currency}, log-likelihood = ${round(gg.logLikelihood, 2)}\n`);
            const top = [...customers].sort((x, y) => (y.clv ?? 0) - (x.clv ?? 0)).slice(0, 10);
            io.out(`Top customers by CLV over ${horizon} ${unit}s:\n`);
            for (const c of top) io.out(`  ${c.id.padEnd(12)} x=${c.x}  P(alive)=${c.pAlive.toFixed(3)}  E[purchases]=${c.expectedPurchases.toFixed(3)}  CLV=${c.clv?.toFixed(2) ?? "-"} ${read.currency}\n`);
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
