/**
 * What shoppers did with each suggestion, per anchor product, for the bandit's re-ranking (app/insights/offers/bandit.ts):
 * impressions and add-to-carts of the bought-together block's rows shown to the treatment arm (StorefrontEvent), and
 * purchases — order lines added by that block (`OrderLine.offerWidget = 'fbt'`) in orders that also hold the anchor,
 * cancelled and test orders left out. Counts since `since`; every query is scoped by shop.
 */
import type { PrismaClient } from "@prisma/client";
import type { CandidateStats } from "../../insights/offers/bandit";

export type AnchorStats = Map<string, Map<string, CandidateStats>>;

export async function loadCandidateStats(db: PrismaClient, shop: string, since: Date): Promise<AnchorStats> {
  const stats: AnchorStats = new Map();
  const entry = (anchor: string, product: string) => {
    let byProduct = stats.get(anchor);
    if (!byProduct) stats.set(anchor, (byProduct = new Map()));
    let s = byProduct.get(product);
    if (!s) byProduct.set(product, (s = { impressions: 0, addToCarts: 0, purchases: 0 }));
    return s;
  };
  const events = await db.storefrontEvent.groupBy({
    by: ["anchorId", "productId", "type"],
    where: { shop, widget: "fbt", arm: "treatment", type: { in: ["impression", "add_to_cart"] }, anchorId: { not: null }, productId: { not: null }, occurredAt: { gte: since } },
    _count: { _all: true },
  });
  for (const e of events) {
    const s = entry(e.anchorId!, e.productId!);
    if (e.type === "impression") s.impressions += e._count._all;
    else s.addToCarts += e._count._all;
  }
  // Aggregated in the database (one row per (anchor, product) pair): a big shop's attributed lines never come into memory.
  // Each attributed line counts once per distinct anchor product on an unattributed line of the same order.
  const purchases = await db.$queryRaw<{ anchor: string; product: string; purchases: bigint | number }[]>`
    SELECT a."productId" AS anchor, l."productId" AS product, COUNT(*) AS purchases
    FROM "OrderLine" l
    JOIN "Order" o ON o.shop = l.shop AND o.id = l."orderId"
    JOIN (SELECT DISTINCT "orderId", "productId" FROM "OrderLine" WHERE shop = ${shop} AND "offerWidget" IS NULL AND "productId" IS NOT NULL) a
      ON a."orderId" = l."orderId"
    WHERE l.shop = ${shop} AND o.shop = ${shop} AND l."offerWidget" = 'fbt' AND l."productId" IS NOT NULL
      AND o."processedAt" >= ${since} AND o."cancelledAt" IS NULL AND o.test = false
    GROUP BY a."productId", l."productId"`;
  for (const p of purchases) {
    // Only pairs the block showed count: a purchase with no impression of the pair was not the bandit's doing.
    const s = stats.get(p.anchor)?.get(p.product);
    if (s) s.purchases += Number(p.purchases);
  }
  return stats;
}
