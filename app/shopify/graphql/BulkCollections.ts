// Bulk query: every collection.
export const BULK_COLLECTIONS = `#graphql
  query BulkCollections {
    collections {
      edges {
        node {
          id
          title
          handle
        }
      }
    }
  }
`;
