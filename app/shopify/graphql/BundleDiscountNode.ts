// Reads back a launched bundle's discount (issue 12): its status and its buy X get Y shape, or null once deleted.
import type { BxgyDiscountRead } from "../discount-types";

export const BUNDLE_DISCOUNT_NODE = `#graphql
  query BundleDiscountNode($id: ID!) {
    discountNode(id: $id) {
      id
      discount {
        __typename
        ... on DiscountCodeBxgy {
          title
          status
          startsAt
          endsAt
          combinesWith {
            productDiscounts
            orderDiscounts
            shippingDiscounts
          }
          customerBuys {
            ...BundleBuys
          }
          customerGets {
            ...BundleGets
          }
          usesPerOrderLimit
          codes(first: 1) {
            nodes {
              code
            }
          }
        }
        ... on DiscountAutomaticBxgy {
          title
          status
          startsAt
          endsAt
          combinesWith {
            productDiscounts
            orderDiscounts
            shippingDiscounts
          }
          customerBuys {
            ...BundleBuys
          }
          customerGets {
            ...BundleGets
          }
          usesPerOrderLimit
        }
      }
    }
  }

  # The buy X get Y shape both kinds share: what the customer buys, and what they get at which percentage.
  fragment BundleBuys on DiscountCustomerBuys {
    value {
      ... on DiscountQuantity {
        quantity
      }
    }
    items {
      ... on DiscountProducts {
        products(first: 50) {
          nodes {
            id
          }
        }
      }
    }
  }

  fragment BundleGets on DiscountCustomerGets {
    value {
      ... on DiscountOnQuantity {
        quantity {
          quantity
        }
        effect {
          ... on DiscountPercentage {
            percentage
          }
        }
      }
    }
    items {
      ... on DiscountProducts {
        products(first: 50) {
          nodes {
            id
          }
        }
      }
    }
  }
`;

export interface BundleDiscountNodeData {
  discountNode: { id: string; discount: BxgyDiscountRead } | null;
}
