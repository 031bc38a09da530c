/**
 * Factories for database rows: valid by default, every field overridable. Ids are sequential per process so that tests
 * read clearly; money is in minor units.
 */
import type { Prisma, PrismaClient } from "@prisma/client";

let sequence = 0;
const next = () => String(++sequence);

export async function createShop(db: PrismaClient, data: Partial<Prisma.ShopUncheckedCreateInput> = {}) {
  return db.shop.create({
    data: { domain: `shop-${next()}.myshopify.com`, currency: "VND", timezone: "Asia/Ho_Chi_Minh", locale: "vi", ...data },
  });
}

export async function createProduct(db: PrismaClient, shop: string, data: Partial<Prisma.ProductUncheckedCreateInput> = {}) {
  const id = data.id ?? next();
  return db.product.create({ data: { shop, id, title: `Product ${id}`, handle: `product-${id}`, ...data } });
}

export async function createCustomer(db: PrismaClient, shop: string, data: Partial<Prisma.CustomerUncheckedCreateInput> = {}) {
  return db.customer.create({ data: { shop, id: next(), createdAt: new Date("2025-01-01T00:00:00Z"), ...data } });
}

export interface LineInput {
  productId?: string | null;
  title?: string;
  quantity?: number;
  unitPrice: bigint;
}

export async function createOrder(
  db: PrismaClient,
  shop: string,
  { lines = [], ...data }: Partial<Prisma.OrderUncheckedCreateInput> & { lines?: LineInput[] } = {},
) {
  const id = data.id ?? next();
  const subtotal = lines.reduce((sum, l) => sum + l.unitPrice * BigInt(l.quantity ?? 1), 0n);
  const at = new Date("2025-06-01T03:00:00Z");
  const [order] = await db.$transaction([
    db.order.create({
      data: {
        shop,
        id,
        name: `#${1000 + Number(id)}`,
        createdAt: at,
        processedAt: at,
        updatedAt: at,
        currency: "VND",
        subtotal,
        total: subtotal,
        ...data,
      },
    }),
    db.orderLine.createMany({
      data: lines.map((l) => ({
        shop,
        orderId: id,
        id: next(),
        productId: l.productId ?? null,
        title: l.title ?? "Line item",
        quantity: l.quantity ?? 1,
        unitPrice: l.unitPrice,
        isCustom: !l.productId,
      })),
    }),
  ]);
  return order;
}
