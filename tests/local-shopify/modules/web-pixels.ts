/**
 * The app's web pixel: `webPixelCreate`, `webPixelUpdate`, `webPixelDelete` and the read-back `webPixel`.
 *
 * Reproduced Shopify behaviour (https://shopify.dev/docs/api/admin-graphql/2026-01/mutations/webPixelCreate):
 * - A web pixel activates the app's web pixel extension on the shop: an app has one web pixel per shop, so a second
 *   `webPixelCreate` is refused (TAKEN) and the app updates the one it has.
 * - `settings` (JSON: an object, or a string holding one) is validated against the settings definition of the
 *   extension's shopify.extension.toml (`[settings.fields.<name>]`, types single_line_text_field/multi_line_text_field,
 *   validations min/max length): anything else is INVALID_SETTINGS. `WebPixel.settings` reads back as a JSON string.
 * - Without a web pixel extension the mutations answer NO_EXTENSION; an unknown id is NOT_FOUND.
 *
 * `webPixelsModule` stands for an extension whose settings definition is not known yet: it accepts any flat object of
 * string values. `createWebPixelsModule(extension)` takes the real definition (or `null`: no extension deployed).
 */
import { gid } from "../gid";
import type { ApiModule, RequestContext } from "../server";
import type { ShopState } from "../store";
import { splitGid, userError, type CodedUserError } from "./mutation-kit";

export interface WebPixelSettingField {
  type: "single_line_text_field" | "multi_line_text_field";
  /** `{ name: "min" | "max", value }` as in shopify.extension.toml: the length bounds of the value. */
  validations?: { name: "min" | "max"; value: string }[];
}

export interface WebPixelExtension {
  /** The fields of `[settings]`, or "any-strings" when the definition is not known (any flat object of strings). */
  settings: Record<string, WebPixelSettingField> | "any-strings";
}

interface PixelRecord {
  id: number;
  settings: Record<string, string>;
}

const state = (shop: ShopState) => shop.module<{ pixel: PixelRecord | null }>("web-pixels", () => ({ pixel: null }));

function pixelObject(p: PixelRecord) {
  return { __typename: "WebPixel", id: gid("WebPixel", p.id), settings: JSON.stringify(p.settings) };
}

/** The settings as an object of strings, or the problem with them. */
function readSettings(extension: WebPixelExtension, raw: unknown): { settings: Record<string, string> } | { problem: string } {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return { problem: "Settings is not valid JSON." };
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return { problem: "Settings must be a JSON object." };
  const entries = Object.entries(value as Record<string, unknown>);
  const settings: Record<string, string> = {};
  for (const [name, v] of entries) {
    if (typeof v !== "string") return { problem: `Setting ${name} must be a string.` };
    if (extension.settings !== "any-strings") {
      const field = extension.settings[name];
      if (!field) return { problem: `Setting ${name} is not defined in the extension's settings.` };
      if (field.type === "single_line_text_field" && v.includes("\n")) return { problem: `Setting ${name} must be a single line.` };
      for (const validation of field.validations ?? []) {
        const bound = Number(validation.value);
        if (validation.name === "min" && v.length < bound) return { problem: `Setting ${name} is too short (minimum is ${bound} characters).` };
        if (validation.name === "max" && v.length > bound) return { problem: `Setting ${name} is too long (maximum is ${bound} characters).` };
      }
    }
    settings[name] = v;
  }
  if (extension.settings !== "any-strings") {
    const missing = Object.keys(extension.settings).find((name) => !(name in settings));
    if (missing) return { problem: `Setting ${missing} is missing.` };
  }
  return { settings };
}

const NO_EXTENSION: CodedUserError = userError(null, "No web pixel extension is deployed for this app.", "NO_EXTENSION");

export function createWebPixelsModule(extension: WebPixelExtension | null): ApiModule {
  const find = (shop: ShopState, id: string | null | undefined) => {
    const pixel = state(shop).pixel;
    const parsed = splitGid(id);
    return pixel && parsed?.type === "WebPixel" && parsed.id === pixel.id ? pixel : undefined;
  };
  const notFound = userError(["id"], "Web pixel not found.", "NOT_FOUND");

  return {
    name: "web-pixels",
    query: {
      webPixel: (args: { id?: string | null }, { shop }: RequestContext) => {
        const pixel = args.id == null ? state(shop).pixel : find(shop, args.id);
        return pixel ? pixelObject(pixel) : null;
      },
    },
    mutation: {
      webPixelCreate: (args: { webPixel: { settings: unknown } }, { shop }: RequestContext) => {
        if (!extension) return { webPixel: null, userErrors: [NO_EXTENSION] };
        const slot = state(shop);
        if (slot.pixel) return { webPixel: null, userErrors: [userError(["webPixel"], "Web pixel is taken: this app already has a web pixel on the shop.", "TAKEN")] };
        const read = readSettings(extension, args.webPixel.settings);
        if ("problem" in read) return { webPixel: null, userErrors: [userError(["webPixel", "settings"], read.problem, "INVALID_SETTINGS")] };
        slot.pixel = { id: shop.nextId(), settings: read.settings };
        return { webPixel: pixelObject(slot.pixel), userErrors: [] };
      },
      webPixelUpdate: (args: { id: string; webPixel: { settings: unknown } }, { shop }: RequestContext) => {
        if (!extension) return { webPixel: null, userErrors: [NO_EXTENSION] };
        const pixel = find(shop, args.id);
        if (!pixel) return { webPixel: null, userErrors: [notFound] };
        const read = readSettings(extension, args.webPixel.settings);
        if ("problem" in read) return { webPixel: null, userErrors: [userError(["webPixel", "settings"], read.problem, "INVALID_SETTINGS")] };
        pixel.settings = read.settings;
        return { webPixel: pixelObject(pixel), userErrors: [] };
      },
      webPixelDelete: (args: { id: string }, { shop }: RequestContext) => {
        const pixel = find(shop, args.id);
        if (!pixel) return { deletedWebPixelId: null, userErrors: [notFound] };
        state(shop).pixel = null;
        return { deletedWebPixelId: gid("WebPixel", pixel.id), userErrors: [] };
      },
    },
  };
}

/** The app's web pixel extension with a settings definition not known yet: any flat object of strings. */
export const webPixelsModule: ApiModule = createWebPixelsModule({ settings: "any-strings" });
