/**
 * Cross-sell and upgrades for one shop: the shop's orders and catalog (load.server.ts) through the pure engine
 * (app/insights/: baskets → recommender, upgrades, bundles), stored as the shop's `cross-sell` InsightSnapshot.
 * Run after each full sync and import (job insights.recompute) and on demand from the admin.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import { chooseRanker, easeScorer, type RankerChoice } from "../../insights/backtest";
import { prepareBaskets, type BasketExclusions } from "../../insights/baskets";
import { suggestBundles, type Bundle } from "../../insights/bundles";
import { fitEase } from "../../insights/ease";
import { buildRecommender, type Recommendation } from "../../insights/recommend";
import { decayWeights } from "../../insights/rules";
import { findUpgrades, type ProductUpgrades } from "../../insights/upgrades";
import { parseShopSettings } from "../../models/shop-settings";
import { loadOrders, loadProducts, type InsightInput } from "./load.server";

export const CROSS_SELL = "cross-sell";
export const CROSS_SELL_VERSION = 1;
/** Recommendations kept per product. */
export const RECOMMENDATIONS_PER_PRODUCT = 5;

export interface CrossSellSummary {
  orders: number;
  baskets: number;
  lines: number;
  excluded: BasketExclusions;
  unknownProductLines: number;
  productRules: number;
  significantProductRules: number;
  typeRules: number;
  significantTypeRules: number;
  productsWithRecommendations: number;
  productsWithUpgrades: number;
  bundles: number;
  /** Plain-language warnings about what the numbers rest on. */
  caveats: string[];
  /** Which ranker orders the admitted suggestions, chosen by the shop's own backtest (absent in older snapshots). */
  ranking?: RankerChoice;
}

export interface CrossSellData {
  /** Product id → its recommendations, best first. */
  recommendations: Record<string, Recommendation[]>;
  upgrades: ProductUpgrades[];
  bundles: Bundle[];
  /** Product id → title and type (for display; includes deleted products named by old orders). */
  products: Record<string, { title: string; productType: string; offerable: boolean }>;
  /** Offerable products by order count, best first (first 20). */
  bestsellers: string[];
}

/** Most products EASE models (the most bought): its fit is O(n³), about a second at 1,000. */
export const EASE_MAX_ITEMS = 1000;

/** Fewer baskets than this: rules are too thin to trust; said plainly in the caveats. */
export const MIN_BASKETS = 200;

export async function computeCrossSell({ db, shop, now, orders: given }: InsightInput) {
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  if (!shopRow) throw new Error(`unknown shop ${shop}`);
  const settings = parseShopSettings(shop, shopRow.settings);
  const [orders, products] = await Promise.all([given ?? loadOrders(db, shop), loadProducts(db, shop)]);
  const prepared = prepareBaskets(orders, products, { exclude: settings.exclusions });
  // The merchant's recency setting: an order's weight halves every `recencyHalfLifeDays` of age.
  const halfLife = settings.recencyHalfLifeDays;
  const weights = halfLife === null ? undefined : decayWeights(prepared.baskets.map((b) => Math.max(0, now.getTime() - b.createdAt) / 86_400_000), halfLife);
  const recommender = buildRecommender(prepared.baskets, products, weights ? { weights } : {});
  // The ranker of the admitted suggestions: today's (confidence) unless the shop's own backtest finds EASE better on the
  // product page (the stored per-product lists); EASE is capped at the 1,000 most-bought products (O(n³) fit).
  const ranking = chooseRanker(prepared.baskets, products, { maxItems: EASE_MAX_ITEMS });
  const scorer =
    ranking.anchor === "ease" && ranking.lambda !== null
      ? easeScorer(
          fitEase(
            prepared.baskets.map((b) => b.items),
            { lambda: ranking.lambda, maxItems: EASE_MAX_ITEMS },
          ),
        )
      : undefined;

  const recommendations: Record<string, Recommendation[]> = {};
  const seen = new Set<string>();
  for (const b of prepared.baskets) for (const item of b.items) seen.add(item);
  for (const p of products.values()) if (!p.deleted) seen.add(p.id);
  for (const id of [...seen].sort()) {
    const list = recommender.recommend(id, RECOMMENDATIONS_PER_PRODUCT, scorer);
    if (list.length > 0) recommendations[id] = list;
  }
  const upgrades = findUpgrades(prepared.baskets, products, { asOf: now }).filter((u) => u.upgrades.length > 0);
  const bundles = suggestBundles(prepared.baskets, products);

  const caveats: string[] = [];
  if (prepared.baskets.length < MIN_BASKETS) {
    caveats.push(`Only ${prepared.baskets.length} orders to learn from: co-purchase rules need more; recommendations fall back to product types and bestsellers.`);
  }
  if (prepared.unknownProductLines > 0) {
    caveats.push(`${prepared.unknownProductLines} order lines name products the app has not synced; run a full sync to include them fully.`);
  }
  const excludedOrders = prepared.excluded.cancelledOrders + prepared.excluded.testOrders;
  if (excludedOrders > 0) caveats.push(`${excludedOrders} cancelled or test orders are left out.`);
  if (halfLife !== null) caveats.push(`Recent orders count more: an order's weight halves every ${halfLife} days (a setting).`);

  const summary: CrossSellSummary = {
    ...recommender.stats,
    orders: prepared.orders,
    baskets: prepared.baskets.length,
    lines: prepared.lines,
    excluded: prepared.excluded,
    unknownProductLines: prepared.unknownProductLines,
    productsWithRecommendations: Object.keys(recommendations).length,
    productsWithUpgrades: upgrades.length,
    bundles: bundles.length,
    caveats,
    ranking,
  };
  const data: CrossSellData = {
    recommendations,
    upgrades,
    bundles,
    products: Object.fromEntries(
      [...products.values()].map((p) => [p.id, { title: p.title, productType: p.productType, offerable: !p.deleted && p.status === "ACTIVE" && p.available !== false }]),
    ),
    bestsellers: recommender.bestsellers.slice(0, 20),
  };
  const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;
  await db.insightSnapshot.upsert({
    where: { shop_kind: { shop, kind: CROSS_SELL } },
    create: { shop, kind: CROSS_SELL, version: CROSS_SELL_VERSION, computedAt: now, asOf: now, summary: json(summary), data: json(data) },
    update: { version: CROSS_SELL_VERSION, computedAt: now, asOf: now, summary: json(summary), data: json(data) },
  });
  return { summary, data };
}

/** The shop's stored cross-sell results, or null before the first computation (or after a format change). */
export async function readCrossSell(db: PrismaClient, shop: string) {
  const row = await db.insightSnapshot.findUnique({ where: { shop_kind: { shop, kind: CROSS_SELL } } });
  if (!row || row.version !== CROSS_SELL_VERSION) return null;
  return { computedAt: row.computedAt, summary: row.summary as unknown as CrossSellSummary, data: row.data as unknown as CrossSellData };
}
