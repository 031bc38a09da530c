/**
 * Customer value for one shop: its orders through the pure models (app/insights/clv/: summary, BG/NBD and MBG/NBD
 * chosen by a holdout check, Gamma-Gamma, intervals, RFM, cohorts, churn), stored as one CustomerScore row per customer
 * and the shop's `customer-value` InsightSnapshot. Days are counted in the shop's time zone; the as-of day is the day of
 * `now` there. Lifetime value and acquisition payback are in contribution (ADR 026: net of tax, shipping and refunds,
 * less unit cost or times the merchant's default margin); RFM, cohorts and the stored spend are what customers paid, net
 * of refunds. Orders in another currency are left out (and said so).
 */
import type { Prisma, PrismaClient } from "@prisma/client";
import {
  countTriples,
  fitRepeatModel,
  InsufficientDataError,
  ModelInputError,
  REPEAT_MODEL_NAMES,
  type BgNbdFit,
  type RepeatModelKind,
} from "../../insights/clv/bgnbd";
import { churnByPeriod, modelChurn, retentionMatrix, type ChurnRow, type ModelChurn, type RetentionMatrix } from "../../insights/clv/cohorts";
import { orderAmount, orderValue, valueBasis, type OrderValue, type ValueBasis } from "../../insights/clv/contribution";
import { customerLifetimeValue, fitGammaGamma, type GammaGammaFit } from "../../insights/clv/gamma-gamma";
import { acquisitionCost, CacError, type AcquisitionOrder, type CacReport } from "../../insights/clv/cac";
import { lifetimeValueIntervals, type LifetimeValueIntervals } from "../../insights/clv/intervals";
import { aliveProbability, expectedRepeatPurchases, type RepeatModel } from "../../insights/clv/repeat-model";
import { compareSegments, firstOrderSegments, tagSegment, type SegmentReport } from "../../insights/clv/segments";
import { validateAndChoose, VALIDATION_CRITERIA, type HoldoutValidation, type ModelChoice } from "../../insights/clv/validation";
import { seededRng } from "../../insights/trends/random";
import { RFM_GROUPS, rfmInputs, rfmMovement, rfmScores, type RfmGroup, type RfmMovement } from "../../insights/clv/rfm";
import { customerSummary, dayNumberOf, dayOfNumber, type CustomerSummary } from "../../insights/clv/summary";
import { parseShopSettings } from "../../models/shop-settings";
import { loadOrders, type InsightInput, type LoadedOrder } from "./load.server";

export const CUSTOMER_VALUE = "customer-value";
export const CUSTOMER_VALUE_VERSION = 3;
/** Prediction horizons, in days. */
export const PURCHASE_HORIZON_DAYS = 90;
export const CLV_HORIZON_DAYS = 365;
export const MONTHLY_DISCOUNT_RATE = 0.01;
const HOLDOUT_DAYS = 90;
/** No order for longer than this: the analysis is as of the last order's day (see computeCustomerValue). */
export const STALE_AFTER_DAYS = 90;
/** Parameter draws for the lifetime value intervals, and their level. */
const INTERVAL_DRAWS = 100;
const INTERVAL_LEVEL = 0.9;
const INTERVAL_SEED = 20_261_220;

export interface CustomerValueSummary {
  asOf: string;
  timeZone: string;
  currency: string;
  customers: number;
  repeatCustomers: number;
  ordersCounted: number;
  ordersLeftOut: { guest: number; cancelledOrTest: number; otherCurrency: number };
  caveats: string[];
}

/** What the money figures of lifetime value and acquisition payback are (ADR 026). */
export interface ValueBasisInfo {
  basis: ValueBasis;
  /** Share of net revenue on lines whose variant has a unit cost in Shopify; null without revenue. */
  knownCostShare: number | null;
  /** The merchant's default margin for the other lines, percent; null when not entered. */
  defaultMarginPercent: number | null;
  /** Net revenue (no tax, shipping, gift cards; after discounts and refunds) and contribution to date, minor units. */
  netRevenue: number;
  contribution: number | null;
}

export interface CustomerValueData {
  basis: ValueBasisInfo;
  /** The repeat-purchase model used for the predictions (the one the holdout check chose), fitted on all history. */
  purchaseModel: {
    kind: RepeatModelKind;
    name: string;
    params: BgNbdFit["params"];
    standardErrors: BgNbdFit["standardErrors"];
    logLikelihood: number;
    converged: boolean;
  } | null;
  gammaGamma: { params: GammaGammaFit["params"]; logLikelihood: number } | null;
  /**
   * Both models fitted up to 90 days before asOf and checked against what customers did in those 90 days; the model
   * with the lower error is the one used. Null when there is too little history for the check.
   */
  validation: {
    calibrationEnd: string;
    holdoutEnd: string;
    criteria: typeof VALIDATION_CRITERIA;
    models: HoldoutValidation[];
    choice: ModelChoice;
  } | null;
  /** Whether the predictions are shown as predictions; when not, `withheld` says why. */
  predictions: { shown: boolean; withheld: string | null };
  /** 90 % intervals on the 12-month lifetime value from the parameters' uncertainty (groups: RFM groups). */
  intervals: LifetimeValueIntervals | null;
  rfm: { groups: { group: RfmGroup; customers: number; clv: number | null }[]; shopifyAgreement: { compared: number; agreeing: number } | null };
  rfmMovement: RfmMovement | null;
  /** Segment comparisons: by a tag group (e.g. age) and by the first order's channel; product ids in topProducts. */
  segments: { by: string; report: SegmentReport }[];
  /** Acquisition cost from the spend the merchant entered (null before any). */
  cac: CacReport | null;
  cohorts: RetentionMatrix;
  churn: ChurnRow[];
  expectedChurn: ModelChurn | null;
  totals: { expectedPurchases: number | null; clv: number | null };
}

/** A counted order: `spend` is what the customer paid net of refunds, `value` its amount on the analysis basis. */
type Purchase = { customerId: string; at: number; amount: number; value: number; source: string | null; products: string[] };

function purchasesOf(orders: readonly LoadedOrder[], currency: string, unitCost: (variantId: string) => number | null, defaultMargin: number | null) {
  const left = { guest: 0, cancelledOrTest: 0, otherCurrency: 0 };
  const kept: { order: LoadedOrder; value: OrderValue }[] = [];
  for (const o of orders) {
    if (o.cancelledAt !== null || o.test) left.cancelledOrTest++;
    else if (o.currency !== currency) left.otherCurrency++;
    else {
      if (o.customerId === null) left.guest++;
      kept.push({ order: o, value: orderValue(o, unitCost) });
    }
  }
  const { basis, knownCostShare } = valueBasis(
    kept.map((k) => k.value),
    defaultMargin,
  );
  const purchases: Purchase[] = [];
  const guests: AcquisitionOrder[] = [];
  let netRevenue = 0;
  let contribution = 0;
  for (const { order: o, value } of kept) {
    const amount = Math.round(orderAmount(value, basis, defaultMargin));
    netRevenue += value.netRevenue;
    contribution += amount;
    if (o.customerId === null) {
      guests.push({ customerId: null, orderId: o.id, at: o.createdAt.getTime(), amount, source: o.sourceName });
      continue;
    }
    purchases.push({
      customerId: o.customerId,
      at: o.createdAt.getTime(),
      amount: Math.max(0, o.total - o.totalRefunded),
      value: amount,
      source: o.sourceName,
      products: [...new Set(o.lines.flatMap((l) => (l.productId && !l.isGiftCard ? [l.productId] : [])))],
    });
  }
  const info: ValueBasisInfo = {
    basis,
    knownCostShare,
    defaultMarginPercent: defaultMargin === null ? null : defaultMargin * 100,
    netRevenue: Math.round(netRevenue),
    contribution: basis === "contribution" ? contribution : null,
  };
  return { purchases, guests, left, basis: info };
}

/** Tag prefixes whose values make customer segments worth comparing (age groups are the articles' example). */
const SEGMENT_TAG_PREFIXES = ["age:"];
const BOOTSTRAP_SEED = 20_261_123;

function localDay(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

const KINDS: RepeatModelKind[] = ["bgnbd", "mbgnbd"];

/**
 * The holdout check: both models fitted on the history up to 90 days before asOf, their predictions for those 90 days
 * compared with what happened, the better one chosen (validation.ts). Null with a caveat when there is too little.
 */
function validateModels(purchases: readonly Purchase[], asOf: string, timeZone: string, currency: string, caveats: string[]): CustomerValueData["validation"] {
  const calibrationEnd = dayOfNumber(dayNumberOf(asOf) - HOLDOUT_DAYS);
  try {
    const split = customerSummary(
      purchases.map((p) => ({ customerId: p.customerId, at: p.at, amount: p.value })),
      { calibrationEnd, holdoutEnd: asOf, timeUnit: "day", timeZone, currency },
    );
    const counts = countTriples(split.customers);
    const fitted = KINDS.map((kind) => ({ kind, params: fitRepeatModel(kind, counts, { minHistory: 91 }).params }));
    const { models, choice } = validateAndChoose(fitted, split.customers, split.holdoutDuration!);
    return { calibrationEnd, holdoutEnd: asOf, criteria: VALIDATION_CRITERIA, models, choice };
  } catch (error) {
    if (!(error instanceof InsufficientDataError)) throw error;
    caveats.push(`No holdout check of the purchase model: ${error.message}`);
    return null;
  }
}

function fitModels(kind: RepeatModelKind, customers: CustomerSummary[], caveats: string[]) {
  let fit: BgNbdFit | null = null;
  let gg: GammaGammaFit | null = null;
  try {
    fit = fitRepeatModel(kind, countTriples(customers), { minHistory: 91 });
    if (!fit.converged) caveats.push("The purchase model did not converge: predictions may be off.");
    caveats.push(...fit.warnings);
  } catch (error) {
    if (!(error instanceof InsufficientDataError)) throw error;
    caveats.push(`No purchase predictions: ${error.message}`);
  }
  if (fit) {
    try {
      gg = fitGammaGamma(customers);
      caveats.push(...gg.warnings);
    } catch (error) {
      if (!(error instanceof InsufficientDataError)) throw error;
      caveats.push(`No lifetime value: ${error.message}`);
    }
  }
  return { fit, gg };
}

export async function computeCustomerValue({ db, shop, now, orders: given }: InsightInput) {
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, timezone: true, settings: true } });
  if (!shopRow) throw new Error(`unknown shop ${shop}`);
  const { currency, timezone: timeZone } = shopRow;
  const settings = parseShopSettings(shop, shopRow.settings);
  const defaultMargin = settings.defaultMarginPercent === null ? null : settings.defaultMarginPercent / 100;
  const today = localDay(now, timeZone);
  const orders = given ?? (await loadOrders(db, shop));
  // Unit costs as Shopify has them now (InventoryItem.unitCost): the current cost, not the cost at the time of sale.
  const costs = new Map(
    (await db.variant.findMany({ where: { shop, unitCost: { not: null }, currency }, select: { id: true, unitCost: true } })).map((v) => [v.id, Number(v.unitCost)]),
  );
  const { purchases, guests, left, basis } = purchasesOf(orders, currency, (id) => costs.get(id) ?? null, defaultMargin);
  const caveats: string[] = [];
  // A history that stopped long ago (a store closed for a season, a sync that stopped, an old import) would make every
  // customer look gone as of today: the values are then taken as of the last order's day, and said so.
  let asOf = today;
  const lastAt = purchases.reduce((m, p) => Math.max(m, p.at), -Infinity);
  if (Number.isFinite(lastAt)) {
    const lastDay = localDay(new Date(lastAt), timeZone);
    const idle = dayNumberOf(today) - dayNumberOf(lastDay);
    if (idle > STALE_AFTER_DAYS) {
      asOf = lastDay;
      caveats.push(`The latest order is from ${lastDay}, ${idle} days ago: customer value is shown as of that day, not today.`);
    }
  }
  if (left.otherCurrency > 0) caveats.push(`${left.otherCurrency} orders in another currency than ${currency} are left out.`);
  if (left.guest > 0) caveats.push(`${left.guest} guest orders have no customer: they are left out of lifetime value, and each counts as a new customer in acquisition cost.`);
  if (basis.basis === "net-revenue") {
    caveats.push(
      `Lifetime value is net revenue, not contribution: ${basis.knownCostShare === null ? "no" : `${((1 - basis.knownCostShare) * 100).toFixed(0)} % of`} revenue has no unit cost in Shopify and no default margin is entered. Enter a default margin below to count it in contribution.`,
    );
  }

  // Two summaries of the same purchase days: on what customers spent (RFM, stored spend) and on the value basis (models).
  const spendSummary = customerSummary(purchases, { calibrationEnd: asOf, timeUnit: "day", timeZone, currency });
  const summary = customerSummary(
    purchases.map((p) => ({ customerId: p.customerId, at: p.at, amount: p.value })),
    { calibrationEnd: asOf, timeUnit: "day", timeZone, currency },
  );
  const spendById = new Map(spendSummary.customers.map((c) => [c.id, c]));

  const validation = validateModels(purchases, asOf, timeZone, currency, caveats);
  const kind = validation?.choice.chosen ?? "bgnbd";
  const { fit, gg } = fitModels(kind, summary.customers, caveats);
  const model: RepeatModel | null = fit ? { kind, params: fit.params } : null;
  const chosenCheck = validation?.models.find((m) => m.model === kind) ?? null;
  const withheld = !model
    ? null
    : !chosenCheck
      ? "there is too little history to check the model against a holdout period"
      : chosenCheck.passes
        ? null
        : `the ${REPEAT_MODEL_NAMES[kind]} model failed its holdout check: ${chosenCheck.failures.join("; ")}`;
  const customerRows = await db.customer.findMany({ where: { shop }, select: { id: true, rfmGroup: true, tags: true } });
  const rfm = rfmScores(rfmInputs(purchases, { asOf, timeZone, customers: customerRows.map((c) => c.id) }));
  const rfmById = new Map(rfm.map((r) => [r.id, r]));
  const orderCount = new Map<string, number>();
  for (const p of purchases) orderCount.set(p.customerId, (orderCount.get(p.customerId) ?? 0) + 1);
  const clvOptions = { horizon: CLV_HORIZON_DAYS, periodLength: 365.25 / 12, discountRate: MONTHLY_DISCOUNT_RATE };

  const scores = summary.customers.map((c) => {
    const r = rfmById.get(c.id);
    return {
      customerId: c.id,
      orders: orderCount.get(c.id) ?? 0,
      x: c.x,
      tx: c.t_x,
      age: c.T,
      totalSpend: Math.round(spendById.get(c.id)!.totalSpend),
      meanRepeatSpend: Math.round(spendById.get(c.id)!.monetary),
      pAlive: model ? aliveProbability(model, c.x, c.t_x, c.T) : null,
      expectedPurchases: model ? expectedRepeatPurchases(model, c.x, c.t_x, c.T, PURCHASE_HORIZON_DAYS) : null,
      clv: model && gg ? Math.round(customerLifetimeValue(model, gg.params, c, clvOptions)) : null,
      rfmRecency: r?.recency ?? null,
      rfmFrequency: r?.frequency ?? null,
      rfmMonetary: r?.monetary ?? null,
      rfmGroup: r?.group ?? "PROSPECTS",
    };
  });

  // RFM group sizes (customers without orders are PROSPECTS) and agreement with Shopify's own group when synced.
  const groupSize = new Map<RfmGroup, { customers: number; clv: number; withClv: number }>();
  for (const r of rfm) {
    const g = groupSize.get(r.group) ?? { customers: 0, clv: 0, withClv: 0 };
    g.customers++;
    groupSize.set(r.group, g);
  }
  for (const s of scores) {
    if (s.clv === null) continue;
    const g = groupSize.get(s.rfmGroup as RfmGroup);
    if (g) {
      g.clv += s.clv;
      g.withClv++;
    }
  }
  let compared = 0;
  let agreeing = 0;
  for (const c of customerRows) {
    if (!c.rfmGroup) continue;
    const ours = rfmById.get(c.id)?.group;
    if (!ours) continue;
    compared++;
    if (ours === c.rfmGroup) agreeing++;
  }
  const movementFrom = dayOfNumber(dayNumberOf(asOf) - 30);
  let movement: RfmMovement | null = null;
  if (purchases.length > 0) movement = rfmMovement(purchases, { from: movementFrom, to: asOf, timeZone, customers: customerRows.map((c) => c.id) });

  // Segments: each tag group present (age: the two largest groups compared, bootstrap seeded for repeatable intervals),
  // and the first order's channel.
  const clvById = new Map(scores.flatMap((s) => (s.clv === null ? [] : [[s.customerId, s.clv] as const])));
  const aliveById = new Map(scores.flatMap((s) => (s.pAlive === null ? [] : [[s.customerId, s.pAlive] as const])));
  const segmentOrders = purchases.map((p) => ({ customerId: p.customerId, at: p.at, amount: p.amount, products: p.products }));
  const segments: CustomerValueData["segments"] = [];
  const scoresOf = { ...(clvById.size > 0 ? { clv: clvById } : {}), ...(aliveById.size > 0 ? { pAlive: aliveById } : {}) };
  for (const prefix of SEGMENT_TAG_PREFIXES) {
    const members = customerRows.map((c) => ({ id: c.id, segment: tagSegment(c.tags, prefix) }));
    const sizes = new Map<string, number>();
    for (const m of members) if (m.segment) sizes.set(m.segment, (sizes.get(m.segment) ?? 0) + 1);
    if (sizes.size === 0) continue;
    const largest = [...sizes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 2).map(([label]) => label).sort();
    const compare = largest.length === 2 ? { compare: [largest[0]!, largest[1]!] as const, random: seededRng(BOOTSTRAP_SEED) } : {};
    segments.push({ by: `tag ${prefix}`, report: compareSegments(members, segmentOrders, { ...scoresOf, ...compare }) });
  }
  const channelOf = firstOrderSegments(purchases.map((p) => ({ customerId: p.customerId, at: p.at, value: p.source })));
  segments.push({ by: "first order channel", report: compareSegments([...channelOf].map(([id, segment]) => ({ id, segment })), segmentOrders, scoresOf) });

  const spend = await db.marketingSpend.findMany({ where: { shop }, orderBy: [{ month: "asc" }, { channel: "asc" }] });
  let cac: CacReport | null = null;
  try {
    cac =
      spend.length === 0
        ? null
        : acquisitionCost(
            // Every first order is an acquisition, a guest's too; the amounts are on the value basis (contribution).
            [...purchases.map((p) => ({ customerId: p.customerId, at: p.at, amount: p.value, source: p.source })), ...guests],
            spend.map((s) => ({ month: s.month, amount: Number(s.amount), currency: s.currency, ...(s.channel === "all" ? {} : { channel: s.channel }) })),
            { timeZone, asOf, currency, ...(basis.basis === "contribution" ? { amounts: "contribution" as const } : {}), ...(clvById.size > 0 ? { ltv: clvById } : {}) },
          );
  } catch (error) {
    if (!(error instanceof CacError)) throw error;
    caveats.push(`No acquisition cost: ${error.message}`);
  }

  // Intervals on the 12-month value: the parameters' uncertainty, drawn and carried through (intervals.ts).
  let intervals: LifetimeValueIntervals | null = null;
  if (model && fit?.covariance && gg?.covariance && summary.customers.length > 0) {
    try {
      intervals = lifetimeValueIntervals(
        summary.customers.map((c) => ({ x: c.x, t_x: c.t_x, T: c.T, monetary: c.monetary, group: rfmById.get(c.id)?.group ?? "PROSPECTS" })),
        {
          ...clvOptions,
          purchases: model,
          purchasesCovariance: fit.covariance,
          spend: gg.params,
          spendCovariance: gg.covariance,
          draws: INTERVAL_DRAWS,
          level: INTERVAL_LEVEL,
          random: seededRng(INTERVAL_SEED),
        },
      );
    } catch (error) {
      if (!(error instanceof ModelInputError)) throw error;
      caveats.push(`No interval on lifetime value: ${error.message}.`);
    }
  } else if (model && gg) caveats.push("No interval on lifetime value: the models' standard errors are missing (see the warnings above).");

  const data: CustomerValueData = {
    basis,
    purchaseModel: fit ? { kind, name: REPEAT_MODEL_NAMES[kind], params: fit.params, standardErrors: fit.standardErrors, logLikelihood: fit.logLikelihood, converged: fit.converged } : null,
    gammaGamma: gg ? { params: gg.params, logLikelihood: gg.logLikelihood } : null,
    validation,
    predictions: { shown: model !== null && withheld === null, withheld },
    intervals,
    rfm: {
      groups: RFM_GROUPS.map((group) => {
        const g = groupSize.get(group);
        return { group, customers: g?.customers ?? 0, clv: g && g.withClv > 0 ? Math.round(g.clv / g.withClv) : null };
      }),
      shopifyAgreement: compared > 0 ? { compared, agreeing } : null,
    },
    rfmMovement: movement,
    segments,
    cac,
    cohorts: retentionMatrix(purchases, { timeZone, asOf }),
    churn: churnByPeriod(purchases, { timeZone, asOf, period: "month" }),
    expectedChurn: model ? modelChurn(model, summary.customers) : null,
    totals: {
      expectedPurchases: model ? scores.reduce((n, s) => n + (s.expectedPurchases ?? 0), 0) : null,
      clv: model && gg ? scores.reduce((n, s) => n + (s.clv ?? 0), 0) : null,
    },
  };
  const valueSummary: CustomerValueSummary = {
    asOf,
    timeZone,
    currency,
    customers: summary.customers.length,
    repeatCustomers: summary.customers.filter((c) => c.x > 0).length,
    ordersCounted: purchases.length,
    ordersLeftOut: left,
    caveats,
  };

  await db.$transaction(
    async (tx) => {
      await tx.customerScore.deleteMany({ where: { shop } });
      await writeScores(tx, shop, now, scores);
      const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue;
      const row = { version: CUSTOMER_VALUE_VERSION, computedAt: now, asOf: now, summary: json(valueSummary), data: json(data) };
      await tx.insightSnapshot.upsert({ where: { shop_kind: { shop, kind: CUSTOMER_VALUE } }, create: { shop, kind: CUSTOMER_VALUE, ...row }, update: row });
    },
    { timeout: 300_000, maxWait: 60_000 },
  );
  return { summary: valueSummary, data };
}

type ScoreRow = {
  customerId: string;
  orders: number;
  x: number;
  tx: number;
  age: number;
  totalSpend: number;
  meanRepeatSpend: number;
  pAlive: number | null;
  expectedPurchases: number | null;
  clv: number | null;
  rfmRecency: number | null;
  rfmFrequency: number | null;
  rfmMonetary: number | null;
  rfmGroup: string;
};

/** Set-based inserts in chunks (never row by row); only customers that exist (a redaction may have removed one). */
async function writeScores(tx: Prisma.TransactionClient, shop: string, at: Date, rows: readonly ScoreRow[]) {
  const text = (v: number | null) => (v === null ? null : String(v));
  for (let i = 0; i < rows.length; i += 10_000) {
    const chunk = rows.slice(i, i + 10_000);
    await tx.$executeRawUnsafe(
      `INSERT INTO "CustomerScore" ("shop", "customerId", "computedAt", "orders", "x", "tx", "age", "totalSpend", "meanRepeatSpend",
                                   "pAlive", "expectedPurchases", "clv", "rfmRecency", "rfmFrequency", "rfmMonetary", "rfmGroup")
       SELECT $15, u.id, $16::timestamptz, u.orders::integer, u.x::integer, u.tx::float8, u.age::float8, u.spend::bigint, u.mean::bigint,
              u.alive::float8, u.expected::float8, u.clv::bigint, u.r::integer, u.f::integer, u.m::integer, u.grp
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                   $11::text[], $12::text[], $13::text[], $14::text[])
            AS u(id, orders, x, tx, age, spend, mean, alive, expected, clv, r, f, m, grp)
       WHERE EXISTS (SELECT 1 FROM "Customer" c WHERE c."shop" = $15 AND c."id" = u.id)`,
      chunk.map((r) => r.customerId),
      chunk.map((r) => String(r.orders)),
      chunk.map((r) => String(r.x)),
      chunk.map((r) => String(r.tx)),
      chunk.map((r) => String(r.age)),
      chunk.map((r) => String(r.totalSpend)),
      chunk.map((r) => String(r.meanRepeatSpend)),
      chunk.map((r) => text(r.pAlive)),
      chunk.map((r) => text(r.expectedPurchases)),
      chunk.map((r) => text(r.clv)),
      chunk.map((r) => text(r.rfmRecency)),
      chunk.map((r) => text(r.rfmFrequency)),
      chunk.map((r) => text(r.rfmMonetary)),
      chunk.map((r) => r.rfmGroup),
      shop,
      at.toISOString(),
    );
  }
}

/** The shop's stored customer value, or null before the first computation (or after a format change). */
export async function readCustomerValue(db: PrismaClient, shop: string) {
  const row = await db.insightSnapshot.findUnique({ where: { shop_kind: { shop, kind: CUSTOMER_VALUE } } });
  if (!row || row.version !== CUSTOMER_VALUE_VERSION) return null;
  return { computedAt: row.computedAt, summary: row.summary as unknown as CustomerValueSummary, data: row.data as unknown as CustomerValueData };
}
