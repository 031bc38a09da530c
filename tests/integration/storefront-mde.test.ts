/**
 * What a widget's test can detect (widgetMinimumDetectableEffect), on PGlite and PostgreSQL: the traffic rate is taken
 * over the days the widget actually had exposures (not a fixed 28), the baseline from the visitors' outcomes, and a
 * window whose traffic cannot reach the verdict's minimum orders per arm detects nothing.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MIN_ORDERS } from "../../app/insights/offers/lift";
import { normalQuantile } from "../../app/insights/rules/stats";
import { storefrontPage } from "../../app/lib/storefront/storefront-page.server";
import { launchWidget, widgetMinimumDetectableEffect } from "../../app/lib/storefront/widgets.server";
import { createShop } from "../factories";
import { testDb } from "../support/db";

const DAY = 86_400_000;
const NOW = new Date("2026-11-01T00:00:00Z");

/**
 * 100 exposed visitors a day over the last `days` days (before that, none), arms alternating; every `buyEvery`-th visitor
 * places one order of 100,000 a minute after exposure.
 */
async function plant(shop: string, { days, buyEvery }: { days: number; buyEvery: number }) {
  const db = testDb();
  const n = 100 * days;
  const step = (days * DAY) / n;
  const events = [];
  const orders = [];
  for (let i = 0; i < n; i++) {
    const at = new Date(NOW.getTime() - days * DAY + Math.round(i * step));
    const vid = `vis-${i}-abcdefgh`;
    events.push({ shop, id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, type: "impression", widget: "fbt", arm: i % 2 ? "holdout" : "treatment", visitorId: vid, anchorId: "1", occurredAt: at });
    if (i % buyEvery === 0) {
      const t = new Date(at.getTime() + 60_000);
      orders.push({ shop, id: `o${i}`, name: `#${i}`, createdAt: t, processedAt: t, updatedAt: t, currency: "VND", subtotal: 100_000n, total: 100_000n, visitorId: vid });
    }
  }
  await db.storefrontEvent.createMany({ data: events });
  await db.order.createMany({ data: orders });
  return { visitors: n, buyers: orders.length };
}

describe("widgetMinimumDetectableEffect", () => {
  let recent: string;
  let sparse: string;
  beforeAll(async () => {
    recent = (await createShop(testDb(), { domain: "mde-recent.myshopify.com" })).domain;
    sparse = (await createShop(testDb(), { domain: "mde-sparse.myshopify.com" })).domain;
  });

  it("a widget exposed for the last 7 days only: its daily rate is over those 7 days, not 28", async () => {
    const { visitors, buyers } = await plant(recent, { days: 7, buyEvery: 5 });
    expect({ visitors, buyers }).toEqual({ visitors: 700, buyers: 140 });
    const mde = await widgetMinimumDetectableEffect({ db: testDb(), shop: recent, widget: "fbt", now: NOW, evaluationDays: 28, holdoutShare: 0.5 });
    // 100 visitors a day → 2,800 in 28 days, 1,400 per arm; 0.2 orders per visitor → 280 per arm.
    expect(mde?.visitorsExpected).toBe(2800);
    expect(mde?.ordersExpected).toEqual({ treatment: 280, holdout: 280 });
    // Baseline: conversion p = 0.2 (sample sd √(p(1 − p)·n/(n − 1))), RPV 20,000 with sd 100,000 times the same.
    const sd = Math.sqrt(0.2 * 0.8 * (700 / 699));
    const z = normalQuantile(0.975) + normalQuantile(0.8);
    const relative = (z * sd * Math.sqrt(2 / 1400)) / 0.2;
    expect(mde?.conversion).toBeCloseTo(relative, 10);
    expect(mde?.revenuePerVisitor).toBeCloseTo(relative, 10);
  });

  it("when the window's traffic cannot reach the verdict's minimum orders per arm, nothing is detectable", async () => {
    await plant(sparse, { days: 28, buyEvery: 50 });
    const mde = await widgetMinimumDetectableEffect({ db: testDb(), shop: sparse, widget: "fbt", now: NOW, evaluationDays: 28, holdoutShare: 0.5 });
    // 2,800 visitors, 0.02 orders each: 28 per arm, under the minimum of 100 — the verdict would stay "too little data".
    expect(mde?.ordersExpected).toEqual({ treatment: 28, holdout: 28 });
    expect(DEFAULT_MIN_ORDERS).toBe(100);
    expect(mde).toMatchObject({ visitorsExpected: 2800, revenuePerVisitor: null, conversion: null });
  });
});

describe("the Storefront page's detectable effects", () => {
  it("are computed only for widgets that can be launched (a running widget's test is already fixed)", async () => {
    const db = testDb();
    const { domain: shop } = await createShop(db, { domain: "mde-page.myshopify.com" });
    await plant(shop, { days: 28, buyEvery: 2 });
    // The same traffic for the upgrade block, which is not running.
    const events = await db.storefrontEvent.findMany({ where: { shop } });
    await db.storefrontEvent.createMany({ data: events.map((e) => ({ ...e, id: e.id.replace(/^0/, "1"), widget: "upgrade" })) });
    await launchWidget({ db, shop, now: NOW, input: { widget: "fbt", metric: "conversion", goalPercent: "5", evaluationDays: "28" } });
    const page = await storefrontPage({ db, shop, now: NOW });
    const mde = Object.fromEntries(page.widgets.map((w) => [w.widget, w.mde]));
    expect(page.widgets.find((w) => w.widget === "fbt")?.action?.running).toBe(true);
    expect(mde.fbt).toBeNull();
    expect(mde.upgrade).toMatchObject({ visitorsExpected: 2800 });
    expect(mde.cart).toBeNull(); // no traffic
  });
});
