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
  const added = await db.orderLine.findMany({
    where: { shop, offerWidget: "fbt", productId: { not: null }, order: { processedAt: { gte: since }, cancelledAt: null, test: false } },
    select: { orderId: true, productId: true },
  });
  const orderIds = [...new Set(added.map((l) => l.orderId))];
  const productsOf = new Map<string, Set<string>>();
  for (let i = 0; i < orderIds.length; i += 5000) {
    const lines = await db.orderLine.findMany({ where: { shop, orderId: { in: orderIds.slice(i, i + 5000) }, productId: { not: null }, offerWidget: null }, select: { orderId: true, productId: true } });
    for (const l of lines) {
      let set = productsOf.get(l.orderId);
      if (!set) productsOf.set(l.orderId, (set = new Set()));
      set.add(l.productId!);
    }
  }
  for (const l of added) {
    for (const anchor of productsOf.get(l.orderId) ?? []) {
      const byProduct = stats.get(anchor);
      // Only pairs the block showed count: a purchase with no impression of the pair was not the bandit's doing.
      const s = byProduct?.get(l.productId!);
      if (s) s.purchases += 1;
    }
  }
  return stats;
}
