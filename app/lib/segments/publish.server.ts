/**
 * Segments to Shopify (issue 12): an app segment (definitions.server.ts) published as customer tags and a Shopify
 * customer segment, with a randomized holdout, kept in sync after each insights recompute, and unpublished without
 * leaving a tag behind.
 *
 * Tags (`publicationTags`): `insight-loop:<slug>-<id8>` for the members who get the campaign and
 * `insight-loop:holdout-<slug>-<id8>` for the held-out ones, where <slug> is the segment in at most 40 characters of
 * [a-z0-9-] and <id8> the first 8 hex digits of the publication id (so two publications of one segment never share a
 * tag). At most 70 characters, far under Shopify's 255; lowercase, since Shopify compares tags case-insensitively. The
 * treatment segment's query is `customer_tags CONTAINS '<tag>'`; with a holdout, a second segment
 * "<name> (holdout — do not send)" holds `customer_tags CONTAINS '<holdout tag>'` so the merchant can see who is held out.
 *
 * Bookkeeping (SegmentMember, one row per customer who was ever in the publication): `holdout` is drawn once when the
 * customer first joins (app/insights/segments/holdout.ts, salted with the publication id) and never changes; `atLaunch`
 * is set on the members wanted when the first pass completes (the moment publishedAt is set, in the same transaction)
 * and never changes either: it is the campaign's intention-to-treat cohort, whoever leaves or rejoins later; each
 * member carries one tag, the one of their arm. `wanted`: in the segment now. `tagged`: Shopify MAY carry the member's
 * tag. The invariant that makes unpublishing complete — a customer can carry our tag only if their row is wanted or
 * tagged — holds through every interruption:
 * - an add in flight is on a wanted row; a row is marked tagged only after Shopify answered;
 * - a removal in flight is on a tagged row; it is marked untagged only after Shopify answered;
 * - a member who leaves before their add was confirmed is marked tagged (unsure), so a removal is sent all the same.
 * A pass sends the adds (wanted, not tagged) and removals (not wanted, tagged) in batches, recording each batch as
 * Shopify answers it: a 5xx the client gave up on, or a restart, leaves the rows as far as they got, and the next pass
 * (the job's retry, or the Retry on the Background work page) continues from them. Progress is tagsDone / tagsTotal.
 *
 * Jobs: one `segments.sync` job per shop at a time (keyed by shop); it works until no publication of the shop is
 * PUBLISHING or UNPUBLISHING, re-reading the status between batches, so an unpublish asked for during a publish pass
 * is carried out by the running job (whose key would refuse a second one).
 */
import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient, SegmentPublication } from "@prisma/client";
import { z } from "zod";
import defaultPrisma from "../../db.server";
import { DEFAULT_SEGMENT_HOLDOUT_SHARE, isHeldOut, MAX_SEGMENT_HOLDOUT_SHARE } from "../../insights/segments/holdout";
import { localDay } from "../../insights/trends/series";
import { JOB } from "../../jobs/names";
import type { JobQueue } from "../../jobs/types";
import { offlineAdminClient } from "../../shopify.server";
import { AdminApiError, type AdminClient } from "../../shopify/client.server";
import {
  applyTagChanges,
  createOrAdoptSegment,
  deleteSegment,
  MAX_TAG_LENGTH,
  tagQuery,
  type ShopifyUserError,
  type TagChange,
} from "../../shopify/publish/segments.server";
import { accessMessage, missingAccess } from "../access-scopes";
import { ActionError } from "../insights/action-error";
import { createAction } from "../insights/actions.server";
import { RFM_GROUPS } from "../../insights/clv/rfm";
import { definitionProblem, LTV_TIERS, parseSegmentDefinition, SegmentDefinition, segmentLabel, segmentMemberIds, segmentSlug } from "./definitions.server";

export const TAG_PREFIX = "insight-loop:";
export const HOLDOUT_SEGMENT_SUFFIX = " (holdout — do not send)";
/** Members sent to Shopify per recorded batch. */
export const TAG_BATCH = 50;
export const CAMPAIGN_METRICS = ["orders-per-customer", "revenue-per-customer"] as const;
export const DEFAULT_EVALUATION_DAYS = 30;
/** Shopify's segment names are at most 255 characters; the holdout segment's name adds the suffix. */
export const MAX_NAME_LENGTH = 200;
/** Refused changes kept in lastError. */
const MAX_NOTES = 5;

export type PublicationStatus = "PUBLISHING" | "PUBLISHED" | "UNPUBLISHING" | "UNPUBLISHED" | "FAILED";

/** The tags of a publication: the treated members' and, with a holdout, the held-out members'. */
export function publicationTags(publicationId: string, definition: SegmentDefinition, holdout: boolean): { tag: string; holdoutTag: string | null } {
  const id8 = publicationId.replace(/[^0-9a-f]/gi, "").slice(0, 8).toLowerCase();
  const slug = segmentSlug(definition);
  const tag = `${TAG_PREFIX}${slug}-${id8}`;
  const holdoutTag = holdout ? `${TAG_PREFIX}holdout-${slug}-${id8}` : null;
  for (const t of [tag, holdoutTag]) if (t && t.length > MAX_TAG_LENGTH) throw new RangeError(`tag ${t} is longer than ${MAX_TAG_LENGTH} characters`);
  return { tag, holdoutTag };
}

// ---------------------------------------------------------------------------------------------------------------------
// The form

/** A segment as one form value: `rfm:CHAMPIONS`, `ltv:top`, `slipping`, `compared:<by>:<segment>` (URI-encoded parts). */
export function definitionKey(d: SegmentDefinition): string {
  switch (d.kind) {
    case "rfm":
      return `rfm:${d.group}`;
    case "ltv-tier":
      return `ltv:${d.tier}`;
    case "slipping":
      return "slipping";
    case "compared":
      return `compared:${encodeURIComponent(d.by)}:${encodeURIComponent(d.segment)}`;
  }
}

export function parseDefinitionKey(key: string): SegmentDefinition | null {
  const [kind, a, b] = key.split(":");
  let candidate: unknown = null;
  try {
    if (kind === "rfm") candidate = { kind: "rfm", group: a };
    else if (kind === "ltv") candidate = { kind: "ltv-tier", tier: a };
    else if (kind === "slipping" && a === undefined) candidate = { kind: "slipping" };
    else if (kind === "compared" && a !== undefined && b !== undefined) candidate = { kind: "compared", by: decodeURIComponent(a), segment: decodeURIComponent(b) };
  } catch {
    return null;
  }
  const parsed = SegmentDefinition.safeParse(candidate);
  return parsed.success ? parsed.data : null;
}

const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const num = (v: unknown) => {
  const b = blank(v);
  return typeof b === "string" ? Number(b.trim()) : b;
};

export const PublishInput = z.object({
  segment: z.preprocess(
    blank,
    z
      .string({ error: "choose the segment to publish" })
      .transform((key, ctx) => {
        const d = parseDefinitionKey(key);
        if (!d) {
          ctx.addIssue({ code: "custom", message: "choose the segment to publish" });
          return z.NEVER;
        }
        return d;
      }),
  ),
  name: z.preprocess(blank, z.string().trim().max(MAX_NAME_LENGTH, `the name is at most ${MAX_NAME_LENGTH} characters`).optional()),
  holdoutShare: z.preprocess(
    num,
    z
      .number({ error: "the holdout share must be a number from 0 to 0.5" })
      .min(0, "the holdout share must be 0 or more")
      .max(MAX_SEGMENT_HOLDOUT_SHARE, `the holdout share is at most ${MAX_SEGMENT_HOLDOUT_SHARE * 100} %`)
      .default(DEFAULT_SEGMENT_HOLDOUT_SHARE),
  ),
  metric: z.preprocess(blank, z.enum(CAMPAIGN_METRICS, { error: `choose the campaign's metric before publishing (${CAMPAIGN_METRICS.join(", ")})` })),
  goalPercent: z.preprocess(
    num,
    z
      .number({ error: "the goal is required: the smallest lift over the holdout, in %, that counts as success" })
      .gt(0, "the goal must be above 0 %")
      .max(1000, "the goal is at most 1000 %"),
  ),
  evaluationDays: z.preprocess(
    num,
    z
      .number({ error: "the evaluation window must be a number of days" })
      .int("the evaluation window is whole days")
      .min(1, "the evaluation window is at least 1 day")
      .max(365, "the evaluation window is at most 365 days")
      .default(DEFAULT_EVALUATION_DAYS),
  ),
});
export type PublishInput = z.infer<typeof PublishInput>;

/** An error for one field of the publish form (`form` when it belongs to none). */
export interface FieldError {
  field: "segment" | "name" | "holdoutShare" | "metric" | "goalPercent" | "evaluationDays" | "form";
  message: string;
}

export type PublishResult = { ok: true; publication: SegmentPublication } | { ok: false; errors: FieldError[] };

const FORM_FIELDS = new Set<FieldError["field"]>(["segment", "name", "holdoutShare", "metric", "goalPercent", "evaluationDays"]);

/** Shopify's user errors as form errors: a segment's `name` is the form's name, its `query` the chosen segment. */
export function formErrorsOf(errors: readonly ShopifyUserError[], prefix = ""): FieldError[] {
  return errors.map((e) => {
    const last = e.field?.[e.field.length - 1];
    const field: FieldError["field"] = last === "name" ? "name" : last === "query" ? "segment" : last === "tags" ? "name" : "form";
    return { field, message: `${prefix}${e.message}` };
  });
}

interface Deps {
  shop: string;
  db?: PrismaClient;
  now?: Date;
  /** The shop's Admin client; by default one on its offline session. */
  client?: AdminClient;
  queue?: JobQueue;
}

/** Why the shop's offline session cannot tag customers, or null when it can. */
async function whyNoAccess(db: PrismaClient, shop: string): Promise<string | null> {
  const session = await db.session.findFirst({ where: { shop, isOnline: false }, select: { scope: true } });
  if (!session) return "the shop has no offline session";
  const lack = missingAccess("segments", session.scope);
  return lack ? accessMessage(lack) : null;
}

async function offlineClient(shop: string): Promise<AdminClient> {
  const client = await offlineAdminClient(shop);
  if (!client) throw new Error(`the offline session of ${shop} has no access token`);
  return client;
}

/** Queues the shop's segment work (one job per shop at a time; it does every publication that has work). */
export async function requestSegmentSync({ shop, queue }: { shop: string; queue: JobQueue }): Promise<void> {
  await queue.enqueue(JOB.segmentsSync, {}, { shop, singletonKey: `segments/${shop}` });
}

/**
 * Publishes an app segment: checks the form, records the publication and its campaign Action (metric, goal and window
 * fixed now, before anything is sent), creates the Shopify segment(s) at once so that Shopify's user errors (a taken
 * name) come back on the form by field, and queues the tagging. On a user error nothing is kept (rows, Action and any
 * segment already created are removed). When Shopify cannot be reached, the job creates the segments later.
 */
export async function publishSegment({ shop, db = defaultPrisma, now = new Date(), client, queue, input }: Deps & { input: unknown }): Promise<PublishResult> {
  const parsed = PublishInput.safeParse(input);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => ({ field: FORM_FIELDS.has(i.path[0] as FieldError["field"]) ? (i.path[0] as FieldError["field"]) : "form", message: i.message })) };
  }
  const p = parsed.data;
  const problem = await definitionProblem(db, shop, p.segment);
  if (problem) return { ok: false, errors: [{ field: "segment", message: problem }] };
  const name = p.name ?? segmentLabel(p.segment);
  if (!client) {
    const missing = await whyNoAccess(db, shop);
    if (missing) return { ok: false, errors: [{ field: "form", message: missing }] };
  }
  const taken = await db.segmentPublication.findFirst({ where: { shop, name: { equals: name, mode: "insensitive" }, status: { notIn: ["UNPUBLISHED"] } }, select: { id: true } });
  if (taken) return { ok: false, errors: [{ field: "name", message: "Name has already been taken by another published segment" }] };

  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { timezone: true } });
  if (!shopRow) throw new ActionError(`unknown shop ${shop}`, 404);
  const id = randomUUID();
  const { tag, holdoutTag } = publicationTags(id, p.segment, p.holdoutShare > 0);
  let actionId: string;
  try {
    const action = await createAction({
      db,
      shop,
      now,
      input: {
        kind: "campaign",
        title: `Campaign to ${name}`,
        publication: id,
        start: localDay(now, shopRow.timezone),
        metric: p.metric,
        goalValue: p.goalPercent / 100,
        goalDirection: "increase",
        evaluationDays: p.evaluationDays,
        note: `Judged against the randomized holdout (${Math.round(p.holdoutShare * 1000) / 10} % of the segment, tag ${holdoutTag ?? "none"}).`,
      },
    });
    actionId = action.id;
  } catch (error) {
    if (error instanceof ActionError) return { ok: false, errors: [{ field: "form", message: error.message }] };
    throw error;
  }
  let publication = await db.segmentPublication.create({
    data: {
      shop,
      id,
      definition: p.segment as unknown as Prisma.InputJsonValue,
      name,
      tag,
      holdoutTag,
      holdoutShare: p.holdoutShare,
      actionId,
      status: "PUBLISHING",
      createdAt: now,
    },
  });

  const discard = async () => {
    await db.segmentPublication.deleteMany({ where: { shop, id } });
    await db.action.deleteMany({ where: { shop, id: actionId } });
  };
  try {
    const admin = client ?? (await offlineClient(shop));
    const created = await createSegments(admin, publication);
    if (!created.ok) {
      for (const segmentId of created.made) await deleteSegment(admin, segmentId).catch(() => undefined);
      await discard();
      return { ok: false, errors: created.errors };
    }
    publication = await db.segmentPublication.update({ where: { shop_id: { shop, id } }, data: { segmentId: created.segmentId, holdoutSegmentId: created.holdoutSegmentId } });
  } catch (error) {
    // Shopify out of reach (after the client's retries): the job creates the segments.
    await db.segmentPublication.update({ where: { shop_id: { shop, id } }, data: { lastError: errorText(error) } });
  }
  if (queue) await requestSegmentSync({ shop, queue });
  return { ok: true, publication };
}

type Created = { ok: true; segmentId: string; holdoutSegmentId: string | null } | { ok: false; errors: FieldError[]; made: string[] };

/**
 * Creates the publication's missing Shopify segments. One that Shopify made but whose answer was lost (the client's
 * retry, or a pass that crashed before recording it) comes back as a taken name and is adopted: its query names our
 * tag. An adopted segment counts as made here, so a form error later in this call removes it too.
 */
async function createSegments(client: AdminClient, pub: SegmentPublication): Promise<Created> {
  const made: string[] = [];
  let segmentId = pub.segmentId;
  if (!segmentId) {
    const r = await createOrAdoptSegment(client, { name: pub.name, query: tagQuery(pub.tag) });
    if (!r.ok) return { ok: false, errors: formErrorsOf(r.errors), made };
    segmentId = r.id;
    made.push(r.id);
  }
  let holdoutSegmentId = pub.holdoutSegmentId;
  if (pub.holdoutTag && !holdoutSegmentId) {
    const r = await createOrAdoptSegment(client, { name: `${pub.name}${HOLDOUT_SEGMENT_SUFFIX}`, query: tagQuery(pub.holdoutTag) });
    if (!r.ok) return { ok: false, errors: formErrorsOf(r.errors, "Holdout segment: "), made };
    holdoutSegmentId = r.id;
    made.push(r.id);
  }
  return { ok: true, segmentId, holdoutSegmentId };
}

const errorText = (error: unknown) => (error instanceof AdminApiError ? error.message : `${(error as Error).name}: ${(error as Error).message}`).slice(0, 2000);

/** Asks for the publication to be unpublished: its tags removed from every customer and its segments deleted. */
export async function unpublishSegment({ shop, db = defaultPrisma, queue, id, now = new Date() }: Deps & { id: string }): Promise<SegmentPublication> {
  const pub = await db.segmentPublication.findUnique({ where: { shop_id: { shop, id } } });
  if (!pub) throw new ActionError(`no published segment ${id} in this shop`, 404);
  if (pub.status === "UNPUBLISHED") return pub;
  const updated = await db.segmentPublication.update({ where: { shop_id: { shop, id } }, data: { status: "UNPUBLISHING", lastError: null, updatedAt: now } });
  if (queue) await requestSegmentSync({ shop, queue });
  return updated;
}

/** After a recompute: every PUBLISHED publication of the shop goes through a pass again (members who left lose the tag). */
export async function resyncPublishedSegments({ shop, db = defaultPrisma, queue }: { shop: string; db?: PrismaClient; queue?: JobQueue }): Promise<number> {
  const { count } = await db.segmentPublication.updateMany({ where: { shop, status: "PUBLISHED" }, data: { status: "PUBLISHING" } });
  const pending = await db.segmentPublication.count({ where: { shop, status: { in: ["PUBLISHING", "UNPUBLISHING"] } } });
  if (queue && pending > 0) await requestSegmentSync({ shop, queue });
  return count;
}

// ---------------------------------------------------------------------------------------------------------------------
// The passes

export interface SyncOutcome {
  /** Publications brought to PUBLISHED, UNPUBLISHED or FAILED by this run. */
  finished: { id: string; status: PublicationStatus; lastError: string | null }[];
  skipped?: string;
}

/**
 * The `segments.sync` job: works through every publication of the shop that is PUBLISHING or UNPUBLISHING until none
 * is left. An error the client gave up on (a 5xx, the network) is recorded on the publication and thrown, so the job
 * is retried; the retry continues from the rows.
 */
export async function syncSegmentPublications({ shop, db = defaultPrisma, now = new Date(), client, batchSize = TAG_BATCH }: Deps & { batchSize?: number }): Promise<SyncOutcome> {
  const outcome: SyncOutcome = { finished: [] };
  if (!(await db.shop.findUnique({ where: { domain: shop }, select: { domain: true } }))) return { ...outcome, skipped: "the shop is not installed" };
  let admin = client;
  if (!admin) {
    const missing = await whyNoAccess(db, shop);
    if (missing) {
      await db.segmentPublication.updateMany({ where: { shop, status: { in: ["PUBLISHING", "UNPUBLISHING"] } }, data: { lastError: missing } });
      return { ...outcome, skipped: missing };
    }
    admin = await offlineClient(shop);
  }
  for (let guard = 0; guard < 1000; guard++) {
    const pub = await db.segmentPublication.findFirst({ where: { shop, status: { in: ["UNPUBLISHING", "PUBLISHING"] } }, orderBy: [{ status: "desc" }, { createdAt: "asc" }] });
    if (!pub) return outcome;
    try {
      const done = pub.status === "UNPUBLISHING" ? await unpublishPass(db, admin, pub, now, batchSize) : await publishPass(db, admin, pub, now, batchSize);
      if (done) outcome.finished.push(done);
    } catch (error) {
      await db.segmentPublication.update({ where: { shop_id: { shop, id: pub.id } }, data: { lastError: errorText(error) } });
      throw error;
    }
  }
  return outcome;
}

/** The last pass of this status stopped on an error part-way: the next one continues its count. */
const interrupted = (pub: SegmentPublication) => pub.lastError !== null && pub.tagsTotal > 0 && pub.tagsDone < pub.tagsTotal;

const armTag = (pub: SegmentPublication, holdout: boolean) => (holdout ? pub.holdoutTag : pub.tag);

/** Brings the members up to date with the segment now: new members drawn once, leavers marked (see the invariant). */
async function recomputeMembers(db: PrismaClient, pub: SegmentPublication, now: Date): Promise<number> {
  const { shop, id } = pub;
  const definition = parseSegmentDefinition(pub.definition);
  const wanted = new Set(await segmentMemberIds(db, shop, definition));
  const rows = await db.segmentMember.findMany({ where: { shop, publicationId: id }, select: { customerId: true, wanted: true, tagged: true } });
  const known = new Map(rows.map((r) => [r.customerId, r]));
  const joiners = [...wanted].filter((c) => !known.has(c));
  const rejoiners = rows.filter((r) => !r.wanted && wanted.has(r.customerId)).map((r) => r.customerId);
  const leaversUnsure = rows.filter((r) => r.wanted && !r.tagged && !wanted.has(r.customerId)).map((r) => r.customerId);
  const leavers = rows.filter((r) => r.wanted && !wanted.has(r.customerId)).map((r) => r.customerId);
  for (const part of chunks(joiners, 1000)) {
    await db.segmentMember.createMany({
      data: part.map((customerId) => ({ shop, publicationId: id, customerId, holdout: pub.holdoutTag !== null && isHeldOut(id, customerId, pub.holdoutShare), wanted: true, tagged: false, joinedAt: now })),
      skipDuplicates: true,
    });
  }
  // A rejoiner starts a new spell (joinedAt); their draw and atLaunch stay as they were.
  for (const part of chunks(rejoiners, 1000)) await db.segmentMember.updateMany({ where: { shop, publicationId: id, customerId: { in: part } }, data: { wanted: true, leftAt: null, joinedAt: now } });
  // A leaver whose add was never confirmed may carry the tag (an answer lost): marked tagged so a removal is sent.
  for (const part of chunks(leaversUnsure, 1000)) await db.segmentMember.updateMany({ where: { shop, publicationId: id, customerId: { in: part } }, data: { tagged: true } });
  for (const part of chunks(leavers, 1000)) await db.segmentMember.updateMany({ where: { shop, publicationId: id, customerId: { in: part } }, data: { wanted: false, leftAt: now } });
  return wanted.size;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const pendingWhere = (shop: string, publicationId: string): Prisma.SegmentMemberWhereInput => ({
  shop,
  publicationId,
  OR: [
    { wanted: true, tagged: false },
    { wanted: false, tagged: true },
  ],
});

/**
 * Sends the pending tag changes of a publication in batches and records each. Returns the refused changes' notes, or
 * null when the publication's status changed meanwhile (the pass stops; the job picks the new status up).
 */
async function tagPass(db: PrismaClient, client: AdminClient, pub: SegmentPublication, batchSize: number, expected: PublicationStatus, resume: boolean): Promise<{ notes: string[]; refused: number } | null> {
  const { shop, id } = pub;
  const remaining = await db.segmentMember.count({ where: pendingWhere(shop, id) });
  // A pass that resumes an interrupted one keeps counting where it was; a new pass starts at zero.
  const tagsDone = resume ? Math.min(pub.tagsDone, pub.tagsTotal) : 0;
  await db.segmentPublication.update({ where: { shop_id: { shop, id } }, data: { tagsDone, tagsTotal: tagsDone + remaining } });
  const notes: string[] = [];
  let refused = 0;
  let cursor = "";
  for (;;) {
    const still = await db.segmentPublication.findUnique({ where: { shop_id: { shop, id } }, select: { status: true } });
    if (still?.status !== expected) return null;
    const batch = await db.segmentMember.findMany({
      where: { ...pendingWhere(shop, id), customerId: { gt: cursor } },
      orderBy: { customerId: "asc" },
      take: batchSize,
      select: { customerId: true, holdout: true, wanted: true },
    });
    if (batch.length === 0) return { notes, refused };
    cursor = batch[batch.length - 1]!.customerId;
    const changes: TagChange[] = batch.flatMap((m) => {
      const tag = armTag(pub, m.holdout);
      return tag ? [{ customerId: m.customerId, op: m.wanted ? ("add" as const) : ("remove" as const), tags: [tag] }] : [];
    });
    const result = await applyTagChanges(client, changes);
    const added = result.done.filter((c) => c.op === "add").map((c) => c.customerId);
    const removed = result.done.filter((c) => c.op === "remove").map((c) => c.customerId);
    await db.$transaction([
      db.segmentMember.updateMany({ where: { shop, publicationId: id, customerId: { in: added } }, data: { tagged: true } }),
      db.segmentMember.updateMany({ where: { shop, publicationId: id, customerId: { in: removed } }, data: { tagged: false } }),
      db.segmentPublication.update({ where: { shop_id: { shop, id } }, data: { tagsDone: { increment: result.done.length + result.refused.length } } }),
    ]);
    for (const r of result.refused) {
      refused++;
      if (notes.length < MAX_NOTES) notes.push(`customer ${r.change.customerId}: ${r.errors.map((e) => e.message).join("; ")}`);
    }
    if (result.error) throw result.error;
  }
}

async function publishPass(db: PrismaClient, client: AdminClient, pub: SegmentPublication, now: Date, batchSize: number) {
  const { shop, id } = pub;
  const members = await recomputeMembers(db, pub, now);
  await db.segmentPublication.update({ where: { shop_id: { shop, id } }, data: { membersWanted: members } });
  const resume = interrupted(pub);
  const tagged = await tagPass(db, client, pub, batchSize, "PUBLISHING", resume);
  if (!tagged) return null;
  const created = await createSegments(client, await db.segmentPublication.findUniqueOrThrow({ where: { shop_id: { shop, id } } }));
  if (!created.ok) {
    // The name taken since by a segment with another query (ours, lost in flight, is adopted): the publication cannot finish.
    const lastError = created.errors.map((e) => e.message).join("; ");
    const { count } = await db.segmentPublication.updateMany({ where: { shop, id, status: "PUBLISHING" }, data: { status: "FAILED", lastError, ...(created.made[0] ? { segmentId: created.made[0] } : {}) } });
    return count > 0 ? { id, status: "FAILED" as const, lastError } : null;
  }
  const lastError = tagged.refused > 0 ? `${tagged.refused} customer(s) could not be tagged: ${tagged.notes.join(" | ")}`.slice(0, 2000) : null;
  // The first completed pass is the launch: in one transaction, the members wanted now are marked atLaunch (the
  // campaign's cohort, never changed afterwards) and publishedAt is set. Both are guarded by "still PUBLISHING and
  // never published", so a later pass, or an unpublish asked for meanwhile, marks no one.
  const firstTime = { status: "PUBLISHING", publishedAt: null } as const;
  const [, { count }] = await db.$transaction([
    db.segmentMember.updateMany({ where: { shop, publicationId: id, wanted: true, publication: firstTime }, data: { atLaunch: true } }),
    db.segmentPublication.updateMany({
      where: { shop, id, status: "PUBLISHING" },
      data: { status: "PUBLISHED", segmentId: created.segmentId, holdoutSegmentId: created.holdoutSegmentId, lastError, publishedAt: pub.publishedAt ?? now },
    }),
  ]);
  return count > 0 ? { id, status: "PUBLISHED" as const, lastError } : null;
}

async function unpublishPass(db: PrismaClient, client: AdminClient, pub: SegmentPublication, now: Date, batchSize: number) {
  const { shop, id } = pub;
  // Everyone leaves; a member whose add was never confirmed may carry the tag: marked so that a removal is sent.
  await db.$transaction([
    db.segmentMember.updateMany({ where: { shop, publicationId: id, wanted: true, tagged: false }, data: { tagged: true } }),
    db.segmentMember.updateMany({ where: { shop, publicationId: id, wanted: true }, data: { wanted: false, leftAt: now } }),
  ]);
  const resume = interrupted(pub);
  const untagged = await tagPass(db, client, pub, batchSize, "UNPUBLISHING", resume);
  if (!untagged) return null;
  if (untagged.refused > 0) {
    // Tags Shopify refused to remove stay recorded (tagged): the next pass tries again.
    throw new Error(`${untagged.refused} customer(s) kept the tag: ${untagged.notes.join(" | ")}`);
  }
  for (const segmentId of [pub.segmentId, pub.holdoutSegmentId]) {
    if (!segmentId) continue;
    const r = await deleteSegment(client, segmentId);
    if (!r.ok) throw new Error(`segmentDelete: ${r.errors.map((e) => e.message).join("; ")}`);
  }
  const { count } = await db.segmentPublication.updateMany({
    where: { shop, id, status: "UNPUBLISHING" },
    data: { status: "UNPUBLISHED", segmentId: null, holdoutSegmentId: null, unpublishedAt: now, lastError: null, membersWanted: 0 },
  });
  return count > 0 ? { id, status: "UNPUBLISHED" as const, lastError: null } : null;
}

// ---------------------------------------------------------------------------------------------------------------------
// Reading

/** The shop's publications, newest first. */
export async function listPublications({ shop, db = defaultPrisma }: { shop: string; db?: PrismaClient }) {
  return db.segmentPublication.findMany({ where: { shop }, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
}

/** The choices of the publish form's segment picker (RFM groups, LTV tiers, slipping away, compared segments). */
export function rfmChoices() {
  return RFM_GROUPS.map((group) => ({ kind: "rfm" as const, group }));
}
export function ltvChoices() {
  return LTV_TIERS.map((tier) => ({ kind: "ltv-tier" as const, tier }));
}
