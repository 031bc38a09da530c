/**
 * A small Shopify-like Liquid environment for the extension's tests: liquidjs with the snippets folder, `money` as
 * "$1.23", `t` from the extension's locale files (a missing key throws), `image_url`, `json` and the `{% style %}` tag.
 * The full storefront (tests/local-shopify/storefront) renders the same files for the demo; this one stays tiny so the
 * unit tests do not depend on it.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Liquid, Tag, type Context, type Emitter, type TagToken, type Template, type TopLevelToken } from "liquidjs";

export const EXTENSION_DIR = path.resolve(import.meta.dirname, "../../../extensions/insight-widgets");

const locales: Record<string, unknown> = {
  en: JSON.parse(readFileSync(path.join(EXTENSION_DIR, "locales/en.default.json"), "utf8")),
  vi: JSON.parse(readFileSync(path.join(EXTENSION_DIR, "locales/vi.json"), "utf8")),
};

/** `{% style %}…{% endstyle %}`: renders its content inside <style data-shopify>, as Shopify does. */
class StyleTag extends Tag {
  private readonly templates: Template[] = [];
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    const stream = liquid.parser.parseStream(remain);
    let closed = false;
    stream
      .on("tag:endstyle", () => {
        closed = true;
        stream.stop();
      })
      .on("template", (t: Template) => this.templates.push(t))
      .on("end", () => {
        if (!closed) throw new Error("{% style %} not closed");
      });
    stream.start();
  }
  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, string> {
    const css = yield this.liquid.renderer.renderTemplates(this.templates, ctx);
    emitter.write(`<style data-shopify>${css}</style>`);
  }
}

function engineFor(locale: "en" | "vi"): Liquid {
  const snippets = path.join(EXTENSION_DIR, "snippets");
  const engine = new Liquid({ root: [snippets], partials: [snippets], extname: ".liquid", strictFilters: true });
  engine.registerFilter("money", (cents: number) => `$${(Number(cents) / 100).toFixed(2)}`);
  engine.registerFilter("t", (key: string) => {
    const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], locales[locale]);
    if (typeof value !== "string") throw new Error(`missing translation ${key}`);
    return value;
  });
  engine.registerFilter("image_url", (image: { src: string }) => image.src);
  engine.registerFilter("json", (v: unknown) => JSON.stringify(v));
  engine.registerTag("style", StyleTag);
  return engine;
}
const engines = { en: engineFor("en"), vi: engineFor("vi") };

export interface Variant {
  id: number;
  title: string;
  price: number;
  available: boolean;
}
export type Product = Record<string, unknown> & { id: number; variants: Variant[]; metafields: { $app: Record<string, { value: unknown }> } };

let nextVariant = 1000;
/** A product as Liquid sees it: prices in cents, `gift_card?`, the `$app` metafields with their `.value`. */
export function product(
  id: number,
  options: { price?: number; available?: boolean; giftCard?: boolean; variants?: Partial<Variant>[]; fbt?: (Product | null)[]; upgrade?: Product; offers?: unknown } = {},
): Product {
  const variants: Variant[] = (options.variants ?? [{}]).map((v, i) => ({
    id: nextVariant++,
    title: `V${i + 1}`,
    price: options.price ?? 1000 * id,
    available: options.available ?? true,
    ...v,
  }));
  return {
    id,
    title: `Product ${id}`,
    url: `/products/p${id}`,
    available: variants.some((v) => v.available),
    price: Math.min(...variants.map((v) => v.price)),
    "gift_card?": options.giftCard ?? false,
    variants,
    has_only_default_variant: variants.length === 1,
    selected_or_first_available_variant: variants.find((v) => v.available) ?? null,
    featured_image: { src: `/img/${id}.jpg` },
    metafields: { $app: { fbt: { value: options.fbt ?? null }, upgrade: { value: options.upgrade ?? null }, offers: { value: options.offers ?? null } } },
  };
}

export const gid = (p: Product) => `gid://shopify/Product/${p.id}`;
export const fbtEntry = (p: Product, slot: number, rank = "engine") => ({
  product: gid(p),
  variant: `gid://shopify/ProductVariant/${p.variants[0]!.id}`,
  source: "bought-together",
  reason: { en: "Often bought together", vi: "Thường được mua cùng" },
  rank,
  slot,
});

export const DEFAULT_SETTINGS = { v: 1, version: 1, holdoutShare: 0.1, salt: "s", widgets: { fbt: true, upgrade: true, cart: true }, proxyPath: "/apps/insight-loop" };

export interface Page {
  /** The shop's widget_settings value; null: no metafield. Default: DEFAULT_SETTINGS. */
  settings?: Record<string, unknown> | null;
  cartProducts?: Product[];
  locale?: "en" | "vi";
  /** shop.money_format; default "${{amount}}". */
  moneyFormat?: string;
}

/** Renders blocks/<name>.liquid (its schema left out) with the block's settings and the page's globals. */
export async function renderBlock(name: string, blockSettings: Record<string, unknown>, page: Page = {}, blockId = "b1"): Promise<string> {
  const source = readFileSync(path.join(EXTENSION_DIR, "blocks", `${name}.liquid`), "utf8").replace(/\{%\s*schema\s*%\}[\s\S]*?\{%\s*endschema\s*%\}/, "");
  const settings = page.settings === undefined ? DEFAULT_SETTINGS : page.settings;
  const items = (page.cartProducts ?? []).map((p) => ({ product: p, product_id: p.id, variant_id: p.variants[0]!.id, quantity: 1 }));
  const globals = {
    shop: { money_format: page.moneyFormat ?? "${{amount}}", metafields: { $app: settings ? { widget_settings: { value: settings } } : {} } },
    cart: { items, item_count: items.length, currency: { iso_code: "USD" } },
    request: { locale: { iso_code: page.locale === "vi" ? "vi" : "en" } },
  };
  const html = (await engines[page.locale ?? "en"].parseAndRender(source, { block: { id: blockId, settings: blockSettings } }, { globals })) as string;
  return html.trim();
}
