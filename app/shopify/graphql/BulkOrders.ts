// Bulk query: every order (all history with read_all_orders) with its line items. Line amounts state their currency:
// a line row may arrive apart from (even before) its order.
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
