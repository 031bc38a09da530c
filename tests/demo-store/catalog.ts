/**
 * The demo store's catalog: a Vietnamese electronics shop selling laptops (standard and pro tier of each line), desktop
 * PCs, monitors, mice, keyboards, headsets, laptop bags, extended warranties and a gift card. Prices are whole dong
 * (VND has no minor unit), set the way Vietnamese shops price (…990.000 ₫). Brands are fictional.
 *
 * Dates here are shop-local calendar days (Asia/Ho_Chi_Minh, UTC+7); the generator turns them into UTC instants.
 * Lifecycle events planted in the catalog (all recorded in truth.json):
 * - launches during the history (createdAt inside it): the "new products" the 15–22 age group chases;
 * - two deleted products (deletedOn): their order lines keep title and SKU but lose productId/variantId;
 * - one archived product (archivedOn): no longer sold, still referenced by old orders;
 * - one DRAFT product, never sold;
 * - price changes (prices[] with dates): order lines carry the price of their day, variants the latest price.
 */

export type Category =
  | "laptop"
  | "desktop"
  | "mouse"
  | "keyboard"
  | "headset"
  | "monitor"
  | "bag"
  | "warranty"
  | "giftcard";

/** Categories an order's first ("anchor") item can come from. */
export const ANCHOR_CATEGORIES = ["laptop", "desktop", "mouse", "keyboard", "headset", "monitor", "bag"] as const;
export type AnchorCategory = (typeof ANCHOR_CATEGORIES)[number];

/** Accessory categories used for attach rules and background add-ons. */
export const ACCESSORY_CATEGORIES = ["mouse", "keyboard", "headset", "monitor", "bag"] as const;
export type AccessoryCategory = (typeof ACCESSORY_CATEGORIES)[number];

export type CollectionKey =
  | "laptops"
  | "pro-laptops"
  | "desktop-pcs"
  | "monitors"
  | "accessories"
  | "gaming"
  | "warranties"
  | "gift-cards";

export const COLLECTIONS: { key: CollectionKey; title: string }[] = [
  { key: "laptops", title: "Laptops" },
  { key: "pro-laptops", title: "Pro Laptops" },
  { key: "desktop-pcs", title: "Desktop PCs" },
  { key: "monitors", title: "Monitors" },
  { key: "accessories", title: "Accessories" },
  { key: "gaming", title: "Gaming" },
  { key: "warranties", title: "Warranties" },
  { key: "gift-cards", title: "Gift Cards" },
];

export interface CatalogPrice {
  /** Shop-local day the price takes effect. */
  from: string;
  price: number;
}

export interface CatalogVariant {
  title: string; // "Default Title" for single-variant products
  sku: string;
  /** Price history, oldest first; the first entry applies from the product's launch. */
  prices: CatalogPrice[];
  /** Unit cost as a share of the current price; null when the shop does not track cost. */
  costRatio: number | null;
  inventoryQuantity: number;
}

export interface CatalogProduct {
  /** Stable key, also the handle. */
  key: string;
  title: string;
  category: Category;
  productType: string;
  vendor: string;
  tags: string[];
  collections: CollectionKey[];
  /** Shop-local day the product was created (launched, for products created inside the history). */
  createdOn: string;
  deletedOn?: string;
  archivedOn?: string;
  draft?: boolean;
  /** Laptop line and tier, for the standard → pro upgrade path. */
  line?: string;
  tier?: "standard" | "pro";
  /** Relative popularity inside its category before the budget is taken into account. */
  popularity: number;
  requiresShipping: boolean;
  isGiftCard: boolean;
  variants: CatalogVariant[];
}

/** Created before any history the lunar table allows (so never "new" inside it). */
const BEFORE_HISTORY = "2021-06-01";

function single(sku: string, price: number, costRatio: number | null, inventoryQuantity: number): CatalogVariant[] {
  return [{ title: "Default Title", sku, prices: [{ from: BEFORE_HISTORY, price }], costRatio, inventoryQuantity }];
}

function colours(
  skuStem: string,
  price: number,
  costRatio: number | null,
  names: string[],
  inventoryQuantity: number,
): CatalogVariant[] {
  return names.map((name, i) => ({
    title: name,
    sku: `${skuStem}-${name.toUpperCase().replace(/[^A-Z0-9]+/g, "")}`,
    prices: [{ from: BEFORE_HISTORY, price }],
    costRatio,
    inventoryQuantity: Math.max(0, inventoryQuantity - 7 * i),
  }));
}

function laptop(
  line: string,
  tier: "standard" | "pro",
  title: string,
  vendor: string,
  createdOn: string,
  variants: CatalogVariant[],
  popularity: number,
  extraTags: string[] = [],
): CatalogProduct {
  return {
    key: slug(title),
    title,
    category: "laptop",
    productType: "Laptop",
    vendor,
    tags: ["laptop", tier, ...extraTags],
    collections: tier === "pro" ? ["laptops", "pro-laptops"] : ["laptops"],
    createdOn,
    line,
    tier,
    popularity,
    requiresShipping: true,
    isGiftCard: false,
    variants,
  };
}

function accessory(
  category: Exclude<Category, "laptop" | "desktop" | "warranty" | "giftcard">,
  title: string,
  vendor: string,
  variants: CatalogVariant[],
  popularity: number,
  extra: Partial<CatalogProduct> = {},
): CatalogProduct {
  const productType = { mouse: "Mouse", keyboard: "Keyboard", headset: "Headset", monitor: "Monitor", bag: "Laptop Bag" }[
    category
  ];
  const collections: CollectionKey[] = category === "monitor" ? ["monitors", "accessories"] : ["accessories"];
  return {
    key: slug(title),
    title,
    category,
    productType,
    vendor,
    tags: [category],
    collections,
    createdOn: BEFORE_HISTORY,
    popularity,
    requiresShipping: true,
    isGiftCard: false,
    variants,
    ...extra,
  };
}

export function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/\+/g, "-plus")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** The catalog, in the order products get their ids. */
export const CATALOG: CatalogProduct[] = [
  // Laptops: four lines, each a standard and a pro model (pro ≈ 1.55–1.70 × standard).
  laptop(
    "VietBook 14",
    "standard",
    "VietBook 14",
    "VietTech",
    BEFORE_HISTORY,
    [
      {
        title: "Default Title",
        sku: "VT-VB14-STD",
        // Price cut when the Saigon Gamer line launched.
        prices: [
          { from: BEFORE_HISTORY, price: 17_990_000 },
          { from: "2024-03-01", price: 16_490_000 },
        ],
        costRatio: 0.78,
        inventoryQuantity: 42,
      },
    ],
    1.4,
    ["student"],
  ),
  laptop("VietBook 14", "pro", "VietBook 14 Pro", "VietTech", BEFORE_HISTORY, single("VT-VB14-PRO", 27_990_000, 0.72, 18), 1),
  laptop("VietBook 16", "standard", "VietBook 16", "VietTech", "2023-06-01", single("VT-VB16-STD", 21_490_000, 0.76, 25), 1),
  laptop("VietBook 16", "pro", "VietBook 16 Pro", "VietTech", "2023-06-01", single("VT-VB16-PRO", 34_990_000, 0.7, 12), 0.9),
  laptop(
    "Lotus Air 13",
    "standard",
    "Lotus Air 13",
    "Lotus Computing",
    BEFORE_HISTORY,
    colours("LC-AIR13-STD", 18_990_000, 0.77, ["Silver", "Rose Gold"], 30),
    1.1,
    ["thin-and-light"],
  ),
  laptop(
    "Lotus Air 13",
    "pro",
    "Lotus Air 13 Pro",
    "Lotus Computing",
    BEFORE_HISTORY,
    colours("LC-AIR13-PRO", 29_490_000, 0.71, ["Silver", "Space Grey"], 14),
    0.9,
    ["thin-and-light"],
  ),
  {
    ...laptop("Saigon Gamer 15", "standard", "Saigon Gamer 15", "Saigon Gear", "2024-03-01", single("SG-GM15-STD", 25_990_000, 0.75, 20), 1.1, [
      "gaming",
    ]),
    collections: ["laptops", "gaming"],
  },
  {
    ...laptop("Saigon Gamer 15", "pro", "Saigon Gamer 15 Pro", "Saigon Gear", "2024-03-01", single("SG-GM15-PRO", 41_990_000, 0.7, 9), 0.9, [
      "gaming",
    ]),
    collections: ["laptops", "pro-laptops", "gaming"],
  },
  {
    ...laptop("VietBook 14", "pro", "VietBook 14 Pro (2025 Edition)", "VietTech", "2025-06-10", single("VT-VB14-PRO25", 29_990_000, 0.72, 0), 1),
    // Announced, not yet on sale: never ordered.
    draft: true,
    line: undefined,
    tier: undefined,
  },

  // Desktop PCs.
  {
    key: "mekong-home-pc-2022",
    title: "Mekong Home PC (2022)",
    category: "desktop",
    productType: "Desktop PC",
    vendor: "Mekong Systems",
    tags: ["desktop", "discontinued"],
    collections: ["desktop-pcs"],
    createdOn: BEFORE_HISTORY,
    archivedOn: "2024-01-15",
    popularity: 1,
    requiresShipping: true,
    isGiftCard: false,
    variants: single("MS-HOME22", 10_990_000, 0.8, 0),
  },
  desktop("Mekong Office PC", "MS-OFFICE", 12_490_000, 0.77, BEFORE_HISTORY, 1.3),
  desktop("Mekong Creator PC", "MS-CREATOR", 23_990_000, 0.73, BEFORE_HISTORY, 1),
  {
    ...desktop("Saigon Gaming Tower", "SG-TOWER", 32_990_000, 0.7, "2023-09-15", 1),
    vendor: "Saigon Gear",
    collections: ["desktop-pcs", "gaming"],
    tags: ["desktop", "gaming"],
  },

  // Mice.
  accessory("mouse", "Hanoi Click Basic Mouse", "Hanoi Click", single("HC-MOUSE-BASIC", 189_000, 0.62, 0), 1.2, {
    deletedOn: "2024-05-20",
  }),
  accessory("mouse", "Hanoi Click Wireless M2", "Hanoi Click", colours("HC-M2", 349_000, 0.65, ["Black", "White", "Pink"], 120), 1.4),
  accessory("mouse", "Hanoi Click Silent M3", "Hanoi Click", colours("HC-M3", 459_000, 0.64, ["Graphite", "Mint"], 90), 1.2, {
    createdOn: "2024-06-01",
  }),
  accessory("mouse", "Saigon Gear G5 Gaming Mouse", "Saigon Gear", single("SG-G5", 890_000, 0.68, 60), 1, {
    tags: ["mouse", "gaming"],
    collections: ["accessories", "gaming"],
  }),
  accessory("mouse", "Lotus Ergo Mouse", "Lotus Computing", single("LC-ERGO", 1_290_000, 0.7, 35), 0.7),

  // Keyboards.
  accessory("keyboard", "Hanoi Click K1 Keyboard", "Hanoi Click", single("HC-K1", 259_000, 0.63, 110), 1.3),
  accessory("keyboard", "Hanoi Click Pastel Keyboard", "Hanoi Click", colours("HC-PASTEL", 390_000, 0.64, ["Pink", "Mint", "Lavender"], 75), 1, {
    createdOn: "2023-03-15",
  }),
  accessory("keyboard", "Lotus Slim Wireless Keyboard", "Lotus Computing", single("LC-SLIMKB", 890_000, 0.69, 40), 1, {
    createdOn: "2025-02-15",
  }),
  accessory("keyboard", "Saigon Gear K7 Mechanical Keyboard", "Saigon Gear", colours("SG-K7", 1_590_000, 0.7, ["Black", "White"], 45), 1, {
    tags: ["keyboard", "gaming"],
    collections: ["accessories", "gaming"],
  }),

  // Headsets.
  accessory("headset", "Mekong Office Headset", "Mekong Systems", single("MS-HEADSET", 390_000, 0.66, 0), 1.1, {
    deletedOn: "2024-10-01",
  }),
  accessory("headset", "Saigon Gear H3 Headset", "Saigon Gear", single("SG-H3", 690_000, null, 70), 1.2, {
    tags: ["headset", "gaming"],
    collections: ["accessories", "gaming"],
  }),
  accessory("headset", "Saigon Gear H9 Wireless Headset", "Saigon Gear", colours("SG-H9", 2_190_000, 0.72, ["Black", "White"], 30), 1, {
    createdOn: "2023-10-01",
    tags: ["headset", "gaming", "wireless"],
    collections: ["accessories", "gaming"],
  }),

  accessory("headset", "Saigon Gear H5 RGB Headset", "Saigon Gear", single("SG-H5", 890_000, 0.67, 55), 1, {
    createdOn: "2024-09-01",
    tags: ["headset", "gaming"],
    collections: ["accessories", "gaming"],
  }),

  // Monitors.
  accessory("monitor", "Mekong View 24 FHD", "Mekong View", single("MV-24FHD", 2_890_000, 0.74, 50), 1.3),
  accessory("monitor", "Mekong View 27 QHD", "Mekong View", single("MV-27QHD", 5_490_000, 0.73, 30), 1.1),
  accessory("monitor", "Saigon Gear 27 165Hz Gaming Monitor", "Saigon Gear", single("SG-MON27", 7_290_000, 0.72, 20), 1, {
    createdOn: "2024-11-01",
    tags: ["monitor", "gaming"],
    collections: ["monitors", "accessories", "gaming"],
  }),
  accessory("monitor", "Mekong View 32 4K", "Mekong View", single("MV-32UHD", 9_990_000, 0.71, 12), 0.7),

  // Laptop bags.
  accessory("bag", "Hoi An Laptop Sleeve 14", "Hoi An Bags", colours("HA-SLEEVE14", 290_000, 0.6, ["Navy", "Grey"], 80), 1.3),
  accessory("bag", "Hoi An Commuter Backpack 15.6", "Hoi An Bags", single("HA-BACKPACK", 590_000, 0.62, 65), 1.2),
  accessory("bag", "Hoi An Canvas Sling Bag", "Hoi An Bags", colours("HA-SLING", 350_000, 0.6, ["Sand", "Olive"], 60), 1, {
    createdOn: "2024-12-01",
  }),
  accessory("bag", "Hoi An Leather Briefcase", "Hoi An Bags", single("HA-BRIEFCASE", 1_490_000, 0.66, 15), 0.6),

  // Extended warranties (no shipping, cost not tracked).
  warranty("VietCare+ Laptop Extended Warranty", "VC-LAPTOP", 1_290_000, 2_190_000),
  warranty("VietCare+ Desktop Extended Warranty", "VC-DESKTOP", 990_000, 1_690_000),

  // Gift card.
  {
    key: "insight-loop-demo-gift-card",
    title: "Insight Loop Demo Gift Card",
    category: "giftcard",
    productType: "Gift Card",
    vendor: "Insight Loop Demo",
    tags: ["gift-card"],
    collections: ["gift-cards"],
    createdOn: BEFORE_HISTORY,
    popularity: 1,
    requiresShipping: false,
    isGiftCard: true,
    variants: [500_000, 1_000_000, 2_000_000].map((price) => ({
      title: `${price.toLocaleString("en-US").replace(/,/g, ".")} ₫`,
      sku: `GIFT-${price / 1000}K`,
      prices: [{ from: BEFORE_HISTORY, price }],
      costRatio: null,
      inventoryQuantity: 0,
    })),
  },
];

function desktop(title: string, sku: string, price: number, costRatio: number, createdOn: string, popularity: number): CatalogProduct {
  return {
    key: slug(title),
    title,
    category: "desktop",
    productType: "Desktop PC",
    vendor: "Mekong Systems",
    tags: ["desktop"],
    collections: ["desktop-pcs"],
    createdOn,
    popularity,
    requiresShipping: true,
    isGiftCard: false,
    variants: single(sku, price, costRatio, 15),
  };
}

function warranty(title: string, skuStem: string, price12: number, price24: number): CatalogProduct {
  return {
    key: slug(title),
    title,
    category: "warranty",
    productType: "Warranty",
    vendor: "VietCare",
    tags: ["warranty"],
    collections: ["warranties"],
    createdOn: BEFORE_HISTORY,
    popularity: 1,
    requiresShipping: false,
    isGiftCard: false,
    variants: [
      { title: "12 months", sku: `${skuStem}-12M`, prices: [{ from: BEFORE_HISTORY, price: price12 }], costRatio: null, inventoryQuantity: 0 },
      { title: "24 months", sku: `${skuStem}-24M`, prices: [{ from: BEFORE_HISTORY, price: price24 }], costRatio: null, inventoryQuantity: 0 },
    ],
  };
}

/** Custom lines (no product): a setup service and tips. Prices are drawn from these lists. */
export const CUSTOM_LINES = [
  { title: "Setup & data transfer service", prices: [150_000, 300_000], requiresShipping: false },
  { title: "Tip for delivery staff", prices: [20_000, 30_000, 50_000], requiresShipping: false },
] as const;
