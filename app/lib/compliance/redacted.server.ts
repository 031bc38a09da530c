/**
 * Customers redacted (customers/redact) or deleted (customers/delete) in a shop, remembered only as one-way hashes so
 * that no write path — webhooks, jobs queued earlier, a full sync — can bring them back. No default database: this is
 * used by the sync and the CLI as well as by the web process.
 */
import { createHash } from "node:crypto";
import type { Prisma, PrismaClient } from "@prisma/client";

type Db = PrismaClient | Prisma.TransactionClient;

/** The RedactedCustomer key of a customer: hex SHA-256 of "<shop>:<customer id>". */
export function customerHash(shop: string, customerId: string): string {
  return createHash("sha256").update(`${shop}:${customerId}`).digest("hex");
}

/** Of these customer ids, the ones redacted (or deleted) in this shop. */
export async function findRedactedCustomerIds(db: Db, shop: string, customerIds: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(customerIds)];
  if (unique.length === 0) return new Set();
  const byHash = new Map(unique.map((id) => [customerHash(shop, id), id]));
  const rows = await db.redactedCustomer.findMany({ where: { shop, customerHash: { in: [...byHash.keys()] } }, select: { customerHash: true } });
  return new Set(rows.map((r) => byHash.get(r.customerHash)!));
}

/**
 * A test for "is this customer redacted?" over the shop's whole (small) list, read once: for writers that see many
 * customers (a sync batch of thousands). Free when the shop never redacted anyone.
 */
export async function redactedCustomerTest(db: Db, shop: string): Promise<(customerId: string) => boolean> {
  const rows = await db.redactedCustomer.findMany({ where: { shop }, select: { customerHash: true } });
  if (rows.length === 0) return () => false;
  const hashes = new Set(rows.map((r) => r.customerHash));
  return (customerId) => hashes.has(customerHash(shop, customerId));
}
