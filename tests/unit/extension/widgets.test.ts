/**
 * assets/insight-widgets.js run in node:vm on the blocks' rendered HTML (a minimal DOM, tests/unit/extension/mini-dom.ts):
 * no request while the page loads, events flushed only on interaction or page hide (≤ 50 per request), the cart
 * tagged once per session, prices recomputed, and adds through Shopify.actions.updateCart or /cart/add.js.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { webcrypto } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { EXTENSION_DIR, fbtEntry, gid, product, renderBlock, type Product } from "./liquid-env";
import { EventTargetish, FakeDocument, FakeEvent, type FakeElement } from "./mini-dom";

const script = new vm.Script(readFileSync(path.join(EXTENSION_DIR, "assets/insight-widgets.js"), "utf8"), { filename: "insight-widgets.js" });
const VID = "0123456789abcdef0123456789abcdef";

interface Request {
  url: string;
  init: { method: string; keepalive: boolean; headers: Record<string, string>; body: string };
  body: Record<string, unknown>;
}
interface StoredEvent {
  id: string;
  type: string;
  widget: string;
  arm: string;
  rank: string | null;
  anchor: string | null;
  product: string | null;
  slot: number | null;
  vid: string;
  t: number;
}

function load(html: string, options: { arm?: "treatment" | "holdout" | "preview"; actions?: "ok" | "refuse" | null; storage?: Map<string, string>; readyState?: "loading" | "complete" } = {}) {
  const win = new EventTargetish();
  const doc = new FakeDocument(html, win);
  doc.readyState = options.readyState ?? "complete";
  doc.documentElement.dataset.ilArm = options.arm ?? "treatment";
  doc.documentElement.dataset.ilVid = VID;
  const requests: Request[] = [];
  const cartCalls: { lines: Record<string, unknown>[] }[] = [];
  const idle: (() => void)[] = [];
  const timers: (() => void)[] = [];
  const observers: { callback: (entries: { target: FakeElement; intersectionRatio: number }[]) => void; observed: Set<FakeElement> }[] = [];
  const storage = options.storage ?? new Map<string, string>();
  const sandbox: Record<string, unknown> = {
    document: doc,
    addEventListener: win.addEventListener.bind(win),
    crypto: webcrypto,
    // The clock is the test's: pending timers run when the test says the page has been idle.
    setTimeout: (fn: () => void) => void timers.push(fn),
    fetch: (url: string, init: Request["init"]) => {
      requests.push({ url, init, body: JSON.parse(init.body) as Record<string, unknown> });
      return Promise.resolve({ ok: true, json: () => Promise.resolve({}) });
    },
    sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, String(v)) },
    requestIdleCallback: (fn: () => void) => void idle.push(fn),
    IntersectionObserver: class {
      private readonly entry;
      constructor(callback: (typeof observers)[number]["callback"], init: { threshold: number }) {
        expect(init.threshold).toBe(0.5);
        this.entry = { callback, observed: new Set<FakeElement>() };
        observers.push(this.entry);
      }
      observe(el: FakeElement) {
        this.entry.observed.add(el);
      }
      unobserve(el: FakeElement) {
        this.entry.observed.delete(el);
      }
    },
  };
  if (options.actions !== null) {
    sandbox.Shopify = {
      actions: {
        updateCart: (payload: { lines: Record<string, unknown>[] }) => {
          cartCalls.push(payload);
          return Promise.resolve(options.actions === "refuse" ? { cart: null, userErrors: [{ message: "Sold out" }] } : { cart: {}, userErrors: [], warnings: [] });
        },
      },
    };
  }
  sandbox.window = sandbox;
  script.runInNewContext(sandbox);
  const show = (el: FakeElement, ratio: number) => {
    for (const o of observers) if (o.observed.has(el)) o.callback([{ target: el, intersectionRatio: ratio }]);
  };
  const user = (type: string, target: FakeElement = doc.body) => target.dispatchEvent(new FakeEvent(type));
  const events = () => requests.filter((r) => r.url === "/apps/insight-loop/events").flatMap((r) => r.body.events as StoredEvent[]);
  /** Lets the page sit: resolves pending promises and runs every timer and idle callback until none is left. */
  const settle = async () => {
    for (let round = 0; round < 20; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      const due = [...timers.splice(0), ...idle.splice(0)];
      if (!due.length) return;
      due.forEach((fn) => fn());
    }
    throw new Error("the page keeps scheduling timers");
  };
  return { doc, win, requests, cartCalls, idle, observers, storage, show, user, events, settle };
}

// The page: anchor 1 (two variants), suggestions 6 (bandit, in the bundle), 7 (two variants), 8 (explore); 10 % bundle.
const s6 = product(6), s7 = product(7, { variants: [{ price: 7100 }, { price: 7300 }] }), s8 = product(8);
const anchor: Product = product(1, { variants: [{ price: 1000 }, { price: 1500 }], fbt: [s6, s7, s8] });
anchor.metafields.$app.offers!.value = {
  v: 1,
  version: 4,
  fbt: [fbtEntry(s6, 1, "bandit"), fbtEntry(s7, 2), fbtEntry(s8, 3, "explore")],
  upgrade: null,
  bundle: { discountId: "gid://shopify/DiscountAutomaticNode/9", title: "Set", percentOff: 10, products: [gid(anchor), gid(s6)] },
};
const fbtSettings = { product: anchor, heading: "", items: 3, show_prices: true };
const fbtHtml = await renderBlock("fbt", fbtSettings);
const block = (doc: FakeDocument) => doc.querySelector(".il-offer")!;
const row = (doc: FakeDocument, id: number) => doc.querySelectorAll(".il-item").find((r) => r.dataset.ilProduct === String(id))!;

describe("insight-widgets.js: requests", () => {
  it("sends nothing while the page loads, renders and is scrolled; impressions (≥ 50 % visible) leave with an interaction", async () => {
    const page = load(fbtHtml, { readyState: "loading" });
    expect(page.observers).toHaveLength(1);
    page.doc.readyState = "interactive";
    page.doc.dispatch("DOMContentLoaded");
    page.doc.readyState = "complete";
    page.doc.dispatch("load");
    page.show(block(page.doc), 0.3);
    await page.settle();
    expect(page.requests).toEqual([]);

    // The first interaction tags the cart; less than half the block was seen, so there is no impression yet.
    page.user("pointerdown");
    expect(page.requests.map((r) => [r.url, r.init.method, r.init.keepalive, r.init.headers["Content-Type"]])).toEqual([
      ["/cart/update.js", "POST", true, "application/json"],
    ]);
    expect(page.requests[0]!.body).toEqual({ attributes: { _il_vid: VID, _il_arm: "treatment" } });

    page.show(block(page.doc), 0.6);
    page.doc.dispatch("visibilitychange");
    await page.settle();
    expect(page.requests).toHaveLength(1);
    page.user("keydown");
    expect(page.requests.map((r) => [r.url, r.init.method, r.init.keepalive, r.init.headers["Content-Type"]])).toEqual([
      ["/cart/update.js", "POST", true, "application/json"],
      ["/apps/insight-loop/events", "POST", true, "application/json"],
    ]);
    const events = page.events();
    expect(events.map(({ id, t, ...rest }) => (expect(id).toMatch(/^[0-9a-f-]{36}$/), expect(typeof t).toBe("number"), rest))).toEqual([
      { type: "impression", widget: "fbt", arm: "treatment", rank: "bandit", anchor: "1", product: "6", slot: 1, vid: VID },
      { type: "impression", widget: "fbt", arm: "treatment", rank: "engine", anchor: "1", product: "7", slot: 2, vid: VID },
      { type: "impression", widget: "fbt", arm: "treatment", rank: "explore", anchor: "1", product: "8", slot: 3, vid: VID },
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);

    // Seen once: the block is no longer observed, and later interactions with nothing buffered send nothing.
    page.show(block(page.doc), 1);
    page.user("pointerdown");
    page.user("click");
    expect(page.requests).toHaveLength(2);
  });

  it("tags the cart with the visitor and arm once per session", async () => {
    const storage = new Map<string, string>();
    const first = load(fbtHtml, { storage });
    first.user("keydown");
    await vi.waitFor(() => expect(storage.get("_il_cart")).toBe(`${VID}:treatment`));
    const next = load(fbtHtml, { storage });
    next.user("pointerdown");
    next.doc.dispatch("pagehide");
    expect(next.requests.filter((r) => r.url === "/cart/update.js")).toEqual([]);
  });

  it("holdout: logged as would-have-been-shown after DOMContentLoaded and idle, sent on page hide in batches of at most 50", async () => {
    const blocks = await Promise.all(Array.from({ length: 20 }, (_, i) => renderBlock("fbt", fbtSettings, {}, `b${i}`)));
    const page = load(blocks.join("\n"), { arm: "holdout", readyState: "loading" });
    expect(page.observers).toEqual([]);
    expect(page.idle).toEqual([]);
    page.doc.readyState = "interactive";
    page.doc.dispatch("DOMContentLoaded");
    expect(page.idle).toHaveLength(1);
    await page.settle();
    expect(page.requests).toEqual([]);

    page.win.fire(new FakeEvent("pagehide"));
    const batches = page.requests.filter((r) => r.url === "/apps/insight-loop/events").map((r) => (r.body.events as StoredEvent[]).length);
    expect(batches).toEqual([50, 10]);
    // The app refuses bodies above 16 KiB (app/lib/storefront/events.server.ts): a full batch stays below it even
    // with Shopify's 13-digit product ids in place of these 1-digit ones (anchor and product: 24 more bytes an event).
    const largest = Math.max(...page.requests.map((r) => Buffer.byteLength(r.init.body)));
    console.log(`largest events request: ${largest} B for 50 events`);
    expect(largest + 50 * 24).toBeLessThanOrEqual(16 * 1024);
    expect(new Set(page.events().map((e) => `${e.type}/${e.arm}`))).toEqual(new Set(["impression/holdout"]));
    expect(page.requests.find((r) => r.url === "/cart/update.js")!.body).toEqual({ attributes: { _il_vid: VID, _il_arm: "holdout" } });
  });

  it("in the theme editor's preview nothing is logged and the cart is not tagged, but adding works", async () => {
    const page = load(fbtHtml, { arm: "preview" });
    page.show(block(page.doc), 1);
    row(page.doc, 7).querySelector("a.il-link")!.dispatchEvent(new FakeEvent("click"));
    page.doc.querySelector("[data-il-add=all]")!.dispatchEvent(new FakeEvent("click"));
    await vi.waitFor(async () => expect((await page.settle(), page.doc.querySelector("[data-il-live]")!.textContent)).toBe("Added 4 items to your cart"));
    page.win.fire(new FakeEvent("pagehide"));
    expect(page.requests).toEqual([]);
    expect(page.cartCalls).toHaveLength(1);
  });

  it("flushes when the page becomes hidden", () => {
    const page = load(fbtHtml);
    page.show(block(page.doc), 0.5);
    page.doc.visibilityState = "hidden";
    page.doc.dispatch("visibilitychange");
    expect(page.events()).toHaveLength(3);
  });

  it("logs a click on a suggestion's link", () => {
    const page = load(fbtHtml);
    row(page.doc, 7).querySelector("a.il-link")!.dispatchEvent(new FakeEvent("click"));
    expect(page.events().map((e) => [e.type, e.product, e.slot, e.rank])).toEqual([["click", "7", 2, "engine"]]);
  });
});

describe("insight-widgets.js: prices", () => {
  const text = (doc: FakeDocument, sel: string) => doc.querySelector(sel)!.textContent;

  it("the first render's totals are what the script computes", () => {
    const page = load(fbtHtml);
    // 1000 + 6000 + 7100 + 8000 = 22100; saving 10 % of 6000 = 600.
    expect([text(page.doc, "[data-il-total]"), text(page.doc, "[data-il-bundle-price]"), text(page.doc, "[data-il-saving]")]).toEqual(["$221.00", "$215.00", "$6.00"]);
    row(page.doc, 8).querySelector(".il-check")!.dispatchEvent(new FakeEvent("change"));
    expect([text(page.doc, "[data-il-total]"), text(page.doc, "[data-il-bundle-price]"), text(page.doc, "[data-il-saving]")]).toEqual(["$221.00", "$215.00", "$6.00"]);
  });

  it("recomputes on checkbox and variant changes; no bundle saving without the page's product", () => {
    const page = load(fbtHtml);
    const check8 = row(page.doc, 8).querySelector(".il-check")!;
    check8.checked = false;
    check8.dispatchEvent(new FakeEvent("change"));
    expect(text(page.doc, "[data-il-total]")).toBe("$141.00");

    const select = row(page.doc, 7).querySelector(".il-variant")!;
    const [first, second] = select.querySelectorAll("option");
    first!.selected = false;
    second!.selected = true;
    select.dispatchEvent(new FakeEvent("change"));
    expect(row(page.doc, 7).dataset.ilVariant).toBe(second!.getAttribute("value"));
    expect(row(page.doc, 7).querySelector("[data-il-price-label]")!.textContent).toBe("$73.00");
    expect(text(page.doc, "[data-il-total]")).toBe("$143.00");
    expect(text(page.doc, "[data-il-saving]")).toBe("$6.00");

    const self = row(page.doc, 1).querySelector(".il-check")!;
    self.checked = false;
    self.dispatchEvent(new FakeEvent("change"));
    expect([text(page.doc, "[data-il-total]"), text(page.doc, "[data-il-saving]")]).toEqual(["$133.00", "$0.00"]);

    for (const c of page.doc.querySelectorAll(".il-check")) {
      c.checked = false;
      c.dispatchEvent(new FakeEvent("change"));
    }
    expect(page.doc.querySelector("[data-il-add=all]")!.disabled).toBe(true);
  });

  it.each([
    ["{{amount_no_decimals_with_comma_separator}}₫", "1.410.000₫"],
    ["{{ amount_with_comma_separator }} €", "1.410.000,00 €"],
    ["<span class=money>${{amount}}</span>", "$1,410,000.00"],
    ["{{amount_with_apostrophe_separator}} CHF", "1'410'000.00 CHF"],
  ])("formats money with the shop's format %j", async (format, expected) => {
    // Liquid prices are in cents whatever the currency: 1,000,000 + 410,000 once the third product is unchecked.
    const big = product(90, { price: 100_000_000, fbt: [product(91, { price: 41_000_000 }), product(92, { price: 99_000_000 })] });
    const page = load(await renderBlock("fbt", { ...fbtSettings, product: big }, { moneyFormat: format }));
    const check = row(page.doc, 92).querySelector(".il-check")!;
    check.checked = false;
    check.dispatchEvent(new FakeEvent("change"));
    expect(page.doc.querySelector("[data-il-total]")!.textContent).toBe(expected);
  });
});

describe("insight-widgets.js: add to cart", () => {
  const attributes = (slot: string, rank: string) => [
    { key: "_il_widget", value: "fbt" },
    { key: "_il_slot", value: slot },
    { key: "_il_rank", value: rank },
  ];

  it("adds the checked items in one Shopify.actions.updateCart call, the page's product without offer attributes", async () => {
    const page = load(fbtHtml);
    const check7 = row(page.doc, 7).querySelector(".il-check")!;
    check7.checked = false;
    check7.dispatchEvent(new FakeEvent("change"));
    page.doc.querySelector("[data-il-add=all]")!.dispatchEvent(new FakeEvent("click"));
    await vi.waitFor(async () => expect((await page.settle(), page.doc.querySelector("[data-il-live]")!.textContent)).toBe("Added 3 items to your cart"));
    const v = (p: Product) => `gid://shopify/ProductVariant/${p.variants[0]!.id}`;
    expect(page.cartCalls).toEqual([
      {
        lines: [
          { merchandiseId: v(anchor), quantity: 1 },
          { merchandiseId: v(s6), quantity: 1, attributes: attributes("1", "bandit") },
          { merchandiseId: v(s8), quantity: 1, attributes: attributes("3", "explore") },
        ],
      },
    ]);
    expect(page.requests.filter((r) => r.url.includes("/cart/add.js"))).toEqual([]);
    await vi.waitFor(() => expect(page.events().filter((e) => e.type === "add_to_cart").map((e) => [e.product, e.slot, e.rank])).toEqual([["6", 1, "bandit"], ["8", 3, "explore"]]));
  });

  it("falls back to POST /cart/add.js with hidden line properties", async () => {
    const page = load(fbtHtml, { actions: null });
    page.doc.querySelector("[data-il-add=all]")!.dispatchEvent(new FakeEvent("click"));
    await vi.waitFor(async () => expect((await page.settle(), page.doc.querySelector("[data-il-live]")!.textContent)).toBe("Added 4 items to your cart"));
    const add = page.requests.find((r) => r.url === "/cart/add.js")!;
    expect(add.init.method).toBe("POST");
    expect(add.body).toEqual({
      items: [
        { id: anchor.variants[0]!.id, quantity: 1 },
        { id: s6.variants[0]!.id, quantity: 1, properties: { _il_widget: "fbt", _il_slot: "1", _il_rank: "bandit" } },
        { id: s7.variants[0]!.id, quantity: 1, properties: { _il_widget: "fbt", _il_slot: "2", _il_rank: "engine" } },
        { id: s8.variants[0]!.id, quantity: 1, properties: { _il_widget: "fbt", _il_slot: "3", _il_rank: "explore" } },
      ],
    });
  });

  it("a cart suggestion's own button adds just that product, and a refused add is announced", async () => {
    const y = product(61), x = product(60, { fbt: [y], offers: { v: 1, version: 1, fbt: [fbtEntry(y, 1)], upgrade: null, bundle: null } });
    const html = await renderBlock("cart-offers", { heading: "", items: 3, show_prices: true }, { cartProducts: [x] });
    const ok = load(html);
    ok.doc.querySelector("[data-il-add]")!.dispatchEvent(new FakeEvent("click"));
    await vi.waitFor(async () => expect((await ok.settle(), ok.doc.querySelector("[data-il-live]")!.textContent)).toBe("Added 1 item to your cart"));
    expect(ok.cartCalls[0]!.lines).toEqual([
      {
        merchandiseId: `gid://shopify/ProductVariant/${y.variants[0]!.id}`,
        quantity: 1,
        attributes: [
          { key: "_il_widget", value: "cart" },
          { key: "_il_slot", value: "1" },
          { key: "_il_rank", value: "engine" },
        ],
      },
    ]);
    await vi.waitFor(() => expect(ok.events().filter((e) => e.type === "add_to_cart").map((e) => [e.widget, e.anchor, e.product])).toEqual([["cart", "60", "61"]]));

    const refused = load(html, { actions: "refuse" });
    refused.doc.querySelector("[data-il-add]")!.dispatchEvent(new FakeEvent("click"));
    await vi.waitFor(async () => expect((await refused.settle(), refused.doc.querySelector("[data-il-live]")!.textContent)).toBe("Could not add to your cart. Please try again."));
    expect(refused.events().filter((e) => e.type === "add_to_cart")).toEqual([]);
  });
});
