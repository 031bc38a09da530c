/**
 * Publishing a shop's storefront offers (ADR 019) after its insights are recomputed: the stored cross-sell results and
 * the catalog become each product's `$app.fbt`, `$app.upgrade` and `$app.offers` metafields and the shop's
 * `$app.widget_settings` (app/insights/offers/payload.ts), written through app/shopify/publish/offers.server.ts.
 *
 * Without a client given, the shop's offline session is used. A shop without one (not installed, uninstalled) or whose
 * grant lacks `write_products` (needed to write product metafields) is skipped, and says why: nothing can be written.
 */
import type { MetafieldPublication, PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { buildProductOffers, productMetafields, widgetSettingsMetafield, type CatalogProduct, type MetafieldValue } from "../../insights/offers/payload";
import { parseShopSettings } from "../../models/shop-settings";
import { createAdminClient, type AdminClient } from "../../shopify/client.server";
import { SHOP_ID_QUERY, type ShopIdQueryData } from "../../shopify/graphql/ShopIdQuery";
import { adminFetch } from "../../shopify/local-shopify.server";
import { publishMetafields, readLastPublication as readLast, type PublicationResult } from "../../shopify/publish/offers.server";
import { readCrossSell } from "../insights/cross-sell.server";

/** The access scope writing product metafields needs. */
export const PUBLISH_SCOPE = "write_products";

export type PublishOutcome = ({ status: "SUCCEEDED" | "FAILED" } & PublicationResult) | { status: "SKIPPED"; reason: string };

export interface PublishStorefrontInput {
  shop: string;
  db?: PrismaClient;
  now?: Date;
  /** The shop's Admin client; by default one on its offline session. */
  client?: AdminClient;
  batchSize?: number;
}

export async function publishStorefrontOffers({ shop, db = defaultPrisma, now = new Date(), client, batchSize }: PublishStorefrontInput): Promise<PublishOutcome> {
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true, uninstalledAt: true } });
  if (!shopRow) return { status: "SKIPPED", reason: "the shop is not installed" };
  if (shopRow.uninstalledAt) return { status: "SKIPPED", reason: "the app is uninstalled from the shop" };
  const settings = parseShopSettings(shop, shopRow.settings).storefront;
  // No cross-sell results yet (or of an older format): nothing to publish, and nothing to remove on that account.
  const crossSell = await readCrossSell(db, shop);
  if (!crossSell) return { status: "SKIPPED", reason: "no cross-sell results to publish yet" };

  let admin = client;
  if (!admin) {
    const resolved = await offlineClient(db, shop);
    if ("reason" in resolved) return { status: "SKIPPED", reason: resolved.reason };
    admin = resolved.client;
  }
  const adminClient = admin;

  const desired = async (): Promise<MetafieldValue[]> => {
    const products = await loadCatalog(db, shop);
    const offers = buildProductOffers({
      recommendations: crossSell.data.recommendations,
      upgrades: crossSell.data.upgrades,
      products,
      version: settings.version,
    });
    const { shop: shopObject } = await adminClient.request<ShopIdQueryData>(SHOP_ID_QUERY);
    return [widgetSettingsMetafield(shopObject.id, settings), ...offers.flatMap(productMetafields)];
  };
  const result = await publishMetafields({ shop, db, client: adminClient, now, version: settings.version, desired, ...(batchSize ? { batchSize } : {}) });
  return result;
}

async function offlineClient(db: PrismaClient, shop: string): Promise<{ client: AdminClient } | { reason: string }> {
  const session = await db.session.findFirst({ where: { shop, isOnline: false }, select: { scope: true } });
  if (!session) return { reason: "the shop has no offline session" };
  const scopes = (session.scope ?? "").split(",").map((s) => s.trim());
  if (!scopes.includes(PUBLISH_SCOPE)) return { reason: `the app's access to the shop lacks ${PUBLISH_SCOPE}` };
  // Loaded here, not at the top: the Shopify app configuration is only needed when a session is used.
  const { unauthenticated } = await import("../../shopify.server");
  const { session: live } = await unauthenticated.admin(shop);
  if (!live.accessToken) return { reason: "the shop's offline session has no access token" };
  return { client: createAdminClient({ shop, accessToken: live.accessToken, fetch: adminFetch() }) };
}

/** The shop's products as the payload needs them: variants in id order, gift cards marked. */
async function loadCatalog(db: PrismaClient, shop: string): Promise<Map<string, CatalogProduct>> {
  const [products, giftCardLines] = await Promise.all([
    db.product.findMany({
      where: { shop },
      select: {
        id: true,
        title: true,
        status: true,
        deletedAt: true,
        productType: true,
        variants: { select: { id: true, price: true, currency: true, availableForSale: true } },
      },
    }),
    // Shopify marks gift cards on the product; the app sees it on the order lines that sold one.
    db.orderLine.findMany({ where: { shop, isGiftCard: true, productId: { not: null } }, distinct: ["productId"], select: { productId: true } }),
  ]);
  const giftCards = new Set(giftCardLines.map((l) => l.productId));
  const byId = (a: { id: string }, b: { id: string }) => {
    const numeric = /^\d+$/.test(a.id) && /^\d+$/.test(b.id);
    const d = numeric ? BigInt(a.id) - BigInt(b.id) : 0n;
    return d !== 0n ? (d < 0n ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
  return new Map(
    products.map((p) => [
      p.id,
      {
        id: p.id,
        title: p.title,
        status: p.status,
        deleted: p.deletedAt !== null,
        giftCard: giftCards.has(p.id) || /gift\s*card/i.test(p.productType),
        variants: [...p.variants].sort(byId).map((v) => ({ id: v.id, price: Number(v.price), currency: v.currency, availableForSale: v.availableForSale })),
      },
    ]),
  );
}

/** The shop's last publication (the Background work page), or null before the first. */
export async function readLastPublication(db: PrismaClient, shop: string): Promise<MetafieldPublication | null> {
  return readLast(db, shop);
}
