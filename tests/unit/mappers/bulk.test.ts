/** Bulk JSONL rows (as BulkOrders asks for them) → ingest records: the storefront attribution part. */
import { describe, expect, it } from "vitest";
import { mapLineRow, mapOrder, mapOrderHeader, type BulkRow } from "../../../app/shopify/mappers/bulk";

const money = (amount: string, currencyCode = "USD") => ({ shopMoney: { amount, currencyCode } });

const orderRow = (customAttributes?: unknown): BulkRow => ({
  id: "gid://shopify/Order/1001",
  name: "#1001",
  createdAt: "2026-11-01T10:00:00Z",
  processedAt: "2026-11-01T10:00:00Z",
  updatedAt: "2026-11-01T10:05:00Z",
  cancelledAt: null,
  test: false,
  sourceName: "web",
  currencyCode: "USD",
  discountCodes: [],
  customer: null,
  subtotalPriceSet: money("30.00"),
  totalPriceSet: money("30.00"),
  totalDiscountsSet: money("0.00"),
  totalRefundedSet: money("0.00"),
  ...(customAttributes === undefined ? {} : { customAttributes }),
});

const lineRow = (id: number, customAttributes: unknown): BulkRow => ({
  id: `gid://shopify/LineItem/${id}`,
  __parentId: "gid://shopify/Order/1001",
  title: "Case",
  variantTitle: null,
  sku: null,
  quantity: 1,
  currentQuantity: 1,
  isGiftCard: false,
  customAttributes,
  product: { id: "gid://shopify/Product/5" },
  variant: { id: "gid://shopify/ProductVariant/50" },
  originalUnitPriceSet: money("15.00"),
  totalDiscountSet: money("0.00"),
});

describe("bulk orders: storefront attribution", () => {
  it("keeps the order's _il_vid / _il_arm and each line's _il_widget / _il_slot / _il_rank", () => {
    const order = mapOrder(
      orderRow([
        { key: "gift_message", value: "Chúc mừng sinh nhật" },
        { key: "_il_vid", value: "v-0123456789" },
        { key: "_il_arm", value: "holdout" },
      ]),
      [
        lineRow(1, [{ key: "_il_widget", value: "upgrade" }, { key: "_il_slot", value: "1" }, { key: "_il_rank", value: "engine" }]),
        lineRow(2, []),
      ],
    );
    expect(order).toMatchObject({ visitorId: "v-0123456789", offerArm: "holdout" });
    expect(order.lines.map((l) => [l.id, l.offerWidget, l.offerSlot, l.offerRank])).toEqual([
      ["1", "upgrade", 1, "engine"],
      ["2", null, null, null],
    ]);
    // Nothing else of the attributes is carried on.
    expect(JSON.stringify(order, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))).not.toContain("Chúc mừng");
  });

  it("ignores invalid values: they are stored as null, not raw", () => {
    const header = mapOrderHeader(orderRow([{ key: "_il_vid", value: "has spaces" }, { key: "_il_arm", value: null }]));
    expect(header).toMatchObject({ visitorId: null, offerArm: null });
    const line = mapLineRow(lineRow(3, [{ key: "_il_widget", value: "FBT" }, { key: "_il_slot", value: "99" }, { key: "_il_rank", value: "thompson" }]));
    expect([line.offerWidget, line.offerSlot, line.offerRank]).toEqual([null, null, null]);
  });

  it("an order row without customAttributes (an older file) leaves the stored attribution alone", () => {
    const header = mapOrderHeader(orderRow());
    expect(header.visitorId).toBeUndefined();
    expect(header.offerArm).toBeUndefined();
  });
});
