/** QueryRoot.shop and QueryRoot.shopLocales. */
import { gid } from "../gid";
import { metafieldFields } from "./metafields";
import type { ApiModule } from "../server";

export const shopModule: ApiModule = {
  name: "shop",
  query: {
    shop: (_args, { shop }) => {
      const s = shop.seed.shop;
      return {
        __typename: "Shop",
        id: gid("Shop", s.id),
        name: s.name,
        myshopifyDomain: s.domain,
        currencyCode: s.currencyCode,
        ianaTimezone: s.ianaTimezone,
        ...metafieldFields(shop, gid("Shop", s.id)),
      };
    },
    shopLocales: (_args, { shop }) =>
      shop.seed.shop.locales.map((locale, i) => ({
        __typename: "ShopLocale",
        locale,
        name: locale,
        primary: i === 0,
        published: true,
      })),
  },
};
