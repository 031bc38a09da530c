// Sets an automatic buy X get Y discount's end again: resuming a paused bundle whose end day is still ahead (issue 12;
// activating clears the end in Shopify). Only the end is sent, so nothing else the merchant set is touched.
import type { DiscountNodeRef, DiscountUserError } from "../discount-types";

export const DISCOUNT_AUTOMATIC_BXGY_UPDATE = `#graphql
  mutation DiscountAutomaticBxgyUpdate($id: ID!, $automaticBxgyDiscount: DiscountAutomaticBxgyInput!) {
    discountAutomaticBxgyUpdate(id: $id, automaticBxgyDiscount: $automaticBxgyDiscount) {
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

export interface DiscountAutomaticBxgyUpdateData {
  discountAutomaticBxgyUpdate: { automaticDiscountNode: DiscountNodeRef | null; userErrors: DiscountUserError[] } | null;
}
