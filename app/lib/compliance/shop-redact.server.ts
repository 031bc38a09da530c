/**
 * shop/redact (sent 48 hours after an uninstall, unless the shop reinstalled): every row the app holds for the shop
 * goes. Deleting the Shop row cascades to everything keyed to it; sessions have no foreign key and go explicitly; and,
 * so that a table added later without a cascade cannot keep a shop's rows, every table of the schema with a `shop`
 * column is swept as well. Jobs waiting in the queue for the shop are dropped (JobQueue.purgeShop).
 */
import type { PrismaClient } from "@prisma/client";
import defaultPrisma from "../../db.server";

export interface ShopRedactionSummary {
  shops: number;
  sessions: number;
  /** Rows removed by the sweep after the cascade, per table (normally none). */
  swept: Record<string, number>;
}

export async function redactShop({ shop, db = defaultPrisma }: { shop: string; db?: PrismaClient }): Promise<ShopRedactionSummary> {
  return db.$transaction(async (tx) => {
    const sessions = await tx.session.deleteMany({ where: { shop } });
    const shops = await tx.shop.deleteMany({ where: { domain: shop } });
    const tables = await tx.$queryRawUnsafe<{ table: string }[]>(
      `SELECT c.table_name::text AS "table" FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND c.column_name = 'shop' AND t.table_type = 'BASE TABLE'
       ORDER BY c.table_name`,
    );
    const swept: Record<string, number> = {};
    for (const { table } of tables) {
      const n = await tx.$executeRawUnsafe(`DELETE FROM "${table.replaceAll('"', '""')}" WHERE "shop" = $1`, shop);
      if (n > 0) swept[table] = n;
    }
    return { shops: shops.count, sessions: sessions.count, swept };
  });
}
