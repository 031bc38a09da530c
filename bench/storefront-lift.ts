/**
 * `npm run bench -- storefront-lift [--visitors 3000] [--seed 7] [--p-add 0.15] [--base 0.04] [--concurrency 8]`:
 * the lift figures from the demo. Simulated shoppers go through `npm run demo`'s real storefront over HTTP with a
 * PLANTED effect, and the app's own randomized-holdout evaluation (the admin's "Storefront offers" page) reports the
 * lift it measures, printed beside the truth kept by the simulation.
 *
 * Setup: the demo (tests/e2e/demo-harness.ts: own free ports, data under tests/.tmp/, STOREFRONT_EVENTS_RATE raised so
 * the simulated traffic is not rate-limited) installs, syncs, recomputes and publishes; the bench waits until laptops'
 * pages show the "Frequently bought together" block, then launches the fbt test from the admin page (revenue per
 * visitor, goal +5 %, 7 days) with a session token taken from the local admin's frame, as the browser would.
 *
 * Each visitor (seeded PRNG): a fresh cookie jar (own cart), a 32-hex visitor id and the arm the page's own
 * assignment gives it (the salt and holdout share are read from the page's inline snippet and checked against
 * assignArm/defaultStorefrontSalt); GETs a random laptop's page that shows the block; sends one impression per shown
 * slot (holdout: arm "holdout", as the block's script logs "would have been shown"); tags the cart with `_il_vid` /
 * `_il_arm`. A treatment visitor adds the bundle (every suggestion, with `_il_widget/_il_slot/_il_rank`) with
 * probability p-add and logs add_to_cart. Every visitor checks out with probability base: the laptop goes in the cart,
 * and the bundle lines already there come along — that is the planted lift in revenue per visitor. A line the shop
 * cannot sell any more (stock) is removed from the cart and the checkout retried; a visitor whose laptop is sold out
 * buys nothing. The truth is the bookkeeping of what each visitor's order actually cost (the cart's total at checkout).
 *
 * Then the bench waits until the app's evaluation counts every order, and prints truth against the app. Exits
 * non-zero when the app's visitors or orders per arm, or its RPV estimate, disagree with the bookkeeping.
 */
import { assignArm, type Arm } from "../app/insights/offers/assignment";
import { seededRng, type Rng } from "../app/insights/trends/random";
import { defaultStorefrontSalt } from "../app/models/shop-settings";
import { CATALOG } from "../tests/demo-store/catalog";
import { DESKTOP_CHROME, startDemo, type Demo } from "../tests/e2e/demo-harness";

const DATA_DIR = "tests/.tmp/bench-storefront-lift";
const DEMO_ORDERS = 1000;

interface Options {
  visitors: number;
  seed: number;
  pAdd: number;
  base: number;
  concurrency: number;
}

function parseOptions(args: string[]): Options {
  const o: Options = { visitors: 3000, seed: 7, pAdd: 0.15, base: 0.04, concurrency: 8 };
  for (let i = 0; i < args.length; i++) {
    const m = /^--(visitors|seed|p-add|base|concurrency)(?:=(.*))?$/.exec(args[i]!);
    if (!m) throw new Error(`Unexpected argument "${args[i]}". Usage: npm run bench -- storefront-lift [--visitors N] [--seed S] [--p-add P] [--base P] [--concurrency C]`);
    const value = Number(m[2] ?? args[++i]);
    const key = m[1] === "p-add" ? "pAdd" : (m[1] as keyof Options);
    const integer = key === "visitors" || key === "seed" || key === "concurrency";
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < 0 || (!integer && value > 1) || (key !== "seed" && integer && value < 1)) {
      throw new Error(`--${m[1]}: ${m[2] ?? args[i]} is not ${integer ? "a positive integer" : "a probability in [0, 1]"}`);
    }
    o[key] = value;
  }
  return o;
}

// ---------------------------------------------------------------------------------------------------------------------
// A shopper's HTTP: a cookie jar per visitor

class Visitor {
  private jar = new Map<string, string>();
  constructor(private origin: string) {}

  setCookie(name: string, value: string) {
    this.jar.set(name, value);
  }

  async request(path: string, init: { method?: string; json?: unknown; form?: Record<string, string> } = {}): Promise<{ status: number; text: string; location: string | null }> {
    const headers: Record<string, string> = { "user-agent": DESKTOP_CHROME };
    if (this.jar.size) headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(new URL(path, this.origin), { method: init.method ?? (body === undefined ? "GET" : "POST"), headers, body, redirect: "manual" });
      for (const c of response.headers.getSetCookie()) {
        const [pair] = c.split(";");
        const eq = pair!.indexOf("=");
        this.jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
      }
      const text = await response.text();
      // The events endpoint's per-shop limit: wait as told and send again (the block's script would lose them).
      if (response.status === 429 && attempt < 20) {
        await sleep(1000 * Number(response.headers.get("retry-after") ?? 1));
        continue;
      }
      return { status: response.status, text, location: response.headers.get("location") };
    }
  }

  async ok(path: string, init: Parameters<Visitor["request"]>[1], what: string) {
    const r = await this.request(path, init);
    if (r.status >= 400) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] ?? null;

// ---------------------------------------------------------------------------------------------------------------------
// The product page as the block renders it

interface Suggestion {
  product: string;
  variant: string;
  slot: number;
  price: number;
  rank: string | null;
  anchor: string | null;
}

interface ProductPage {
  handle: string;
  laptopVariant: string | null;
  /** The page's own product's price in the block (cents). */
  laptopPrice: number;
  soldOut: boolean;
  suggestions: Suggestion[];
  salt: string;
  holdoutShare: number;
}

export function parseProductPage(handle: string, html: string): ProductPage | null {
  const block = /<div class="il-offer[^"]*"[^>]*data-il-widget="fbt"[^>]*>/.exec(html);
  if (!block) return null;
  const anchor = attr(block[0], "data-il-anchor");
  const rest = html.slice(block.index);
  // Up to the next block (the upgrade block and the cart embed have rows of their own).
  const end = rest.slice(block[0].length).search(/class="il-offer[ "]/);
  const body = end >= 0 ? rest.slice(0, block[0].length + end) : rest;
  const suggestions = [...body.matchAll(/<li class="il-item"[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => attr(tag, "data-il-slot") !== null)
    .map((tag) => ({
      product: attr(tag, "data-il-product")!,
      variant: attr(tag, "data-il-variant")!,
      slot: Number(attr(tag, "data-il-slot")),
      price: Number(attr(tag, "data-il-price")),
      rank: attr(tag, "data-il-rank") || null,
      anchor: attr(tag, "data-il-from") || anchor,
    }));
  const form = /<form method="post" action="\/cart\/add" class="product-form">([\s\S]*?)<\/form>/.exec(html)?.[1] ?? "";
  const laptopVariant = /<option value="(\d+)" selected>/.exec(form)?.[1] ?? /<input type="hidden" name="id" value="(\d+)">/.exec(form)?.[1] ?? null;
  const assign = /h\.dataset\.ilArm=arm\(v,String\(("(?:[^"\\]|\\.)*")\),\+([0-9.]+)\|\|0\)/.exec(html);
  if (!assign) throw new Error(`${handle}: the page's assignment snippet was not found`);
  const self = [...body.matchAll(/<li class="il-item"[^>]*>/g)].map((m) => m[0]).find((tag) => /\sdata-il-self[\s>]/.test(tag));
  return { handle, laptopVariant, laptopPrice: Number(self ? attr(self, "data-il-price") : Number.NaN), soldOut: /name="add" disabled>Sold out</.test(form), suggestions, salt: JSON.parse(assign[1]!) as string, holdoutShare: Number(assign[2]) };
}

// ---------------------------------------------------------------------------------------------------------------------
// The admin: a fresh session token from the local admin's frame for each request

export class Admin {
  constructor(private adminUrl: string) {}

  private async frame(): Promise<{ url: URL; token: string }> {
    const html = await (await fetch(this.adminUrl, { headers: { "user-agent": DESKTOP_CHROME } })).text();
    const src = /<iframe[^>]*name="app-iframe"[^>]*src="([^"]+)"/.exec(html)?.[1] ?? /<iframe[^>]*src="([^"]+)"[^>]*name="app-iframe"/.exec(html)?.[1];
    if (!src) throw new Error("The local admin page has no app frame");
    const url = new URL(src.replaceAll("&amp;", "&"));
    const token = url.searchParams.get("id_token")!;
    url.searchParams.delete("id_token");
    return { url, token };
  }

  /** The storefront page (GET, or POST of a form), as text without tags. */
  async storefront(form?: Record<string, string>): Promise<{ html: string; text: string }> {
    const { url, token } = await this.frame();
    url.pathname = "/app/storefront";
    const response = await fetch(url, {
      method: form ? "POST" : "GET",
      headers: {
        authorization: `Bearer ${token}`,
        "user-agent": DESKTOP_CHROME,
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    const html = (await response.text()).replaceAll("<!-- -->", "");
    if (response.status !== 200) throw new Error(`/app/storefront ${form?.intent ?? "GET"}: HTTP ${response.status} ${html.slice(0, 500)}`);
    const body = /<body[^>]*>([\s\S]*)<\/body>/.exec(html)?.[1] ?? html;
    const text = body
      .replace(/<script[\s\S]*?<\/script>/g, " ")
      .replace(/<[^>]+>/g, "\n")
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&")
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/\n\s*\n+/g, "\n");
    return { html, text };
  }
}

const num = (s: string) => Number(s.replace(/,/g, "").replace("−", "-"));

interface AppEvaluation {
  verdict: string;
  reason: string;
  lift: { estimate: number; lower: number; upper: number } | null;
  treatment: { visitors: number; orders: number };
  holdout: { visitors: number; orders: number };
}

export function parseEvaluation(text: string): AppEvaluation | null {
  // The fbt card comes first on the page; its evaluation lines are the first ones.
  const counts = /Treatment ([\d,]+) visitors, ([\d,]+) orders · holdout ([\d,]+) visitors, ([\d,]+) orders\n([^\n]*)/.exec(text);
  if (!counts) return null;
  const before = text.slice(0, counts.index);
  const verdict = /\n(achieved|not achieved|inconclusive)\n[^\n]*\n(?:Lift[^\n]*\n)?$/.exec(before)?.[1] ?? "?";
  const lift = /Lift ([+−][\d.]+) % \(95 % interval ([+−][\d.]+) % to ([+−][\d.]+) %\)\n$/.exec(before);
  return {
    verdict,
    reason: counts[5]!.trim(),
    lift: lift ? { estimate: num(lift[1]!) / 100, lower: num(lift[2]!) / 100, upper: num(lift[3]!) / 100 } : null,
    treatment: { visitors: num(counts[1]!), orders: num(counts[2]!) },
    holdout: { visitors: num(counts[3]!), orders: num(counts[4]!) },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// The simulation

interface Outcome {
  arm: Arm;
  addedBundle: boolean;
  ordered: boolean;
  /** What the order cost (the cart's total at checkout, cents of the currency as the Ajax API gives them). */
  revenue: number;
  bundleLines: number;
  droppedLines: number;
  /** Wanted to buy, but the laptop was sold out. */
  soldOut: boolean;
}

function hexId(rng: Rng): string {
  let s = "";
  for (let i = 0; i < 32; i++) s += Math.floor(rng() * 16).toString(16);
  return s;
}

export async function simulateVisitor(ctx: { origin: string; store: string; pages: string[]; shop: string; options: Options }, rng: Rng): Promise<Outcome> {
  const { origin, store, options } = ctx;
  const v = new Visitor(origin);
  const vid = hexId(rng);
  v.setCookie("_il_vid", vid);
  const handle = ctx.pages[Math.floor(rng() * ctx.pages.length)]!;
  const rAdd = rng();
  const rBuy = rng();
  const html = (await v.ok(`/storefront/${store}/products/${handle}`, {}, `product page ${handle}`)).text;
  const page = parseProductPage(handle, html);
  if (!page || page.suggestions.length === 0) throw new Error(`${handle}: the fbt block is gone from the page`);
  const arm = assignArm(vid, page.salt, page.holdoutShare);
  const outcome: Outcome = { arm, addedBundle: false, ordered: false, revenue: 0, bundleLines: 0, droppedLines: 0, soldOut: false };
  const event = (type: "impression" | "add_to_cart", s: Suggestion) => ({
    id: crypto.randomUUID(),
    type,
    widget: "fbt",
    arm,
    rank: s.rank,
    anchor: s.anchor,
    product: s.product,
    slot: s.slot,
    vid,
    t: Date.now(),
  });
  const events = page.suggestions.map((s) => event("impression", s));
  if (arm === "treatment" && rAdd < options.pAdd) {
    const items = page.suggestions.map((s) => ({ id: Number(s.variant), quantity: 1, properties: { _il_widget: "fbt", _il_slot: String(s.slot), _il_rank: s.rank ?? "" } }));
    const added = await v.request(`/storefront/${store}/cart/add.js`, { json: { items } });
    if (added.status === 200) {
      outcome.addedBundle = true;
      events.push(...page.suggestions.map((s) => event("add_to_cart", s)));
    }
  }
  await v.ok(`/apps/insight-loop/events`, { json: { events } }, "events");
  await v.ok(`/storefront/${store}/cart/update.js`, { json: { attributes: { _il_vid: vid, _il_arm: arm } } }, "cart attributes");
  if (rBuy >= options.base) return outcome;
  const laptop = page.soldOut || !page.laptopVariant ? null : await v.request(`/storefront/${store}/cart/add.js`, { json: { items: [{ id: Number(page.laptopVariant), quantity: 1 }] } });
  if (laptop?.status !== 200) {
    outcome.soldOut = true; // no order
    return outcome;
  }
  for (;;) {
    const cart = JSON.parse((await v.ok(`/storefront/${store}/cart.js`, {}, "cart")).text) as {
      total_price: number;
      items: { key: string; variant_id: number; title: string; properties: Record<string, string> | null }[];
    };
    const result = await v.request(`/storefront/${store}/checkout`, { method: "POST" });
    if (result.status === 303 && /\/orders\/\d+$/.test(result.location ?? "")) {
      outcome.ordered = true;
      outcome.revenue = cart.total_price;
      outcome.bundleLines = cart.items.filter((i) => i.properties?._il_widget).length;
      return outcome;
    }
    // "Only 0 of <title> left": take that line out (a bundle line; the laptop itself means no order) and try again.
    const title = /Only \d+ of (.+?) left/.exec(result.text.replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, "&"))?.[1];
    const line = title ? cart.items.find((i) => i.title === title || i.title.startsWith(`${title} - `)) : undefined;
    if (!line || String(line.variant_id) === page.laptopVariant || !line.properties?._il_widget) return outcome;
    await v.ok(`/storefront/${store}/cart/change.js`, { json: { id: line.key, quantity: 0 } }, "cart change");
    outcome.droppedLines++;
  }
}

// ---------------------------------------------------------------------------------------------------------------------

export async function benchStorefrontLift(args: string[]): Promise<void> {
  const options = parseOptions(args);
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  process.env.STOREFRONT_EVENTS_RATE ??= "500/1000";
  console.log(`storefront-lift: starting the demo (${DEMO_ORDERS} orders, data in ${DATA_DIR})…`);
  const demo: Demo = await startDemo({ orders: DEMO_ORDERS, dataDir: DATA_DIR });
  const stop = () => void demo.stop();
  process.once("SIGINT", stop);
  try {
    const [, adminUrl] = (await demo.waitForLine(/Admin \(embedded app\): (\S+)/, 180_000)) as unknown as [string, string];
    const [, storefront] = (await demo.waitForLine(/Storefront preview:\s+(\S+)/, 5000)) as unknown as [string, string];
    const [, shop] = (await demo.waitForLine(/Demo store (\S+\.myshopify\.com):/, 5000)) as unknown as [string, string];
    const origin = new URL(storefront).origin;
    const store = /\/storefront\/([a-z0-9-]+)/.exec(storefront)![1]!;
    console.log(`storefront-lift: demo ready after ${elapsed()}; waiting for the published suggestions…`);

    // Laptops whose page shows the fbt block (published after the install's sync and recompute) and can be bought.
    const laptops = CATALOG.filter((p) => p.category === "laptop").map((p) => p.key);
    let pages: ProductPage[] = [];
    const deadline = Date.now() + 180_000;
    for (;;) {
      const looked = await Promise.all(laptops.map(async (h) => parseProductPage(h, await (await fetch(`${storefront}/products/${h}`)).text())));
      pages = looked.filter((p): p is ProductPage => p !== null && p.suggestions.length > 0 && !p.soldOut && p.laptopVariant !== null);
      if (pages.length > 0) break;
      if (Date.now() > deadline) throw new Error(`No laptop page shows the fbt block. Demo output:\n${demo.output()}`);
      await sleep(1000);
    }
    const salt = defaultStorefrontSalt(shop);
    if (pages[0]!.salt !== salt) throw new Error(`The page's assignment salt is not defaultStorefrontSalt(${shop})`);
    const admin = new Admin(adminUrl);
    const launched = await admin.storefront({ intent: "launch", widget: "fbt", metric: "revenue-per-visitor", goalPercent: "5", evaluationDays: "7" });
    if (!/Launched/.test(launched.text)) throw new Error(`Launching the fbt test failed:\n${launched.text.slice(0, 1500)}`);
    const actionId = /<input type="hidden" name="id" value="([^"]+)"/.exec(launched.html)?.[1];
    if (!actionId) throw new Error("The storefront page shows no action id to evaluate");
    // Launching republishes: wait until the pages show the block again before the first visitor.
    for (const p of pages) {
      for (let i = 0; ; i++) {
        if (parseProductPage(p.handle, await (await fetch(`${storefront}/products/${p.handle}`)).text())?.suggestions.length) break;
        if (i > 120) throw new Error(`${p.handle}: the fbt block did not come back after the launch`);
        await sleep(500);
      }
    }
    console.log(
      `storefront-lift: fbt test launched after ${elapsed()} on ${pages.length} laptop pages (${pages.map((p) => `${p.handle}: ${p.suggestions.length} suggestions`).join(", ")}); ` +
        `holdout share ${pages[0]!.holdoutShare}; simulating ${options.visitors} visitors, ${options.concurrency} at a time…`,
    );

    // Each visitor draws from its own generator (seed + index), so the outcome does not depend on scheduling.
    const outcomes: Outcome[] = new Array(options.visitors);
    let next = 0;
    let done = 0;
    const simStart = Date.now();
    const ctx = { origin, store, pages: pages.map((p) => p.handle), shop, options };
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < options.visitors) {
          const i = next++;
          outcomes[i] = await simulateVisitor(ctx, seededRng((options.seed * 1_000_003 + i) >>> 0));
          if (++done % 500 === 0 || done === options.visitors) {
            const orders = outcomes.filter((o) => o?.ordered).length;
            console.log(`  ${done} visitors (${orders} orders) in ${((Date.now() - simStart) / 1000).toFixed(1)} s`);
          }
        }
      }),
    );
    const simSeconds = (Date.now() - simStart) / 1000;

    // The truth from the bookkeeping.
    const arms = (["treatment", "holdout"] as const).map((arm) => {
      const xs = outcomes.filter((o) => o.arm === arm);
      const revenue = xs.reduce((s, o) => s + o.revenue, 0);
      return {
        arm,
        visitors: xs.length,
        orders: xs.filter((o) => o.ordered).length,
        bundles: xs.filter((o) => o.addedBundle).length,
        bundleOrders: xs.filter((o) => o.bundleLines > 0).length,
        revenue,
        rpv: xs.length ? revenue / xs.length : Number.NaN,
      };
    });
    const [truthT, truthH] = arms as [(typeof arms)[0], (typeof arms)[0]];
    const truthLift = truthT.rpv / truthH.rpv - 1;
    const dropped = outcomes.reduce((s, o) => s + o.droppedLines, 0);
    const soldOut = outcomes.filter((o) => o.soldOut).length;
    // The plant in expectation (stock aside): a bundle rides along on a p-add share of the treatment's orders.
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const expectedLift = (options.pAdd * mean(pages.map((p) => p.suggestions.reduce((s, x) => s + x.price, 0)))) / mean(pages.map((p) => p.laptopPrice));

    // Wait until the app's evaluation counts every order (orders/create is processed by the app's job worker).
    let evaluation: AppEvaluation | null = null;
    const waitUntil = Date.now() + 180_000;
    for (;;) {
      const page = await admin.storefront({ intent: "evaluate", id: actionId });
      evaluation = parseEvaluation(page.text);
      if (!evaluation) throw new Error(`The storefront page shows no evaluation after "evaluate":\n${page.text.slice(0, 2000)}`);
      const complete = evaluation.treatment.orders >= truthT.orders && evaluation.holdout.orders >= truthH.orders;
      if (complete || Date.now() > waitUntil) break;
      await sleep(2000);
    }

    const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "—" : `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} %`);
    const pad = (s: string | number, n: number) => String(s).padStart(n);
    const e = evaluation;
    const rows = [
      ["", "treatment (truth)", "treatment (app)", "holdout (truth)", "holdout (app)"],
      ["visitors", truthT.visitors, e.treatment.visitors, truthH.visitors, e.holdout.visitors],
      ["orders", truthT.orders, e.treatment.orders, truthH.orders, e.holdout.orders],
      ["bundles added / ordered", `${truthT.bundles} / ${truthT.bundleOrders}`, "", `${truthH.bundles} / ${truthH.bundleOrders}`, ""],
      ["revenue per visitor (₫)", Math.round(truthT.rpv / 100).toLocaleString("en-US"), "", Math.round(truthH.rpv / 100).toLocaleString("en-US"), ""],
    ];
    console.log(`\nstorefront-lift: ${options.visitors} visitors, seed ${options.seed}, p-add ${options.pAdd}, base ${options.base}, concurrency ${options.concurrency}`);
    for (const r of rows) console.log(`  ${String(r[0]).padEnd(26)}${r.slice(1).map((c) => pad(c as string, 19)).join("")}`);
    console.log(`  planted RPV lift, expected       ${pct(expectedLift)} (p-add × mean bundle price / mean laptop price)`);
    console.log(`  planted RPV lift, this sample    ${pct(truthLift)} (bookkeeping of what each visitor's order cost)`);
    console.log(`  app's RPV lift estimate          ${pct(e.lift?.estimate)} (95 % interval ${pct(e.lift?.lower)} to ${pct(e.lift?.upper)})`);
    console.log(`  verdict                          ${e.verdict}: ${e.reason}`);
    console.log(`  (the 7-day window is not over in real time, so the app calls it inconclusive with interim figures only)`);
    console.log(`  buyers turned away by a sold-out laptop: ${soldOut}; bundle lines dropped at checkout (out of stock): ${dropped}`);
    console.log(`  simulation ${simSeconds.toFixed(1)} s (${(options.visitors / simSeconds).toFixed(1)} visitors/s); total elapsed ${elapsed()}`);

    const problems: string[] = [];
    if (e.treatment.visitors !== truthT.visitors || e.holdout.visitors !== truthH.visitors) problems.push("visitors per arm differ");
    if (e.treatment.orders !== truthT.orders || e.holdout.orders !== truthH.orders) problems.push("orders per arm differ");
    // The page rounds to 0.1 %: the app's estimate is the same ratio of means as the bookkeeping.
    if (Number.isFinite(truthLift) && (!e.lift || Math.abs(e.lift.estimate - truthLift) > 0.0006)) problems.push("the RPV lift estimate differs from the bookkeeping's");
    if (problems.length) {
      console.error(`storefront-lift: the app disagrees with the simulation: ${problems.join("; ")}`);
      process.exitCode = 1;
    }
  } finally {
    process.off("SIGINT", stop);
    await demo.stop();
  }
}
