/**
 * Bodies read with a cap enforced while reading (ADR 028): a declared-too-large body is refused unread, a chunked or
 * mislabelled one is cut off at the cap (the rest is never pulled), and a body under the cap is handed on byte for
 * byte (the webhook HMAC is computed over it).
 */
import { describe, expect, it } from "vitest";
import { FormLimitError, limitBody, readForm, readFormLimited } from "../../app/lib/body-limits.server";

/** An endless body in 64 KiB chunks that counts what was pulled from it. */
function endless() {
  const pulled = { bytes: 0, cancelled: false };
  const chunk = new Uint8Array(64 * 1024).fill(120);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled.bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      pulled.cancelled = true;
    },
  });
  return { body, pulled };
}

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("https://app.example/webhooks/orders", { method: "POST", body, headers, duplex: "half" } as RequestInit);

describe("limitBody", () => {
  it("refuses a declared Content-Length over the cap with 413 without reading the body", async () => {
    const { body, pulled } = endless();
    const answer = await limitBody(post(body, { "content-length": String(10 * 1024 * 1024) }), 1024 * 1024);
    expect(answer).toBeInstanceOf(Response);
    expect((answer as Response).status).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(128 * 1024); // at most what the stream buffered ahead, never the body
  });

  it("cuts an endless chunked body off at the cap: 413, the stream cancelled after about the cap", async () => {
    const { body, pulled } = endless();
    const answer = await limitBody(post(body), 1024 * 1024);
    expect((answer as Response).status).toBe(413);
    expect(await (answer as Response).text()).toBe("The body is larger than 1048576 bytes");
    expect(pulled.cancelled).toBe(true);
    expect(pulled.bytes).toBeLessThanOrEqual(1024 * 1024 + 3 * 64 * 1024);
  });

  it("does not trust a small Content-Length over a large body", async () => {
    const { body } = endless();
    expect(((await limitBody(post(body, { "content-length": "10" }), 256 * 1024)) as Response).status).toBe(413);
  });

  it("hands on a body under the cap byte for byte, headers kept", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ id: 1, note: "héllo" }));
    const limited = await limitBody(post(bytes, { "x-shopify-hmac-sha256": "abc", "content-type": "application/json" }), 1024);
    expect(limited).toBeInstanceOf(Request);
    const request = limited as Request;
    expect(request.method).toBe("POST");
    expect(request.headers.get("x-shopify-hmac-sha256")).toBe("abc");
    expect(new Uint8Array(await request.arrayBuffer())).toEqual(bytes);
  });
});

describe("admin forms", () => {
  const form = (fields: number, size = 1) => {
    const params = new URLSearchParams();
    for (let i = 0; i < fields; i++) params.append(`f${i}`, "v".repeat(size));
    return post(params.toString(), { "content-type": "application/x-www-form-urlencoded" });
  };

  it("reads a form within the limits", async () => {
    const data = await readFormLimited(form(3), { maxBytes: 1024, maxParts: 3 });
    expect([...data.keys()]).toEqual(["f0", "f1", "f2"]);
  });

  it("refuses a form with too many fields or too many bytes with a clear message", async () => {
    await expect(readFormLimited(form(4), { maxBytes: 1024, maxParts: 3 })).rejects.toThrow(
      new FormLimitError("The form has more than 3 fields, the most this page accepts."),
    );
    await expect(readFormLimited(form(1, 5000), { maxBytes: 1024, maxParts: 3 })).rejects.toThrow("The form is larger than 1 KB, the most this page accepts.");
    const { body, pulled } = endless();
    await expect(readFormLimited(post(body, { "content-type": "application/x-www-form-urlencoded" }))).rejects.toBeInstanceOf(FormLimitError);
    expect(pulled.cancelled).toBe(true);
  });

  it("turns a refused form into a thrown 413 answer whose text is the message (shown by the admin's error boundary)", async () => {
    const thrown = await readForm(form(60)).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(413);
    expect(await (thrown as Response).text()).toBe("The form has more than 50 fields, the most this page accepts.");
  });
});
