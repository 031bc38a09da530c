import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminBody } from "../../support/local-admin";
import { createLocalShopify } from "../../local-shopify";
import { shopModule } from "../../local-shopify/modules/shop";
import { createWebPixelsModule, webPixelsModule } from "../../local-shopify/modules/web-pixels";
import type { ApiModule } from "../../local-shopify/server";
import { emptySeed } from "../../local-shopify/store";

/** One local Shopify per pixel module, each with its own shop. */
function harness(pixels: ApiModule) {
  const shop = "pixels.myshopify.com";
  const token = "shpat_pixels";
  const local = createLocalShopify({ modules: [shopModule, pixels] });
  local.addShop(emptySeed({ domain: shop, id: 11 }));
  local.issueAccessToken(shop, token);
  beforeAll(() => local.listen());
  afterAll(() => local.close());
  return adminBody(local, token);
}

const CREATE = `mutation Create($webPixel: WebPixelInput!) { webPixelCreate(webPixel: $webPixel) { webPixel { id settings } userErrors { field message code } } }`;
const UPDATE = `mutation Update($id: ID!, $webPixel: WebPixelInput!) { webPixelUpdate(id: $id, webPixel: $webPixel) { webPixel { id settings } userErrors { field message code } } }`;
const DELETE = `mutation Delete($id: ID!) { webPixelDelete(id: $id) { deletedWebPixelId userErrors { field message code } } }`;
const READ = `query Read($id: ID) { webPixel(id: $id) { id settings } }`;

describe("web pixels (settings definition not known yet: any flat object of strings)", () => {
  const gql = harness(webPixelsModule);

  it("creates the app's pixel from a JSON string and reads it back, with or without its id", async () => {
    expect((await gql(READ)).data.webPixel).toBeNull();
    const created = await gql(CREATE, { webPixel: { settings: '{"accountID":"shop-11","endpoint":"https://example.com/collect"}' } });
    expect(created.data.webPixelCreate.userErrors).toEqual([]);
    const pixel = created.data.webPixelCreate.webPixel;
    expect(pixel).toEqual({ id: expect.stringMatching(/^gid:\/\/shopify\/WebPixel\/\d+$/), settings: '{"accountID":"shop-11","endpoint":"https://example.com/collect"}' });
    expect((await gql(READ)).data.webPixel).toEqual(pixel);
    expect((await gql(READ, { id: pixel.id })).data.webPixel).toEqual(pixel);
    expect((await gql(READ, { id: "gid://shopify/WebPixel/1" })).data.webPixel).toBeNull();
  });

  it("allows one pixel per app and shop (TAKEN)", async () => {
    const again = await gql(CREATE, { webPixel: { settings: { accountID: "other" } } });
    expect(again.data.webPixelCreate).toEqual({ webPixel: null, userErrors: [{ field: ["webPixel"], message: expect.stringContaining("already has a web pixel"), code: "TAKEN" }] });
  });

  it("validates settings (INVALID_SETTINGS) and updates them", async () => {
    const pixel = (await gql(READ)).data.webPixel;
    for (const settings of ["{not json", "[1,2]", '"text"', { accountID: 42 }, { nested: { a: "b" } }]) {
      const body = await gql(UPDATE, { id: pixel.id, webPixel: { settings } });
      expect(body.data.webPixelUpdate.userErrors, JSON.stringify(settings)).toEqual([{ field: ["webPixel", "settings"], message: expect.any(String), code: "INVALID_SETTINGS" }]);
    }
    expect((await gql(READ)).data.webPixel.settings).toBe(pixel.settings);
    const updated = await gql(UPDATE, { id: pixel.id, webPixel: { settings: { accountID: "shop-11-v2" } } }); // an object is accepted too
    expect(updated.data.webPixelUpdate).toEqual({ webPixel: { id: pixel.id, settings: '{"accountID":"shop-11-v2"}' }, userErrors: [] });
    const unknown = await gql(UPDATE, { id: "gid://shopify/WebPixel/1", webPixel: { settings: "{}" } });
    expect(unknown.data.webPixelUpdate).toEqual({ webPixel: null, userErrors: [{ field: ["id"], message: "Web pixel not found.", code: "NOT_FOUND" }] });
  });

  it("deletes the pixel, after which a new one can be created", async () => {
    const pixel = (await gql(READ)).data.webPixel;
    expect((await gql(DELETE, { id: pixel.id })).data.webPixelDelete).toEqual({ deletedWebPixelId: pixel.id, userErrors: [] });
    expect((await gql(READ)).data.webPixel).toBeNull();
    expect((await gql(DELETE, { id: pixel.id })).data.webPixelDelete.userErrors[0].code).toBe("NOT_FOUND");
    expect((await gql(CREATE, { webPixel: { settings: "{}" } })).data.webPixelCreate.userErrors).toEqual([]);
  });
});

describe("web pixels validated against an extension's settings definition", () => {
  const gql = harness(
    createWebPixelsModule({ settings: { accountID: { type: "single_line_text_field", validations: [{ name: "min", value: "3" }] }, note: { type: "multi_line_text_field" } } }),
  );

  it("accepts settings that match the definition and refuses the rest", async () => {
    const cases: [unknown, RegExp][] = [
      [{ accountID: "abc", extra: "x" }, /extra is not defined/],
      [{ accountID: "ab", note: "n" }, /too short/],
      [{ accountID: "ab\ncd", note: "n" }, /single line/],
      [{ note: "n" }, /accountID is missing/],
    ];
    for (const [settings, message] of cases) {
      const body = await gql(CREATE, { webPixel: { settings } });
      expect(body.data.webPixelCreate.userErrors, JSON.stringify(settings)).toEqual([{ field: ["webPixel", "settings"], message: expect.stringMatching(message), code: "INVALID_SETTINGS" }]);
    }
    const ok = await gql(CREATE, { webPixel: { settings: { accountID: "abc", note: "two\nlines" } } });
    expect(ok.data.webPixelCreate.userErrors).toEqual([]);
  });
});

describe("web pixels without a web pixel extension", () => {
  const gql = harness(createWebPixelsModule(null));

  it("answers NO_EXTENSION", async () => {
    const body = await gql(CREATE, { webPixel: { settings: "{}" } });
    expect(body.data.webPixelCreate).toEqual({ webPixel: null, userErrors: [{ field: null, message: expect.any(String), code: "NO_EXTENSION" }] });
  });
});
