/**
 * The demo store's records (tests/demo-store) as the pure engine's inputs (app/insights/baskets.ts): what the app's
 * loader would hand the core after a sync. Deleted products are gone from the catalog (Shopify no longer returns
 * them; their order lines already carry no product id). A product's price is its cheapest variant's, its unit cost
 * that variant's, and it is available when any variant is available for sale. Refunded quantities are summed per line
 * from the order's refunds. Nothing here looks at the planted truth.
 */
import type { InsightOrder, InsightProduct } from "../../app/insights/baskets";
import type { SeedOrder, SeedProduct } from "../local-shopify/seed";

export function demoProducts(products: readonly SeedProduct[]): Map<string, InsightProduct> {
  const out = new Map<string, InsightProduct>();
  for (const p of products) {
    if (p.deletedAt !== null) continue;
    const cheapest = [...p.variants].sort((a, b) => a.price - b.price)[0];
    out.set(String(p.id), {
      id: String(p.id),
      title: p.title,
      productType: p.productType,
      vendor: p.vendor,
      tags: p.tags,
      collectionIds: p.collectionIds.map(String),
      status: p.status,
      price: cheapest?.price ?? 0,
      unitCost: cheapest?.unitCost ?? null,
      available: p.variants.some((v) => v.availableForSale),
    });
  }
  return out;
}

export function demoOrder(order: SeedOrder): InsightOrder {
  const refunded = new Map<number, number>();
  for (const refund of order.refunds) for (const l of refund.lineItems) refunded.set(l.lineItemId, (refunded.get(l.lineItemId) ?? 0) + l.quantity);
  return {
    id: String(order.id),
    createdAt: Date.parse(order.createdAt),
    cancelledAt: order.cancelledAt === null ? null : Date.parse(order.cancelledAt),
    test: order.test,
    customerId: order.customerId === null ? null : String(order.customerId),
    lines: order.lineItems.map((line) => ({
      productId: line.productId === null ? null : String(line.productId),
      variantId: line.variantId === null ? null : String(line.variantId),
      quantity: line.quantity,
      refundedQuantity: refunded.get(line.id) ?? 0,
      isGiftCard: line.isGiftCard,
      // A line without a product is a custom line, a tip or a line of a deleted product: none is a product to offer.
      isCustom: line.productId === null && line.variantId === null && !line.isGiftCard,
    })),
  };
}
