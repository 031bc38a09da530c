// The shop's automatic discounts that count toward Shopify's 25-active cap (active now or scheduled), with their titles
// and ends: the bundle launch form says what is active when the cap is reached (issue 12).
export const ACTIVE_AUTOMATIC_DISCOUNTS = `#graphql
  query ActiveAutomaticDiscounts {
    active: discountNodes(first: 50, query: "method:automatic status:active", sortKey: ENDS_AT) {
      nodes {
        ...CappedDiscount
      }
    }
    scheduled: discountNodes(first: 50, query: "method:automatic status:scheduled", sortKey: ENDS_AT) {
      nodes {
        ...CappedDiscount
      }
    }
  }

  fragment CappedDiscount on DiscountNode {
    id
    discount {
      __typename
      ... on DiscountAutomaticBasic {
        title
        status
        startsAt
        endsAt
      }
      ... on DiscountAutomaticBxgy {
        title
        status
        startsAt
        endsAt
      }
      ... on DiscountAutomaticFreeShipping {
        title
        status
        startsAt
        endsAt
      }
      ... on DiscountAutomaticApp {
        title
        status
        startsAt
        endsAt
      }
    }
  }
`;

export interface CappedDiscountNode {
  id: string;
  discount: { __typename: string; title?: string; status?: "ACTIVE" | "EXPIRED" | "SCHEDULED"; startsAt?: string; endsAt?: string | null };
}

export interface ActiveAutomaticDiscountsData {
  active: { nodes: CappedDiscountNode[] };
  scheduled: { nodes: CappedDiscountNode[] };
}
