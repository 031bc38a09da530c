/**
 * Records a shop when the app gets its first (or a renewed) access token: identity, currency, time zone and locale.
 * A reinstall clears `uninstalledAt` and keeps the shop's settings.
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../db.server";
import { SHOP_QUERY, type ShopQueryData } from "../shopify/graphql/ShopQuery";

export type GraphqlFn = (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;

export class ShopifyResponseError extends Error {
  constructor(
    readonly operation: string,
    readonly details: unknown,
  ) {
    super(`${operation} failed: ${JSON.stringify(details)}`);
    this.name = "ShopifyResponseError";
  }
}

export async function installShop({
  shop,
  graphql,
  db = defaultPrisma,
}: {
  shop: string;
  graphql: GraphqlFn;
  db?: PrismaClient;
}) {
  const response = await graphql(SHOP_QUERY);
  const body = (await response.json()) as { data?: ShopQueryData; errors?: unknown };
  if (!body.data?.shop) throw new ShopifyResponseError("ShopQuery", body.errors ?? "no data");
  const { currencyCode, ianaTimezone } = body.data.shop;
  const locale = body.data.shopLocales.find((l) => l.primary)?.locale ?? "en";
  return db.shop.upsert({
    where: { domain: shop },
    create: { domain: shop, currency: currencyCode, timezone: ianaTimezone, locale },
    update: { currency: currencyCode, timezone: ianaTimezone, locale, uninstalledAt: null },
  });
}
