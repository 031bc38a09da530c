/** What the admin's "Cross-sell and upgrades" page shows: the stored results, trimmed and titled for display. */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { percent } from "../../insights/upgrades";
import type { UpgradeBaseline } from "../../insights/upgrades";
import { readCrossSell } from "./cross-sell.server";

/** "3.4× the 4.2 % of comparable shoppers (1,408)", or "at the baseline" wording when the lift is not significant. */
export function comparedWith(share: number, b: UpgradeBaseline): string {
  const base = `${percent(b.share)} of ${b.customers.toLocaleString("en-US")} comparable shoppers`;
  if (b.lift === null) return `${percent(share)} vs none of ${b.customers.toLocaleString("en-US")} comparable shoppers`;
  return `${percent(share)} vs ${base}: ${b.lift.toFixed(1)}×${b.aboveBaseline ? "" : " (not significantly above)"}`;
}

const ANCHORS = 50;
const UPGRADES = 25;
/** Bundle ideas shown, pairs first, high lift and low attach first (bundles.ts). */
const BUNDLES = 50;

export async function crossSellPage({ shop, product, db = defaultPrisma }: { shop: string; product?: string; db?: PrismaClient }) {
  const stored = await readCrossSell(db, shop);
  if (!stored) return { ready: false as const };
  const { data, summary, computedAt } = stored;
  const title = (id: string) => data.products[id]?.title ?? `Product ${id}`;
  // Anchors to choose from: bestsellers first, then every other product with suggestions, by title.
  const ids = [...new Set([...data.bestsellers, ...Object.keys(data.recommendations).sort((a, b) => title(a).localeCompare(title(b)))])]
    .filter((id) => data.recommendations[id])
    .slice(0, ANCHORS);
  if (product && data.recommendations[product] && !ids.includes(product)) ids.unshift(product);
  const chosen = product && data.recommendations[product] ? product : ids[0];
  return {
    ready: true as const,
    computedAt: computedAt.toISOString(),
    summary,
    anchors: ids.map((id) => ({ id, title: title(id) })),
    anchor: chosen
      ? { id: chosen, title: title(chosen), recommendations: (data.recommendations[chosen] ?? []).map((r) => ({ ...r, title: title(r.productId) })) }
      : null,
    upgrades: data.upgrades
      .flatMap((u) =>
        u.upgrades.slice(0, 1).map((c) => ({
          from: u.title,
          to: c.title,
          score: c.score,
          explanation: c.explanation,
          // Beside the share: how often comparable customers who did not buy A bought B (older snapshots: none).
          versus: c.path && c.baseline ? comparedWith(c.path.share, c.baseline) : null,
        })),
      )
      .sort((a, b) => b.score - a.score)
      .slice(0, UPGRADES),
    bundles: data.bundles.slice(0, BUNDLES).map((b) => ({ ...b, titles: b.items.map(title) })),
  };
}
