/**
 * Marketing spend the merchant enters per month (and channel): the input of acquisition cost (CAC), LTV:CAC and
 * payback (app/insights/clv/cac.ts, computed with customer value). Amounts arrive as decimals in the shop's currency
 * and are stored in minor units; a month and channel entered again replace the earlier amount.
 */
import type { PrismaClient } from "@prisma/client";
import { z } from "zod";
import defaultPrisma from "../../db.server";
import { MoneyError, toMinorUnits } from "../../insights/money";

export const SpendInput = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "month must be YYYY-MM"),
  channel: z
    .string()
    .trim()
    .max(60, "channel is at most 60 characters")
    .transform((c) => (c === "" ? "all" : c.toLowerCase())),
  amount: z.string().trim().min(1, "amount is required"),
});

export class SpendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SpendError";
  }
}

/** Validates and stores one month's spend for the shop; returns the stored row's key. */
export async function recordMarketingSpend({ shop, input, db = defaultPrisma }: { shop: string; input: unknown; db?: PrismaClient }) {
  const parsed = SpendInput.safeParse(input);
  if (!parsed.success) throw new SpendError(parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "));
  const shopRow = await db.shop.findUnique({ where: { domain: shop }, select: { currency: true } });
  if (!shopRow) throw new SpendError(`unknown shop ${shop}`);
  let amount: number;
  try {
    amount = toMinorUnits(parsed.data.amount, shopRow.currency);
  } catch (error) {
    if (error instanceof MoneyError) throw new SpendError(`amount: ${error.message}`);
    throw error;
  }
  if (amount < 0) throw new SpendError("amount: spend cannot be negative");
  const { month, channel } = parsed.data;
  await db.marketingSpend.upsert({
    where: { shop_month_channel: { shop, month, channel } },
    create: { shop, month, channel, amount: BigInt(amount), currency: shopRow.currency },
    update: { amount: BigInt(amount), currency: shopRow.currency },
  });
  return { month, channel, amount, currency: shopRow.currency };
}
