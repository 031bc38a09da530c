/** Import files and the row counts an import leaves, shared by the CLI/import and admin-upload tests. */
import { testDb } from "../support/db";

/** A Shopify orders export: two orders of one customer (emails differ in case), a guest order whose second row has a bad quantity. */
export const SHOPIFY_CSV = [
  "Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Country,Cancelled at,Refunded Amount,Vendor,Id,Source,Lineitem discount",
  "#1001,an.tran@example.com,paid,2025-02-01 10:05:00 +0700,VND,45980000,0,0,45980000,TET2025,1000000,2025-02-01 10:00:00 +0700,1,VietBook 14 Pro,29990000,VB14P,An Tran,VN,,,Viet,6001,web,1000000",
  "#1001,an.tran@example.com,,,,,,,,,,2025-02-01 10:00:00 +0700,2,Chuột không dây,7990000,,,,,,Viet,,,",
  "#1002,,paid,,VND,990000,0,0,990000,,,2025-02-02 09:00:00 +0700,1,Túi chống sốc,990000,BAG-1,,,,,Viet,6002,pos,",
  "#1002,,,,,,,,,,,,one,Túi chống sốc,990000,BAG-1,,,,,,,,",
  "#1003,AN.TRAN@example.com,refunded,,VND,990000,0,0,990000,,,2025-03-01 08:00:00 +0700,1,Túi chống sốc,990000,BAG-1,An Tran,VN,2025-03-02 08:00:00 +0700,990000,Viet,6003,web,",
].join("\n");

/** Rows of each commerce table for the shop (and whether the shop row exists). */
export async function tableCounts(shop: string) {
  const db = testDb();
  const where = { where: { shop } };
  return {
    shops: await db.shop.count({ where: { domain: shop } }),
    orders: await db.order.count(where),
    lines: await db.orderLine.count(where),
    customers: await db.customer.count(where),
    products: await db.product.count(where),
  };
}
