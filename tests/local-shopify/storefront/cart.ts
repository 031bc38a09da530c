/**
 * The storefront cart and Shopify's Ajax Cart API shapes (`/cart.js`, `/cart/add.js`, `/cart/update.js`,
 * `/cart/change.js`, `/cart/clear.js`; https://shopify.dev/docs/api/ajax/reference/cart).
 *
 * Reproduced behaviour: a line is a (variant, properties) pair — adding the same variant with other properties makes a
 * separate line, with the same properties adds to the existing line; blank property values are dropped; an unknown
 * variant, a variant of an unpublished product or one that is not available for sale is refused with HTTP 422 and
 * nothing is added (the whole request is refused); `updates` and `change` with quantity 0 remove a line; a cart
 * attribute set to "" is removed. Prices are in cents (money.ts).
 *
 * Discounts (priced by discounts.ts): `/cart/update.js` with `discount: "CODE1,CODE2"` replaces the cart's discount
 * codes ("" removes them all). The cart answers `discount_codes: [{ code, applicable }]`, each line its
 * `line_level_discount_allocations: [{ amount, discount_application: { type, key, title, description, value,
 * created_at, value_type, allocation_method, target_selection, target_type, total_allocated_amount } }]`,
 * `line_level_total_discount`, `total_discount`, `discounts: [{ amount, title }]`, `discounted_price`/`final_price`
 * (unit, after line-level discounts), `line_price`/`final_line_price` (after them), `original_price`/`original_line_price`
 * (before); the cart `original_total_price` (before discounts), `items_subtotal_price` (after line-level discounts),
 * `total_discount`, `total_price` (after every discount) and `cart_level_discount_applications` (order discounts only:
 * buy X get Y and product discounts are line level). `value` is Shopify's decimal string ("10.0" percent, or the amount
 * in currency units); amounts are cents.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ShopState } from "../store";
import { dateTime } from "../modules/mutation-kit";
import { parseDiscountCodes, priceCart, type DiscountApplication, type PricedCart, type PricedLine } from "./discounts";
import { decimalString } from "./money";
import { Catalog, isGiftCardProduct, type CartLine, type CartRecord } from "./objects";

export class CartError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
    this.name = "CartError";
  }
  get body() {
    return { status: this.status, message: "Cart Error", description: this.description };
  }
}

interface CartsState {
  carts: Map<string, CartRecord>;
}

const carts = (shop: ShopState) => shop.module<CartsState>("storefront:carts", () => ({ carts: new Map() }));

export function newCartToken(): string {
  return `local-${randomBytes(12).toString("hex")}`;
}

/** The cart for a token (created empty when the token is unknown). */
export function cartFor(shop: ShopState, token: string): CartRecord {
  const state = carts(shop);
  let cart = state.carts.get(token);
  if (!cart) {
    cart = { token, lines: [], attributes: {}, note: null, discountCodes: [] };
    state.carts.set(token, cart);
  }
  return cart;
}

export function dropCart(shop: ShopState, token: string) {
  carts(shop).carts.delete(token);
}

function cleanProperties(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new CartError(422, "Line item properties must be an object of names and values");
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === null || value === undefined || value === "") continue;
    if (typeof value === "object") throw new CartError(422, `Line item property ${key} must be a text value`);
    properties[key] = String(value);
  }
  return properties;
}

function lineKey(variantId: number, properties: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(properties).sort(([a], [b]) => a.localeCompare(b)));
  return `${variantId}:${createHash("md5").update(JSON.stringify(sorted)).digest("hex")}`;
}

function positiveQuantity(raw: unknown, field: string): number {
  const quantity = raw === undefined ? 1 : typeof raw === "string" ? Number(raw) : raw;
  if (typeof quantity !== "number" || !Number.isInteger(quantity) || quantity < 0) throw new CartError(422, `${field} must be a whole number ≥ 0`);
  return quantity;
}

export interface AddItem {
  id: unknown;
  quantity?: unknown;
  properties?: unknown;
}

/** Adds items (all or nothing). Returns the lines touched, as they now are. */
export function addItems(shop: ShopState, cart: CartRecord, items: AddItem[]): CartLine[] {
  if (!Array.isArray(items) || items.length === 0) throw new CartError(422, "Cart Error: no items to add");
  const catalog = new Catalog(shop);
  const planned = items.map((item) => {
    const variantId = typeof item.id === "string" && /^\d+$/.test(item.id) ? Number(item.id) : item.id;
    if (typeof variantId !== "number" || !Number.isInteger(variantId)) throw new CartError(422, "Cannot find variant");
    const found = catalog.variant(variantId);
    if (!found || !catalog.published(found.product)) throw new CartError(422, "Cannot find variant");
    if (!found.variant.availableForSale) throw new CartError(422, `The product '${found.product.title}' is already sold out.`);
    const quantity = positiveQuantity(item.quantity, "quantity");
    return { found, quantity, properties: cleanProperties(item.properties) };
  });
  const touched: CartLine[] = [];
  for (const { found, quantity, properties } of planned) {
    if (quantity === 0) continue;
    const key = lineKey(found.variant.id, properties);
    let line = cart.lines.find((l) => l.key === key);
    if (line) line.quantity += quantity;
    else {
      line = { key, variantId: found.variant.id, productId: found.product.id, quantity, properties };
      cart.lines.push(line);
    }
    if (!touched.includes(line)) touched.push(line);
  }
  return touched;
}

/** `/cart/update.js`: `updates` (by line key or variant id, or an array in line order), `attributes`, `note`, `discount`. */
export function updateCart(cart: CartRecord, body: { updates?: unknown; attributes?: unknown; note?: unknown; discount?: unknown }) {
  if (body.discount !== undefined) {
    if (body.discount !== null && typeof body.discount !== "string") throw new CartError(422, "discount must be a comma-separated list of codes");
    cart.discountCodes = parseDiscountCodes(body.discount ?? "");
  }
  if (body.updates !== undefined) {
    const updates = body.updates;
    if (Array.isArray(updates)) {
      updates.forEach((q, i) => {
        const line = cart.lines[i];
        if (line) line.quantity = positiveQuantity(q, `updates[${i}]`);
      });
    } else if (updates !== null && typeof updates === "object") {
      for (const [id, q] of Object.entries(updates as Record<string, unknown>)) {
        const quantity = positiveQuantity(q, `updates[${id}]`);
        const lines = cart.lines.filter((l) => l.key === id || String(l.variantId) === id);
        if (lines.length === 0) throw new CartError(422, `Cannot find a line for ${id}`);
        // By variant id Shopify updates the first line of that variant.
        lines[0]!.quantity = quantity;
      }
    } else throw new CartError(422, "updates must be an object or an array");
    cart.lines = cart.lines.filter((l) => l.quantity > 0);
  }
  if (body.attributes !== undefined) {
    if (body.attributes === null || typeof body.attributes !== "object" || Array.isArray(body.attributes)) throw new CartError(422, "attributes must be an object");
    for (const [key, value] of Object.entries(body.attributes as Record<string, unknown>)) {
      if (value === "" || value === null) delete cart.attributes[key];
      else if (typeof value === "object") throw new CartError(422, `Cart attribute ${key} must be a text value`);
      else cart.attributes[key] = String(value);
    }
  }
  if (body.note !== undefined) cart.note = body.note === null ? null : String(body.note);
}

/** `/cart/change.js`: one line by `id` (line key or variant id) or `line` (1-based); `quantity` and/or `properties`. */
export function changeLine(cart: CartRecord, body: { id?: unknown; line?: unknown; quantity?: unknown; properties?: unknown }) {
  let index: number;
  if (body.line !== undefined) {
    const line = typeof body.line === "string" ? Number(body.line) : body.line;
    if (typeof line !== "number" || !Number.isInteger(line) || line < 1 || line > cart.lines.length) throw new CartError(400, `Cannot find line ${String(body.line)}`);
    index = line - 1;
  } else if (body.id !== undefined) {
    const id = String(body.id);
    index = cart.lines.findIndex((l) => l.key === id || String(l.variantId) === id);
    if (index < 0) throw new CartError(400, `Cannot find a line for ${id}`);
  } else throw new CartError(400, "change.js needs an id or a line");
  const line = cart.lines[index]!;
  if (body.properties !== undefined) {
    line.properties = cleanProperties(body.properties);
    line.key = lineKey(line.variantId, line.properties);
  }
  if (body.quantity !== undefined) line.quantity = positiveQuantity(body.quantity, "quantity");
  cart.lines = cart.lines.filter((l) => l.quantity > 0);
}

export function clearCart(cart: CartRecord) {
  cart.lines = [];
}

/** A discount application as the Ajax API answers it (cents; `value` as Shopify's decimal string). */
export function ajaxApplication(catalog: Catalog, a: DiscountApplication) {
  return {
    type: a.type,
    key: `local-discount-${a.discountId}`,
    title: a.title,
    description: a.type === "discount_code" ? a.code : a.title,
    value: a.valueType === "percentage" ? a.value.toFixed(1) : decimalString(a.value, catalog.currency),
    created_at: dateTime(a.createdAt),
    value_type: a.valueType,
    allocation_method: a.allocationMethod,
    target_selection: a.targetSelection,
    target_type: "line_item",
    total_allocated_amount: catalog.cents(a.totalAllocated),
  };
}

/** One line as the Ajax API answers it, priced with the cart's discounts when given. */
export function ajaxLine(catalog: Catalog, line: CartLine, priced?: PricedLine) {
  const found = catalog.variant(line.variantId);
  if (!found) throw new Error(`Cart line ${line.key} points at variant ${line.variantId}, which does not exist`);
  const { product, variant } = found;
  const price = catalog.cents(variant.price);
  const defaultVariant = product.variants.length === 1 && variant.title === "Default Title";
  const lineDiscount = catalog.cents(priced?.lineLevelDiscount ?? 0);
  const finalLinePrice = price * line.quantity - lineDiscount;
  const finalPrice = Math.round(finalLinePrice / line.quantity);
  return {
    id: variant.id,
    properties: Object.keys(line.properties).length > 0 ? { ...line.properties } : null,
    quantity: line.quantity,
    variant_id: variant.id,
    key: line.key,
    title: defaultVariant ? product.title : `${product.title} - ${variant.title}`,
    price,
    original_price: price,
    discounted_price: finalPrice,
    line_price: finalLinePrice,
    original_line_price: price * line.quantity,
    final_price: finalPrice,
    final_line_price: finalLinePrice,
    total_discount: lineDiscount,
    discounts: (priced?.lineLevel ?? []).map((a) => ({ amount: catalog.cents(a.amount), title: a.application.title })),
    sku: variant.sku,
    grams: 0,
    vendor: product.vendor,
    taxable: true,
    product_id: product.id,
    product_has_only_default_variant: defaultVariant,
    gift_card: isGiftCardProduct(product),
    url: `/products/${product.handle}?variant=${variant.id}`,
    featured_image: null,
    image: null,
    handle: product.handle,
    requires_shipping: !isGiftCardProduct(product),
    product_type: product.productType,
    product_title: product.title,
    product_description: "",
    variant_title: defaultVariant ? null : variant.title,
    variant_options: [variant.title],
    options_with_values: [{ name: defaultVariant ? "Title" : "Variant", value: variant.title }],
    line_level_discount_allocations: (priced?.lineLevel ?? []).map((a) => ({ amount: catalog.cents(a.amount), discount_application: ajaxApplication(catalog, a.application) })),
    line_level_total_discount: lineDiscount,
  };
}

/** The cart priced with the shop's live discounts at `now` (ms). */
export function pricedCart(shop: ShopState, cart: CartRecord, now: number): PricedCart {
  return priceCart(new Catalog(shop), shop, cart, now);
}

/** The whole cart as `/cart.js` answers it. */
export function ajaxCart(shop: ShopState, cart: CartRecord, now: number) {
  const catalog = new Catalog(shop);
  const priced = pricedCart(shop, cart, now);
  const items = cart.lines.map((line, i) => ajaxLine(catalog, line, priced.lines[i]));
  return {
    token: cart.token,
    note: cart.note,
    attributes: { ...cart.attributes },
    original_total_price: catalog.cents(priced.originalTotal),
    total_price: catalog.cents(priced.total),
    total_discount: catalog.cents(priced.totalDiscount),
    total_weight: 0,
    item_count: items.reduce((sum, i) => sum + i.quantity, 0),
    items,
    requires_shipping: items.some((i) => i.requires_shipping),
    currency: catalog.currency,
    items_subtotal_price: catalog.cents(priced.itemsSubtotal),
    cart_level_discount_applications: priced.applications.filter((a) => a.level === "cart").map((a) => ajaxApplication(catalog, a)),
    discount_codes: priced.codes.map((c) => ({ code: c.code, applicable: c.applicable })),
  };
}
