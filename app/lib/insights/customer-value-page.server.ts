/**
 * What the admin's "Customer value" page shows: the stored model results and scores, trimmed for display, with every
 * money figure labelled by what it is (ADR 026); and the page's default margin setting.
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import { z } from "zod";
import defaultPrisma from "../../db.server";
import { REPEAT_MODEL_NAMES } from "../../insights/clv/bgnbd";
import { minorUnitDigits } from "../../insights/money";
import { parseShopSettings, ShopSettingsSchema } from "../../models/shop-settings";
import { CLV_HORIZON_DAYS, PURCHASE_HORIZON_DAYS, readCustomerValue } from "./customer-value.server";

/** The money basis in words, for labels: what a lifetime value figure is. */
export function basisWords(basis: "contribution" | "net-revenue"): string {
  return basis === "contribution" ? "contribution (net of tax, shipping and refunds, less product cost)" : "net revenue (net of tax, shipping and refunds; no margin entered)";
}

const MarginForm = z.object({
  defaultMarginPercent: z
    .string()
    .trim()
    .max(20, "enter a percentage such as 40")
    .transform((text, ctx) => {
      if (text === "") return null;
      const value = Number(text.replace(/\s*%$/, ""));
      if (!Number.isFinite(value)) {
        ctx.addIssue({ code: "custom", message: "enter a percentage such as 40" });
        return z.NEVER;
      }
      return value;
    })
    .pipe(ShopSettingsSchema.shape.defaultMarginPercent.unwrap()),
});

/**
 * Validates and stores the default margin (percent; empty clears it). Returns the field's error instead of throwing,
 * for the form to show beside the field.
 */
export async function saveDefaultMargin({ shop, input, db = defaultPrisma }: { shop: string; input: unknown; db?: PrismaClient }) {
  const parsed = MarginForm.safeParse(input);
  if (!parsed.success) return { ok: false as const, error: `Default margin: ${parsed.error.issues[0]?.message ?? "invalid"}` };
  const saved = await db.$transaction(async (tx) => {
    const row = await tx.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
    if (!row) return false;
    const raw = { ...((row.settings ?? {}) as Record<string, unknown>), defaultMarginPercent: parsed.data.defaultMarginPercent };
    parseShopSettings(shop, raw); // the whole settings object must still validate
    await tx.shop.update({ where: { domain: shop }, data: { settings: raw as Prisma.InputJsonValue } });
    return true;
  });
  if (!saved) return { ok: false as const, error: "Unknown shop." };
  return { ok: true as const, defaultMarginPercent: parsed.data.defaultMarginPercent };
}

const COHORTS = 12;
const MONTHS = 7;

export async function customerValuePage({ shop, db = defaultPrisma }: { shop: string; db?: PrismaClient }) {
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { settings: true } });
  const defaultMarginPercent = shopRow ? parseShopSettings(shop, shopRow.settings).defaultMarginPercent : null;
  const stored = await readCustomerValue(db, shop);
  if (!stored) return { ready: false as const, defaultMarginPercent };
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
  const shown = data.predictions.shown;
  const interval = (i: { estimate: number; low: number; high: number } | undefined) =>
    i ? { estimate: money(Math.round(i.estimate)), low: money(Math.round(i.low)), high: money(Math.round(i.high)) } : null;
  const validation = data.validation
    ? {
        calibrationEnd: data.validation.calibrationEnd,
        holdoutEnd: data.validation.holdoutEnd,
        criteria: data.validation.criteria,
        chosen: REPEAT_MODEL_NAMES[data.validation.choice.chosen],
        reason: data.validation.choice.reason,
        models: data.validation.models.map((m) => ({
          name: REPEAT_MODEL_NAMES[m.model],
          chosen: m.model === data.validation!.choice.chosen,
          customers: m.customers,
          totalActual: m.totalActual,
          totalPredicted: m.totalPredicted,
          aggregateError: m.aggregateError,
          mae: m.mae,
          naiveMae: m.naiveMae,
          topDecileLift: m.topDecileLift,
          passes: m.passes,
          failures: m.failures,
          deciles: m.deciles,
          buckets: m.buckets,
        })),
      }
    : null;
  return {
    ready: true as const,
    defaultMarginPercent,
    computedAt: computedAt.toISOString(),
    summary,
    basis: { ...data.basis, words: basisWords(data.basis.basis), netRevenue: money(data.basis.netRevenue), contribution: money(data.basis.contribution) },
    horizons: { purchasesDays: PURCHASE_HORIZON_DAYS, valueDays: CLV_HORIZON_DAYS },
    predictions: data.predictions,
    model: data.purchaseModel
      ? {
          purchases: data.purchaseModel,
          gammaGamma: data.gammaGamma,
          expectedPurchases: shown ? data.totals.expectedPurchases : null,
          clv: shown ? money(data.totals.clv) : null,
          clvPerCustomer: shown && data.totals.clv !== null && summary.customers > 0 ? money(Math.round(data.totals.clv / summary.customers)) : null,
          interval: shown && data.intervals ? { level: data.intervals.level, draws: data.intervals.draws, total: interval(data.intervals.total), perCustomer: interval(data.intervals.perCustomer) } : null,
          expectedChurn: shown ? data.expectedChurn : null,
        }
      : null,
    validation,
    groups: data.rfm.groups.map((g) => ({
      ...g,
      clv: shown ? money(g.clv) : null,
      interval: shown ? interval(data.intervals?.groups[g.group]) : null,
    })),
    agreement: data.rfm.shopifyAgreement,
    cohorts: data.cohorts.cohorts.slice(-COHORTS).map((c) => ({ cohort: c.cohort, customers: c.customers, retention: c.retention.slice(0, MONTHS) })),
    churn: data.churn.slice(-6),
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
        meanClv: shown ? money(g.meanClv === null ? null : Math.round(g.meanClv)) : null,
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
            guestNewCustomers: m.guestNewCustomers,
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
