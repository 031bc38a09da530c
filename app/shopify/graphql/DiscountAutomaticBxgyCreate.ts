// Creates an automatic buy X get Y discount: a launched bundle (issue 12). At most 25 automatic discounts are active.
import type { BxgyDiscountInput, DiscountNodeRef, DiscountUserError } from "../discount-types";

export const DISCOUNT_AUTOMATIC_BXGY_CREATE = `#graphql
  mutation DiscountAutomaticBxgyCreate($automaticBxgyDiscount: DiscountAutomaticBxgyInput!) {
    discountAutomaticBxgyCreate(automaticBxgyDiscount: $automaticBxgyDiscount) {
      automaticDiscountNode {
        id
        automaticDiscount {
          ... on DiscountAutomaticBxgy {
            status
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export type DiscountAutomaticBxgyInput = BxgyDiscountInput;

export interface DiscountAutomaticBxgyCreateData {
  discountAutomaticBxgyCreate: { automaticDiscountNode: (DiscountNodeRef & { automaticDiscount: { status?: string } }) | null; userErrors: DiscountUserError[] } | null;
}
