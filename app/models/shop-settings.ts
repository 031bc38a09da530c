/**
 * A shop's settings, stored as JSON on Shop.settings and validated on every read and write. Unknown keys are dropped,
 * missing keys take their defaults, so settings written by an older version of the app still load.
 */
import { z } from "zod";

export const ShopSettingsSchema = z.object({
  /** Interface language of the admin. */
  uiLocale: z.enum(["en", "vi"]).default("en"),
  /** What never enters basket analysis (DEVELOPERS: merchant's exclusions). */
  exclusions: z
    .object({
      productIds: z.array(z.string().min(1)).default([]),
      tags: z.array(z.string().min(1)).default([]),
      collectionIds: z.array(z.string().min(1)).default([]),
      vendors: z.array(z.string().min(1)).default([]),
    })
    .default({ productIds: [], tags: [], collectionIds: [], vendors: [] }),
  /** Half-life in days for weighting recent orders more; null = every order counts the same. */
  recencyHalfLifeDays: z.number().int().positive().max(3650).nullable().default(null),
  /**
   * Gross margin, in percent of net revenue, for order lines whose variant has no unit cost in Shopify: lifetime value
   * and acquisition payback are counted in contribution (ADR 026). null: not entered (lines without a cost then leave
   * the analysis on net revenue, and the Customer value page says so).
   */
  defaultMarginPercent: z.number({ message: "must be a number" }).gt(0, "must be more than 0 %").max(100, "must be at most 100 %").nullable().default(null),
  /** The storefront widgets (ADR 019), published to the shop's `$app.widget_settings` metafield. */
  storefront: z
    .object({
      /** Share of visitors in the randomized holdout, who see no widget (0 to 0.5). */
      holdoutShare: z.number().min(0).max(0.5).default(0.1),
      /** Salt of the visitor assignment; null = derived from the shop (storefrontSalt). A new salt reshuffles visitors. */
      salt: z.string().min(1).max(100).nullable().default(null),
      widgets: z
        .object({ fbt: z.boolean().default(true), upgrade: z.boolean().default(true), cart: z.boolean().default(true) })
        .default({ fbt: true, upgrade: true, cart: true }),
      /** Raised whenever the storefront settings change; published with the widget settings and every offer. */
      version: z.number().int().min(1).default(1),
    })
    .default({ holdoutShare: 0.1, salt: null, widgets: { fbt: true, upgrade: true, cart: true }, version: 1 }),
});

type ParsedSettings = z.infer<typeof ShopSettingsSchema>;
export type StorefrontSettings = Omit<ParsedSettings["storefront"], "salt"> & { salt: string };
/** Settings as read: the storefront salt is always resolved (the stored one, else the shop's derived one). */
export type ShopSettings = Omit<ParsedSettings, "storefront"> & { storefront: StorefrontSettings };

/**
 * The default assignment salt of a shop: stable (the same visitors stay in the same arm across publications) and
 * different between shops. It is public anyway (published in widget_settings): it separates, it does not protect.
 * 32-bit FNV-1a of the domain, twice with different seeds, as 16 hex digits.
 */
export function defaultStorefrontSalt(shop: string): string {
  const fnv = (seed: number) => {
    let h = seed >>> 0;
    for (const byte of new TextEncoder().encode(shop)) h = Math.imul(h ^ byte, 16777619) >>> 0;
    return h.toString(16).padStart(8, "0");
  };
  return `${fnv(2166136261)}${fnv(0x811c9dc5 ^ 0x5bd1e995)}`;
}

export class ShopSettingsError extends Error {
  constructor(
    readonly shop: string,
    readonly issues: readonly string[],
  ) {
    super(`Invalid settings for ${shop}: ${issues.join("; ")}`);
    this.name = "ShopSettingsError";
  }
}

export function parseShopSettings(shop: string, value: unknown): ShopSettings {
  const result = ShopSettingsSchema.safeParse(value ?? {});
  if (result.success) {
    const { storefront, ...rest } = result.data;
    return { ...rest, storefront: { ...storefront, salt: storefront.salt ?? defaultStorefrontSalt(shop) } };
  }
  throw new ShopSettingsError(
    shop,
    result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
  );
}
