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
});

export type ShopSettings = z.infer<typeof ShopSettingsSchema>;

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
  if (result.success) return result.data;
  throw new ShopSettingsError(
    shop,
    result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`),
  );
}
