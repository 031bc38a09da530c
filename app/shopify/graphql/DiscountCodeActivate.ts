// Activates a code discount again (its end date is cleared or moved on): resuming a paused bundle (issue 12).
import type { DiscountNodeRef, DiscountUserError } from "../discount-types";

export const DISCOUNT_CODE_ACTIVATE = `#graphql
  mutation DiscountCodeActivate($id: ID!) {
    discountCodeActivate(id: $id) {
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

export interface DiscountCodeActivateData {
  discountCodeActivate: { codeDiscountNode: DiscountNodeRef | null; userErrors: DiscountUserError[] } | null;
}
