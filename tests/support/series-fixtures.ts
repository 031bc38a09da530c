/**
 * Fixtures for the trends and impact tests: the demo store's orders as the trends core's plain records, and synthetic
 * daily series with planted effects. Nothing here reads the generator's truth: tests compare against it separately.
 */
import type { ImpactOrder } from "../../app/insights/impact/evaluate";
import type { SeedOrder } from "../local-shopify/seed";

/** A demo-store order as a trends/impact record (refunded quantities summed per line from the order's refunds). */
export function seriesOrderOf(order: SeedOrder): ImpactOrder {
  const refunded = new Map<number, number>();
  let totalRefunded = 0;
  for (const refund of order.refunds) {
    for (const l of refund.lineItems) refunded.set(l.lineItemId, (refunded.get(l.lineItemId) ?? 0) + l.quantity);
    totalRefunded += refund.amount;
  }
  return {
    id: String(order.id),
    createdAt: new Date(order.createdAt),
    customerId: order.customerId === null ? null : String(order.customerId),
    currency: "VND",
    total: order.total,
    totalRefunded,
    cancelledAt: order.cancelledAt === null ? null : new Date(order.cancelledAt),
    test: order.test,
    lines: order.lineItems.map((line) => ({
      productId: line.productId === null ? null : String(line.productId),
      quantity: line.quantity,
      refundedQuantity: refunded.get(line.id) ?? 0,
      amount: line.unitPrice * line.quantity - line.totalDiscount,
    })),
  };
}

/** Mulberry32, for test data only (the core's generator is tested on its own). */
export function testRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Poisson draw (Knuth for small means, normal approximation above 500). */
export function poisson(rng: () => number, mean: number): number {
  if (mean > 500) {
    const u = Math.max(rng(), 1e-12);
    const v = rng();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}
