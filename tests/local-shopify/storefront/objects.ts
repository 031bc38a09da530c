/**
 * Shopify's storefront Liquid objects over a local shop: product, variant, shop, cart, line item, metafields. Each is a
 * liquidjs Drop holding only the properties implemented here; reading any other property fails loudly
 * ("product.foo is not implemented by the local storefront") instead of rendering an empty string, while a property
 * Shopify can answer with nil (a missing metafield, a product without image) is nil as on Shopify.
 *
 * Reproduced Shopify behaviour:
 * - Prices are in cents of the currency (money.ts).
 * - `x.metafields["$app"].key` (and `"$app:suffix"`) reads the app-reserved namespace; a metafield is `{ value, type }`,
 *   `json` values are parsed, `product_reference` resolves to a product and `list.product_reference` to the products
 *   that exist and are published: an unpublished (status other than ACTIVE) or deleted product resolves to nothing
 *   (nil, or left out of the list).
 * - A product is `available` when one of its variants is; `gift_card?` is true for the product type "Gift Card" (the
 *   seed has no gift-card flag on products; Shopify gives gift-card products that type).
 * - The cart is priced with the shop's live discounts (discounts.ts): `line_item.price`/`final_price` and
 *   `line_price`/`final_line_price` include line-level discounts, `original_price`/`original_line_price` do not;
 *   `line_level_discount_allocations`, `discount_allocations` (line and cart level), `line_level_total_discount`;
 *   `cart.total_price` after every discount, `original_total_price`, `items_subtotal_price` (after line-level
 *   discounts), `total_discount`, `discount_applications`, `cart_level_discount_applications`, `discount_codes`.
 *   A discount_application has `title`, `type`, `value` (percent, or cents), `value_type`, `target_selection`,
 *   `target_type`, `allocation_method`, `total_allocated_amount`; a discount allocation `amount` and
 *   `discount_application` (https://shopify.dev/docs/api/liquid/objects/discount_application).
 */
import { Drop } from "liquidjs";
import { priceCart, type DiscountApplication, type LineAllocation, type PricedCart, type PricedLine } from "./discounts";
import { gid, parseGid } from "../gid";
import { APP_NAMESPACE, metafieldsOf, resolveNamespace } from "../modules/metafields";
import type { SeedProduct, SeedVariant } from "../seed";
import type { ShopState } from "../store";
import { currencyFormats, toCents } from "./money";

export class NotImplementedInStorefront extends Error {
  constructor(what: string) {
    super(`${what} is not implemented by the local storefront`);
    this.name = "NotImplementedInStorefront";
  }
}

/** A Drop that answers only the properties its class defines. */
abstract class StrictDrop extends Drop {
  protected abstract readonly objectName: string;
  override liquidMethodMissing(key: string | number): unknown {
    if (key === "size" || key === "first" || key === "last") return undefined;
    throw new NotImplementedInStorefront(`${this.objectName}.${String(key)}`);
  }
}

/** A plain Liquid object (request, routes, ...) that holds only the given properties: any other is an error. */
export class StrictObject extends StrictDrop {
  protected readonly objectName: string;
  constructor(name: string, values: Record<string, unknown>) {
    super();
    this.objectName = name;
    Object.assign(this, values);
  }
}

/** The shop's catalog as the storefront sees it. */
export class Catalog {
  constructor(readonly shop: ShopState) {}

  get currency(): string {
    return this.shop.seed.shop.currencyCode;
  }

  cents(minor: number): number {
    return toCents(minor, this.currency);
  }

  /** A product the storefront shows: it exists (not deleted) and is published (ACTIVE). */
  published(product: SeedProduct | undefined): product is SeedProduct {
    return product !== undefined && product.deletedAt === null && product.status === "ACTIVE";
  }

  product(id: number): SeedProduct | undefined {
    return this.shop.seed.products.find((p) => p.id === id);
  }

  productByHandle(handle: string): SeedProduct | undefined {
    const product = this.shop.seed.products.find((p) => p.handle === handle);
    return this.published(product) ? product : undefined;
  }

  variant(id: number): { product: SeedProduct; variant: SeedVariant } | undefined {
    for (const product of this.shop.seed.products) {
      const variant = product.variants.find((v) => v.id === id);
      if (variant) return { product, variant };
    }
    return undefined;
  }

  publishedProducts(): SeedProduct[] {
    return this.shop.seed.products.filter((p) => this.published(p));
  }
}

export const isGiftCardProduct = (product: SeedProduct) => /^gift ?cards?$/i.test(product.productType.trim());
export const variantAvailable = (variant: SeedVariant) => variant.availableForSale;

export class VariantDrop extends StrictDrop {
  protected readonly objectName = "variant";
  readonly id: number;
  readonly title: string;
  constructor(
    private readonly catalog: Catalog,
    private readonly seedProduct: SeedProduct,
    private readonly seedVariant: SeedVariant,
  ) {
    super();
    this.id = seedVariant.id;
    this.title = seedVariant.title;
  }
  get available() {
    return variantAvailable(this.seedVariant);
  }
  get price() {
    return this.catalog.cents(this.seedVariant.price);
  }
  get compare_at_price() {
    return this.seedVariant.compareAtPrice === null ? null : this.catalog.cents(this.seedVariant.compareAtPrice);
  }
  get sku() {
    return this.seedVariant.sku;
  }
  get inventory_quantity() {
    return this.seedVariant.inventoryQuantity;
  }
  get option1() {
    return this.seedVariant.title;
  }
  get options() {
    return [this.seedVariant.title];
  }
  get url() {
    return `/products/${this.seedProduct.handle}?variant=${this.seedVariant.id}`;
  }
  get product() {
    return new ProductDrop(this.catalog, this.seedProduct);
  }
  get featured_image() {
    return null; // the seed has no images
  }
  get image() {
    return null;
  }
  get requires_shipping() {
    return !isGiftCardProduct(this.seedProduct);
  }
  toJSON() {
    return { id: this.id, title: this.title, available: this.available, price: this.price, compare_at_price: this.compare_at_price, sku: this.sku, option1: this.option1 };
  }
}

export class ProductDrop extends StrictDrop {
  protected readonly objectName = "product";
  readonly id: number;
  readonly title: string;
  readonly handle: string;
  constructor(
    private readonly catalog: Catalog,
    private readonly seedProduct: SeedProduct,
  ) {
    super();
    this.id = seedProduct.id;
    this.title = seedProduct.title;
    this.handle = seedProduct.handle;
  }
  get url() {
    return `/products/${this.seedProduct.handle}`;
  }
  get type() {
    return this.seedProduct.productType;
  }
  get vendor() {
    return this.seedProduct.vendor;
  }
  get tags() {
    return [...this.seedProduct.tags];
  }
  get description() {
    return "";
  }
  get available() {
    return this.seedProduct.variants.some(variantAvailable);
  }
  get variants() {
    return this.seedProduct.variants.map((v) => new VariantDrop(this.catalog, this.seedProduct, v));
  }
  get has_only_default_variant() {
    return this.seedProduct.variants.length === 1 && this.seedProduct.variants[0]!.title === "Default Title";
  }
  get first_available_variant() {
    const variant = this.seedProduct.variants.find(variantAvailable);
    return variant ? new VariantDrop(this.catalog, this.seedProduct, variant) : null;
  }
  get selected_variant() {
    return null; // no ?variant= selection on the local product page
  }
  get selected_or_first_available_variant() {
    const variant = this.seedProduct.variants.find(variantAvailable) ?? this.seedProduct.variants[0];
    return variant ? new VariantDrop(this.catalog, this.seedProduct, variant) : null;
  }
  get price() {
    return this.price_min;
  }
  get price_min() {
    const prices = this.seedProduct.variants.map((v) => v.price);
    return prices.length === 0 ? 0 : this.catalog.cents(Math.min(...prices));
  }
  get price_max() {
    const prices = this.seedProduct.variants.map((v) => v.price);
    return prices.length === 0 ? 0 : this.catalog.cents(Math.max(...prices));
  }
  get price_varies() {
    return this.price_min !== this.price_max;
  }
  get compare_at_price() {
    const prices = this.seedProduct.variants.flatMap((v) => (v.compareAtPrice === null ? [] : [v.compareAtPrice]));
    return prices.length === 0 ? null : this.catalog.cents(Math.min(...prices));
  }
  get featured_image() {
    return null; // the seed has no images
  }
  get images() {
    return [];
  }
  get media() {
    return [];
  }
  get options() {
    return this.has_only_default_variant ? ["Title"] : ["Variant"];
  }
  get metafields() {
    return new MetafieldsDrop(this.catalog, gid("Product", this.seedProduct.id), "product.metafields");
  }
  /** `gift_card?` (defined below: the name is not a JavaScript identifier). */
  get giftCard() {
    return isGiftCardProduct(this.seedProduct);
  }
  toJSON() {
    return {
      id: this.id,
      title: this.title,
      handle: this.handle,
      url: this.url,
      available: this.available,
      price: this.price,
      type: this.type,
      vendor: this.vendor,
      variants: this.variants.map((v) => v.toJSON()),
    };
  }
}
Object.defineProperty(ProductDrop.prototype, "gift_card?", {
  get(this: ProductDrop) {
    return this.giftCard;
  },
});

/** `x.metafields`: namespaces by name; `$app` and `$app:suffix` resolve to the app's reserved namespace. */
export class MetafieldsDrop extends Drop {
  readonly owner: string;
  constructor(
    private readonly catalog: Catalog,
    ownerGid: string,
    private readonly path: string,
  ) {
    super();
    this.owner = ownerGid;
  }
  override liquidMethodMissing(namespace: string | number): unknown {
    const name = String(namespace);
    const resolved = name.startsWith("$app") ? resolveNamespace(name) : name;
    return new NamespaceDrop(this.catalog, this.owner, resolved, `${this.path}["${name}"]`);
  }
}

export class NamespaceDrop extends Drop {
  readonly namespace: string;
  constructor(
    private readonly catalog: Catalog,
    private readonly owner: string,
    namespace: string,
    private readonly path: string,
  ) {
    super();
    this.namespace = namespace;
  }
  override liquidMethodMissing(key: string | number): unknown {
    const record = metafieldsOf(this.catalog.shop, this.owner).find((m) => m.namespace === this.namespace && m.key === String(key));
    return record ? new MetafieldDrop(this.catalog, record.type, record.value, `${this.path}.${String(key)}`) : undefined;
  }
}

const SCALAR_TYPES = new Set(["single_line_text_field", "multi_line_text_field", "url", "color", "date", "date_time"]);

export class MetafieldDrop extends StrictDrop {
  protected readonly objectName: string;
  readonly type: string;
  constructor(
    private readonly catalog: Catalog,
    type: string,
    private readonly raw: string,
    path: string,
  ) {
    super();
    this.type = type;
    this.objectName = path;
  }
  get ["list?"]() {
    return this.type.startsWith("list.");
  }
  get value(): unknown {
    const { type, raw } = this;
    if (type === "json") return JSON.parse(raw) as unknown;
    if (type === "boolean") return raw === "true";
    if (type === "number_integer") return Number(raw);
    if (SCALAR_TYPES.has(type)) return raw;
    if (type === "product_reference") return this.productRef(raw);
    if (type === "list.product_reference") {
      return (JSON.parse(raw) as string[]).map((ref) => this.productRef(ref)).filter((p): p is ProductDrop => p !== null);
    }
    if (type === "variant_reference") return this.variantRef(raw);
    if (type === "list.variant_reference") {
      return (JSON.parse(raw) as string[]).map((ref) => this.variantRef(ref)).filter((v): v is VariantDrop => v !== null);
    }
    throw new NotImplementedInStorefront(`${this.objectName}.value for metafield type ${type}`);
  }
  private productRef(ref: string): ProductDrop | null {
    const id = parseGid(ref, "Product");
    const product = id === null ? undefined : this.catalog.product(id);
    return this.catalog.published(product) ? new ProductDrop(this.catalog, product) : null;
  }
  private variantRef(ref: string): VariantDrop | null {
    const id = parseGid(ref, "ProductVariant");
    const found = id === null ? undefined : this.catalog.variant(id);
    return found && this.catalog.published(found.product) ? new VariantDrop(this.catalog, found.product, found.variant) : null;
  }
  override valueOf() {
    return this.raw;
  }
  override toString() {
    return this.raw;
  }
}

export class ShopDrop extends StrictDrop {
  protected readonly objectName = "shop";
  readonly name: string;
  readonly id: number;
  constructor(private readonly catalog: Catalog) {
    super();
    this.name = catalog.shop.seed.shop.name;
    this.id = catalog.shop.seed.shop.id;
  }
  get currency() {
    return this.catalog.currency;
  }
  get money_format() {
    return currencyFormats(this.catalog.currency).money;
  }
  get money_with_currency_format() {
    return currencyFormats(this.catalog.currency).moneyWithCurrency;
  }
  get permanent_domain() {
    return this.catalog.shop.domain;
  }
  get locale() {
    return this.catalog.shop.seed.shop.locales[0] ?? "en";
  }
  get metafields() {
    return new MetafieldsDrop(this.catalog, gid("Shop", this.catalog.shop.seed.shop.id), "shop.metafields");
  }
}

/** One cart line as the storefront keeps it. */
export interface CartLine {
  key: string;
  variantId: number;
  productId: number;
  quantity: number;
  properties: Record<string, string>;
}

export interface CartRecord {
  token: string;
  lines: CartLine[];
  attributes: Record<string, string>;
  note: string | null;
  /** Discount codes entered on the cart, as entered (cart.ts `discount`). */
  discountCodes: string[];
}

function applicationDrop(catalog: Catalog, a: DiscountApplication) {
  return new StrictObject("discount_application", {
    title: a.title,
    type: a.type,
    value: a.valueType === "percentage" ? a.value : catalog.cents(a.value),
    value_type: a.valueType,
    target_selection: a.targetSelection,
    target_type: "line_item",
    allocation_method: a.allocationMethod,
    total_allocated_amount: catalog.cents(a.totalAllocated),
  });
}

const allocationDrop = (catalog: Catalog, a: LineAllocation) =>
  new StrictObject("discount_allocation", { amount: catalog.cents(a.amount), discount_application: applicationDrop(catalog, a.application) });

export class LineItemDrop extends StrictDrop {
  protected readonly objectName = "line_item";
  readonly key: string;
  readonly quantity: number;
  private readonly line: CartLine;
  constructor(
    private readonly catalog: Catalog,
    private readonly priced: PricedLine,
  ) {
    super();
    this.line = priced.line;
    this.key = priced.line.key;
    this.quantity = priced.line.quantity;
  }
  private get found() {
    const found = this.catalog.variant(this.line.variantId);
    if (!found) throw new Error(`Cart line ${this.line.key} points at variant ${this.line.variantId}, which does not exist`);
    return found;
  }
  get id() {
    return this.line.variantId;
  }
  get variant_id() {
    return this.line.variantId;
  }
  get product_id() {
    return this.line.productId;
  }
  get product() {
    return new ProductDrop(this.catalog, this.found.product);
  }
  get variant() {
    return new VariantDrop(this.catalog, this.found.product, this.found.variant);
  }
  get title() {
    const { product, variant } = this.found;
    return variant.title === "Default Title" ? product.title : `${product.title} - ${variant.title}`;
  }
  get properties() {
    return { ...this.line.properties };
  }
  get price() {
    return Math.round(this.line_price / this.line.quantity);
  }
  get final_price() {
    return this.price;
  }
  get original_price() {
    return this.catalog.cents(this.priced.unitPrice);
  }
  get line_price() {
    return this.catalog.cents(this.priced.finalLinePrice);
  }
  get final_line_price() {
    return this.line_price;
  }
  get original_line_price() {
    return this.catalog.cents(this.priced.originalLinePrice);
  }
  get line_level_total_discount() {
    return this.catalog.cents(this.priced.lineLevelDiscount);
  }
  get line_level_discount_allocations() {
    return this.priced.lineLevel.map((a) => allocationDrop(this.catalog, a));
  }
  get discount_allocations() {
    return [...this.priced.lineLevel, ...this.priced.cartLevel].map((a) => allocationDrop(this.catalog, a));
  }
  get sku() {
    return this.found.variant.sku;
  }
  get url() {
    return `/products/${this.found.product.handle}?variant=${this.line.variantId}`;
  }
  get image() {
    return null;
  }
  get gift_card() {
    return isGiftCardProduct(this.found.product);
  }
}

export class CartDrop extends StrictDrop {
  protected readonly objectName = "cart";
  readonly token: string;
  private pricedCart: PricedCart | undefined;
  constructor(
    private readonly catalog: Catalog,
    private readonly cart: CartRecord,
    /** The moment the cart is priced at (ms): discounts apply by their status then. */
    private readonly now: number,
  ) {
    super();
    this.token = cart.token;
  }
  private get priced(): PricedCart {
    return (this.pricedCart ??= priceCart(this.catalog, this.catalog.shop, this.cart, this.now));
  }
  get items() {
    return this.priced.lines.map((line) => new LineItemDrop(this.catalog, line));
  }
  get item_count() {
    return this.cart.lines.reduce((sum, l) => sum + l.quantity, 0);
  }
  get total_price() {
    return this.catalog.cents(this.priced.total);
  }
  get original_total_price() {
    return this.catalog.cents(this.priced.originalTotal);
  }
  get items_subtotal_price() {
    return this.catalog.cents(this.priced.itemsSubtotal);
  }
  get total_discount() {
    return this.catalog.cents(this.priced.totalDiscount);
  }
  get discount_applications() {
    return this.priced.applications.map((a) => applicationDrop(this.catalog, a));
  }
  get cart_level_discount_applications() {
    return this.priced.applications.filter((a) => a.level === "cart").map((a) => applicationDrop(this.catalog, a));
  }
  get discount_codes() {
    return this.priced.codes.map((c) => new StrictObject("discount_code", { code: c.code, applicable: c.applicable }));
  }
  get attributes() {
    return { ...this.cart.attributes };
  }
  get note() {
    return this.cart.note;
  }
  get currency() {
    return new StrictObject("cart.currency", { iso_code: this.catalog.currency });
  }
  get empty() {
    return this.cart.lines.length === 0;
  }
  get requires_shipping() {
    return this.items.some((i) => !i.gift_card);
  }
}
Object.defineProperty(CartDrop.prototype, "empty?", {
  get(this: CartDrop) {
    return this.item_count === 0;
  },
});

/** `app`: app-data metafields live on the AppInstallation, which the local Shopify does not hold. */
export class AppDrop extends StrictDrop {
  protected readonly objectName = "app";
  readonly id = "local-app";
  get metafields(): never {
    throw new NotImplementedInStorefront("app.metafields (app-data metafields on the AppInstallation)");
  }
}

export { APP_NAMESPACE };
