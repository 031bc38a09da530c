/**
 * Amount-off ("basic") and buy X get Y discounts, automatic and with codes: create, update (buy X get Y only),
 * activate, deactivate, delete, and the read-back `discountNode`, `discountNodes` and `codeDiscountNodeByCode`. The storefront's cart prices itself with
 * the live discounts held here (`storefrontDiscounts`, storefront/discounts.ts).
 *
 * Reproduced Shopify behaviour (2026-01, https://shopify.dev/docs/api/admin-graphql/2026-01/mutations/discountCodeBasicCreate
 * and its siblings; error codes from DiscountErrorCode, https://shopify.dev/docs/api/admin-graphql/2026-01/enums/DiscountErrorCode):
 * - Required on creation: `title` for automatic discounts; `title`, `code` and `context` (or the deprecated
 *   `customerSelection`) for code discounts (https://shopify.dev/docs/api/admin-graphql/2026-01/input-objects/DiscountCodeBxgyInput).
 *   `startsAt` is optional (the discount starts now) and `endsAt` must be after `startsAt` (END_DATE_BEFORE_START_DATE).
 * - Codes are unique in the shop, compared case-insensitively (TAKEN).
 * - `customerGets`/`customerBuys` items are all items, or products/variants, or collections, that exist; a percentage is
 *   between 0 and 1 (VALUE_OUTSIDE_RANGE); amounts are positive.
 * - BXGY: `customerBuys.value` is a quantity or a purchase amount; `customerGets.value` must be `discountOnQuantity`
 *   (a quantity and an effect); neither side can be "all items".
 * - At most 25 automatic discounts can be active at a time (ACTIVE_PERIOD_OVERLAP).
 * - Status is SCHEDULED before `startsAt`, EXPIRED from `endsAt`, ACTIVE otherwise. Deactivating sets `endsAt` to now
 *   (https://shopify.dev/docs/api/admin-graphql/2026-01/mutations/discountAutomaticDeactivate, example "Deactivate an
 *   active automatic discount").
 * - Activating (`discountAutomaticActivate`, `discountCodeActivate`) a scheduled discount sets `startsAt` to now
 *   (the docs' example "Activate an automatic discount set to start in the future",
 *   https://shopify.dev/docs/api/admin-graphql/2026-01/mutations/discountAutomaticActivate); activating an expired or
 *   deactivated one clears `endsAt` (null: no end). The docs list an example "Activate an expired automatic/code
 *   discount" whose text we could not read: clearing `endsAt` is our reading of it, not confirmed. Activating an active
 *   discount changes nothing. Activating an automatic discount that is not yet counted against the cap, when 25 are
 *   already active or scheduled, gives the creation's ACTIVE_PERIOD_OVERLAP error and changes nothing. An unknown id
 *   (or a code discount's id given to the automatic mutation) is an INVALID user error on `id`.
 * - Updating (`discountCodeBxgyUpdate(id:, bxgyCodeDiscount:)`, `discountAutomaticBxgyUpdate(id:, automaticBxgyDiscount:)`,
 *   https://shopify.dev/docs/api/admin-graphql/2026-01/mutations/discountCodeBxgyUpdate) takes the creation's input type:
 *   only the fields given change, each checked with the creation's errors (a code is TAKEN only by another discount;
 *   `endsAt` against the resulting `startsAt`, checked only when a date is given; `endsAt: null` removes the end). Item
 *   selections follow the input's add/remove shape: adds join the current selection of the same kind, removes leave it,
 *   another kind replaces it. A `customerGets`/`customerBuys` given replaces only its given parts (value, items, flags).
 *   An update that would make an expired automatic discount active or scheduled again, when 25 others hold a place, is
 *   ACTIVE_PERIOD_OVERLAP. An unknown id, the other method's id or a basic discount's id is INVALID on `id`. Nothing
 *   changes when any error is answered. Our reading, not confirmed: an explicit `startsAt: null` means now (as on creation).
 *
 * Not implemented (loud failures): the `summary`/`shortSummary` text, usage counts, app and free-shipping discounts,
 * the basic discounts' update mutations, `recurringCycleLimit`, the deprecated `customerSelection` other than all customers.
 */
import { connection } from "../connections";
import { currencyDigits, gid, money } from "../gid";
import { notImplemented, type ApiModule, type RequestContext } from "../server";
import type { ShopState } from "../store";
import {
  collectionRef,
  customerRef,
  dateTime,
  parseDateTime,
  productRef,
  seedLookup,
  splitGid,
  userError,
  variantRef,
  type CodedUserError,
  type PageArgs,
} from "./mutation-kit";
import { segmentObjectById } from "./segments";

export const MAX_ACTIVE_AUTOMATIC_DISCOUNTS = 25;

export type Items = { kind: "all" } | { kind: "products"; products: number[]; variants: number[] } | { kind: "collections"; collections: number[] };
export type Effect = { kind: "percentage"; percentage: number } | { kind: "amount"; minor: number; appliesOnEachItem: boolean };
export type GetsValue = Effect | { kind: "onQuantity"; quantity: number; effect: Effect };
export type BuysValue = { kind: "quantity"; quantity: number } | { kind: "amount"; amount: string };
export type Context = { kind: "all" } | { kind: "customers"; ids: number[] } | { kind: "segments"; ids: string[] };
export type Minimum = { kind: "quantity"; quantity: number } | { kind: "subtotal"; minor: number } | null;

export interface DiscountRecord {
  id: number;
  method: "automatic" | "code";
  type: "basic" | "bxgy";
  title: string;
  startsAt: number;
  endsAt: number | null;
  createdAt: number;
  updatedAt: number;
  codes: { id: number; code: string }[];
  combinesWith: { productDiscounts: boolean; orderDiscounts: boolean; shippingDiscounts: boolean };
  context: Context;
  gets: { value: GetsValue; items: Items; appliesOnOneTimePurchase: boolean; appliesOnSubscription: boolean };
  buys: { value: BuysValue; items: Items; isOneTimePurchase: boolean; isSubscription: boolean } | null;
  minimum: Minimum;
  appliesOncePerCustomer: boolean;
  usageLimit: number | null;
  usesPerOrderLimit: number | null;
}

interface DiscountsState {
  discounts: Map<number, DiscountRecord>;
}

const state = (shop: ShopState) => shop.module<DiscountsState>("discounts", () => ({ discounts: new Map() }));

// ---------------------------------------------------------------------------------------------------------------------
// Input types (as the schema coerces them: absent fields are absent, explicit nulls are null)

type Num = string | number | null | undefined;
interface ItemsInput {
  all?: boolean | null;
  products?: {
    productsToAdd?: string[] | null;
    productsToRemove?: string[] | null;
    productVariantsToAdd?: string[] | null;
    productVariantsToRemove?: string[] | null;
  } | null;
  collections?: { add?: string[] | null; remove?: string[] | null } | null;
}
interface EffectInput {
  percentage?: number | null;
  amount?: Num;
}
interface GetsInput {
  value?: {
    percentage?: number | null;
    discountAmount?: { amount?: Num; appliesOnEachItem?: boolean | null } | null;
    discountOnQuantity?: { quantity?: Num; effect?: EffectInput | null } | null;
  } | null;
  items?: ItemsInput | null;
  appliesOnOneTimePurchase?: boolean | null;
  appliesOnSubscription?: boolean | null;
}
interface BuysInput {
  value?: { quantity?: Num; amount?: Num } | null;
  items?: ItemsInput | null;
  isOneTimePurchase?: boolean | null;
  isSubscription?: boolean | null;
}
interface IdsInput {
  add?: string[] | null;
  remove?: string[] | null;
}
interface DiscountInput {
  title?: string | null;
  startsAt?: string | null;
  endsAt?: string | null;
  code?: string | null;
  combinesWith?: { productDiscounts?: boolean | null; orderDiscounts?: boolean | null; shippingDiscounts?: boolean | null } | null;
  context?: { all?: string | null; customers?: IdsInput | null; customerSegments?: IdsInput | null } | null;
  customerSelection?: { all?: boolean | null; customers?: IdsInput | null; customerSegments?: IdsInput | null } | null;
  customerGets?: GetsInput | null;
  customerBuys?: BuysInput | null;
  minimumRequirement?: { quantity?: { greaterThanOrEqualToQuantity?: Num } | null; subtotal?: { greaterThanOrEqualToSubtotal?: Num } | null } | null;
  appliesOncePerCustomer?: boolean | null;
  usageLimit?: number | null;
  usesPerOrderLimit?: Num;
  recurringCycleLimit?: number | null;
}

// ---------------------------------------------------------------------------------------------------------------------
// Validation

/** A DiscountUserError: field, message, code and (never used locally) extraInfo. */
type DiscountUserError = CodedUserError & { extraInfo: null };
const discountError = (field: string[], message: string, code: string): DiscountUserError => ({ ...userError(field, message, code), extraInfo: null });

class Problems {
  readonly list: DiscountUserError[] = [];
  constructor(private readonly root: string) {}
  add(path: string[], code: string, message: string) {
    this.list.push(discountError([this.root, ...path], message, code));
  }
}

function toNumber(value: Num): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : NaN;
}

function minorUnits(shop: ShopState, amount: number): number {
  return Math.round(amount * 10 ** currencyDigits(shop.seed.shop.currencyCode));
}

function readItems(shop: ShopState, input: ItemsInput | null | undefined, path: string[], problems: Problems, allowAll: boolean): Items | null {
  const lookup = seedLookup(shop);
  if (!input) {
    problems.add(path, "BLANK", "Items can't be blank.");
    return null;
  }
  const products = input.products?.productsToAdd ?? [];
  const variants = input.products?.productVariantsToAdd ?? [];
  const collections = input.collections?.add ?? [];
  const chosen = [input.all === true, products.length + variants.length > 0, collections.length > 0].filter(Boolean).length;
  if (chosen === 0) {
    problems.add(path, "BLANK", "Items can't be blank.");
    return null;
  }
  if (chosen > 1) {
    problems.add(path, "CONFLICT", "Only one of all items, products or collections can be selected.");
    return null;
  }
  if (input.all) {
    if (!allowAll) {
      problems.add([...path, "all"], "INVALID", "All items can't be selected for a buy X get Y discount.");
      return null;
    }
    return { kind: "all" };
  }
  const ids = (values: string[], type: string, field: string[], exists: (id: number) => boolean) => {
    const seen = new Set<number>();
    values.forEach((value, index) => {
      const parsed = splitGid(value);
      if (!parsed || parsed.type !== type || !exists(parsed.id)) {
        problems.add([...field, String(index)], "INVALID", `${type} ${value} does not exist.`);
      } else if (seen.has(parsed.id)) {
        problems.add([...field, String(index)], "DUPLICATE", `${type} ${value} is already selected.`);
      } else {
        seen.add(parsed.id);
      }
    });
    return [...seen];
  };
  if (collections.length > 0) {
    return { kind: "collections", collections: ids(collections, "Collection", [...path, "collections", "add"], (id) => lookup.collection(id) !== undefined) };
  }
  const productIds = ids(products, "Product", [...path, "products", "productsToAdd"], (id) => lookup.product(id) !== undefined);
  const variantIds = ids(variants, "ProductVariant", [...path, "products", "productVariantsToAdd"], (id) => lookup.variant(id) !== undefined);
  variantIds.forEach((id, index) => {
    const owner = lookup.variant(id);
    if (owner && productIds.includes(owner.product.id)) {
      problems.add([...path, "products", "productVariantsToAdd", String(index)], "IMPLICIT_DUPLICATE", "The variant is already selected through its product.");
    }
  });
  return { kind: "products", products: productIds, variants: variantIds };
}

function readPercentage(value: number, path: string[], problems: Problems): number | null {
  if (!(value >= 0 && value <= 1)) {
    problems.add(path, "VALUE_OUTSIDE_RANGE", "Value must be between 0.0 and 1.0.");
    return null;
  }
  return value;
}

function readAmount(shop: ShopState, value: Num, path: string[], problems: Problems): number | null {
  const amount = toNumber(value);
  if (amount === null) {
    problems.add(path, "BLANK", "Amount can't be blank.");
    return null;
  }
  if (!(amount > 0)) {
    problems.add(path, "GREATER_THAN", "Amount must be greater than 0.");
    return null;
  }
  return minorUnits(shop, amount);
}

function readEffect(shop: ShopState, input: EffectInput | null | undefined, path: string[], problems: Problems, appliesOnEachItem = false): Effect | null {
  const hasPercentage = input?.percentage != null;
  const hasAmount = input?.amount != null;
  if (!input || hasPercentage === hasAmount) {
    problems.add(path, hasPercentage ? "TOO_MANY_ARGUMENTS" : "MISSING_ARGUMENT", "Specify either a percentage or an amount.");
    return null;
  }
  if (hasPercentage) {
    const percentage = readPercentage(input.percentage!, [...path, "percentage"], problems);
    return percentage === null ? null : { kind: "percentage", percentage };
  }
  const minor = readAmount(shop, input.amount, [...path, "amount"], problems);
  return minor === null ? null : { kind: "amount", minor, appliesOnEachItem };
}

function readQuantity(value: Num, path: string[], problems: Problems): number | null {
  const quantity = toNumber(value);
  if (quantity === null) {
    problems.add(path, "BLANK", "Quantity can't be blank.");
    return null;
  }
  if (!Number.isInteger(quantity) || quantity <= 0) {
    problems.add(path, "GREATER_THAN", "Quantity must be greater than 0.");
    return null;
  }
  return quantity;
}

function readGetsValue(shop: ShopState, input: GetsInput["value"], path: string[], problems: Problems, bxgy: boolean): GetsValue | null {
  const given = [input?.percentage != null, input?.discountAmount != null, input?.discountOnQuantity != null].filter(Boolean).length;
  if (!input || given === 0) {
    problems.add(path, "BLANK", "Value can't be blank.");
    return null;
  }
  if (given > 1) {
    problems.add(path, "TOO_MANY_ARGUMENTS", "Only one of percentage, discountAmount or discountOnQuantity can be specified.");
    return null;
  }
  if (bxgy !== (input.discountOnQuantity != null)) {
    problems.add(path, "INVALID", bxgy ? "Only discountOnQuantity is permitted with buy X get Y discounts." : "discountOnQuantity is only permitted with buy X get Y discounts.");
    return null;
  }
  if (input.discountOnQuantity) {
    const quantity = readQuantity(input.discountOnQuantity.quantity, [...path, "discountOnQuantity", "quantity"], problems);
    const effect = readEffect(shop, input.discountOnQuantity.effect, [...path, "discountOnQuantity", "effect"], problems);
    return quantity === null || effect === null ? null : { kind: "onQuantity", quantity, effect };
  }
  if (input.discountAmount) {
    return readEffect(shop, { amount: input.discountAmount.amount }, [...path, "discountAmount"], problems, input.discountAmount.appliesOnEachItem ?? false);
  }
  return readEffect(shop, { percentage: input.percentage }, path, problems);
}

function readContext(shop: ShopState, input: DiscountInput, problems: Problems, required: boolean): Context | null {
  if (input.customerSelection != null) {
    if (input.context != null) {
      problems.add(["customerSelection"], "INVALID", "Only one of context or customerSelection can be specified.");
      return null;
    }
    if (input.customerSelection.all === true && !input.customerSelection.customers && !input.customerSelection.customerSegments) return { kind: "all" };
    throw notImplemented("the deprecated customerSelection other than all customers (use context)");
  }
  const context = input.context;
  if (!context) {
    if (required) problems.add(["context"], "BLANK", "Context can't be blank.");
    return required ? null : { kind: "all" };
  }
  const chosen = [context.all != null, context.customers != null, context.customerSegments != null].filter(Boolean).length;
  if (chosen !== 1) {
    problems.add(["context"], chosen === 0 ? "BLANK" : "TOO_MANY_ARGUMENTS", "Specify exactly one of all, customers or customerSegments.");
    return null;
  }
  if (context.all != null) return { kind: "all" };
  const lookup = seedLookup(shop);
  if (context.customers) {
    const ids: number[] = [];
    (context.customers.add ?? []).forEach((value, index) => {
      const parsed = splitGid(value);
      if (!parsed || parsed.type !== "Customer" || !lookup.customer(parsed.id)) problems.add(["context", "customers", "add", String(index)], "INVALID", `Customer ${value} does not exist.`);
      else if (!ids.includes(parsed.id)) ids.push(parsed.id);
    });
    if (ids.length === 0) problems.add(["context", "customers", "add"], "BLANK", "Customers can't be blank.");
    return { kind: "customers", ids };
  }
  const ids: string[] = [];
  (context.customerSegments?.add ?? []).forEach((value, index) => {
    if (!segmentObjectById(shop, value)) problems.add(["context", "customerSegments", "add", String(index)], "INVALID", `Segment ${value} does not exist.`);
    else if (!ids.includes(value)) ids.push(value);
  });
  if (ids.length === 0) problems.add(["context", "customerSegments", "add"], "BLANK", "Customer segments can't be blank.");
  return { kind: "segments", ids };
}

function readMinimum(shop: ShopState, input: DiscountInput["minimumRequirement"], problems: Problems): Minimum {
  const quantity = toNumber(input?.quantity?.greaterThanOrEqualToQuantity);
  const subtotal = toNumber(input?.subtotal?.greaterThanOrEqualToSubtotal);
  if (quantity !== null && subtotal !== null) {
    problems.add(["minimumRequirement"], "MINIMUM_SUBTOTAL_AND_QUANTITY_RANGE_BOTH_PRESENT", "Minimum subtotal and minimum quantity can't both be present.");
    return null;
  }
  if (quantity !== null) {
    const q = readQuantity(quantity, ["minimumRequirement", "quantity", "greaterThanOrEqualToQuantity"], problems);
    return q === null ? null : { kind: "quantity", quantity: q };
  }
  if (subtotal !== null) {
    const minor = readAmount(shop, subtotal, ["minimumRequirement", "subtotal", "greaterThanOrEqualToSubtotal"], problems);
    return minor === null ? null : { kind: "subtotal", minor };
  }
  return null;
}

function readBuysValue(input: BuysInput["value"], problems: Problems): BuysValue | null {
  const quantity = toNumber(input?.quantity);
  const amount = toNumber(input?.amount);
  if (quantity === null && amount === null) problems.add(["customerBuys", "value"], "BLANK", "Value can't be blank.");
  else if (quantity !== null && amount !== null) problems.add(["customerBuys", "value"], "TOO_MANY_ARGUMENTS", "Only one of quantity or amount can be specified.");
  else if (quantity !== null) {
    const q = readQuantity(quantity, ["customerBuys", "value", "quantity"], problems);
    if (q !== null) return { kind: "quantity", quantity: q };
  } else if (!(amount! > 0)) problems.add(["customerBuys", "value", "amount"], "GREATER_THAN", "Amount must be greater than 0.");
  else return { kind: "amount", amount: String(input!.amount) };
  return null;
}

export const discountStatus = (d: DiscountRecord, now: number) => (d.endsAt !== null && d.endsAt <= now ? "EXPIRED" : d.startsAt > now ? "SCHEDULED" : "ACTIVE");

function create(method: DiscountRecord["method"], type: DiscountRecord["type"], argument: string, input: DiscountInput, { shop, now }: RequestContext) {
  if (input.recurringCycleLimit != null) throw notImplemented("recurringCycleLimit");
  const problems = new Problems(argument);
  const discounts = state(shop).discounts;

  const title = input.title?.trim() ?? "";
  if (title.length === 0) problems.add(["title"], "BLANK", "Title can't be blank.");
  else if (title.length > 255) problems.add(["title"], "TOO_LONG", "Title is too long (maximum is 255 characters).");

  const startsAt = input.startsAt == null ? now.getTime() : parseDateTime(input.startsAt, "startsAt");
  const endsAt = input.endsAt == null ? null : parseDateTime(input.endsAt, "endsAt");
  if (endsAt !== null && endsAt <= startsAt) problems.add(["endsAt"], "END_DATE_BEFORE_START_DATE", "Ends at needs to be after starts at.");

  let code: string | null = null;
  if (method === "code") {
    code = input.code?.trim() ?? "";
    if (code.length === 0) problems.add(["code"], "BLANK", "Code can't be blank.");
    else if (code.length > 255) problems.add(["code"], "TOO_LONG", "Code is too long (maximum is 255 characters).");
    else if (/[\r\n]/.test(code)) problems.add(["code"], "INVALID", "Code can't contain newline characters.");
    else if ([...discounts.values()].some((d) => d.codes.some((c) => c.code.toLowerCase() === code!.toLowerCase()))) {
      problems.add(["code"], "TAKEN", "Code must be unique. Please try a different code.");
    }
  }

  const context = readContext(shop, input, problems, method === "code");

  const bxgy = type === "bxgy";
  let gets: DiscountRecord["gets"] | null = null;
  if (!input.customerGets) {
    problems.add(["customerGets"], "BLANK", "Customer gets can't be blank.");
  } else {
    const g = input.customerGets;
    const value = readGetsValue(shop, g.value, ["customerGets", "value"], problems, bxgy);
    const items = readItems(shop, g.items, ["customerGets", "items"], problems, !bxgy);
    const appliesOnOneTimePurchase = g.appliesOnOneTimePurchase ?? true;
    const appliesOnSubscription = g.appliesOnSubscription ?? false;
    if (!appliesOnOneTimePurchase && !appliesOnSubscription) {
      problems.add(["customerGets"], "APPLIES_ON_NOTHING", "A discount cannot have both appliesOnOneTimePurchase and appliesOnSubscription set to false.");
    }
    if (value && items) gets = { value, items, appliesOnOneTimePurchase, appliesOnSubscription };
  }

  let buys: DiscountRecord["buys"] = null;
  if (bxgy) {
    const b = input.customerBuys;
    if (!b) {
      problems.add(["customerBuys"], "BLANK", "Customer buys can't be blank.");
    } else {
      const value = readBuysValue(b.value, problems);
      const items = readItems(shop, b.items, ["customerBuys", "items"], problems, false);
      if (value && items) buys = { value, items, isOneTimePurchase: b.isOneTimePurchase ?? true, isSubscription: b.isSubscription ?? false };
    }
  }

  const minimum = bxgy ? null : readMinimum(shop, input.minimumRequirement, problems);
  let usesPerOrderLimit: number | null = null;
  if (bxgy && input.usesPerOrderLimit != null) usesPerOrderLimit = readQuantity(input.usesPerOrderLimit, ["usesPerOrderLimit"], problems);
  if (input.usageLimit != null && input.usageLimit <= 0) problems.add(["usageLimit"], "GREATER_THAN", "Usage limit must be greater than 0.");

  if (method === "automatic" && problems.list.length === 0) {
    const active = [...discounts.values()].filter((d) => d.method === "automatic" && discountStatus(d, now.getTime()) !== "EXPIRED");
    if (active.length >= MAX_ACTIVE_AUTOMATIC_DISCOUNTS) {
      problems.add([], "ACTIVE_PERIOD_OVERLAP", `Only ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} automatic discounts can be active at the same time.`);
    }
  }

  const payloadKey = method === "automatic" ? "automaticDiscountNode" : "codeDiscountNode";
  if (problems.list.length > 0 || !gets || !context) return { [payloadKey]: null, userErrors: problems.list };

  const record: DiscountRecord = {
    id: shop.nextId(),
    method,
    type,
    title,
    startsAt,
    endsAt,
    createdAt: now.getTime(),
    updatedAt: now.getTime(),
    codes: code === null ? [] : [{ id: shop.nextId(), code }],
    combinesWith: {
      productDiscounts: input.combinesWith?.productDiscounts ?? false,
      orderDiscounts: input.combinesWith?.orderDiscounts ?? false,
      shippingDiscounts: input.combinesWith?.shippingDiscounts ?? false,
    },
    context,
    gets,
    buys,
    minimum,
    appliesOncePerCustomer: input.appliesOncePerCustomer ?? false,
    usageLimit: input.usageLimit ?? null,
    usesPerOrderLimit,
  };
  discounts.set(record.id, record);
  return { [payloadKey]: methodNode(shop, record), userErrors: [] };
}

// ---------------------------------------------------------------------------------------------------------------------
// Update (buy X get Y)

/**
 * Items after an update: the input's adds are checked as on creation and added to the current selection of the same
 * kind (a selection of another kind, or all items, replaces it); its removes take ids out (an id that is not selected is
 * ignored). An empty result is BLANK.
 */
function updateItems(shop: ShopState, current: Items, input: ItemsInput | null, path: string[], problems: Problems, allowAll: boolean): Items | null {
  if (!input) {
    problems.add(path, "BLANK", "Items can't be blank.");
    return null;
  }
  const productsToAdd = input.products?.productsToAdd ?? [];
  const variantsToAdd = input.products?.productVariantsToAdd ?? [];
  const collectionsToAdd = input.collections?.add ?? [];
  const adds = input.all === true || productsToAdd.length + variantsToAdd.length + collectionsToAdd.length > 0;
  const added = adds
    ? readItems(shop, { all: input.all, products: { productsToAdd, productVariantsToAdd: variantsToAdd }, collections: { add: collectionsToAdd } }, path, problems, allowAll)
    : null;
  if (adds && !added) return null;
  if (added?.kind === "all") return added;
  const kind = added?.kind ?? current.kind;
  const numbers = (values: string[] | null | undefined, type: string) => (values ?? []).flatMap((v) => (splitGid(v)?.type === type ? [splitGid(v)!.id] : []));
  const merge = (base: number[], more: number[], less: number[]) => [...new Set([...base, ...more])].filter((id) => !less.includes(id));
  let result: Items;
  if (kind === "collections") {
    const base = current.kind === "collections" ? current.collections : [];
    result = { kind, collections: merge(base, added?.kind === "collections" ? added.collections : [], numbers(input.collections?.remove, "Collection")) };
    if (result.collections.length > 0) return result;
  } else if (kind === "products") {
    const base = current.kind === "products" ? current : { products: [], variants: [] };
    const more = added?.kind === "products" ? added : { products: [], variants: [] };
    result = {
      kind,
      products: merge(base.products, more.products, numbers(input.products?.productsToRemove, "Product")),
      variants: merge(base.variants, more.variants, numbers(input.products?.productVariantsToRemove, "ProductVariant")),
    };
    if (result.products.length + result.variants.length > 0) return result;
  } else {
    return current; // all items, and only removes given: nothing to remove from
  }
  problems.add(path, "BLANK", "Items can't be blank.");
  return null;
}

/**
 * `discountCodeBxgyUpdate` / `discountAutomaticBxgyUpdate`: only the fields the input gives change; each is checked as
 * on creation (dates against the resulting other date, a code against the other discounts' codes). Nothing changes
 * when any check fails.
 */
function updateBxgy(method: DiscountRecord["method"], argument: string, id: string, input: DiscountInput, { shop, now }: RequestContext) {
  const payloadKey = method === "automatic" ? "automaticDiscountNode" : "codeDiscountNode";
  if (input.recurringCycleLimit != null) throw notImplemented("recurringCycleLimit");
  const d = findDiscount(shop, id, method);
  if (!d || d.type !== "bxgy") return { [payloadKey]: null, userErrors: [discountError(["id"], "Discount does not exist", "INVALID")] };
  const t = now.getTime();
  const problems = new Problems(argument);
  const given = (key: keyof DiscountInput) => input[key] !== undefined;

  let title = d.title;
  if (given("title")) {
    title = input.title?.trim() ?? "";
    if (title.length === 0) problems.add(["title"], "BLANK", "Title can't be blank.");
    else if (title.length > 255) problems.add(["title"], "TOO_LONG", "Title is too long (maximum is 255 characters).");
  }

  const startsAt = !given("startsAt") ? d.startsAt : input.startsAt === null ? t : parseDateTime(input.startsAt!, "startsAt");
  const endsAt = !given("endsAt") ? d.endsAt : input.endsAt === null ? null : parseDateTime(input.endsAt!, "endsAt");
  if ((given("startsAt") || given("endsAt")) && endsAt !== null && endsAt <= startsAt) {
    problems.add(["endsAt"], "END_DATE_BEFORE_START_DATE", "Ends at needs to be after starts at.");
  }

  let code: string | null = null;
  if (method === "code" && given("code")) {
    code = input.code?.trim() ?? "";
    if (code.length === 0) problems.add(["code"], "BLANK", "Code can't be blank.");
    else if (code.length > 255) problems.add(["code"], "TOO_LONG", "Code is too long (maximum is 255 characters).");
    else if (/[\r\n]/.test(code)) problems.add(["code"], "INVALID", "Code can't contain newline characters.");
    else if ([...state(shop).discounts.values()].some((x) => x !== d && x.codes.some((c) => c.code.toLowerCase() === code!.toLowerCase()))) {
      problems.add(["code"], "TAKEN", "Code must be unique. Please try a different code.");
    }
  }

  const context = given("context") || given("customerSelection") ? readContext(shop, input, problems, method === "code") : d.context;

  let gets = d.gets;
  if (given("customerGets")) {
    const g = input.customerGets;
    if (!g) problems.add(["customerGets"], "BLANK", "Customer gets can't be blank.");
    else {
      const value = g.value !== undefined ? readGetsValue(shop, g.value, ["customerGets", "value"], problems, true) : d.gets.value;
      const items = g.items !== undefined ? updateItems(shop, d.gets.items, g.items, ["customerGets", "items"], problems, false) : d.gets.items;
      const appliesOnOneTimePurchase = g.appliesOnOneTimePurchase ?? d.gets.appliesOnOneTimePurchase;
      const appliesOnSubscription = g.appliesOnSubscription ?? d.gets.appliesOnSubscription;
      if (!appliesOnOneTimePurchase && !appliesOnSubscription) {
        problems.add(["customerGets"], "APPLIES_ON_NOTHING", "A discount cannot have both appliesOnOneTimePurchase and appliesOnSubscription set to false.");
      }
      if (value && items) gets = { value, items, appliesOnOneTimePurchase, appliesOnSubscription };
    }
  }

  let buys = d.buys!;
  if (given("customerBuys")) {
    const b = input.customerBuys;
    if (!b) problems.add(["customerBuys"], "BLANK", "Customer buys can't be blank.");
    else {
      const value = b.value !== undefined ? readBuysValue(b.value, problems) : buys.value;
      const items = b.items !== undefined ? updateItems(shop, buys.items, b.items, ["customerBuys", "items"], problems, false) : buys.items;
      if (value && items) buys = { value, items, isOneTimePurchase: b.isOneTimePurchase ?? buys.isOneTimePurchase, isSubscription: b.isSubscription ?? buys.isSubscription };
    }
  }

  let usesPerOrderLimit = d.usesPerOrderLimit;
  if (given("usesPerOrderLimit")) usesPerOrderLimit = input.usesPerOrderLimit == null ? null : readQuantity(input.usesPerOrderLimit, ["usesPerOrderLimit"], problems);

  const combinesWith = {
    productDiscounts: input.combinesWith?.productDiscounts ?? d.combinesWith.productDiscounts,
    orderDiscounts: input.combinesWith?.orderDiscounts ?? d.combinesWith.orderDiscounts,
    shippingDiscounts: input.combinesWith?.shippingDiscounts ?? d.combinesWith.shippingDiscounts,
  };

  if (method === "automatic" && problems.list.length === 0) {
    // Counted as on creation and activation: an update that brings an expired discount back takes a place.
    const after = discountStatus({ ...d, startsAt, endsAt }, t);
    if (discountStatus(d, t) === "EXPIRED" && after !== "EXPIRED") {
      const holding = [...state(shop).discounts.values()].filter((x) => x !== d && x.method === "automatic" && discountStatus(x, t) !== "EXPIRED");
      if (holding.length >= MAX_ACTIVE_AUTOMATIC_DISCOUNTS) {
        problems.add([], "ACTIVE_PERIOD_OVERLAP", `Only ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} automatic discounts can be active at the same time.`);
      }
    }
  }

  if (problems.list.length > 0 || !context) return { [payloadKey]: null, userErrors: problems.list };
  Object.assign(d, { title, startsAt, endsAt, context, gets, buys, usesPerOrderLimit, combinesWith, updatedAt: t });
  if (code !== null) d.codes = [{ id: d.codes[0]?.id ?? shop.nextId(), code }, ...d.codes.slice(1)];
  return { [payloadKey]: methodNode(shop, d), userErrors: [] };
}

// ---------------------------------------------------------------------------------------------------------------------
// Objects

function moneyOf(shop: ShopState, minor: number) {
  const code = shop.seed.shop.currencyCode;
  return money(minor, code, currencyDigits(code));
}

function itemsObject(shop: ShopState, items: Items) {
  const lookup = seedLookup(shop);
  if (items.kind === "all") return { __typename: "AllDiscountItems", allItems: true };
  if (items.kind === "collections") {
    return {
      __typename: "DiscountCollections",
      collections: (args: PageArgs, context: RequestContext) =>
        connection("Collection", items.collections.flatMap((id) => lookup.collection(id) ?? []), (c) => String(c.id), args, context, collectionRef),
    };
  }
  return {
    __typename: "DiscountProducts",
    products: (args: PageArgs, context: RequestContext) =>
      connection("Product", items.products.flatMap((id) => lookup.product(id) ?? []), (p) => String(p.id), args, context, productRef),
    productVariants: (args: PageArgs, context: RequestContext) =>
      connection("ProductVariant", items.variants.flatMap((id) => lookup.variant(id)?.variant ?? []), (v) => String(v.id), args, context, variantRef),
  };
}

function effectObject(shop: ShopState, effect: Effect) {
  return effect.kind === "percentage"
    ? { __typename: "DiscountPercentage", percentage: effect.percentage }
    : { __typename: "DiscountAmount", amount: moneyOf(shop, effect.minor), appliesOnEachItem: effect.appliesOnEachItem };
}

function getsObject(shop: ShopState, gets: DiscountRecord["gets"]) {
  const value =
    gets.value.kind === "onQuantity"
      ? { __typename: "DiscountOnQuantity", quantity: { __typename: "DiscountQuantity", quantity: String(gets.value.quantity) }, effect: effectObject(shop, gets.value.effect) }
      : effectObject(shop, gets.value);
  return {
    __typename: "DiscountCustomerGets",
    value,
    items: itemsObject(shop, gets.items),
    appliesOnOneTimePurchase: gets.appliesOnOneTimePurchase,
    appliesOnSubscription: gets.appliesOnSubscription,
  };
}

function buysObject(shop: ShopState, buys: NonNullable<DiscountRecord["buys"]>) {
  return {
    __typename: "DiscountCustomerBuys",
    value: buys.value.kind === "quantity" ? { __typename: "DiscountQuantity", quantity: String(buys.value.quantity) } : { __typename: "DiscountPurchaseAmount", amount: buys.value.amount },
    items: itemsObject(shop, buys.items),
    isOneTimePurchase: buys.isOneTimePurchase,
    isSubscription: buys.isSubscription,
  };
}

function contextObject(shop: ShopState, context: Context) {
  const lookup = seedLookup(shop);
  switch (context.kind) {
    case "all":
      return { __typename: "DiscountBuyerSelectionAll", all: "ALL" };
    case "customers":
      return { __typename: "DiscountCustomers", customers: context.ids.flatMap((id) => lookup.customer(id) ?? []).map(customerRef) };
    default:
      return { __typename: "DiscountCustomerSegments", segments: context.ids.flatMap((id) => segmentObjectById(shop, id) ?? []) };
  }
}

/** The DiscountCodeBasic/DiscountAutomaticBxgy/... object (the `Discount` union member). */
function discountObject(shop: ShopState, d: DiscountRecord) {
  const typeName = `Discount${d.method === "automatic" ? "Automatic" : "Code"}${d.type === "basic" ? "Basic" : "Bxgy"}`;
  const discountClass = d.type === "basic" && d.gets.items.kind === "all" ? "ORDER" : "PRODUCT";
  const common = {
    __typename: typeName,
    title: d.title,
    status: (_args: unknown, context: RequestContext) => discountStatus(d, context.now.getTime()),
    startsAt: dateTime(d.startsAt),
    endsAt: d.endsAt === null ? null : dateTime(d.endsAt),
    createdAt: dateTime(d.createdAt),
    updatedAt: dateTime(d.updatedAt),
    discountClass,
    discountClasses: [discountClass],
    combinesWith: { __typename: "DiscountCombinesWith", ...d.combinesWith },
    context: contextObject(shop, d.context),
    customerGets: getsObject(shop, d.gets),
  };
  const byType =
    d.type === "basic"
      ? {
          minimumRequirement:
            d.minimum === null
              ? null
              : d.minimum.kind === "quantity"
                ? { __typename: "DiscountMinimumQuantity", greaterThanOrEqualToQuantity: String(d.minimum.quantity) }
                : { __typename: "DiscountMinimumSubtotal", greaterThanOrEqualToSubtotal: moneyOf(shop, d.minimum.minor) },
        }
      : { customerBuys: buysObject(shop, d.buys!), usesPerOrderLimit: d.usesPerOrderLimit };
  const byMethod =
    d.method === "code"
      ? {
          appliesOncePerCustomer: d.appliesOncePerCustomer,
          usageLimit: d.usageLimit,
          codesCount: { __typename: "Count", count: d.codes.length, precision: "EXACT" },
          codes: (args: PageArgs & { query?: string | null; sortKey?: string | null; savedSearchId?: string | null }, context: RequestContext) => {
            if (args.query || args.savedSearchId) throw notImplemented("DiscountCode.codes(query:/savedSearchId:)");
            if (args.sortKey && args.sortKey !== "ID") throw notImplemented(`DiscountCode.codes(sortKey: ${args.sortKey})`);
            return connection("DiscountRedeemCode", d.codes, (c) => String(c.id), args, context, (c) => ({
              __typename: "DiscountRedeemCode",
              id: gid("DiscountRedeemCode", c.id),
              code: c.code,
            }));
          },
        }
      : {};
  return { ...common, ...byType, ...byMethod };
}

const nodeGid = (d: DiscountRecord) => gid(d.method === "automatic" ? "DiscountAutomaticNode" : "DiscountCodeNode", d.id);

/** DiscountAutomaticNode { automaticDiscount } or DiscountCodeNode { codeDiscount }. */
function methodNode(shop: ShopState, d: DiscountRecord) {
  return d.method === "automatic"
    ? { __typename: "DiscountAutomaticNode", id: nodeGid(d), automaticDiscount: discountObject(shop, d) }
    : { __typename: "DiscountCodeNode", id: nodeGid(d), codeDiscount: discountObject(shop, d) };
}

function discountNodeObject(shop: ShopState, d: DiscountRecord) {
  return { __typename: "DiscountNode", id: nodeGid(d), discount: discountObject(shop, d) };
}

/** A discount by its node GID (DiscountAutomaticNode/DiscountCodeNode, or DiscountNode with either id). */
function findDiscount(shop: ShopState, id: string, method?: DiscountRecord["method"]): DiscountRecord | undefined {
  const parsed = splitGid(id);
  if (!parsed) return undefined;
  const d = state(shop).discounts.get(parsed.id);
  if (!d) return undefined;
  const expected = { DiscountAutomaticNode: "automatic", DiscountCodeNode: "code", DiscountNode: d.method }[parsed.type];
  if (expected !== d.method || (method && method !== d.method)) return undefined;
  return d;
}

// ---------------------------------------------------------------------------------------------------------------------
// Deactivate, delete, read

function deactivate(method: DiscountRecord["method"]) {
  return (args: { id: string }, { shop, now }: RequestContext) => {
    const payloadKey = method === "automatic" ? "automaticDiscountNode" : "codeDiscountNode";
    const d = findDiscount(shop, args.id, method);
    if (!d) return { [payloadKey]: null, userErrors: [discountError(["id"], "Discount does not exist", "INVALID")] };
    if (d.endsAt === null || d.endsAt > now.getTime()) {
      d.endsAt = now.getTime();
      d.updatedAt = now.getTime();
    }
    return { [payloadKey]: methodNode(shop, d), userErrors: [] };
  };
}

function activate(method: DiscountRecord["method"]) {
  return (args: { id: string }, { shop, now }: RequestContext) => {
    const payloadKey = method === "automatic" ? "automaticDiscountNode" : "codeDiscountNode";
    const d = findDiscount(shop, args.id, method);
    if (!d) return { [payloadKey]: null, userErrors: [discountError(["id"], "Discount does not exist", "INVALID")] };
    const t = now.getTime();
    if (method === "automatic" && discountStatus(d, t) === "EXPIRED") {
      // Counted as on creation: every automatic discount that is not expired (active or scheduled) holds a place.
      const holding = [...state(shop).discounts.values()].filter((x) => x !== d && x.method === "automatic" && discountStatus(x, t) !== "EXPIRED");
      if (holding.length >= MAX_ACTIVE_AUTOMATIC_DISCOUNTS) {
        return { [payloadKey]: null, userErrors: [discountError(["id"], `Only ${MAX_ACTIVE_AUTOMATIC_DISCOUNTS} automatic discounts can be active at the same time.`, "ACTIVE_PERIOD_OVERLAP")] };
      }
    }
    let changed = false;
    if (d.startsAt > t) {
      d.startsAt = t;
      changed = true;
    }
    if (d.endsAt !== null && d.endsAt <= t) {
      d.endsAt = null;
      changed = true;
    }
    if (changed) d.updatedAt = t;
    return { [payloadKey]: methodNode(shop, d), userErrors: [] };
  };
}

function remove(method: DiscountRecord["method"]) {
  return (args: { id: string }, { shop }: RequestContext) => {
    const payloadKey = method === "automatic" ? "deletedAutomaticDiscountId" : "deletedCodeDiscountId";
    const d = findDiscount(shop, args.id, method);
    if (!d) return { [payloadKey]: null, userErrors: [discountError(["id"], "Discount does not exist", "INVALID")] };
    state(shop).discounts.delete(d.id);
    return { [payloadKey]: nodeGid(d), userErrors: [] };
  };
}

/** `discountNodes(query:)` terms: status, method, type (basic/bxgy as Shopify's discount_type), title. */
function matchesQuery(d: DiscountRecord, query: string | null | undefined, now: number): boolean {
  if (!query || !query.trim()) return true;
  const tokens = query.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
  return tokens.every((token) => {
    if (token === "AND") return true;
    const match = /^([a-z_]+):(.+)$/.exec(token);
    if (!match) throw notImplemented(`discountNodes free-text search "${token}"`);
    const field = match[1]!;
    const value = match[2]!.replace(/^["']|["']$/g, "").toLowerCase();
    switch (field) {
      case "status":
        return discountStatus(d, now).toLowerCase() === value;
      case "method":
        return d.method === value;
      case "title":
        return d.title.toLowerCase().includes(value);
      case "discount_type":
        if (value === "bogo") return d.type === "bxgy";
        if (value === "percentage") return d.type === "basic" && d.gets.value.kind === "percentage";
        if (value === "fixed_amount") return d.type === "basic" && d.gets.value.kind === "amount";
        return false;
      default:
        throw notImplemented(`discountNodes search field "${field}" (supported: status, method, title, discount_type)`);
    }
  });
}

const SORTS: Record<string, (d: DiscountRecord) => number | string> = {
  ID: (d) => d.id,
  CREATED_AT: (d) => d.createdAt,
  UPDATED_AT: (d) => d.updatedAt,
  STARTS_AT: (d) => d.startsAt,
  ENDS_AT: (d) => d.endsAt ?? Number.MAX_SAFE_INTEGER,
  TITLE: (d) => d.title.toLowerCase(),
};

function discountNodes(args: PageArgs & { query?: string | null; sortKey?: string | null; savedSearchId?: string | null }, context: RequestContext) {
  const { shop, now } = context;
  if (args.savedSearchId) throw notImplemented("discountNodes(savedSearchId:)");
  const sortKey = args.sortKey ?? "ID";
  const sort = SORTS[sortKey];
  if (!sort) throw notImplemented(`discountNodes(sortKey: ${sortKey})`);
  const items = [...state(shop).discounts.values()]
    .filter((d) => matchesQuery(d, args.query, now.getTime()))
    .sort((a, b) => {
      const x = sort(a);
      const y = sort(b);
      return x < y ? -1 : x > y ? 1 : a.id - b.id;
    });
  return connection("DiscountNode", items, (d) => String(d.id), args, context, (d) => discountNodeObject(shop, d));
}

/** Every discount of the shop that exists (not deleted), in creation order: what the storefront's cart prices with. */
export function storefrontDiscounts(shop: ShopState): readonly DiscountRecord[] {
  return [...state(shop).discounts.values()].sort((a, b) => a.id - b.id);
}

export const discountsModule: ApiModule = {
  name: "discounts",
  query: {
    discountNode: (args: { id: string }, { shop }) => {
      const d = findDiscount(shop, args.id);
      return d ? discountNodeObject(shop, d) : null;
    },
    discountNodes,
    codeDiscountNodeByCode: (args: { code: string }, { shop }) => {
      const wanted = args.code.trim().toLowerCase();
      const d = [...state(shop).discounts.values()].find((x) => x.codes.some((c) => c.code.toLowerCase() === wanted));
      return d ? methodNode(shop, d) : null;
    },
  },
  mutation: {
    discountAutomaticBasicCreate: (args: { automaticBasicDiscount: DiscountInput }, context) =>
      create("automatic", "basic", "automaticBasicDiscount", args.automaticBasicDiscount, context),
    discountCodeBasicCreate: (args: { basicCodeDiscount: DiscountInput }, context) => create("code", "basic", "basicCodeDiscount", args.basicCodeDiscount, context),
    discountAutomaticBxgyCreate: (args: { automaticBxgyDiscount: DiscountInput }, context) =>
      create("automatic", "bxgy", "automaticBxgyDiscount", args.automaticBxgyDiscount, context),
    discountCodeBxgyCreate: (args: { bxgyCodeDiscount: DiscountInput }, context) => create("code", "bxgy", "bxgyCodeDiscount", args.bxgyCodeDiscount, context),
    discountAutomaticBxgyUpdate: (args: { id: string; automaticBxgyDiscount: DiscountInput }, context) =>
      updateBxgy("automatic", "automaticBxgyDiscount", args.id, args.automaticBxgyDiscount, context),
    discountCodeBxgyUpdate: (args: { id: string; bxgyCodeDiscount: DiscountInput }, context) => updateBxgy("code", "bxgyCodeDiscount", args.id, args.bxgyCodeDiscount, context),
    discountAutomaticActivate: activate("automatic"),
    discountCodeActivate: activate("code"),
    discountAutomaticDeactivate: deactivate("automatic"),
    discountCodeDeactivate: deactivate("code"),
    discountAutomaticDelete: remove("automatic"),
    discountCodeDelete: remove("code"),
  },
};
