/**
 * Reading an import file without a database: validates the format and options, opens the file (gzip or not) and
 * streams its orders. `importFile` (import.server.ts) writes them; other commands can analyse them directly.
 *
 *   for await (const order of readOrders("online_retail.csv.gz", "online-retail")) …
 *
 * `openImport` also gives the ParseContext: after the orders are consumed it holds the row counts, the problems and the
 * customers and products the orders mention.
 */
import type { Readable } from "node:stream";
import type { IngestOrder } from "../lib/ingest/types";
import { BASKETS_DEFAULT_DATE, parseBaskets } from "./baskets";
import { CDNOW_CURRENCY, parseCdnow } from "./cdnow";
import { checkCurrency, checkTimeZone, openInput, parseDay } from "./common";
import { parseGenericCsv, parseMapPairs } from "./generic-csv";
import { ONLINE_RETAIL_CURRENCY, ONLINE_RETAIL_TIME_ZONE, parseOnlineRetail } from "./online-retail";
import { parseShopifyCsv } from "./shopify-csv";
import {
  IMPORT_FORMATS,
  ImportError,
  isImportFormat,
  ParseContext,
  RowError,
  type ImportFormat,
  type ImportOptions,
  type ResolvedOptions,
} from "./types";

type Parser = (input: Readable, ctx: ParseContext, options: ResolvedOptions) => AsyncGenerator<IngestOrder>;

interface FormatSpec {
  parse: Parser;
  /** The only currency the format's amounts can be in, if fixed. */
  currency?: string;
  timeZone: string;
  /** Options only this format takes. */
  takes: ("map" | "date")[];
}

const FORMATS: Record<ImportFormat, FormatSpec> = {
  "shopify-csv": { parse: parseShopifyCsv, timeZone: "UTC", takes: [] },
  "online-retail": { parse: parseOnlineRetail, currency: ONLINE_RETAIL_CURRENCY, timeZone: ONLINE_RETAIL_TIME_ZONE, takes: [] },
  baskets: { parse: parseBaskets, timeZone: "UTC", takes: ["date"] },
  cdnow: { parse: parseCdnow, currency: CDNOW_CURRENCY, timeZone: "UTC", takes: [] },
  csv: { parse: parseGenericCsv, timeZone: "UTC", takes: ["map"] },
};

export function checkFormat(format: string): ImportFormat {
  if (!isImportFormat(format)) {
    throw new ImportError(`unknown format ${JSON.stringify(format)} (formats: ${IMPORT_FORMATS.join(", ")})`, { field: "--format" });
  }
  return format;
}

/** Validates the options for a format and fills in the defaults. Throws ImportError naming the option. */
export function resolveOptions(format: ImportFormat, options: ImportOptions = {}): ResolvedOptions {
  const spec = FORMATS[format];
  const map = options.map ?? [];
  if (map.length > 0 && !spec.takes.includes("map")) throw new ImportError(`--map applies to --format csv only, not ${format}`, { field: "--map" });
  if (options.date !== undefined && !spec.takes.includes("date")) {
    throw new ImportError(`--date applies to --format baskets only, not ${format}`, { field: "--date" });
  }
  if (format === "csv") parseMapPairs(map);
  const currency = options.currency === undefined ? undefined : checkCurrency(options.currency, "--currency");
  if (currency !== undefined && spec.currency !== undefined && currency !== spec.currency) {
    throw new ImportError(`--currency ${currency}: ${format} amounts are in ${spec.currency}`, { field: "--currency" });
  }
  const tz = checkTimeZone(options.tz ?? spec.timeZone);
  const date = options.date ?? BASKETS_DEFAULT_DATE;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ImportError(`--date ${JSON.stringify(date)} is not a day YYYY-MM-DD`, { field: "--date" });
  try {
    parseDay(date, tz, "--date");
  } catch (error) {
    if (error instanceof RowError) throw new ImportError(error.message, { field: "--date" });
    throw error;
  }
  for (const [name, value] of [
    ["maxDecompressedBytes", options.maxDecompressedBytes],
    ["maxRecordBytes", options.maxRecordBytes],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) throw new ImportError(`${name} must be a positive integer`);
  }
  const groupWindow = options.groupWindow ?? 1000;
  if (!Number.isInteger(groupWindow) || groupWindow < 1) throw new ImportError("groupWindow must be a positive integer");
  return { tz, currency: currency ?? spec.currency, date, map, groupWindow };
}

export interface ImportSource {
  format: ImportFormat;
  file: string;
  options: ResolvedOptions;
  /** Counts, problems, customers and products: complete once `orders` has been consumed. */
  context: ParseContext;
  orders: AsyncIterable<IngestOrder>;
  /** Releases the file when the orders are not read to the end (reading them to the end releases it too). */
  close: () => void;
}

/**
 * The order stream of bytes that are already open (an upload, a test fixture); `file` names them in messages. The
 * bytes must be uncompressed.
 */
export function openStream(input: Readable, format: string, options: ImportOptions = {}, file = "<stream>"): ImportSource {
  const checked = checkFormat(format);
  const resolved = resolveOptions(checked, options);
  const context = new ParseContext(file, options.maxProblems ?? 100, options.maxRecordBytes);
  return {
    format: checked,
    file,
    options: resolved,
    context,
    orders: FORMATS[checked].parse(input, context, resolved),
    close: () => void input.destroy(),
  };
}

/** Validates everything that can be checked before reading, opens the file and returns its order stream. */
export async function openImport(file: string, format: string, options: ImportOptions = {}): Promise<ImportSource> {
  resolveOptions(checkFormat(format), options); // bad usage is reported before the file is touched
  return openStream(await openInput(file, { maxBytes: options.maxDecompressedBytes }), format, options, file);
}

/** The orders of a file, parsed without a database. Bad rows are skipped (see openImport for the report). */
export async function* readOrders(file: string, format: string, options: ImportOptions = {}): AsyncGenerator<IngestOrder> {
  const source = await openImport(file, format, options);
  yield* source.orders;
}
