/**
 * The data a local shop is seeded with: plain, JSON-serialisable records in Shopify's vocabulary. The demo-store
 * generator (tests/demo-store/) writes them; the local Shopify serves them through the Admin API shapes
 * (admin-objects.ts). Ids are Shopify's numeric ids (GIDs are built from them); money is integer minor units of the
 * shop's currency (VND: whole dong); timestamps are ISO 8601 strings with an explicit offset (UTC "Z").
 */

export interface SeedShop {
  id: number;
  domain: string; // e.g. insight-loop-demo.myshopify.com
  name: string;
  currencyCode: string; // ISO 4217
  ianaTimezone: string; // e.g. Asia/Ho_Chi_Minh
  locales: string[]; // primary first
  plan?: "standard" | "advanced" | "plus";
}

export interface SeedCollection {
  id: number;
  title: string;
  handle: string;
  updatedAt: string;
}

export interface SeedVariant {
  id: number;
  title: string; // "Default Title" for single-variant products
  sku: string;
  price: number; // minor units
  compareAtPrice: number | null;
  unitCost: number | null; // InventoryItem.unitCost, when tracked
  inventoryQuantity: number;
  availableForSale: boolean;
}

export interface SeedProduct {
  id: number;
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  tags: string[];
  status: "ACTIVE" | "ARCHIVED" | "DRAFT";
  createdAt: string;
  updatedAt: string;
  /** Deleted products no longer exist in the Admin API; order lines keep pointing at nothing (product: null). */
  deletedAt: string | null;
  collectionIds: number[];
  variants: SeedVariant[];
}

export interface SeedCustomer {
  id: number;
  createdAt: string;
  updatedAt: string;
  tags: string[]; // e.g. "age:15-22"
  locale: string;
  countryCode: string | null;
  emailMarketingState: "SUBSCRIBED" | "NOT_SUBSCRIBED" | "UNSUBSCRIBED" | "PENDING";
  rfmGroup: string | null; // CustomerRfmGroup enum value, e.g. CHAMPIONS
  predictedSpendTier: "HIGH" | "MEDIUM" | "LOW" | null;
}

export interface SeedLineItem {
  id: number;
  productId: number | null; // null: custom line, tip, or product deleted
  variantId: number | null;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  unitPrice: number; // minor units, before discounts
  totalDiscount: number; // minor units, allocated to this line
  isGiftCard: boolean;
  requiresShipping: boolean;
  /** Line item properties (the storefront's `_il_widget`, `_il_slot`, `_il_rank`); absent means none. */
  customAttributes?: { key: string; value: string }[];
}

export interface SeedRefund {
  id: number;
  createdAt: string;
  lineItems: { lineItemId: number; quantity: number }[];
  amount: number; // minor units refunded
}

export interface SeedOrder {
  id: number;
  name: string; // "#1001"
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  test: boolean;
  sourceName: string; // web, pos, shopify_draft_order
  customerId: number | null; // null: guest checkout
  discountCodes: string[];
  subtotal: number; // minor units, after line discounts
  totalDiscounts: number;
  total: number;
  lineItems: SeedLineItem[];
  refunds: SeedRefund[];
  /** Cart attributes carried onto the order (the storefront's `_il_vid`, `_il_arm`); absent means none. */
  customAttributes?: { key: string; value: string }[];
}

export interface SeedStore {
  shop: SeedShop;
  collections: SeedCollection[];
  products: SeedProduct[];
  customers: SeedCustomer[];
  orders: SeedOrder[];
}
