/**
 * What every format parser shares: opening a file (gzip detected by its magic bytes, never read whole), CSV records
 * with their line numbers (csv-parse's streaming API), header lookup, and exact parsing of integers, money and
 * timestamps — wall-clock times in an IANA time zone converted to UTC instants with the platform's time zone data.
 */
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { pipeline, Transform, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { parse, type CsvError, type Options as CsvParseOptions } from "csv-parse";
import { MoneyError, minorUnitDigits, toMinorUnits } from "../insights/money";
import type { IngestLine } from "../lib/ingest/types";
import { ImportError, RowError, slug, type ParseContext } from "./types";

// ---------------------------------------------------------------------------------------------------------------------
// Input

const sizeText = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MB` : bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KB` : `${bytes} bytes`;

/**
 * Passes bytes through until more than `maxBytes` have gone by, then fails with an ImportError naming the line the
 * limit was passed on; it counts as the bytes stream by, so a compression bomb is stopped after `maxBytes`, never
 * inflated whole.
 */
export function byteLimit(maxBytes: number, file: string): Transform {
  let bytes = 0;
  let line = 1;
  const newlines = (chunk: Buffer, end: number) => {
    let n = 0;
    for (let i = chunk.indexOf(10); i !== -1 && i < end; i = chunk.indexOf(10, i + 1)) n++;
    return n;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        const allowed = chunk.length - (bytes - maxBytes);
        line += newlines(chunk, allowed);
        done(
          new ImportError(`the file holds more than ${sizeText(maxBytes)} once decompressed, the most accepted; nothing was imported`, {
            file,
            line,
          }),
        );
        return;
      }
      line += newlines(chunk, chunk.length);
      done(null, chunk);
    },
  });
}

/**
 * The file's bytes as a stream, gunzipped when it starts with the gzip magic bytes (whatever its name). Fails at once,
 * with an ImportError naming the file, when it cannot be opened; read errors later surface from the stream. With
 * `maxBytes`, the stream fails (ImportError) once it has given more than that many bytes, decompressed ones for gzip.
 */
export async function openInput(file: string, { maxBytes }: { maxBytes?: number } = {}): Promise<Readable> {
  let magic: Buffer;
  try {
    const handle = await open(file, "r");
    try {
      if ((await handle.stat()).isDirectory()) throw new ImportError("is a folder, not a file", { file });
      magic = Buffer.alloc(2);
      const { bytesRead } = await handle.read(magic, 0, 2, 0);
      magic = magic.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ImportError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw new ImportError(`cannot read the file (${reason})`, { file }, { cause: error });
  }
  const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
  const limit = maxBytes === undefined ? undefined : byteLimit(maxBytes, file);
  if (magic[0] !== 0x1f || magic[1] !== 0x8b) {
    if (!limit) return raw;
    pipeline(raw, limit, () => {}); // errors reach the consumer through the limit
    return limit;
  }
  const gunzip = createGunzip();
  // errors reach the consumer through the last stream; the limit's error stops gunzip, so a bomb is never inflated
  if (limit) pipeline(raw, gunzip, limit, () => {});
  else pipeline(raw, gunzip, () => {});
  // zlib can report a truncated file ("unexpected end of file") once more after the pipelines above have finished and
  // let go of it; with no listener left that report would crash the process. The consumer has its error already.
  gunzip.on("error", () => {});
  return limit ?? gunzip;
}

/** Errors of reading or decompressing (not of the data): the whole import stops. */
export function readFailure(file: string, error: unknown): ImportError {
  if (error instanceof ImportError) return error;
  const e = error as NodeJS.ErrnoException;
  const zlib = typeof e.code === "string" && e.code.startsWith("Z_");
  return new ImportError(`${zlib ? "cannot decompress the file" : "cannot read the file"}: ${e.message}`, { file }, { cause: error });
}

// ---------------------------------------------------------------------------------------------------------------------
// CSV

export interface CsvRow {
  /** 1-based line where the record starts. */
  line: number;
  fields: string[];
}

export interface CsvOptions {
  /** Rows may have any number of fields (baskets). Otherwise a row whose field count differs from the first is skipped. */
  relaxColumnCount?: boolean;
}

function csvMessage(error: CsvError): string {
  const text = error.message.replace(/ (?:on|at) line \d+/, "").replace(/ instead of delimiter.*$/, "");
  return `malformed CSV row (${text})`;
}

/**
 * Records of a CSV stream, the header included, each with the line it starts on. Blank lines are not records. A
 * record the CSV parser rejects (wrong field count, a stray quote) is counted as a read row, skipped and reported, in
 * line order with the rows the caller skips. A quoted field still open at the end of the file stops the import: the
 * rows it swallowed cannot be recovered.
 */
export async function* csvRows(input: Readable, ctx: ParseContext, options: CsvOptions = {}): AsyncGenerator<CsvRow> {
  const pending: { line: number; message: string }[] = [];
  let unclosed: number | undefined;
  // csv-parse counts each CR and each LF inside a quoted field as a line, so a quoted CRLF counts twice and every
  // later line number is one too high. `over` is that excess so far; records are numbered here, in parse order.
  let over = 0;
  // The last line of the last record the parser finished (good or skipped): a record too long starts after it.
  let parsedEnd = 0;
  const csvOptions: CsvParseOptions<CsvRow, string[]> = {
    bom: true,
    skip_empty_lines: true,
    relax_column_count: options.relaxColumnCount ?? false,
    skip_records_with_error: true,
    // csv-parse holds the record it is reading in memory: an endless (unclosed) quoted field must stop here.
    max_record_size: ctx.maxRecordBytes,
    on_record: (record, context): CsvRow => {
      let breaks = 0;
      let crlf = 0;
      for (const field of record) {
        if (field.indexOf("\n") === -1 && field.indexOf("\r") === -1) continue;
        for (let i = 0; i < field.length; i++) {
          const ch = field.charCodeAt(i);
          if (ch === 10) breaks++;
          else if (ch === 13) {
            if (field.charCodeAt(i + 1) === 10) crlf++;
            else breaks++;
          }
        }
      }
      const end = context.lines - over - crlf;
      over += crlf;
      parsedEnd = end;
      return { line: end - breaks, fields: record };
    },
    on_skip: (error: CsvError | undefined) => {
      if (!error) return;
      const line = typeof error.lines === "number" ? error.lines - over : 0;
      if (error.code === "CSV_MAX_RECORD_SIZE") {
        // Thrown here, the error stops the parser and the import (csv-parse hands it to the stream).
        throw new ImportError(
          `the record starting after line ${parsedEnd} is longer than ${sizeText(ctx.maxRecordBytes)} (still going at line ${line}); a quoted field is probably never closed — fix the quoting`,
          { file: ctx.file, line: parsedEnd + 1 },
        );
      }
      parsedEnd = line;
      if (error.code === "CSV_QUOTE_NOT_CLOSED") unclosed = line;
      else pending.push({ line, message: csvMessage(error) });
    },
  };
  // parse()'s typings only accept the default record type; on_record above turns each record into a CsvRow.
  const parser = parse(csvOptions as unknown as CsvParseOptions);
  pipeline(input, parser, () => {}); // a read or gunzip error destroys the parser, which rejects the loop below
  const flush = (before: number) => {
    while (pending.length > 0 && pending[0]!.line < before) {
      const { line, message } = pending.shift()!;
      ctx.rowsRead++;
      ctx.skip(line, message);
    }
  };
  let lastLine = 0;
  try {
    for await (const row of parser as AsyncIterable<CsvRow>) {
      flush(row.line);
      lastLine = row.line;
      yield row;
    }
  } catch (error) {
    throw readFailure(ctx.file, error);
  }
  flush(Number.POSITIVE_INFINITY);
  if (unclosed !== undefined) {
    throw new ImportError(
      `a quoted field opened after line ${lastLine} is never closed (the file ends inside quotes); fix the quoting`,
      { file: ctx.file, line: lastLine + 1 },
    );
  }
}

/** Fails with an ImportError naming the line once one line holds more than `maxBytes` bytes (readline would buffer it). */
function lineLimit(maxBytes: number, file: string): Transform {
  let line = 1;
  let length = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let from = 0;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
        if (length + (i - from) > maxBytes) break;
        line++;
        length = 0;
        from = i + 1;
      }
      length += chunk.length - from;
      if (length > maxBytes) {
        done(new ImportError(`the line is longer than ${sizeText(maxBytes)}, the most one record may hold`, { file, line }));
        return;
      }
      done(null, chunk);
    },
  });
}

/** Lines of a text stream (CRLF or LF), numbered from 1. A line longer than ctx.maxRecordBytes stops the import. */
export async function* textLines(input: Readable, ctx: ParseContext): AsyncGenerator<{ line: number; text: string }> {
  const guard = lineLimit(ctx.maxRecordBytes, ctx.file);
  pipeline(input, guard, () => {}); // the guard's or the input's error reaches readline's loop below
  const lines = createInterface({ input: guard, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      yield { line, text: line === 1 ? text.replace(/^\uFEFF/, "") : text };
    }
  } catch (error) {
    throw readFailure(ctx.file, error);
  } finally {
    lines.close();
    guard.destroy(); // readline does not release its input when the reader stops early
    input.destroy();
  }
}

/**
 * Finds the named columns in a header row (case and surrounding spaces ignored). A missing required column stops the
 * import with a message naming it and listing the header.
 */
export function columnsOf<R extends string, O extends string>(
  header: readonly string[],
  required: readonly R[],
  optional: readonly O[],
  where: { file: string; line: number; format: string },
): Record<R, number> & Partial<Record<O, number>> {
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (!index.has(key)) index.set(key, i);
  });
  const result: Record<string, number> = {};
  for (const name of required) {
    const i = index.get(name.toLowerCase());
    if (i === undefined) {
      throw new ImportError(
        `the header has no "${name}" column, which ${where.format} needs (header: ${header.map((h) => JSON.stringify(h)).join(", ")})`,
        { file: where.file, line: where.line, field: name },
      );
    }
    result[name] = i;
  }
  for (const name of optional) {
    const i = index.get(name.toLowerCase());
    if (i !== undefined) result[name] = i;
  }
  return result as Record<R, number> & Partial<Record<O, number>>;
}

// ---------------------------------------------------------------------------------------------------------------------
// Values

const INTEGER = /^[+-]?\d+$/;
const INT32_MAX = 2_147_483_647;

/** A whole number within the database's integer range, or a RowError naming the column. */
export function parseInteger(text: string, column: string): number {
  const trimmed = text.trim();
  if (!INTEGER.test(trimmed)) throw new RowError(`${column} ${JSON.stringify(text)} is not an integer`);
  const n = Number(trimmed);
  if (Math.abs(n) > INT32_MAX) throw new RowError(`${column} ${trimmed} is out of range`);
  return n;
}

// toMinorUnits looks the currency up in the platform's ISO 4217 data on every call, which costs more than the rest of
// a row; files repeat a small set of prices, so each distinct (currency, text) is converted once.
const moneyCache = new Map<string, bigint>();

/** A decimal amount as exact minor units of the currency (never through floating point), or a RowError. */
export function parseMoney(text: string, currency: string, column: string): bigint {
  const key = `${currency}|${text}`;
  const cached = moneyCache.get(key);
  if (cached !== undefined) return cached;
  let value: bigint;
  try {
    value = BigInt(toMinorUnits(text, currency));
  } catch (error) {
    if (error instanceof MoneyError) throw new RowError(`${column} ${error.message}`);
    throw error;
  }
  if (moneyCache.size >= 100_000) moneyCache.clear();
  moneyCache.set(key, value);
  return value;
}

/** An ISO 4217 code the platform knows (upper-cased), or an ImportError naming the option. */
export function checkCurrency(code: string, option: string): string {
  const upper = code.trim().toUpperCase();
  try {
    minorUnitDigits(upper);
    new Intl.NumberFormat("en", { style: "currency", currency: upper });
  } catch {
    throw new ImportError(`${option} ${JSON.stringify(code)} is not an ISO 4217 currency code`, { field: option });
  }
  return upper;
}

// ---------------------------------------------------------------------------------------------------------------------
// Time

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * The IANA time zone as given (with the platform's capitalisation when only that differs: `europe/london` ->
 * `Europe/London`; a current name is never replaced by the older alias ICU prefers, Asia/Ho_Chi_Minh stays), or an
 * ImportError naming the option.
 */
export function checkTimeZone(timeZone: string, option = "--tz"): string {
  const given = timeZone.trim();
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: given }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === given.toLowerCase() ? resolved : given;
  } catch {
    throw new ImportError(`${option} ${JSON.stringify(timeZone)} is not an IANA time zone (e.g. Europe/London, UTC)`, { field: option });
  }
}

/** Offset of the zone from UTC at an instant, in ms (Europe/London in summer: +3,600,000). */
function offsetAt(timeZone: string, utcMs: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(utcMs))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** Per zone and UTC day: the offset in force all day long, or null when it changes that day (or the next). */
const steadyOffsets = new Map<string, number | null>();

/**
 * The UTC instant of a wall-clock time in an IANA zone. Around DST changes it follows the usual "compatible" rule: a
 * time that occurs twice (clocks going back) is the earlier instant; a time that does not exist (clocks going forward)
 * is moved forward by the gap (Europe/London 2011-03-27 01:30 -> 02:30 BST).
 */
export function zonedTimeToUtc(wallMs: number, timeZone: string): number {
  if (timeZone === "UTC" || timeZone === "Etc/UTC") return wallMs;
  const day = 86_400_000;
  // Fast path: the same offset from the day before to the day after means no change of offset on this day.
  const dayIndex = Math.floor(wallMs / day);
  const key = `${timeZone}|${dayIndex}`;
  let steady = steadyOffsets.get(key);
  if (steady === undefined) {
    const from = offsetAt(timeZone, (dayIndex - 1) * day);
    steady = from === offsetAt(timeZone, (dayIndex + 2) * day) ? from : null;
    if (steadyOffsets.size >= 100_000) steadyOffsets.clear();
    steadyOffsets.set(key, steady);
  }
  if (steady !== null) return wallMs - steady;
  const before = offsetAt(timeZone, wallMs - day);
  const after = offsetAt(timeZone, wallMs + day);
  const candidates = [...new Set([before, after])]
    .map((offset) => wallMs - offset)
    .filter((t) => offsetAt(timeZone, t) === wallMs - t)
    .sort((a, b) => a - b);
  return candidates[0] ?? wallMs - before;
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * ISO 8601 timestamps and days: `2011-12-09`, `2011-12-09 12:50`, `2011-12-09T12:50:00.5`, with an optional offset
 * (`Z`, `+07:00`, `+0700`, `-05`, also after a space as in Shopify's exports: `2025-10-07 09:50:26 +0200`). Without an
 * offset the time is wall-clock time in `timeZone`; a day alone is local midnight. Anything else is a RowError.
 */
export function parseTimestamp(text: string, timeZone: string, column: string): Date {
  const m = TIMESTAMP.exec(text.trim());
  const bad = () => new RowError(`${column} ${JSON.stringify(text)} is not a date (expected YYYY-MM-DD or ISO 8601)`);
  if (!m) throw bad();
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", offset] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.slice(0, 3).padEnd(3, "0")));
  const check = new Date(wall);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw bad();
  }
  if (offset === undefined) return new Date(zonedTimeToUtc(wall, timeZone));
  if (offset.toUpperCase() === "Z") return new Date(wall);
  const sign = offset.startsWith("-") ? -1 : 1;
  const digits = offset.slice(1).replace(":", "");
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0");
  return new Date(wall - sign * minutes * 60_000);
}

/** `YYYYMMDD` (CDNOW) or `YYYY-MM-DD` as local midnight in the zone. */
export function parseDay(text: string, timeZone: string, column: string): Date {
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(text.trim());
  return parseTimestamp(compact ? `${compact[1]}-${compact[2]}-${compact[3]}` : text, timeZone, column);
}

// ---------------------------------------------------------------------------------------------------------------------
// Countries

/**
 * Country names as they appear in the supported files (Online Retail's 38, plus common spellings) to ISO 3166-1
 * alpha-2. Names that are not one country (Channel Islands, European Community, Unspecified) have no code.
 */
const COUNTRY_CODES: Record<string, string> = {
  "united kingdom": "GB", uk: "GB", "great britain": "GB", england: "GB", germany: "DE", france: "FR", eire: "IE",
  ireland: "IE", spain: "ES", netherlands: "NL", "the netherlands": "NL", belgium: "BE", switzerland: "CH",
  portugal: "PT", australia: "AU", norway: "NO", italy: "IT", finland: "FI", cyprus: "CY", sweden: "SE", austria: "AT",
  denmark: "DK", japan: "JP", poland: "PL", israel: "IL", usa: "US", "united states": "US",
  "united states of america": "US", "hong kong": "HK", singapore: "SG", iceland: "IS", canada: "CA", greece: "GR",
  malta: "MT", "united arab emirates": "AE", rsa: "ZA", "south africa": "ZA", lebanon: "LB", lithuania: "LT",
  brazil: "BR", "czech republic": "CZ", czechia: "CZ", bahrain: "BH", "saudi arabia": "SA", vietnam: "VN",
  "viet nam": "VN", china: "CN", india: "IN", mexico: "MX", "new zealand": "NZ", "south korea": "KR", korea: "KR",
};

/** A two-letter code as given (upper-cased), a known country name's code, or null. */
export function countryCode(text: string): string | null {
  const t = text.trim();
  if (/^[A-Za-z]{2}$/.test(t)) return t.toUpperCase();
  return COUNTRY_CODES[t.toLowerCase()] ?? null;
}

/** Sum of quantity x unit price less line discounts, in minor units. */
export function linesSubtotal(lines: readonly IngestLine[]): bigint {
  let sum = 0n;
  for (const l of lines) sum += BigInt(l.quantity) * l.unitPrice - l.totalDiscount;
  return sum;
}

/** A product id from a name: its slug, or a short digest when the name has no letters or digits. */
export function productIdOf(name: string): string {
  return slug(name) || `item-${createHash("sha256").update(name).digest("hex").slice(0, 12)}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Grouping rows into orders

/**
 * Collects the rows of each order while they arrive. Rows of one order usually follow each other, but exports
 * interleave neighbours (Online Retail's invoice 542806 resumes after a C-invoice), so up to `window` orders stay open;
 * the least recently touched is closed (returned, to be emitted) when one more would not fit. A row for an order that
 * was already closed is the caller's problem: `isClosed` tells it.
 */
export class OrderGrouper<G> {
  private readonly open = new Map<string, G>();
  private readonly closed = new Set<string>();
  private lastId: string | undefined;

  constructor(private readonly window: number) {}

  isClosed(id: string): boolean {
    return this.closed.has(id);
  }

  /** The open group of this id (now the most recently touched), if any. */
  get(id: string): G | undefined {
    const group = this.open.get(id);
    if (group !== undefined && this.lastId !== id) {
      this.open.delete(id);
      this.open.set(id, group);
      this.lastId = id;
    }
    return group;
  }

  /** Opens a group; returns the groups closed to make room (oldest first). */
  add(id: string, group: G): G[] {
    this.open.set(id, group);
    this.lastId = id;
    const out: G[] = [];
    while (this.open.size > this.window) {
      const [oldest, g] = this.open.entries().next().value as [string, G];
      this.open.delete(oldest);
      this.closed.add(oldest);
      out.push(g);
    }
    return out;
  }

  /** Closes every open group (end of file). */
  drain(): G[] {
    const out = [...this.open.entries()];
    for (const [id] of out) this.closed.add(id);
    this.open.clear();
    return out.map(([, g]) => g);
  }
}
