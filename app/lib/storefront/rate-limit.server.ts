/**
 * A token bucket per key (the shop), in process memory: each key holds up to `burst` tokens, refilled continuously at
 * `perSecond`; a request takes one token or is refused with the seconds until one is back (for Retry-After).
 *
 * In memory on purpose: the limit protects this process and its database from one shop's flood, costs no round trip,
 * and forgets everything on restart (harmless: it only ever refuses). With N app processes a shop gets up to N times
 * the rate. Memory is bounded: past `maxKeys` keys, buckets that have refilled completely (equivalent to no bucket)
 * are dropped; if every bucket is busy, the oldest-touched are dropped.
 */

/** `<requests per second>/<burst>` (as STOREFRONT_EVENTS_RATE is written, validated by app/env.server.ts). */
export function parseRate(setting: string): { perSecond: number; burst: number } {
  const match = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(setting.trim());
  if (!match) throw new Error(`A rate is <requests per second>/<burst>, e.g. 20/60; got ${JSON.stringify(setting)}`);
  return { perSecond: Number(match[1]), burst: Number(match[2]) };
}

export interface TokenBucketOptions {
  perSecond: number;
  burst: number;
  maxKeys?: number;
  /** Milliseconds; injectable for tests. */
  now?: () => number;
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBucketLimiter {
  readonly perSecond: number;
  readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    if (!(options.perSecond > 0) || !(options.burst >= 1)) throw new Error("A token bucket needs perSecond > 0 and burst ≥ 1");
    this.perSecond = options.perSecond;
    this.burst = options.burst;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Takes one token for `key`, or says how long until one is available. */
  take(key: string): TakeResult {
    const now = this.now();
    const bucket = this.refilled(this.buckets.get(key), now);
    // Re-inserted so that the Map's order is least recently touched first (for eviction).
    this.buckets.delete(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      this.evict(now);
      return { ok: true, remaining: Math.floor(bucket.tokens) };
    }
    this.buckets.set(key, bucket);
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond)) };
  }

  /** How many keys are tracked (for tests of the memory bound). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (!bucket) return { tokens: this.burst, at: now };
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    return { tokens: Math.min(this.burst, bucket.tokens + elapsed * this.perSecond), at: now };
  }

  private evict(now: number) {
    if (this.buckets.size <= this.maxKeys) return;
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now).tokens >= this.burst) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
