/**
 * The insights recompute stores each kind on its own: one that fails does not keep the others from being stored, and
 * the job still fails (so it is retried and shows on the Background work page). Runs on PGlite and PostgreSQL.
 */
import type { PrismaClient } from "@prisma/client";
import { describe, expect, it } from "vitest";
import { recomputeInsights, RecomputeError } from "../../app/lib/insights/recompute.server";
import { createOrder, createProduct, createShop } from "../factories";
import { testDb } from "../support/db";

describe("recomputeInsights", () => {
  it("stores cross-sell and trends when customer value fails, then reports the failure", async () => {
    const db = testDb();
    const shop = (await createShop(db, { currency: "VND" })).domain;
    const product = await createProduct(db, shop, { title: "VietBook 14" });
    for (let i = 0; i < 5; i++) await createOrder(db, shop, { lines: [{ productId: product.id, unitPrice: 16_490_000n }] });
    // Customer value is the one kind written in an interactive transaction: make that fail.
    const failing = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === "$transaction") return () => Promise.reject(new Error("database went away"));
        return Reflect.get(target, prop, receiver);
      },
    }) as PrismaClient;
    const outcome = recomputeInsights({ shop, db: failing, now: new Date("2025-06-10T00:00:00Z") });
    await expect(outcome).rejects.toThrow(RecomputeError);
    await expect(outcome).rejects.toThrow(/customerValue: database went away/);
    const kinds = (await db.insightSnapshot.findMany({ where: { shop }, select: { kind: true } })).map((k) => k.kind).sort();
    expect(kinds).toEqual(["cross-sell", "trends"]);
  });

  it("skips a shop that is gone", async () => {
    expect(await recomputeInsights({ shop: "gone.myshopify.com", db: testDb() })).toEqual({ skipped: true });
  });
});
