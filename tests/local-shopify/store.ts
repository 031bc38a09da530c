/**
 * The local Shopify's in-memory data. Objects are shaped like the Admin API's (field names as in the schema, with
 * `__typename`), so GraphQL execution reads them directly. A field missing from an object is a field the local Shopify
 * does not implement: asking for it is an error, never a silent null.
 */
export interface LocalShop {
  __typename: "Shop";
  id: string;
  name: string;
  myshopifyDomain: string;
  currencyCode: string;
  ianaTimezone: string;
  email?: never; // personal data the app never asks for
}

export interface LocalShopLocale {
  __typename: "ShopLocale";
  locale: string;
  name: string;
  primary: boolean;
  published: boolean;
}

export interface LocalStoreData {
  shop: LocalShop;
  shopLocales: LocalShopLocale[];
}

export function makeShop({
  domain,
  name = domain.replace(".myshopify.com", ""),
  currencyCode = "VND",
  ianaTimezone = "Asia/Ho_Chi_Minh",
  locales = ["vi", "en"],
  id = 1,
}: {
  domain: string;
  name?: string;
  currencyCode?: string;
  ianaTimezone?: string;
  locales?: string[];
  id?: number;
}): LocalStoreData {
  return {
    shop: { __typename: "Shop", id: `gid://shopify/Shop/${id}`, name, myshopifyDomain: domain, currencyCode, ianaTimezone },
    shopLocales: locales.map((locale, i) => ({
      __typename: "ShopLocale",
      locale,
      name: locale,
      primary: i === 0,
      published: true,
    })),
  };
}
