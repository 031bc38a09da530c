// Deactivates a automatic discount (its end date becomes now): pausing a launched bundle (issue 12).
import type { DiscountNodeRef, DiscountUserError } from "../discount-types";

export const DISCOUNT_AUTOMATIC_DEACTIVATE = `#graphql
  mutation DiscountAutomaticDeactivate($id: ID!) {
    discountAutomaticDeactivate(id: $id) {
      automaticDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export interface DiscountAutomaticDeactivateData {
  discountAutomaticDeactivate: { automaticDiscountNode: DiscountNodeRef | null; userErrors: DiscountUserError[] } | null;
}
