/**
 * Writes a deterministic demo store and its planted truths:
 *
 *   npx tsx scripts/generate-demo-store.ts --orders 5000 --seed 42 --out <dir> [--start 2023-01-01] [--end 2025-06-30]
 *                                          [--domain insight-loop-demo.myshopify.com]
 *
 * <dir>/store.json is the SeedStore (tests/local-shopify/seed.ts), byte-identical to JSON.stringify(store), written
 * piece by piece through a write stream so a million orders never become one string. <dir>/truth.json is the DemoTruth
 * (tests/demo-store/truth.ts), pretty-printed. Prints one summary line; exits 2 with a message naming the flag on bad
 * arguments.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { finished } from "node:stream/promises";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { planDemoStore, type DemoPlan } from "../tests/demo-store/generate";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day YYYY-MM-DD");

const Args = z
  .object({
    orders: z
      .string({ error: "is required (an integer from 1000 to 1000000)" })
      .regex(/^\d+$/, "must be an integer from 1000 to 1000000")
      .transform(Number)
      .pipe(z.number().int().min(1000, "must be an integer from 1000 to 1000000").max(1_000_000, "must be an integer from 1000 to 1000000")),
    seed: z
      .string()
      .regex(/^\d+$/, "must be a non-negative integer")
      .transform(Number)
      .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER, "is too large"))
      .default(42),
    out: z.string({ error: "is required (the output folder)" }).min(1, "must not be empty"),
    start: day.optional(),
    end: day.optional(),
    domain: z.string().optional(),
  })
  .strict();

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Milliseconds, for the elapsed time in the summary only. */
  clock: () => number;
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  clock: () => performance.now(),
};

/** `--key value` / `--key=value` pairs; anything else is an error. */
function parseFlags(argv: string[]): Record<string, string> | string {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match) return `unexpected argument "${arg}"`;
    const [, key = "", inline] = match;
    const value = inline ?? argv[++i];
    if (value === undefined) return `--${key} needs a value`;
    flags[key] = value;
  }
  return flags;
}

/** Streams `store.json`: the same bytes as JSON.stringify(store), flushed about every megabyte. */
export async function writeStoreJson(plan: DemoPlan, file: string): Promise<void> {
  const stream = createWriteStream(file, { encoding: "utf8" });
  let buffer = "";
  const flush = async () => {
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = "";
    if (!stream.write(chunk)) await once(stream, "drain");
  };
  const push = async (text: string) => {
    buffer += text;
    if (buffer.length >= 1 << 20) await flush();
  };
  await push(`{"shop":${JSON.stringify(plan.shop)},"collections":${JSON.stringify(plan.collections)}`);
  await push(`,"products":${JSON.stringify(plan.products)},"customers":[`);
  for (let i = 0; i < plan.customers.length; i++) await push((i > 0 ? "," : "") + JSON.stringify(plan.customers[i]));
  await push(`],"orders":[`);
  for (let i = 0; i < plan.orderCount; i++) await push((i > 0 ? "," : "") + JSON.stringify(plan.orderAt(i)));
  await push("]}");
  await flush();
  stream.end();
  await finished(stream);
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const usage =
    "usage: generate-demo-store --orders <1000..1000000> [--seed 42] --out <dir> " +
    "[--start YYYY-MM-DD] [--end YYYY-MM-DD] [--domain x.myshopify.com]\n";
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(usage);
    return 0;
  }
  const flags = parseFlags(argv);
  if (typeof flags === "string") {
    io.err(`generate-demo-store: ${flags}\n${usage}`);
    return 2;
  }
  const parsed = Args.safeParse(flags);
  if (!parsed.success) {
    const messages = parsed.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") return issue.keys.map((key) => `--${key}: unknown option`).join("; ");
      return `--${issue.path.join(".")}: ${issue.message}`;
    });
    io.err(`generate-demo-store: ${messages.join("; ")}\n${usage}`);
    return 2;
  }
  const args = parsed.data;
  const started = io.clock();
  let plan: DemoPlan;
  try {
    plan = planDemoStore({ seed: args.seed, orders: args.orders, start: args.start, end: args.end, domain: args.domain });
  } catch (error) {
    io.err(`generate-demo-store: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  await mkdir(args.out, { recursive: true });
  await writeStoreJson(plan, path.join(args.out, "store.json"));
  await writeFile(path.join(args.out, "truth.json"), `${JSON.stringify(plan.truth, null, 2)}\n`);
  const seconds = ((io.clock() - started) / 1000).toFixed(1);
  const t = plan.truth;
  io.out(
    `demo store: ${plan.orderCount} orders, ${plan.customers.length} customers, ${plan.products.length} products, ` +
      `${t.history.start}..${t.history.end}, seed ${t.seed} → ${path.join(args.out, "store.json")} + truth.json in ${seconds} s\n`,
  );
  return 0;
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
