/**
 * Request bodies read with a limit that is enforced while reading (ADR 028): a body is refused with 413 as soon as
 * it passes its cap — whatever its Content-Length claims, and without reading the rest — so no request, signed or not,
 * can make the process hold more than the cap.
 *
 * - Webhook deliveries: `limitBody` before `authenticate.webhook`, which needs the raw bytes for the HMAC: the capped
 *   bytes are handed on in a fresh Request, so the signature is still checked over exactly what was sent.
 * - Admin forms (everything but the file upload, which streams to disk: app/lib/imports.server.ts): `readForm` caps the
 *   size and the number of fields.
 * - The app proxy's storefront events read through `readCapped` with their own, smaller cap (app/lib/storefront/events.server.ts).
 */
/** Shopify's largest webhook payloads (an order with hundreds of lines) are a few hundred KB. */
export const WEBHOOK_BODY_LIMIT = 4 * 1024 * 1024;
/** Admin forms other than the file upload carry a few short fields. */
export const ADMIN_FORM_LIMIT = { maxBytes: 64 * 1024, maxParts: 50 };

/** The body's bytes, or null as soon as they pass `limit` (the rest is not read and the stream is cancelled). */
export async function readCapped(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const tooLarge = (limit: number) =>
  new Response(`The body is larger than ${limit} bytes`, { status: 413, headers: { "Content-Type": "text/plain; charset=utf-8" } });

/** A declared Content-Length above `limit` (refused before reading), else undefined; a malformed one is ignored. */
function declaredTooLarge(request: Request, limit: number): boolean {
  const declared = Number(request.headers.get("content-length") ?? "");
  return Number.isFinite(declared) && declared > limit;
}

/**
 * The request with its body read up to `limit` bytes, as a new Request carrying exactly those bytes (for a reader that
 * needs them raw, like the webhook HMAC check) — or a 413 Response once the body passes the limit.
 */
export async function limitBody(request: Request, limit: number): Promise<Request | Response> {
  if (declaredTooLarge(request, limit)) {
    await request.body?.cancel().catch(() => {});
    return tooLarge(limit);
  }
  const bytes = await readCapped(request.body, limit);
  if (bytes === null) return tooLarge(limit);
  const headers = new Headers(request.headers);
  headers.set("content-length", String(bytes.byteLength));
  return new Request(request.url, { method: request.method, headers, body: request.method === "GET" || request.method === "HEAD" ? null : bytes });
}

/** Why a form was refused; `status` is 413. */
export class FormLimitError extends Error {
  readonly status = 413;
  constructor(message: string) {
    super(message);
    this.name = "FormLimitError";
  }
}

/**
 * The request's form (urlencoded or multipart), read with at most `maxBytes` bytes and `maxParts` fields. Throws
 * FormLimitError with a message for the merchant otherwise.
 */
export async function readFormLimited(request: Request, limits = ADMIN_FORM_LIMIT): Promise<FormData> {
  const { maxBytes, maxParts } = limits;
  const message = `The form is larger than ${Math.round(maxBytes / 1024)} KB, the most this page accepts.`;
  if (declaredTooLarge(request, maxBytes)) {
    await request.body?.cancel().catch(() => {});
    throw new FormLimitError(message);
  }
  const bytes = await readCapped(request.body, maxBytes);
  if (bytes === null) throw new FormLimitError(message);
  const contentType = request.headers.get("content-type") ?? "";
  const form = await new Response(bytes, { headers: { "content-type": contentType } }).formData();
  let parts = 0;
  for (const _ of form.keys()) {
    if (++parts > maxParts) throw new FormLimitError(`The form has more than ${maxParts} fields, the most this page accepts.`);
  }
  return form;
}

/**
 * `readFormLimited` for a route action: a refused form becomes a thrown 413 answer whose text (the message, no
 * markup) the admin's error boundary (app/routes/app.tsx) shows in place of the page.
 */
export async function readForm(request: Request, limits = ADMIN_FORM_LIMIT): Promise<FormData> {
  try {
    return await readFormLimited(request, limits);
  } catch (error) {
    if (error instanceof FormLimitError) {
      throw new Response(error.message, { status: error.status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    }
    throw error;
  }
}
