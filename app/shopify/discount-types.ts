// Types shared by the discount operations in app/shopify/graphql/ (issue 12). No GraphQL document here.

export interface DiscountUserError {
  field: string[] | null;
  message: string;
  code: string | null;
}

export interface DiscountNodeRef {
  id: string;
}

export interface DiscountCombinesWithInput {
  productDiscounts: boolean;
  orderDiscounts: boolean;
  shippingDiscounts: boolean;
}

/** The DiscountCodeBxgyInput / DiscountAutomaticBxgyInput fields a bundle uses. */
export interface BxgyDiscountInput {
  title: string;
  startsAt: string;
  endsAt: string | null;
  combinesWith: DiscountCombinesWithInput;
  customerBuys: { value: { quantity: string }; items: { products: { productsToAdd: string[] } } };
  customerGets: {
    value: { discountOnQuantity: { quantity: string; effect: { percentage: number } } };
    items: { products: { productsToAdd: string[] } };
  };
  usesPerOrderLimit: number;
}

interface ProductsRead {
  products?: { nodes: { id: string }[] };
}

/** A buy X get Y discount as BundleDiscountNode reads it back (other discount types carry only __typename). */
export interface BxgyDiscountRead {
  __typename: string;
  title?: string;
  status?: "ACTIVE" | "EXPIRED" | "SCHEDULED";
  startsAt?: string;
  endsAt?: string | null;
  combinesWith?: DiscountCombinesWithInput;
  customerBuys?: { value: { quantity?: string }; items: ProductsRead };
  customerGets?: { value: { quantity?: { quantity: string }; effect?: { percentage?: number } }; items: ProductsRead };
  usesPerOrderLimit?: number | null;
  codes?: { nodes: { code: string }[] };
}
