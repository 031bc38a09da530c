// Deactivates a code discount (its end date becomes now): pausing a launched bundle (issue 12).
import type { DiscountNodeRef, DiscountUserError } from "../discount-types";

export const DISCOUNT_CODE_DEACTIVATE = `#graphql
  mutation DiscountCodeDeactivate($id: ID!) {
    discountCodeDeactivate(id: $id) {
      codeDiscountNode {
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

export interface DiscountCodeDeactivateData {
  discountCodeDeactivate: { codeDiscountNode: DiscountNodeRef | null; userErrors: DiscountUserError[] } | null;
}
