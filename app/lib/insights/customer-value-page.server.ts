/** What the admin's "Customer value" page shows: the stored model results and scores, trimmed for display. */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { minorUnitDigits } from "../../insights/money";
import { readCustomerValue } from "./customer-value.server";

const COHORTS = 12;
const MONTHS = 7;

export async function customerValuePage({ shop, db = defaultPrisma }: { shop: string; db?: PrismaClient }) {
  const stored = await readCustomerValue(db, shop);
  if (!stored) return { ready: false as const };
  const { summary, data, computedAt } = stored;
  const digits = minorUnitDigits(summary.currency);
  const money = (minor: number | null) =>
    minor === null ? "—" : new Intl.NumberFormat("en-US", { style: "currency", currency: summary.currency, maximumFractionDigits: digits }).format(minor / 10 ** digits);
  // Valuable customers slipping away: the highest lifetime spend among those the model gives under a 50 % chance of
  // still being a customer (ids only: the app stores no names).
  const productTitles = new Map((await db.product.findMany({ where: { shop }, select: { id: true, title: true } })).map((p) => [p.id, p.title]));
  const slipping = await db.customerScore.findMany({
    where: { shop, pAlive: { lt: 0.5 }, x: { gt: 0 } },
    orderBy: { totalSpend: "desc" },
    take: 10,
    select: { customerId: true, totalSpend: true, pAlive: true, orders: true, rfmGroup: true },
  });
  return {
    ready: true as const,
    computedAt: computedAt.toISOString(),
    summary,
    model: data.bgnbd
      ? {
          bgnbd: data.bgnbd,
          gammaGamma: data.gammaGamma,
          expectedPurchases: data.totals.expectedPurchases,
          clv: money(data.totals.clv),
          expectedChurn: data.expectedChurn,
        }
      : null,
    groups: data.rfm.groups.map((g) => ({ ...g, clv: money(g.clv) })),
    agreement: data.rfm.shopifyAgreement,
    cohorts: data.cohorts.cohorts.slice(-COHORTS).map((c) => ({ cohort: c.cohort, customers: c.customers, retention: c.retention.slice(0, MONTHS) })),
    churn: data.churn.slice(-6),
    holdout: data.holdout,
    slipping: slipping.map((s) => ({ ...s, totalSpend: money(Number(s.totalSpend)) })),
    segments: (data.segments ?? []).map(({ by, report }) => ({
      by,
      unassigned: report.unassigned,
      rows: report.segments.map((g) => ({
        segment: g.segment,
        customers: g.customers,
        aov: money(Math.round(g.aov)),
        purchaseFrequency: g.purchaseFrequency,
        repeatRate: g.repeatRate,
        meanClv: money(g.meanClv === null ? null : Math.round(g.meanClv)),
        churn: g.churn,
        topProducts: g.topProducts.slice(0, 3).map((t) => productTitles.get(t.product) ?? t.product),
      })),
      comparison: report.comparison,
    })),
    cac: data.cac
      ? {
          months: data.cac.months.slice(-12).map((m) => ({
            month: m.month,
            spend: money(m.spend),
            newCustomers: m.newCustomers,
            cac: money(m.cac === null ? null : Math.round(m.cac)),
            ltv: money(m.ltv === null ? null : Math.round(m.ltv)),
            ltvToCac: m.ltvToCac,
            paybackMonths: m.paybackMonths,
          })),
          total: { ...data.cac.total, cac: money(data.cac.total.cac === null ? null : Math.round(data.cac.total.cac)) },
          messages: data.cac.messages,
          ltvSource: data.cac.ltvSource,
        }
      : null,
    currency: summary.currency,
  };
}
