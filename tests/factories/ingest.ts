/** Builders for ingest records (what sync, webhooks and imports hand to the writer). */
import type { IngestLine, IngestOrder } from "../../app/lib/ingest/types";

export function ingestLine(id: string, overrides: Partial<IngestLine> = {}): IngestLine {
  return {
    id,
    productId: "p1",
    variantId: "v1",
    title: "VietBook 14",
    variantTitle: null,
    sku: "VB14",
    quantity: 1,
    unitPrice: 16_490_000n,
    totalDiscount: 0n,
    refundedQuantity: 0,
    isGiftCard: false,
    isCustom: false,
    ...overrides,
  };
}

export function ingestOrder(id: string, overrides: Partial<IngestOrder> = {}): IngestOrder {
  const at = new Date("2025-03-01T03:00:00Z");
  return {
    id,
    name: `#${id}`,
    createdAt: at,
    processedAt: at,
    updatedAt: at,
    cancelledAt: null,
    currency: "VND",
    subtotal: 16_490_000n,
    total: 16_490_000n,
    totalDiscounts: 0n,
    totalRefunded: 0n,
    test: false,
    sourceName: "web",
    discountCodes: [],
    customerId: null,
    lines: [ingestLine(`${id}-1`)],
    ...overrides,
  };
}
