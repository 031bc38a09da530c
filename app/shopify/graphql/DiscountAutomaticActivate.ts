// Activates an automatic discount again: resuming a paused bundle (issue 12). Counts toward the 25-active cap.
import type { DiscountNodeRef, DiscountUserError } from "../discount-types";

export const DISCOUNT_AUTOMATIC_ACTIVATE = `#graphql
  mutation DiscountAutomaticActivate($id: ID!) {
    discountAutomaticActivate(id: $id) {
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

export interface DiscountAutomaticActivateData {
  discountAutomaticActivate: { automaticDiscountNode: DiscountNodeRef | null; userErrors: DiscountUserError[] } | null;
}
