/**
 * The randomized holdout of a published app segment (issue 12): which members are held out of the campaign the merchant
 * sends to the segment, so the campaign can be judged against them.
 *
 * The draw is a pure function of (salt, customer id): the salt is the publication's id, so one publication draws each
 * customer once and the same way whenever it is asked (the app stores the draw on SegmentMember when the customer first
 * joins and never changes it), and two publications draw independently. It does not depend on the order in which
 * customers are seen, nor on who else is in the segment.
 *
 * Method: 32-bit FNV-1a over the UTF-16 code units of `salt + "\u0000" + customerId`, then MurmurHash3's 32-bit
 * finalizer (fmix32) so that every output bit depends on every input bit (FNV-1a alone leaves its low bits poorly mixed
 * for ids that differ in their last digits). The result u is uniform on [0, 2³²); the customer is held out iff
 * u < share × 2³². No randomness at draw time: the "random" comes from the hash, which is what makes it reproducible.
 */

/** A holdout larger than the treated group would cost the merchant more than it teaches. */
export const MAX_SEGMENT_HOLDOUT_SHARE = 0.5;
export const DEFAULT_SEGMENT_HOLDOUT_SHARE = 0.1;

const TWO_32 = 4_294_967_296;

/** FNV-1a then fmix32, unsigned 32-bit. */
export function holdoutHash(salt: string, customerId: string): number {
  const s = `${salt}\u0000${customerId}`;
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Whether the customer is held out of the publication salted `salt`, for a holdout share in [0, 0.5]. */
export function isHeldOut(salt: string, customerId: string, share: number): boolean {
  if (!(share >= 0 && share <= MAX_SEGMENT_HOLDOUT_SHARE)) throw new RangeError(`holdout share must be in [0, ${MAX_SEGMENT_HOLDOUT_SHARE}], got ${share}`);
  if (salt.length === 0) throw new RangeError("the holdout salt must not be empty");
  return holdoutHash(salt, customerId) < share * TWO_32;
}
