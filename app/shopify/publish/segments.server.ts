/**
 * Publishing app segments to Shopify (issue 12), the Shopify side: customer tags written one customer at a time with
 * `tagsAdd` / `tagsRemove` (Shopify has no bulk tag mutation and no `customer_id IN (…)` segment filter), and the
 * customer segment (`segmentCreate` / `segmentUpdate` / `segmentDelete`) whose query is `customer_tags CONTAINS '<tag>'`.
 * Everything goes through the one throttle-aware client, which waits and retries THROTTLED, 429, 5xx and network errors;
 * what it gives up on is returned as `error` (tags) or thrown (segments) for the caller's bookkeeping.
 *
 * Shopify's user errors are returned as they come, field by field (`field` is the input path Shopify names, e.g.
 * ["name"] for a taken segment name, ["tags"] for a too-long tag or a customer at the 250-tag limit).
 *
 * Idempotent by Shopify's own rules: adding a tag a customer has, or removing one they do not have, changes nothing;
 * deleting a segment that no longer exists is taken as done. Creating a segment is made idempotent by adoption
 * (`createOrAdoptSegment`): when Shopify created it but the answer was lost (the client retried, or the pass crashed
 * before recording it), the retry is refused as a taken name, and the segment of that name whose query is exactly ours
 * is adopted. The query names an app tag that holds the publication's id, so no one else's segment can match.
 */
import type { AdminClient } from "../client.server";
import { SEGMENT_CREATE, type SegmentCreateData } from "../graphql/SegmentCreate";
import { SEGMENT_DELETE, type SegmentDeleteData } from "../graphql/SegmentDelete";
import { SEGMENT_MEMBERS_COUNT, type SegmentMembersCountData } from "../graphql/SegmentMembersCount";
import { SEGMENT_UPDATE, type SegmentUpdateData } from "../graphql/SegmentUpdate";
import { SEGMENTS, type SegmentsData } from "../graphql/Segments";
import { TAGS_ADD, type TagsAddData } from "../graphql/TagsAdd";
import { TAGS_REMOVE, type TagsRemoveData } from "../graphql/TagsRemove";

export interface ShopifyUserError {
  field: string[] | null;
  message: string;
}

/** Shopify's limits on customer tags (the Admin schema's `Customer.tags`). */
export const MAX_TAG_LENGTH = 255;
export const MAX_TAGS_PER_CUSTOMER = 250;

export const customerGid = (customerId: string) => (customerId.startsWith("gid://") ? customerId : `gid://shopify/Customer/${customerId}`);

/** The segment query of the customers carrying `tag`. Tags are app-made ([a-z0-9:-]), so no quoting is needed beyond the quotes. */
export function tagQuery(tag: string): string {
  if (!/^[a-z0-9:-]+$/.test(tag)) throw new RangeError(`an app tag is made of a-z, 0-9, ":" and "-": ${JSON.stringify(tag)}`);
  return `customer_tags CONTAINS '${tag}'`;
}

export interface TagChange {
  customerId: string;
  op: "add" | "remove";
  tags: string[];
}

export interface TagBatchResult {
  /** Changes Shopify made (or found already made). */
  done: TagChange[];
  /** Changes Shopify refused, with its user errors. A removal from a customer who no longer exists counts as done. */
  refused: { change: TagChange; errors: ShopifyUserError[] }[];
  /** The error the client gave up on (5xx, network, …): changes after it were not sent. Null when all were sent. */
  error: unknown;
}

/**
 * Sends the changes, `concurrency` at a time, and says which were made. Never throws: an error the client gave up on
 * stops the batch and is returned with what was done before it, so the caller can record that much.
 */
export async function applyTagChanges(client: AdminClient, changes: readonly TagChange[], { concurrency = 1 }: { concurrency?: number } = {}): Promise<TagBatchResult> {
  const result: TagBatchResult = { done: [], refused: [], error: null };
  let next = 0;
  const worker = async () => {
    while (result.error === null && next < changes.length) {
      const change = changes[next++]!;
      try {
        const errors = await sendChange(client, change);
        if (errors.length === 0) result.done.push(change);
        else result.refused.push({ change, errors });
      } catch (error) {
        if (result.error === null) result.error = error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, changes.length)) }, worker));
  return result;
}

async function sendChange(client: AdminClient, change: TagChange): Promise<ShopifyUserError[]> {
  const variables = { id: customerGid(change.customerId), tags: change.tags };
  if (change.op === "add") {
    const data = await client.request<TagsAddData>(TAGS_ADD, variables);
    if (!data.tagsAdd) return [{ field: null, message: "tagsAdd gave no answer" }];
    return data.tagsAdd.userErrors;
  }
  const data = await client.request<TagsRemoveData>(TAGS_REMOVE, variables);
  if (!data.tagsRemove) return [{ field: null, message: "tagsRemove gave no answer" }];
  const errors = data.tagsRemove.userErrors;
  // The customer is gone from Shopify (deleted, erased): no tag of ours is left on them.
  if (errors.length > 0 && data.tagsRemove.node === null && errors.every((e) => e.field?.[0] === "id")) return [];
  return errors;
}

export type SegmentResult = { ok: true; id: string } | { ok: false; errors: ShopifyUserError[] };

export async function createSegment(client: AdminClient, input: { name: string; query: string }): Promise<SegmentResult> {
  const data = await client.request<SegmentCreateData>(SEGMENT_CREATE, input);
  const payload = data.segmentCreate;
  if (!payload) return { ok: false, errors: [{ field: null, message: "segmentCreate gave no answer" }] };
  if (payload.userErrors.length > 0 || !payload.segment) return { ok: false, errors: payload.userErrors.length > 0 ? payload.userErrors : [{ field: null, message: "no segment was created" }] };
  return { ok: true, id: payload.segment.id };
}

const PAGE = 250;

/** Shopify's "Name has already been taken" on a segment's name. */
export const isNameTaken = (e: ShopifyUserError) => e.field?.[e.field.length - 1] === "name" && /already been taken/i.test(e.message);

/** The shop's segments named `name` (Shopify compares segment names case-insensitively), read page by page. */
export async function segmentsNamed(client: AdminClient, name: string, { pageSize = PAGE }: { pageSize?: number } = {}): Promise<{ id: string; name: string; query: string }[]> {
  const wanted = name.trim().toLowerCase();
  const found: { id: string; name: string; query: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const data: SegmentsData = await client.request<SegmentsData>(SEGMENTS, { first: pageSize, after });
    for (const s of data.segments.nodes) if (s.name.trim().toLowerCase() === wanted) found.push(s);
    if (!data.segments.pageInfo.hasNextPage || !data.segments.pageInfo.endCursor) return found;
    after = data.segments.pageInfo.endCursor;
  }
}

/**
 * Creates the segment, or adopts it when Shopify already has it: on "Name has already been taken", the segment of that
 * name whose query is exactly `input.query` is ours (its create answer was lost) and its id is returned with
 * `adopted: true`. A segment of that name with another query is someone else's: the name error is returned as it came.
 */
export async function createOrAdoptSegment(client: AdminClient, input: { name: string; query: string }, options: { pageSize?: number } = {}): Promise<SegmentResult & { adopted?: boolean }> {
  const created = await createSegment(client, input);
  if (created.ok || !created.errors.some(isNameTaken)) return created;
  const ours = (await segmentsNamed(client, input.name, options)).find((s) => s.query === input.query);
  return ours ? { ok: true, id: ours.id, adopted: true } : created;
}

export async function updateSegment(client: AdminClient, input: { id: string; name?: string; query?: string }): Promise<SegmentResult> {
  const data = await client.request<SegmentUpdateData>(SEGMENT_UPDATE, input);
  const payload = data.segmentUpdate;
  if (!payload) return { ok: false, errors: [{ field: null, message: "segmentUpdate gave no answer" }] };
  if (payload.userErrors.length > 0 || !payload.segment) return { ok: false, errors: payload.userErrors.length > 0 ? payload.userErrors : [{ field: null, message: "no segment was updated" }] };
  return { ok: true, id: payload.segment.id };
}

/** Deletes the segment; one that no longer exists (deleted in the admin, or by an earlier interrupted run) is done too. */
export async function deleteSegment(client: AdminClient, id: string): Promise<{ ok: true } | { ok: false; errors: ShopifyUserError[] }> {
  const data = await client.request<SegmentDeleteData>(SEGMENT_DELETE, { id });
  const payload = data.segmentDelete;
  if (!payload) return { ok: false, errors: [{ field: null, message: "segmentDelete gave no answer" }] };
  if (payload.deletedSegmentId) return { ok: true };
  if (payload.userErrors.every((e) => e.field?.[0] === "id")) return { ok: true };
  return { ok: false, errors: payload.userErrors };
}

/** The number of customers Shopify counts in the segment now. */
export async function segmentMemberCount(client: AdminClient, id: string): Promise<number> {
  const data = await client.request<SegmentMembersCountData>(SEGMENT_MEMBERS_COUNT, { segmentId: id });
  return data.customerSegmentMembers.totalCount;
}
