/**
 * The planted truths are recoverable from the generated orders by simple, independent counting (what an analyst would
 * do with the order export), compared with the PLANTED parameters. Tolerances are 4 standard errors of the estimate
 * at this sample size (20k orders), plus a stated small allowance where the estimator has a known bias (a smooth
 * trend compared over neighbouring periods).
 */
import { describe, expect, it } from "vitest";
import { drawRepeatPurchases, generateDemoStore } from "../../demo-store/generate";
import { Rng } from "../../demo-store/random";
import {
  VIETNAMESE_LUNAR_YEARS,
  addDays,
  bgNbdExpectedTransactions,
  hypergeometric2F1,
  shopDayOf,
} from "../../demo-store/truth";
import type { SeedOrder } from "../../local-shopify/seed";

const { store, truth } = generateDemoStore({ seed: 7, orders: 20_000 });

// Independent view of the data: a line's kind from its SKU (SKUs survive product deletion), days in shop time (UTC+7).
const typeBySku = new Map(store.products.flatMap((p) => p.variants.map((v) => [v.sku, p.productType] as const)));
const createdBySku = new Map(store.products.flatMap((p) => p.variants.map((v) => [v.sku, Date.parse(p.createdAt)] as const)));
const productIdBySku = new Map(store.products.flatMap((p) => p.variants.map((v) => [v.sku, p.id] as const)));
const orders = store.orders.filter((o) => !o.test);
const typesOf = (order: SeedOrder) => new Set(order.lineItems.map((l) => (l.sku ? typeBySku.get(l.sku) : undefined)));
const dayOf = (order: SeedOrder) => shopDayOf(Date.parse(order.processedAt));
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;

/** Binomial standard error of a proportion. */
const se = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

/** Orders per day over shop-local days [from, to] inclusive. */
function perDay(from: string, to: string): { orders: number; days: number; rate: number } {
  let n = 0;
  for (const order of orders) {
    const day = dayOf(order);
    if (day >= from && day <= to) n++;
  }
  const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
  return { orders: n, days, rate: n / days };
}

describe("planted cross-sell", () => {
  const promo = truth.promotion;
  const inPromo = (order: SeedOrder) => dayOf(order) >= promo.window.start && dayOf(order) <= promo.window.end;
  const laptopOrders = orders.filter((o) => typesOf(o).has("Laptop"));

  it("laptop → mouse ≈ 40 % outside the promotion window", () => {
    const outside = laptopOrders.filter((o) => !inPromo(o));
    const rate = outside.filter((o) => typesOf(o).has("Mouse")).length / outside.length;
    expect(promo.baselineAttachRate).toBe(0.4);
    expect(Math.abs(rate - 0.4)).toBeLessThan(4 * se(0.4, outside.length));
  });

  it("the promotion raised laptop → mouse inside its window, with the code and discount on the mouse", () => {
    const inside = laptopOrders.filter(inPromo);
    const withMouse = inside.filter((o) => typesOf(o).has("Mouse"));
    const rate = withMouse.length / inside.length;
    expect(inside.length).toBeGreaterThan(100);
    expect(Math.abs(rate - promo.promotedAttachRate)).toBeLessThan(4 * se(promo.promotedAttachRate, inside.length));
    const outside = laptopOrders.filter((o) => !inPromo(o));
    const outsideRate = outside.filter((o) => typesOf(o).has("Mouse")).length / outside.length;
    expect(rate - outsideRate).toBeGreaterThan(4 * Math.sqrt(se(rate, inside.length) ** 2 + se(outsideRate, outside.length) ** 2));
    for (const order of withMouse) {
      expect(order.discountCodes).toEqual([promo.code]);
      const mouse = order.lineItems.find((l) => l.sku && typeBySku.get(l.sku) === "Mouse");
      expect(mouse?.totalDiscount).toBe(Math.round((mouse!.unitPrice * mouse!.quantity * 0.3) / 1000) * 1000);
    }
    expect(store.orders.filter((o) => o.discountCodes.includes(promo.code) && !inPromo(o))).toHaveLength(0);
    expect(withMouse.length).toBe(promo.realised.inWindow.withMouse);
  });

  it("recovers every attach rule at its planted probability", () => {
    const typeOf: Record<string, string> = {
      laptop: "Laptop",
      desktop: "Desktop PC",
      mouse: "Mouse",
      keyboard: "Keyboard",
      headset: "Headset",
      monitor: "Monitor",
      bag: "Laptop Bag",
      warranty: "Warranty",
    };
    for (const rule of truth.baskets.attachRules) {
      const fromType = typeOf[rule.from];
      const toType = typeOf[rule.to];
      const base = orders.filter((o) => typesOf(o).has(fromType) && !(rule.from === "laptop" && rule.to === "mouse" && inPromo(o)));
      const rate = base.filter((o) => typesOf(o).has(toType)).length / base.length;
      expect(Math.abs(rate - rule.probability), `${rule.from} → ${rule.to}: ${rate}`).toBeLessThan(4 * se(rule.probability, base.length));
    }
  });

  it("the rules are not trivial: accessories also sell without a laptop or PC, at a much lower rate", () => {
    const others = orders.filter((o) => !typesOf(o).has("Laptop") && !typesOf(o).has("Desktop PC"));
    const accessoryAnchored = others.filter((o) => o.lineItems.length > 0 && typeBySku.get(o.lineItems[0]?.sku ?? "") !== "Mouse");
    const mouseRate = accessoryAnchored.filter((o) => typesOf(o).has("Mouse")).length / accessoryAnchored.length;
    expect(mouseRate).toBeGreaterThan(0.02);
    expect(mouseRate).toBeLessThan(0.1);
    expect(others.filter((o) => typesOf(o).has("Mouse")).length).toBeGreaterThan(500);
  });
});

describe("planted upgrade path", () => {
  it("about 12 % of eligible standard-laptop buyers buy the pro of the same line 90–270 days later", () => {
    const proOf = new Map(truth.upgradePaths.pairs.map((pair) => [pair.standard.productId, pair.pro.productId]));
    const byCustomer = new Map<number, SeedOrder[]>();
    for (const order of orders) {
      if (order.customerId === null) continue;
      const list = byCustomer.get(order.customerId) ?? [];
      list.push(order);
      byCustomer.set(order.customerId, list);
    }
    let upgrades = 0;
    let standardBuyers = 0;
    const delays: number[] = [];
    for (const list of byCustomer.values()) {
      const first = list.find((o) => o.lineItems.some((l) => l.productId !== null && proOf.has(l.productId)));
      if (!first) continue;
      standardBuyers++;
      const standardId = first.lineItems.find((l) => l.productId !== null && proOf.has(l.productId))?.productId ?? 0;
      const pro = proOf.get(standardId);
      const later = list.find((o) => o.processedAt > first.processedAt && o.lineItems.some((l) => l.productId === pro));
      if (later) {
        upgrades++;
        delays.push((Date.parse(later.processedAt) - Date.parse(first.processedAt)) / 86_400_000);
      }
    }
    const { realised, share } = truth.upgradePaths;
    expect(standardBuyers).toBe(realised.standardBuyers);
    expect(upgrades).toBe(realised.upgrades);
    // Eligibility (still alive at purchase + delay) is hidden state: its count comes from the truth file.
    expect(realised.eligible).toBeGreaterThan(300);
    expect(Math.abs(upgrades / realised.eligible - share)).toBeLessThan(4 * se(share, realised.eligible));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(90);
    expect(Math.max(...delays)).toBeLessThanOrEqual(270);
    // Nobody buys the pro of a line they bought the standard of, other than through the planted path.
    expect(upgrades).toBeGreaterThan(0);
  });
});

describe("planted seasonality", () => {
  it("orders per weekday follow the weekday multipliers", () => {
    const counts = new Map<string, number>();
    const days = new Map<string, number>();
    for (const order of orders) {
      const name = WEEKDAYS[new Date(Date.parse(order.processedAt) + 7 * 3_600_000).getUTCDay()] ?? "";
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    for (let day = truth.history.start; day <= truth.history.end; day = addDays(day, 1)) {
      const name = WEEKDAYS[new Date(`${day}T12:00:00Z`).getUTCDay()] ?? "";
      days.set(name, (days.get(name) ?? 0) + 1);
    }
    const multipliers = truth.seasonality.weekdayMultipliers;
    const rate = (name: string) => (counts.get(name) ?? 0) / (days.get(name) ?? 1);
    const meanRate = WEEKDAYS.reduce((s, n) => s + rate(n), 0) / 7;
    const meanMultiplier = WEEKDAYS.reduce((s, n) => s + (multipliers[n] ?? 0), 0) / 7;
    for (const name of WEEKDAYS) {
      const observed = rate(name) / meanRate;
      const expected = (multipliers[name] ?? 0) / meanMultiplier;
      // Relative Poisson error of one weekday's count, ×4, plus 1 % for the uneven spread of lunar windows over weekdays.
      const tolerance = expected * (4 / Math.sqrt(counts.get(name) ?? 1) + 0.01);
      expect(Math.abs(observed - expected), `${name}: ${observed} vs ${expected}`).toBeLessThan(tolerance);
    }
    expect(rate("Sun") / rate("Tue")).toBeGreaterThan(1.2);
  });

  it("the 7th lunar month dips by the planted multiplier against the months around it", () => {
    const { multiplier, windows } = truth.seasonality.lunarMonth7;
    expect(multiplier).toBe(0.72);
    // Windows from the calendar table, not from the truth file; the truth file must agree.
    const years = VIETNAMESE_LUNAR_YEARS.filter((y) => y.month8 <= truth.history.end && y.month6 >= truth.history.start);
    expect(years.map((y) => y.year)).toEqual([2023, 2024]);
    expect(windows.map((w) => [w.start, w.end])).toEqual([
      ["2023-08-16", "2023-09-14"],
      ["2024-08-04", "2024-09-02"],
    ]);
    let dipOrders = 0;
    let dipRate = 0;
    let aroundOrders = 0;
    let aroundRate = 0;
    for (const y of years) {
      const m7 = perDay(y.month7, addDays(y.month8, -1));
      const before = perDay(y.month6, addDays(y.month7, -1));
      const after = perDay(y.month8, addDays(y.month9, -1));
      dipOrders += m7.orders;
      dipRate += m7.rate;
      aroundOrders += before.orders + after.orders;
      aroundRate += (before.rate + after.rate) / 2;
    }
    const ratio = dipRate / aroundRate;
    // Poisson error of a ratio of counts; +0.03 for the concave growth trend (neighbours average below the middle).
    const tolerance = 4 * ratio * Math.sqrt(1 / dipOrders + 1 / aroundOrders) + 0.03;
    expect(Math.abs(ratio - multiplier), `month-7 ratio ${ratio}`).toBeLessThan(tolerance);
    expect(ratio).toBeLessThan(0.85);
  });

  it("the three weeks before Tết run at the planted multiplier above the weeks around them", () => {
    const { multiplier, daysBefore, windows } = truth.seasonality.tet;
    expect(windows.map((w) => w.tet)).toEqual(["2023-01-22", "2024-02-10", "2025-01-29"]);
    let peakOrders = 0;
    let peakRate = 0;
    let aroundOrders = 0;
    let aroundRate = 0;
    // 2023's window starts with the history (no "before"): use 2024 and 2025.
    for (const tet of ["2024-02-10", "2025-01-29"]) {
      const start = addDays(tet, -daysBefore);
      const peak = perDay(start, addDays(tet, -1));
      const before = perDay(addDays(start, -28), addDays(start, -1));
      const after = perDay(tet, addDays(tet, 27));
      peakOrders += peak.orders;
      peakRate += peak.rate;
      aroundOrders += before.orders + after.orders;
      aroundRate += (before.rate + after.rate) / 2;
    }
    const ratio = peakRate / aroundRate;
    const tolerance = 4 * ratio * Math.sqrt(1 / peakOrders + 1 / aroundOrders) + 0.05;
    expect(Math.abs(ratio - multiplier), `Tết ratio ${ratio}`).toBeLessThan(tolerance);
    expect(ratio).toBeGreaterThan(1.3);
  });
});

describe("planted customer model", () => {
  const ageOf = new Map(store.customers.map((c) => [c.id, c.tags.find((t) => t.startsWith("age:")) ?? ""]));
  const groupStats = (tag: string) => {
    const customers = store.customers.filter((c) => ageOf.get(c.id) === tag);
    const own = orders.filter((o) => o.customerId !== null && ageOf.get(o.customerId) === tag);
    const paid = own.filter((o) => o.cancelledAt === null);
    const anchored = own.filter((o) => o.lineItems[0]?.sku);
    const fresh = anchored.filter((o) => {
      const sku = o.lineItems[0]?.sku ?? "";
      return Date.parse(o.processedAt) - (createdBySku.get(sku) ?? 0) < truth.newProductDays * 86_400_000;
    });
    const buyers = new Set(own.map((o) => o.customerId));
    return {
      customers: customers.length,
      ordersPerBuyer: own.length / buyers.size,
      aov: paid.reduce((s, o) => s + o.total, 0) / paid.length,
      newShare: fresh.length / anchored.length,
      orders: own.length,
    };
  };

  it("age tags follow the planted shares", () => {
    for (const group of truth.ageGroups) {
      const n = store.customers.filter((c) => ageOf.get(c.id) === group.tag).length;
      expect(Math.abs(n / store.customers.length - group.share), group.tag).toBeLessThan(4 * se(group.share, store.customers.length));
    }
  });

  it("15–22 buy more often, cheaper, and more new products than 23–30", () => {
    const young = groupStats("age:15-22");
    const adults = groupStats("age:23-30");
    expect(young.ordersPerBuyer).toBeGreaterThan(1.3 * adults.ordersPerBuyer);
    expect(adults.aov).toBeGreaterThan(1.5 * young.aov);
    expect(young.newShare).toBeGreaterThan(1.4 * adults.newShare);
    const realised = truth.ageGroups.find((g) => g.tag === "age:15-22")?.realised;
    expect(realised?.orders).toBe(young.orders);
  });

  it("BG/NBD: simulated repeat purchases match the closed-form expectation", () => {
    const params = truth.bgnbd.groups["age:31-45"];
    if (!params) throw new Error("missing group");
    const rng = new Rng(99);
    const n = 40_000;
    const horizon = 52;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const lambda = rng.gamma(params.r, params.alpha);
      const p = rng.beta(params.a, params.b);
      const x = drawRepeatPurchases(rng, lambda, p, 0, horizon).taus.length;
      sum += x;
      sumSq += x * x;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sumSq / n - mean * mean);
    expect(Math.abs(mean - bgNbdExpectedTransactions(params, horizon))).toBeLessThan((4 * sd) / Math.sqrt(n));
  });

  it("₂F₁ and the BG/NBD formula agree with known values", () => {
    const z = 0.6;
    expect(hypergeometric2F1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 12);
    expect(bgNbdExpectedTransactions({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, 0)).toBe(0);
    // CDNOW fit (Fader, Hardie & Lee 2005): E[X(t)] from Hardie's BG/NBD spreadsheet, as used in lifetimes' test suite.
    const cdnow = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => {
      const value = bgNbdExpectedTransactions(cdnow, t);
      expect(Math.abs(value / (expected[i] ?? 1) - 1), `E[X(${t})] = ${value}`).toBeLessThan(0.01);
    });
  });

  it("lands within 5 % of the planned number of customers and records spend honestly", () => {
    expect(Math.abs(truth.volume.customersDeviation)).toBeLessThan(0.05);
    expect(truth.gammaGamma.realised.correlationBudgetTotal).toBeGreaterThan(0.1);
    const buyers = new Set(orders.map((o) => o.customerId).filter((id) => id !== null));
    expect(buyers.size).toBe(truth.volume.realisedCustomersWithOrders);
    expect(productIdBySku.size).toBeGreaterThan(40);
  });
});
