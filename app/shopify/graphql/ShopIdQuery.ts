// The shop's GID: the owner of shop-level metafields (the storefront's widget settings).
export const SHOP_ID_QUERY = `#graphql
  query ShopIdQuery {
    shop {
      id
    }
  }
`;

export interface ShopIdQueryData {
  shop: { id: string };
}
