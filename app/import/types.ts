/**
 * File imports: the shared vocabulary of the format parsers (app/import/<format>.ts), the database-free reader
 * (read.ts) and the importer (import.server.ts).
 *
 * A parser turns a byte stream into IngestOrder records (app/lib/ingest/types.ts) and, on the side, collects the
 * customers and products those orders mention in a ParseContext, together with the bad rows it skipped. It never
 * touches a database, so the same parsers serve `insight-loop import` and later commands that only read a file.
 */
import type { IngestCustomer, IngestProduct } from "../lib/ingest/types";

export const IMPORT_FORMATS = ["shopify-csv", "online-retail", "baskets", "cdnow", "csv"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export function isImportFormat(value: string): value is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(value);
}

export interface ImportOptions {
  /**
   * IANA time zone of timestamps written without an offset (and of day-only dates, which mean local midnight). Also the
   * time zone a shop created by the import gets. Default: Europe/London for online-retail, UTC for every other format.
   */
  tz?: string;
  /** ISO 4217 currency of `baskets` and `csv` rows that carry none (default USD). Fixed formats reject another one. */
  currency?: string;
  /** `baskets` only: the synthetic day every basket is dated, YYYY-MM-DD (default 2000-01-01), at 00:00 in `tz`. */
  date?: string;
  /** `csv` only: `field=column` (or `column=field`) pairs, see generic-csv.ts. */
  map?: readonly string[];
  /** How many problems the report lists (all are counted). Default 100. */
  maxProblems?: number;
  /**
   * The most bytes the file may hold once decompressed (plain files count too); past it the import stops with an
   * ImportError naming the line reached, and writes nothing. Default: no limit (the admin sets one).
   */
  maxDecompressedBytes?: number;
  /**
   * The most bytes one record (a CSV row, quoted line breaks included, or one text line) may hold; past it the import
   * stops with an ImportError naming the line where the record starts. Default DEFAULT_MAX_RECORD_BYTES. Bounds the
   * memory an endless quoted field can take.
   */
  maxRecordBytes?: number;
  /**
   * Rows of one order need not be adjacent, but must lie within this many other orders of each other (default 1000):
   * the reader keeps that many orders open and writes each out once this many newer orders have started since its last
   * row. A row of an order already written out is reported and skipped.
   */
  groupWindow?: number;
}

/** Options after validation and defaults, as the parsers get them. */
export interface ResolvedOptions {
  tz: string;
  /** The caller's --currency, checked; undefined when none was given. */
  currency: string | undefined;
  /** `baskets`: YYYY-MM-DD. */
  date: string;
  map: readonly string[];
  groupWindow: number;
}

export interface ImportProblem {
  /** 1-based line of the file where the bad row starts (0 when the problem is about the whole file). */
  line: number;
  message: string;
}

export interface ImportReport {
  format: ImportFormat;
  file: string;
  shop: string;
  /** Data rows read (header lines and blank lines are not rows). */
  rowsRead: number;
  /** Rows that became part of an imported order: rowsRead = rowsImported + rowsSkipped. */
  rowsImported: number;
  rowsSkipped: number;
  orders: number;
  /** Orders stored as cancelled (e.g. Online Retail's C-invoices). Included in `orders`. */
  cancelledOrders: number;
  lines: number;
  customers: number;
  products: number;
  /** The shop's currency and time zone (as found, or as created by this import). */
  currency: string;
  timezone: string;
  /** Whether this import created the shop row. */
  shopCreated: boolean;
  /** The first `maxProblems` problems, in file order. */
  problems: ImportProblem[];
  /** Every problem found, including those left out of `problems`. */
  problemCount: number;
  elapsedMs: number;
}

/** A failure that stops the whole import (nothing is written). Carries the file and, when known, the line and field. */
export class ImportError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(message: string, where: { file?: string; line?: number; field?: string } = {}, options?: ErrorOptions) {
    const prefix = [where.file, where.line === undefined ? undefined : `line ${where.line}`].filter(Boolean).join(": ");
    super(prefix ? `${prefix}: ${message}` : message, options);
    this.name = "ImportError";
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }
}

/** A bad value in one row: the row is skipped and reported, the import goes on. */
export class RowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RowError";
  }
}

/**
 * What a parser reports besides its orders: row counts, problems (bad rows), and the customers and products the
 * orders refer to, each kept once (a customer's createdAt is the earliest order seen; its country the first known).
 */
/**
 * The admin's cap on an upload's decompressed bytes (app/lib/imports.server.ts; the CLI has none): the upload cap
 * counts the bytes sent, so a small .gz could otherwise inflate without end.
 */
export const ADMIN_MAX_DECOMPRESSED_BYTES = 1024 * 1024 * 1024;

/** One record (row or line) larger than this stops the import: 1 MiB is far beyond any real order line. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

export class ParseContext {
  rowsRead = 0;
  rowsSkipped = 0;
  problemCount = 0;
  readonly problems: ImportProblem[] = [];
  readonly customers = new Map<string, IngestCustomer>();
  readonly products = new Map<string, IngestProduct>();

  constructor(
    readonly file: string,
    readonly maxProblems = 100,
    /** See ImportOptions.maxRecordBytes. */
    readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
  ) {}

  get rowsImported(): number {
    return this.rowsRead - this.rowsSkipped;
  }

  /** A row that is dropped: counted as skipped and reported. */
  skip(line: number, message: string): void {
    this.rowsSkipped++;
    this.problem(line, message);
  }

  problem(line: number, message: string): void {
    this.problemCount++;
    if (this.problems.length < this.maxProblems) this.problems.push({ line, message });
  }

  customer(id: string, seenAt: Date, countryCode: string | null = null, tags: string[] = []): void {
    const known = this.customers.get(id);
    if (!known) {
      this.customers.set(id, {
        id,
        createdAt: seenAt,
        updatedAt: null,
        tags,
        rfmGroup: null,
        predictedSpendTier: null,
        locale: null,
        countryCode,
        emailMarketing: null,
        smsMarketing: null,
      });
      return;
    }
    if (seenAt < known.createdAt) known.createdAt = seenAt;
    if (known.countryCode === null && countryCode !== null) known.countryCode = countryCode;
  }

  product(id: string, title: string, vendor = ""): void {
    const known = this.products.get(id);
    if (known) {
      if (known.title === id && title !== id) known.title = title; // a real title beats the code used as one
      return;
    }
    this.products.set(id, {
      id,
      title,
      handle: slug(title) || slug(id) || "item",
      productType: "",
      vendor,
      tags: [],
      status: "ACTIVE",
      createdAt: null,
      updatedAt: null,
      collectionIds: [],
      variants: [],
    });
  }
}

/** "Rolls/Buns" -> "rolls-buns"; "Café Crème" -> "cafe-creme". Empty when the text has no letters or digits. */
export function slug(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
