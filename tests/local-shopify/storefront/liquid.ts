/**
 * A theme app extension rendered as Shopify renders it, with liquidjs: its blocks (`blocks/*.liquid`, each with a
 * `{% schema %}`), snippets (`{% render %}` from `snippets/`), assets (`asset_url`) and storefront translations
 * (`locales/<lang>.json`, falling back to the `*.default.json` file).
 *
 * Shopify's Liquid as the blocks use it: the tags `schema` (parsed, not output), `style` (→ `<style>`), `javascript`
 * (collected; the page adds it once), `doc` (ignored), and the filters `money`, `money_with_currency`,
 * `money_without_currency`, `money_without_trailing_zeros`, `t`, `asset_url`, `json`, `image_url`/`img_url`,
 * `handleize`, beside liquidjs's standard filters. Unknown filters and tags are errors (strictFilters); the objects
 * (objects.ts) throw on properties they do not implement; a Shopify global the local storefront does not provide
 * (customer, localization, section, settings, ...) throws when read. Any other undefined name is nil, as in Shopify
 * (a snippet's optional parameter).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Drop, Liquid, Tag, type Context, type Emitter, type TagToken, type TopLevelToken, type Template } from "liquidjs";
import { escapeHtml } from "../html";
import { centsOf, currencyFormats, formatMoney, formatMoneyWithoutCurrency } from "./money";
import { NotImplementedInStorefront } from "./objects";

/** The extension this repository ships. */
export const DEFAULT_EXTENSION_DIR = path.resolve(import.meta.dirname, "../../../extensions/insight-widgets");

export interface SchemaSetting {
  type: string;
  id?: string;
  default?: unknown;
  autofill?: boolean;
}

export interface BlockSchema {
  name: string;
  target: string;
  javascript?: string;
  stylesheet?: string;
  settings?: SchemaSetting[];
  class?: string;
  tag?: string;
  [key: string]: unknown;
}

/** Shopify globals the local storefront does not provide: reading one is an error, not a silent nil. */
const UNIMPLEMENTED_GLOBALS = new Set([
  ...["customer", "localization", "section", "settings", "template", "collection", "collections", "all_products"],
  ...["page", "pages", "page_title", "page_description", "canonical_url", "content_for_header", "content_for_layout"],
  ...["linklists", "blogs", "blog", "articles", "article", "search", "recommendations", "predictive_search", "theme"],
  ...["current_page", "current_tags", "images", "metaobjects", "form", "checkout", "order", "gift_card", "handle"],
  ...["additional_checkout_buttons", "content_for_additional_checkout_buttons", "powered_by_link", "scripts"],
]);

/** Per-render state reachable from filters and tags (shared by snippets, which get a spawned context). */
interface RenderState {
  locale: string;
  currency: string;
  javascript: Map<string, string>;
}
const renderStates = new WeakMap<object, RenderState>();

/** The page's global objects: those given, nil for unknown names, an error for unimplemented Shopify globals. */
class Globals extends Drop {
  constructor(values: Record<string, unknown>) {
    super();
    Object.assign(this, values);
  }
  override liquidMethodMissing(key: string | number): unknown {
    if (UNIMPLEMENTED_GLOBALS.has(String(key))) throw new NotImplementedInStorefront(`The global object "${String(key)}"`);
    return undefined;
  }
}

function stateOf(ctx: Context): RenderState {
  const state = renderStates.get(ctx.globals as object);
  if (!state) throw new Error("The local storefront's filters need a render started by ThemeExtension.render");
  return state;
}

/** Tokens up to `{% end<name> %}`, raw. */
function takeRaw(name: string, token: TagToken, remain: TopLevelToken[]): string {
  const parts: string[] = [];
  while (remain.length) {
    const next = remain.shift()!;
    if (next.kind === 4 /* TokenKind.Tag */ && (next as TagToken).name === `end${name}`) return parts.join("");
    parts.push(next.getText());
  }
  throw new Error(`tag ${token.getText()} not closed`);
}

export interface BlockRender {
  html: string;
  schema: BlockSchema;
}

export class ThemeExtension {
  readonly liquid: Liquid;

  constructor(readonly dir: string = DEFAULT_EXTENSION_DIR) {
    this.liquid = new Liquid({
      root: [path.join(dir, "snippets")],
      partials: [path.join(dir, "snippets")],
      extname: ".liquid",
      strictFilters: true,
      strictVariables: false,
      ownPropertyOnly: true,
      cache: false,
    });
    this.registerTags();
    this.registerFilters();
  }

  get name(): string {
    return path.basename(this.dir);
  }

  /** A block's file (without the schema) and its parsed schema; a missing block is an error. */
  block(name: string): { source: string; schema: BlockSchema } {
    const file = path.join(this.dir, "blocks", `${name}.liquid`);
    if (!existsSync(file)) throw new Error(`The extension ${this.name} has no block ${name} (blocks/${name}.liquid)`);
    const text = readFileSync(file, "utf8");
    const schemas = [...text.matchAll(/\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/g)];
    if (schemas.length !== 1) throw new Error(`blocks/${name}.liquid must have exactly one {% schema %} (found ${schemas.length})`);
    let schema: BlockSchema;
    try {
      schema = JSON.parse(schemas[0]![1]!) as BlockSchema;
    } catch (error) {
      throw new Error(`blocks/${name}.liquid: the schema is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof schema.name !== "string" || typeof schema.target !== "string") {
      throw new Error(`blocks/${name}.liquid: the schema needs "name" and "target"`);
    }
    return { source: text, schema };
  }

  /** The path of an asset, or an error naming the missing file. */
  assetFile(file: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(file)) throw new Error(`Invalid asset name ${JSON.stringify(file)}`);
    const full = path.join(this.dir, "assets", file);
    if (!existsSync(full)) throw new Error(`The extension ${this.name} has no asset ${file}`);
    return full;
  }

  /** The URL `asset_url` gives (served by the storefront module). */
  assetUrl(file: string): string {
    this.assetFile(file);
    return `/extensions/${this.name}/assets/${file}`;
  }

  /** Storefront translations for a locale: `<lang>.json` over the `*.default.json` file. */
  translations(locale: string): { primary: Record<string, unknown>; fallback: Record<string, unknown> } {
    const dir = path.join(this.dir, "locales");
    const files = existsSync(dir) ? readdirSync(dir) : [];
    const defaults = files.filter((f) => /^[a-z]{2}(-[A-Z]{2})?\.default\.json$/.test(f));
    if (defaults.length !== 1) throw new Error(`The extension ${this.name} needs exactly one locales/*.default.json (found ${defaults.length})`);
    const read = (f: string) => JSON.parse(readFileSync(path.join(dir, f), "utf8")) as Record<string, unknown>;
    const fallback = read(defaults[0]!);
    const own = files.find((f) => f === `${locale}.json` || f === `${locale}.default.json`);
    return { primary: own ? read(own) : fallback, fallback };
  }

  /** Block settings: schema defaults, `autofill` product settings bound to the page's product, then overrides. */
  settingsFor(schema: BlockSchema, product: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const settings: Record<string, unknown> = {};
    for (const setting of schema.settings ?? []) {
      if (!setting.id) continue;
      if (setting.type === "product" && setting.autofill) settings[setting.id] = product ?? null;
      else settings[setting.id] = setting.default ?? null;
    }
    for (const [key, value] of Object.entries(overrides)) {
      if (!(key in settings)) throw new Error(`Block setting ${key} is not in the schema (settings: ${Object.keys(settings).join(", ")})`);
      settings[key] = value;
    }
    return settings;
  }

  /**
   * Renders one block with the page's globals. Returns its HTML wrapped as Shopify wraps app blocks, its schema, and
   * adds its `{% javascript %}` to `javascript` (once per block type).
   */
  async renderBlock(
    name: string,
    options: { globals: Record<string, unknown>; locale: string; currency: string; product?: unknown; settings?: Record<string, unknown>; javascript?: Map<string, string> },
  ): Promise<BlockRender> {
    const { source, schema } = this.block(name);
    const id = `${this.name}-${name}`.replace(/[^A-Za-z0-9_-]/g, "_");
    const block = {
      id,
      type: `shopify://apps/insight-loop/blocks/${name}`,
      settings: this.settingsFor(schema, options.product, options.settings),
      shopify_attributes: "",
    };
    const globals = new Globals(options.globals);
    renderStates.set(globals, { locale: options.locale, currency: options.currency, javascript: options.javascript ?? new Map() });
    let html: string;
    try {
      const templates = this.liquid.parse(source, path.join(this.dir, "blocks", `${name}.liquid`));
      html = (await this.liquid.render(templates, { block }, { globals })) as string;
    } catch (error) {
      throw new Error(`Rendering ${this.name}/blocks/${name}.liquid failed: ${(error as Error).message}`, { cause: error });
    }
    const tag = schema.tag ?? "div";
    const classes = ["shopify-block", "shopify-app-block", ...(schema.class ? [schema.class] : [])].join(" ");
    return { html: `<${tag} id="shopify-block-${escapeHtml(id)}" class="${escapeHtml(classes)}">${html}</${tag}>`, schema };
  }

  /** Renders a Liquid string with the extension's environment (tests use it for small fixtures). */
  async renderString(source: string, options: { globals: Record<string, unknown>; locale: string; currency: string; scope?: Record<string, unknown> }): Promise<string> {
    const globals = new Globals(options.globals);
    renderStates.set(globals, { locale: options.locale, currency: options.currency, javascript: new Map() });
    return (await this.liquid.parseAndRender(source, options.scope ?? {}, { globals })) as string;
  }

  private registerTags() {
    const liquid = this.liquid;
    liquid.registerTag(
      "schema",
      class extends Tag {
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
          super(token, remain, l);
          takeRaw("schema", token, remain);
        }
        render() {}
      },
    );
    liquid.registerTag(
      "doc",
      class extends Tag {
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
          super(token, remain, l);
          takeRaw("doc", token, remain);
        }
        render() {}
      },
    );
    liquid.registerTag(
      "javascript",
      class extends Tag {
        private readonly code: string;
        private readonly file: string;
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
          super(token, remain, l);
          this.code = takeRaw("javascript", token, remain);
          this.file = token.file ?? "inline";
        }
        render(ctx: Context) {
          stateOf(ctx).javascript.set(this.file, this.code);
        }
      },
    );
    liquid.registerTag(
      "style",
      class extends Tag {
        private readonly templates: Template[] = [];
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid, parser: { parseToken(t: TopLevelToken, r: TopLevelToken[]): Template }) {
          super(token, remain, l);
          while (remain.length) {
            const next = remain.shift()!;
            if (next.kind === 4 && (next as TagToken).name === "endstyle") return;
            this.templates.push(parser.parseToken(next, remain));
          }
          throw new Error(`tag ${token.getText()} not closed`);
        }
        *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
          const css = (yield this.liquid.renderer.renderTemplates(this.templates, ctx)) as string;
          emitter.write(`<style data-shopify>${css}</style>`);
        }
      },
    );
    liquid.registerTag(
      "stylesheet",
      class extends Tag {
        constructor(token: TagToken, remain: TopLevelToken[], l: Liquid) {
          super(token, remain, l);
          throw new NotImplementedInStorefront("The {% stylesheet %} tag (use {% style %} or the schema's stylesheet)");
        }
        render() {}
      },
    );
  }

  private registerFilters() {
    const liquid = this.liquid;
    const translations = (locale: string) => this.translations(locale);
    const assetUrl = (file: string) => this.assetUrl(file);
    const formats = (ctx: Context) => currencyFormats(stateOf(ctx).currency);
    liquid.registerFilter("money", function (this: { context: Context }, input: unknown) {
      const cents = centsOf(input, "money");
      return cents === null ? "" : formatMoney(cents, formats(this.context).money);
    });
    liquid.registerFilter("money_with_currency", function (this: { context: Context }, input: unknown) {
      const cents = centsOf(input, "money_with_currency");
      return cents === null ? "" : formatMoney(cents, formats(this.context).moneyWithCurrency);
    });
    liquid.registerFilter("money_without_currency", function (this: { context: Context }, input: unknown) {
      const cents = centsOf(input, "money_without_currency");
      return cents === null ? "" : formatMoneyWithoutCurrency(cents, formats(this.context).money);
    });
    liquid.registerFilter("money_without_trailing_zeros", function (this: { context: Context }, input: unknown) {
      const cents = centsOf(input, "money_without_trailing_zeros");
      if (cents === null) return "";
      const text = formatMoney(cents, formats(this.context).money);
      return cents % 100 === 0 ? text.replace(/[.,]00(?!\d)/, "") : text;
    });
    liquid.registerFilter("t", function (this: { context: Context }, key: unknown, ...args: unknown[]) {
      if (typeof key !== "string") throw new Error(`t: the key must be a string, got ${JSON.stringify(key)}`);
      const { locale } = stateOf(this.context);
      const params: Record<string, unknown> = {};
      for (const arg of args) {
        if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === "string") params[arg[0]] = arg[1];
        else throw new Error(`t: arguments must be named (key: value), got ${JSON.stringify(arg)}`);
      }
      return translate(translations(locale), locale, key, params);
    });
    liquid.registerFilter("asset_url", (file: unknown) => {
      if (typeof file !== "string") throw new Error(`asset_url: expected a file name, got ${JSON.stringify(file)}`);
      return assetUrl(file);
    });
    liquid.registerFilter("json", (value: unknown) =>
      (JSON.stringify(value ?? null) ?? "null").replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026"),
    );
    const imageUrl = (name: string) => (image: unknown, ...args: unknown[]) => {
      if (image === null || image === undefined) throw new Error(`${name}: no image (nil); guard with {% if … %}`);
      const src = typeof image === "string" ? image : typeof image === "object" && image !== null && "src" in image ? String((image as { src: unknown }).src) : null;
      if (!src) throw new NotImplementedInStorefront(`${name} on ${JSON.stringify(image)}`);
      const width = args.find((a): a is [string, unknown] => Array.isArray(a) && a[0] === "width")?.[1];
      return width === undefined ? src : `${src}${src.includes("?") ? "&" : "?"}width=${String(width)}`;
    };
    liquid.registerFilter("image_url", imageUrl("image_url"));
    liquid.registerFilter("img_url", imageUrl("img_url"));
    liquid.registerFilter("handleize", (value: unknown) =>
      String(value ?? "")
        .toLowerCase()
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, ""),
    );
  }
}

/** Shopify's `t`: nested keys, `count` pluralisation (zero/one/other), `{{ name }}` interpolation (escaped unless the key ends in `_html`). */
export function translate(
  tables: { primary: Record<string, unknown>; fallback: Record<string, unknown> },
  locale: string,
  key: string,
  params: Record<string, unknown> = {},
): string {
  const lookup = (table: Record<string, unknown>) =>
    key.split(".").reduce<unknown>((node, part) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), table);
  let value = lookup(tables.primary) ?? lookup(tables.fallback);
  if (value !== null && typeof value === "object" && "count" in params) {
    const forms = value as Record<string, unknown>;
    const count = Number(params.count);
    value = (count === 0 && forms.zero !== undefined ? forms.zero : count === 1 && forms.one !== undefined ? forms.one : forms.other) ?? undefined;
  }
  if (typeof value !== "string") throw new Error(`Translation missing: ${locale}.${key}`);
  const html = key.endsWith("_html");
  return value.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`Translation ${locale}.${key} needs {{ ${name} }}, which t was not given`);
    const text = String(params[name] ?? "");
    return html ? text : escapeHtml(text);
  });
}
