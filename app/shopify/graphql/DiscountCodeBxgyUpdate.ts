// Sets a code buy X get Y discount's end again: resuming a paused bundle whose end day is still ahead (issue 12;
// activating clears the end in Shopify). Only the end is sent, so nothing else the merchant set is touched.
import type { DiscountNodeRef, DiscountUserError } from "../discount-types";

export const DISCOUNT_CODE_BXGY_UPDATE = `#graphql
  mutation DiscountCodeBxgyUpdate($id: ID!, $bxgyCodeDiscount: DiscountCodeBxgyInput!) {
    discountCodeBxgyUpdate(id: $id, bxgyCodeDiscount: $bxgyCodeDiscount) {
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

/** The one field the app updates: the end (an ISO date-time). */
export interface DiscountBxgyEndInput {
  endsAt: string;
}

export interface DiscountCodeBxgyUpdateData {
  discountCodeBxgyUpdate: { codeDiscountNode: DiscountNodeRef | null; userErrors: DiscountUserError[] } | null;
}
