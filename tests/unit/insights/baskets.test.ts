/**
 * Basket preparation on hand-built orders: every expected basket and count below is worked out by hand.
 */
import { describe, expect, it } from "vitest";
import { groupBaskets, isOfferable, prepareBaskets, type InsightLine, type InsightOrder, type InsightProduct } from "../../../app/insights/baskets";

const product = (id: string, extra: Partial<InsightProduct> = {}): InsightProduct => ({
  id,
  title: `Product ${id}`,
  productType: "Thing",
  vendor: "Acme",
  tags: [],
  collectionIds: [],
  status: "ACTIVE",
  price: 1000,
  ...extra,
});
const line = (productId: string | null, extra: Partial<InsightLine> = {}): InsightLine => ({
  productId,
  variantId: productId ? `${productId}-v1` : null,
  quantity: 1,
  refundedQuantity: 0,
  isGiftCard: false,
  isCustom: false,
  ...extra,
});
const order = (id: string, lines: InsightLine[], extra: Partial<InsightOrder> = {}): InsightOrder => ({
  id,
  createdAt: Date.UTC(2024, 0, Number(id.replace(/\D/g, "")) || 1),
  cancelledAt: null,
  test: false,
  customerId: "c1",
  lines,
  ...extra,
});

const products = new Map(
  [
    product("laptop", { productType: "Laptop", tags: ["Featured"], collectionIds: ["col-laptops"] }),
    product("mouse", { productType: "Mouse", vendor: "Clicky" }),
    product("bag", { productType: "Bag", tags: ["clearance"], collectionIds: ["col-bags"] }),
    product("sample", { productType: "Sample", collectionIds: ["col-free"] }),
    product("gift", { productType: "Gift Card" }),
  ].map((p) => [p.id, p]),
);

describe("prepareBaskets", () => {
  it("one basket per order at product level, quantities and duplicate lines collapsed, items sorted", () => {
    const r = prepareBaskets(
      [
        order("o1", [line("mouse", { quantity: 3 }), line("laptop"), line("mouse", { variantId: "mouse-v2" })]),
        order("o2", [line("laptop", { quantity: 2 })]),
      ],
      products,
    );
    expect(r.baskets.map((b) => [b.orderId, b.items])).toEqual([
      ["o1", ["laptop", "mouse"]],
      ["o2", ["laptop"]],
    ]);
    expect(r.baskets[0]).toMatchObject({ customerId: "c1", createdAt: Date.UTC(2024, 0, 1) });
    expect(r.orders).toBe(2);
    expect(r.lines).toBe(4);
  });

  it("variant level keeps variants apart and falls back to the product id without a variant", () => {
    const r = prepareBaskets([order("o1", [line("mouse"), line("mouse", { variantId: "mouse-v2" }), line("laptop", { variantId: null })])], products, {
      level: "variant",
    });
    expect(r.baskets[0]!.items).toEqual(["laptop", "mouse-v1", "mouse-v2"]);
  });

  it("leaves out cancelled and test orders, gift cards, custom lines, fully refunded lines, and counts why", () => {
    const orders = [
      order("o1", [line("laptop"), line("mouse")], { cancelledAt: Date.UTC(2024, 0, 2) }), // cancelled
      order("o2", [line("laptop")], { test: true }), // test
      order("o3", [line("laptop"), line("gift", { isGiftCard: true }), line(null, { isCustom: true }), line(null)]), // laptop only
      order("o4", [line("mouse", { quantity: 2, refundedQuantity: 2 }), line("bag", { quantity: 2, refundedQuantity: 1 })]), // bag only
      order("o5", [line("mouse", { refundedQuantity: 1 })]), // nothing left: empty
      order("o6", [line(null, { isCustom: true })]), // a tip alone: empty
      order("o7", [line("gift", { isGiftCard: true, isCustom: true })]), // counted as a gift card (first reason)
    ];
    const r = prepareBaskets(orders, products);
    expect(r.baskets.map((b) => [b.orderId, b.items])).toEqual([
      ["o3", ["laptop"]],
      ["o4", ["bag"]],
    ]);
    expect(r.excluded).toEqual({
      cancelledOrders: 1,
      testOrders: 1,
      emptyOrders: 3,
      giftCardLines: 2,
      customLines: 3,
      refundedLines: 2,
      merchant: { productIds: 0, tags: 0, collections: 0, vendors: 0 },
    });
    expect(r.orders).toBe(7);
    expect(r.lines).toBe(4 + 2 + 1 + 1 + 1); // lines of orders o3..o7
  });

  it("applies merchant exclusions by product id, tag (case-insensitive), collection and vendor, first reason only", () => {
    const orders = [
      order("o1", [line("laptop"), line("mouse"), line("bag"), line("sample")]),
      order("o2", [line("laptop"), line("sample")]),
    ];
    const r = prepareBaskets(orders, products, {
      exclude: { productIds: ["sample"], tags: ["FEATURED"], collectionIds: ["col-bags", "col-free"], vendors: ["Clicky"] },
    });
    // laptop: tag Featured; mouse: vendor; bag: collection (its tag "clearance" is not excluded); sample: by id first.
    expect(r.baskets).toEqual([]);
    expect(r.excluded.merchant).toEqual({ productIds: 2, tags: 2, collections: 1, vendors: 1 });
    expect(r.excluded.emptyOrders).toBe(2);
  });

  it("keeps lines of products missing from the map and counts them", () => {
    const r = prepareBaskets([order("o1", [line("ghost"), line("mouse")])], products, { exclude: { tags: ["anything"] } });
    expect(r.baskets[0]!.items).toEqual(["ghost", "mouse"]);
    expect(r.unknownProductLines).toBe(1);
  });

  it("accepts Date times", () => {
    const r = prepareBaskets([order("o1", [line("mouse")], { createdAt: new Date("2024-05-06T07:08:09Z"), cancelledAt: null })], products);
    expect(r.baskets[0]!.createdAt).toBe(Date.parse("2024-05-06T07:08:09Z"));
  });
});

describe("groupBaskets and isOfferable", () => {
  it("maps items to their groups, distinct and sorted, keeping empty baskets", () => {
    const baskets = [
      { orderId: "a", customerId: null, createdAt: 0, items: ["laptop", "mouse", "ghost"] },
      { orderId: "b", customerId: null, createdAt: 0, items: ["ghost"] },
    ];
    expect(groupBaskets(baskets, (id) => products.get(id)?.productType ?? null)).toEqual([["Laptop", "Mouse"], []]);
  });

  it("offers only active, available products", () => {
    expect(isOfferable(product("a"))).toBe(true);
    expect(isOfferable(product("a", { status: "DRAFT" }))).toBe(false);
    expect(isOfferable(product("a", { status: "ARCHIVED" }))).toBe(false);
    expect(isOfferable(product("a", { available: false }))).toBe(false);
    expect(isOfferable(undefined)).toBe(false);
  });
});
