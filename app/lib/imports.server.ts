/**
 * File imports from the admin (app/routes/app.imports.tsx): the upload is streamed to a private temporary folder
 * (never held whole in memory), imported into the session's shop with the CLI's importer (app/import/import.server.ts:
 * all or nothing, bad rows skipped and reported), and the folder is removed whatever happens.
 *
 * Messages shown to the merchant name the uploaded file by its own name, never by the temporary path on the server.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PrismaClient } from "@prisma/client";
import {
  MaxPartSizeExceededError,
  NodeOnDiskFile,
  unstable_composeUploadHandlers,
  unstable_createFileUploadHandler,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import defaultPrisma from "../db.server";
import { importFile } from "../import/import.server";
import type { JobQueue } from "../jobs/types";
import { requestInsightsRecompute } from "./insights/recompute.server";
import { ADMIN_MAX_DECOMPRESSED_BYTES, IMPORT_FORMATS, ImportError, type ImportFormat, type ImportOptions } from "../import/types";

/** The largest file the admin accepts (the CLI has no limit). */
export const MAX_UPLOAD_BYTES = 200 * 1024 * 1024;
/**
 * The most the uploaded file may hold once decompressed (a plain file is at most MAX_UPLOAD_BYTES anyway): the upload
 * cap counts the bytes sent, so a small .gz could otherwise inflate without end. Counted while streaming (ADR 028).
 */
export const MAX_DECOMPRESSED_BYTES = ADMIN_MAX_DECOMPRESSED_BYTES;
/** The largest text field of the form (the column mapping is the biggest one). */
const MAX_FIELD_BYTES = 64 * 1024;
/** The most parts the form may have: the file and four text fields, with room to spare. */
export const MAX_FORM_PARTS = 16;
/** The form field that carries the file. */
export const UPLOAD_FIELD = "file";

export const FORMAT_LABELS: Record<ImportFormat, string> = {
  "shopify-csv": "Shopify orders export (CSV)",
  "online-retail": "Online Retail (UCI)",
  baskets: "Baskets (one basket per line)",
  cdnow: "CDNOW",
  csv: "Other CSV (with a column mapping)",
};
export { IMPORT_FORMATS };

/** A failure the merchant can act on: shown as is. */
export class UploadError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = "UploadError";
  }
}

export interface ReceivedUpload {
  /** The text fields of the form. */
  fields: Record<string, string>;
  /** The uploaded file on disk, or null when the form had none (or an empty one). */
  file: { path: string; name: string; size: number } | null;
}

const sizeText = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/** The uploaded file's own name, safe to show and to log: no folders, no control characters, bounded. */
export function displayName(filename: string | undefined | null): string {
  const base = (filename ?? "").split(/[\\/]/).pop() ?? "";
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return (clean || "upload").slice(0, 200);
}

/**
 * Streams a multipart form to a fresh temporary folder, runs `handle` with it and removes the folder afterwards, whether
 * `handle` succeeds, fails, or the upload itself fails (too large, cut off). Throws UploadError for a request the
 * merchant can fix.
 */
export async function withUpload<T>(
  request: Request,
  handle: (upload: ReceivedUpload) => Promise<T>,
  { maxBytes = MAX_UPLOAD_BYTES, maxParts = MAX_FORM_PARTS, tmpRoot = tmpdir() }: { maxBytes?: number; maxParts?: number; tmpRoot?: string } = {},
): Promise<T> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
    throw new UploadError("Choose a file to import (the form must be sent as multipart/form-data).");
  }
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes + MAX_FIELD_BYTES * 8) {
    throw new UploadError(`The file is larger than ${sizeText(maxBytes)}, the most the admin accepts. Split it, or import it with the CLI.`, 413);
  }
  const dir = await mkdtemp(path.join(tmpRoot, "insight-loop-upload-"));
  try {
    let name: string | null = null;
    let parts = 0;
    const tooManyParts = new UploadError(`The form has more than ${maxParts} fields, the most the import accepts.`, 413);
    const countParts: UploadHandler = async () => {
      // Seen first for every part: the handlers below each bound one part's size, this bounds how many there are.
      if (++parts > maxParts) throw tooManyParts;
      return undefined;
    };
    const handler = unstable_composeUploadHandlers(
      countParts,
      unstable_createFileUploadHandler({
        directory: dir,
        // One file, under a fixed name: the merchant's file name never becomes a path on the server.
        file: () => "upload",
        avoidFileConflicts: true,
        maxPartSize: maxBytes,
        filter: ({ name: field, filename }) => {
          if (field !== UPLOAD_FIELD || name !== null) return false;
          name = displayName(filename);
          return true;
        },
      }),
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_FIELD_BYTES }),
    );
    let form: FormData;
    try {
      form = await unstable_parseMultipartFormData(request, handler);
    } catch (error) {
      if (error === tooManyParts) throw error;
      if (error instanceof MaxPartSizeExceededError) {
        throw error.field === UPLOAD_FIELD
          ? new UploadError(`The file is larger than ${sizeText(maxBytes)}, the most the admin accepts. Split it, or import it with the CLI.`, 413)
          : new UploadError(`The field "${error.field}" is too long.`);
      }
      throw new UploadError("The upload did not arrive complete. Please try again.");
    }
    const fields: Record<string, string> = {};
    let file: ReceivedUpload["file"] = null;
    for (const [key, value] of form.entries()) {
      if (typeof value === "string") fields[key] = value;
      else if (key === UPLOAD_FIELD && value instanceof NodeOnDiskFile && value.size > 0 && file === null) {
        file = { path: value.getFilePath(), name: name ?? "upload", size: value.size };
      }
    }
    return await handle({ fields, file });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `field=column` per line (blank lines ignored) into the importer's map pairs. */
export function parseColumnMapping(text: string | undefined): string[] {
  return (text ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
}

export interface AdminImportReport {
  fileName: string;
  format: ImportFormat;
  rowsRead: number;
  rowsImported: number;
  rowsSkipped: number;
  orders: number;
  cancelledOrders: number;
  lines: number;
  customers: number;
  products: number;
  currency: string;
  timezone: string;
  problems: { line: number; message: string }[];
  problemCount: number;
  elapsedMs: number;
}

export type AdminImportResult = { ok: true; report: AdminImportReport } | { ok: false; error: string };

/** The importer speaks CLI (`--map`, the file's path); the admin speaks form fields and the uploaded file's name. */
function forMerchant(message: string, file: { path: string; name: string }): string {
  return message
    .replaceAll(file.path, file.name)
    .replaceAll("--map", "column mapping")
    .replaceAll("--tz", "time zone")
    .replaceAll("--currency", "currency")
    .replaceAll("--format", "format")
    .replaceAll("--date", "basket date")
    .replaceAll("--shop", "shop");
}

/**
 * Imports an uploaded file into `shop` (the session's shop: never taken from the form). A failed import writes
 * nothing and comes back as `{ ok: false, error }`; merely bad rows are skipped and listed in the report.
 */
export async function importUpload({
  shop,
  file,
  format,
  options = {},
  db = defaultPrisma,
  now = new Date(),
  queue,
}: {
  shop: string;
  /** Where the insights recompute that follows a successful import is queued (none: not queued). */
  queue?: JobQueue;
  file: { path: string; name: string };
  format: ImportFormat;
  options?: Pick<ImportOptions, "map" | "tz" | "currency" | "maxProblems" | "maxDecompressedBytes" | "maxRecordBytes">;
  db?: PrismaClient;
  now?: Date;
}): Promise<AdminImportResult> {
  try {
    const report = await importFile({ db, shop, file: file.path, format, options: { maxProblems: 50, maxDecompressedBytes: MAX_DECOMPRESSED_BYTES, ...options }, now });
    if (queue) await requestInsightsRecompute({ shop, queue });
    return {
      ok: true,
      report: {
        fileName: file.name,
        format: report.format,
        rowsRead: report.rowsRead,
        rowsImported: report.rowsImported,
        rowsSkipped: report.rowsSkipped,
        orders: report.orders,
        cancelledOrders: report.cancelledOrders,
        lines: report.lines,
        customers: report.customers,
        products: report.products,
        currency: report.currency,
        timezone: report.timezone,
        problems: report.problems.map((p) => ({ line: p.line, message: forMerchant(p.message, file) })),
        problemCount: report.problemCount,
        elapsedMs: report.elapsedMs,
      },
    };
  } catch (error) {
    if (error instanceof ImportError) return { ok: false, error: forMerchant(error.message, file) };
    console.error(`[imports] import of ${file.name} into ${shop} failed unexpectedly:`, (error as Error).name);
    return { ok: false, error: `${file.name}: the import failed unexpectedly; nothing was written.` };
  }
}
