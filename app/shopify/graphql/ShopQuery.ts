// The shop's identity and the settings every insight depends on (currency for money, time zone for days).
export const SHOP_QUERY = `#graphql
  query ShopQuery {
    shop {
      myshopifyDomain
      currencyCode
      ianaTimezone
    }
    shopLocales {
      locale
      primary
    }
  }
`;

export interface ShopQueryData {
  shop: { myshopifyDomain: string; currencyCode: string; ianaTimezone: string };
  shopLocales: { locale: string; primary: boolean }[];
}
