/**
 * What the app stores about one customer, for the two customer compliance webhooks (docs: privacy law compliance).
 *
 * The app stores no names, emails, phones or addresses (ADR 005). About a customer it holds: the Customer row
 * (Shopify's customer id, tags, RFM group, predicted spend tier, locale, country code, marketing consent states), the
 * customer's orders with their lines, and the rows derived from them that later capabilities add (scores, segment
 * memberships, events). Those derived tables register here, in CUSTOMER_DERIVED_DATA, and are then both exported by
 * customers/data_request and erased by customers/redact — one list, so neither can forget one.
 *
 * customers/redact — the choice made here: the Customer row is DELETED, not scrubbed. Orders stay as anonymous
 * aggregates (revenue, baskets, seasonality still count them) with `customerId` set to null, exactly like guest
 * checkouts, so no foreign key breaks and Shopify's customer id is not kept (a scrubbed row with `redactedAt` would have
 * to keep it). The customer's data exports are deleted too. What is kept is a RedactedCustomer row holding a one-way
 * hash of the id: the webhook write paths check it (dropRedactedCustomers), so a delayed webhook or a job queued before
 * the redaction cannot bring the customer back.
 */
import type { Customer, Order, OrderLine, Prisma, PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";
import { customerHash, findRedactedCustomerIds } from "./redacted.server";

type Tx = Prisma.TransactionClient;

export interface CustomerDataSource {
  /** The key of its rows in the export. */
  name: string;
  /** Every row about these customers (and these orders), as JSON-safe values. */
  collect(args: { db: Tx; shop: string; customerIds: string[]; orderIds: string[] }): Promise<unknown[]>;
  /** Deletes those rows; returns how many. */
  erase(args: { db: Tx; shop: string; customerIds: string[]; orderIds: string[] }): Promise<number>;
}

/** Tables derived from a customer's data (scores, segment memberships, events) register here. */
export const CUSTOMER_DERIVED_DATA: CustomerDataSource[] = [
  {
    // Value and RFM scores (app/lib/insights/customer-value.server.ts).
    name: "customerScores",
    collect: ({ db, shop, customerIds }) => db.customerScore.findMany({ where: { shop, customerId: { in: customerIds } } }),
    erase: async ({ db, shop, customerIds }) => (await db.customerScore.deleteMany({ where: { shop, customerId: { in: customerIds } } })).count,
  },
  {
    // Actions that target customers by id (app/lib/insights/actions.server.ts): exported as the action's title and
    // window; redaction takes the ids out of the target and keeps the action (its other targets and verdict stand).
    name: "actionsTargetingCustomer",
    collect: async ({ db, shop, customerIds }) =>
      (await actionsNaming(db, shop, customerIds)).map((a) => ({ id: a.id, title: a.title, kind: a.kind, startsAt: a.startsAt, endsAt: a.endsAt })),
    erase: async ({ db, shop, customerIds }) => {
      const gone = new Set(customerIds);
      const actions = await actionsNaming(db, shop, customerIds);
      for (const a of actions) {
        const target = a.target as { customers?: string[] };
        await db.action.update({
          where: { shop_id: { shop, id: a.id } },
          data: { target: { ...(a.target as object), customers: (target.customers ?? []).filter((c) => !gone.has(c)) } },
        });
      }
      return actions.length;
    },
  },
  {
    // Places in segments published to Shopify (app/lib/segments/publish.server.ts): the rows go, so the customer is never
    // tagged again (the segment definitions also leave redacted customers out). Shopify erases its own customer record.
    name: "segmentMemberships",
    collect: ({ db, shop, customerIds }) =>
      db.segmentMember.findMany({ where: { shop, customerId: { in: customerIds } }, select: { publicationId: true, customerId: true, holdout: true, wanted: true, tagged: true, joinedAt: true, leftAt: true } }),
    erase: async ({ db, shop, customerIds }) => (await db.segmentMember.deleteMany({ where: { shop, customerId: { in: customerIds } } })).count,
  },
];

/** The shop's actions whose target lists any of these customers (a shop has few actions: filtered here). */
async function actionsNaming(db: Tx, shop: string, customerIds: readonly string[]) {
  const wanted = new Set(customerIds);
  const actions = await db.action.findMany({ where: { shop } });
  return actions.filter((a) => ((a.target as { customers?: unknown }).customers as string[] | undefined)?.some((c) => wanted.has(c)));
}

export const EXPORT_FORMAT = "insight-loop/customer-data-export@1";

/** The JSON of a CustomerDataExport row. BigInt money is a string of minor units; times are ISO 8601. */
export interface CustomerDataExportV1 {
  format: typeof EXPORT_FORMAT;
  shop: string;
  generatedAt: string;
  request: { customerId: string | null; ordersRequested: string[]; dataRequestId: string | null };
  notice: string;
  customers: Record<string, unknown>[];
  orders: Record<string, unknown>[];
  derived: Record<string, unknown[]>;
}

const NOTICE =
  "Insight Loop stores no names, email addresses, phone numbers or postal addresses. This is every row it holds about " +
  "the customer: the customer record (Shopify customer id, tags, Shopify's RFM group and predicted spend tier, locale, " +
  "country code, marketing consent states), the customer's orders with their line items, and any rows derived from them.";

/** Dates to ISO strings and BigInts to strings, recursively. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

/** The customers a request is about: its customer id, else the customers of the orders it names. */
async function resolveCustomers(db: Tx, shop: string, customerId: string | null, orderIds: string[]): Promise<string[]> {
  const ids = new Set<string>(customerId ? [customerId] : []);
  if (!customerId && orderIds.length > 0) {
    const orders = await db.order.findMany({ where: { shop, id: { in: orderIds }, customerId: { not: null } }, select: { customerId: true } });
    for (const o of orders) if (o.customerId) ids.add(o.customerId);
  }
  return [...ids];
}

/**
 * customers/data_request: stores a CustomerDataExport with everything held about the customer, for the merchant to
 * download and pass on (Shopify sends the request to the merchant, who answers the customer). An export is stored even
 * when nothing is held: then it says so. Returns the export's id.
 */
export async function exportCustomerData({
  shop,
  customerId,
  ordersRequested = [],
  dataRequestId = null,
  db = defaultPrisma,
  now = new Date(),
}: {
  shop: string;
  customerId: string | null;
  ordersRequested?: string[];
  dataRequestId?: string | null;
  db?: PrismaClient;
  now?: Date;
}): Promise<string | null> {
  return db.$transaction(async (tx) => {
    if ((await tx.shop.count({ where: { domain: shop } })) === 0) return null;
    const customerIds = await resolveCustomers(tx, shop, customerId, ordersRequested);
    const customers: Customer[] = await tx.customer.findMany({ where: { shop, id: { in: customerIds } }, orderBy: { id: "asc" } });
    const orders: (Order & { lines: OrderLine[] })[] = await tx.order.findMany({
      where: { shop, OR: [{ customerId: { in: customerIds } }, { id: { in: ordersRequested } }] },
      include: { lines: { orderBy: { id: "asc" } } },
      orderBy: [{ processedAt: "asc" }, { id: "asc" }],
    });
    const orderIds = orders.map((o) => o.id);
    const derived: Record<string, unknown[]> = {};
    for (const source of CUSTOMER_DERIVED_DATA) {
      derived[source.name] = (await source.collect({ db: tx, shop, customerIds, orderIds })).map(jsonSafe);
    }
    const data: CustomerDataExportV1 = {
      format: EXPORT_FORMAT,
      shop,
      generatedAt: now.toISOString(),
      request: { customerId, ordersRequested, dataRequestId },
      notice: NOTICE,
      customers: customers.map((c) => jsonSafe(c) as Record<string, unknown>),
      orders: orders.map((o) => jsonSafe(o) as Record<string, unknown>),
      derived,
    };
    const row = await tx.customerDataExport.create({
      data: {
        shop,
        customerId: customerId ?? customerIds[0] ?? "unknown",
        dataRequestId,
        createdAt: now,
        data: data as unknown as Prisma.InputJsonValue,
      },
      select: { id: true },
    });
    return row.id;
  });
}

/** The shop's customer data exports, newest first (for the admin). */
export async function listCustomerDataExports({ shop, db = defaultPrisma, take = 50 }: { shop: string; db?: PrismaClient; take?: number }) {
  return db.customerDataExport.findMany({
    where: { shop },
    orderBy: { createdAt: "desc" },
    take,
    select: { id: true, customerId: true, dataRequestId: true, createdAt: true },
  });
}

/** One export's JSON, for download; null when it is not this shop's. */
export async function getCustomerDataExport({ shop, id, db = defaultPrisma }: { shop: string; id: string; db?: PrismaClient }) {
  const row = await db.customerDataExport.findFirst({ where: { shop, id } });
  return row ? (row.data as unknown as CustomerDataExportV1) : null;
}

export { customerHash } from "./redacted.server";

/** Of these customer ids, the ones redacted (or deleted) in this shop. */
export async function redactedCustomerIds({ shop, customerIds, db = defaultPrisma }: { shop: string; customerIds: readonly string[]; db?: PrismaClient | Tx }): Promise<Set<string>> {
  return findRedactedCustomerIds(db, shop, customerIds);
}

export interface RedactionSummary {
  customers: number;
  ordersAnonymised: number;
  derivedRows: number;
  exports: number;
}

/**
 * customers/redact (and customers/delete): the customer's orders become anonymous (customerId null), every derived
 * row and data export of the customer is deleted, and so is the Customer row; the id's hash is remembered
 * (RedactedCustomer). Returns the customer ids it acted on (for the caller to scrub queued copies). Safe to repeat.
 */
export async function redactCustomer({
  shop,
  customerId,
  ordersToRedact = [],
  db = defaultPrisma,
}: {
  shop: string;
  customerId: string | null;
  ordersToRedact?: string[];
  db?: PrismaClient;
}): Promise<RedactionSummary & { customerIds: string[] }> {
  return db.$transaction(async (tx) => {
    const customerIds = await resolveCustomers(tx, shop, customerId, ordersToRedact);
    const orders = await tx.order.findMany({
      where: { shop, OR: [{ customerId: { in: customerIds } }, { id: { in: ordersToRedact } }] },
      select: { id: true },
    });
    const orderIds = orders.map((o) => o.id);
    let derivedRows = 0;
    for (const source of CUSTOMER_DERIVED_DATA) derivedRows += await source.erase({ db: tx, shop, customerIds, orderIds });
    const anonymised = await tx.order.updateMany({
      where: { shop, id: { in: orderIds }, customerId: { not: null } },
      data: { customerId: null },
    });
    // The storefront's visitor id (a random cookie, ADR 019) would link the anonymous orders back to that visitor's
    // events: both go.
    const visitors = await tx.order.findMany({ where: { shop, id: { in: orderIds }, visitorId: { not: null } }, select: { visitorId: true }, distinct: ["visitorId"] });
    if (visitors.length > 0) {
      const visitorIds = visitors.map((v) => v.visitorId!);
      await tx.order.updateMany({ where: { shop, id: { in: orderIds }, visitorId: { not: null } }, data: { visitorId: null } });
      await tx.storefrontEvent.deleteMany({ where: { shop, visitorId: { in: visitorIds } } });
    }
    const exports = await tx.customerDataExport.deleteMany({ where: { shop, customerId: { in: customerIds } } });
    const deleted = await tx.customer.deleteMany({ where: { shop, id: { in: customerIds } } });
    if (customerIds.length > 0 && (await tx.shop.count({ where: { domain: shop } })) > 0) {
      await tx.redactedCustomer.createMany({ data: customerIds.map((id) => ({ shop, customerHash: customerHash(shop, id) })), skipDuplicates: true });
    }
    return { customers: deleted.count, ordersAnonymised: anonymised.count, derivedRows, exports: exports.count, customerIds };
  });
}
