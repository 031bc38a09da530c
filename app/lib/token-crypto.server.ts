/**
 * Shopify access and refresh tokens encrypted at rest (ADR 027): AES-256-GCM with a 32-byte key from SESSION_TOKEN_KEY
 * (required in production, validated at boot by env.server.ts). A stored token reads `enc:v1:<base64url(iv|tag|data)>`;
 * a database dump without the key holds no usable token.
 *
 * Rows written before encryption (plain `shpat_…`/`shprt_…` values) are still read as they are and are encrypted on the
 * session's next write (the library stores the session again on every token refresh and token exchange).
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { Session } from "@shopify/shopify-api";
import type { Env } from "../env.server";

const PREFIX = "enc:v1:";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The key: SESSION_TOKEN_KEY (base64, 32 bytes). Outside production it may be unset; then a key derived from the app
 * secret keeps tests and the demo working and stable across restarts (production refuses to boot without the variable).
 */
export function sessionTokenKey(e: Pick<Env, "SESSION_TOKEN_KEY" | "SHOPIFY_API_SECRET">): Buffer {
  if (e.SESSION_TOKEN_KEY) return Buffer.from(e.SESSION_TOKEN_KEY, "base64");
  return Buffer.from(hkdfSync("sha256", e.SHOPIFY_API_SECRET, "", "insight-loop session tokens (non-production)", 32));
}

export function isEncryptedToken(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function encryptToken(plain: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64url");
}

/** The token; a value without the prefix is a row from before encryption and is returned as it is. Throws if tampered. */
export function decryptToken(stored: string, key: Buffer): string {
  if (!isEncryptedToken(stored)) return stored;
  const raw = Buffer.from(stored.slice(PREFIX.length), "base64url");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("Encrypted token is truncated");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
}

/** The session storage interface shopifyApp() takes (the library's SessionStorage). */
export interface SessionStore {
  storeSession(session: Session): Promise<boolean>;
  loadSession(id: string): Promise<Session | undefined>;
  deleteSession(id: string): Promise<boolean>;
  deleteSessions(ids: string[]): Promise<boolean>;
  findSessionsByShop(shop: string): Promise<Session[]>;
}

/** A SessionStorage that encrypts accessToken and refreshToken before `inner` stores them and decrypts them on load. */
export class EncryptedSessionStorage implements SessionStore {
  constructor(
    private readonly inner: SessionStore,
    private readonly key: Buffer,
  ) {}

  storeSession(session: Session): Promise<boolean> {
    const seal = (v: string | undefined) => (v ? (isEncryptedToken(v) ? v : encryptToken(v, this.key)) : v);
    return this.inner.storeSession(
      new Session({ ...session, accessToken: seal(session.accessToken), refreshToken: seal(session.refreshToken) }),
    );
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const session = await this.inner.loadSession(id);
    return session && this.open(session);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const sessions = await this.inner.findSessionsByShop(shop);
    return sessions.flatMap((s) => this.open(s) ?? []);
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  /** The session with its tokens in clear; undefined (as if none were stored) when they cannot be decrypted with this key. */
  private open(session: Session): Session | undefined {
    try {
      const open = (v: string | undefined) => (v ? decryptToken(v, this.key) : v);
      return new Session({ ...session, accessToken: open(session.accessToken), refreshToken: open(session.refreshToken) });
    } catch {
      console.warn(`Session ${session.id}: its stored tokens cannot be decrypted with SESSION_TOKEN_KEY; treated as absent`);
      return undefined;
    }
  }
}
