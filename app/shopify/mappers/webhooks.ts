/**
 * Pure mapping of webhook records (webhook-payloads.ts: Shopify's REST-style JSON, validated and reduced) to the
 * ingest records the one writer stores. Money becomes minor units of the order's (or shop's) currency, exactly; the
 * conventions follow the bulk mapper (bulk.ts) so that a webhook and a full sync store the same row for the same order:
 * a custom line has no product and is no gift card, a cancelled order's lines keep their quantities.
 */
import { toMinorUnits } from "../../insights/money";
import type { IngestCustomer, IngestLine, IngestOrder, IngestProduct } from "../../lib/ingest/types";
import {
  parseCustomerWebhook,
  parseOrderWebhook,
  parseProductWebhook,
  parseRefundWebhook,
  sumDecimals,
  WebhookPayloadError,
  type CustomerRecord,
  type OrderRecord,
  type ProductRecord,
  type RefundRecord,
} from "./webhook-payloads";

const minor = (amount: string, currency: string) => BigInt(toMinorUnits(amount, currency));

/** Quantities refunded per line item id, over every refund of the order. */
export function refundedQuantities(refunds: readonly RefundRecord[]): Map<string, number> {
  const quantities = new Map<string, number>();
  for (const refund of refunds) {
    for (const line of refund.lines) quantities.set(line.lineItemId, (quantities.get(line.lineItemId) ?? 0) + line.quantity);
  }
  return quantities;
}

/**
 * What refunds paid back, in the order's currency. A refund transaction in another currency (a multi-currency order
 * refunded in the buyer's currency) cannot be converted exactly and is left out.
 */
export function refundedAmount(refunds: readonly RefundRecord[], currency: string): bigint {
  const amounts = refunds.flatMap((r) => r.transactions.filter((t) => t.currency === null || t.currency === currency).map((t) => t.amount));
  return amounts.length === 0 ? 0n : minor(sumDecimals(amounts), currency);
}

export function mapOrderRecord(order: OrderRecord): IngestOrder {
  const { currency } = order;
  const cancelled = order.cancelledAt !== null;
  const refunded = refundedQuantities(order.refunds);
  const lines: IngestLine[] = order.lines.map((l) => ({
    id: l.id,
    productId: l.productId,
    variantId: l.variantId,
    title: l.title,
    variantTitle: l.variantTitle,
    sku: l.sku,
    quantity: l.quantity,
    unitPrice: minor(l.price, currency),
    totalDiscount: minor(l.discount, currency),
    refundedQuantity: cancelled ? 0 : Math.min(l.quantity, refunded.get(l.id) ?? 0),
    isGiftCard: l.giftCard,
    isCustom: l.productId === null && !l.giftCard,
    ...l.attribution,
  }));
  return {
    id: order.id,
    name: order.name,
    createdAt: new Date(order.createdAt),
    processedAt: new Date(order.processedAt),
    updatedAt: new Date(order.updatedAt),
    cancelledAt: order.cancelledAt === null ? null : new Date(order.cancelledAt),
    currency,
    subtotal: minor(order.subtotal, currency),
    total: minor(order.total, currency),
    totalDiscounts: minor(order.totalDiscounts, currency),
    totalRefunded: refundedAmount(order.refunds, currency),
    test: order.test,
    sourceName: order.sourceName,
    discountCodes: order.discountCodes,
    customerId: order.customerId,
    lines,
    ...order.attribution,
  };
}

/** A refund as a change to apply to a stored order (refunds/create). */
export interface RefundDelta {
  refundId: string;
  orderId: string;
  createdAt: Date;
  /** Refunded quantity per line item id. */
  quantities: Map<string, number>;
  /** Minor units of `currency`. */
  amount: bigint;
}

export function mapRefundRecord(refund: RefundRecord & { orderId: string }, currency: string): RefundDelta {
  return {
    refundId: refund.id,
    orderId: refund.orderId,
    createdAt: new Date(refund.createdAt),
    quantities: refundedQuantities([refund]),
    amount: refundedAmount([refund], currency),
  };
}

/** `currency`: the shop's (variant prices are in it). Collections and unit costs are not in product webhooks. */
export function mapProductRecord(product: ProductRecord, currency: string): IngestProduct {
  return {
    id: product.id,
    title: product.title,
    handle: product.handle,
    productType: product.productType,
    vendor: product.vendor,
    tags: product.tags,
    status: product.status,
    createdAt: product.createdAt === null ? null : new Date(product.createdAt),
    updatedAt: product.updatedAt === null ? null : new Date(product.updatedAt),
    collectionIds: [],
    variants: product.variants.map((v) => ({
      id: v.id,
      title: v.title,
      sku: v.sku,
      currency,
      price: minor(v.price, currency),
      compareAtPrice: v.compareAtPrice === null ? null : minor(v.compareAtPrice, currency),
      unitCost: null,
      inventoryQuantity: v.inventoryQuantity,
      availableForSale: v.availableForSale,
    })),
  };
}

/** Shopify's RFM group and predicted spend tier are not in customer webhooks: null here, kept from the stored row. */
export function mapCustomerRecord(customer: CustomerRecord): IngestCustomer {
  return {
    id: customer.id,
    createdAt: new Date(customer.createdAt),
    updatedAt: customer.updatedAt === null ? null : new Date(customer.updatedAt),
    tags: customer.tags,
    rfmGroup: null,
    predictedSpendTier: null,
    locale: customer.locale,
    countryCode: customer.countryCode,
    emailMarketing: customer.emailMarketing,
    smsMarketing: customer.smsMarketing,
  };
}

// Straight from a webhook's JSON (tests, tools): parse, then map.
export const orderFromWebhook = (payload: unknown) => mapOrderRecord(parseOrderWebhook(payload));
export const refundFromWebhook = (payload: unknown, currency: string) => mapRefundRecord(parseRefundWebhook(payload), currency);
export const productFromWebhook = (payload: unknown, currency: string) => mapProductRecord(parseProductWebhook(payload), currency);
export const customerFromWebhook = (payload: unknown) => mapCustomerRecord(parseCustomerWebhook(payload));

export { WebhookPayloadError };
