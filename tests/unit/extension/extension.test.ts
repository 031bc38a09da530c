/**
 * The theme app extension's static contract (ADR 019): the inline holdout assignment agrees with the reference in
 * app/insights/offers/assignment.ts, every block loads the one script, every translation key exists in English and
 * Vietnamese, and the JavaScript and CSS stay inside the storefront budgets (measured with gzip level 9).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { webcrypto } from "node:crypto";
import { gzipSync } from "node:zlib";
import { Liquid } from "liquidjs";
import { describe, expect, it } from "vitest";
import { assignArm, fnv1a32 } from "../../../app/insights/offers/assignment";

const dir = path.resolve(import.meta.dirname, "../../../extensions/insight-widgets");
const read = (file: string) => readFileSync(path.join(dir, file), "utf8");
const liquidFiles = (folder: string) => readdirSync(path.join(dir, folder)).filter((f) => f.endsWith(".liquid")).map((f) => `${folder}/${f}`);
const blocks = liquidFiles("blocks");
const snippets = liquidFiles("snippets");
const gzip = (text: string) => gzipSync(Buffer.from(text, "utf8"), { level: 9 }).length;

const assignSnippet = read("snippets/il-assign.liquid");
const inlineScript = /<script>([\s\S]*?)<\/script>/.exec(assignSnippet)?.[1] ?? "";
const inlineCss = /\{%\s*style\s*%\}([\s\S]*?)\{%\s*endstyle\s*%\}/.exec(read("snippets/il-style.liquid"))?.[1] ?? "";
const asset = read("assets/insight-widgets.js");

/** Deterministic visitor ids shaped like the snippet's (32 hex digits), from a small LCG: no hidden randomness. */
function visitorIds(n: number, seed = 7): string[] {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
  return Array.from({ length: n }, () => Array.from({ length: 4 }, () => next().toString(16).padStart(8, "0")).join(""));
}

/** The snippet's own `arm(vid, salt, share)` function, taken from its source and run in a fresh VM context. */
function snippetArm(): (vid: string, salt: string, share: number) => string {
  const source = /function arm\(v,s,p\)\{.*?\}(?=\n)/.exec(inlineScript)?.[0];
  if (!source) throw new Error("snippets/il-assign.liquid: function arm(v,s,p){…} not found on its own line");
  return vm.runInNewContext(`${source}; arm`, { TextEncoder }) as (vid: string, salt: string, share: number) => string;
}

interface FakePage {
  cookie: string;
  written: string[];
  dataset: Record<string, string>;
}

const engine = new Liquid();
engine.registerFilter("json", (v: unknown) => JSON.stringify(v));
const rendered = new Map<string, vm.Script>();

/** Renders the snippet for a shop (with or without widget_settings) once, and runs its script on a fake page. */
async function runSnippet(settings: Record<string, unknown> | null, cookie: string, dataset: Record<string, string> = {}, designMode = false): Promise<FakePage> {
  const cacheKey = JSON.stringify([settings, designMode]);
  let script = rendered.get(cacheKey);
  if (!script) {
    const shop = { metafields: { $app: settings ? { widget_settings: { value: settings } } : {} } };
    const html = await engine.parseAndRender(assignSnippet, { shop, request: { design_mode: designMode } });
    const source = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1];
    if (!source) throw new Error("no script rendered");
    script = new vm.Script(source);
    rendered.set(cacheKey, script);
  }
  const page: FakePage = { cookie, written: [], dataset: { ...dataset } };
  const document = {
    documentElement: { dataset: page.dataset },
    get cookie() {
      return page.cookie;
    },
    set cookie(value: string) {
      page.written.push(value);
    },
  };
  script.runInNewContext({ document, crypto: webcrypto, TextEncoder });
  return page;
}

describe("holdout assignment in snippets/il-assign.liquid", () => {
  const arm = snippetArm();
  const ids = visitorIds(10_000);

  it("the reference hash is standard FNV-1a 32 over UTF-8", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it.each([
    ["s3cr3t", 0.1],
    ["sàlt-ệ-🙂", 0.1],
    ["", 0.25],
    ["x", 0.5],
    ["y", 0.0001],
    ["z", 0],
  ])("agrees with assignArm on 10,000 ids (salt %j, share %d)", (salt, share) => {
    const mismatches = ids.filter((vid) => arm(vid, salt, share) !== assignArm(vid, salt, share));
    expect(mismatches).toEqual([]);
    const held = ids.filter((vid) => arm(vid, salt, share) === "holdout").length;
    // Balanced: within 4 standard deviations of the share.
    const sd = Math.sqrt(ids.length * share * (1 - share));
    expect(Math.abs(held - ids.length * share)).toBeLessThanOrEqual(4 * sd + 1);
  });

  it("matches the written rule for a hand-checked case", () => {
    const vid = "0123456789abcdef0123456789abcdef";
    const bucket = fnv1a32(`pepper:${vid}`) % 10_000;
    expect(arm(vid, "pepper", (bucket + 1) / 10_000)).toBe("holdout");
    expect(arm(vid, "pepper", bucket / 10_000)).toBe("treatment");
  });

  it("reads the visitor's cookie and the shop's salt and share from widget_settings", async () => {
    const settings = { v: 1, version: 3, holdoutShare: 0.3, salt: "pepper", widgets: { fbt: true, upgrade: true, cart: true }, proxyPath: "/apps/insight-loop" };
    for (const vid of ids.slice(0, 200)) {
      const page = await runSnippet(settings, `theme=dark; _il_vid=${vid}; other=1`);
      expect(page.dataset).toEqual({ ilVid: vid, ilArm: assignArm(vid, "pepper", 0.3) });
      expect(page.written).toEqual([]);
    }
  });

  it("creates a random 32-hex id in a first-party cookie for a year when there is none", async () => {
    const a = await runSnippet({ salt: "s", holdoutShare: 0.1 }, "theme=dark");
    const b = await runSnippet({ salt: "s", holdoutShare: 0.1 }, "");
    for (const page of [a, b]) {
      expect(page.written).toHaveLength(1);
      expect(page.written[0]).toMatch(/^_il_vid=[0-9a-f]{32};path=\/;max-age=31536000;SameSite=Lax$/);
      expect(page.dataset.ilVid).toBe(page.written[0]!.slice(8, 40));
      expect(page.dataset.ilArm).toBe(assignArm(page.dataset.ilVid!, "s", 0.1));
    }
    expect(a.dataset.ilVid).not.toBe(b.dataset.ilVid);
  });

  it("holds out nobody without a settings metafield, everybody at share 1", async () => {
    const none = await Promise.all(ids.slice(0, 300).map((vid) => runSnippet(null, `_il_vid=${vid}`)));
    expect(new Set(none.map((p) => p.dataset.ilArm))).toEqual(new Set(["treatment"]));
    const all = await Promise.all(ids.slice(0, 50).map((vid) => runSnippet({ salt: "s", holdoutShare: 1 }, `_il_vid=${vid}`)));
    expect(new Set(all.map((p) => p.dataset.ilArm))).toEqual(new Set(["holdout"]));
  });

  it("in the theme editor the merchant sees the blocks: arm preview, no cookie", async () => {
    const page = await runSnippet({ salt: "s", holdoutShare: 0.5 }, "", {}, true);
    expect(page.dataset).toEqual({ ilArm: "preview" });
    expect(page.written).toEqual([]);
  });

  it("runs once per page: a second block's copy changes nothing", async () => {
    const page = await runSnippet({ salt: "s", holdoutShare: 0.5 }, "", { ilArm: "holdout", ilVid: "ab".repeat(16) });
    expect(page.dataset).toEqual({ ilArm: "holdout", ilVid: "ab".repeat(16) });
    expect(page.written).toEqual([]);
  });
});

describe("block schemas", () => {
  const schemaOf = (file: string) => {
    const json = /\{%\s*schema\s*%\}([\s\S]*?)\{%\s*endschema\s*%\}/.exec(read(file))?.[1];
    if (!json) throw new Error(`${file}: no schema`);
    return JSON.parse(json) as { javascript?: string; target: string; settings: { id: string; type: string; min?: number; max?: number }[] };
  };

  it("the three blocks exist", () => {
    expect(blocks.sort()).toEqual(["blocks/cart-offers.liquid", "blocks/fbt.liquid", "blocks/upgrade.liquid"]);
  });

  it.each(blocks)("%s names insight-widgets.js, the extension's only script", (file) => {
    expect(schemaOf(file).javascript).toBe("insight-widgets.js");
    expect(readdirSync(path.join(dir, "assets"))).toEqual(["insight-widgets.js"]);
  });

  it("product blocks autofill the product and bound the number of items to 1–4; the cart block is an app embed", () => {
    for (const file of ["blocks/fbt.liquid", "blocks/upgrade.liquid"]) {
      expect(schemaOf(file).target).toBe("section");
      expect(schemaOf(file).settings).toContainEqual(expect.objectContaining({ id: "product", type: "product", autofill: true }));
    }
    expect(schemaOf("blocks/cart-offers.liquid").target).toBe("body");
    for (const file of ["blocks/fbt.liquid", "blocks/cart-offers.liquid"]) {
      expect(schemaOf(file).settings).toContainEqual(expect.objectContaining({ id: "items", type: "range", min: 1, max: 4 }));
    }
  });
});

describe("translations", () => {
  const lookup = (tree: unknown, key: string): unknown => key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], tree);
  const locale = (file: string) => JSON.parse(read(`locales/${file}`)) as unknown;
  const leaves = (tree: unknown, prefix = ""): string[] =>
    Object.entries(tree as Record<string, unknown>).flatMap(([k, v]) => (typeof v === "string" ? [prefix + k] : leaves(v, `${prefix}${k}.`)));
  const storefrontKeys = [...new Set([...blocks, ...snippets].flatMap((f) => [...read(f).matchAll(/'([\w.]+)'\s*\|\s*t\b/g)].map((m) => m[1]!)))];
  const schemaKeys = [...new Set(blocks.flatMap((f) => [...read(f).matchAll(/"t:([\w.]+)"/g)].map((m) => m[1]!)))];

  it("finds the keys the Liquid uses", () => {
    expect(storefrontKeys).toContain("blocks.fbt.add");
    expect(schemaKeys).toContain("blocks.fbt.name");
  });

  it.each(["en.default.json", "vi.json"])("every storefront key used in Liquid is a string in %s, and no key is unused", (file) => {
    const tree = locale(file);
    expect(storefrontKeys.filter((k) => typeof lookup(tree, k) !== "string")).toEqual([]);
    expect(leaves(tree).filter((k) => !storefrontKeys.includes(k))).toEqual([]);
  });

  it.each(["en.default.schema.json", "vi.schema.json"])("every t: key of the schemas is a string in %s", (file) => {
    const tree = locale(file);
    expect(schemaKeys.filter((k) => typeof lookup(tree, k) !== "string")).toEqual([]);
  });

  it("Vietnamese is a translation, not a copy", () => {
    const en = locale("en.default.json"), vi = locale("vi.json");
    expect(storefrontKeys.filter((k) => lookup(en, k) === lookup(vi, k))).toEqual([]);
  });
});

describe("storefront budgets (gzip level 9)", () => {
  it("all JavaScript together (the asset and the inline assignment) is at most 5,120 B", () => {
    const assetGz = gzip(asset), inlineGz = gzip(inlineScript), together = gzip(asset + inlineScript);
    console.log(`JS: insight-widgets.js ${Buffer.byteLength(asset)} B raw, ${assetGz} B gzip; inline assignment ${Buffer.byteLength(inlineScript)} B raw, ${inlineGz} B gzip; together ${together} B gzip (separately ${assetGz + inlineGz} B)`);
    expect(inlineScript.length).toBeGreaterThan(100);
    expect(assetGz + inlineGz).toBeLessThanOrEqual(5_120);
  });

  it("the inline CSS is at most 4,096 B", () => {
    const cssGz = gzip(inlineCss);
    console.log(`CSS: inline ${Buffer.byteLength(inlineCss)} B raw, ${cssGz} B gzip`);
    expect(inlineCss).toContain("html[data-il-arm=holdout] .il-offer{display:none");
    expect(cssGz).toBeLessThanOrEqual(4_096);
  });

  it("no stylesheet asset and no CSS in the schemas: nothing blocks rendering", () => {
    for (const file of blocks) expect(read(file)).not.toMatch(/"stylesheet"|\{%\s*stylesheet/);
  });
});
