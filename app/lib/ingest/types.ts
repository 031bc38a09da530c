/**
 * Orders, customers and catalog as every source delivers them to the database: Shopify bulk exports, webhooks and
 * file imports all map into these plain records, and one writer (writer.server.ts) stores them. Money is in minor units
 * of the record's currency; ids are the source's ids as text; times are Dates (UTC instants).
 */

export interface IngestLine {
  id: string;
  productId: string | null;
  variantId: string | null;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  unitPrice: bigint;
  totalDiscount: bigint;
  refundedQuantity: number;
  isGiftCard: boolean;
  isCustom: boolean;
  /**
   * Storefront attribution from the line's properties (`_il_widget`, `_il_slot`, `_il_rank`), already validated
   * (app/shopify/mappers/attribution.ts); null when the line carries none, absent when the source has no properties.
   */
  offerWidget?: string | null;
  offerSlot?: number | null;
  offerRank?: string | null;
}

export interface IngestOrder {
  id: string;
  name: string;
  createdAt: Date;
  processedAt: Date;
  updatedAt: Date;
  cancelledAt: Date | null;
  currency: string;
  subtotal: bigint;
  total: bigint;
  totalDiscounts: bigint;
  totalRefunded: bigint;
  test: boolean;
  sourceName: string | null;
  discountCodes: string[];
  customerId: string | null;
  lines: IngestLine[];
  /**
   * Storefront attribution from the order's attributes (`_il_vid`, `_il_arm`), already validated. Absent (undefined)
   * when the source carries no attributes at all (file imports): the writer then keeps what is stored; null when the
   * order has none or they were invalid.
   */
  visitorId?: string | null;
  offerArm?: string | null;
}

export interface IngestCustomer {
  id: string;
  createdAt: Date;
  updatedAt: Date | null;
  tags: string[];
  rfmGroup: string | null;
  predictedSpendTier: string | null;
  locale: string | null;
  countryCode: string | null;
  emailMarketing: string | null;
  smsMarketing: string | null;
}

export interface IngestVariant {
  id: string;
  title: string;
  sku: string | null;
  currency: string;
  price: bigint;
  compareAtPrice: bigint | null;
  unitCost: bigint | null;
  inventoryQuantity: number | null;
  availableForSale: boolean;
}

export interface IngestProduct {
  id: string;
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  tags: string[];
  status: "ACTIVE" | "ARCHIVED" | "DRAFT" | "UNLISTED";
  createdAt: Date | null;
  updatedAt: Date | null;
  collectionIds: string[];
  variants: IngestVariant[];
}

export interface IngestCollection {
  id: string;
  title: string;
  handle: string;
}
