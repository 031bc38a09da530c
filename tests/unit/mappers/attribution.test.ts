/** Storefront attribution on orders: only the exact values the blocks write are kept (app/shopify/mappers/attribution.ts). */
import { describe, expect, it } from "vitest";
import { lineAttribution, orderAttribution } from "../../../app/shopify/mappers/attribution";

const attrs = (entries: Record<string, unknown>) => Object.entries(entries).map(([key, value]) => ({ key, value }));

describe("orderAttribution", () => {
  it("keeps a visitor id of letters, digits and dashes up to 64 characters, and the two arms", () => {
    expect(orderAttribution(attrs({ _il_vid: "a".repeat(64), _il_arm: "holdout" }))).toEqual({ visitorId: "a".repeat(64), offerArm: "holdout" });
    expect(orderAttribution(attrs({ _il_vid: "AbC-1234", _il_arm: "treatment" }))).toEqual({ visitorId: "AbC-1234", offerArm: "treatment" });
  });

  it.each([
    ["65 characters", "a".repeat(65)],
    ["an underscore", "abc_def"],
    ["a space", "abc def"],
    ["markup", "<b>x</b>"],
    ["an email", "lan@example.com"],
    ["empty", ""],
    ["fewer than 8 characters", "abc-123"],
  ])("ignores a visitor id with %s", (_what, vid) => {
    expect(orderAttribution(attrs({ _il_vid: vid })).visitorId).toBeNull();
  });

  it("ignores an unknown arm, a non-string value, and attributes that are not a list", () => {
    expect(orderAttribution(attrs({ _il_arm: "Treatment" })).offerArm).toBeNull();
    expect(orderAttribution(attrs({ _il_arm: " holdout" })).offerArm).toBeNull();
    expect(orderAttribution(attrs({ _il_arm: 1 })).offerArm).toBeNull();
    expect(orderAttribution(null)).toEqual({ visitorId: null, offerArm: null });
    expect(orderAttribution({ _il_arm: "holdout" })).toEqual({ visitorId: null, offerArm: null });
  });

  it("reads REST's { name, value } as GraphQL's { key, value }; the last of a repeated key wins", () => {
    expect(orderAttribution([{ name: "_il_arm", value: "treatment" }, { name: "_il_arm", value: "holdout" }]).offerArm).toBe("holdout");
  });
});

describe("lineAttribution", () => {
  it("keeps the three widgets, slots 1..20 and the three ranking arms", () => {
    expect(lineAttribution(attrs({ _il_widget: "upgrade", _il_slot: "1", _il_rank: "engine" }))).toEqual({ offerWidget: "upgrade", offerSlot: 1, offerRank: "engine" });
    expect(lineAttribution(attrs({ _il_widget: "cart", _il_slot: "20", _il_rank: "explore" }))).toEqual({ offerWidget: "cart", offerSlot: 20, offerRank: "explore" });
  });

  it.each(["0", "21", "1.5", "-1", " 3", "03x", "", "100"])("ignores slot %j", (slot) => {
    expect(lineAttribution(attrs({ _il_slot: slot })).offerSlot).toBeNull();
  });

  it("ignores unknown widgets and ranks", () => {
    expect(lineAttribution(attrs({ _il_widget: "popup", _il_rank: "random" }))).toEqual({ offerWidget: null, offerSlot: null, offerRank: null });
  });
});
