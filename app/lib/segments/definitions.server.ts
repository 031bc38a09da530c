/**
 * The app's customer segments a merchant can publish to Shopify (issue 12), and who is in each now.
 *
 * A segment is a SegmentDefinition (stored as SegmentPublication.definition, validated again with zod when read back):
 * - `{ kind: "rfm", group }`: the customers in that RFM group of the app's grid (CustomerScore.rfmGroup, ADR 015).
 * - `{ kind: "ltv-tier", tier }`: by predicted lifetime value (CustomerScore.clv, next 365 days): the customers with a
 *   prediction ranked by it, highest first (ties by customer id): `top` = the first 20 %, `middle` = the next 30 %,
 *   `low` = the remaining 50 % (ranks are cut at ceil(20 % × n) and ceil(50 % × n)). Customers without a prediction (the
 *   model could not be fitted) are in no tier.
 * - `{ kind: "slipping" }`: valuable customers slipping away, the Customer value page's rule (pAlive < 0.5 and x > 0:
 *   repeat buyers the purchase model gives under a 50 % chance of still being customers) without its display cap of the
 *   10 highest spenders: the whole group is published.
 * - `{ kind: "compared", by, segment }`: one side of a stored segment comparison (data.segments of the customer value
 *   snapshot): `by` "tag <prefix>" (e.g. "tag age:") takes the customers whose first tag with that prefix is `segment`
 *   (the comparison's own rule, tagSegment); `by` "first order channel" the customers whose first counted order (not
 *   cancelled, not test, in the shop's currency) came from source `segment`.
 *
 * Members are always customers with a stored score (they have counted orders) and never a redacted customer: the
 * redaction deletes their Customer and CustomerScore rows, and the RedactedCustomer hashes are checked again here, so a
 * redacted customer is never tagged.
 */
import type { PrismaClient } from "@prisma/client";
import { z } from "zod";
import { RFM_GROUPS } from "../../insights/clv/rfm";
import { redactedCustomerTest } from "../compliance/redacted.server";
import { readCustomerValue } from "../insights/customer-value.server";

export const LTV_TIERS = ["top", "middle", "low"] as const;
/** Cumulative shares of the ranked customers at the end of the top and middle tiers. */
export const LTV_TIER_CUTS = { top: 0.2, middle: 0.5 } as const;
export const FIRST_ORDER_CHANNEL = "first order channel";

export const SegmentDefinition = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("rfm"), group: z.enum(RFM_GROUPS, { error: `choose an RFM group (${RFM_GROUPS.join(", ")})` }) }),
  z.object({ kind: z.literal("ltv-tier"), tier: z.enum(LTV_TIERS, { error: "choose a lifetime-value tier (top, middle, low)" }) }),
  z.object({ kind: z.literal("slipping") }),
  z.object({
    kind: z.literal("compared"),
    by: z.string().trim().min(1, "choose a compared segment").max(100),
    segment: z.string().trim().min(1, "choose a compared segment").max(255),
  }),
]);
export type SegmentDefinition = z.infer<typeof SegmentDefinition>;

const RFM_LABEL: Record<(typeof RFM_GROUPS)[number], string> = {
  CHAMPIONS: "Champions",
  LOYAL: "Loyal",
  ACTIVE: "Active",
  NEW: "New",
  PROMISING: "Promising",
  NEEDS_ATTENTION: "Needs attention",
  ALMOST_LOST: "Almost lost",
  AT_RISK: "At risk",
  PREVIOUSLY_LOYAL: "Previously loyal",
  DORMANT: "Dormant",
  PROSPECTS: "Prospects",
};

/** The segment in words (the form's choices and the default Shopify segment name). */
export function segmentLabel(d: SegmentDefinition): string {
  switch (d.kind) {
    case "rfm":
      return `RFM: ${RFM_LABEL[d.group]}`;
    case "ltv-tier":
      return d.tier === "top" ? "Lifetime value: top 20 %" : d.tier === "middle" ? "Lifetime value: next 30 %" : "Lifetime value: lowest 50 %";
    case "slipping":
      return "Valuable customers slipping away";
    case "compared":
      return d.by === FIRST_ORDER_CHANNEL ? `First order channel: ${d.segment}` : `${d.by.replace(/^tag /, "Tag ")} ${d.segment}`;
  }
}

/** A short lowercase slug of the segment for its tag: letters, digits and dashes. */
export function segmentSlug(d: SegmentDefinition): string {
  const raw = d.kind === "rfm" ? d.group : d.kind === "ltv-tier" ? `ltv-${d.tier}` : d.kind === "slipping" ? "slipping" : `${d.by}-${d.segment}`;
  const slug = raw
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return slug || "segment";
}

/** Reads a stored definition back, or throws (a row of another format must not be published blindly). */
export function parseSegmentDefinition(value: unknown): SegmentDefinition {
  return SegmentDefinition.parse(value);
}

/** The compared segments the shop's stored comparisons offer: `by` and each segment label. */
export async function comparedSegments(db: PrismaClient, shop: string): Promise<{ by: string; segments: string[] }[]> {
  const stored = await readCustomerValue(db, shop);
  const list = stored?.data.segments ?? [];
  return list
    .filter((s) => s.by === FIRST_ORDER_CHANNEL || s.by.startsWith("tag "))
    .map((s) => ({ by: s.by, segments: s.report.segments.map((g) => g.segment).filter((x): x is string => typeof x === "string" && x.length > 0) }));
}

/** Why the definition cannot be published in this shop (an unknown compared segment), or null. */
export async function definitionProblem(db: PrismaClient, shop: string, d: SegmentDefinition): Promise<string | null> {
  if (d.kind === "slipping" || d.kind === "ltv-tier") {
    // These segments rest on the purchase model's predictions (P(alive), lifetime value): when the model failed its
    // holdout check (ADR 026) the page does not show them as predictions, and a campaign must not target them either.
    const withheld = (await readCustomerValue(db, shop))?.data.predictions?.withheld ?? null;
    return withheld === null ? null : `this segment rests on the purchase model's predictions, which are withheld: ${withheld}`;
  }
  if (d.kind !== "compared") return null;
  const offered = await comparedSegments(db, shop);
  const by = offered.find((o) => o.by === d.by);
  if (!by) return `no stored comparison "${d.by}": recompute the customer value first`;
  if (!by.segments.includes(d.segment)) return `"${d.segment}" is not a segment of the comparison "${d.by}"`;
  return null;
}

/** The customer ids in the segment now (sorted), from the stored scores; never a redacted customer. */
export async function segmentMemberIds(db: PrismaClient, shop: string, d: SegmentDefinition): Promise<string[]> {
  let ids: string[];
  switch (d.kind) {
    case "rfm":
      ids = (await db.customerScore.findMany({ where: { shop, rfmGroup: d.group }, select: { customerId: true } })).map((r) => r.customerId);
      break;
    case "slipping":
      ids = (await db.customerScore.findMany({ where: { shop, pAlive: { lt: 0.5 }, x: { gt: 0 } }, select: { customerId: true } })).map((r) => r.customerId);
      break;
    case "ltv-tier": {
      const ranked = (await db.customerScore.findMany({ where: { shop, clv: { not: null } }, select: { customerId: true, clv: true } })).sort(
        (a, b) => (a.clv! === b.clv! ? (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0) : a.clv! > b.clv! ? -1 : 1),
      );
      const topEnd = Math.ceil(LTV_TIER_CUTS.top * ranked.length);
      const middleEnd = Math.ceil(LTV_TIER_CUTS.middle * ranked.length);
      const slice = d.tier === "top" ? ranked.slice(0, topEnd) : d.tier === "middle" ? ranked.slice(topEnd, middleEnd) : ranked.slice(middleEnd);
      ids = slice.map((r) => r.customerId);
      break;
    }
    case "compared":
      ids = await comparedMemberIds(db, shop, d.by, d.segment);
      break;
  }
  const redacted = await redactedCustomerTest(db, shop);
  return [...new Set(ids)].filter((id) => !redacted(id)).sort();
}

async function comparedMemberIds(db: PrismaClient, shop: string, by: string, segment: string): Promise<string[]> {
  const scored = new Set((await db.customerScore.findMany({ where: { shop }, select: { customerId: true } })).map((r) => r.customerId));
  if (by.startsWith("tag ")) {
    const prefix = by.slice(4);
    const customers = await db.customer.findMany({ where: { shop, tags: { has: segment } }, select: { id: true, tags: true } });
    return customers.filter((c) => scored.has(c.id) && c.tags.find((t) => t.startsWith(prefix)) === segment).map((c) => c.id);
  }
  if (by === FIRST_ORDER_CHANNEL) {
    const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true } });
    if (!shopRow) return [];
    // Each customer's first counted order (the comparison's rule: earliest createdAt among orders neither cancelled nor test,
    // in the shop's currency), and its source.
    const rows = await db.$queryRaw<{ customerId: string; sourceName: string | null }[]>`
      SELECT DISTINCT ON ("customerId") "customerId", "sourceName"
      FROM "Order"
      WHERE "shop" = ${shop} AND "customerId" IS NOT NULL AND "cancelledAt" IS NULL AND "test" = false AND "currency" = ${shopRow.currency}
      ORDER BY "customerId", "createdAt" ASC, "id" ASC`;
    return rows.filter((r) => r.sourceName === segment && scored.has(r.customerId)).map((r) => r.customerId);
  }
  return [];
}
