/**
 * Bundle discounts from the cross-sell page's bundle ideas (issue 12): the preview (the what-if and the exact discount
 * that will be created), the one-click launch (the Shopify discount and its Action), pause / resume / end, the
 * throttled sync with Shopify, and the "Bundle discounts" page.
 *
 * Launch, atomic in effect:
 * 1. Everything the merchant chose is checked first (zod, the Action's metric / goal / window, the shop's products and
 *    segments, a start not in the past): a refusal names its form field and nothing is sent to Shopify.
 * 2. The discount is launched by launchBundleDiscount (app/shopify/publish/discounts.server.ts), idempotent by the
 *    key the preview generated: a double click or a retry makes one discount; a launch whose call failed (5xx, network)
 *    stays PENDING and the retry resumes it.
 * 3. Only when the discount is ACTIVE in Shopify is its Action recorded — with the metric, goal and window fixed in the
 *    form, the launch's decision time (the row's createdAt) as its creation time, and the bundle row's id as its id, so
 *    a retry or a crash between the two steps records it once. An Action is therefore never shown for a discount that
 *    failed or is still pending. The Action's evaluation is the impact core's (difference-in-differences against an
 *    automatic control, or a before/after without one when no control is found: `method` says which).
 * 4. The storefront publication is queued (storefront.publish), so the anchor's `$app.offers` carries the bundle.
 *
 * Form errors are keyed by the form's field names (FORM_FIELDS); Shopify's userErrors are mapped there by their input
 * path (fieldOf). At the 25-active automatic cap the answer carries CAP_MESSAGE, the automatic discounts that count
 * toward the cap, and the form offers the code fallback (a new idempotency key: the automatic launch's row is FAILED).
 *
 * A bundle limited to customer segments is a Shopify discount for those customers only; the storefront block shows
 * bundle prices to every shopper, so a segment-limited bundle is never published to the storefront (see publish.server).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { BundleDiscount, PrismaClient } from "@prisma/client";
import { z } from "zod";
import defaultPrisma from "../../db.server";
import { JOB } from "../../jobs/names";
import type { JobQueue } from "../../jobs/types";
import { minorUnitDigits } from "../../insights/money";
import { addDays, localDay } from "../../insights/trends/series";
import { offlineAdminClient } from "../../shopify.server";
import type { AdminClient } from "../../shopify/client.server";
import {
  bundleDiscountInput,
  CAP_MESSAGE,
  DEFAULT_COMBINES_WITH,
  EDITED_PREFIX,
  endBundleDiscount,
  launchBundleDiscount,
  listCappedAutomaticDiscounts,
  MAX_ACTIVE_AUTOMATIC_DISCOUNTS,
  pauseBundleDiscount,
  resumeBundleDiscount,
  syncBundleDiscountStatus,
  type CappedAutomaticDiscount,
  type FieldError,
} from "../../shopify/publish/discounts.server";
import { requireAccess } from "../access-scopes.server";
import { ActionError, ActionInput, ACTION_METRICS, actionRowData, describeGoal, startOfLocalDay, whatIfBundle } from "../insights/actions.server";
import { readCrossSell } from "../insights/cross-sell.server";

/** The launch form's field names (the preview's inputs and the launch POST's). */
export const FORM_FIELDS = [
  "idempotencyKey",
  "anchors",
  "addOns",
  "title",
  "percentOff",
  "kind",
  "code",
  "start",
  "end",
  "combinesProduct",
  "combinesOrder",
  "combinesShipping",
  "segment",
  "metric",
  "goal",
  "goalDirection",
  "evaluationDays",
] as const;
export type FormField = (typeof FORM_FIELDS)[number];
/** Errors by form field; `form` holds those that belong to no one field. */
export type FormErrors = Partial<Record<FormField | "form", string[]>>;

/** The metrics a bundle's Action can be judged by (the impact core's order metrics). */
export const BUNDLE_METRICS = (["attach-rate", "aov", "units", "revenue", "margin"] as const).filter((m) => (ACTION_METRICS as readonly string[]).includes(m));

/** The sync with Shopify runs at most this often per shop when pages load. */
export const SYNC_INTERVAL_MS = 60_000;
export const DEFAULT_PERCENT_OFF = 10;
export const DEFAULT_EVALUATION_DAYS = 28;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const num = (v: unknown) => {
  const b = blank(v);
  return typeof b === "string" ? Number(b.trim()) : b;
};
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());
const ids = (label: string) =>
  z.preprocess(
    (v) => [...new Set((Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).flatMap((x) => String(x).split(",")).map((s) => s.trim()).filter(Boolean))],
    z.array(z.string().regex(/^\d{1,20}$/, `${label}: each must be a product id`)).min(1, `choose at least one ${label.replace(/s$/, "")}`).max(50),
  );

/** The launch form, as the page posts it (strings) or a JSON client sends it. */
export const BundleForm = z
  .object({
    idempotencyKey: z.string().trim().min(8, "the form has no launch key: reload the preview").max(200),
    anchors: ids("anchors"),
    addOns: ids("add-ons"),
    title: z.preprocess(blank, z.string().trim().max(255, "the title is at most 255 characters").optional()),
    percentOff: z.preprocess(num, z.number({ error: "the discount is required, a whole percentage" }).int("the discount is a whole percentage").min(1, "the discount is at least 1 %").max(90, "the discount is at most 90 %")),
    kind: z.enum(["code", "automatic"], { error: "choose a code or an automatic discount" }),
    code: z.preprocess(blank, z.string().trim().max(255, "the code is at most 255 characters").regex(/^[^\s]+$/, "a code has no spaces").optional()),
    start: z.string({ error: "the start day is required (YYYY-MM-DD)" }).trim().regex(DAY, "the start must be a day YYYY-MM-DD"),
    end: z.preprocess(blank, z.string().trim().regex(DAY, "the end must be a day YYYY-MM-DD").optional()),
    combinesProduct: checkbox.default(false),
    combinesOrder: checkbox.default(false),
    combinesShipping: checkbox.default(false),
    segment: z.preprocess(blank, z.string().trim().regex(/^gid:\/\/shopify\/Segment\/\d+$/, "choose one of the published segments").optional()),
    metric: z.preprocess(blank, z.enum(["attach-rate", "aov", "units", "revenue", "margin"], { error: `choose the metric before launch (${BUNDLE_METRICS.join(", ")})` })),
    goal: z.preprocess(num, z.number({ error: "the goal is required: the smallest effect that counts as success" }).positive("the goal must be above 0")),
    goalDirection: z.preprocess(blank, z.enum(["increase", "decrease"]).default("increase")),
    evaluationDays: z.preprocess(num, z.number({ error: "the evaluation window is required (days)" }).int("whole days").min(7, "the evaluation window is at least 7 days").max(365, "at most 365 days")),
  })
  .superRefine((f, ctx) => {
    if (f.kind === "code" && !f.code) ctx.addIssue({ code: "custom", path: ["code"], message: "a code discount needs a code" });
    if (f.end && f.end < f.start) ctx.addIssue({ code: "custom", path: ["end"], message: `the end (${f.end}) is before the start (${f.start})` });
    if (f.addOns.some((id) => f.anchors.includes(id))) ctx.addIssue({ code: "custom", path: ["addOns"], message: "a product cannot be both bought and discounted" });
  });
export type BundleFormValues = z.infer<typeof BundleForm>;

function addError(errors: FormErrors, field: FormField | "form", message: string) {
  (errors[field] ??= []).push(message);
}

function zodErrors(error: z.ZodError): FormErrors {
  const errors: FormErrors = {};
  for (const issue of error.issues) {
    const head = String(issue.path[0] ?? "");
    addError(errors, (FORM_FIELDS as readonly string[]).includes(head) ? (head as FormField) : "form", issue.message);
  }
  return errors;
}

/**
 * The form field of a Shopify userError (its `field` is the path in the mutation's input, e.g. ["bxgyCodeDiscount",
 * "code"]) or of the launch input's own check (["endsAt"]).
 */
export function fieldOf(path: readonly string[]): FormField | "form" {
  const p = path[0] === "bxgyCodeDiscount" || path[0] === "automaticBxgyDiscount" ? path.slice(1) : path;
  const head = p[0] ?? "";
  if (head === "code") return "code";
  if (head === "title") return "title";
  if (head === "startsAt") return "start";
  if (head === "endsAt") return "end";
  if (head === "context" || head === "customerSelection" || head === "segmentIds") return "segment";
  if (head === "combinesWith") return "combinesProduct";
  if (head === "percentOff") return "percentOff";
  if (head === "anchors" || head === "customerBuys") return "anchors";
  if (head === "addOns") return "addOns";
  if (head === "customerGets") return p.includes("effect") || p.includes("percentage") ? "percentOff" : "addOns";
  if (head === "kind") return "kind";
  return "form";
}

function mapFieldErrors(list: readonly FieldError[]): FormErrors {
  const errors: FormErrors = {};
  for (const e of list) addError(errors, fieldOf(e.field), e.message);
  return errors;
}

/** The goal as stored on the Action: attach-rate in points (2 → 0.02), aov in minor units, the others relative (%). */
export function goalValue(metric: string, goal: number, currency: string): number {
  if (metric === "aov") return Math.round(goal * 10 ** minorUnitDigits(currency));
  return goal / 100;
}

/** The goal field's unit, said next to it. */
export function goalUnit(metric: string, currency: string): string {
  if (metric === "attach-rate") return "points of attach rate";
  if (metric === "aov") return `${currency} on the average order`;
  return `% ${metric} per day`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Shopify client and shop facts

/** A client on the shop's offline session. */
export async function shopClient(shop: string): Promise<AdminClient> {
  const client = await offlineAdminClient(shop);
  if (!client) throw new ActionError(`the offline session of ${shop} has no access token: open the app from the Shopify admin`, 403);
  return client;
}

async function shopFacts(db: PrismaClient, shop: string) {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true, timezone: true } });
  if (!row) throw new ActionError(`unknown shop ${shop}`, 404);
  return row;
}

/** The shop's published Shopify segments a bundle can be limited to (SegmentPublication rows PUBLISHED). */
export async function publishedSegments(db: PrismaClient, shop: string): Promise<{ id: string; name: string }[]> {
  const rows = await db.segmentPublication.findMany({ where: { shop, status: "PUBLISHED", segmentId: { not: null } }, orderBy: { name: "asc" }, select: { segmentId: true, name: true } });
  return rows.map((r) => ({ id: r.segmentId!, name: r.name }));
}

/** A code nobody will guess: the anchor's first word, the percentage, 4 random characters (editable in the form). */
function defaultCode(anchorTitle: string, percentOff: number): string {
  const word = (anchorTitle.normalize("NFKD").replace(/[^A-Za-z0-9 ]/g, "").trim().split(/\s+/)[0] ?? "").toUpperCase().slice(0, 12) || "BUNDLE";
  return `${word}${percentOff}-${randomBytes(3).toString("hex").toUpperCase().slice(0, 4)}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Preview

export interface PreviewArgs {
  shop: string;
  db?: PrismaClient;
  now: Date;
  /** The Admin client; by default one on the shop's offline session. A failure to reach Shopify is said, not thrown. */
  client?: AdminClient;
  /** The form's values so far (query string or posted fields); `items` = the bundle idea's products, anchor first. */
  input: Record<string, unknown>;
}

/**
 * The preview of a bundle launch: the form prefilled from the bundle idea (or the merchant's changes), a fresh
 * idempotency key, the what-if of each add-on, the exact discount input Shopify will be sent, the Action that will be
 * recorded, and how close the shop is to the automatic cap.
 */
export async function previewBundleLaunch({ shop, db = defaultPrisma, now, client, input }: PreviewArgs) {
  const { currency, timezone } = await shopFacts(db, shop);
  const today = localDay(now, timezone);
  const itemsOf = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).flatMap((x) => String(x).split(",")).map((s) => s.trim()).filter(Boolean);
  const items = itemsOf(input.items);
  const anchors = itemsOf(input.anchors).length > 0 ? itemsOf(input.anchors) : items.slice(0, 1);
  const addOns = itemsOf(input.addOns).length > 0 ? itemsOf(input.addOns) : items.slice(1);
  if (anchors.length === 0 || addOns.length === 0) throw new ActionError("choose a bundle: an anchor product and at least one add-on", 400);
  const all = [...anchors, ...addOns];
  const products = await db.product.findMany({ where: { shop, id: { in: all } }, select: { id: true, title: true } });
  const title = new Map(products.map((p) => [p.id, p.title]));
  const missing = all.filter((id) => !title.has(id));
  if (missing.length > 0) throw new ActionError(`unknown product(s) in this shop: ${missing.join(", ")}`, 400);

  // The bundle idea's suggested depth, when the merchant has not chosen one.
  const crossSell = await readCrossSell(db, shop);
  const idea = crossSell?.data.bundles.find((b) => b.items[0] === anchors[0] && b.items.length === anchors.length + addOns.length && addOns.every((a) => b.items.includes(a))) ?? null;
  const suggested = idea?.discountPercent ? idea.discountPercent : DEFAULT_PERCENT_OFF;
  const percentOff = Number.isInteger(Number(input.percentOff)) && Number(input.percentOff) >= 1 && Number(input.percentOff) <= 90 ? Number(input.percentOff) : suggested;

  // The cap: read from Shopify; when it cannot be read, say so and default to a code.
  let capped: CappedAutomaticDiscount[] | null = null;
  let capError: string | null = null;
  try {
    capped = await listCappedAutomaticDiscounts(client ?? (await shopClient(shop)));
  } catch (error) {
    capError = error instanceof Error ? error.message : String(error);
  }
  const atCap = capped === null || capped.length >= MAX_ACTIVE_AUTOMATIC_DISCOUNTS;
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);
  const kind = str(input.kind) === "code" || str(input.kind) === "automatic" ? (str(input.kind) as "code" | "automatic") : atCap ? "code" : "automatic";
  const anchorTitle = title.get(anchors[0]!)!;
  const start = str(input.start) && DAY.test(str(input.start)!) ? str(input.start)! : today;
  const end = str(input.end) && DAY.test(str(input.end)!) ? str(input.end)! : "";
  const metric = (BUNDLE_METRICS as readonly string[]).includes(str(input.metric) ?? "") ? str(input.metric)! : "attach-rate";
  const evaluationDays = Number.isInteger(Number(input.evaluationDays)) && Number(input.evaluationDays) >= 7 ? Number(input.evaluationDays) : DEFAULT_EVALUATION_DAYS;
  // The explicit choice wins; the safe default (no stacking with product discounts) otherwise.
  const chose = input.combinesChosen === "1";
  const box = (name: string, fallback: boolean) => (chose ? input[name] === "on" || input[name] === "true" || input[name] === true : fallback);
  const values = {
    idempotencyKey: randomUUID(),
    anchors: anchors.join(","),
    addOns: addOns.join(","),
    title: str(input.title) ?? `${anchorTitle} + ${addOns.map((id) => title.get(id)).join(" + ")}: ${percentOff} % off`,
    percentOff: String(percentOff),
    kind,
    code: str(input.code) ?? defaultCode(anchorTitle, percentOff),
    start,
    end,
    combinesProduct: box("combinesProduct", DEFAULT_COMBINES_WITH.productDiscounts),
    combinesOrder: box("combinesOrder", DEFAULT_COMBINES_WITH.orderDiscounts),
    combinesShipping: box("combinesShipping", DEFAULT_COMBINES_WITH.shippingDiscounts),
    segment: str(input.segment) ?? "",
    metric,
    goal: str(input.goal) ?? (metric === "attach-rate" ? "2" : "5"),
    goalDirection: str(input.goalDirection) === "decrease" ? "decrease" : "increase",
    evaluationDays: String(evaluationDays),
  };

  // The what-if over the campaign's days (its end, or the evaluation window when it has none), one add-on at a time.
  const campaignDays = end && end >= start ? Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000) + 1 : evaluationDays;
  const whatIf = [];
  for (const addOn of addOns) {
    try {
      const result = await whatIfBundle({ db, shop, now, input: { anchor: anchors[0], addOn, discountPercent: percentOff, campaignDays: Math.min(365, campaignDays) } });
      whatIf.push({ addOnId: addOn, ...result, error: null });
    } catch (error) {
      if (!(error instanceof ActionError)) throw error;
      whatIf.push({ addOnId: addOn, error: error.message });
    }
  }

  const startsAt = start <= today ? now : startOfLocalDay(start, timezone);
  const endsAt = end ? startOfLocalDay(addDays(end, 1), timezone) : null;
  const discount = bundleDiscountInput({
    title: values.title,
    startsAt,
    endsAt,
    combinesWith: { productDiscounts: values.combinesProduct, orderDiscounts: values.combinesOrder, shippingDiscounts: values.combinesShipping },
    anchorProductIds: anchors,
    addOnProductIds: addOns,
    percentOff,
    segmentIds: values.segment ? [values.segment] : [],
    kind,
    code: kind === "code" ? values.code : null,
  });
  const goalNumber = Number(values.goal);
  return {
    today,
    currency,
    values,
    products: [...anchors.map((id) => ({ id, title: title.get(id)!, role: "anchor" })), ...addOns.map((id) => ({ id, title: title.get(id)!, role: "add-on" }))],
    suggestedPercent: idea?.discountPercent ?? null,
    /** Why that depth (the what-if economics' assumption and break-even), or null without a costed idea. */
    suggestion: idea?.economics?.assumption ?? null,
    whatIf,
    campaignDays,
    /** The exact input of discountCodeBxgyCreate / discountAutomaticBxgyCreate. */
    discount,
    mutation: kind === "code" ? "discountCodeBxgyCreate" : "discountAutomaticBxgyCreate",
    action: {
      metric,
      goal: Number.isFinite(goalNumber) ? describeGoal(metric, values.goalDirection, goalValue(metric, goalNumber, currency), currency) : null,
      window: `${start} + ${evaluationDays} days`,
    },
    cap: { max: MAX_ACTIVE_AUTOMATIC_DISCOUNTS, active: capped, atCap, error: capError },
    segments: await publishedSegments(db, shop),
    metrics: [...BUNDLE_METRICS],
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Launch

export interface LaunchBundleArgs {
  shop: string;
  db?: PrismaClient;
  now: Date;
  client?: AdminClient;
  /** Where the storefront publication is queued; none = not queued (tests that publish themselves). */
  queue?: JobQueue | null;
  input: unknown;
}

export type LaunchBundleResult =
  | { ok: true; status: "ACTIVE"; discount: BundleDiscount; actionId: string; created: boolean }
  | { ok: true; status: "PENDING"; discount: BundleDiscount; actionId: null; created: false }
  | {
      ok: false;
      errors: FormErrors;
      discount: BundleDiscount | null;
      cap: { message: string; active: CappedAutomaticDiscount[] | null; fallbackKey: string } | null;
      /**
       * The key the form's next Launch must send: the same one when nothing was created or the launch is PENDING (a 5xx:
       * launching again resumes it), a new one when this key's launch is FAILED (Shopify refused it: a corrected form is
       * a new launch).
       */
      nextKey: string;
    };

async function queuePublish(queue: JobQueue | null | undefined, shop: string) {
  if (queue) await queue.enqueue(JOB.storefrontPublish, {}, { shop, singletonKey: `storefront/${shop}` });
}

/** Launches the bundle: the Shopify discount (idempotent by the form's key), then its Action once it is ACTIVE. */
export async function launchBundle({ shop, db = defaultPrisma, now, client, queue, input }: LaunchBundleArgs): Promise<LaunchBundleResult> {
  const given = typeof (input as { idempotencyKey?: unknown } | null)?.idempotencyKey === "string" ? String((input as { idempotencyKey: string }).idempotencyKey).trim() : "";
  const fail = (errors: FormErrors): LaunchBundleResult => ({ ok: false, errors, discount: null, cap: null, nextKey: given.length >= 8 ? given : randomUUID() });
  const parsed = BundleForm.safeParse(input);
  if (!parsed.success) return fail(zodErrors(parsed.error));
  const f = parsed.data;
  await requireAccess({ shop, feature: "bundle-discounts", db });
  const { currency, timezone } = await shopFacts(db, shop);
  const today = localDay(now, timezone);
  const errors: FormErrors = {};
  if (f.start < today) addError(errors, "start", `the start (${f.start}) is before today (${today}): a launch starts today or later`);
  const title = f.title ?? `Bundle ${f.anchors.join("+")} + ${f.addOns.join("+")}: ${f.percentOff} % off`;
  const action = {
    kind: "bundle-discount",
    title,
    products: f.anchors,
    addOns: f.addOns,
    ...(f.segment ? { segment: f.segment } : {}),
    start: f.start,
    ...(f.end ? { end: f.end } : {}),
    metric: f.metric,
    goalValue: goalValue(f.metric, f.goal, currency),
    goalDirection: f.goalDirection,
    evaluationDays: f.evaluationDays,
  };
  const checked = ActionInput.safeParse(action);
  if (!checked.success) {
    const to: Record<string, FormField> = { metric: "metric", goalValue: "goal", goalDirection: "goalDirection", evaluationDays: "evaluationDays", start: "start", end: "end", addOns: "addOns", products: "anchors", title: "title", segment: "segment" };
    for (const issue of checked.error.issues) addError(errors, to[String(issue.path[0])] ?? "form", issue.message);
  }
  const known = new Set((await db.product.findMany({ where: { shop, id: { in: [...f.anchors, ...f.addOns] } }, select: { id: true } })).map((p) => p.id));
  for (const field of ["anchors", "addOns"] as const) {
    const unknown = f[field].filter((id) => !known.has(id));
    if (unknown.length > 0) addError(errors, field, `unknown product(s) in this shop: ${unknown.join(", ")}`);
  }
  if (f.segment && !(await publishedSegments(db, shop)).some((s) => s.id === f.segment)) addError(errors, "segment", "that segment is not one of this shop's published segments");
  if (Object.keys(errors).length > 0) return fail(errors);

  const admin = client ?? (await shopClient(shop));
  const result = await launchBundleDiscount({
    shop,
    db,
    client: admin,
    now,
    input: {
      idempotencyKey: f.idempotencyKey,
      kind: f.kind,
      ...(f.kind === "code" ? { code: f.code } : {}),
      title,
      anchors: f.anchors,
      addOns: f.addOns,
      percentOff: f.percentOff,
      startsAt: f.start <= today ? now : startOfLocalDay(f.start, timezone),
      ...(f.end ? { endsAt: startOfLocalDay(addDays(f.end, 1), timezone) } : {}),
      combinesWith: { productDiscounts: f.combinesProduct, orderDiscounts: f.combinesOrder, shippingDiscounts: f.combinesShipping },
      ...(f.segment ? { segmentIds: [f.segment] } : {}),
    },
  });
  if (!result.ok) {
    const capHit = result.errors.some((e) => e.code === "AUTOMATIC_DISCOUNT_CAP");
    let active: CappedAutomaticDiscount[] | null = null;
    if (capHit) active = await listCappedAutomaticDiscounts(admin).catch(() => null);
    const mapped = mapFieldErrors(result.errors.filter((e) => e.code !== "AUTOMATIC_DISCOUNT_CAP" && e.code !== "ACTIVE_PERIOD_OVERLAP"));
    if (capHit) addError(mapped, "kind", CAP_MESSAGE);
    if (Object.keys(mapped).length === 0) addError(mapped, "form", "Shopify created no discount.");
    // The code fallback is a new launch: its own key (this key's row is FAILED).
    const nextKey = result.discount && result.discount.status === "FAILED" ? randomUUID() : f.idempotencyKey;
    return { ok: false, errors: mapped, discount: result.discount, cap: capHit ? { message: CAP_MESSAGE, active, fallbackKey: randomUUID() } : null, nextKey };
  }
  const row = result.discount;
  if (row.status !== "ACTIVE") {
    // The same key's launch is still in flight (a double click): it records the Action when Shopify answers.
    return { ok: true, status: "PENDING", discount: row, actionId: null, created: false };
  }
  const actionId = await ensureAction(db, row, checked.data!, timezone, now);
  await queuePublish(queue, shop);
  return { ok: true, status: "ACTIVE", discount: (await db.bundleDiscount.findUniqueOrThrow({ where: { shop_id: { shop, id: row.id } } })), actionId, created: result.created };
}

/** Records the launch's Action once (its id is the bundle row's), and links it. */
async function ensureAction(db: PrismaClient, row: BundleDiscount, a: ActionInput, timeZone: string, now: Date): Promise<string> {
  if (row.actionId) return row.actionId;
  await db.action.createMany({
    // Decided when the launch was (the first click), not when a retry got Shopify's answer.
    data: [{ ...actionRowData(row.shop, { ...a, kind: "bundle-discount" }, timeZone, now), id: row.id, createdAt: row.createdAt }],
    skipDuplicates: true,
  });
  await db.bundleDiscount.updateMany({ where: { shop: row.shop, id: row.id, actionId: null }, data: { actionId: row.id } });
  return row.id;
}

// ---------------------------------------------------------------------------------------------------------------------
// Pause, resume, end, sync

export const CHANGE_INTENTS = ["pause", "resume", "end"] as const;
export type ChangeIntent = (typeof CHANGE_INTENTS)[number];

export async function changeBundle({
  shop,
  db = defaultPrisma,
  now,
  client,
  queue,
  id,
  intent,
}: {
  shop: string;
  db?: PrismaClient;
  now: Date;
  client?: AdminClient;
  queue?: JobQueue | null;
  id: string;
  intent: ChangeIntent;
}): Promise<{ ok: true; discount: BundleDiscount } | { ok: false; errors: FormErrors; discount: BundleDiscount | null }> {
  await requireAccess({ shop, feature: "bundle-discounts", db });
  const admin = client ?? (await shopClient(shop));
  const fn = intent === "pause" ? pauseBundleDiscount : intent === "resume" ? resumeBundleDiscount : endBundleDiscount;
  const result = await fn({ shop, db, client: admin, id, now });
  if (result.discount && result.discount.status !== "ACTIVE") await closeAction(db, result.discount, now, intent === "end" || result.discount.status === "DELETED_IN_SHOPIFY");
  // Any change (including learning it was deleted) changes what the storefront may show.
  if (result.discount) await queuePublish(queue, shop);
  if (!result.ok) return { ok: false, errors: mapFieldErrors(result.errors), discount: result.discount };
  return { ok: true, discount: result.discount };
}

/** An ended (or deleted) bundle's Action ends now, when its own window runs longer. */
async function closeAction(db: PrismaClient, row: BundleDiscount, now: Date, ended: boolean) {
  if (!ended || !row.actionId) return;
  await db.action.updateMany({ where: { shop: row.shop, id: row.actionId, OR: [{ endsAt: null }, { endsAt: { gt: now } }] }, data: { endsAt: now, status: "ended" } });
}

const lastSync = new Map<string, number>();

/**
 * Reads the shop's live bundle discounts back from Shopify, at most once a SYNC_INTERVAL_MS per shop (this process),
 * and queues the storefront publication when a status, percentage or add-on changed. Never throws: a failure is said.
 */
export async function syncBundlesIfDue({ shop, db = defaultPrisma, now, client, queue, force = false }: { shop: string; db?: PrismaClient; now: Date; client?: AdminClient; queue?: JobQueue | null; force?: boolean }) {
  const last = lastSync.get(shop);
  if (!force && last !== undefined && now.getTime() - last < SYNC_INTERVAL_MS) return { synced: false as const, error: null };
  lastSync.set(shop, now.getTime());
  try {
    const before = await db.bundleDiscount.findMany({ where: { shop, status: { in: ["ACTIVE", "PAUSED"] }, discountId: { not: null } } });
    if (before.length === 0) return { synced: true as const, error: null };
    const after = await syncBundleDiscountStatus({ shop, db, client: client ?? (await shopClient(shop)) });
    const was = new Map(before.map((r) => [r.id, r]));
    let changed = false;
    for (const r of after) {
      const b = was.get(r.id);
      if (!b) continue;
      if (b.status !== r.status || b.percentOff !== r.percentOff || b.addOnProductIds.join() !== r.addOnProductIds.join() || b.anchorProductIds.join() !== r.anchorProductIds.join()) changed = true;
      if (b.status !== r.status) await closeAction(db, r, now, r.status === "DELETED_IN_SHOPIFY" || r.status === "ENDED");
    }
    if (changed) await queuePublish(queue, shop);
    return { synced: true as const, error: null };
  } catch (error) {
    return { synced: false as const, error: `Could not read the discounts back from Shopify: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Forgets when each shop was last synced (tests). */
export function resetSyncThrottle() {
  lastSync.clear();
}

// ---------------------------------------------------------------------------------------------------------------------
// The "Bundle discounts" page

const STATUS_LABEL: Record<string, string> = {
  PENDING: "Launching",
  ACTIVE: "Active",
  PAUSED: "Paused",
  ENDED: "Ended",
  FAILED: "Failed",
  DELETED_IN_SHOPIFY: "Deleted in Shopify",
};
const STATUS_TONE: Record<string, "success" | "attention" | "critical" | "info" | undefined> = {
  PENDING: "info",
  ACTIVE: "success",
  PAUSED: "attention",
  ENDED: undefined,
  FAILED: "critical",
  DELETED_IN_SHOPIFY: "critical",
};

export async function bundlesPage({ shop, db = defaultPrisma, now, client, queue }: { shop: string; db?: PrismaClient; now: Date; client?: AdminClient; queue?: JobQueue | null }) {
  const { timezone } = await shopFacts(db, shop);
  const sync = await syncBundlesIfDue({ shop, db, now, client, queue });
  const rows = await db.bundleDiscount.findMany({ where: { shop }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], take: 200 });
  const ids = [...new Set(rows.flatMap((r) => [...r.anchorProductIds, ...r.addOnProductIds]))];
  const titles = new Map((await db.product.findMany({ where: { shop, id: { in: ids } }, select: { id: true, title: true } })).map((p) => [p.id, p.title]));
  const name = (id: string) => titles.get(id) ?? `Product ${id}`;
  return {
    syncError: sync.error,
    bundles: rows.map((r) => {
      const edited = r.lastError?.startsWith(EDITED_PREFIX) ? r.lastError : null;
      return {
        id: r.id,
        title: r.title,
        kind: r.kind,
        code: r.code,
        status: r.status,
        statusLabel: STATUS_LABEL[r.status] ?? r.status,
        tone: STATUS_TONE[r.status],
        edited,
        error: edited ? null : r.lastError,
        percentOff: r.percentOff,
        anchors: r.anchorProductIds.map(name),
        addOns: r.addOnProductIds.map(name),
        window: `${localDay(r.startsAt, timezone)} – ${r.endsAt ? localDay(r.endsAt.getTime() - 1, timezone) : "no end"}`,
        segmentLimited: r.segmentIds.length > 0,
        actionId: r.actionId,
        can: { pause: r.status === "ACTIVE", resume: r.status === "PAUSED", end: r.status === "ACTIVE" || r.status === "PAUSED" },
      };
    }),
  };
}

/** The live bundle of each anchor on the cross-sell page's bundle ideas (by "anchor,addOn,…"), for its status badge. */
export async function bundleStatusByItems({ shop, db = defaultPrisma }: { shop: string; db?: PrismaClient }): Promise<Record<string, { id: string; status: string; statusLabel: string }>> {
  const rows = await db.bundleDiscount.findMany({ where: { shop, status: { in: ["PENDING", "ACTIVE", "PAUSED", "DELETED_IN_SHOPIFY"] } }, orderBy: { createdAt: "asc" } });
  const out: Record<string, { id: string; status: string; statusLabel: string }> = {};
  for (const r of rows) out[[...r.anchorProductIds, ...r.addOnProductIds].join(",")] = { id: r.id, status: r.status, statusLabel: STATUS_LABEL[r.status] ?? r.status };
  return out;
}
