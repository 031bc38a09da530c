/** Webhook payloads (tests/fixtures/webhooks, shaped after Shopify's docs) → records the jobs store → ingest records. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MoneyError } from "../../../app/insights/money";
import {
  parseBulkOperationFinishWebhook,
  parseCustomerDataRequestWebhook,
  parseCustomerRedactWebhook,
  parseCustomerWebhook,
  parseDeleteWebhook,
  parseOrderWebhook,
  sumDecimals,
  WebhookPayloadError,
} from "../../../app/shopify/mappers/webhook-payloads";
import { customerFromWebhook, mapOrderRecord, orderFromWebhook, productFromWebhook, refundFromWebhook } from "../../../app/shopify/mappers/webhooks";

const fixture = (name: string) =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../fixtures/webhooks", name), "utf8")) as Record<string, unknown>;

/** Fictitious personal data that the fixtures carry and that must never survive parsing. */
const PERSONAL = ["lan.nguyen", "Lan", "Nguyen", "+8490", "Nguyen Hue", "Floor 3", "700000", "203.0.113", "Gift wrap", "Chúc mừng", "Mozilla"];

function expectNoPersonalData(record: unknown) {
  const json = JSON.stringify(record);
  for (const value of PERSONAL) expect(json).not.toContain(value);
}

describe("orders/create", () => {
  it("maps money to exact minor units of the order's currency, with discounts allocated per line", () => {
    const order = orderFromWebhook(fixture("orders-create.json"));
    expect(order).toMatchObject({
      id: "5940139491234",
      name: "#1042",
      currency: "USD",
      subtotal: 12997n,
      total: 14559n,
      totalDiscounts: 1000n,
      totalRefunded: 0n,
      test: false,
      sourceName: "web",
      discountCodes: ["TENOFF"],
      customerId: "7741425221763",
      cancelledAt: null,
    });
    expect(order.createdAt).toEqual(new Date("2026-03-14T13:30:00Z"));
    expect(order.processedAt).toEqual(new Date("2026-03-14T13:29:58Z"));
    expect(order.updatedAt).toEqual(new Date("2026-03-14T13:30:05Z"));
    expect(order.lines).toEqual([
      {
        id: "13688971493691",
        productId: "8061536829755",
        variantId: "44858553761923",
        title: "Aviator sunglasses",
        variantTitle: "Gold",
        sku: "AVI-GLD",
        quantity: 2,
        unitPrice: 5999n,
        totalDiscount: 600n,
        refundedQuantity: 0,
        isGiftCard: false,
        isCustom: false,
        offerWidget: null,
        offerSlot: null,
        offerRank: null,
      },
      {
        id: "13688971526459",
        productId: "8061536862523",
        variantId: "44858553794691",
        title: "Leather case",
        variantTitle: null,
        sku: "CASE-BRN",
        quantity: 1,
        unitPrice: 1999n,
        totalDiscount: 400n,
        refundedQuantity: 0,
        isGiftCard: false,
        isCustom: false,
        offerWidget: null,
        offerSlot: null,
        offerRank: null,
      },
    ]);
  });

  it("keeps no personal data in the record a job stores", () => {
    const record = parseOrderWebhook(fixture("orders-create.json"));
    expectNoPersonalData(record);
    expect(Object.keys(record).sort()).toEqual(
      ["attribution", "cancelledAt", "createdAt", "currency", "customerId", "discountCodes", "id", "lines", "name", "processedAt", "refunds", "sourceName", "subtotal", "test", "total", "totalDiscounts", "updatedAt"].sort(),
    );
  });

  it("maps a guest VND order with a custom line and a gift card", () => {
    const order = orderFromWebhook(fixture("orders-create-guest-vnd.json"));
    expect(order).toMatchObject({ customerId: null, currency: "VND", subtotal: 33_740_000n, total: 33_740_000n, totalDiscounts: 0n, sourceName: "pos" });
    expect(order.lines.map((l) => [l.title, l.productId, l.unitPrice, l.isCustom, l.isGiftCard, l.sku])).toEqual([
      ["VietBook 14 Pro", "9782123692332", 32_990_000n, false, false, "VB14P-16-1T"],
      ["Cài đặt phần mềm", null, 250_000n, true, false, null],
      ["Thẻ quà tặng", "9797441945900", 500_000n, false, true, null],
    ]);
  });

  it("takes ids from admin_graphql_api_id, exact beyond 2^53, and refuses an id that cannot be exact", () => {
    // As Shopify's JSON arrives: an id above 2^53 that JSON.parse can only approximate.
    const text = JSON.stringify(fixture("orders-create.json"))
      .replace('"id":5940139491234', '"id":820982911946154508')
      .replace('"gid://shopify/Order/5940139491234"', '"gid://shopify/Order/820982911946154508"');
    const big = JSON.parse(text) as Record<string, unknown>;
    expect(String(big.id)).not.toBe("820982911946154508"); // JSON.parse could not keep it exact
    expect(orderFromWebhook(big).id).toBe("820982911946154508");
    const { admin_graphql_api_id: _gid, ...withoutGid } = big;
    expect(() => parseOrderWebhook(withoutGid)).toThrow(/id: id is too large to be exact/);
  });

  it("refuses a malformed payload naming the fields, never their values", () => {
    const { updated_at: _u, ...payload } = fixture("orders-create.json");
    const broken = { ...payload, currency: "dollars", line_items: [{ id: 1, quantity: "two" }] };
    const error = (() => {
      try {
        parseOrderWebhook(broken);
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected a WebhookPayloadError");
    })();
    expect(error).toBeInstanceOf(WebhookPayloadError);
    expect(error.message).toMatch(/updated_at/);
    expect(error.message).toMatch(/currency/);
    expect(error.message).not.toContain("dollars");
    expect(error.message).not.toContain("two");
  });

  it("rejects an amount with more decimals than the currency has (when the job maps it), never rounding", () => {
    const guest = fixture("orders-create-guest-vnd.json");
    const lines = guest.line_items as Record<string, unknown>[];
    const odd = { ...guest, line_items: [{ ...lines[0], price: "32990000.50", price_set: undefined }] };
    expect(() => orderFromWebhook(odd)).toThrow(MoneyError);
  });

  it("falls back to the plain amounts when a payload has no *_set bags", () => {
    const payload = fixture("orders-create.json");
    const plain = Object.fromEntries(Object.entries(payload).filter(([k]) => !k.endsWith("_set")));
    plain.line_items = (payload.line_items as Record<string, unknown>[]).map((l) => ({ ...l, price_set: undefined }));
    expect(orderFromWebhook(plain)).toMatchObject({ subtotal: 12997n, total: 14559n, totalDiscounts: 1000n });
  });
});

describe("orders: storefront attribution (note_attributes, line properties)", () => {
  /** The orders/create fixture with the storefront's cart attributes and line properties added. */
  function attributed(orderAttributes: { name: string; value: unknown }[], lineProperties: { name: string; value: unknown }[][]) {
    const payload = fixture("orders-create.json");
    const lines = payload.line_items as Record<string, unknown>[];
    return {
      ...payload,
      note_attributes: [...(payload.note_attributes as unknown[]), ...orderAttributes],
      line_items: lines.map((l, i) => ({ ...l, properties: lineProperties[i] ?? [] })),
    };
  }

  it("keeps the visitor id and arm from note_attributes and the widget, slot and rank from line properties", () => {
    const order = orderFromWebhook(
      attributed(
        [{ name: "_il_vid", value: "3f2a9c1e-77b0-4c1d-9a0e-5b6c7d8e9f00" }, { name: "_il_arm", value: "treatment" }],
        [[], [{ name: "_il_widget", value: "fbt" }, { name: "_il_slot", value: "2" }, { name: "_il_rank", value: "bandit" }]],
      ),
    );
    expect(order).toMatchObject({ visitorId: "3f2a9c1e-77b0-4c1d-9a0e-5b6c7d8e9f00", offerArm: "treatment" });
    expect(order.lines.map((l) => [l.offerWidget, l.offerSlot, l.offerRank])).toEqual([
      [null, null, null],
      ["fbt", 2, "bandit"],
    ]);
  });

  it("ignores values the blocks never write, and keeps nothing else of the attributes in the job's record", () => {
    const record = parseOrderWebhook(
      attributed(
        [{ name: "_il_vid", value: "bad id; <script>" }, { name: "_il_arm", value: "control" }],
        [
          [{ name: "_il_widget", value: "popup" }, { name: "_il_slot", value: "21" }, { name: "_il_rank", value: "ENGINE" }],
          [{ name: "_il_widget", value: 7 }, { name: "_il_slot", value: "0" }, { name: "Engraving", value: "Lan Nguyen" }],
        ],
      ),
    );
    expect(record.attribution).toEqual({ visitorId: null, offerArm: null });
    expect(record.lines.map((l) => l.attribution)).toEqual([
      { offerWidget: null, offerSlot: null, offerRank: null },
      { offerWidget: null, offerSlot: null, offerRank: null },
    ]);
    // The gift message (note_attributes) and the engraving (a line property) never reach the stored record.
    expectNoPersonalData(record);
    expect(JSON.stringify(record)).not.toContain("Engraving");
  });

  it("an order whose attributes are malformed is still accepted (attribution is best effort)", () => {
    const payload = { ...attributed([], []), note_attributes: [null, 3, { value: "x" }, { name: "_il_arm" }] };
    const order = orderFromWebhook(payload);
    expect(order).toMatchObject({ visitorId: null, offerArm: null });
  });

  it("a job queued before attribution existed (no attribution in its record) leaves the stored attribution alone", () => {
    const { attribution: _a, ...old } = parseOrderWebhook(fixture("orders-create.json"));
    const order = mapOrderRecord({ ...old, lines: old.lines.map(({ attribution: _l, ...line }) => line) });
    expect(order.visitorId).toBeUndefined();
    expect(order.offerArm).toBeUndefined();
    expect(order.lines[0]!.offerWidget).toBeUndefined();
  });
});

describe("refunds", () => {
  it("orders/updated after a refund: refunded quantity per line and the amount paid back", () => {
    const order = orderFromWebhook(fixture("orders-updated-refunded.json"));
    expect(order.updatedAt).toEqual(new Date("2026-03-20T18:02:11Z"));
    expect(order.totalRefunded).toBe(6055n);
    expect(order.lines.map((l) => [l.id, l.quantity, l.refundedQuantity])).toEqual([
      ["13688971493691", 2, 1],
      ["13688971526459", 1, 0],
    ]);
  });

  it("a cancelled order keeps its lines' quantities (as the bulk mapper does)", () => {
    const order = orderFromWebhook({ ...fixture("orders-updated-refunded.json"), cancelled_at: "2026-03-21T10:00:00-04:00" });
    expect(order.cancelledAt).toEqual(new Date("2026-03-21T14:00:00Z"));
    expect(order.lines.map((l) => l.refundedQuantity)).toEqual([0, 0]);
  });

  it("refunds/create as a change to a stored order", () => {
    const delta = refundFromWebhook(fixture("refunds-create.json"), "USD");
    expect(delta).toEqual({
      refundId: "929361464001",
      orderId: "5940139491234",
      createdAt: new Date("2026-03-20T18:02:10Z"),
      quantities: new Map([["13688971493691", 1]]),
      amount: 6055n,
    });
  });

  it("leaves out failed refund transactions and ones in another currency", () => {
    const refund = fixture("refunds-create.json");
    const [tx] = refund.transactions as Record<string, unknown>[];
    const withOthers = {
      ...refund,
      transactions: [tx, { ...tx, status: "failure", amount: "60.55" }, { ...tx, currency: "EUR", amount: "55.00" }, { ...tx, kind: "sale" }],
    };
    expect(refundFromWebhook(withOthers, "USD").amount).toBe(6055n);
  });

  it("sums decimals exactly", () => {
    expect(sumDecimals(["0.1", "0.2"])).toBe("0.3");
    expect(sumDecimals(["6.00", "4.005", "-1"])).toBe("9.005");
    expect(sumDecimals([])).toBe("0");
  });
});

describe("products", () => {
  it("maps a product and its variants in the shop's currency; stock decides availability of tracked variants", () => {
    const product = productFromWebhook(fixture("products-update.json"), "USD");
    expect(product).toMatchObject({
      id: "8061536829755",
      title: "Aviator sunglasses",
      handle: "aviator-sunglasses",
      productType: "Eyewear",
      vendor: "Kinh Mat Saigon",
      tags: ["summer", "best-seller"],
      status: "ACTIVE",
      collectionIds: [],
    });
    expect(product.updatedAt).toEqual(new Date("2026-03-15T12:00:00Z"));
    expect(product.variants).toEqual([
      { id: "44858553761923", title: "Gold", sku: "AVI-GLD", currency: "USD", price: 5999n, compareAtPrice: 7999n, unitCost: null, inventoryQuantity: 12, availableForSale: true },
      { id: "44858553827459", title: "Silver", sku: "AVI-SLV", currency: "USD", price: 5450n, compareAtPrice: null, unitCost: null, inventoryQuantity: 0, availableForSale: false },
    ]);
  });

  it("refuses an unknown status", () => {
    expect(() => productFromWebhook({ ...fixture("products-update.json"), status: "hidden" }, "USD")).toThrow(/unknown product status/);
  });

  it("products/delete carries only the id", () => {
    expect(parseDeleteWebhook(fixture("products-delete.json"))).toEqual({ id: "8061536862523" });
  });
});

describe("customers", () => {
  it("keeps the id, tags, locale, country code and marketing states — nothing else", () => {
    const record = parseCustomerWebhook(fixture("customers-update.json"));
    expectNoPersonalData(record);
    expect(record).toEqual({
      id: "7741425221763",
      createdAt: "2025-11-02T08:15:00-04:00",
      updatedAt: "2026-03-16T10:00:00-04:00",
      tags: ["VIP", "wholesale"],
      locale: null,
      countryCode: "VN",
      emailMarketing: "SUBSCRIBED",
      smsMarketing: null,
    });
    expect(customerFromWebhook(fixture("customers-update.json"))).toMatchObject({ rfmGroup: null, predictedSpendTier: null, updatedAt: new Date("2026-03-16T14:00:00Z") });
  });

  it("customers/delete carries only the id", () => {
    expect(parseDeleteWebhook(fixture("customers-delete.json"))).toEqual({ id: "7741425221763" });
  });
});

describe("bulk operations and compliance", () => {
  it("bulk_operations/finish keeps the operation's GID and outcome", () => {
    expect(parseBulkOperationFinishWebhook(fixture("bulk-operations-finish.json"))).toEqual({
      bulkOperationId: "gid://shopify/BulkOperation/147595010",
      status: "completed",
      errorCode: null,
      type: "query",
      completedAt: "2026-03-14T13:00:02-04:00",
    });
  });

  it("customers/data_request and customers/redact keep ids only (no email, no phone)", () => {
    const request = parseCustomerDataRequestWebhook(fixture("customers-data-request.json"));
    expect(request).toEqual({ customerId: "7741425221763", ordersRequested: ["5940139491234"], dataRequestId: "9999" });
    const redact = parseCustomerRedactWebhook(fixture("customers-redact.json"));
    expect(redact).toEqual({ customerId: "7741425221763", ordersToRedact: ["5940139491234"] });
    expectNoPersonalData([request, redact]);
    // Shopify may send a customer without an id (email only): the orders then name the customer.
    expect(parseCustomerRedactWebhook({ customer: { email: "x@example.com" }, orders_to_redact: [1, 2] })).toEqual({ customerId: null, ordersToRedact: ["1", "2"] });
  });
});
