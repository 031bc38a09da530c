// Bulk query: every product with its variants (unit cost when tracked) and collection memberships.
export const BULK_PRODUCTS = `#graphql
  query BulkProducts {
    products {
      edges {
        node {
          id
          title
          handle
          productType
          vendor
          tags
          status
          createdAt
          updatedAt
          collections {
            edges {
              node {
                id
              }
            }
          }
          variants {
            edges {
              node {
                id
                title
                sku
                price
                compareAtPrice
                inventoryQuantity
                availableForSale
                inventoryItem {
                  unitCost {
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
