// Finds a code discount by its code (issue 12): a launch that crashed after Shopify created it adopts it, not a twin.
export const CODE_DISCOUNT_NODE_BY_CODE = `#graphql
  query CodeDiscountNodeByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
      codeDiscount {
        __typename
        ... on DiscountCodeBxgy {
          title
        }
      }
    }
  }
`;

export interface CodeDiscountNodeByCodeData {
  codeDiscountNodeByCode: { id: string; codeDiscount: { __typename: string; title?: string } } | null;
}
