// Bulk query: every order (all history with read_all_orders) with its line items. Line amounts state their currency:
// a line row may arrive apart from (even before) its order. `customAttributes` (cart attributes on the order, line
// properties on a line) carry the storefront blocks' attribution (ADR 019); the mapper keeps only the `_il_*` values.
export const BULK_ORDERS = `#graphql
  query BulkOrders {
    orders {
      edges {
        node {
          id
          name
          createdAt
          processedAt
          updatedAt
          cancelledAt
          test
          sourceName
          currencyCode
          discountCodes
          customAttributes {
            key
            value
          }
          customer {
            id
          }
          subtotalPriceSet {
            shopMoney {
              amount
            }
          }
          totalPriceSet {
            shopMoney {
              amount
            }
          }
          totalDiscountsSet {
            shopMoney {
              amount
            }
          }
          totalRefundedSet {
            shopMoney {
              amount
            }
          }
          lineItems {
            edges {
              node {
                id
                title
                variantTitle
                sku
                quantity
                currentQuantity
                isGiftCard
                customAttributes {
                  key
                  value
                }
                product {
                  id
                }
                variant {
                  id
                }
                originalUnitPriceSet {
                  shopMoney {
                    amount
                    currencyCode
                  }
                }
                totalDiscountSet {
                  shopMoney {
                    amount
                    currencyCode
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;
