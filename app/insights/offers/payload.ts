/**
 * The storefront offers of each product, as ADR 019's data contract publishes them in the app-owned `$app` metafields:
 * `fbt` (list.product_reference), `upgrade` (product_reference) and `offers` (json), plus the shop's `widget_settings`
 * (json). Pure: the cross-sell snapshot's recommendations and upgrades and the catalog in, metafield values out.
 *
 * What is left out at publication (the Liquid filters again at render time what can change in between):
 * - a suggestion that is not offerable: not ACTIVE (draft, archived, unlisted), deleted, a gift card, or without a
 *   default variant — the first variant (in the catalog's order) that is available for sale and priced above 0;
 * - the anchor itself;
 * - an anchor that is not ACTIVE or is deleted (its page is not on the storefront; a deleted product owns nothing).
 * A product with neither a suggestion nor an upgrade left publishes nothing (its old metafields are removed).
 * A product with an upgrade but no suggestion gets no `fbt` metafield (an empty list is not written), and vice versa.
 *
 * A live bundle discount of an anchor (issue 12) is carried in its `offers.bundle`: the discount, its percentage, the
 * add-ons it discounts (GIDs, `products`: the fbt block prices the checked add-ons among them at the bundle price), its
 * kind and, for a code discount, the code the block applies to the cart. The caller passes only bundles that every
 * shopper gets (active, started, not ended, not limited to a segment). Add-ons that are not offerable are left out; a
 * bundle left with none is not published.
 *
 * Reasons are rendered in English and Vietnamese from the structured evidence (the snapshot's explanations are
 * English only). Values are serialised with a fixed key order, so an unchanged offer has an unchanged digest.
 */
import type { Recommendation } from "../recommend";
import type { ProductUpgrades, UpgradeCandidate } from "../upgrades";
import type { RankArm } from "./bandit";

export const OFFERS_FORMAT = 1;
export const PROXY_PATH = "/apps/insight-loop";
export const METAFIELD_NAMESPACE = "$app";

export const METAFIELD_TYPES = {
  fbt: "list.product_reference",
  upgrade: "product_reference",
  offers: "json",
  widget_settings: "json",
} as const;
export type OfferKey = "fbt" | "upgrade" | "offers";
export const PRODUCT_KEYS: readonly OfferKey[] = ["fbt", "upgrade", "offers"];

export type FbtSource = "bought-together" | "complementary-type" | "bestseller";
export type UpgradeSource = "upgrade-path" | "similar-title";
export type { RankArm };

export interface Reason {
  en: string;
  vi: string;
}

export interface FbtOffer {
  product: string;
  variant: string;
  source: FbtSource;
  reason: Reason;
  rank: RankArm;
  slot: number;
}

export interface UpgradeOffer {
  product: string;
  variant: string;
  source: UpgradeSource;
  reason: Reason;
  /** Default variant price of the upgrade minus the anchor's, in minor units; null when not comparable. */
  priceDifference: number | null;
}

export interface BundleOffer {
  /** The Shopify discount node GID. */
  discountId: string;
  title: string;
  percentOff: number;
  /** The add-ons' product GIDs. */
  products: string[];
  kind: "code" | "automatic";
  /** The code to apply to the cart (a code discount), else null. */
  code: string | null;
}

/** A live bundle discount of an anchor, as the app stores it (numeric product ids). */
export interface BundleOfferInput {
  discountId: string;
  title: string;
  percentOff: number;
  addOns: readonly string[];
  kind: "code" | "automatic";
  code: string | null;
}

export interface OffersJson {
  v: typeof OFFERS_FORMAT;
  version: number;
  fbt: FbtOffer[];
  upgrade: UpgradeOffer | null;
  bundle: BundleOffer | null;
}

export interface ProductOffers {
  /** The anchor's product GID: the owner of its metafields. */
  owner: string;
  fbt: string[];
  upgrade: string | null;
  offers: OffersJson;
}

export interface CatalogVariant {
  id: string;
  /** Minor units of `currency`. */
  price: number;
  currency: string;
  availableForSale: boolean;
}

export interface CatalogProduct {
  id: string;
  title: string;
  status: string;
  deleted: boolean;
  giftCard: boolean;
  /** In the shop's order (the first one is the product's first variant). */
  variants: readonly CatalogVariant[];
}

export interface OffersInput {
  /** Anchor product id → its recommendations, best first (the cross-sell snapshot's `recommendations`). */
  recommendations: Readonly<Record<string, readonly Recommendation[]>>;
  /** The snapshot's `upgrades`, each with its candidates best first. */
  upgrades: readonly ProductUpgrades[];
  /** The catalog by product id (legacy numeric ids, as the snapshot names them). */
  products: ReadonlyMap<string, CatalogProduct>;
  /** The storefront settings' version, carried in every offer. */
  version: number;
  /** Anchor product id → its live bundle discount (at most one per anchor). */
  bundles?: ReadonlyMap<string, BundleOfferInput>;
  /**
   * Re-orders an anchor's admitted suggestions (the bandit, bandit.ts rankCandidates) and says which arm ordered each
   * slot. Only products among `admitted` are ever published, whatever it returns. Default: the engine's order, "engine".
   */
  reorder?: (anchorId: string, admitted: readonly { productId: string; engineScore: number }[]) => { order: readonly string[]; rank: readonly RankArm[] };
}

export const productGid = (id: string) => `gid://shopify/Product/${id}`;
export const variantGid = (id: string) => `gid://shopify/ProductVariant/${id}`;

/** The variant a suggestion adds to the cart: the first available one priced above 0, or null. */
export function defaultVariant(product: CatalogProduct): CatalogVariant | null {
  return product.variants.find((v) => v.availableForSale && v.price > 0) ?? null;
}

function liveProduct(product: CatalogProduct | undefined): product is CatalogProduct {
  return product !== undefined && !product.deleted && product.status.toUpperCase() === "ACTIVE";
}

/** A product the storefront may suggest: live, not a gift card, with a default variant. */
export function offerable(product: CatalogProduct | undefined): product is CatalogProduct {
  return liveProduct(product) && !product.giftCard && defaultVariant(product) !== null;
}

// ---------------------------------------------------------------------------------------------------------------------
// Reasons

/** 1234567 → "1,234,567" (en) or "1.234.567" (vi). */
export function groupDigits(n: number, separator: string): string {
  const digits = String(Math.round(Math.abs(n)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  return n < 0 ? `-${grouped}` : grouped;
}

function sharePercent(share: number, lang: "en" | "vi"): string {
  const p = share * 100;
  const text = p >= 10 || p === 0 ? String(Math.round(p)) : p.toFixed(1);
  return lang === "en" ? `${text}%` : `${text.replace(".", ",")}%`;
}

function ratioText(ratio: number, lang: "en" | "vi"): string {
  const text = ratio.toFixed(1);
  return lang === "en" ? text : text.replace(".", ",");
}

/** English plural of a product type's last word (Mouse → Mice, Bag → Bags, Warranty → Warranties). */
function plural(name: string): string {
  const match = /^(.*?)([A-Za-z]+)$/.exec(name);
  if (!match) return name;
  const [, head = "", word = ""] = match;
  if (word.length > 1 && word === word.toUpperCase()) return `${name}s`;
  const lower = word.toLowerCase();
  const irregular: Record<string, string> = { mouse: "mice", person: "people", child: "children", man: "men", woman: "women", foot: "feet" };
  let out: string;
  if (irregular[lower]) out = word[0] === word[0]!.toUpperCase() ? irregular[lower][0]!.toUpperCase() + irregular[lower].slice(1) : irregular[lower];
  else if (/[^aeiou]y$/i.test(word)) out = `${word.slice(0, -1)}ies`;
  else if (/(s|x|z|ch|sh)$/i.test(word)) out = `${word}es`;
  else out = `${word}s`;
  return head + out;
}

export function recommendationReason(rec: Recommendation): Reason {
  const e = rec.evidence;
  switch (rec.source) {
    case "co-purchase": {
      const n = e.count ?? 0;
      return { en: `Bought together in ${groupDigits(n, ",")} orders`, vi: `Thường được mua cùng trong ${groupDigits(n, ".")} đơn hàng` };
    }
    case "complementary-type": {
      const from = e.fromType ?? "";
      const to = e.toType ?? "";
      if (!from || !to) return { en: "Often added with this product", vi: "Thường được mua kèm sản phẩm này" };
      return {
        en: `Shoppers who buy ${plural(from).toLowerCase()} often add ${plural(to).toLowerCase()}`,
        vi: `Khách mua ${from.toLowerCase()} thường mua thêm ${to.toLowerCase()}`,
      };
    }
    case "bestseller": {
      const n = e.orders ?? 0;
      return { en: `A bestseller, in ${groupDigits(n, ",")} orders`, vi: `Sản phẩm bán chạy, có trong ${groupDigits(n, ".")} đơn hàng` };
    }
  }
}

export function upgradeReason(anchorTitle: string, candidate: UpgradeCandidate): Reason {
  const path = candidate.path;
  if (path) {
    const days = Math.round(path.medianDays);
    return {
      en: `${sharePercent(path.share, "en")} of ${anchorTitle} buyers came back for this one, a median ${groupDigits(days, ",")} days later`,
      vi: `${sharePercent(path.share, "vi")} khách đã mua ${anchorTitle} quay lại mua sản phẩm này, trung vị ${groupDigits(days, ".")} ngày sau`,
    };
  }
  const finite = Number.isFinite(candidate.priceRatio) && candidate.priceRatio > 0;
  const en = `A step up from the ${anchorTitle}: ${candidate.sameLine ? "same line" : "similar model"}`;
  const vi = `Bản nâng cấp của ${anchorTitle}: ${candidate.sameLine ? "cùng dòng sản phẩm" : "mẫu tương tự"}`;
  return finite
    ? { en: `${en}, ${ratioText(candidate.priceRatio, "en")}× the price`, vi: `${vi}, giá gấp ${ratioText(candidate.priceRatio, "vi")} lần` }
    : { en, vi };
}

const FBT_SOURCE: Record<Recommendation["source"], FbtSource> = {
  "co-purchase": "bought-together",
  "complementary-type": "complementary-type",
  bestseller: "bestseller",
};

// ---------------------------------------------------------------------------------------------------------------------
// Offers

/** Every anchor's offers, in product id order; anchors with nothing to offer are absent. */
export function buildProductOffers(input: OffersInput): ProductOffers[] {
  const upgradesOf = new Map(input.upgrades.map((u) => [u.productId, u]));
  const anchors = [...new Set([...Object.keys(input.recommendations), ...upgradesOf.keys()])].sort(compareIds);
  const out: ProductOffers[] = [];
  for (const anchorId of anchors) {
    const anchor = input.products.get(anchorId);
    if (!liveProduct(anchor)) continue;
    // The engine's suggestions that may be shown, in its order; then, if asked, re-ordered among themselves only.
    const admitted: { rec: Recommendation; product: CatalogProduct }[] = [];
    const seen = new Set<string>([anchorId]);
    for (const rec of input.recommendations[anchorId] ?? []) {
      const product = input.products.get(rec.productId);
      if (seen.has(rec.productId) || !offerable(product)) continue;
      seen.add(rec.productId);
      admitted.push({ rec, product });
    }
    let ordered = admitted.map((a) => ({ ...a, rank: "engine" as RankArm }));
    if (input.reorder && admitted.length > 0) {
      const byId = new Map(admitted.map((a) => [a.rec.productId, a]));
      const { order, rank } = input.reorder(anchorId, admitted.map((a) => ({ productId: a.rec.productId, engineScore: a.rec.score })));
      const placed = new Set<string>();
      ordered = [];
      order.forEach((id, i) => {
        const a = byId.get(id);
        if (!a || placed.has(id)) return; // not admitted (or repeated): never published
        placed.add(id);
        ordered.push({ ...a, rank: rank[i] ?? "engine" });
      });
    }
    const fbt: FbtOffer[] = ordered.map(({ rec, product, rank }, i) => ({
      product: productGid(product.id),
      variant: variantGid(defaultVariant(product)!.id),
      source: FBT_SOURCE[rec.source],
      reason: recommendationReason(rec),
      rank,
      slot: i + 1,
    }));
    let upgrade: UpgradeOffer | null = null;
    for (const candidate of upgradesOf.get(anchorId)?.upgrades ?? []) {
      const product = input.products.get(candidate.productId);
      if (candidate.productId === anchorId || !offerable(product)) continue;
      const variant = defaultVariant(product)!;
      const anchorVariant = defaultVariant(anchor);
      upgrade = {
        product: productGid(product.id),
        variant: variantGid(variant.id),
        source: candidate.path ? "upgrade-path" : "similar-title",
        reason: upgradeReason(anchor.title, candidate),
        priceDifference: anchorVariant && anchorVariant.currency === variant.currency ? variant.price - anchorVariant.price : null,
      };
      break;
    }
    if (fbt.length === 0 && upgrade === null) continue;
    out.push({
      owner: productGid(anchorId),
      fbt: fbt.map((f) => f.product),
      upgrade: upgrade?.product ?? null,
      offers: { v: OFFERS_FORMAT, version: input.version, fbt, upgrade, bundle: bundleOffer(input, anchorId) },
    });
  }
  return out;
}

function bundleOffer(input: OffersInput, anchorId: string): BundleOffer | null {
  const b = input.bundles?.get(anchorId);
  if (!b) return null;
  const products = [...new Set(b.addOns)].filter((id) => id !== anchorId && offerable(input.products.get(id))).sort(compareIds).map(productGid);
  if (products.length === 0 || !(b.percentOff > 0 && b.percentOff < 100)) return null;
  return { discountId: b.discountId, title: b.title, percentOff: b.percentOff, products, kind: b.kind, code: b.kind === "code" ? b.code : null };
}

function compareIds(a: string, b: string): number {
  const x = /^\d+$/.test(a) && /^\d+$/.test(b) ? BigInt(a) - BigInt(b) : 0n;
  if (x !== 0n) return x < 0n ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------------------------
// Metafields

export interface MetafieldValue {
  ownerId: string;
  key: OfferKey | "widget_settings";
  type: string;
  value: string;
}

/** The product's metafields as written: `offers` always, `fbt` and `upgrade` when there is something to reference. */
export function productMetafields(p: ProductOffers): MetafieldValue[] {
  const out: MetafieldValue[] = [];
  if (p.fbt.length > 0) out.push({ ownerId: p.owner, key: "fbt", type: METAFIELD_TYPES.fbt, value: JSON.stringify(p.fbt) });
  if (p.upgrade !== null) out.push({ ownerId: p.owner, key: "upgrade", type: METAFIELD_TYPES.upgrade, value: p.upgrade });
  out.push({ ownerId: p.owner, key: "offers", type: METAFIELD_TYPES.offers, value: JSON.stringify(p.offers) });
  return out;
}

export interface WidgetSettingsInput {
  version: number;
  holdoutShare: number;
  salt: string;
  widgets: { fbt: boolean; upgrade: boolean; cart: boolean };
}

export function widgetSettingsMetafield(shopGid: string, s: WidgetSettingsInput): MetafieldValue {
  const value = {
    v: OFFERS_FORMAT,
    version: s.version,
    holdoutShare: s.holdoutShare,
    salt: s.salt,
    widgets: { fbt: s.widgets.fbt, upgrade: s.widgets.upgrade, cart: s.widgets.cart },
    proxyPath: PROXY_PATH,
  };
  return { ownerId: shopGid, key: "widget_settings", type: METAFIELD_TYPES.widget_settings, value: JSON.stringify(value) };
}
