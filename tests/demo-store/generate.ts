/**
 * The demo-store generator: a deterministic Vietnamese electronics shop (2.5 years of orders by default) with planted,
 * known truths — customer lifetimes, spend, seasonality on the lunar calendar, cross-sell attach rates, upgrade paths,
 * a promotion with a known effect, and realistic noise. Pure: (seed, options) → { store, truth }, no clock, no IO,
 * no Math.random. The CLI (scripts/generate-demo-store.ts) streams large stores to disk through `planDemoStore`.
 *
 * The model, in the order it runs:
 * 1. Calendar: the history is cut into shop-local hours. Each hour has a seasonal weight M = weekday × hour-of-day ×
 *    (Tết peak | 7th-lunar-month dip), normalised to mean 1. "Operational time" τ(t) = ∫M dt (in weeks).
 * 2. Customers: acquired at times drawn with density ∝ trend(t)·M(t) (acquisition grows linearly). Each belongs to one
 *    age group, draws λ ~ Gamma(r, α), p ~ Beta(a, b) (BG/NBD) and ν ~ Gamma(q, γ) (Gamma-Gamma). The first order is at
 *    acquisition; repeat orders form a Poisson(λ) process in operational time (= an inhomogeneous Poisson process with
 *    intensity λ·M(t) in calendar time — exact, no thinning needed); after each repeat order the customer dies with
 *    probability p. In operational time this is exactly BG/NBD.
 * 3. Volume: the number of customers is planned from the closed-form BG/NBD expectation so that orders ≈ requested;
 *    customers (independent draws) are then simulated one after another until the requested number of customer orders
 *    is reached, and the latest orders of the last customer are dropped to hit it exactly (see `truth.volume`).
 * 4. Baskets: an order's budget z ~ Gamma(p, ν) picks the first ("anchor") item: the category from the group's mix,
 *    the product by how close its price is to the budget (log scale) × popularity × a new-product boost. Then planted
 *    attach rules (laptop → mouse/bag/warranty, PC → keyboard/mouse/headset/monitor/warranty) and, for accessory
 *    anchors only, background accessory add-ons. Gift-card and custom lines occasionally.
 * 5. Upgrades, the promotion and noise (guests, test orders, cancellations, refunds, deleted products) as in truth.json.
 */
import type {
  SeedCollection,
  SeedCustomer,
  SeedLineItem,
  SeedOrder,
  SeedProduct,
  SeedRefund,
  SeedShop,
  SeedStore,
} from "../local-shopify/seed";
import {
  ACCESSORY_CATEGORIES,
  ANCHOR_CATEGORIES,
  CATALOG,
  COLLECTIONS,
  CUSTOM_LINES,
  slug,
  type AccessoryCategory,
  type AnchorCategory,
  type Category,
  type CollectionKey,
} from "./catalog";
import { Rng } from "./random";
import {
  DAY_MS,
  LUNAR_TABLE_RANGE,
  VIETNAMESE_LUNAR_YEARS,
  addDays,
  bgNbdExpectedTransactions,
  dayWindow,
  inWindow,
  shopDayOf,
  shopDayStartMs,
  shopWeekdayOf,
  type AgeGroupTruth,
  type AttachRuleTruth,
  type BgNbdParams,
  type DayWindow,
  type DemoTruth,
  type GammaGammaParams,
  type WindowCount,
} from "./truth";

export const GENERATOR_VERSION = "1.0.0";

export interface DemoStoreOptions {
  seed: number;
  /** Exact number of orders to generate. */
  orders: number;
  /** First shop-local day of the history (YYYY-MM-DD), default 2023-01-01. */
  start?: string;
  /** Last shop-local day of the history (inclusive), default 2025-06-30. */
  end?: string;
  domain?: string;
}

// ---------------------------------------------------------------------------------------------------------------------
// The planted parameters

type Mix = Record<AnchorCategory, number>;

interface AgeGroupModel {
  tag: string;
  share: number;
  bgnbd: BgNbdParams;
  gammaGamma: { p: number; q: number; gamma: number };
  categoryMix: Mix;
  newProductBoost: number;
  englishLocaleShare: number;
  /** Share tagged "student" as well (a second, non-age tag). */
  studentTagShare: number;
}

/** Every planted parameter. Changing one changes the generated store; all of them are copied into truth.json. */
export const MODEL = {
  shop: {
    id: 1,
    name: "Insight Loop Demo",
    currencyCode: "VND",
    ianaTimezone: "Asia/Ho_Chi_Minh",
    locales: ["vi", "en"],
    plan: "standard" as const,
  },
  defaults: { start: "2023-01-01", end: "2025-06-30", domain: "insight-loop-demo.myshopify.com" },
  /**
   * Age groups (the articles' example): 15–22 buy more often, cheaper, and chase new products; 23–30 spend more per
   * order and repeat less. BG/NBD near Fader–Hardie–Lee's CDNOW fit (r 0.243, α 4.414, a 0.793, b 2.426), time in weeks.
   */
  ageGroups: [
    {
      tag: "age:15-22",
      share: 0.3,
      bgnbd: { r: 0.3, alpha: 4.0, a: 0.8, b: 3.6 },
      gammaGamma: { p: 4, q: 3.5, gamma: 3_750_000 },
      categoryMix: { laptop: 0.26, desktop: 0.05, mouse: 0.17, keyboard: 0.12, headset: 0.18, monitor: 0.07, bag: 0.15 },
      newProductBoost: 5,
      englishLocaleShare: 0.2,
      studentTagShare: 0.4,
    },
    {
      tag: "age:23-30",
      share: 0.32,
      bgnbd: { r: 0.22, alpha: 6.5, a: 0.9, b: 1.6 },
      gammaGamma: { p: 5, q: 3, gamma: 6_400_000 },
      categoryMix: { laptop: 0.4, desktop: 0.13, mouse: 0.08, keyboard: 0.07, headset: 0.08, monitor: 0.16, bag: 0.08 },
      newProductBoost: 1,
      englishLocaleShare: 0.15,
      studentTagShare: 0,
    },
    {
      tag: "age:31-45",
      share: 0.26,
      bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
      gammaGamma: { p: 5, q: 3.2, gamma: 5_280_000 },
      categoryMix: { laptop: 0.31, desktop: 0.22, mouse: 0.08, keyboard: 0.07, headset: 0.06, monitor: 0.18, bag: 0.08 },
      newProductBoost: 1.2,
      englishLocaleShare: 0.1,
      studentTagShare: 0,
    },
    {
      tag: "age:46+",
      share: 0.12,
      bgnbd: { r: 0.2, alpha: 6.0, a: 0.8, b: 3.0 },
      gammaGamma: { p: 5, q: 3.5, gamma: 5_500_000 },
      categoryMix: { laptop: 0.25, desktop: 0.3, mouse: 0.09, keyboard: 0.08, headset: 0.06, monitor: 0.16, bag: 0.06 },
      newProductBoost: 0.8,
      englishLocaleShare: 0.05,
      studentTagShare: 0,
    },
  ] satisfies AgeGroupModel[],
  /** Guest checkouts: one-off orders without a customer. */
  guest: {
    share: 0.08,
    gammaGamma: { p: 4.5, q: 3.2, gamma: 4_400_000 },
    categoryMix: { laptop: 0.28, desktop: 0.12, mouse: 0.14, keyboard: 0.1, headset: 0.12, monitor: 0.12, bag: 0.12 } satisfies Mix,
  },
  /** Staff test orders (test: true, no customer), uniform over the history. */
  testShare: 0.005,
  /** Registered customers who never ordered, as a share of customers with orders. */
  prospectShare: 0.05,
  newProductDays: 120,
  /** Budget → product: target price = category reference price × z / referenceBudget; weight exp(−ln²(price/target)/2σ²). */
  referenceBudget: 10_000_000,
  priceFitSigma: 0.55,
  /** Orders-per-hour multipliers, Sunday first (shop-local weekday). */
  weekday: { Sun: 1.25, Mon: 0.92, Tue: 0.9, Wed: 0.93, Thu: 0.96, Fri: 1.02, Sat: 1.17 },
  /** Relative order intensity per shop-local hour (normalised to mean 1 before use). */
  hourOfDay: [0.35, 0.2, 0.12, 0.08, 0.08, 0.12, 0.3, 0.55, 0.85, 1.05, 1.2, 1.3, 1.35, 1.2, 1.1, 1.1, 1.15, 1.25, 1.3, 1.45, 1.65, 1.75, 1.45, 0.85],
  tet: { multiplier: 1.6, daysBefore: 21 },
  lunarMonth7: { multiplier: 0.72 },
  acquisitionTrend: { startRate: 1, endRate: 2 },
  attach: {
    laptop: { mouse: 0.4, bag: 0.3, warranty: 0.22 },
    desktop: { keyboard: 0.55, mouse: 0.5, headset: 0.35, monitor: 0.45, warranty: 0.15 },
  },
  /** For orders anchored on an accessory only: each other accessory category is added with this probability. */
  background: { mouse: 0.06, keyboard: 0.05, headset: 0.05, monitor: 0.03, bag: 0.04 } satisfies Record<AccessoryCategory, number>,
  quantity: { accessoryTwoShare: 0.08, monitorTwoShare: 0.05, monitorWithDesktopTwoShare: 0.1 },
  warranty24MonthShare: 0.4,
  giftCardLineRate: 0.01,
  customLineRate: 0.02,
  welcome: { code: "WELCOME5", rate: 0.05, percentOff: 5 },
  upgrade: { share: 0.12, delayMinDays: 90, delayMaxDays: 270 },
  promotion: {
    name: "Back to school 2024",
    code: "BTS2024",
    start: "2024-07-01",
    end: "2024-07-31",
    attachRate: 0.65,
    mousePercentOff: 30,
  },
  noise: {
    cancelled: 0.02,
    refunded: 0.03,
    fullRefundShare: 0.35,
    posCreatedLater: 0.1,
    sources: { web: 0.85, pos: 0.12, shopify_draft_order: 0.03 },
  },
  emailMarketing: { SUBSCRIBED: 0.45, NOT_SUBSCRIBED: 0.4, UNSUBSCRIBED: 0.12, PENDING: 0.03 },
  countries: { VN: 0.955, SG: 0.01, US: 0.01, JP: 0.008, KR: 0.007, AU: 0.005, none: 0.005 },
} as const;

/** Ids: products 1xxxxx, variants 2xxxxx, customers 3xxxxxx, orders 4xxxxxx, line items 5xxxxxxx, refunds 6xxxxxx, collections 7xxxx. */
export const ID_BASE = {
  product: 100_000,
  variant: 200_000,
  customer: 3_000_000,
  order: 4_000_000,
  lineItem: 50_000_000,
  refund: 6_000_000,
  collection: 70_000,
} as const;

const STREAM = { customer: 1, guest: 2, test: 3, prospect: 4 } as const;
const HOUR_MS = 3_600_000;
const WEEKDAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"] as const;
const KIND = { first: 0, repeat: 1, upgrade: 2, guest: 3, test: 4 } as const;

// ---------------------------------------------------------------------------------------------------------------------
// BG/NBD in operational time

/**
 * Repeat purchases of one customer under BG/NBD, in operational time: inter-purchase gaps ~ Exponential(λ) from
 * `tauStart` (the first purchase); after each repeat purchase the customer dies with probability p. Stops at death or
 * at `tauEnd`. Returns the repeat purchase times and whether the customer died (after the last one).
 */
export function drawRepeatPurchases(
  rng: Rng,
  lambda: number,
  p: number,
  tauStart: number,
  tauEnd: number,
): { taus: number[]; died: boolean } {
  const taus: number[] = [];
  let tau = tauStart;
  for (;;) {
    tau += rng.exponential(lambda);
    if (tau >= tauEnd) return { taus, died: false };
    taus.push(tau);
    if (rng.bernoulli(p)) return { taus, died: true };
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Calendar and operational time

interface Calendar {
  startDay: string;
  endDay: string;
  startMs: number;
  asOfMs: number;
  bins: number;
  /** Normalised seasonal weight M̃ of each hour. */
  weight: Float64Array;
  /** Cumulative operational time (weeks) at the start of each hour; length bins + 1. */
  opCum: Float64Array;
  /** Cumulative acquisition intensity trend × M̃; length bins + 1. */
  acqCum: Float64Array;
  normalisation: number;
  hourOfDay: number[];
  tetWindows: (DayWindow & { tet: string })[];
  month7Windows: (DayWindow & { lunarYear: number })[];
  month6Windows: (DayWindow & { lunarYear: number })[];
  month8Windows: (DayWindow & { lunarYear: number })[];
}

function overlaps(window: DayWindow, startMs: number, endMs: number): boolean {
  return Date.parse(window.startUtc) < endMs && Date.parse(window.endUtcExclusive) > startMs;
}

function buildCalendar(startDay: string, endDay: string): Calendar {
  const startMs = shopDayStartMs(startDay);
  const asOfMs = shopDayStartMs(endDay) + DAY_MS;
  const bins = Math.round((asOfMs - startMs) / HOUR_MS);

  const tetWindows = VIETNAMESE_LUNAR_YEARS.map((y) => ({
    ...dayWindow(addDays(y.tet, -MODEL.tet.daysBefore), addDays(y.tet, -1)),
    tet: y.tet,
  })).filter((w) => overlaps(w, startMs, asOfMs));
  const lunarWindows = (from: "month6" | "month7" | "month8", to: "month7" | "month8" | "month9") =>
    VIETNAMESE_LUNAR_YEARS.map((y) => ({ ...dayWindow(y[from], addDays(y[to], -1)), lunarYear: y.year }));
  const month7All = lunarWindows("month7", "month8");
  const month7Windows = month7All.filter((w) => overlaps(w, startMs, asOfMs));
  const month6Windows = lunarWindows("month6", "month7").filter((w) => overlaps(w, startMs, asOfMs));
  const month8Windows = lunarWindows("month8", "month9").filter((w) => overlaps(w, startMs, asOfMs));

  const hourMean = MODEL.hourOfDay.reduce((s, x) => s + x, 0) / 24;
  const hourOfDay = MODEL.hourOfDay.map((x) => x / hourMean);
  const raw = new Float64Array(bins);
  const days = bins / 24;
  for (let d = 0; d < days; d++) {
    const dayMs = startMs + d * DAY_MS;
    const weekday = MODEL.weekday[WEEKDAY_NAMES[shopWeekdayOf(dayMs)] ?? "Mon"];
    let season = 1;
    if (tetWindows.some((w) => inWindow(w, dayMs))) season *= MODEL.tet.multiplier;
    if (month7All.some((w) => inWindow(w, dayMs))) season *= MODEL.lunarMonth7.multiplier;
    for (let h = 0; h < 24; h++) raw[d * 24 + h] = weekday * season * (hourOfDay[h] ?? 1);
  }
  let sum = 0;
  for (const x of raw) sum += x;
  const normalisation = sum / bins;
  const weight = new Float64Array(bins);
  const opCum = new Float64Array(bins + 1);
  const acqCum = new Float64Array(bins + 1);
  const { startRate, endRate } = MODEL.acquisitionTrend;
  for (let i = 0; i < bins; i++) {
    const w = (raw[i] ?? 0) / normalisation;
    weight[i] = w;
    opCum[i + 1] = (opCum[i] ?? 0) + w / 168;
    const trend = startRate + ((endRate - startRate) * (i + 0.5)) / bins;
    acqCum[i + 1] = (acqCum[i] ?? 0) + trend * w;
  }
  return {
    startDay,
    endDay,
    startMs,
    asOfMs,
    bins,
    weight,
    opCum,
    acqCum,
    normalisation,
    hourOfDay,
    tetWindows,
    month7Windows,
    month6Windows,
    month8Windows,
  };
}

/** Largest i in [0, n-1] with cum[i] ≤ value (cum non-decreasing, length n + 1). */
function searchBin(cum: Float64Array, value: number, n: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((cum[mid] ?? 0) <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function toOperational(cal: Calendar, ms: number): number {
  const x = (ms - cal.startMs) / HOUR_MS;
  const i = Math.min(cal.bins - 1, Math.max(0, Math.floor(x)));
  return (cal.opCum[i] ?? 0) + ((x - i) * (cal.weight[i] ?? 1)) / 168;
}

function fromOperational(cal: Calendar, tau: number): number {
  const i = searchBin(cal.opCum, tau, cal.bins);
  const perHour = (cal.weight[i] ?? 1) / 168;
  return cal.startMs + (i + (tau - (cal.opCum[i] ?? 0)) / perHour) * HOUR_MS;
}

/** A time drawn with density ∝ trend × M̃ (customer acquisition, guest orders), from a uniform u. */
function sampleAcquisition(cal: Calendar, u: number): number {
  const target = u * (cal.acqCum[cal.bins] ?? 0);
  const i = searchBin(cal.acqCum, target, cal.bins);
  const lo = cal.acqCum[i] ?? 0;
  const hi = cal.acqCum[i + 1] ?? lo;
  const frac = hi > lo ? (target - lo) / (hi - lo) : 0;
  return cal.startMs + (i + frac) * HOUR_MS;
}

const floorSecond = (ms: number) => Math.floor(ms / 1000) * 1000;

/** Expected orders of one customer (first + BG/NBD repeats until the end), averaged over groups and acquisition times. */
function expectedOrdersPerCustomer(cal: Calendar): number {
  const opEnd = cal.opCum[cal.bins] ?? 0;
  let total = 0;
  let weightSum = 0;
  for (let d = 0; d < cal.bins / 24; d++) {
    const w = (cal.acqCum[d * 24 + 24] ?? 0) - (cal.acqCum[d * 24] ?? 0);
    const remaining = opEnd - ((cal.opCum[d * 24] ?? 0) + (cal.opCum[d * 24 + 24] ?? 0)) / 2;
    let perCustomer = 0;
    for (const group of MODEL.ageGroups) perCustomer += group.share * (1 + bgNbdExpectedTransactions(group.bgnbd, remaining));
    total += w * perCustomer;
    weightSum += w;
  }
  return total / weightSum;
}

// ---------------------------------------------------------------------------------------------------------------------
// Catalog at generation time

interface ProductInfo {
  index: number;
  id: number;
  key: string;
  title: string;
  category: Category;
  createdMs: number;
  /** Sold until (exclusive): deletion or archiving, else +∞. */
  saleEndMs: number;
  deletedMs: number | null;
  archivedMs: number | null;
  draft: boolean;
  line: string | null;
  tier: "standard" | "pro" | null;
  popularity: number;
  variants: VariantInfo[];
}

interface VariantInfo {
  id: number;
  product: ProductInfo;
  title: string;
  sku: string;
  prices: { fromMs: number; price: number }[];
  requiresShipping: boolean;
  isGiftCard: boolean;
}

interface Catalog {
  products: ProductInfo[];
  byCategory: Map<Category, ProductInfo[]>;
  referencePrice: Map<Category, number>;
  laptopWarranty: ProductInfo;
  desktopWarranty: ProductInfo;
  giftCard: ProductInfo;
  proByLine: Map<string, ProductInfo>;
  seedProducts: SeedProduct[];
  seedCollections: SeedCollection[];
}

function priceAt(variant: VariantInfo, ms: number): number {
  let price = variant.prices[0]?.price ?? 0;
  for (const entry of variant.prices) if (entry.fromMs <= ms) price = entry.price;
  return price;
}

function sellable(product: ProductInfo, ms: number): boolean {
  return !product.draft && product.createdMs <= ms && ms < product.saleEndMs;
}

const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

function buildCatalog(cal: Calendar): Catalog {
  const atNine = (day: string) => shopDayStartMs(day) + 9 * HOUR_MS;
  const atTen = (day: string) => shopDayStartMs(day) + 10 * HOUR_MS;
  const entries = CATALOG.filter((p) => atNine(p.createdOn) < cal.asOfMs);
  const collectionIds = new Map<CollectionKey, number>(COLLECTIONS.map((c, i) => [c.key, ID_BASE.collection + 1 + i]));
  const products: ProductInfo[] = [];
  const seedProducts: SeedProduct[] = [];
  let variantId = ID_BASE.variant;
  const collectionUpdated = new Map<CollectionKey, number>();

  entries.forEach((entry, index) => {
    const createdMs = atNine(entry.createdOn);
    const deletedMs = entry.deletedOn && atTen(entry.deletedOn) < cal.asOfMs ? atTen(entry.deletedOn) : null;
    const archivedMs = entry.archivedOn && atTen(entry.archivedOn) < cal.asOfMs ? atTen(entry.archivedOn) : null;
    const product: ProductInfo = {
      index,
      id: ID_BASE.product + 1 + index,
      key: entry.key,
      title: entry.title,
      category: entry.category,
      createdMs,
      saleEndMs: Math.min(deletedMs ?? Infinity, archivedMs ?? Infinity),
      deletedMs,
      archivedMs,
      draft: entry.draft === true,
      line: entry.line ?? null,
      tier: entry.tier ?? null,
      popularity: entry.popularity,
      variants: [],
    };
    let updatedMs = createdMs;
    const seedVariants = entry.variants.map((v) => {
      const info: VariantInfo = {
        id: ++variantId,
        product,
        title: v.title,
        sku: v.sku,
        prices: v.prices
          .map((p) => ({ fromMs: Math.max(createdMs, atNine(p.from)), price: p.price }))
          .filter((p) => p.fromMs < cal.asOfMs),
        requiresShipping: entry.requiresShipping,
        isGiftCard: entry.isGiftCard,
      };
      product.variants.push(info);
      const current = info.prices[info.prices.length - 1]?.price ?? 0;
      const previous = info.prices[info.prices.length - 2]?.price ?? null;
      for (const p of info.prices) updatedMs = Math.max(updatedMs, p.fromMs);
      const status = product.draft ? "DRAFT" : archivedMs !== null || deletedMs !== null ? "ARCHIVED" : "ACTIVE";
      return {
        id: info.id,
        title: v.title,
        sku: v.sku,
        price: current,
        compareAtPrice: previous !== null && previous > current ? previous : null,
        unitCost: v.costRatio === null ? null : Math.round((current * v.costRatio) / 1000) * 1000,
        inventoryQuantity: v.inventoryQuantity,
        availableForSale: status === "ACTIVE" && (v.inventoryQuantity > 0 || !entry.requiresShipping),
      };
    });
    updatedMs = Math.max(updatedMs, deletedMs ?? 0, archivedMs ?? 0);
    products.push(product);
    for (const key of entry.collections) collectionUpdated.set(key, Math.max(collectionUpdated.get(key) ?? 0, createdMs));
    seedProducts.push({
      id: product.id,
      title: entry.title,
      handle: entry.key,
      productType: entry.productType,
      vendor: entry.vendor,
      tags: [...entry.tags],
      status: product.draft ? "DRAFT" : archivedMs !== null || deletedMs !== null ? "ARCHIVED" : "ACTIVE",
      createdAt: iso(createdMs),
      updatedAt: iso(updatedMs),
      deletedAt: deletedMs === null ? null : iso(deletedMs),
      collectionIds: entry.collections.map((key) => collectionIds.get(key) ?? 0),
      variants: seedVariants,
    });
  });

  const byCategory = new Map<Category, ProductInfo[]>();
  for (const p of products) {
    if (p.draft) continue;
    const list = byCategory.get(p.category) ?? [];
    list.push(p);
    byCategory.set(p.category, list);
  }
  const referencePrice = new Map<Category, number>();
  for (const [category, list] of byCategory) {
    let logSum = 0;
    let n = 0;
    for (const p of list)
      for (const v of p.variants) {
        logSum += Math.log(v.prices[0]?.price ?? 1);
        n++;
      }
    referencePrice.set(category, Math.exp(logSum / n));
  }
  const byKey = (key: string) => {
    const found = products.find((p) => p.key === key);
    if (!found) throw new Error(`catalog: missing ${key}`);
    return found;
  };
  const proByLine = new Map<string, ProductInfo>();
  for (const p of products) if (p.tier === "pro" && p.line && !p.draft) proByLine.set(p.line, p);

  const seedCollections: SeedCollection[] = COLLECTIONS.map((c) => ({
    id: collectionIds.get(c.key) ?? 0,
    title: c.title,
    handle: slug(c.title),
    updatedAt: iso(collectionUpdated.get(c.key) ?? Math.min(...products.map((p) => p.createdMs))),
  }));

  return {
    products,
    byCategory,
    referencePrice,
    laptopWarranty: byKey("vietcare-plus-laptop-extended-warranty"),
    desktopWarranty: byKey("vietcare-plus-desktop-extended-warranty"),
    giftCard: byKey("insight-loop-demo-gift-card"),
    proByLine,
    seedProducts,
    seedCollections,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Orders as planned (compact; turned into SeedOrder on demand)

interface PlannedLine {
  variant: VariantInfo | null;
  customTitle: string | null;
  quantity: number;
  unitPrice: number;
  discount: number;
}

interface PlannedRefund {
  at: number;
  lines: { index: number; quantity: number }[];
  amount: number;
  full: boolean;
}

interface PlannedOrder {
  t: number;
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
  /** Index into the simulated customers, or -1 (guest / test). */
  customer: number;
  kind: number;
  /** Age group index, or -1. */
  group: number;
  source: string;
  codes: readonly string[];
  lines: PlannedLine[];
  refund: PlannedRefund | null;
  budget: number;
  newAnchor: boolean;
  firstLineId: number;
  refundId: number;
}

interface SimCustomer {
  group: number;
  createdAt: number;
  firstOrderAt: number;
  lambda: number;
  p: number;
  nu: number;
  died: boolean;
  /** Time of the repeat purchase after which the customer died (+∞ if alive at the end). */
  deathTime: number;
  upgrader: boolean;
  delayDays: number;
  standardPurchaseAt: number | null;
  upgradeAt: number | null;
  locale: string;
  countryCode: string | null;
  emailMarketingState: SeedCustomer["emailMarketingState"];
  tags: string[];
  orders: PlannedOrder[];
}

interface Profile {
  categoryMix: Mix;
  newProductBoost: number;
}

interface Context {
  seed: number;
  cal: Calendar;
  catalog: Catalog;
  promotion: DayWindow;
}

const NO_CODES: readonly string[] = [];
const PROMO_CODES: readonly string[] = [MODEL.promotion.code];
const WELCOME_CODES: readonly string[] = [MODEL.welcome.code];
const ANCHOR_LIST: readonly AnchorCategory[] = ANCHOR_CATEGORIES;

function roundThousand(x: number): number {
  return Math.round(x / 1000) * 1000;
}

function chooseProduct(
  ctx: Context,
  rng: Rng,
  category: Category,
  t: number,
  budget: number,
  boost: number,
  excludeLines: Set<string> | null,
): ProductInfo | null {
  const list = ctx.catalog.byCategory.get(category) ?? [];
  const target = ((ctx.catalog.referencePrice.get(category) ?? 1) * budget) / MODEL.referenceBudget;
  const newMs = MODEL.newProductDays * DAY_MS;
  const candidates: ProductInfo[] = [];
  const weights: number[] = [];
  for (const product of list) {
    if (!sellable(product, t)) continue;
    if (excludeLines && product.line && excludeLines.has(product.line)) continue;
    const first = product.variants[0];
    if (!first) continue;
    const fit = Math.log(priceAt(first, t) / target);
    let w = product.popularity * Math.exp(-(fit * fit) / (2 * MODEL.priceFitSigma * MODEL.priceFitSigma));
    if (t - product.createdMs < newMs) w *= boost;
    candidates.push(product);
    weights.push(Math.max(w, 1e-300));
  }
  if (candidates.length === 0) return null;
  return candidates[rng.weightedIndex(weights)] ?? null;
}

function lineOf(variant: VariantInfo, t: number, quantity: number): PlannedLine {
  return { variant, customTitle: null, quantity, unitPrice: priceAt(variant, t), discount: 0 };
}

function accessoryQuantity(rng: Rng, category: Category, withDesktop: boolean): number {
  if (category === "monitor") {
    return rng.bernoulli(withDesktop ? MODEL.quantity.monitorWithDesktopTwoShare : MODEL.quantity.monitorTwoShare) ? 2 : 1;
  }
  if (category === "laptop" || category === "desktop" || category === "warranty" || category === "giftcard") return 1;
  return rng.bernoulli(MODEL.quantity.accessoryTwoShare) ? 2 : 1;
}

interface Basket {
  lines: PlannedLine[];
  codes: readonly string[];
  newAnchor: boolean;
  anchor: VariantInfo;
}

/**
 * One order's lines. The anchor is `forced` (an upgrade) or drawn from the profile's category mix and the budget; the
 * attach rules and add-ons follow. `owned` (registered customers) stops a second laptop of a line already owned.
 */
function buildBasket(
  ctx: Context,
  rng: Rng,
  t: number,
  profile: Profile,
  budget: number,
  owned: Set<string> | null,
  firstOrder: boolean,
  forced: VariantInfo | null,
): Basket {
  let anchor = forced;
  if (!anchor) {
    // Draw a category from the mix; a category with nothing to sell (e.g. every laptop line already owned) is dropped
    // from the mix and the draw repeated.
    const weights = ANCHOR_LIST.map((c) => profile.categoryMix[c]);
    while (!anchor) {
      if (!weights.some((w) => w > 0)) throw new Error(`no sellable product at ${iso(t)}`);
      const index = rng.weightedIndex(weights);
      const category = ANCHOR_LIST[index] ?? "mouse";
      const product = chooseProduct(ctx, rng, category, t, budget, profile.newProductBoost, category === "laptop" ? owned : null);
      if (product) anchor = rng.pick(product.variants);
      else weights[index] = 0;
    }
  }
  const anchorCategory = anchor.product.category;
  const lines: PlannedLine[] = [lineOf(anchor, t, accessoryQuantity(rng, anchorCategory, false))];
  let codes = NO_CODES;

  const add = (category: Category, withDesktop: boolean): PlannedLine | null => {
    const product = chooseProduct(ctx, rng, category, t, budget, profile.newProductBoost, null);
    if (!product) return null;
    const line = lineOf(rng.pick(product.variants), t, accessoryQuantity(rng, category, withDesktop));
    lines.push(line);
    return line;
  };
  const addWarranty = (product: ProductInfo) => {
    if (!sellable(product, t)) return;
    const variant = product.variants[rng.bernoulli(MODEL.warranty24MonthShare) ? 1 : 0] ?? product.variants[0];
    if (variant) lines.push(lineOf(variant, t, 1));
  };

  if (anchorCategory === "laptop") {
    const promo = inWindow(ctx.promotion, t);
    if (rng.bernoulli(promo ? MODEL.promotion.attachRate : MODEL.attach.laptop.mouse)) {
      const mouse = add("mouse", false);
      if (mouse && promo) {
        mouse.discount = roundThousand((mouse.unitPrice * mouse.quantity * MODEL.promotion.mousePercentOff) / 100);
        codes = PROMO_CODES;
      }
    }
    if (rng.bernoulli(MODEL.attach.laptop.bag)) add("bag", false);
    if (rng.bernoulli(MODEL.attach.laptop.warranty)) addWarranty(ctx.catalog.laptopWarranty);
  } else if (anchorCategory === "desktop") {
    const rates = MODEL.attach.desktop;
    if (rng.bernoulli(rates.keyboard)) add("keyboard", true);
    if (rng.bernoulli(rates.mouse)) add("mouse", true);
    if (rng.bernoulli(rates.headset)) add("headset", true);
    if (rng.bernoulli(rates.monitor)) add("monitor", true);
    if (rng.bernoulli(rates.warranty)) addWarranty(ctx.catalog.desktopWarranty);
  } else {
    for (const category of ACCESSORY_CATEGORIES) {
      if (category !== anchorCategory && rng.bernoulli(MODEL.background[category])) add(category, false);
    }
  }
  if (rng.bernoulli(MODEL.giftCardLineRate) && sellable(ctx.catalog.giftCard, t)) {
    lines.push(lineOf(rng.pick(ctx.catalog.giftCard.variants), t, 1));
  }
  if (rng.bernoulli(MODEL.customLineRate)) {
    const custom = rng.pick(CUSTOM_LINES);
    lines.push({ variant: null, customTitle: custom.title, quantity: 1, unitPrice: rng.pick(custom.prices), discount: 0 });
  }
  if (codes === NO_CODES && owned && firstOrder && rng.bernoulli(MODEL.welcome.rate)) {
    const first = lines[0];
    if (first) {
      first.discount = roundThousand((first.unitPrice * first.quantity * MODEL.welcome.percentOff) / 100);
      codes = WELCOME_CODES;
    }
  }
  const newAnchor = t - anchor.product.createdMs < MODEL.newProductDays * DAY_MS;
  return { lines, codes, newAnchor, anchor };
}

function orderTotal(lines: PlannedLine[]): number {
  let total = 0;
  for (const line of lines) total += line.unitPrice * line.quantity - line.discount;
  return total;
}

/** Wraps a basket into an order: source, timestamps, cancellation and refund noise. */
function planOrder(
  ctx: Context,
  rng: Rng,
  t: number,
  basket: Basket,
  meta: { customer: number; kind: number; group: number; budget: number; test: boolean },
): PlannedOrder {
  const asOfLast = ctx.cal.asOfMs - 1000;
  const clamp = (ms: number) => Math.max(t, Math.min(floorSecond(ms), asOfLast));
  const sources = MODEL.noise.sources;
  const source = meta.test
    ? "shopify_draft_order"
    : rng.weightedChoice(["web", "pos", "shopify_draft_order"], [sources.web, sources.pos, sources.shopify_draft_order]);
  let createdAt = t;
  if (source === "pos" && rng.bernoulli(MODEL.noise.posCreatedLater)) createdAt = clamp(t + rng.between(60_000, 7_200_000));
  let updatedAt = Math.max(createdAt, clamp(t + rng.between(2 * HOUR_MS, 72 * HOUR_MS)));
  let cancelledAt: number | null = null;
  let refund: PlannedRefund | null = null;
  if (!meta.test) {
    if (rng.bernoulli(MODEL.noise.cancelled)) {
      cancelledAt = clamp(t + rng.between(HOUR_MS / 2, 48 * HOUR_MS));
      updatedAt = Math.max(updatedAt, cancelledAt);
    } else if (rng.bernoulli(MODEL.noise.refunded)) {
      const at = clamp(t + rng.between(DAY_MS, 21 * DAY_MS));
      const lines = basket.lines;
      if (rng.bernoulli(MODEL.noise.fullRefundShare)) {
        refund = { at, lines: lines.map((l, index) => ({ index, quantity: l.quantity })), amount: orderTotal(lines), full: true };
      } else if (lines.length > 1 || (lines[0]?.quantity ?? 0) > 1) {
        // Partial: one unit of one line comes back.
        const index = rng.int(0, lines.length - 1);
        const line = lines[index];
        if (line) {
          const net = line.unitPrice * line.quantity - line.discount;
          refund = { at, lines: [{ index, quantity: 1 }], amount: Math.round(net / line.quantity), full: false };
        }
      } else {
        // Partial on a single-unit order: a price adjustment (amount only, no line returned).
        const amount = roundThousand(orderTotal(lines) * rng.between(0.05, 0.2));
        refund = { at, lines: [], amount, full: false };
      }
      if (refund) updatedAt = Math.max(updatedAt, refund.at);
    }
  }
  return {
    t,
    createdAt,
    updatedAt,
    cancelledAt,
    customer: meta.customer,
    kind: meta.kind,
    group: meta.group,
    source,
    codes: basket.codes,
    lines: basket.lines,
    refund,
    budget: meta.budget,
    newAnchor: basket.newAnchor,
    firstLineId: 0,
    refundId: 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Customers

function drawCountry(rng: Rng): string | null {
  const entries = Object.entries(MODEL.countries);
  const [code] = entries[rng.weightedIndex(entries.map(([, w]) => w))] ?? ["VN"];
  return code === "none" ? null : code;
}

function drawAttributes(rng: Rng, group: AgeGroupModel) {
  const locale = rng.bernoulli(group.englishLocaleShare) ? "en" : "vi";
  const countryCode = drawCountry(rng);
  const states = Object.entries(MODEL.emailMarketing) as [SeedCustomer["emailMarketingState"], number][];
  const emailMarketingState = states[rng.weightedIndex(states.map(([, w]) => w))]?.[0] ?? "NOT_SUBSCRIBED";
  const tags = [group.tag];
  if (rng.bernoulli(group.studentTagShare)) tags.push("student");
  return { locale, countryCode, emailMarketingState, tags };
}

function groupModel(index: number): AgeGroupModel {
  const group = MODEL.ageGroups[index];
  if (!group) throw new Error(`no age group ${index}`);
  return group;
}

/** One customer: attributes, BG/NBD timeline, and all their orders (with the planted upgrade, if any). */
function simulateCustomer(ctx: Context, index: number): SimCustomer {
  const { cal } = ctx;
  const rng = new Rng(ctx.seed, STREAM.customer, index);
  const groupIndex = rng.weightedIndex(MODEL.ageGroups.map((g) => g.share));
  const group = groupModel(groupIndex);
  const firstOrderAt = floorSecond(sampleAcquisition(cal, rng.uniform()));
  const lambda = rng.gamma(group.bgnbd.r, group.bgnbd.alpha);
  const p = rng.beta(group.bgnbd.a, group.bgnbd.b);
  const nu = rng.gamma(group.gammaGamma.q, group.gammaGamma.gamma);
  const upgrader = rng.bernoulli(MODEL.upgrade.share);
  const delayDays = rng.between(MODEL.upgrade.delayMinDays, MODEL.upgrade.delayMaxDays);
  const attributes = drawAttributes(rng, group);
  // Account opened 1–30 min before the first order (75 %) or 1–90 days before it, never before the history starts.
  const lead = rng.bernoulli(0.75) ? rng.between(60_000, 30 * 60_000) : rng.between(DAY_MS, 90 * DAY_MS);
  const available = firstOrderAt - cal.startMs;
  const createdAt = floorSecond(firstOrderAt - (lead <= available ? lead : rng.uniform() * available));

  const opEnd = cal.opCum[cal.bins] ?? 0;
  const { taus, died } = drawRepeatPurchases(rng, lambda, p, toOperational(cal, firstOrderAt), opEnd);
  const times = [firstOrderAt, ...taus.map((tau) => Math.min(floorSecond(fromOperational(cal, tau)), cal.asOfMs - 1000))];
  const deathTime = died ? (times[times.length - 1] ?? Infinity) : Infinity;

  const customer: SimCustomer = {
    group: groupIndex,
    createdAt: Math.max(createdAt, cal.startMs),
    firstOrderAt,
    lambda,
    p,
    nu,
    died,
    deathTime,
    upgrader,
    delayDays,
    standardPurchaseAt: null,
    upgradeAt: null,
    ...attributes,
    orders: [],
  };
  const owned = new Set<string>();
  let pendingUpgrade: { at: number; variant: VariantInfo } | null = null;
  let next = 0;
  while (next < times.length || pendingUpgrade) {
    const regular = times[next];
    const upgrade: { at: number; variant: VariantInfo } | null = pendingUpgrade;
    const isUpgrade = upgrade !== null && (regular === undefined || upgrade.at <= regular);
    const t = isUpgrade && upgrade ? upgrade.at : (regular ?? 0);
    if (isUpgrade) pendingUpgrade = null;
    else next++;
    const budget = rng.gamma(group.gammaGamma.p, nu);
    const basket = buildBasket(
      ctx,
      rng,
      t,
      group,
      budget,
      owned,
      customer.orders.length === 0,
      isUpgrade && upgrade ? upgrade.variant : null,
    );
    const kind = isUpgrade ? KIND.upgrade : customer.orders.length === 0 ? KIND.first : KIND.repeat;
    customer.orders.push(planOrder(ctx, rng, t, basket, { customer: index, kind, group: groupIndex, budget, test: false }));
    const product = basket.anchor.product;
    if (product.line) owned.add(product.line);
    if (!isUpgrade && product.tier === "standard" && product.line && customer.standardPurchaseAt === null) {
      customer.standardPurchaseAt = t;
      const at = floorSecond(t + delayDays * DAY_MS);
      customer.upgradeAt = at;
      const pro = ctx.catalog.proByLine.get(product.line);
      if (upgrader && pro && at < cal.asOfMs && at <= deathTime && sellable(pro, at)) {
        const sameColour = pro.variants.find((v) => v.title === basket.anchor.title) ?? pro.variants[0];
        if (sameColour) pendingUpgrade = { at, variant: sameColour };
      }
    }
  }
  return customer;
}

// ---------------------------------------------------------------------------------------------------------------------
// Planning the whole store

export interface DemoPlan {
  shop: SeedShop;
  collections: SeedCollection[];
  products: SeedProduct[];
  customers: SeedCustomer[];
  orderCount: number;
  /** The i-th order (processedAt order) as a SeedOrder; built on demand so large stores can be streamed. */
  orderAt(index: number): SeedOrder;
  truth: DemoTruth;
}

function resolveOptions(options: DemoStoreOptions) {
  const start = options.start ?? MODEL.defaults.start;
  const end = options.end ?? MODEL.defaults.end;
  const domain = options.domain ?? MODEL.defaults.domain;
  if (!Number.isSafeInteger(options.seed)) throw new RangeError(`seed must be an integer (got ${options.seed})`);
  if (!Number.isSafeInteger(options.orders) || options.orders < 1) {
    throw new RangeError(`orders must be a positive integer (got ${options.orders})`);
  }
  shopDayStartMs(start);
  shopDayStartMs(end);
  if (start < LUNAR_TABLE_RANGE.first || end > LUNAR_TABLE_RANGE.last) {
    throw new RangeError(`the history must lie within ${LUNAR_TABLE_RANGE.first}..${LUNAR_TABLE_RANGE.last} (the lunar table)`);
  }
  if (shopDayStartMs(end) - shopDayStartMs(start) < 27 * DAY_MS) throw new RangeError("the history must span at least 28 days");
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(domain)) throw new RangeError(`not a myshopify.com domain: ${domain}`);
  return { seed: options.seed, orders: options.orders, start, end, domain };
}

/** Plans the whole store (customers, orders, truth) without materialising the orders. */
export function planDemoStore(options: DemoStoreOptions): DemoPlan {
  const resolved = resolveOptions(options);
  const cal = buildCalendar(resolved.start, resolved.end);
  const catalog = buildCatalog(cal);
  const promotion = dayWindow(MODEL.promotion.start, MODEL.promotion.end);
  const ctx: Context = { seed: resolved.seed, cal, catalog, promotion };

  // Volume: exact counts of guest and test orders; customers fill the rest.
  const guestOrders = Math.round(MODEL.guest.share * resolved.orders);
  const testOrders = Math.round(MODEL.testShare * resolved.orders);
  const customerOrdersTarget = resolved.orders - guestOrders - testOrders;
  const perCustomer = expectedOrdersPerCustomer(cal);
  const plannedCustomers = Math.max(1, Math.round(customerOrdersTarget / perCustomer));

  const customers: SimCustomer[] = [];
  let customerOrders = 0;
  while (customerOrders < customerOrdersTarget) {
    const customer = simulateCustomer(ctx, customers.length);
    customers.push(customer);
    customerOrders += customer.orders.length;
  }
  // Drop the latest orders of the last customer to land exactly on the target (treated as the customer's death).
  const dropped = customerOrders - customerOrdersTarget;
  const last = customers[customers.length - 1];
  if (last && dropped > 0) {
    last.orders.length -= dropped;
    const lastKept = last.orders[last.orders.length - 1]?.t ?? last.firstOrderAt;
    last.died = true;
    last.deathTime = Math.min(last.deathTime, lastKept);
    if (last.standardPurchaseAt !== null && last.standardPurchaseAt > lastKept) {
      last.standardPurchaseAt = null;
      last.upgradeAt = null;
    }
  }

  const orders: PlannedOrder[] = [];
  for (const customer of customers) for (const order of customer.orders) orders.push(order);
  for (let j = 0; j < guestOrders; j++) {
    const rng = new Rng(ctx.seed, STREAM.guest, j);
    const t = floorSecond(sampleAcquisition(cal, rng.uniform()));
    const { p, q, gamma } = MODEL.guest.gammaGamma;
    const budget = rng.gamma(p, rng.gamma(q, gamma));
    const basket = buildBasket(ctx, rng, t, { categoryMix: MODEL.guest.categoryMix, newProductBoost: 1 }, budget, null, true, null);
    orders.push(planOrder(ctx, rng, t, basket, { customer: -1, kind: KIND.guest, group: -1, budget, test: false }));
  }
  for (let j = 0; j < testOrders; j++) {
    const rng = new Rng(ctx.seed, STREAM.test, j);
    const t = floorSecond(cal.startMs + rng.uniform() * (cal.asOfMs - cal.startMs));
    const uniformMix = Object.fromEntries(ANCHOR_CATEGORIES.map((c) => [c, 1])) as Mix;
    const basket = buildBasket(ctx, rng, t, { categoryMix: uniformMix, newProductBoost: 1 }, MODEL.referenceBudget, null, false, null);
    basket.lines.length = 1; // staff test orders: one line
    basket.codes = NO_CODES;
    for (const line of basket.lines) line.discount = 0;
    orders.push(planOrder(ctx, rng, t, basket, { customer: -1, kind: KIND.test, group: -1, budget: 0, test: true }));
  }
  // Processed order; ties keep generation order (Array.prototype.sort is stable).
  orders.sort((x, y) => x.t - y.t);
  let lineId = ID_BASE.lineItem;
  let refundId = ID_BASE.refund;
  for (const order of orders) {
    order.firstLineId = lineId + 1;
    lineId += order.lines.length;
    if (order.refund) order.refundId = ++refundId;
  }

  // Prospects (registered, never ordered) and customer ids in createdAt order.
  const prospects = Math.round(MODEL.prospectShare * customers.length);
  const customerRecords = buildCustomers(ctx, customers, orders, prospects);

  const truth = buildTruth(ctx, resolved, {
    customers,
    orders,
    guestOrders,
    testOrders,
    customerOrdersTarget,
    perCustomer,
    plannedCustomers,
    dropped,
    prospects,
    customerRecords,
  });

  const shop: SeedShop = {
    id: MODEL.shop.id,
    domain: resolved.domain,
    name: MODEL.shop.name,
    currencyCode: MODEL.shop.currencyCode,
    ianaTimezone: MODEL.shop.ianaTimezone,
    locales: [...MODEL.shop.locales],
    plan: MODEL.shop.plan,
  };
  const customerIds = customerRecords.idBySimIndex;
  return {
    shop,
    collections: catalog.seedCollections,
    products: catalog.seedProducts,
    customers: customerRecords.records,
    orderCount: orders.length,
    orderAt: (index) => {
      const order = orders[index];
      if (!order) throw new RangeError(`no order ${index}`);
      return materialiseOrder(order, index, customerIds);
    },
    truth,
  };
}

/** The whole store and its truth in memory. For very large stores use `planDemoStore` and stream `orderAt`. */
export function generateDemoStore(options: DemoStoreOptions): { store: SeedStore; truth: DemoTruth } {
  const plan = planDemoStore(options);
  const orders: SeedOrder[] = new Array<SeedOrder>(plan.orderCount);
  for (let i = 0; i < plan.orderCount; i++) orders[i] = plan.orderAt(i);
  return {
    store: { shop: plan.shop, collections: plan.collections, products: plan.products, customers: plan.customers, orders },
    truth: plan.truth,
  };
}

function materialiseOrder(order: PlannedOrder, index: number, customerIds: Int32Array): SeedOrder {
  const lineItems: SeedLineItem[] = order.lines.map((line, i) => {
    const variant = line.variant;
    const live = variant !== null && variant.product.deletedMs === null;
    return {
      id: order.firstLineId + i,
      productId: live && variant ? variant.product.id : null,
      variantId: live && variant ? variant.id : null,
      title: variant ? variant.product.title : (line.customTitle ?? "Custom item"),
      variantTitle: variant && variant.title !== "Default Title" ? variant.title : null,
      sku: variant ? variant.sku : null,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
      totalDiscount: line.discount,
      isGiftCard: variant ? variant.isGiftCard : false,
      requiresShipping: variant ? variant.requiresShipping : false,
    };
  });
  let subtotal = 0;
  let totalDiscounts = 0;
  for (const line of order.lines) {
    subtotal += line.unitPrice * line.quantity - line.discount;
    totalDiscounts += line.discount;
  }
  const refunds: SeedRefund[] = order.refund
    ? [
        {
          id: order.refundId,
          createdAt: iso(order.refund.at),
          lineItems: order.refund.lines.map((l) => ({ lineItemId: order.firstLineId + l.index, quantity: l.quantity })),
          amount: order.refund.amount,
        },
      ]
    : [];
  return {
    id: ID_BASE.order + 1 + index,
    name: `#${1001 + index}`,
    createdAt: iso(order.createdAt),
    processedAt: iso(order.t),
    updatedAt: iso(order.updatedAt),
    cancelledAt: order.cancelledAt === null ? null : iso(order.cancelledAt),
    test: order.kind === KIND.test,
    sourceName: order.source,
    customerId: order.customer >= 0 ? (customerIds[order.customer] ?? null) : null,
    discountCodes: [...order.codes],
    subtotal,
    totalDiscounts,
    total: subtotal,
    lineItems,
    refunds,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Customer records (with the stand-in RFM group and predicted spend tier)

interface CustomerStats {
  orders: number;
  lastOrderAt: number;
  lastActivityAt: number;
  spendLastYear: number;
}

/**
 * A stand-in for Shopify's RFM group (R = days since the last order, F = orders, both as of the end of the history,
 * test and cancelled orders excluded). Not Shopify's algorithm; documented in truth.customerAttributes.
 */
function rfmGroup(orders: number, recencyDays: number): string {
  if (orders === 0) return "PROSPECTS";
  if (recencyDays <= 30 && orders === 1) return "NEW";
  if (recencyDays <= 60 && orders >= 4) return "CHAMPIONS";
  if (recencyDays <= 120 && orders >= 3) return "LOYAL";
  if (recencyDays <= 90 && orders === 2) return "PROMISING";
  if (recencyDays <= 180 && orders >= 2) return "ACTIVE";
  if (recencyDays <= 180) return "NEEDS_ATTENTION";
  if (orders >= 5) return "PREVIOUSLY_LOYAL";
  if (orders >= 3) return "AT_RISK";
  if (recencyDays <= 365) return "ALMOST_LOST";
  return "DORMANT";
}

const RFM_RULE =
  "Stand-in for Shopify's CustomerRfmGroup, from F = non-test non-cancelled orders and R = days from the last one to the " +
  "end of the history: no orders → PROSPECTS; R≤30 & F=1 → NEW; R≤60 & F≥4 → CHAMPIONS; R≤120 & F≥3 → LOYAL; " +
  "R≤90 & F=2 → PROMISING; R≤180 & F≥2 → ACTIVE; R≤180 → NEEDS_ATTENTION; F≥5 → PREVIOUSLY_LOYAL; F≥3 → AT_RISK; " +
  "R≤365 → ALMOST_LOST; else DORMANT. null for customers created in the last 2 days (not yet computed).";
const SPEND_TIER_RULE =
  "Stand-in for Shopify's predictedSpendTier, from net spend (total − refunds) over the last 365 days: 0 → LOW; the top " +
  "20 % of the positive spenders → HIGH; the rest → MEDIUM. null for prospects and customers created in the last 2 days.";

function buildCustomers(ctx: Context, customers: SimCustomer[], orders: PlannedOrder[], prospects: number) {
  const { cal } = ctx;
  const stats: CustomerStats[] = customers.map((c) => ({ orders: 0, lastOrderAt: -Infinity, lastActivityAt: c.createdAt, spendLastYear: 0 }));
  const yearAgo = cal.asOfMs - 365 * DAY_MS;
  for (const order of orders) {
    const s = order.customer >= 0 ? stats[order.customer] : undefined;
    if (!s) continue;
    s.lastActivityAt = Math.max(s.lastActivityAt, order.t);
    if (order.cancelledAt !== null) continue;
    s.orders++;
    s.lastOrderAt = Math.max(s.lastOrderAt, order.t);
    if (order.t >= yearAgo) s.spendLastYear += orderTotal(order.lines) - (order.refund?.amount ?? 0);
  }
  const positive = stats.map((s) => s.spendLastYear).filter((x) => x > 0).sort((a, b) => b - a);
  const highThreshold = positive[Math.max(0, Math.ceil(positive.length * 0.2) - 1)] ?? Infinity;

  interface Draft {
    createdAt: number;
    simIndex: number;
    record: Omit<SeedCustomer, "id">;
  }
  const drafts: Draft[] = customers.map((c, simIndex) => {
    const s = stats[simIndex] ?? { orders: 0, lastOrderAt: -Infinity, lastActivityAt: c.createdAt, spendLastYear: 0 };
    const recent = c.createdAt >= cal.asOfMs - 2 * DAY_MS;
    const recencyDays = (cal.asOfMs - s.lastOrderAt) / DAY_MS;
    return {
      createdAt: c.createdAt,
      simIndex,
      record: {
        createdAt: iso(c.createdAt),
        updatedAt: iso(Math.max(c.createdAt, s.lastActivityAt)),
        tags: c.tags,
        locale: c.locale,
        countryCode: c.countryCode,
        emailMarketingState: c.emailMarketingState,
        rfmGroup: recent ? null : rfmGroup(s.orders, recencyDays),
        predictedSpendTier: recent ? null : s.spendLastYear <= 0 ? "LOW" : s.spendLastYear >= highThreshold ? "HIGH" : "MEDIUM",
      },
    };
  });
  for (let j = 0; j < prospects; j++) {
    const rng = new Rng(ctx.seed, STREAM.prospect, j);
    const groupIndex = rng.weightedIndex(MODEL.ageGroups.map((g) => g.share));
    const createdAt = floorSecond(sampleAcquisition(cal, rng.uniform()));
    const attributes = drawAttributes(rng, groupModel(groupIndex));
    const recent = createdAt >= cal.asOfMs - 2 * DAY_MS;
    drafts.push({
      createdAt,
      simIndex: -1,
      record: {
        createdAt: iso(createdAt),
        updatedAt: iso(createdAt),
        ...attributes,
        rfmGroup: recent ? null : "PROSPECTS",
        predictedSpendTier: null,
      },
    });
  }
  drafts.sort((a, b) => a.createdAt - b.createdAt);
  const idBySimIndex = new Int32Array(customers.length);
  const records: SeedCustomer[] = drafts.map((draft, i) => {
    const id = ID_BASE.customer + 1 + i;
    if (draft.simIndex >= 0) idBySimIndex[draft.simIndex] = id;
    return { id, ...draft.record };
  });
  return { records, idBySimIndex };
}

// ---------------------------------------------------------------------------------------------------------------------
// Truth

const bump = (counts: Float64Array, index: number) => {
  counts[index] = (counts[index] ?? 0) + 1;
};
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const ratio = (a: number, b: number) => (b > 0 ? round4(a / b) : 0);

function gammaGammaTruth(g: { p: number; q: number; gamma: number }): GammaGammaParams {
  return { ...g, meanBudget: Math.round((g.p * g.gamma) / (g.q - 1)) };
}

function orderCategories(order: PlannedOrder): Set<Category> {
  const set = new Set<Category>();
  for (const line of order.lines) if (line.variant) set.add(line.variant.product.category);
  return set;
}

interface TruthInputs {
  customers: SimCustomer[];
  orders: PlannedOrder[];
  guestOrders: number;
  testOrders: number;
  customerOrdersTarget: number;
  perCustomer: number;
  plannedCustomers: number;
  dropped: number;
  prospects: number;
  customerRecords: { records: SeedCustomer[] };
}

function buildTruth(
  ctx: Context,
  options: { seed: number; orders: number; start: string; end: string; domain: string },
  input: TruthInputs,
): DemoTruth {
  const { cal, catalog, promotion } = ctx;
  const { customers, orders } = input;

  // One pass over the orders.
  const groupCount = MODEL.ageGroups.length;
  const perGroup = Array.from({ length: groupCount }, () => ({
    orders: 0,
    nonCancelled: 0,
    totalSum: 0,
    newAnchors: 0,
    laptopAnchors: 0,
    proAnchors: 0,
    budgetSum: 0,
  }));
  const rules: { from: Category; to: Category; probability: number; note?: string }[] = [
    { from: "laptop", to: "mouse", probability: MODEL.attach.laptop.mouse, note: `outside the ${MODEL.promotion.code} window` },
    { from: "laptop", to: "bag", probability: MODEL.attach.laptop.bag },
    { from: "laptop", to: "warranty", probability: MODEL.attach.laptop.warranty, note: "the laptop warranty product" },
    { from: "desktop", to: "keyboard", probability: MODEL.attach.desktop.keyboard },
    { from: "desktop", to: "mouse", probability: MODEL.attach.desktop.mouse },
    { from: "desktop", to: "headset", probability: MODEL.attach.desktop.headset },
    { from: "desktop", to: "monitor", probability: MODEL.attach.desktop.monitor },
    { from: "desktop", to: "warranty", probability: MODEL.attach.desktop.warranty, note: "the desktop warranty product" },
  ];
  const ruleCounts = rules.map(() => ({ from: 0, both: 0 }));
  const promo = { inLaptop: 0, inMouse: 0, inCode: 0, outLaptop: 0, outMouse: 0 };
  const noise = { guest: 0, test: 0, cancelled: 0, refunded: 0, full: 0, gift: 0, custom: 0, deleted: 0, createdLater: 0 };
  const weekdayOrders = new Float64Array(7);
  let lineItems = 0;
  let grossSales = 0;
  let discounts = 0;
  let refunded = 0;
  let totalSum = 0;
  let nonCancelledCount = 0;
  const budgets: number[] = [];
  const totals: number[] = [];

  for (const order of orders) {
    lineItems += order.lines.length;
    for (const line of order.lines) {
      grossSales += line.unitPrice * line.quantity;
      discounts += line.discount;
    }
    if (order.refund) refunded += order.refund.amount;
    if (order.kind === KIND.test) {
      noise.test++;
      continue;
    }
    if (order.customer < 0) noise.guest++;
    if (order.cancelledAt !== null) noise.cancelled++;
    if (order.refund) {
      noise.refunded++;
      if (order.refund.full) noise.full++;
    }
    if (order.lines.some((l) => l.variant?.isGiftCard)) noise.gift++;
    if (order.lines.some((l) => l.variant === null)) noise.custom++;
    if (order.lines.some((l) => l.variant !== null && l.variant.product.deletedMs !== null)) noise.deleted++;
    if (order.createdAt > order.t) noise.createdLater++;
    bump(weekdayOrders, shopWeekdayOf(order.t));

    const total = orderTotal(order.lines);
    if (order.cancelledAt === null) {
      totalSum += total;
      nonCancelledCount++;
      if (order.customer >= 0) {
        budgets.push(order.budget);
        totals.push(total);
      }
    }
    const categories = orderCategories(order);
    rules.forEach((rule, i) => {
      if (!categories.has(rule.from)) return;
      if (rule.from === "laptop" && rule.to === "mouse" && inWindow(promotion, order.t)) return;
      const counts = ruleCounts[i];
      if (!counts) return;
      counts.from++;
      if (categories.has(rule.to)) counts.both++;
    });
    if (categories.has("laptop")) {
      if (inWindow(promotion, order.t)) {
        promo.inLaptop++;
        if (categories.has("mouse")) promo.inMouse++;
        if (order.codes.includes(MODEL.promotion.code)) promo.inCode++;
      } else {
        promo.outLaptop++;
        if (categories.has("mouse")) promo.outMouse++;
      }
    }
    const g = order.group >= 0 ? perGroup[order.group] : undefined;
    if (g) {
      g.orders++;
      g.budgetSum += order.budget;
      if (order.newAnchor) g.newAnchors++;
      const anchor = order.lines[0]?.variant?.product;
      if (anchor?.category === "laptop") {
        g.laptopAnchors++;
        if (anchor.tier === "pro") g.proAnchors++;
      }
      if (order.cancelledAt === null) {
        g.nonCancelled++;
        g.totalSum += total;
      }
    }
  }

  // Customers: groups, BG/NBD realised, upgrades.
  const groupCustomers = Array.from({ length: groupCount }, () => ({ n: 0, repeaters: 0, lambda: 0, p: 0 }));
  let alive = 0;
  let maxOrders = 0;
  const upgrade = { standardBuyers: 0, eligible: 0, upgrades: 0, delays: [] as number[] };
  for (const c of customers) {
    const gc = groupCustomers[c.group];
    if (gc) {
      gc.n++;
      if (c.orders.length >= 2) gc.repeaters++;
      gc.lambda += c.lambda;
      gc.p += c.p;
    }
    if (!c.died) alive++;
    maxOrders = Math.max(maxOrders, c.orders.length);
    if (c.standardPurchaseAt !== null && c.upgradeAt !== null) {
      upgrade.standardBuyers++;
      if (c.upgradeAt < cal.asOfMs && c.upgradeAt <= c.deathTime) upgrade.eligible++;
      const up = c.orders.find((o) => o.kind === KIND.upgrade);
      if (up) {
        upgrade.upgrades++;
        upgrade.delays.push((up.t - c.standardPurchaseAt) / DAY_MS);
      }
    }
  }

  const ageGroups: AgeGroupTruth[] = MODEL.ageGroups.map((group, i) => {
    const g = perGroup[i] ?? { orders: 0, nonCancelled: 0, totalSum: 0, newAnchors: 0, laptopAnchors: 0, proAnchors: 0, budgetSum: 0 };
    const gc = groupCustomers[i] ?? { n: 0, repeaters: 0, lambda: 0, p: 0 };
    return {
      tag: group.tag,
      share: group.share,
      bgnbd: {
        ...group.bgnbd,
        meanLambdaPerWeek: round4(group.bgnbd.r / group.bgnbd.alpha),
        meanDropout: round4(group.bgnbd.a / (group.bgnbd.a + group.bgnbd.b)),
      },
      gammaGamma: gammaGammaTruth(group.gammaGamma),
      categoryMix: { ...group.categoryMix },
      newProductBoost: group.newProductBoost,
      englishLocaleShare: group.englishLocaleShare,
      realised: {
        customers: gc.n,
        orders: g.orders,
        ordersPerCustomer: ratio(g.orders, gc.n),
        averageOrderValue: g.nonCancelled > 0 ? Math.round(g.totalSum / g.nonCancelled) : 0,
        newProductOrderShare: ratio(g.newAnchors, g.orders),
        proShareOfLaptopOrders: ratio(g.proAnchors, g.laptopAnchors),
        repeatCustomerShare: ratio(gc.repeaters, gc.n),
        meanLambdaPerWeek: gc.n > 0 ? round4(gc.lambda / gc.n) : 0,
        meanDropout: gc.n > 0 ? round4(gc.p / gc.n) : 0,
        meanBudget: g.orders > 0 ? Math.round(g.budgetSum / g.orders) : 0,
      },
    };
  });

  // Seasonality realised.
  const weekdayDays = new Float64Array(7);
  for (let d = 0; d < cal.bins / 24; d++) bump(weekdayDays, shopWeekdayOf(cal.startMs + d * DAY_MS));
  const countIn = (window: DayWindow): WindowCount => {
    const from = Date.parse(window.startUtc);
    const to = Date.parse(window.endUtcExclusive);
    const lo = Math.max(from, cal.startMs);
    const hi = Math.min(to, cal.asOfMs);
    let n = 0;
    for (const order of orders) if (order.kind !== KIND.test && order.t >= lo && order.t < hi) n++;
    const days = Math.max(0, (hi - lo) / DAY_MS);
    return { window, orders: n, ordersPerDay: days > 0 ? round4(n / days) : 0 };
  };
  const month7 = cal.month7Windows.flatMap((w) => {
    const previous = cal.month6Windows.find((m) => m.lunarYear === w.lunarYear);
    const next = cal.month8Windows.find((m) => m.lunarYear === w.lunarYear);
    if (!previous || !next) return [];
    const m7 = countIn(w);
    const before = countIn(previous);
    const after = countIn(next);
    const dip = ratio(2 * m7.ordersPerDay, before.ordersPerDay + after.ordersPerDay);
    return [{ lunarYear: w.lunarYear, month7: m7, previous: before, next: after, ratio: dip }];
  });

  const laptops = catalog.products.filter((p) => p.category === "laptop" && !p.draft);
  const pairs = laptops
    .filter((p) => p.tier === "standard" && p.line)
    .flatMap((standard) => {
      const pro = catalog.proByLine.get(standard.line ?? "");
      if (!pro) return [];
      return [
        {
          line: standard.line ?? "",
          standard: { productId: standard.id, title: standard.title },
          pro: { productId: pro.id, title: pro.title },
        },
      ];
    });
  const delays = upgrade.delays;
  const weekdayRecord = (values: Float64Array) => Object.fromEntries(WEEKDAY_NAMES.map((name, i) => [name, values[i] ?? 0]));

  const meanOf = (xs: number[]) => (xs.length > 0 ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  const correlation = (() => {
    const mx = meanOf(budgets);
    const my = meanOf(totals);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    budgets.forEach((x, i) => {
      const y = totals[i] ?? 0;
      sxy += (x - mx) * (y - my);
      sxx += (x - mx) ** 2;
      syy += (y - my) ** 2;
    });
    return sxx > 0 && syy > 0 ? round4(sxy / Math.sqrt(sxx * syy)) : 0;
  })();

  const customersWithOrders = customers.length;
  const ageTagShares = Object.fromEntries(MODEL.ageGroups.map((g) => [g.tag, g.share]));
  const seedVariants = catalog.seedProducts.reduce((n, p) => n + p.variants.length, 0);

  return {
    generator: { name: "insight-loop demo-store generator", version: GENERATOR_VERSION },
    seed: options.seed,
    options: { orders: options.orders, start: options.start, end: options.end, domain: options.domain },
    conventions: {
      timestamps: "UTC ISO 8601 with Z, whole seconds. Calendar effects are defined on shop-local days (UTC+7).",
      money: "Integer VND (whole dong).",
      orderTotals:
        "subtotal = Σ(unitPrice × quantity − totalDiscount); total = subtotal (no shipping, no tax); totalDiscounts = Σ totalDiscount.",
      ids:
        "products 1xxxxx, variants 2xxxxx, customers 3xxxxxx, orders 4xxxxxx, line items 5xxxxxxx, refunds 6xxxxxx, " +
        "collections 7xxxx; increasing in time order. Order names #1001… in processedAt order.",
      realisedCounts:
        "Realised counts exclude test orders unless stated; cancelled orders are included in basket and seasonality " +
        "counts and excluded from money averages.",
      deletedProducts: "Lines of deleted products keep title and SKU; productId and variantId are null (as in Shopify).",
    },
    shop: {
      domain: options.domain,
      name: MODEL.shop.name,
      currencyCode: MODEL.shop.currencyCode,
      ianaTimezone: MODEL.shop.ianaTimezone,
      locales: [...MODEL.shop.locales],
    },
    history: {
      start: options.start,
      end: options.end,
      asOf: iso(cal.asOfMs),
      days: cal.bins / 24,
      weeks: round4(cal.bins / 168),
    },
    volume: {
      method:
        "guest = round(8 % × orders) and test = round(0.5 % × orders) orders exactly; customers are planned as " +
        "round(customer orders / E[orders per customer]) with E from the closed-form BG/NBD expectation over acquisition " +
        "times; customers (independent draws, one random stream each) are then simulated in sequence until their orders " +
        "reach the target, and the latest orders of the last customer are dropped to hit it exactly (that customer is " +
        "treated as dying at its last kept order).",
      targetOrders: options.orders,
      guestOrders: input.guestOrders,
      testOrders: input.testOrders,
      customerOrdersTarget: input.customerOrdersTarget,
      expectedOrdersPerCustomer: round4(input.perCustomer),
      plannedCustomers: input.plannedCustomers,
      realisedCustomersWithOrders: customersWithOrders,
      customersDeviation: ratio(customersWithOrders - input.plannedCustomers, input.plannedCustomers),
      ordersDroppedFromLastCustomer: input.dropped,
      prospects: input.prospects,
    },
    bgnbd: {
      timeUnit: "week",
      process:
        "First order at acquisition (time 0). Repeat orders: Poisson with rate λ ~ Gamma(r, α) while alive; after each " +
        "REPEAT order the customer dies with probability p ~ Beta(a, b) (none after the first order, as in BG/NBD).",
      operationalTime:
        "The Poisson process runs in operational time τ(t) = ∫ M(t) dt / 168 (weeks), M the normalised seasonal weight " +
        "(mean 1 over the history): exactly BG/NBD in τ, an inhomogeneous Poisson process with intensity λ·M(t) in " +
        "calendar time. Planted upgrade orders are extra transactions outside the process.",
      groups: Object.fromEntries(MODEL.ageGroups.map((g) => [g.tag, { ...g.bgnbd }])),
      realised: { customersAliveAtEnd: alive, customersDead: customers.length - alive, maxOrdersOfOneCustomer: maxOrders },
    },
    gammaGamma: {
      role: "budget",
      spendModel:
        "Each order draws a budget z ~ Gamma(p, ν), ν ~ Gamma(q, γ) per customer (Gamma-Gamma). The budget steers what " +
        "is bought; the realised order total is the basket's price, NOT z, so a Gamma-Gamma fit on order totals " +
        "recovers the realised spend, not these parameters exactly. Realised values below.",
      budgetToProduct:
        `target price = category reference price (geometric mean of its prices) × z / ${MODEL.referenceBudget}; ` +
        `product weight = popularity × exp(−ln²(price/target) / (2·${MODEL.priceFitSigma}²)) × new-product boost`,
      referenceBudget: MODEL.referenceBudget,
      priceFitSigma: MODEL.priceFitSigma,
      groups: Object.fromEntries(MODEL.ageGroups.map((g) => [g.tag, gammaGammaTruth(g.gammaGamma)])),
      realised: {
        meanOrderTotal: nonCancelledCount > 0 ? Math.round(totalSum / nonCancelledCount) : 0,
        meanBudget: Math.round(meanOf(budgets)),
        correlationBudgetTotal: correlation,
      },
    },
    ageGroups,
    guests: {
      share: MODEL.guest.share,
      gammaGamma: gammaGammaTruth(MODEL.guest.gammaGamma),
      categoryMix: { ...MODEL.guest.categoryMix },
      realised: { orders: noise.guest },
    },
    newProductDays: MODEL.newProductDays,
    seasonality: {
      model:
        "Hourly weight M = weekday × hour-of-day × (Tết multiplier in the days before Tết) × (month-7 multiplier in the 7th " +
        "lunar month), divided by its mean over the history (`normalisation`). Repeat orders follow M through operational " +
        "time; acquisitions and guest orders have density ∝ trend × M. Test orders are uniform in time.",
      weekdayMultipliers: { ...MODEL.weekday },
      hourOfDayMultipliers: cal.hourOfDay.map(round4),
      tet: { multiplier: MODEL.tet.multiplier, daysBefore: MODEL.tet.daysBefore, windows: cal.tetWindows },
      lunarMonth7: {
        multiplier: MODEL.lunarMonth7.multiplier,
        dipPercent: Math.round((1 - MODEL.lunarMonth7.multiplier) * 100),
        windows: cal.month7Windows,
        previousMonths: cal.month6Windows,
        nextMonths: cal.month8Windows,
      },
      acquisitionTrend: { shape: "linear in time", ...MODEL.acquisitionTrend },
      normalisation: round4(cal.normalisation),
      realised: {
        note: "Non-test orders by shop-local day; month-7 ratio = orders/day in month 7 ÷ mean of orders/day in the months before and after.",
        weekdayOrders: weekdayRecord(weekdayOrders),
        weekdayDays: weekdayRecord(weekdayDays),
        tetWindows: cal.tetWindows.map(countIn),
        month7,
      },
    },
    baskets: {
      anchor:
        "The first line is the anchor: category from the age group's categoryMix (guests: guests.categoryMix), product by " +
        "budget fit (gammaGamma.budgetToProduct), variant uniform. A registered customer buys at most one laptop per line " +
        "(standard or pro), plus the planted upgrade: a customer who owns every line on sale draws a non-laptop category " +
        "instead (the mix renormalised without laptops).",
      attachRules: rules.map((rule, i): AttachRuleTruth => {
        const counts = ruleCounts[i] ?? { from: 0, both: 0 };
        return {
          from: rule.from,
          to: rule.to,
          probability: rule.probability,
          ...(rule.note ? { note: rule.note } : {}),
          realised: { ordersWithFrom: counts.from, ordersWithBoth: counts.both, rate: ratio(counts.both, counts.from) },
        };
      }),
      backgroundAddOns: {
        rule:
          "Only for orders anchored on an accessory (mouse, keyboard, headset, monitor, bag): each OTHER accessory " +
          "category is added with this probability. Laptop and PC orders get only their attach rules, so P(to | from) " +
          "equals the planted probability.",
        rates: { ...MODEL.background },
      },
      quantity:
        `1, except accessories (mouse, keyboard, headset, bag) 2 with probability ${MODEL.quantity.accessoryTwoShare}; ` +
        `monitors 2 with probability ${MODEL.quantity.monitorTwoShare} (${MODEL.quantity.monitorWithDesktopTwoShare} with a PC).`,
      giftCardLineRate: MODEL.giftCardLineRate,
      customLineRate: MODEL.customLineRate,
      welcomeDiscount: {
        code: MODEL.welcome.code,
        rate: MODEL.welcome.rate,
        percentOff: MODEL.welcome.percentOff,
        appliesTo: "the anchor line of a registered customer's first order (not with the promotion code), rounded to 1,000 ₫",
      },
    },
    upgradePaths: {
      share: MODEL.upgrade.share,
      delayDays: { distribution: "uniform", min: MODEL.upgrade.delayMinDays, max: MODEL.upgrade.delayMaxDays },
      eligibility:
        "A registered customer's FIRST standard-tier laptop purchase is eligible when purchase + delay is before the end of " +
        "the history and the customer is still alive then (not dead after an earlier repeat order). Each customer is an " +
        "upgrader with probability `share`, independently; an eligible upgrader buys the pro model of the same line (same " +
        "colour when it exists) at purchase + delay.",
      extraTransactions: "Upgrade orders are added on top of the BG/NBD process and do not trigger a dropout draw.",
      pairs,
      realised: {
        standardBuyers: upgrade.standardBuyers,
        eligible: upgrade.eligible,
        upgrades: upgrade.upgrades,
        share: ratio(upgrade.upgrades, upgrade.eligible),
        delayDaysMin: delays.length ? round4(delays.reduce((m, x) => Math.min(m, x), Infinity)) : null,
        delayDaysMax: delays.length ? round4(delays.reduce((m, x) => Math.max(m, x), -Infinity)) : null,
        delayDaysMean: delays.length ? round4(meanOf(delays)) : null,
      },
    },
    promotion: {
      name: MODEL.promotion.name,
      code: MODEL.promotion.code,
      window: promotion,
      targetProductIds: {
        laptops: laptops.map((p) => p.id),
        mice: (catalog.byCategory.get("mouse") ?? []).map((p) => p.id),
      },
      metric: "share of (non-test) orders containing a laptop that also contain a mouse",
      baselineAttachRate: MODEL.attach.laptop.mouse,
      promotedAttachRate: MODEL.promotion.attachRate,
      trueEffect: round4(MODEL.promotion.attachRate - MODEL.attach.laptop.mouse),
      discount:
        `${MODEL.promotion.mousePercentOff} % off the mouse line(s) (rounded to 1,000 ₫) of a laptop order inside ` +
        "the window; the order carries the code",
      volumeEffect: "none: the promotion changes basket composition, not order timing or volume",
      realised: {
        inWindow: {
          laptopOrders: promo.inLaptop,
          withMouse: promo.inMouse,
          rate: ratio(promo.inMouse, promo.inLaptop),
          ordersWithCode: promo.inCode,
        },
        outsideWindow: { laptopOrders: promo.outLaptop, withMouse: promo.outMouse, rate: ratio(promo.outMouse, promo.outLaptop) },
      },
    },
    noise: {
      rules:
        "Test orders: one line, no customer, no other noise. Each other order is cancelled with probability `cancelled` " +
        "(cancelledAt 0.5–48 h later, no refund); otherwise refunded with probability `refunded`, 1–21 days later: fully " +
        "(every line, amount = total) with probability `fullRefundShareOfRefunds`, else partially — one unit of one line, " +
        "or, for a single-unit order, an amount-only price adjustment of 5–20 % (no lines). POS orders are created " +
        "(synced) 1–120 min after processedAt with probability `posCreatedLaterShareOfPos`.",
      rates: {
        guest: MODEL.guest.share,
        test: MODEL.testShare,
        cancelled: MODEL.noise.cancelled,
        refunded: MODEL.noise.refunded,
        fullRefundShareOfRefunds: MODEL.noise.fullRefundShare,
        posCreatedLaterShareOfPos: MODEL.noise.posCreatedLater,
        sourceNames: { ...MODEL.noise.sources },
      },
      realised: {
        guestOrders: noise.guest,
        testOrders: noise.test,
        cancelledOrders: noise.cancelled,
        refundedOrders: noise.refunded,
        fullyRefundedOrders: noise.full,
        ordersWithGiftCardLine: noise.gift,
        ordersWithCustomLine: noise.custom,
        ordersWithDeletedProductLines: noise.deleted,
        ordersWithCreatedAtAfterProcessedAt: noise.createdLater,
      },
    },
    catalog: {
      deleted: catalog.products.flatMap((p) => (p.deletedMs === null ? [] : [{ productId: p.id, title: p.title, deletedAt: iso(p.deletedMs) }])),
      archived: catalog.products.flatMap((p) => (p.archivedMs === null ? [] : [{ productId: p.id, title: p.title, archivedAt: iso(p.archivedMs) }])),
      draft: catalog.products.filter((p) => p.draft).map((p) => ({ productId: p.id, title: p.title })),
      launchedDuringHistory: catalog.products
        .filter((p) => p.createdMs >= cal.startMs)
        .map((p) => ({ productId: p.id, title: p.title, createdAt: iso(p.createdMs) })),
      priceChanges: catalog.products.flatMap((p) =>
        p.variants.flatMap((v) =>
          v.prices.slice(1).map((entry) => ({ variantId: v.id, sku: v.sku, from: shopDayOf(entry.fromMs), price: entry.price })),
        ),
      ),
    },
    customerAttributes: { rfmGroup: RFM_RULE, predictedSpendTier: SPEND_TIER_RULE, ageTagShares },
    totals: {
      orders: orders.length,
      lineItems,
      customers: input.customerRecords.records.length,
      products: catalog.seedProducts.length,
      variants: seedVariants,
      collections: catalog.seedCollections.length,
      grossSales,
      discounts,
      netSales: grossSales - discounts,
      refunded,
    },
  };
}
