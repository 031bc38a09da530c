/** The per-shop token bucket of the storefront events endpoint, at its production setting, on a controlled clock. */
import { describe, expect, it } from "vitest";
import { parseRate, TokenBucketLimiter } from "../../../app/lib/storefront/rate-limit.server";

function limiter(setting = "20/60", maxKeys?: number) {
  let now = 1_000_000;
  const l = new TokenBucketLimiter({ ...parseRate(setting), maxKeys, now: () => now });
  return { l, advance: (ms: number) => (now += ms) };
}

const takeMany = (l: TokenBucketLimiter, key: string, n: number) => Array.from({ length: n }, () => l.take(key).ok).filter(Boolean).length;

describe("TokenBucketLimiter (STOREFRONT_EVENTS_RATE default 20/60)", () => {
  it("reads the setting as requests per second / burst", () => {
    expect(parseRate("20/60")).toEqual({ perSecond: 20, burst: 60 });
    expect(parseRate("0.5/10")).toEqual({ perSecond: 0.5, burst: 10 });
  });

  it("lets a burst of 60 through at once, then refuses with the seconds until a token is back", () => {
    const { l } = limiter();
    expect(takeMany(l, "a.myshopify.com", 100)).toBe(60);
    expect(l.take("a.myshopify.com")).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it("refills 20 a second, never above the burst", () => {
    const { l, advance } = limiter();
    takeMany(l, "a", 60);
    advance(500);
    expect(takeMany(l, "a", 100)).toBe(10);
    advance(60_000);
    expect(takeMany(l, "a", 100)).toBe(60);
    // Sustained: 20 a second for ten seconds, one request every 50 ms, all accepted once the burst is spent.
    let accepted = 0;
    for (let i = 0; i < 200; i++) {
      advance(50);
      if (l.take("a").ok) accepted++;
    }
    expect(accepted).toBe(200);
    expect(l.take("a").ok).toBe(false);
  });

  it("keeps shops apart", () => {
    const { l } = limiter();
    takeMany(l, "a", 60);
    expect(l.take("a").ok).toBe(false);
    expect(l.take("b").ok).toBe(true);
  });

  it("a slow rate gives a longer Retry-After", () => {
    const { l } = limiter("0.5/1");
    expect(l.take("a").ok).toBe(true);
    expect(l.take("a")).toEqual({ ok: false, retryAfterSeconds: 2 });
  });

  it("bounds its memory: idle (full) buckets are dropped first, then the least recently used", () => {
    const { l, advance } = limiter("20/60", 100);
    for (let i = 0; i < 100; i++) l.take(`idle-${i}`);
    advance(10_000); // every bucket has refilled: forgetting them changes nothing
    takeMany(l, "busy", 60);
    expect(l.size).toBeLessThanOrEqual(100);
    for (let i = 0; i < 150; i++) l.take(`new-${i}`);
    expect(l.size).toBeLessThanOrEqual(100);
  });
});
