/**
 * The cold-start chain on a hand-built shop of 100 orders. Expected lists are worked out by hand:
 *   10 × {L, M1}, 7 × {L, M2}, 5 × {L, B}, 3 × {L, W}     L (Laptop) is in 25 orders
 *   16 × {X, Z}, 24 × {X}, 24 × {Z}, 11 × {Y}              X, Z in 40 orders each: together 16 = 40·40/100, chance
 * Pair rules need 5 orders. L → M1: 10 of L's 25 orders (confidence 0.4), lift 10·100 / (25·10) = 4.0; L → M2: 0.28,
 * lift 4.0; L → B: 0.2, lift 4.0 (p = C(25,5)/C(100,5) ≈ 7e-4: significant). X → Z: 16 orders but exactly chance
 * (one-sided Fisher p ≈ 0.57): never shown. Types: Laptop → Mouse 17/25, Laptop → Laptop Bag 5/25.
 */
import { describe, expect, it } from "vitest";
import type { Basket, InsightProduct } from "../../../app/insights/baskets";
import { buildRecommender, pluralize } from "../../../app/insights/recommend";

const product = (id: string, productType: string, extra: Partial<InsightProduct> = {}): InsightProduct => ({
  id,
  title: id,
  productType,
  vendor: "V",
  tags: [],
  collectionIds: [],
  status: "ACTIVE",
  price: 100,
  ...extra,
});
const catalog = [
  product("L", "Laptop"),
  product("L2", "Laptop"), // a new laptop: never ordered
  product("M1", "Mouse"),
  product("M2", "Mouse"),
  product("B", "Laptop Bag"),
  product("W", "Warranty", { status: "DRAFT" }),
  product("X", "Widget"),
  product("Y", "Widget", { available: false }),
  product("Z", "Cable"),
];
const products = new Map(catalog.map((p) => [p.id, p]));

const baskets: Basket[] = [];
const add = (times: number, items: string[]) => {
  for (let i = 0; i < times; i++) baskets.push({ orderId: `o${baskets.length}`, customerId: null, createdAt: 0, items });
};
add(10, ["L", "M1"]);
add(7, ["L", "M2"]);
add(5, ["B", "L"]);
add(3, ["L", "W"]);
add(16, ["X", "Z"]);
add(24, ["X"]);
add(24, ["Z"]);
add(11, ["Y"]);

const brief = (list: { productId: string; source: string }[]) => list.map((r) => `${r.productId}:${r.source}`);

describe("buildRecommender", () => {
  const rec = buildRecommender(baskets, products);

  it("(a) significant co-purchase rules first, one product type at a time, then best sellers", () => {
    const list = rec.recommend("L", 5);
    // Types of L's orders: Mouse 17/25 before Laptop Bag 5/25, so M1 (0.4), then B, then M2 (0.28, the second mouse).
    expect(brief(list)).toEqual(["M1:co-purchase", "B:co-purchase", "M2:co-purchase", "X:bestseller", "Z:bestseller"]);
    expect(list[0]!.explanation).toBe("bought together in 10 orders — 4.0× more than chance");
    expect(list[0]!.evidence).toMatchObject({ anchor: "L", count: 10, confidence: 0.4 });
    expect(list[0]!.evidence.lift).toBeCloseTo(4, 12);
    expect(list[3]!.explanation).toBe("a bestseller — in 40 orders");
  });

  it("without diversity: by confidence", () => {
    const plain = buildRecommender(baskets, products, { diversify: false });
    expect(brief(plain.recommend("L", 3))).toEqual(["M1:co-purchase", "M2:co-purchase", "B:co-purchase"]);
  });

  it("never shows a pair that co-occurs only as often as chance, however many orders it has", () => {
    // X and Z share 16 orders, exactly what independence predicts: X gets best sellers only (Y is out of stock).
    expect(brief(rec.recommend("X", 3))).toEqual(["Z:bestseller", "L:bestseller", "M1:bestseller"]);
  });

  it("(b) cold start: a never-ordered laptop gets the best sellers of the complementary types, then (c)", () => {
    const list = rec.recommend("L2", 5);
    // Laptop → Mouse (17/25) before Laptop → Laptop Bag (5/25); round-robin over their best sellers (M1 10, M2 7; B 5).
    expect(brief(list)).toEqual(["M1:complementary-type", "B:complementary-type", "M2:complementary-type", "X:bestseller", "Z:bestseller"]);
    expect(list[0]!.explanation).toBe("shoppers who buy Laptops often add Mice");
    expect(list[1]!.explanation).toBe("shoppers who buy Laptops often add Laptop Bags");
    expect(list[0]!.evidence).toMatchObject({ fromType: "Laptop", toType: "Mouse", count: 17, confidence: 17 / 25 });
  });

  it("a cart: none of its products comes back; rules from every anchor are merged", () => {
    // From L: M2, B (M1 is in the cart). M1's only rule points to L (in the cart). Then X, the best seller.
    expect(brief(rec.recommendFor(["L", "M1"], 3))).toEqual(["M2:co-purchase", "B:co-purchase", "X:bestseller"]);
  });

  it("leaves out unpublished and out-of-stock products, whatever their evidence", () => {
    const drafts = new Map(products);
    drafts.set("B", { ...products.get("B")!, status: "DRAFT" });
    drafts.set("X", { ...products.get("X")!, available: false });
    const list = buildRecommender(baskets, drafts).recommend("L", 4);
    // B (draft) and X (out of stock) drop out; the Laptop Bag type has nothing left to offer; L2 was never ordered, so
    // it is no best seller: only three products qualify.
    expect(brief(list)).toEqual(["M1:co-purchase", "M2:co-purchase", "Z:bestseller"]);
  });

  it("k = 0 and unknown anchors", () => {
    expect(rec.recommend("L", 0)).toEqual([]);
    expect(brief(rec.recommend("nope", 2))).toEqual(["X:bestseller", "Z:bestseller"]);
  });

  it("counts what it mined", () => {
    // Frequent pairs (≥ 5 orders): L-M1, L-M2, L-B, X-Z → 8 rules, 6 significant. Types: Laptop-Mouse, Laptop-Laptop Bag,
    // Widget-Cable (16 together; Widget is in 51 orders, so that is even below chance) → 6 rules, 4 significant.
    expect(rec.stats).toEqual({ baskets: 100, productRules: 8, significantProductRules: 6, typeRules: 6, significantTypeRules: 4 });
  });
});

describe("buildRecommender with time-decay weights", () => {
  // A bought with B for years, then with C lately: 20 old A+B orders (age 720 days), 8 recent A+C orders (age 0), and
  // 40 filler orders of other products (half old, half recent) so both pairs are significant.
  const items = ["A", "B", "C", "F", "G"].map((id) => product(id, id === "A" ? "Anchor" : "Other"));
  const byId = new Map(items.map((p) => [p.id, p]));
  const list: Basket[] = [];
  const ages: number[] = [];
  const put = (times: number, basket: string[], age: number) => {
    for (let i = 0; i < times; i++) {
      list.push({ orderId: `w${list.length}`, customerId: null, createdAt: 0, items: basket });
      ages.push(age);
    }
  };
  put(20, ["A", "B"], 720);
  put(8, ["A", "C"], 0);
  put(20, ["F"], 720);
  put(20, ["G"], 0);
  const noDiversity = { diversify: false, minCount: 5 };

  it("without weights the long-standing pair comes first (20 orders against 8)", () => {
    expect(brief(buildRecommender(list, byId, noDiversity).recommend("A", 2))).toEqual(["B:co-purchase", "C:co-purchase"]);
  });

  it("with a 90-day half-life the recent pair comes first: its weighted confidence is higher", () => {
    const weights = ages.map((age) => Math.pow(0.5, age / 90));
    const [first, second] = buildRecommender(list, byId, { ...noDiversity, weights }).recommend("A", 2);
    expect(first?.productId).toBe("C");
    expect(second?.productId).toBe("B");
    // Hand-computed: confidence(A → C) = 8·1 / (8·1 + 20·0.5^8) = 8 / 8.078125.
    expect(first!.evidence.confidence).toBeCloseTo(8 / (8 + 20 * Math.pow(0.5, 8)), 12);
    // Counts stay whole orders.
    expect(first!.evidence.count).toBe(8);
    expect(second!.evidence.count).toBe(20);
  });

  it("refuses weights that do not match the baskets", () => {
    expect(() => buildRecommender(list, byId, { weights: [1, 2] })).toThrow(/weights/);
  });
});

describe("pluralize", () => {
  it.each([
    ["Mouse", "Mice"],
    ["Laptop Bag", "Laptop Bags"],
    ["Warranty", "Warranties"],
    ["Desktop PC", "Desktop PCs"],
    ["Box", "Boxes"],
    ["Key", "Keys"],
    ["", ""],
  ])("%s → %s", (one, many) => expect(pluralize(one)).toBe(many));
});
