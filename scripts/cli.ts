/**
 * The `insight-loop` command line (`npm run --silent cli -- <command> …`, or `npx insight-loop <command> …` inside the
 * project through bin/insight-loop.mjs).
 *
 *   import <file> --format shopify-csv|online-retail|baskets|cdnow|csv --shop <name>
 *          [--map field=column ...] [--tz Area/City] [--currency XXX] [--date YYYY-MM-DD] [--json]
 *   rules --input <file> --format … --min-support <s> --min-confidence <c> [--min-size <m>] [--max-size <k>]
 *         [--half-life <days> [--as-of YYYY-MM-DD]] [--map …] [--tz …] [--json]      (no database: reads the file)
 *
 * With --json, stdout holds only JSON: the import report, or `{"error": {...}}` on failure; everything else goes to
 * stderr. Exit codes: 0 done, 1 the import failed (nothing written), 2 bad usage.
 *
 * The database is the app's (app/db/adapters.server.ts): DATABASE_URL, else the embedded PGlite folder
 * (PGLITE_DATA_DIR, default ./data/pglite). app/db.server.ts is not used because it needs the Shopify settings; the
 * client and the PGlite instance are closed before the process ends.
 *
 * Each command is one `register…` function below; later commands (rules, clv, backtest, trends, impact) add theirs.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { PrismaClient } from "@prisma/client";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { openPGlite, resolveDatabaseTarget, runtimeAdapter } from "../app/db/adapters.server";
import { importFile } from "../app/import/import.server";
import { checkFormat, resolveOptions } from "../app/import/read";
import { readTransactions } from "../app/import/transactions";
import { associationRules, decayWeights, MiningError, ThresholdError, type AssociationRule } from "../app/insights/rules";
import { registerClv, registerCohorts, registerRfm, registerSegments } from "./cli-value";
import { IMPORT_FORMATS, ImportError, type ImportReport } from "../app/import/types";
import { registerBacktest, registerUpgrades } from "./cli-insights";
import { registerImpact, registerTrends } from "./cli-trends";

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Whether to print progress lines to stderr (a terminal is watching). */
  progress: boolean;
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  progress: process.stderr.isTTY === true,
};

/** Runs `fn` with a PrismaClient on the app's database, and closes the client (and PGlite) afterwards. */
export async function withDatabase<T>(env: Record<string, string | undefined>, fn: (db: PrismaClient) => Promise<T>): Promise<T> {
  const target = resolveDatabaseTarget(env);
  let pglite: PGlite | undefined;
  if (target.kind === "pglite") pglite = openPGlite(target.dataDir);
  const db = new PrismaClient({ adapter: runtimeAdapter(target, pglite) });
  // Ctrl-C or a kill: the open transaction is never committed; close the embedded database cleanly before exiting.
  const stop = (signal: NodeJS.Signals) => {
    void db
      .$disconnect()
      .then(() => pglite?.close())
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await fn(db);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await db.$disconnect();
    await pglite?.close();
  }
}

const count = (n: number) => n.toLocaleString("en-US");

function describeReport(r: ImportReport): string {
  const seconds = (r.elapsedMs / 1000).toFixed(1);
  return [
    `Imported ${r.file} (${r.format}) into ${r.shop}${r.shopCreated ? " (new shop)" : ""} in ${seconds} s:`,
    `  rows: ${count(r.rowsRead)} read, ${count(r.rowsImported)} imported, ${count(r.rowsSkipped)} skipped`,
    `  ${count(r.orders)} orders (${count(r.cancelledOrders)} cancelled), ${count(r.lines)} lines, ${count(r.customers)} customers, ${count(r.products)} products`,
    `  shop currency ${r.currency}, time zone ${r.timezone}`,
    "",
  ].join("\n");
}

function describeProblems(r: ImportReport): string {
  if (r.problemCount === 0) return "";
  const shown = r.problems.map((p) => `${r.file}: ${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`);
  const more = r.problemCount - r.problems.length;
  return [`${count(r.problemCount)} problem(s):`, ...shown, ...(more > 0 ? [`... and ${count(more)} more`] : []), ""].join("\n");
}

function failure(error: unknown): { message: string; file?: string; line?: number; field?: string } {
  if (error instanceof ImportError) return { message: error.message, file: error.file, line: error.line, field: error.field };
  return { message: error instanceof Error ? error.message : String(error) };
}

const collect = (value: string, previous: string[]) => [...previous, value];

function registerImport(program: Command, io: CliIo, done: (code: number) => void) {
  program
    .command("import")
    .description("import orders from a file into a shop (all or nothing; bad rows are skipped and reported)")
    .argument("<file>", "the file to import (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .requiredOption("--shop <name>", "the shop to import into (a myshopify domain or any name; created when missing)")
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--tz <zone>", "IANA time zone of times without an offset, and of a new shop (default: UTC; online-retail Europe/London)")
    .option("--currency <code>", "ISO 4217 currency for baskets and csv rows without one (default USD)")
    .option("--date <day>", "baskets: the synthetic date of every basket, YYYY-MM-DD (default 2000-01-01)")
    .option("--json", "print only the JSON report on stdout")
    .action(async (file: string, opts: { format: string; shop: string; map: string[]; tz?: string; currency?: string; date?: string; json?: boolean }) => {
      const fail = (error: unknown, code: number) => {
        const info = failure(error);
        io.err(`insight-loop import: ${info.message}\n`);
        if (!(error instanceof ImportError) && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
        if (opts.json) io.out(`${JSON.stringify({ error: info }, null, 2)}\n`);
        done(code);
      };
      const options = { map: opts.map, tz: opts.tz, currency: opts.currency, date: opts.date };
      try {
        resolveOptions(checkFormat(opts.format), options); // bad usage fails before the database is opened
      } catch (error) {
        fail(error, 2);
        return;
      }
      try {
        const report = await withDatabase(io.env, (db) =>
          importFile({
            db,
            shop: opts.shop,
            // `npm run` starts scripts in the project folder; a relative path means the caller's folder (INIT_CWD).
            file: path.isAbsolute(file) ? file : path.resolve(io.env.INIT_CWD ?? process.cwd(), file),
            format: opts.format,
            options: {
              ...options,
              onProgress: io.progress && !opts.json ? (p) => io.err(`  ${count(p.rowsRead)} rows, ${count(p.orders)} orders written\n`) : undefined,
            },
          }),
        );
        if (opts.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
        else {
          io.out(describeReport(report));
          io.err(describeProblems(report));
        }
        done(0);
      } catch (error) {
        fail(error, 1);
      }
    });
}

/** A number option: finite, within [min, max] (and > min when `open`). */
function numberIn(name: string, min: number, max: number, open = false) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max || (open && value === min)) {
      throw new InvalidArgumentError(`${name} must be a number in ${open ? "(" : "["}${min}, ${max}], got ${JSON.stringify(text)}`);
    }
    return value;
  };
}

function integerFrom(name: string, min: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(text)}`);
    return value;
  };
}

const fixed = (x: number, digits: number) => x.toFixed(digits);

function rulesTable(rules: AssociationRule[]): string {
  const header = ["antecedent", "consequent", "support", "confidence", "lift", "leverage", "conviction", "count", "q-value", "significant"];
  const rows = rules.map((r) => [
    `{${r.antecedent.join(", ")}}`,
    `{${r.consequent.join(", ")}}`,
    fixed(r.support, 5),
    fixed(r.confidence, 4),
    fixed(r.lift, 3),
    fixed(r.leverage, 5),
    r.conviction === null ? "inf" : fixed(r.conviction, 3),
    String(r.count),
    r.qValue.toExponential(2),
    r.significant ? "yes" : "no",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), ""].join("\n");
}

function registerRules(program: Command, io: CliIo, done: (code: number) => void) {
  program
    .command("rules")
    .description("frequently-bought-together rules A → c mined from a file (no database): one transaction per order")
    .requiredOption("--input <file>", "the orders file (gzip is detected)")
    .requiredOption("--format <format>", `the file's format: ${IMPORT_FORMATS.join(", ")}`)
    .requiredOption("--min-support <s>", "minimum support in (0, 1]: the share of orders containing the whole rule", numberIn("--min-support", 0, 1, true))
    .requiredOption("--min-confidence <c>", "minimum confidence in [0, 1]", numberIn("--min-confidence", 0, 1))
    .option("--min-size <m>", "fewest items in a rule, antecedent and consequent together (default 2)", integerFrom("--min-size", 2))
    .option("--max-size <k>", "most items in a rule (default 10)", integerFrom("--max-size", 2))
    .option("--half-life <days>", "weigh orders by time decay: an order this many days older than --as-of counts half", numberIn("--half-life", 0, Number.MAX_VALUE, true))
    .option("--as-of <day>", "with --half-life: the day ages are counted from, YYYY-MM-DD (default: the latest order)")
    .option("--map <pair>", "csv: map a field to a column, field=column (repeatable)", collect, [] as string[])
    .option("--tz <zone>", "IANA time zone of times without an offset (default: UTC; online-retail Europe/London)")
    .option("--json", "print only the JSON array of rules on stdout")
    .action(
      async (opts: {
        input: string;
        format: string;
        minSupport: number;
        minConfidence: number;
        minSize?: number;
        maxSize?: number;
        halfLife?: number;
        asOf?: string;
        map: string[];
        tz?: string;
        json?: boolean;
      }) => {
        const fail = (error: unknown, code: number) => {
          const info = failure(error);
          io.err(`insight-loop rules: ${info.message}\n`);
          if (!(error instanceof ImportError || error instanceof MiningError || error instanceof ThresholdError) && error instanceof Error && error.stack) {
            io.err(`${error.stack}\n`);
          }
          if (opts.json) io.out(`${JSON.stringify({ error: info }, null, 2)}\n`);
          done(code);
        };
        const options = { map: opts.map, tz: opts.tz, maxProblems: 10 };
        const minSize = opts.minSize ?? 2;
        const maxSize = opts.maxSize ?? 10;
        let asOf: number | undefined;
        try {
          resolveOptions(checkFormat(opts.format), options);
          if (maxSize < minSize) throw new MiningError(`--max-size ${maxSize} is smaller than --min-size ${minSize}`);
          if (opts.asOf !== undefined) {
            if (opts.halfLife === undefined) throw new MiningError("--as-of applies only with --half-life");
            asOf = Date.parse(`${opts.asOf}T00:00:00Z`);
            if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf) || Number.isNaN(asOf)) throw new MiningError(`--as-of ${JSON.stringify(opts.asOf)} is not a day YYYY-MM-DD`);
          }
        } catch (error) {
          fail(error, 2);
          return;
        }
        try {
          const file = path.isAbsolute(opts.input) ? opts.input : path.resolve(io.env.INIT_CWD ?? process.cwd(), opts.input);
          const read = await readTransactions(file, opts.format, options);
          const { transactions, times } = read;
          let weights: Float64Array | undefined;
          if (opts.halfLife !== undefined) {
            const from = asOf ?? times.reduce((m, t) => Math.max(m, t), Number.NEGATIVE_INFINITY);
            const ages = times.map((t) => Math.max(0, (from - t) / 86_400_000)); // orders after --as-of count fully
            weights = decayWeights(ages, opts.halfLife);
          }
          const started = performance.now();
          const result = associationRules(transactions, { minSupport: opts.minSupport, minConfidence: opts.minConfidence, minSize, maxSize, weights });
          const seconds = ((performance.now() - started) / 1000).toFixed(2);
          const ctx = read.source.context;
          const problems = ctx.problems.map((p) => `${ctx.file}: ${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`);
          const more = ctx.problemCount - ctx.problems.length;
          if (ctx.problemCount > 0) {
            io.err([`${count(ctx.problemCount)} row(s) skipped:`, ...problems, ...(more > 0 ? [`... and ${count(more)} more`] : []), ""].join("\n"));
          }
          const summary =
            `${count(transactions.n)} transactions (${count(read.orders)} orders: ${count(read.cancelledOrders)} cancelled and ` +
            `${count(read.ordersWithoutProducts)} without products left out), ${count(transactions.names.length)} items; ` +
            `${count(result.frequentItemsets)} frequent itemsets (count ≥ ${weights ? result.supportThreshold.toFixed(3) + " weighted" : count(result.supportThreshold)}), ` +
            `${count(result.rulesTested)} candidate rules tested, ${count(result.rules.length)} rules in ${seconds} s\n`;
          if (opts.json) {
            io.err(summary);
            io.out(`${JSON.stringify(result.rules, null, 2)}\n`);
          } else {
            io.out(summary);
            io.out(result.rules.length > 0 ? rulesTable(result.rules) : "No rule reaches the thresholds.\n");
          }
          done(0);
        } catch (error) {
          fail(error, error instanceof MiningError || error instanceof ThresholdError ? 2 : 1);
        }
      },
    );
}

/** Runs the CLI on the given arguments (without `node` and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let code = 0;
  const program = new Command("insight-loop")
    .description("Insight Loop on the command line")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  registerImport(program, io, (c) => (code = c));
  registerRules(program, io, (c) => (code = c));
  registerClv(program, io, (c) => (code = c));
  registerRfm(program, io, (c) => (code = c));
  registerCohorts(program, io, (c) => (code = c));
  registerSegments(program, io, (c) => (code = c));
  registerUpgrades(program, io, (c) => (code = c));
  registerBacktest(program, io, (c) => (code = c));
  registerTrends(program, io, (c) => (code = c));
  registerImpact(program, io, (c) => (code = c));
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return 0; // --help, help
    if (argv.includes("--json")) io.out(`${JSON.stringify({ error: { message: error.message } }, null, 2)}\n`);
    return 2;
  }
  return code;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
