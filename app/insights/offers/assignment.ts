/**
 * Randomized holdout assignment for the storefront offers (ADR 019). The theme's inline snippet assigns each visitor in
 * the browser; this module is the reference it must agree with, and the app uses it to re-derive a visitor's arm.
 *
 * Method:
 * - Hash: 32-bit FNV-1a (Fowler, Noll, Vo; offset basis 2166136261, prime 16777619) over the UTF-8 bytes of
 *   `salt + ":" + visitorId`, as an unsigned integer. The salt is the shop's (in `widget_settings`), so a new salt
 *   reshuffles every visitor, and the same visitor stays in the same arm for as long as the salt and cookie last.
 * - Arm: `holdout` iff `hash mod 10000 < round(holdoutShare × 10000)`, else `treatment`. The modulus keeps 4 decimal
 *   places of share; its bias (2³² is not a multiple of 10⁴) is below 2.5e-6 and irrelevant here.
 * - Share: in [0, 0.5] — a holdout larger than the treatment would cost the merchant more than it teaches.
 *
 * `ASSIGNMENT_JS` is the same algorithm as a dependency-free ES5 function source for the storefront (no TextEncoder,
 * no Math.imul polyfill needed: it multiplies by the prime as shifts and adds); `tests/unit/insights/offers` checks
 * it gives the same hashes and arms as the TypeScript below.
 */

export type Arm = "treatment" | "holdout";

const FNV_OFFSET = 2166136261;
const FNV_PRIME = 16777619;
/** Hash values are taken modulo this; a share is resolved to 1/10000. */
export const ASSIGNMENT_BUCKETS = 10_000;
export const MAX_HOLDOUT_SHARE = 0.5;

/** Standard 32-bit FNV-1a over the UTF-8 encoding of `s`, unsigned. Lone surrogates encode as U+FFFD, like TextEncoder. */
export function fnv1a32(s: string): number {
  let h = FNV_OFFSET;
  const byte = (b: number) => {
    h ^= b;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  };
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) byte(c);
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 63));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 63));
      byte(0x80 | ((c >> 6) & 63));
      byte(0x80 | (c & 63));
    }
  }
  return h >>> 0;
}

/** Throws a RangeError unless `share` is a number in [0, 0.5]. */
export function validateHoldoutShare(share: number): void {
  if (typeof share !== "number" || !Number.isFinite(share) || share < 0 || share > MAX_HOLDOUT_SHARE) {
    throw new RangeError(`holdoutShare must be a number in [0, ${MAX_HOLDOUT_SHARE}], got ${String(share)}`);
  }
}

/** The visitor's arm: holdout iff fnv1a32(salt + ":" + visitorId) mod 10000 < round(holdoutShare × 10000). */
export function assignArm(visitorId: string, salt: string, holdoutShare: number): Arm {
  validateHoldoutShare(holdoutShare);
  if (typeof visitorId !== "string" || visitorId.length === 0) throw new TypeError("assignArm: visitorId must be a non-empty string");
  if (typeof salt !== "string") throw new TypeError("assignArm: salt must be a string");
  return fnv1a32(`${salt}:${visitorId}`) % ASSIGNMENT_BUCKETS < Math.round(holdoutShare * ASSIGNMENT_BUCKETS) ? "holdout" : "treatment";
}

/**
 * The storefront copy: ES5 source defining `ilFnv1a32(s)` and `ilArm(vid, salt, share)` (no validation: the share
 * comes from the app's own metafield). The multiplication by the FNV prime (2²⁴ + 2⁸ + 0x93) is written as shifts and
 * adds so it is exact in doubles without Math.imul. Encoding: UTF-8 via encodeURIComponent (throws on a lone surrogate,
 * which a cookie id never holds).
 */
export const ASSIGNMENT_JS = [
  "function ilFnv1a32(s){var u=unescape(encodeURIComponent(s)),h=2166136261,i;",
  "for(i=0;i<u.length;i++){h^=u.charCodeAt(i);h=(h+(h<<1)+(h<<4)+(h<<7)+(h<<8)+(h<<24))>>>0;}return h>>>0;}",
  "function ilArm(v,s,p){return ilFnv1a32(s+':'+v)%10000<Math.round(p*10000)?'holdout':'treatment';}",
].join("\n");
