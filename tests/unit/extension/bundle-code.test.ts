/**
 * A code bundle on the storefront (issue 12): the fbt block carries the bundle's code (`data-il-code`) only for a code
 * discount, and assets/insight-widgets.js puts it on the cart — beside the codes already there — once the page's
 * product and a bundle add-on were added together, through Shopify.actions.updateCart({discountCodes}) or, without it,
 * POST /cart/update.js {discount}. Nothing is applied for another pick or for an automatic bundle.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { webcrypto } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { EXTENSION_DIR, fbtEntry, gid, product, renderBlock, type Product } from "./liquid-env";
import { EventTargetish, FakeDocument, FakeEvent } from "./mini-dom";

const script = new vm.Script(readFileSync(path.join(EXTENSION_DIR, "assets/insight-widgets.js"), "utf8"), { filename: "insight-widgets.js" });

function load(html: string, withActions: boolean) {
  const win = new EventTargetish();
  const doc = new FakeDocument(html, win);
  doc.readyState = "complete";
  doc.documentElement.dataset.ilArm = "treatment";
  doc.documentElement.dataset.ilVid = "0123456789abcdef0123456789abcdef";
  const requests: { url: string; body: Record<string, unknown> | null }[] = [];
  const cartCalls: Record<string, unknown>[] = [];
  const sandbox: Record<string, unknown> = {
    document: doc,
    addEventListener: win.addEventListener.bind(win),
    crypto: webcrypto,
    setTimeout: (fn: () => void) => void fn(),
    fetch: (url: string, init?: { body?: string }) => {
      requests.push({ url, body: init?.body ? (JSON.parse(init.body) as Record<string, unknown>) : null });
      const json = url.endsWith("cart.js") ? { discount_codes: [{ code: "WELCOME", applicable: true }] } : {};
      return Promise.resolve({ ok: true, json: () => Promise.resolve(json) });
    },
    sessionStorage: { getItem: () => null, setItem: () => undefined },
  };
  if (withActions) {
    sandbox.Shopify = {
      actions: {
        updateCart: (payload: Record<string, unknown>) => {
          cartCalls.push(payload);
          return Promise.resolve({ cart: {}, userErrors: [], warnings: [] });
        },
      },
    };
  }
  sandbox.window = sandbox;
  script.runInNewContext(sandbox);
  return { doc, requests, cartCalls };
}

const s6 = product(6), s7 = product(7);
function anchorWith(bundle: Record<string, unknown>): Product {
  const anchor = product(1, { fbt: [s6, s7] });
  anchor.metafields.$app.offers!.value = { v: 1, version: 1, fbt: [fbtEntry(s6, 1), fbtEntry(s7, 2)], upgrade: null, bundle: { ...bundle, products: [gid(s6)] } };
  return anchor;
}
const codeBundle = { discountId: "gid://shopify/DiscountCodeNode/3", title: "Set", percentOff: 15, kind: "code", code: "LAPTOP15-AB12" };
const html = async (bundle: Record<string, unknown>) => renderBlock("fbt", { product: anchorWith(bundle), heading: "", items: 3, show_prices: true });
const addAll = (doc: FakeDocument) => doc.querySelector("[data-il-add=all]")!.dispatchEvent(new FakeEvent("click"));
const live = (doc: FakeDocument) => doc.querySelector("[data-il-live]")!.textContent;

describe("a code bundle applied to the cart", () => {
  it("the block carries the code of a code bundle only", async () => {
    expect(await html(codeBundle)).toContain('data-il-code="LAPTOP15-AB12"');
    expect(await html({ ...codeBundle, kind: "automatic", code: null })).not.toContain("data-il-code");
  });

  it("adding the page's product with a bundle add-on applies the code beside the cart's codes (Shopify.actions)", async () => {
    const page = load(await html(codeBundle), true);
    addAll(page.doc);
    await vi.waitFor(() => expect(live(page.doc)).toBe("Added 3 items to your cart"));
    expect(page.cartCalls).toHaveLength(2);
    expect(page.cartCalls[1]).toEqual({ discountCodes: ["WELCOME", "LAPTOP15-AB12"] });
  });

  it("without Shopify.actions: POST /cart/update.js {discount}", async () => {
    const page = load(await html(codeBundle), false);
    addAll(page.doc);
    await vi.waitFor(() => expect(live(page.doc)).toBe("Added 3 items to your cart"));
    const update = page.requests.filter((r) => r.url.endsWith("cart/update.js") && r.body && "discount" in r.body);
    expect(update.map((r) => r.body)).toEqual([{ discount: "WELCOME,LAPTOP15-AB12" }]);
  });

  it("no code for a pick without the page's product or without a bundle add-on, nor for an automatic bundle", async () => {
    const page = load(await html(codeBundle), true);
    const rows = page.doc.querySelectorAll(".il-item");
    const self = rows.find((r) => r.hasAttribute("data-il-self"))!;
    const box = self.querySelector(".il-check")!;
    box.checked = false;
    box.dispatchEvent(new FakeEvent("change"));
    addAll(page.doc);
    await vi.waitFor(() => expect(live(page.doc)).toBe("Added 2 items to your cart"));
    expect(page.cartCalls.filter((c) => "discountCodes" in c)).toEqual([]);
    expect(page.requests.filter((r) => r.url.endsWith("cart.js"))).toEqual([]);

    const automatic = load(await html({ ...codeBundle, kind: "automatic", code: null }), true);
    addAll(automatic.doc);
    await vi.waitFor(() => expect(live(automatic.doc)).toBe("Added 3 items to your cart"));
    expect(automatic.cartCalls.filter((c) => "discountCodes" in c)).toEqual([]);
  });
});
