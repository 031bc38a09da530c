/**
 * Shopify's REST-style webhook payloads (API 2026-01), validated and reduced to what the app keeps.
 *
 * Each parse* function is the acknowledgement-time check of a delivery: it validates the fields the app uses and returns
 * a small JSON record that the job queue stores. Everything else is dropped here, before anything is written — names,
 * emails, phones, addresses (only an address's country code survives), notes, browser details, cart attributes and line
 * properties (only the storefront's validated `_il_*` attribution survives) — so no personal data reaches the database,
 * not even inside a queued job. Mapping to ingest records (money to minor units, dates) happens
 * in the job, in webhook-*.ts beside this file.
 *
 * Ids: numeric ids become text. JSON numbers above 2^53 are not exact in JavaScript, so an object's
 * `admin_graphql_api_id` (its exact id as a string) wins when present, and an id that cannot be exact is refused.
 * Money: an amount is taken from `*_set.shop_money` (the shop's currency, the order's `currency`), or the plain
 * decimal string when a payload has no `_set`.
 */
import { z } from "zod";
import { lineAttribution, orderAttribution, type LineAttribution, type OrderAttribution } from "./attribution";

export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookPayloadError";
  }
}

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)$/;

const NumericId = z.union([
  // Not z.int(): that refuses numbers above 2^53, which idText resolves from the GID (or refuses) with a clear message.
  z.number().nonnegative().refine((n) => Number.isInteger(n), "must be an integer id"),
  z.string().regex(/^\d+$/, "must be a numeric id"),
]);
const Gid = z.string().regex(GID, "must be a Shopify GID").optional();

/** The id as text: from the GID when there is one (exact), else from the number (which must be exact). */
function idText(id: number | string, gid: string | undefined, ctx: z.RefinementCtx, path: (string | number)[]): string {
  const fromGid = gid ? GID.exec(gid)?.[2] : undefined;
  if (fromGid) return fromGid;
  if (typeof id === "string") return id;
  if (!Number.isSafeInteger(id)) {
    ctx.addIssue({ code: "custom", message: "id is too large to be exact and has no admin_graphql_api_id", path });
    return z.NEVER;
  }
  return String(id);
}

const plainId = (id: number | string, ctx: z.RefinementCtx, path: (string | number)[]) => idText(id, undefined, ctx, path);

const Timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO 8601 date-time");
const Decimal = z.string().regex(/^-?\d+(\.\d+)?$/, "must be a decimal amount");
const MoneySet = z.object({ shop_money: z.object({ amount: Decimal, currency_code: z.string() }) });

/** An amount in the shop's currency from `set` (preferred) or the plain decimal field. */
function amount(set: z.infer<typeof MoneySet> | null | undefined, plain: string | null | undefined, currency: string, ctx: z.RefinementCtx, path: string): string {
  if (set) {
    if (set.shop_money.currency_code !== currency) {
      ctx.addIssue({ code: "custom", message: `${path} is in ${set.shop_money.currency_code}, the order in ${currency}`, path: [path] });
    }
    return set.shop_money.amount;
  }
  if (plain !== null && plain !== undefined) return plain;
  ctx.addIssue({ code: "custom", message: `${path} is missing`, path: [path] });
  return "0";
}

const text = (value: string | null | undefined) => (value === undefined || value === null || value === "" ? null : value);
const tagList = (tags: string | string[] | null | undefined) =>
  (Array.isArray(tags) ? tags : (tags ?? "").split(",")).map((t) => t.trim()).filter((t) => t.length > 0);

// ---------------------------------------------------------------------------------------------------------------------
// Orders and refunds

/**
 * Cart attributes (`note_attributes`) and line item properties: `[{ name, value }]`. Values are untrusted free text;
 * only the shape is checked here, leniently (a malformed entry never refuses the order), and attribution.ts keeps
 * nothing but the valid `_il_*` values.
 */
const Attributes = z.array(z.unknown()).nullish();

const RefundSchema = z.object({
  id: NumericId,
  admin_graphql_api_id: Gid,
  order_id: NumericId.optional(),
  created_at: Timestamp,
  refund_line_items: z
    .array(z.object({ line_item_id: NumericId, quantity: z.number().int().nonnegative() }))
    .nullish()
    .transform((v) => v ?? []),
  transactions: z
    .array(z.object({ kind: z.string(), status: z.string().nullish(), amount: Decimal, currency: z.string().nullish() }))
    .nullish()
    .transform((v) => v ?? []),
});

export interface RefundRecord {
  id: string;
  orderId: string | null;
  createdAt: string;
  lines: { lineItemId: string; quantity: number }[];
  /** Successful refund transactions' amounts, with their currency when the payload gives one. */
  transactions: { amount: string; currency: string | null }[];
}

function refundRecord(r: z.infer<typeof RefundSchema>, ctx: z.RefinementCtx, path: (string | number)[]): RefundRecord {
  return {
    id: idText(r.id, r.admin_graphql_api_id, ctx, [...path, "id"]),
    orderId: r.order_id === undefined ? null : plainId(r.order_id, ctx, [...path, "order_id"]),
    createdAt: r.created_at,
    lines: r.refund_line_items.map((l, i) => ({
      lineItemId: plainId(l.line_item_id, ctx, [...path, "refund_line_items", i]),
      quantity: l.quantity,
    })),
    transactions: r.transactions
      .filter((t) => t.kind === "refund" && (t.status === undefined || t.status === null || t.status === "success"))
      .map((t) => ({ amount: t.amount, currency: t.currency ?? null })),
  };
}

const LineItemSchema = z.object({
  id: NumericId,
  admin_graphql_api_id: Gid,
  product_id: NumericId.nullish(),
  variant_id: NumericId.nullish(),
  title: z.string().nullish(),
  name: z.string().nullish(),
  variant_title: z.string().nullish(),
  sku: z.string().nullish(),
  quantity: z.number().int().nonnegative(),
  price: Decimal.nullish(),
  price_set: MoneySet.nullish(),
  total_discount: Decimal.nullish(),
  total_discount_set: MoneySet.nullish(),
  discount_allocations: z
    .array(z.object({ amount: Decimal.nullish(), amount_set: MoneySet.nullish() }))
    .nullish(),
  gift_card: z.boolean().nullish(),
  properties: Attributes,
});

const OrderSchema = z.object({
  id: NumericId,
  admin_graphql_api_id: Gid,
  name: z.string(),
  created_at: Timestamp,
  processed_at: Timestamp.nullish(),
  updated_at: Timestamp,
  cancelled_at: Timestamp.nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/),
  subtotal_price: Decimal.nullish(),
  subtotal_price_set: MoneySet.nullish(),
  total_price: Decimal.nullish(),
  total_price_set: MoneySet.nullish(),
  total_discounts: Decimal.nullish(),
  total_discounts_set: MoneySet.nullish(),
  test: z.boolean().nullish(),
  source_name: z.string().nullish(),
  discount_codes: z.array(z.object({ code: z.string() })).nullish(),
  customer: z.object({ id: NumericId, admin_graphql_api_id: Gid }).nullish(),
  line_items: z.array(LineItemSchema),
  refunds: z.array(RefundSchema).nullish(),
  note_attributes: Attributes,
});

export interface OrderLineRecord {
  id: string;
  productId: string | null;
  variantId: string | null;
  title: string;
  variantTitle: string | null;
  sku: string | null;
  quantity: number;
  /** Unit price before discounts. */
  price: string;
  /** Every discount allocated to the line (line and order-level), or the line's total_discount without allocations. */
  discount: string;
  giftCard: boolean;
  /** Validated storefront attribution from the line's properties (absent in jobs queued before it existed). */
  attribution?: LineAttribution;
}

/** An order as a job stores it: orders/create and orders/updated. */
export interface OrderRecord {
  id: string;
  name: string;
  createdAt: string;
  processedAt: string;
  updatedAt: string;
  cancelledAt: string | null;
  currency: string;
  subtotal: string;
  total: string;
  totalDiscounts: string;
  test: boolean;
  sourceName: string | null;
  discountCodes: string[];
  customerId: string | null;
  lines: OrderLineRecord[];
  refunds: RefundRecord[];
  /** Validated storefront attribution from the order's note_attributes (absent in jobs queued before it existed). */
  attribution?: OrderAttribution;
}

const OrderRecordSchema = OrderSchema.transform((o, ctx): OrderRecord => {
  const c = o.currency;
  return {
    id: idText(o.id, o.admin_graphql_api_id, ctx, ["id"]),
    name: o.name,
    createdAt: o.created_at,
    processedAt: o.processed_at ?? o.created_at,
    updatedAt: o.updated_at,
    cancelledAt: o.cancelled_at ?? null,
    currency: c,
    subtotal: amount(o.subtotal_price_set, o.subtotal_price, c, ctx, "subtotal_price"),
    total: amount(o.total_price_set, o.total_price, c, ctx, "total_price"),
    totalDiscounts: o.total_discounts_set || o.total_discounts ? amount(o.total_discounts_set, o.total_discounts, c, ctx, "total_discounts") : "0",
    test: o.test === true,
    sourceName: text(o.source_name),
    discountCodes: (o.discount_codes ?? []).map((d) => d.code),
    customerId: o.customer ? idText(o.customer.id, o.customer.admin_graphql_api_id, ctx, ["customer", "id"]) : null,
    lines: o.line_items.map((l, i): OrderLineRecord => {
      const allocations = l.discount_allocations ?? [];
      const discount =
        allocations.length > 0
          ? sumDecimals(allocations.map((a, j) => amount(a.amount_set, a.amount, c, ctx, `line_items.${i}.discount_allocations.${j}`)))
          : l.total_discount_set || l.total_discount
            ? amount(l.total_discount_set, l.total_discount, c, ctx, `line_items.${i}.total_discount`)
            : "0";
      return {
        id: idText(l.id, l.admin_graphql_api_id, ctx, ["line_items", i, "id"]),
        productId: l.product_id === null || l.product_id === undefined ? null : plainId(l.product_id, ctx, ["line_items", i, "product_id"]),
        variantId: l.variant_id === null || l.variant_id === undefined ? null : plainId(l.variant_id, ctx, ["line_items", i, "variant_id"]),
        title: l.title ?? l.name ?? "",
        variantTitle: text(l.variant_title),
        sku: text(l.sku),
        quantity: l.quantity,
        price: amount(l.price_set, l.price, c, ctx, `line_items.${i}.price`),
        discount,
        giftCard: l.gift_card === true,
        attribution: lineAttribution(l.properties ?? []),
      };
    }),
    refunds: (o.refunds ?? []).map((r, i) => refundRecord(r, ctx, ["refunds", i])),
    attribution: orderAttribution(o.note_attributes ?? []),
  };
});

/** Exact decimal sum of amounts with the same number of decimals or fewer (no floating point). */
export function sumDecimals(values: readonly string[]): string {
  const scale = Math.max(0, ...values.map((v) => v.split(".")[1]?.length ?? 0));
  const units = values.reduce((sum, v) => {
    const [whole = "0", fraction = ""] = v.replace("-", "").split(".");
    const n = BigInt(whole + fraction.padEnd(scale, "0"));
    return sum + (v.startsWith("-") ? -n : n);
  }, 0n);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const result = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${result}` : result;
}

const RefundRecordSchema = RefundSchema.transform((r, ctx) => {
  const record = refundRecord(r, ctx, []);
  if (record.orderId === null) ctx.addIssue({ code: "custom", message: "order_id is missing", path: ["order_id"] });
  return record as RefundRecord & { orderId: string };
});

// ---------------------------------------------------------------------------------------------------------------------
// Products

const VariantSchema = z.object({
  id: NumericId,
  admin_graphql_api_id: Gid,
  title: z.string().nullish(),
  sku: z.string().nullish(),
  price: Decimal,
  compare_at_price: Decimal.nullish(),
  inventory_quantity: z.number().int().nullish(),
  inventory_management: z.string().nullish(),
  inventory_policy: z.string().nullish(),
});

const ProductSchema = z.object({
  id: NumericId,
  admin_graphql_api_id: Gid,
  title: z.string(),
  handle: z.string(),
  product_type: z.string().nullish(),
  vendor: z.string().nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  status: z.string().nullish(),
  created_at: Timestamp.nullish(),
  updated_at: Timestamp.nullish(),
  variants: z.array(VariantSchema).nullish(),
});

export interface VariantRecord {
  id: string;
  title: string;
  sku: string | null;
  price: string;
  compareAtPrice: string | null;
  inventoryQuantity: number | null;
  /** Inventory is not tracked, overselling is allowed, or some is in stock. */
  availableForSale: boolean;
}

export interface ProductRecord {
  id: string;
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  tags: string[];
  status: "ACTIVE" | "ARCHIVED" | "DRAFT" | "UNLISTED";
  createdAt: string | null;
  updatedAt: string | null;
  variants: VariantRecord[];
}

const PRODUCT_STATUSES = new Set(["ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED"]);

const ProductRecordSchema = ProductSchema.transform((p, ctx): ProductRecord => {
  const status = (p.status ?? "active").toUpperCase();
  if (!PRODUCT_STATUSES.has(status)) ctx.addIssue({ code: "custom", message: `unknown product status ${p.status}`, path: ["status"] });
  return {
    id: idText(p.id, p.admin_graphql_api_id, ctx, ["id"]),
    title: p.title,
    handle: p.handle,
    productType: p.product_type ?? "",
    vendor: p.vendor ?? "",
    tags: tagList(p.tags),
    status: status as ProductRecord["status"],
    createdAt: p.created_at ?? null,
    updatedAt: p.updated_at ?? null,
    variants: (p.variants ?? []).map((v, i) => ({
      id: idText(v.id, v.admin_graphql_api_id, ctx, ["variants", i, "id"]),
      title: v.title ?? "",
      sku: text(v.sku),
      price: v.price,
      compareAtPrice: text(v.compare_at_price),
      inventoryQuantity: v.inventory_quantity ?? null,
      availableForSale: v.inventory_management !== "shopify" || v.inventory_policy === "continue" || (v.inventory_quantity ?? 0) > 0,
    })),
  };
});

// ---------------------------------------------------------------------------------------------------------------------
// Customers

const ConsentSchema = z.object({ state: z.string().nullish() }).nullish();

const CustomerSchema = z.object({
  id: NumericId,
  admin_graphql_api_id: Gid,
  created_at: Timestamp,
  updated_at: Timestamp.nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  locale: z.string().nullish(),
  email_marketing_consent: ConsentSchema,
  sms_marketing_consent: ConsentSchema,
  default_address: z.object({ country_code: z.string().nullish() }).nullish(),
});

/** A customer as a job stores it: no name, email, phone or address — the country code only. */
export interface CustomerRecord {
  id: string;
  createdAt: string;
  updatedAt: string | null;
  tags: string[];
  locale: string | null;
  countryCode: string | null;
  emailMarketing: string | null;
  smsMarketing: string | null;
}

const consentState = (c: z.infer<typeof ConsentSchema>) => (c?.state ? c.state.toUpperCase() : null);

const CustomerRecordSchema = CustomerSchema.transform(
  (c, ctx): CustomerRecord => ({
    id: idText(c.id, c.admin_graphql_api_id, ctx, ["id"]),
    createdAt: c.created_at,
    updatedAt: c.updated_at ?? null,
    tags: tagList(c.tags),
    locale: text(c.locale),
    countryCode: text(c.default_address?.country_code)?.toUpperCase() ?? null,
    emailMarketing: consentState(c.email_marketing_consent),
    smsMarketing: consentState(c.sms_marketing_consent),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------
// Deletes, bulk operations, compliance

const DeleteSchema = z
  .object({ id: NumericId, admin_graphql_api_id: Gid })
  .transform((d, ctx) => ({ id: idText(d.id, d.admin_graphql_api_id, ctx, ["id"]) }));

export interface BulkOperationFinishedRecord {
  bulkOperationId: string; // the GID, as the Admin API takes it
  status: string; // completed | failed | canceled | expired ...
  errorCode: string | null;
  type: string; // query | mutation
  completedAt: string | null;
}

const BulkFinishSchema = z
  .object({
    admin_graphql_api_id: z.string().regex(/^gid:\/\/shopify\/BulkOperation\/\d+$/, "must be a BulkOperation GID"),
    status: z.string(),
    error_code: z.string().nullish(),
    type: z.string(),
    completed_at: Timestamp.nullish(),
  })
  .transform(
    (b): BulkOperationFinishedRecord => ({
      bulkOperationId: b.admin_graphql_api_id,
      status: b.status,
      errorCode: b.error_code ?? null,
      type: b.type,
      completedAt: b.completed_at ?? null,
    }),
  );

const ComplianceCustomer = z.object({ id: NumericId.nullish() }).nullish();
const IdList = z.array(NumericId).nullish();

export interface CustomerDataRequestRecord {
  customerId: string | null;
  ordersRequested: string[];
  dataRequestId: string | null;
}

const DataRequestSchema = z
  .object({ customer: ComplianceCustomer, orders_requested: IdList, data_request: z.object({ id: NumericId }).nullish() })
  .transform(
    (d, ctx): CustomerDataRequestRecord => ({
      customerId: d.customer?.id === undefined || d.customer.id === null ? null : plainId(d.customer.id, ctx, ["customer", "id"]),
      ordersRequested: (d.orders_requested ?? []).map((id, i) => plainId(id, ctx, ["orders_requested", i])),
      dataRequestId: d.data_request ? plainId(d.data_request.id, ctx, ["data_request", "id"]) : null,
    }),
  );

export interface CustomerRedactRecord {
  customerId: string | null;
  ordersToRedact: string[];
}

const RedactSchema = z.object({ customer: ComplianceCustomer, orders_to_redact: IdList }).transform(
  (d, ctx): CustomerRedactRecord => ({
    customerId: d.customer?.id === undefined || d.customer.id === null ? null : plainId(d.customer.id, ctx, ["customer", "id"]),
    ordersToRedact: (d.orders_to_redact ?? []).map((id, i) => plainId(id, ctx, ["orders_to_redact", i])),
  }),
);

// ---------------------------------------------------------------------------------------------------------------------

function parser<T>(schema: z.ZodType<T>, what: string) {
  return (payload: unknown): T => {
    const result = schema.safeParse(payload);
    if (result.success) return result.data;
    // Issue paths and messages only: never the values, which may be personal data.
    const issues = result.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(payload)"}: ${i.message}`);
    throw new WebhookPayloadError(`Invalid ${what} payload: ${issues.join("; ")}`);
  };
}

export const parseOrderWebhook = parser(OrderRecordSchema, "order");
export const parseRefundWebhook = parser(RefundRecordSchema, "refund");
export const parseProductWebhook = parser(ProductRecordSchema, "product");
export const parseCustomerWebhook = parser(CustomerRecordSchema, "customer");
export const parseDeleteWebhook = parser(DeleteSchema, "delete");
export const parseBulkOperationFinishWebhook = parser(BulkFinishSchema, "bulk_operations/finish");
export const parseCustomerDataRequestWebhook = parser(DataRequestSchema, "customers/data_request");
export const parseCustomerRedactWebhook = parser(RedactSchema, "customers/redact");
export const parseShopRedactWebhook = parser(z.object({ shop_domain: z.string().nullish() }).transform(() => ({})), "shop/redact");
