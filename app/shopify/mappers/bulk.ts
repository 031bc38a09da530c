/**
 * Pure mapping of bulk-operation JSONL rows (Admin API shapes, 2026-01) to ingest records. Rows arrive flattened: a
 * child row (line item, variant, collection membership) carries `__parentId`, and the caller assembles children with
 * their parent before calling these functions. No IO here.
 */
import { toMinorUnits } from "../../insights/money";
import type { IngestCollection, IngestCustomer, IngestLine, IngestOrder, IngestProduct } from "../../lib/ingest/types";
import type { OrderLineRow, VariantRow } from "../../lib/ingest/writer.server";
import { lineAttribution, orderAttribution } from "./attribution";

export type BulkRow = Record<string, unknown> & { id: string; __parentId?: string };

export class BulkRowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BulkRowError";
  }
}

/** "gid://shopify/Order/123" → "123"; the type is checked. */
export function legacyId(value: unknown, type: string): string {
  const match = typeof value === "string" ? /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/.exec(value) : null;
  if (!match || match[1] !== type) throw new BulkRowError(`expected a ${type} id, got ${JSON.stringify(value)}`);
  return match[2]!;
}

/** The type name of a GID ("ProductVariant"), to tell the kinds of child rows apart. */
export function gidType(value: string): string | null {
  return /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(value)?.[1] ?? null;
}

const date = (value: unknown, field: string): Date => {
  const d = typeof value === "string" ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new BulkRowError(`${field} is not a date: ${JSON.stringify(value)}`);
  return d;
};
const optionalDate = (value: unknown, field: string) => (value === null || value === undefined ? null : date(value, field));
const text = (value: unknown) => (typeof value === "string" ? value : null);
const shopMoney = (bag: unknown, currency: string, field: string): bigint => {
  const amount = (bag as { shopMoney?: { amount?: unknown } } | null)?.shopMoney?.amount;
  if (typeof amount !== "string") throw new BulkRowError(`${field} has no shopMoney.amount`);
  return BigInt(toMinorUnits(amount, currency));
};
const nestedId = (value: unknown, type: string) => {
  const id = (value as { id?: unknown } | null)?.id;
  return id === undefined || id === null ? null : legacyId(id, type);
};

/** An order row without its lines (they are rows of their own in a bulk file). */
export function mapOrderHeader(row: BulkRow): IngestOrder {
  const currency = text(row.currencyCode);
  if (!currency) throw new BulkRowError("order has no currencyCode");
  return {
    id: legacyId(row.id, "Order"),
    name: text(row.name) ?? "",
    createdAt: date(row.createdAt, "createdAt"),
    processedAt: date(row.processedAt ?? row.createdAt, "processedAt"),
    updatedAt: date(row.updatedAt, "updatedAt"),
    cancelledAt: optionalDate(row.cancelledAt, "cancelledAt"),
    currency,
    subtotal: shopMoney(row.subtotalPriceSet, currency, "subtotalPriceSet"),
    total: shopMoney(row.totalPriceSet, currency, "totalPriceSet"),
    totalDiscounts: shopMoney(row.totalDiscountsSet, currency, "totalDiscountsSet"),
    totalRefunded: shopMoney(row.totalRefundedSet, currency, "totalRefundedSet"),
    test: row.test === true,
    sourceName: text(row.sourceName),
    discountCodes: Array.isArray(row.discountCodes) ? row.discountCodes.filter((c): c is string => typeof c === "string") : [],
    customerId: nestedId(row.customer, "Customer"),
    lines: [],
    // Only the storefront's validated `_il_vid` / `_il_arm`; other attributes (gift messages…) are never kept.
    ...(Array.isArray(row.customAttributes) ? orderAttribution(row.customAttributes) : {}),
  };
}

/**
 * A line item row on its own (`__parentId` = its order). Amounts are converted with the currency their shopMoney
 * states (the bulk query asks for it), or `fallbackCurrency` (the order's, when known). What refunds and edits removed
 * is left to the writer (`currentQuantity`): it depends on whether the order is cancelled.
 */
export function mapLineRow(line: BulkRow, fallbackCurrency?: string): OrderLineRow {
  if (typeof line.__parentId !== "string") throw new BulkRowError(`line item ${line.id} has no __parentId`);
  const quantity = Number(line.quantity);
  if (!Number.isInteger(quantity)) throw new BulkRowError(`line item ${line.id} has no integer quantity`);
  const current = line.currentQuantity === undefined || line.currentQuantity === null ? quantity : Number(line.currentQuantity);
  const productId = nestedId(line.product, "Product");
  const currency = (bag: unknown, field: string) => {
    const stated = (bag as { shopMoney?: { currencyCode?: unknown } } | null)?.shopMoney?.currencyCode;
    const code = typeof stated === "string" ? stated : fallbackCurrency;
    if (!code) throw new BulkRowError(`line item ${line.id}: ${field} has no currencyCode`);
    return code;
  };
  return {
    orderId: legacyId(line.__parentId, "Order"),
    id: legacyId(line.id, "LineItem"),
    productId,
    variantId: nestedId(line.variant, "ProductVariant"),
    title: text(line.title) ?? "",
    variantTitle: text(line.variantTitle),
    sku: text(line.sku),
    quantity,
    unitPrice: shopMoney(line.originalUnitPriceSet, currency(line.originalUnitPriceSet, "originalUnitPriceSet"), "originalUnitPriceSet"),
    totalDiscount: shopMoney(line.totalDiscountSet, currency(line.totalDiscountSet, "totalDiscountSet"), "totalDiscountSet"),
    refundedQuantity: Math.max(0, quantity - current),
    currentQuantity: current,
    isGiftCard: line.isGiftCard === true,
    isCustom: productId === null && line.isGiftCard !== true,
    // Only the storefront's validated `_il_widget` / `_il_slot` / `_il_rank`; other properties are never kept.
    ...lineAttribution(line.customAttributes),
  };
}

/** An order row with its line rows, as one record (refunded quantities resolved: 0 on a cancelled order). */
export function mapOrder(row: BulkRow, lineRows: readonly BulkRow[]): IngestOrder {
  const order = mapOrderHeader(row);
  // What refunds (and edits) removed; a cancelled order's lines stay as bought: the cancellation itself excludes them.
  const lines: IngestLine[] = lineRows.map((l) => {
    const { orderId: _orderId, currentQuantity: _current, ...line } = mapLineRow({ ...l, __parentId: row.id }, order.currency);
    return order.cancelledAt === null ? line : { ...line, refundedQuantity: 0 };
  });
  return { ...order, lines };
}

export function mapCustomer(row: BulkRow): IngestCustomer {
  const statistics = row.statistics as { rfmGroup?: unknown; predictedSpendTier?: unknown } | null | undefined;
  const consent = row.emailMarketingConsent as { marketingState?: unknown } | null | undefined;
  return {
    id: legacyId(row.id, "Customer"),
    createdAt: date(row.createdAt, "createdAt"),
    updatedAt: optionalDate(row.updatedAt, "updatedAt"),
    tags: Array.isArray(row.tags) ? row.tags.filter((t): t is string => typeof t === "string") : [],
    rfmGroup: text(statistics?.rfmGroup),
    predictedSpendTier: text(statistics?.predictedSpendTier),
    locale: text(row.locale),
    countryCode: null, // an address field: not requested (protected customer data level 2)
    emailMarketing: text(consent?.marketingState),
    smsMarketing: null,
  };
}

export function mapCollection(row: BulkRow): IngestCollection {
  return { id: legacyId(row.id, "Collection"), title: text(row.title) ?? "", handle: text(row.handle) ?? "" };
}

const STATUSES = new Set(["ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED"]);

export type ProductChild = { kind: "variant"; variant: VariantRow } | { kind: "collection"; productId: string; collectionId: string };

/** A product's child row on its own: a variant (`currency` = the shop's) or a collection membership. */
export function mapProductChild(child: BulkRow, currency: string): ProductChild {
  if (typeof child.__parentId !== "string") throw new BulkRowError(`product child ${child.id} has no __parentId`);
  const productId = legacyId(child.__parentId, "Product");
  const type = gidType(child.id);
  if (type === "Collection") return { kind: "collection", productId, collectionId: legacyId(child.id, "Collection") };
  if (type !== "ProductVariant") throw new BulkRowError(`unexpected child row ${child.id} under product ${child.__parentId}`);
  const unitCost = (child.inventoryItem as { unitCost?: { amount?: unknown; currencyCode?: unknown } | null } | null)?.unitCost;
  const decimal = (value: unknown) => (typeof value === "string" ? BigInt(toMinorUnits(value, currency)) : null);
  return {
    kind: "variant",
    variant: {
      productId,
      id: legacyId(child.id, "ProductVariant"),
      title: text(child.title) ?? "",
      sku: text(child.sku),
      currency,
      price: decimal(child.price) ?? 0n,
      compareAtPrice: decimal(child.compareAtPrice),
      unitCost: unitCost && typeof unitCost.amount === "string" ? BigInt(toMinorUnits(unitCost.amount, String(unitCost.currencyCode ?? currency))) : null,
      inventoryQuantity: typeof child.inventoryQuantity === "number" ? child.inventoryQuantity : null,
      availableForSale: child.availableForSale !== false,
    },
  };
}

/** A product row without its children. */
export function mapProductHeader(row: BulkRow): IngestProduct {
  const status = text(row.status) ?? "ACTIVE";
  if (!STATUSES.has(status)) throw new BulkRowError(`unknown product status ${status}`);
  return {
    id: legacyId(row.id, "Product"),
    title: text(row.title) ?? "",
    handle: text(row.handle) ?? "",
    productType: text(row.productType) ?? "",
    vendor: text(row.vendor) ?? "",
    tags: Array.isArray(row.tags) ? row.tags.filter((t): t is string => typeof t === "string") : [],
    status: status as IngestProduct["status"],
    createdAt: optionalDate(row.createdAt, "createdAt"),
    updatedAt: optionalDate(row.updatedAt, "updatedAt"),
    collectionIds: [],
    variants: [],
  };
}

/** A product row with its children, as one record. */
export function mapProduct(row: BulkRow, children: readonly BulkRow[], currency: string): IngestProduct {
  const product = mapProductHeader(row);
  for (const child of children) {
    const mapped = mapProductChild({ ...child, __parentId: row.id }, currency);
    if (mapped.kind === "collection") product.collectionIds.push(mapped.collectionId);
    else {
      const { productId: _productId, ...variant } = mapped.variant;
      product.variants.push(variant);
    }
  }
  return product;
}
