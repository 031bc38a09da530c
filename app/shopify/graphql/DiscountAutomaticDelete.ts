// Deletes a automatic discount: ending a launched bundle (issue 12).
import type { DiscountUserError } from "../discount-types";

export const DISCOUNT_AUTOMATIC_DELETE = `#graphql
  mutation DiscountAutomaticDelete($id: ID!) {
    discountAutomaticDelete(id: $id) {
      deletedAutomaticDiscountId
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export interface DiscountAutomaticDeleteData {
  discountAutomaticDelete: { deletedAutomaticDiscountId: string | null; userErrors: DiscountUserError[] } | null;
}
