// Creates a buy X get Y code discount: a launched bundle (issue 12, app/shopify/publish/discounts.server.ts).
import type { BxgyDiscountInput, DiscountNodeRef, DiscountUserError } from "../discount-types";

export const DISCOUNT_CODE_BXGY_CREATE = `#graphql
  mutation DiscountCodeBxgyCreate($bxgyCodeDiscount: DiscountCodeBxgyInput!) {
    discountCodeBxgyCreate(bxgyCodeDiscount: $bxgyCodeDiscount) {
      codeDiscountNode {
        id
        codeDiscount {
          ... on DiscountCodeBxgy {
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

export type DiscountCodeBxgyInput = BxgyDiscountInput & { code: string; context: { all: "ALL" } };

export interface DiscountCodeBxgyCreateData {
  discountCodeBxgyCreate: { codeDiscountNode: (DiscountNodeRef & { codeDiscount: { status?: string } }) | null; userErrors: DiscountUserError[] } | null;
}
