// Bulk query: every customer, without personal data (no name, email, phone or address is requested).
export const BULK_CUSTOMERS = `#graphql
  query BulkCustomers {
    customers {
      edges {
        node {
          id
          createdAt
          updatedAt
          tags
          locale
          statistics {
            rfmGroup
            predictedSpendTier
          }
          emailMarketingConsent {
            marketingState
          }
        }
      }
    }
  }
`;
