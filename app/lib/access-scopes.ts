/**
 * Which features need which access scopes, and which of those a shop has not granted.
 *
 * The granted scopes are the offline session's (`Session.scope`), which the app/scopes_update webhook keeps equal to what
 * the merchant granted (app/routes/webhooks.app.scopes_update.tsx). Scopes are compared as Shopify's library compares them
 * (`AuthScopes`: a write scope implies its read scope). Every scope here is declared in `shopify.app.toml`
 * `[access_scopes]`: with Shopify-managed installation, Shopify asks the merchant to approve scopes added after the install
 * when the app is next opened from the Shopify admin, so the way to grant one is to open the app from Apps and accept.
 */
import { AuthScopes } from "@shopify/shopify-api";

export const FEATURES = {
  "bundle-discounts": { scopes: ["write_discounts"], label: "Launching bundle discounts" },
  segments: { scopes: ["write_customers"], label: "Publishing segments to Shopify (customer tags and segments)" },
  "storefront-offers": { scopes: ["write_products"], label: "Publishing storefront offers (product metafields)" },
} as const satisfies Record<string, { scopes: readonly string[]; label: string }>;

export type Feature = keyof typeof FEATURES;

/** What a page shows when a feature lacks a scope: which scopes, and how to grant them. */
export interface MissingAccess {
  feature: Feature;
  label: string;
  missing: string[];
  howToGrant: string;
}

export const HOW_TO_GRANT =
  "Open Insight Loop from your Shopify admin (Apps → Insight Loop): Shopify asks you to review and accept the new permissions. " +
  "If you declined them earlier, the request is shown again each time you open the app.";

/** The scopes of `required` that `granted` (a comma-separated scope list, as stored) does not include. */
export function missingScopes(granted: string | null | undefined, required: readonly string[]): string[] {
  const have = new AuthScopes(granted ?? "");
  return required.filter((scope) => !have.has(scope));
}

/** What `feature` lacks in this set of granted scopes, or null when it has everything. */
export function missingAccess(feature: Feature, granted: string | null | undefined): MissingAccess | null {
  const { scopes, label } = FEATURES[feature];
  const missing = missingScopes(granted, scopes);
  return missing.length === 0 ? null : { feature, label, missing, howToGrant: HOW_TO_GRANT };
}


/** The sentence that refuses a change for a missing scope: the feature, the scope, how to grant it. */
export function accessMessage(lack: MissingAccess): string {
  return `${lack.label} needs the ${lack.missing.join(", ")} permission, which this store has not granted. ${lack.howToGrant}`;
}
