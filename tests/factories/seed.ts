/**
 * A small hand-made shop for local-Shopify tests: every case the API mapping must handle appears once — a multi-variant
 * product, a deleted product, a guest order, a cancelled order, a refund, a custom line.
 */
import type { SeedStore } from "../local-shopify/seed";

export function smallSeed(domain = "small-shop.myshopify.com", currencyCode = "VND"): SeedStore {
  const at = (day: number, hour = 3) => new Date(Date.UTC(2025, 0, day, hour)).toISOString();
  return {
    shop: { id: 11, domain, name: "Small Shop", currencyCode, ianaTimezone: "Asia/Ho_Chi_Minh", locales: ["vi", "en"] },
    collections: [
      { id: 701, title: "Laptops", handle: "laptops", updatedAt: at(1) },
      { id: 702, title: "Accessories", handle: "accessories", updatedAt: at(2) },
    ],
    products: [
      {
        id: 101, title: "VietBook 14", handle: "vietbook-14", productType: "Laptop", vendor: "Viet", tags: ["laptop", "standard"],
        status: "ACTIVE", createdAt: at(1), updatedAt: at(5), deletedAt: null, collectionIds: [701],
        variants: [
          { id: 201, title: "Silver", sku: "VB14-S", price: 25_000_000, compareAtPrice: 27_000_000, unitCost: 18_000_000, inventoryQuantity: 12, availableForSale: true },
          { id: 202, title: "Black", sku: "VB14-B", price: 25_500_000, compareAtPrice: null, unitCost: null, inventoryQuantity: 0, availableForSale: false },
        ],
      },
      {
        id: 102, title: "Mouse M1", handle: "mouse-m1", productType: "Mouse", vendor: "Viet", tags: ["accessory"],
        status: "ACTIVE", createdAt: at(2), updatedAt: at(3), deletedAt: null, collectionIds: [702],
        variants: [{ id: 203, title: "Default Title", sku: "M1", price: 350_000, compareAtPrice: null, unitCost: 200_000, inventoryQuantity: 100, availableForSale: true }],
      },
      {
        id: 103, title: "Old Bag", handle: "old-bag", productType: "Bag", vendor: "Viet", tags: [],
        status: "ARCHIVED", createdAt: at(1), updatedAt: at(9), deletedAt: at(9), collectionIds: [702],
        variants: [{ id: 204, title: "Default Title", sku: "BAG-OLD", price: 500_000, compareAtPrice: null, unitCost: null, inventoryQuantity: 0, availableForSale: false }],
      },
    ],
    customers: [
      { id: 301, createdAt: at(1), updatedAt: at(6), tags: ["age:15-22"], locale: "vi", countryCode: "VN", emailMarketingState: "SUBSCRIBED", rfmGroup: "CHAMPIONS", predictedSpendTier: "HIGH" },
      { id: 302, createdAt: at(2), updatedAt: at(2), tags: ["age:23-30"], locale: "en", countryCode: null, emailMarketingState: "NOT_SUBSCRIBED", rfmGroup: null, predictedSpendTier: null },
    ],
    orders: [
      {
        id: 401, name: "#1001", createdAt: at(3), processedAt: at(3), updatedAt: at(3), cancelledAt: null, test: false, sourceName: "web",
        customerId: 301, discountCodes: [], subtotal: 25_350_000, totalDiscounts: 0, total: 25_350_000, refunds: [],
        lineItems: [
          { id: 501, productId: 101, variantId: 201, title: "VietBook 14", variantTitle: "Silver", sku: "VB14-S", quantity: 1, unitPrice: 25_000_000, totalDiscount: 0, isGiftCard: false, requiresShipping: true },
          { id: 502, productId: 102, variantId: 203, title: "Mouse M1", variantTitle: null, sku: "M1", quantity: 1, unitPrice: 350_000, totalDiscount: 0, isGiftCard: false, requiresShipping: true },
        ],
      },
      {
        id: 402, name: "#1002", createdAt: at(4), processedAt: at(4), updatedAt: at(8), cancelledAt: null, test: false, sourceName: "web",
        customerId: 301, discountCodes: ["BTS2025"], subtotal: 800_000, totalDiscounts: 50_000, total: 800_000,
        refunds: [{ id: 601, createdAt: at(8), lineItems: [{ lineItemId: 504, quantity: 1 }], amount: 500_000 }],
        lineItems: [
          { id: 503, productId: 102, variantId: 203, title: "Mouse M1", variantTitle: null, sku: "M1", quantity: 1, unitPrice: 350_000, totalDiscount: 50_000, isGiftCard: false, requiresShipping: true },
          { id: 504, productId: null, variantId: null, title: "Old Bag", variantTitle: null, sku: "BAG-OLD", quantity: 1, unitPrice: 500_000, totalDiscount: 0, isGiftCard: false, requiresShipping: true },
        ],
      },
      {
        id: 403, name: "#1003", createdAt: at(5), processedAt: at(5), updatedAt: at(5), cancelledAt: null, test: false, sourceName: "pos",
        customerId: null, discountCodes: [], subtotal: 350_000, totalDiscounts: 0, total: 350_000, refunds: [],
        lineItems: [
          { id: 505, productId: 102, variantId: 203, title: "Mouse M1", variantTitle: null, sku: "M1", quantity: 1, unitPrice: 350_000, totalDiscount: 0, isGiftCard: false, requiresShipping: true },
        ],
      },
      {
        id: 404, name: "#1004", createdAt: at(6), processedAt: at(6), updatedAt: at(7), cancelledAt: at(7), test: false, sourceName: "web",
        customerId: 302, discountCodes: [], subtotal: 25_000_000, totalDiscounts: 0, total: 25_000_000, refunds: [],
        lineItems: [
          { id: 506, productId: 101, variantId: 201, title: "VietBook 14", variantTitle: "Silver", sku: "VB14-S", quantity: 1, unitPrice: 25_000_000, totalDiscount: 0, isGiftCard: false, requiresShipping: true },
        ],
      },
      {
        id: 405, name: "#1005", createdAt: at(7), processedAt: at(7), updatedAt: at(7), cancelledAt: null, test: true, sourceName: "web",
        customerId: 302, discountCodes: [], subtotal: 20_000, totalDiscounts: 0, total: 20_000, refunds: [],
        lineItems: [
          { id: 507, productId: null, variantId: null, title: "Tip", variantTitle: null, sku: null, quantity: 1, unitPrice: 20_000, totalDiscount: 0, isGiftCard: false, requiresShipping: false },
        ],
      },
    ],
  };
}
