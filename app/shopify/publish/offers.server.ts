/**
 * Publishing a shop's app-owned metafields (ADR 019): what the app wants published is compared, by digest, with what
 * it last wrote (PublishedMetafield); only what changed is written, with `metafieldsSet` in batches of at most 25
 * through the one throttle-aware client (which waits and retries THROTTLED, 429, 5xx and network errors); metafields
 * the app wrote before and wants no more are deleted with `metafieldsDelete`. Each run is a MetafieldPublication row,
 * RUNNING → SUCCEEDED or FAILED, with its counts.
 *
 * Idempotent: a batch's bookkeeping is written right after Shopify accepted the batch, and a batch that failed
 * (userErrors, or an error the client gave up on) leaves its rows as they were, so the next run writes it again.
 * `metafieldsSet` is atomic: when some inputs are refused (userErrors with their elementIndex), the batch is sent once
 * more without them, so one bad value does not hold back the others; the refused ones are counted failed.
 */
import type { MetafieldPublication, PrismaClient } from "@prisma/client";
import { METAFIELD_NAMESPACE, type MetafieldValue } from "../../insights/offers/payload";
import { AdminApiError, type AdminClient } from "../client.server";
import { METAFIELDS_DELETE, type MetafieldIdentifierInput, type MetafieldsDeleteData } from "../graphql/MetafieldsDelete";
import { METAFIELDS_SET, type MetafieldsSetData, type MetafieldsSetInput } from "../graphql/MetafieldsSet";
import { metafieldDigest } from "./digest";

/** Shopify's limit of metafieldsSet inputs per call. */
export const METAFIELDS_PER_BATCH = 25;
/** Error messages kept on the run row. */
const MAX_MESSAGES = 5;

export interface PublicationCounts {
  written: number;
  unchanged: number;
  removed: number;
  failed: number;
}

export interface PublishMetafieldsInput {
  shop: string;
  db: PrismaClient;
  /** The shop's Admin client, or how to get one (a failure to get it is recorded on the run). */
  client: AdminClient | (() => Promise<AdminClient>);
  /** When the run starts (startedAt, publishedAt). */
  now: Date;
  /** When it finishes (finishedAt); defaults to the wall clock. */
  clock?: () => Date;
  /** The widget-settings version published with this run. */
  version: number;
  /**
   * Every metafield the app wants published now, and the owners that no longer exist in Shopify (deleted products:
   * their metafields went with them, so their rows are dropped without a call). Called after the run row exists, so a
   * failure to build them (Shopify unreachable for the shop's id, say) is recorded on the run.
   */
  desired: (client: AdminClient) => Promise<{ metafields: MetafieldValue[]; goneOwners?: readonly string[] }>;
  batchSize?: number;
}

export type PublicationResult = PublicationCounts & { id: string; status: "SUCCEEDED" | "FAILED"; error: string | null };

const keyOf = (ownerId: string, key: string) => `${ownerId}\n${key}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function publishMetafields(input: PublishMetafieldsInput): Promise<PublicationResult> {
  const { shop, db, now, version } = input;
  const clock = input.clock ?? (() => new Date());
  const batchSize = Math.min(input.batchSize ?? METAFIELDS_PER_BATCH, METAFIELDS_PER_BATCH);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be an integer from 1 to ${METAFIELDS_PER_BATCH}`);

  const run = await db.metafieldPublication.create({ data: { shop, status: "RUNNING", startedAt: now, version } });
  const counts: PublicationCounts = { written: 0, unchanged: 0, removed: 0, failed: 0 };
  const messages: string[] = [];
  const note = (message: string) => {
    if (messages.length < MAX_MESSAGES) messages.push(message);
  };
  let fatal: string | null = null;

  try {
    const client = typeof input.client === "function" ? await input.client() : input.client;
    const { metafields: desired, goneOwners = [] } = await input.desired(client);
    const seen = new Set<string>();
    for (const m of desired) {
      const k = keyOf(m.ownerId, m.key);
      if (seen.has(k)) throw new Error(`metafield ${m.key} of ${m.ownerId} is wanted twice`);
      seen.add(k);
    }
    const published = await db.publishedMetafield.findMany({ where: { shop }, select: { ownerId: true, key: true, digest: true } });
    const digestOf = new Map(published.map((p) => [keyOf(p.ownerId, p.key), p.digest]));

    const changed: (MetafieldValue & { digest: string })[] = [];
    for (const m of desired) {
      const digest = metafieldDigest(m.type, m.value);
      if (digestOf.get(keyOf(m.ownerId, m.key)) === digest) counts.unchanged++;
      else changed.push({ ...m, digest });
    }
    const gone = new Set(goneOwners);
    const unwanted = published.filter((p) => !seen.has(keyOf(p.ownerId, p.key)));
    const stale = unwanted.filter((p) => !gone.has(p.ownerId));
    const vanished = unwanted.filter((p) => gone.has(p.ownerId));
    if (vanished.length > 0) {
      await db.publishedMetafield.deleteMany({ where: { shop, ownerId: { in: [...new Set(vanished.map((p) => p.ownerId))] } } });
      counts.removed += vanished.length;
    }

    for (const batch of chunks(changed, batchSize)) {
      const accepted = await setBatch(client, batch, note);
      counts.failed += batch.length - accepted.length;
      if (accepted.length === 0) continue;
      await db.$transaction(
        accepted.map((m) =>
          db.publishedMetafield.upsert({
            where: { shop_ownerId_key: { shop, ownerId: m.ownerId, key: m.key } },
            create: { shop, ownerId: m.ownerId, key: m.key, digest: m.digest, publishedAt: now },
            update: { digest: m.digest, publishedAt: now },
          }),
        ),
      );
      counts.written += accepted.length;
    }

    for (const batch of chunks(stale, batchSize)) {
      const identifiers: MetafieldIdentifierInput[] = batch.map((p) => ({ ownerId: p.ownerId, namespace: METAFIELD_NAMESPACE, key: p.key }));
      const data = await client.request<MetafieldsDeleteData>(METAFIELDS_DELETE, { metafields: identifiers });
      const errors = data.metafieldsDelete?.userErrors ?? [];
      if (!data.metafieldsDelete || errors.length > 0) {
        counts.failed += batch.length;
        note(`metafieldsDelete: ${errors.map((e) => e.message).join("; ") || "no answer"}`);
        continue;
      }
      // A metafield that was already gone (null in the answer) is removed all the same: Shopify holds none of it.
      await db.publishedMetafield.deleteMany({ where: { shop, OR: batch.map((p) => ({ ownerId: p.ownerId, key: p.key })) } });
      counts.removed += batch.length;
    }
  } catch (error) {
    fatal = error instanceof AdminApiError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
  }

  const failed = fatal !== null || counts.failed > 0;
  const error = [fatal, ...messages].filter((m): m is string => m !== null).join(" | ").slice(0, 2000) || null;
  const finished = await db.metafieldPublication.update({
    where: { shop_id: { shop, id: run.id } },
    data: { status: failed ? "FAILED" : "SUCCEEDED", finishedAt: clock(), ...counts, error },
  });
  return { id: finished.id, status: failed ? "FAILED" : "SUCCEEDED", error, ...counts };
}

/**
 * Sends one batch; returns the metafields Shopify wrote. Refused inputs (userErrors naming their element) are noted
 * and the rest sent once more, since metafieldsSet writes nothing when any input is refused.
 */
async function setBatch<T extends MetafieldValue>(client: AdminClient, batch: T[], note: (m: string) => void): Promise<T[]> {
  let pending = batch;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const inputs: MetafieldsSetInput[] = pending.map((m) => ({ ownerId: m.ownerId, namespace: METAFIELD_NAMESPACE, key: m.key, type: m.type, value: m.value }));
    const data = await client.request<MetafieldsSetData>(METAFIELDS_SET, { metafields: inputs });
    const errors = data.metafieldsSet?.userErrors ?? [];
    if (data.metafieldsSet && errors.length === 0) return pending;
    for (const e of errors) {
      const m = typeof e.elementIndex === "number" ? pending[e.elementIndex] : undefined;
      note(m ? `${m.key} of ${m.ownerId}: ${e.message}` : `metafieldsSet: ${e.message}`);
    }
    // No answer, an error naming no element, or refusals again on the second try: nothing of the batch was written.
    if (!data.metafieldsSet || errors.some((e) => typeof e.elementIndex !== "number") || attempt >= 2) return [];
    const refused = new Set(errors.map((e) => e.elementIndex));
    pending = pending.filter((_, i) => !refused.has(i));
  }
  return [];
}

/** The shop's most recent publication, or null before the first. */
export async function readLastPublication(db: PrismaClient, shop: string): Promise<MetafieldPublication | null> {
  return db.metafieldPublication.findFirst({ where: { shop }, orderBy: [{ startedAt: "desc" }, { finishedAt: { sort: "desc", nulls: "first" } }] });
}
