// Deletes a code discount: ending a launched bundle (issue 12).
import type { DiscountUserError } from "../discount-types";

export const DISCOUNT_CODE_DELETE = `#graphql
  mutation DiscountCodeDelete($id: ID!) {
    discountCodeDelete(id: $id) {
      deletedCodeDiscountId
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export interface DiscountCodeDeleteData {
  discountCodeDelete: { deletedCodeDiscountId: string | null; userErrors: DiscountUserError[] } | null;
}
