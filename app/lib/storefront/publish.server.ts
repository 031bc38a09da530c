/**
 * Publishing a shop's storefront offers (ADR 019) after its insights are recomputed: the stored cross-sell results and
 * the catalog become each product's `$app.fbt`, `$app.upgrade` and `$app.offers` metafields and the shop's
 * `$app.widget_settings` (app/insights/offers/payload.ts), written through app/shopify/publish/offers.server.ts.
 *
 * Without a client given, the shop's offline session is used. A shop without one (not installed, uninstalled) or whose
 * grant lacks `write_products` (needed to write product metafields) is skipped, and says why: nothing can be written.
 * Deleted products lose their metafields with them: their rows are dropped without a call.
 *
 * Bundle discounts (issue 12): an anchor's `offers.bundle` is its live bundle discount — ACTIVE in the app's last
 * knowledge of Shopify, started, not ended, and not limited to customer segments (the block shows one price to every
 * shopper, and a segment's discount is not everyone's). Of several, the latest launched. Launching, pausing, resuming,
 * ending and a sync that sees a change queue this publication; a scheduled bundle appears, and an expired one goes, at
 * the first publication after its start or end (the storefront's block prices it until then; checkout does not).
 */
import type { MetafieldPublication, PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { buildProductOffers, productGid, productMetafields, widgetSettingsMetafield, type BundleOfferInput, type CatalogProduct, type MetafieldValue } from "../../insights/offers/payload";
import { parseShopSettings } from "../../models/shop-settings";
import { offlineAdminClient } from "../../shopify.server";
import type { AdminClient } from "../../shopify/client.server";
import { SHOP_ID_QUERY, type ShopIdQueryData } from "../../shopify/graphql/ShopIdQuery";
import { publishMetafields, readLastPublication as readLast, type PublicationResult } from "../../shopify/publish/offers.server";
import { readCrossSell } from "../insights/cross-sell.server";
import { rankCandidates } from "../../insights/offers/bandit";
import { loadCandidateStats } from "./offer-stats.server";

/** Share of anchors whose suggestions a publication orders at random (exploration), the rest by Thompson sampling. */
export const EXPLORATION_SHARE = 0.1;
/** What the bandit learns from: the last 90 days of shoppers' behaviour. */
export const LEARNING_DAYS = 90;

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

  let admin: AdminClient | (() => Promise<AdminClient>);
  if (client) admin = client;
  else {
    const missing = await whyNoOfflineClient(db, shop);
    if (missing) return { status: "SKIPPED", reason: missing };
    admin = () => offlineClient(shop);
  }

  const desired = async (adminClient: AdminClient): Promise<{ metafields: MetafieldValue[]; goneOwners: string[] }> => {
    const products = await loadCatalog(db, shop);
    const stats = await loadCandidateStats(db, shop, new Date(now.getTime() - LEARNING_DAYS * 86_400_000));
    const bundles = await liveBundles(db, shop, now);
    const offers = buildProductOffers({
      bundles,
      // The bandit re-orders only what the engine admitted; with nothing observed for an anchor it keeps the engine's order.
      reorder: (anchorId, admitted) =>
        rankCandidates({ candidates: admitted, stats: stats.get(anchorId) ?? new Map(), seed: `${anchorId}:${now.getTime()}`, explorationShare: EXPLORATION_SHARE, slots: admitted.length }),
      recommendations: crossSell.data.recommendations,
      upgrades: crossSell.data.upgrades,
      products,
      version: settings.version,
    });
    const { shop: shopObject } = await adminClient.request<ShopIdQueryData>(SHOP_ID_QUERY);
    return {
      metafields: [widgetSettingsMetafield(shopObject.id, settings), ...offers.flatMap(productMetafields)],
      goneOwners: [...products.values()].filter((p) => p.deleted).map((p) => productGid(p.id)),
    };
  };
  const result = await publishMetafields({ shop, db, client: admin, now, version: settings.version, desired, ...(batchSize ? { batchSize } : {}) });
  return result;
}

/** Each anchor's live bundle discount that every shopper gets (see the header), the latest launched first. */
export async function liveBundles(db: PrismaClient, shop: string, now: Date): Promise<Map<string, BundleOfferInput>> {
  const rows = await db.bundleDiscount.findMany({
    where: { shop, status: "ACTIVE", discountId: { not: null }, segmentIds: { isEmpty: true }, startsAt: { lte: now }, OR: [{ endsAt: null }, { endsAt: { gt: now } }] },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  const out = new Map<string, BundleOfferInput>();
  for (const r of rows) {
    const offer: BundleOfferInput = { discountId: r.discountId!, title: r.title, percentOff: r.percentOff, addOns: r.addOnProductIds, kind: r.kind === "code" ? "code" : "automatic", code: r.code };
    for (const anchor of r.anchorProductIds) if (!out.has(anchor)) out.set(anchor, offer);
  }
  return out;
}

/** Why the shop's offline session cannot publish, or null when it can. */
async function whyNoOfflineClient(db: PrismaClient, shop: string): Promise<string | null> {
  const session = await db.session.findFirst({ where: { shop, isOnline: false }, select: { scope: true } });
  if (!session) return "the shop has no offline session";
  const scopes = (session.scope ?? "").split(",").map((s) => s.trim());
  if (!scopes.includes(PUBLISH_SCOPE)) return `the app's access to the shop lacks ${PUBLISH_SCOPE}`;
  return null;
}

/** A client on the shop's offline session (its token refreshed when it expires). */
async function offlineClient(shop: string): Promise<AdminClient> {
  const client = await offlineAdminClient(shop);
  if (!client) throw new Error(`the offline session of ${shop} has no access token`);
  return client;
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
