/**
 * What the demo-store generator planted, written beside the store as truth.json: every parameter of the model and the
 * realised counts, so the app's analytics can be checked against known answers (an oracle). Also the calendar data
 * and closed-form formulas the generator and the tests share.
 */

// ---------------------------------------------------------------------------------------------------------------------
// Shop-local calendar (Asia/Ho_Chi_Minh is UTC+7 all year: no daylight saving time since 1975)

export const SHOP_UTC_OFFSET_HOURS = 7;
const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The UTC instant (ms) at which shop-local day `YYYY-MM-DD` begins. */
export function shopDayStartMs(day: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) throw new RangeError(`not a YYYY-MM-DD day: ${day}`);
  const [, y, m, d] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d)) - SHOP_UTC_OFFSET_HOURS * HOUR_MS;
  if (shopDayOf(ms) !== day) throw new RangeError(`not a calendar day: ${day}`);
  return ms;
}

/** The shop-local day `YYYY-MM-DD` containing the UTC instant `ms`. */
export function shopDayOf(ms: number): string {
  return new Date(ms + SHOP_UTC_OFFSET_HOURS * HOUR_MS).toISOString().slice(0, 10);
}

/** Shop-local weekday of the UTC instant `ms`: 0 = Sunday … 6 = Saturday. */
export function shopWeekdayOf(ms: number): number {
  return new Date(ms + SHOP_UTC_OFFSET_HOURS * HOUR_MS).getUTCDay();
}

/** `day` plus `n` days. */
export function addDays(day: string, n: number): string {
  return shopDayOf(shopDayStartMs(day) + n * DAY_MS);
}

/** A span of shop-local days, both ends inclusive, and the UTC instants it covers ([startUtc, endUtcExclusive)). */
export interface DayWindow {
  start: string;
  end: string;
  days: number;
  startUtc: string;
  endUtcExclusive: string;
}

export function dayWindow(start: string, end: string): DayWindow {
  const startMs = shopDayStartMs(start);
  const endMs = shopDayStartMs(end) + DAY_MS;
  return {
    start,
    end,
    days: Math.round((endMs - startMs) / DAY_MS),
    startUtc: new Date(startMs).toISOString(),
    endUtcExclusive: new Date(endMs).toISOString(),
  };
}

/** True when the UTC instant `ms` falls inside the window. */
export function inWindow(window: DayWindow, ms: number): boolean {
  return ms >= Date.parse(window.startUtc) && ms < Date.parse(window.endUtcExclusive);
}

// ---------------------------------------------------------------------------------------------------------------------
// Vietnamese lunar calendar

/**
 * Gregorian start dates of the lunar months the generator needs, in the VIETNAMESE calendar (new moons reckoned at
 * UTC+7, which can differ from the Chinese calendar's UTC+8 by a day in some years; for 2022–2027 the two agree).
 * Computed with Hồ Ngọc Đức's astronomical algorithm (the reference for Vietnamese calendars, time zone 7) and checked
 * against the published dates of Tết: 2022-02-01, 2023-01-22, 2024-02-10, 2025-01-29, 2026-02-17, 2027-02-06.
 * `month6` is the month immediately before month 7: in 2025, a year with a leap 6th month, it is the leap month
 * (tháng 6 nhuận, from 2025-07-25); the regular 6th month started 2025-06-25.
 * Hard-coded on purpose: the generator is an oracle for the app's own lunar code and must not share it.
 */
export const VIETNAMESE_LUNAR_YEARS: readonly {
  year: number;
  tet: string;
  month6: string;
  month7: string;
  month8: string;
  month9: string;
}[] = [
  { year: 2022, tet: "2022-02-01", month6: "2022-06-29", month7: "2022-07-29", month8: "2022-08-27", month9: "2022-09-26" },
  { year: 2023, tet: "2023-01-22", month6: "2023-07-18", month7: "2023-08-16", month8: "2023-09-15", month9: "2023-10-15" },
  { year: 2024, tet: "2024-02-10", month6: "2024-07-06", month7: "2024-08-04", month8: "2024-09-03", month9: "2024-10-03" },
  { year: 2025, tet: "2025-01-29", month6: "2025-07-25", month7: "2025-08-23", month8: "2025-09-22", month9: "2025-10-21" },
  { year: 2026, tet: "2026-02-17", month6: "2026-07-14", month7: "2026-08-13", month8: "2026-09-11", month9: "2026-10-10" },
  { year: 2027, tet: "2027-02-06", month6: "2027-07-04", month7: "2027-08-02", month8: "2027-09-01", month9: "2027-09-30" },
];

/** The earliest and latest history days the lunar table covers (Tết windows reach into the next lunar year). */
export const LUNAR_TABLE_RANGE = { first: "2022-01-01", last: "2026-12-31" } as const;

// ---------------------------------------------------------------------------------------------------------------------
// BG/NBD

export interface BgNbdParams {
  /** Gamma shape of the purchase rate λ (per week) across customers. */
  r: number;
  /** Gamma rate (scale⁻¹) of λ, in weeks. */
  alpha: number;
  /** Beta parameters of the dropout probability p after each repeat purchase. */
  a: number;
  b: number;
}

/**
 * Gauss hypergeometric ₂F₁(a, b; c; z) for 0 ≤ z < 1 by its power series (terms are summed until negligible).
 */
export function hypergeometric2F1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) throw new RangeError(`hypergeometric2F1 needs 0 ≤ z < 1 (got ${z})`);
  let term = 1;
  let sum = 1;
  for (let k = 0; k < 1_000_000; k++) {
    term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
    sum += term;
    if (Math.abs(term) < 1e-14 * Math.abs(sum)) return sum;
  }
  return sum;
}

/**
 * Expected number of REPEAT transactions in (0, t] of a customer whose first purchase is at time 0, under BG/NBD
 * (Fader, Hardie & Lee 2005, eq. 7): (a+b−1)/(a−1) · [1 − (α/(α+t))^r · ₂F₁(r, b; a+b−1; t/(α+t))]. t in weeks.
 */
export function bgNbdExpectedTransactions({ r, alpha, a, b }: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  if (Math.abs(a - 1) < 1e-9) throw new RangeError("bgNbdExpectedTransactions: a = 1 is a removable singularity; use a ≠ 1");
  const z = t / (alpha + t);
  return ((a + b - 1) / (a - 1)) * (1 - Math.pow(alpha / (alpha + t), r) * hypergeometric2F1(r, b, a + b - 1, z));
}

// ---------------------------------------------------------------------------------------------------------------------
// The truth file

export interface GammaGammaParams {
  /** Shape of a customer's per-order budget z ~ Gamma(p, ν). */
  p: number;
  /** Shape of the customer's rate ν ~ Gamma(q, γ). */
  q: number;
  /** Rate of ν, in VND. */
  gamma: number;
  /** E[z] = p·γ / (q − 1), VND. */
  meanBudget: number;
}

export interface AgeGroupTruth {
  tag: string;
  share: number;
  bgnbd: BgNbdParams & { meanLambdaPerWeek: number; meanDropout: number };
  gammaGamma: GammaGammaParams;
  /** Probability of each anchor (first-item) category. */
  categoryMix: Record<string, number>;
  /** Weight multiplier for products launched within `newProductDays` of the order. */
  newProductBoost: number;
  englishLocaleShare: number;
  realised: {
    customers: number;
    /** Orders of these customers (non-test), cancelled included. */
    orders: number;
    ordersPerCustomer: number;
    /** Mean total of their non-cancelled orders, VND. */
    averageOrderValue: number;
    /** Share of their orders whose anchor item was launched within `newProductDays` before the order. */
    newProductOrderShare: number;
    /** Share of their laptop-anchored orders that bought a pro-tier model. */
    proShareOfLaptopOrders: number;
    repeatCustomerShare: number;
    meanLambdaPerWeek: number;
    meanDropout: number;
    meanBudget: number;
  };
}

export interface AttachRuleTruth {
  from: string;
  to: string;
  probability: number;
  note?: string;
  realised: { ordersWithFrom: number; ordersWithBoth: number; rate: number };
}

export interface WindowCount {
  window: DayWindow;
  orders: number;
  ordersPerDay: number;
}

export interface DemoTruth {
  generator: { name: string; version: string };
  seed: number;
  options: { orders: number; start: string; end: string; domain: string };
  conventions: Record<string, string>;
  shop: { domain: string; name: string; currencyCode: string; ianaTimezone: string; locales: string[] };
  history: { start: string; end: string; asOf: string; days: number; weeks: number };
  volume: {
    method: string;
    targetOrders: number;
    guestOrders: number;
    testOrders: number;
    customerOrdersTarget: number;
    expectedOrdersPerCustomer: number;
    plannedCustomers: number;
    realisedCustomersWithOrders: number;
    customersDeviation: number;
    ordersDroppedFromLastCustomer: number;
    prospects: number;
  };
  bgnbd: {
    timeUnit: "week";
    process: string;
    operationalTime: string;
    groups: Record<string, BgNbdParams>;
    realised: { customersAliveAtEnd: number; customersDead: number; maxOrdersOfOneCustomer: number };
  };
  gammaGamma: {
    role: string;
    spendModel: string;
    budgetToProduct: string;
    referenceBudget: number;
    priceFitSigma: number;
    groups: Record<string, GammaGammaParams>;
    realised: { meanOrderTotal: number; meanBudget: number; correlationBudgetTotal: number };
  };
  ageGroups: AgeGroupTruth[];
  guests: { share: number; gammaGamma: GammaGammaParams; categoryMix: Record<string, number>; realised: { orders: number } };
  newProductDays: number;
  seasonality: {
    model: string;
    weekdayMultipliers: Record<string, number>;
    hourOfDayMultipliers: number[];
    tet: { multiplier: number; daysBefore: number; windows: (DayWindow & { tet: string })[] };
    lunarMonth7: {
      multiplier: number;
      dipPercent: number;
      windows: (DayWindow & { lunarYear: number })[];
      previousMonths: (DayWindow & { lunarYear: number })[];
      nextMonths: (DayWindow & { lunarYear: number })[];
    };
    acquisitionTrend: { shape: string; startRate: number; endRate: number };
    normalisation: number;
    realised: {
      note: string;
      weekdayOrders: Record<string, number>;
      weekdayDays: Record<string, number>;
      tetWindows: WindowCount[];
      month7: { lunarYear: number; month7: WindowCount; previous: WindowCount; next: WindowCount; ratio: number }[];
    };
  };
  baskets: {
    anchor: string;
    attachRules: AttachRuleTruth[];
    backgroundAddOns: { rule: string; rates: Record<string, number> };
    quantity: string;
    giftCardLineRate: number;
    customLineRate: number;
    welcomeDiscount: { code: string; rate: number; percentOff: number; appliesTo: string };
  };
  upgradePaths: {
    share: number;
    delayDays: { distribution: "uniform"; min: number; max: number };
    eligibility: string;
    extraTransactions: string;
    pairs: { line: string; standard: { productId: number; title: string }; pro: { productId: number; title: string } }[];
    realised: {
      standardBuyers: number;
      eligible: number;
      upgrades: number;
      share: number;
      delayDaysMin: number | null;
      delayDaysMax: number | null;
      delayDaysMean: number | null;
    };
  };
  promotion: {
    name: string;
    code: string;
    window: DayWindow;
    targetProductIds: { laptops: number[]; mice: number[] };
    metric: string;
    baselineAttachRate: number;
    promotedAttachRate: number;
    trueEffect: number;
    discount: string;
    volumeEffect: string;
    realised: {
      inWindow: { laptopOrders: number; withMouse: number; rate: number; ordersWithCode: number };
      outsideWindow: { laptopOrders: number; withMouse: number; rate: number };
    };
  };
  noise: {
    rules: string;
    rates: {
      guest: number;
      test: number;
      cancelled: number;
      refunded: number;
      fullRefundShareOfRefunds: number;
      posCreatedLaterShareOfPos: number;
      sourceNames: Record<string, number>;
    };
    realised: {
      guestOrders: number;
      testOrders: number;
      cancelledOrders: number;
      refundedOrders: number;
      fullyRefundedOrders: number;
      ordersWithGiftCardLine: number;
      ordersWithCustomLine: number;
      ordersWithDeletedProductLines: number;
      ordersWithCreatedAtAfterProcessedAt: number;
    };
  };
  catalog: {
    deleted: { productId: number; title: string; deletedAt: string }[];
    archived: { productId: number; title: string; archivedAt: string }[];
    draft: { productId: number; title: string }[];
    launchedDuringHistory: { productId: number; title: string; createdAt: string }[];
    priceChanges: { variantId: number; sku: string; from: string; price: number }[];
  };
  customerAttributes: { rfmGroup: string; predictedSpendTier: string; ageTagShares: Record<string, number> };
  totals: {
    orders: number;
    lineItems: number;
    customers: number;
    products: number;
    variants: number;
    collections: number;
    grossSales: number;
    discounts: number;
    netSales: number;
    refunded: number;
  };
}
