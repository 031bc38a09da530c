/**
 * What shoppers did with each suggestion, per anchor product, for the bandit's re-ranking (app/insights/offers/bandit.ts):
 * the distinct treatment visitors who saw and who added each of the bought-together block's rows (StorefrontEvent), and
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
  // Visitors, not raw events: a shopper who sees the block on ten page views is one trial, and adds at most once, so
  // repeat views cannot make the bandit's posteriors overconfident.
  const events = await db.$queryRaw<{ anchor: string; product: string; type: string; visitors: bigint | number }[]>`
    SELECT "anchorId" AS anchor, "productId" AS product, type, COUNT(DISTINCT "visitorId") AS visitors
    FROM "StorefrontEvent"
    WHERE shop = ${shop} AND widget = 'fbt' AND arm = 'treatment' AND type IN ('impression', 'add_to_cart')
      AND "anchorId" IS NOT NULL AND "productId" IS NOT NULL AND "occurredAt" >= ${since}
    GROUP BY "anchorId", "productId", type`;
  for (const e of events) {
    const s = entry(e.anchor, e.product);
    if (e.type === "impression") s.impressions += Number(e.visitors);
    else s.addToCarts += Number(e.visitors);
  }
  // Aggregated in the database (one row per (anchor, product) pair): a big shop's attributed lines never come into memory.
  // Each attributed line counts once per distinct anchor product on an unattributed line of the same order; only the
  // orders that hold an attributed line are looked into.
  const purchases = await db.$queryRaw<{ anchor: string; product: string; purchases: bigint | number }[]>`
    WITH attributed AS (
      SELECT l."orderId", l."productId"
      FROM "OrderLine" l
      JOIN "Order" o ON o.shop = l.shop AND o.id = l."orderId"
      WHERE l.shop = ${shop} AND l."offerWidget" = 'fbt' AND l."productId" IS NOT NULL
        AND o."processedAt" >= ${since} AND o."cancelledAt" IS NULL AND o.test = false
    )
    SELECT a."productId" AS anchor, t."productId" AS product, COUNT(*) AS purchases
    FROM attributed t
    JOIN (
      SELECT DISTINCT "orderId", "productId" FROM "OrderLine"
      WHERE shop = ${shop} AND "offerWidget" IS NULL AND "productId" IS NOT NULL AND "orderId" IN (SELECT "orderId" FROM attributed)
    ) a ON a."orderId" = t."orderId"
    GROUP BY a."productId", t."productId"`;
  for (const p of purchases) {
    // Only pairs the block showed count: a purchase with no impression of the pair was not the bandit's doing.
    const s = stats.get(p.anchor)?.get(p.product);
    if (s) s.purchases += Number(p.purchases);
  }
  return stats;
}
