/**
 * Storefront attribution carried on orders (ADR 019): the blocks put the visitor's id and arm on the cart as attributes
 * `_il_vid` / `_il_arm`, and hidden line properties `_il_widget` / `_il_slot` / `_il_rank` on the lines they add.
 * Shopify returns them on the order as `customAttributes` (Admin GraphQL) or `note_attributes` / line `properties`
 * (REST webhooks). Anything a shopper (or another app) can type there is untrusted: a value is kept only when it is
 * exactly one of the values the blocks write; anything else is ignored — never stored raw — so no free text (gift
 * messages, names) can ride along. Pure: no IO.
 */

export const OFFER_WIDGETS = ["fbt", "upgrade", "cart"] as const;
export const OFFER_ARMS = ["treatment", "holdout"] as const;
export const OFFER_RANKS = ["engine", "bandit", "explore"] as const;
export const MAX_OFFER_SLOT = 20;
/** A first-party visitor id as the blocks write it (a random id; 8 to 64 letters, digits and dashes), as events take it. */
export const ATTRIBUTE_VISITOR_ID = /^[A-Za-z0-9-]{8,64}$/;

export type OfferWidget = (typeof OFFER_WIDGETS)[number];
export type OfferArm = (typeof OFFER_ARMS)[number];
export type OfferRank = (typeof OFFER_RANKS)[number];

export const ATTRIBUTE_KEYS = {
  visitorId: "_il_vid",
  arm: "_il_arm",
  widget: "_il_widget",
  slot: "_il_slot",
  rank: "_il_rank",
} as const;

/** One attribute as either API shapes it: `{ key, value }` (GraphQL) or `{ name, value }` (REST). */
export type RawAttribute = { key?: unknown; name?: unknown; value?: unknown };

export interface OrderAttribution {
  visitorId: string | null;
  offerArm: OfferArm | null;
}

export interface LineAttribution {
  offerWidget: OfferWidget | null;
  offerSlot: number | null;
  offerRank: OfferRank | null;
}

/** The value of the last attribute named `key` (a cart's attributes are a map; the last write wins), when a string. */
function valueOf(attributes: readonly RawAttribute[], key: string): string | null {
  for (let i = attributes.length - 1; i >= 0; i--) {
    const a = attributes[i];
    if (!a || typeof a !== "object") continue;
    const name = a.key ?? a.name;
    if (name === key) return typeof a.value === "string" ? a.value : null;
  }
  return null;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | null): T | null {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

function asList(attributes: unknown): readonly RawAttribute[] {
  return Array.isArray(attributes) ? (attributes as RawAttribute[]) : [];
}

const KEYS: ReadonlySet<unknown> = new Set(Object.values(ATTRIBUTE_KEYS));

/** Only the `_il_*` entries of an attribute list (for keeping a raw row briefly, e.g. a staged bulk row). */
export function attributionEntries(attributes: unknown): RawAttribute[] {
  return asList(attributes).filter((a) => a !== null && typeof a === "object" && KEYS.has(a.key ?? a.name));
}

/** An order's visitor id and arm from its attributes; each is null unless valid. */
export function orderAttribution(attributes: unknown): OrderAttribution {
  const list = asList(attributes);
  const vid = valueOf(list, ATTRIBUTE_KEYS.visitorId);
  return {
    visitorId: vid !== null && ATTRIBUTE_VISITOR_ID.test(vid) ? vid : null,
    offerArm: oneOf(OFFER_ARMS, valueOf(list, ATTRIBUTE_KEYS.arm)),
  };
}

/** A line's widget, slot and ranking arm from its properties; each is null unless valid. */
export function lineAttribution(attributes: unknown): LineAttribution {
  const list = asList(attributes);
  const slotText = valueOf(list, ATTRIBUTE_KEYS.slot);
  const slot = slotText !== null && /^\d{1,2}$/.test(slotText) ? Number(slotText) : null;
  return {
    offerWidget: oneOf(OFFER_WIDGETS, valueOf(list, ATTRIBUTE_KEYS.widget)),
    offerSlot: slot !== null && slot >= 1 && slot <= MAX_OFFER_SLOT ? slot : null,
    offerRank: oneOf(OFFER_RANKS, valueOf(list, ATTRIBUTE_KEYS.rank)),
  };
}
