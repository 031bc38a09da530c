/** The digest of a metafield as published (ADR 019): SHA-256 of its type, a newline and its value, in hex. */
import { createHash } from "node:crypto";

export function metafieldDigest(type: string, value: string): string {
  return createHash("sha256").update(`${type}\n${value}`, "utf8").digest("hex");
}
