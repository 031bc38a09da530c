// Finds automatic discounts by title (issue 12): a launch that crashed after Shopify created it adopts it, not a twin.
export const AUTOMATIC_DISCOUNTS_BY_TITLE = `#graphql
  query AutomaticDiscountsByTitle($query: String!) {
    discountNodes(first: 10, query: $query) {
      nodes {
        id
        discount {
          __typename
          ... on DiscountAutomaticBxgy {
            title
          }
        }
      }
    }
  }
`;

export interface AutomaticDiscountsByTitleData {
  discountNodes: { nodes: { id: string; discount: { __typename: string; title?: string } }[] };
}
