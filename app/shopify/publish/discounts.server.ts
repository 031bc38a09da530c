/**
 * Bundle discounts (issue 12): a bundle launched as a native Shopify buy X get Y discount, and paused, ended and kept in
 * sync from the app.
 *
 * - Launch is idempotent. The BundleDiscount row is inserted first, keyed by (shop, idempotencyKey): a second call with
 *   the same key (double click, retry) finds the row and returns it without calling Shopify. A row left PENDING (the app
 *   crashed or lost the answer between Shopify's create and the row's update) is resumed: the discount is first looked up
 *   in Shopify — by its code (`codeDiscountNodeByCode`), or by its exact title among automatic buy X get Y discounts
 *   (`discountNodes`) — and adopted when found, created otherwise. A PENDING row still within its lease (LAUNCH_LEASE_MS)
 *   with no error is a launch in flight, returned as it is. A code create answered TAKEN adopts the discount holding the
 *   code when its title is the bundle's (the client's retry of a create whose answer was lost). Known gap: the client
 *   also retries an automatic create whose answer was lost, which can make a twin; the app cannot tell it from a
 *   failure before the answer. Known gap: an automatic discount the merchant made
 *   by hand with the very same title would be adopted.
 * - The discount: the customer buys one of the anchor products (quantity 1) and gets as many add-on units as the bundle
 *   has add-ons (one for a pair) at percentOff % off, once per order (usesPerOrderLimit 1), so the storefront's bundle
 *   price (percentOff on each add-on) is what checkout gives. Shopify lets those units be any of the add-ons: a shopper
 *   taking two of one add-on of a three-product bundle gets both at the bundle's price (a bounded give-away).
 *   For all buyers, or (segmentIds) only the customers of those Shopify segments (`context.customerSegments`).
 * - combinesWith defaults to the safe choice: no other product discount stacks on the bundle's add-on (it could give it
 *   away at a loss), order and shipping discounts still apply.
 * - Shopify's user errors are returned field by field for a form; the row is FAILED with them, never ACTIVE. The
 *   25-active automatic cap gets a message naming the cap and suggesting a code discount.
 * - Pause deactivates the discount (Shopify sets its end to now; the paused row keeps the bundle's own end). Resume
 *   activates it again (discount*Activate; an automatic one counts toward the cap again, and is refused with the cap
 *   message when the shop is at it); activating clears the discount's end in Shopify, so a bundle with an end day gets
 *   it back through discount*BxgyUpdate (only `endsAt` sent). A bundle whose end day has passed is not resumed
 *   (RESUME_PAST_END_MESSAGE: launch it again). End deletes it from Shopify (the app's row keeps the record as ENDED).
 * - Sync reads each live row's discount back: gone → DELETED_IN_SHOPIFY; expired → PAUSED stays PAUSED, ACTIVE becomes
 *   ENDED; active or scheduled → ACTIVE; its title, dates, percentage and add-ons as Shopify now has them. A change made
 *   in the Shopify admin is recorded on the row's lastError as "Edited in Shopify: …" (EDITED_PREFIX) until the next
 *   change from the app, so the app can say so.
 * - listCappedAutomaticDiscounts names the automatic discounts that count toward the cap (active or scheduled).
 * Every query is scoped by shop.
 */
import type { BundleDiscount, Prisma, PrismaClient } from "@prisma/client";
import { z } from "zod";
import { AdminApiError, type AdminClient } from "../client.server";
import type { BxgyDiscountInput, DiscountCombinesWithInput, DiscountUserError } from "../discount-types";
import { ACTIVE_AUTOMATIC_DISCOUNTS, type ActiveAutomaticDiscountsData } from "../graphql/ActiveAutomaticDiscounts";
import { AUTOMATIC_DISCOUNTS_BY_TITLE, type AutomaticDiscountsByTitleData } from "../graphql/AutomaticDiscountsByTitle";
import { BUNDLE_DISCOUNT_NODE, type BundleDiscountNodeData } from "../graphql/BundleDiscountNode";
import { CODE_DISCOUNT_NODE_BY_CODE, type CodeDiscountNodeByCodeData } from "../graphql/CodeDiscountNodeByCode";
import { DISCOUNT_AUTOMATIC_ACTIVATE } from "../graphql/DiscountAutomaticActivate";
import { DISCOUNT_AUTOMATIC_BXGY_CREATE, type DiscountAutomaticBxgyCreateData } from "../graphql/DiscountAutomaticBxgyCreate";
import { DISCOUNT_AUTOMATIC_BXGY_UPDATE } from "../graphql/DiscountAutomaticBxgyUpdate";
import { DISCOUNT_AUTOMATIC_DEACTIVATE } from "../graphql/DiscountAutomaticDeactivate";
import { DISCOUNT_AUTOMATIC_DELETE } from "../graphql/DiscountAutomaticDelete";
import { DISCOUNT_CODE_ACTIVATE } from "../graphql/DiscountCodeActivate";
import { DISCOUNT_CODE_BXGY_CREATE, type DiscountCodeBxgyCreateData } from "../graphql/DiscountCodeBxgyCreate";
import { DISCOUNT_CODE_BXGY_UPDATE, type DiscountBxgyEndInput } from "../graphql/DiscountCodeBxgyUpdate";
import { DISCOUNT_CODE_DEACTIVATE } from "../graphql/DiscountCodeDeactivate";
import { DISCOUNT_CODE_DELETE } from "../graphql/DiscountCodeDelete";

/** The access scope creating and changing discounts needs. */
export const DISCOUNTS_SCOPE = "write_discounts";

/** Shopify allows this many automatic discounts to be active at the same time. */
export const MAX_ACTIVE_AUTOMATIC_DISCOUNTS = 25;

export type BundleDiscountStatus = "PENDING" | "ACTIVE" | "PAUSED" | "ENDED" | "FAILED" | "DELETED_IN_SHOPIFY";

/**
 * A PENDING row younger than this with no error is a launch still in flight (a double click's twin): it is returned as
 * it is, not launched a second time. Older, it is an interrupted launch and is resumed.
 */
export const LAUNCH_LEASE_MS = 60_000;

/** The safe default: no other product discount on the add-on; order and shipping discounts still apply. */
export const DEFAULT_COMBINES_WITH: DiscountCombinesWithInput = { productDiscounts: false, orderDiscounts: true, shippingDiscounts: true };

export const CAP_MESSAGE =
  `Shopify allows at most ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} automatic discounts to be active at the same time, and this shop has reached that cap. ` +
  "Launch this bundle as a code discount instead, or end an automatic discount first.";

/** A product id as a number string or a Product GID; stored as the number string. */
const productId = z
  .string()
  .trim()
  .transform((value) => value.replace(/^gid:\/\/shopify\/Product\//, ""))
  .pipe(z.string().regex(/^\d+$/, "must be a Shopify product id"));

export const BundleLaunchInputSchema = z
  .object({
    idempotencyKey: z.string().trim().min(1).max(200),
    actionId: z.string().min(1).optional(),
    kind: z.enum(["code", "automatic"]),
    code: z.string().trim().min(1).max(255).optional(),
    title: z.string().trim().min(1).max(255),
    anchors: z.array(productId).min(1).max(100),
    addOns: z.array(productId).min(1).max(100),
    percentOff: z.number().int().min(1).max(90),
    startsAt: z.coerce.date(),
    endsAt: z.coerce.date().optional(),
    combinesWith: z.object({ productDiscounts: z.boolean(), orderDiscounts: z.boolean(), shippingDiscounts: z.boolean() }).optional(),
    /** Shopify Segment GIDs the discount is limited to; none = all buyers. */
    segmentIds: z.array(z.string().trim().regex(/^gid:\/\/shopify\/Segment\/\d+$/, "must be a Shopify segment id")).max(20).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.kind === "code" && !input.code) ctx.addIssue({ code: "custom", path: ["code"], message: "A code discount needs a code." });
    if (input.kind === "automatic" && input.code) ctx.addIssue({ code: "custom", path: ["code"], message: "An automatic discount has no code." });
    if (input.endsAt && input.endsAt <= input.startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "The end must be after the start." });
    const anchors = new Set(input.anchors);
    if (input.addOns.some((id) => anchors.has(id))) ctx.addIssue({ code: "custom", path: ["addOns"], message: "An add-on cannot also be an anchor product." });
  });

export type BundleLaunchInput = z.input<typeof BundleLaunchInputSchema>;

/** An error to show next to a form field (field is the path in Shopify's input, or in the launch input). */
export interface FieldError {
  field: string[];
  message: string;
  code?: string | null;
}

export type LaunchResult = { ok: true; discount: BundleDiscount; created: boolean } | { ok: false; discount: BundleDiscount | null; errors: FieldError[] };

export interface LaunchArgs {
  shop: string;
  db: PrismaClient;
  client: AdminClient;
  now: Date;
  input: BundleLaunchInput;
}

const productGid = (id: string) => `gid://shopify/Product/${id}`;

/** Where the discount applies: everyone, or the customers of the row's segments. */
export type DiscountContext = { all: "ALL" } | { customerSegments: { add: string[] } };

function contextOf(row: Pick<BundleDiscount, "segmentIds">): DiscountContext {
  return row.segmentIds.length > 0 ? { customerSegments: { add: [...row.segmentIds] } } : { all: "ALL" };
}

/**
 * The exact input Shopify is sent for a bundle (the launch preview shows it): the buy X get Y shape, and for a code
 * discount its code.
 */
export function bundleDiscountInput(
  row: Pick<BundleDiscount, "title" | "startsAt" | "endsAt" | "combinesWith" | "anchorProductIds" | "addOnProductIds" | "percentOff" | "segmentIds" | "kind" | "code">,
): BxgyDiscountInput & { context: DiscountContext; code?: string } {
  return { ...bxgyInput(row), context: contextOf(row), ...(row.kind === "code" && row.code ? { code: row.code } : {}) };
}

function bxgyInput(row: Pick<BundleDiscount, "title" | "startsAt" | "endsAt" | "combinesWith" | "anchorProductIds" | "addOnProductIds" | "percentOff">): BxgyDiscountInput {
  return {
    title: row.title,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt ? row.endsAt.toISOString() : null,
    combinesWith: row.combinesWith as unknown as DiscountCombinesWithInput,
    customerBuys: { value: { quantity: "1" }, items: { products: { productsToAdd: row.anchorProductIds.map(productGid) } } },
    customerGets: {
      value: { discountOnQuantity: { quantity: String(row.addOnProductIds.length), effect: { percentage: row.percentOff / 100 } } },
      items: { products: { productsToAdd: row.addOnProductIds.map(productGid) } },
    },
    usesPerOrderLimit: 1,
  };
}

const fieldErrors = (errors: DiscountUserError[]): FieldError[] => errors.map((e) => ({ field: e.field ?? [], message: e.message, code: e.code }));

const update = (db: PrismaClient, row: BundleDiscount, data: Prisma.BundleDiscountUpdateInput) => db.bundleDiscount.update({ where: { shop_id: { shop: row.shop, id: row.id } }, data });

export async function launchBundleDiscount({ shop, db, client, now, input }: LaunchArgs): Promise<LaunchResult> {
  const parsed = BundleLaunchInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, discount: null, errors: parsed.error.issues.map((i) => ({ field: i.path.map(String), message: i.message })) };
  }
  const v = parsed.data;
  if (v.actionId && !(await db.action.findUnique({ where: { shop_id: { shop, id: v.actionId } }, select: { id: true } }))) {
    return { ok: false, discount: null, errors: [{ field: ["actionId"], message: "There is no such action in this shop." }] };
  }
  const startsAt = v.startsAt.getTime() < now.getTime() ? now : v.startsAt;
  // Insert first: only the call whose row this is goes on to Shopify; a concurrent twin finds it.
  const inserted = await db.bundleDiscount.createMany({
    data: [
      {
        shop,
        idempotencyKey: v.idempotencyKey,
        actionId: v.actionId ?? null,
        kind: v.kind,
        code: v.kind === "code" ? v.code! : null,
        title: v.title,
        anchorProductIds: v.anchors,
        addOnProductIds: v.addOns,
        percentOff: v.percentOff,
        startsAt,
        endsAt: v.endsAt ?? null,
        combinesWith: { ...(v.combinesWith ?? DEFAULT_COMBINES_WITH) },
        segmentIds: [...new Set(v.segmentIds ?? [])],
        status: "PENDING",
        updatedAt: now,
      },
    ],
    skipDuplicates: true,
  });
  let row = await db.bundleDiscount.findUniqueOrThrow({ where: { shop_idempotencyKey: { shop, idempotencyKey: v.idempotencyKey } } });
  if (inserted.count === 0) {
    // A launch with this key happened before: its row is the answer. Only an interrupted one (PENDING, and either its
    // call failed or it was left longer than the lease without an answer) is taken up again.
    if (row.status === "FAILED") return { ok: false, discount: row, errors: [{ field: [], message: row.lastError ?? "The launch failed." }] };
    const inFlight = row.lastError === null && now.getTime() - row.updatedAt.getTime() < LAUNCH_LEASE_MS;
    if (row.status !== "PENDING" || inFlight) return { ok: true, discount: row, created: false };
    try {
      const found = await findExisting(client, row);
      if (found) {
        row = await update(db, row, { discountId: found, status: "ACTIVE", lastError: null, updatedAt: now });
        return { ok: true, discount: row, created: false };
      }
      row = await update(db, row, { lastError: null, updatedAt: now });
    } catch (error) {
      return failedCall(db, row, error, now);
    }
  }

  try {
    let nodeId: string | null;
    let userErrors: DiscountUserError[];
    if (row.kind === "code") {
      const data = await client.request<DiscountCodeBxgyCreateData>(DISCOUNT_CODE_BXGY_CREATE, {
        bxgyCodeDiscount: { ...bxgyInput(row), code: row.code, context: contextOf(row) },
      });
      nodeId = data.discountCodeBxgyCreate?.codeDiscountNode?.id ?? null;
      userErrors = data.discountCodeBxgyCreate?.userErrors ?? [];
    } else {
      const data = await client.request<DiscountAutomaticBxgyCreateData>(DISCOUNT_AUTOMATIC_BXGY_CREATE, { automaticBxgyDiscount: { ...bxgyInput(row), context: contextOf(row) } });
      nodeId = data.discountAutomaticBxgyCreate?.automaticDiscountNode?.id ?? null;
      userErrors = data.discountAutomaticBxgyCreate?.userErrors ?? [];
    }
    if (row.kind === "code" && userErrors.some((e) => e.code === "TAKEN")) {
      // The client retries a create whose answer was lost: the code is then taken by this launch's own discount.
      const found = await findExisting(client, row);
      if (found) {
        row = await update(db, row, { discountId: found, status: "ACTIVE", lastError: null, updatedAt: now });
        return { ok: true, discount: row, created: false };
      }
    }
    if (userErrors.length > 0 || !nodeId) {
      const errors = fieldErrors(userErrors);
      const capped = userErrors.some((e) => e.code === "ACTIVE_PERIOD_OVERLAP");
      if (capped) errors.unshift({ field: [], message: CAP_MESSAGE, code: "AUTOMATIC_DISCOUNT_CAP" });
      if (errors.length === 0) errors.push({ field: [], message: "Shopify created no discount and gave no reason." });
      row = await update(db, row, { status: "FAILED", lastError: errors.map((e) => (e.field.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("\n"), updatedAt: now });
      return { ok: false, discount: row, errors };
    }
    row = await update(db, row, { discountId: nodeId, status: "ACTIVE", lastError: null, updatedAt: now });
    return { ok: true, discount: row, created: true };
  } catch (error) {
    return failedCall(db, row, error, now);
  }
}

/** A call that failed without an answer (network, 5xx, retries exhausted): the row stays PENDING so a retry resumes it. */
async function failedCall(db: PrismaClient, row: BundleDiscount, error: unknown, now: Date): Promise<LaunchResult> {
  const message = error instanceof AdminApiError ? error.message : error instanceof Error ? error.message : String(error);
  const saved = await update(db, row, { lastError: message, updatedAt: now });
  const reached = error instanceof AdminApiError && (error.code === "GRAPHQL" || error.code === "HTTP" || error.code === "NO_DATA");
  const what = reached ? `Shopify refused the request: ${message}.` : `Shopify could not be reached: ${message}.`;
  return { ok: false, discount: saved, errors: [{ field: [], message: `${what} Launching again resumes this launch.` }] };
}

/** The discount an interrupted launch may have created, by its code or (automatic) its exact title. */
async function findExisting(client: AdminClient, row: BundleDiscount): Promise<string | null> {
  if (row.kind === "code") {
    const data = await client.request<CodeDiscountNodeByCodeData>(CODE_DISCOUNT_NODE_BY_CODE, { code: row.code });
    const node = data.codeDiscountNodeByCode;
    return node && node.codeDiscount.__typename === "DiscountCodeBxgy" && node.codeDiscount.title === row.title ? node.id : null;
  }
  const query = `method:automatic discount_type:bogo title:${JSON.stringify(row.title)}`;
  const data = await client.request<AutomaticDiscountsByTitleData>(AUTOMATIC_DISCOUNTS_BY_TITLE, { query });
  const node = data.discountNodes.nodes.find((n) => n.discount.__typename === "DiscountAutomaticBxgy" && n.discount.title === row.title);
  // discountNodes answers with DiscountNode ids; the automatic node's id is the same number under its own type.
  return node ? node.id.replace("gid://shopify/DiscountNode/", "gid://shopify/DiscountAutomaticNode/") : null;
}

export type ChangeResult = { ok: true; discount: BundleDiscount } | { ok: false; discount: BundleDiscount | null; errors: FieldError[] };

export interface ChangeArgs {
  shop: string;
  db: PrismaClient;
  client: AdminClient;
  id: string;
}

const gone = (errors: DiscountUserError[]) => errors.some((e) => /does not exist/i.test(e.message));

async function liveRow(db: PrismaClient, shop: string, id: string, allowed: BundleDiscountStatus[]): Promise<BundleDiscount | FieldError[]> {
  const row = await db.bundleDiscount.findUnique({ where: { shop_id: { shop, id } } });
  if (!row) return [{ field: ["id"], message: "There is no such bundle discount in this shop." }];
  if (!row.discountId || !allowed.includes(row.status as BundleDiscountStatus)) {
    return [{ field: ["status"], message: `The bundle discount is ${row.status.toLowerCase().replaceAll("_", " ")}; this change needs it ${allowed.join(" or ").toLowerCase()}.` }];
  }
  return row;
}

/**
 * A mutation on one discount, in its code and its automatic twin: each one's document, the payload field holding its
 * user errors, and (for an update) the name of its input variable.
 */
interface DiscountTwins {
  code: { document: string; payload: string; input?: string };
  automatic: { document: string; payload: string; input?: string };
}

const DEACTIVATE: DiscountTwins = {
  code: { document: DISCOUNT_CODE_DEACTIVATE, payload: "discountCodeDeactivate" },
  automatic: { document: DISCOUNT_AUTOMATIC_DEACTIVATE, payload: "discountAutomaticDeactivate" },
};
const DELETE: DiscountTwins = {
  code: { document: DISCOUNT_CODE_DELETE, payload: "discountCodeDelete" },
  automatic: { document: DISCOUNT_AUTOMATIC_DELETE, payload: "discountAutomaticDelete" },
};
const ACTIVATE: DiscountTwins = {
  code: { document: DISCOUNT_CODE_ACTIVATE, payload: "discountCodeActivate" },
  automatic: { document: DISCOUNT_AUTOMATIC_ACTIVATE, payload: "discountAutomaticActivate" },
};
const UPDATE: DiscountTwins = {
  code: { document: DISCOUNT_CODE_BXGY_UPDATE, payload: "discountCodeBxgyUpdate", input: "bxgyCodeDiscount" },
  automatic: { document: DISCOUNT_AUTOMATIC_BXGY_UPDATE, payload: "discountAutomaticBxgyUpdate", input: "automaticBxgyDiscount" },
};

/** Runs the twin of the row's kind on its discount (with `input` for an update); Shopify's user errors. */
async function onDiscount(client: AdminClient, row: BundleDiscount, twins: DiscountTwins, input?: DiscountBxgyEndInput): Promise<DiscountUserError[]> {
  const twin = twins[row.kind === "code" ? "code" : "automatic"];
  const variables = { id: row.discountId, ...(twin.input && input ? { [twin.input]: input } : {}) };
  const data = await client.request<Record<string, { userErrors: DiscountUserError[] } | null | undefined>>(twin.document, variables);
  return data[twin.payload]?.userErrors ?? [];
}

/** Pause: the discount is deactivated in Shopify. */
export async function pauseBundleDiscount({ shop, db, client, id }: ChangeArgs): Promise<ChangeResult> {
  const row = await liveRow(db, shop, id, ["ACTIVE"]);
  if (Array.isArray(row)) return { ok: false, discount: null, errors: row };
  const userErrors = await onDiscount(client, row, DEACTIVATE);
  return settle(db, row, userErrors, "PAUSED");
}

/** End: the discount is deleted from Shopify; the app keeps the row as ENDED. */
export async function endBundleDiscount({ shop, db, client, id }: ChangeArgs): Promise<ChangeResult> {
  const row = await liveRow(db, shop, id, ["ACTIVE", "PAUSED"]);
  if (Array.isArray(row)) return { ok: false, discount: null, errors: row };
  const userErrors = await onDiscount(client, row, DELETE);
  // Already deleted in Shopify: the end is reached all the same.
  if (gone(userErrors)) return { ok: true, discount: await update(db, row, { status: "ENDED", lastError: null }) };
  return settle(db, row, userErrors, "ENDED");
}

/** Resuming a bundle whose end day has passed (the row's end is the bundle's, not the pause's). */
export const RESUME_PAST_END_MESSAGE = "the bundle's end day has passed: launch it again";

/**
 * Resume: the paused discount is activated again in Shopify, and its dates are read back. An automatic one at the
 * 25-active cap is refused with CAP_MESSAGE. Activating clears the discount's end in Shopify, so a bundle with an end
 * day gets it back through discount*BxgyUpdate (only `endsAt` is sent); a bundle whose end day has passed is not
 * resumed (RESUME_PAST_END_MESSAGE): it would run again for no time at all, or without its end.
 */
export async function resumeBundleDiscount({ shop, db, client, id, now }: ChangeArgs & { now: Date }): Promise<ChangeResult> {
  const row = await liveRow(db, shop, id, ["PAUSED"]);
  if (Array.isArray(row)) return { ok: false, discount: null, errors: row };
  if (row.endsAt && row.endsAt.getTime() <= now.getTime()) return { ok: false, discount: row, errors: [{ field: [], message: RESUME_PAST_END_MESSAGE }] };
  const userErrors = await onDiscount(client, row, ACTIVATE);
  const settled = await settle(db, row, userErrors, "ACTIVE");
  if (!settled.ok) return settled;
  if (row.endsAt) {
    const end: DiscountBxgyEndInput = { endsAt: row.endsAt.toISOString() };
    const endErrors = await onDiscount(client, row, UPDATE, end);
    if (endErrors.length > 0) {
      // Active again in Shopify, but without its end: said on the row, and the row reads Shopify's dates back.
      const [read] = await readBack(db, client, [settled.discount], false);
      const message = `The bundle is active again, but Shopify did not take its end back: ${endErrors.map((e) => e.message).join("; ")}`;
      const saved = read && read.status !== "DELETED_IN_SHOPIFY" ? await update(db, read, { lastError: message }) : (read ?? settled.discount);
      return { ok: false, discount: saved, errors: [...fieldErrors(endErrors), { field: [], message }] };
    }
  }
  const [read] = await readBack(db, client, [settled.discount], false);
  return { ok: true, discount: read ?? settled.discount };
}

/** An automatic discount that counts toward Shopify's cap. */
export interface CappedAutomaticDiscount {
  id: string;
  title: string;
  status: "ACTIVE" | "SCHEDULED";
  startsAt: string | null;
  endsAt: string | null;
}

/** The shop's automatic discounts active now or scheduled (what the 25-active cap counts), soonest end first. */
export async function listCappedAutomaticDiscounts(client: AdminClient): Promise<CappedAutomaticDiscount[]> {
  const data = await client.request<ActiveAutomaticDiscountsData>(ACTIVE_AUTOMATIC_DISCOUNTS);
  const seen = new Set<string>();
  const out: CappedAutomaticDiscount[] = [];
  for (const node of [...data.active.nodes, ...data.scheduled.nodes]) {
    if (seen.has(node.id)) continue;
    seen.add(node.id);
    const d = node.discount;
    out.push({
      id: node.id,
      title: d.title ?? `${d.__typename.replace(/^Discount/, "")} discount`,
      status: d.status === "SCHEDULED" ? "SCHEDULED" : "ACTIVE",
      startsAt: d.startsAt ?? null,
      endsAt: d.endsAt ?? null,
    });
  }
  return out;
}

async function settle(db: PrismaClient, row: BundleDiscount, userErrors: DiscountUserError[], status: BundleDiscountStatus): Promise<ChangeResult> {
  if (userErrors.length === 0) return { ok: true, discount: await update(db, row, { status, lastError: null }) };
  if (gone(userErrors)) {
    const saved = await update(db, row, { status: "DELETED_IN_SHOPIFY", lastError: "The discount was deleted in Shopify." });
    return { ok: false, discount: saved, errors: [{ field: [], message: "The discount was deleted in Shopify." }] };
  }
  const errors = fieldErrors(userErrors);
  if (userErrors.some((e) => e.code === "ACTIVE_PERIOD_OVERLAP")) errors.unshift({ field: [], message: CAP_MESSAGE, code: "AUTOMATIC_DISCOUNT_CAP" });
  const saved = await update(db, row, { lastError: errors.map((e) => e.message).join("\n") });
  return { ok: false, discount: saved, errors };
}

/** The start of a lastError that records a change made in the Shopify admin (not an error). */
export const EDITED_PREFIX = "Edited in Shopify: ";

const seconds = (d: Date | null) => (d === null ? null : Math.floor(d.getTime() / 1000));
const numericId = (gid: string) => gid.replace(/^gid:\/\/shopify\/Product\//, "");
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join(",") === [...b].sort().join(",");

/** Reads the shop's live bundle discounts (or one) back from Shopify and records what changed there. */
export async function syncBundleDiscountStatus({ shop, db, client, id }: { shop: string; db: PrismaClient; client: AdminClient; id?: string }): Promise<BundleDiscount[]> {
  const rows = await db.bundleDiscount.findMany({
    where: { shop, ...(id ? { id } : {}), status: { in: ["ACTIVE", "PAUSED"] }, discountId: { not: null } },
    orderBy: { createdAt: "asc" },
  });
  return readBack(db, client, rows, true);
}

/**
 * Each row's discount as Shopify has it now. With `note`, what differs from the row (a change made in the Shopify
 * admin) is recorded as "Edited in Shopify: …"; a paused row's end is not compared (pausing moved it), and while its
 * discount stays deactivated the row keeps the bundle's end for resume to set back.
 */
async function readBack(db: PrismaClient, client: AdminClient, rows: BundleDiscount[], note: boolean): Promise<BundleDiscount[]> {
  const out: BundleDiscount[] = [];
  for (const row of rows) {
    const data = await client.request<BundleDiscountNodeData>(BUNDLE_DISCOUNT_NODE, { id: row.discountId });
    const discount = data.discountNode?.discount;
    if (!discount) {
      out.push(await update(db, row, { status: "DELETED_IN_SHOPIFY", lastError: "The discount was deleted in Shopify." }));
      continue;
    }
    const status: BundleDiscountStatus = discount.status === "EXPIRED" ? (row.status === "PAUSED" ? "PAUSED" : "ENDED") : "ACTIVE";
    const startsAt = discount.startsAt ? new Date(discount.startsAt) : row.startsAt;
    // A paused bundle keeps its own end: Shopify's is the moment it was paused, and resume sets the bundle's back.
    const pausedOff = row.status === "PAUSED" && status === "PAUSED";
    const endsAt = pausedOff || discount.endsAt === undefined ? row.endsAt : discount.endsAt ? new Date(discount.endsAt) : null;
    const title = discount.title ?? row.title;
    const percentage = discount.customerGets?.value.effect?.percentage;
    const percentOff = typeof percentage === "number" ? Math.round(percentage * 100) : row.percentOff;
    const gets = discount.customerGets?.items.products?.nodes.map((n) => numericId(n.id));
    const buys = discount.customerBuys?.items.products?.nodes.map((n) => numericId(n.id));
    const changes: string[] = [];
    if (title !== row.title) changes.push("title");
    if (seconds(startsAt) !== seconds(row.startsAt)) changes.push("start");
    const deactivated = row.status === "ACTIVE" && status === "ENDED";
    if (row.status !== "PAUSED" && !deactivated && seconds(endsAt) !== seconds(row.endsAt)) changes.push("end");
    if (percentOff !== row.percentOff) changes.push("percentage");
    if (discount.customerGets && (!gets || !sameSet(gets, row.addOnProductIds))) changes.push("add-ons");
    if (discount.customerBuys && (!buys || !sameSet(buys, row.anchorProductIds))) changes.push("products bought");
    const said = [...(changes.length > 0 ? [`${changes.join(", ")} changed`] : []), ...(deactivated ? ["deactivated"] : [])];
    const edited = note && said.length > 0 ? `${EDITED_PREFIX}${said.join("; ")}.` : null;
    out.push(
      await update(db, row, {
        status,
        title,
        startsAt,
        endsAt,
        percentOff,
        ...(gets && gets.length > 0 ? { addOnProductIds: gets } : {}),
        ...(buys && buys.length > 0 ? { anchorProductIds: buys } : {}),
        ...(edited ? { lastError: edited } : {}),
      }),
    );
  }
  return out;
}
