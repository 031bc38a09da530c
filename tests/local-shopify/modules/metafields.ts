/**
 * Metafield definitions and metafield values: `metafieldDefinitionCreate`, `metafieldsSet`, `metafieldsDelete` and the
 * read-back `QueryRoot.metafieldDefinitions`. The `metafield`/`metafields` fields of Shop, Product, Customer, ... belong
 * to the modules that build those objects: they spread `metafieldFields(shop, ownerGid)` into them (or use
 * `metafieldsOf`).
 *
 * Reproduced Shopify behaviour (2026-01):
 * - The app-reserved namespace: `$app` is `app--{app id}` and `$app:foo` is `app--{app id}--foo`; an omitted namespace
 *   is the app-reserved one (https://shopify.dev/docs/apps/build/custom-data/ownership). The local app's id is
 *   LOCAL_APP_ID. Another app's `app--{id}` namespace is refused.
 * - Keys are 2-64 characters, namespaces 3-255, of alphanumerics, `-` and `_`
 *   (https://shopify.dev/docs/api/admin-graphql/2026-01/input-objects/MetafieldDefinitionInput).
 * - `metafieldsSet` sets at most 25 metafields at a time and is atomic: nothing is written when any input is invalid
 *   (https://shopify.dev/docs/api/admin-graphql/2026-01/mutations/metafieldsSet). More than 25 is a top-level
 *   MAX_INPUT_SIZE_EXCEEDED error, as Shopify answers for every over-long input array. `type` is required when no
 *   definition exists, must equal the definition's type when one does, and the value must be valid for the type.
 *
 * Only the metafield types listed in SUPPORTED_TYPES are validated here; other real Shopify types (money, rating,
 * file_reference, ...) fail loudly as not implemented rather than being stored unchecked.
 */
import { GraphQLError, type GraphQLResolveInfo } from "graphql";
import { connection, type PagingOptions } from "../connections";
import { gid } from "../gid";
import { notImplemented, type ApiModule, type RequestContext } from "../server";
import type { ShopState } from "../store";
import { dateTime, gidExists, splitGid, type PageArgs } from "./mutation-kit";

/** The local app's API client id: `$app` resolves to `app--9990001`. */
export const LOCAL_APP_ID = "9990001";
export const APP_NAMESPACE = `app--${LOCAL_APP_ID}`;
export const METAFIELDS_SET_LIMIT = 25;
/** Definitions per owner type a shop can hold (RESOURCE_TYPE_LIMIT_EXCEEDED past it). */
export const DEFINITIONS_PER_OWNER_TYPE = 256;

/** GID type -> MetafieldOwnerType, for the owners the seed holds. */
const OWNER_TYPES: Record<string, string> = {
  Product: "PRODUCT",
  ProductVariant: "PRODUCTVARIANT",
  Collection: "COLLECTION",
  Customer: "CUSTOMER",
  Order: "ORDER",
  Shop: "SHOP",
};
const SUPPORTED_OWNER_TYPES = new Set(Object.values(OWNER_TYPES));
/** GID types of real metafield owners that the seed does not hold. */
const UNSEEDED_OWNER_TYPES = new Set([
  ...["AppInstallation", "Article", "Blog", "Company", "CompanyLocation", "DiscountNode", "DraftOrder", "Location"],
  ...["Market", "Page", "GiftCardTransaction", "CartTransform", "DeliveryCustomization", "PaymentCustomization", "Validation", "SellingPlan"],
]);

/** Reference types and the GID type they point at. */
const REFERENCE_TYPES: Record<string, string> = {
  product_reference: "Product",
  variant_reference: "ProductVariant",
  collection_reference: "Collection",
  customer_reference: "Customer",
};
const LISTABLE_TYPES = ["single_line_text_field", "number_integer", "number_decimal", "date", "date_time", "url", "color", ...Object.keys(REFERENCE_TYPES)];
const SCALAR_TYPES = [...LISTABLE_TYPES, "multi_line_text_field", "boolean", "json"];
const LIST_TYPES = LISTABLE_TYPES.map((t) => `list.${t}`);
export const SUPPORTED_TYPES: readonly string[] = [...SCALAR_TYPES, ...LIST_TYPES];
/**
 * Real Shopify metafield types this local Shopify does not validate
 * (https://shopify.dev/docs/apps/build/custom-data/metafields/list-of-data-types).
 */
const UNSUPPORTED_TYPES = new Set([
  ...["money", "rich_text_field", "id"],
  ...["rating", "dimension", "volume", "weight", "link", "file_reference", "page_reference", "metaobject_reference", "mixed_reference"],
  ...["company_reference", "product_taxonomy_value_reference", "article_reference"],
].flatMap((t) => (["money", "rich_text_field", "id"].includes(t) ? [t] : [t, `list.${t}`])));

interface DefinitionRecord {
  id: number;
  name: string;
  namespace: string;
  key: string;
  description: string | null;
  ownerType: string;
  type: string;
  /** Stored as given: access rules only matter between apps, and the local Shopify serves one app. */
  access: unknown;
}

interface MetafieldRecord {
  id: number;
  ownerId: string;
  ownerType: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
  createdAt: number;
  updatedAt: number;
}

interface MetafieldsState {
  definitions: DefinitionRecord[];
  /** By `${ownerId}|${namespace}|${key}`. */
  metafields: Map<string, MetafieldRecord>;
}

const state = (shop: ShopState) => shop.module<MetafieldsState>("metafields", () => ({ definitions: [], metafields: new Map() }));
const metafieldKey = (ownerId: string, namespace: string, key: string) => `${ownerId}|${namespace}|${key}`;

/** `$app` and `$app:suffix` as Shopify resolves them; an omitted namespace is the app-reserved one. */
export function resolveNamespace(namespace: string | null | undefined): string {
  if (namespace == null || namespace === "$app") return APP_NAMESPACE;
  if (namespace.startsWith("$app:")) return `${APP_NAMESPACE}--${namespace.slice("$app:".length)}`;
  return namespace;
}

const IDENTIFIER = /^[A-Za-z0-9_-]+$/;

type IdentifierProblem = { code: string; message: string } | null;

function keyProblem(key: string): IdentifierProblem {
  if (key.length === 0) return { code: "BLANK", message: "Key can't be blank" };
  if (key.length < 2) return { code: "TOO_SHORT", message: "Key is too short (minimum is 2 characters)" };
  if (key.length > 64) return { code: "TOO_LONG", message: "Key is too long (maximum is 64 characters)" };
  if (!IDENTIFIER.test(key)) return { code: "INVALID_CHARACTER", message: "Key contains one or more invalid characters." };
  return null;
}

function namespaceProblem(raw: string | null | undefined, resolved: string): IdentifierProblem {
  if (raw === "$app:") return { code: "BLANK", message: "Namespace can't be blank" };
  if (resolved.length < 3) return { code: "TOO_SHORT", message: "Namespace is too short (minimum is 3 characters)" };
  if (resolved.length > 255) return { code: "TOO_LONG", message: "Namespace is too long (maximum is 255 characters)" };
  if (!IDENTIFIER.test(resolved)) return { code: "INVALID_CHARACTER", message: "Namespace contains one or more invalid characters." };
  if (/^app--\d+/.test(resolved) && resolved !== APP_NAMESPACE && !resolved.startsWith(`${APP_NAMESPACE}--`)) {
    return { code: "RESERVED_NAMESPACE_KEY", message: "Namespace is reserved for another app." };
  }
  return null;
}

function typeStatus(type: string): "supported" | "unsupported" | "unknown" {
  if (SUPPORTED_TYPES.includes(type)) return "supported";
  return UNSUPPORTED_TYPES.has(type) ? "unsupported" : "unknown";
}

// ---------------------------------------------------------------------------------------------------------------------
// Values

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function scalarProblem(shop: ShopState, type: string, value: unknown, inList: boolean): string | null {
  const isNumberType = type === "number_integer" || type === "number_decimal";
  // In lists, numbers are JSON numbers ("[1,2]") and everything else JSON strings.
  if (inList && isNumberType ? typeof value !== "number" : typeof value !== "string") {
    return `Value must be a list of ${type} values.`;
  }
  const text = String(value);
  switch (type) {
    case "single_line_text_field":
      return text.includes("\n") ? "Value must be a single line text string." : null;
    case "multi_line_text_field":
      return null;
    case "number_integer":
      return /^[-+]?\d+$/.test(text) && Math.abs(Number(text)) <= MAX_SAFE ? null : "Value must be an integer.";
    case "number_decimal":
      return /^[-+]?\d+(\.\d+)?$/.test(text) ? null : "Value must be a decimal.";
    case "boolean":
      return text === "true" || text === "false" ? null : "Value must be true or false.";
    case "json":
      try {
        JSON.parse(text);
        return null;
      } catch {
        return "Value is invalid JSON.";
      }
    case "date": {
      const ok = /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
      return ok ? null : "Value must be in YYYY-MM-DD format.";
    }
    case "date_time":
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(text) && !Number.isNaN(Date.parse(text))
        ? null
        : "Value must be in YYYY-MM-DDTHH:MM:SS format.";
    case "url": {
      try {
        return ["http:", "https:", "mailto:", "sms:", "tel:"].includes(new URL(text).protocol) ? null : "Value must be a URL with an allowed scheme.";
      } catch {
        return "Value must be a valid URL.";
      }
    }
    case "color":
      return /^#[0-9A-Fa-f]{6}$/.test(text) ? null : "Value must be a hex color code (#RRGGBB).";
    default: {
      const target = REFERENCE_TYPES[type];
      if (!target) throw notImplemented(`metafield type ${type}`);
      const parsed = splitGid(text);
      if (!parsed || parsed.type !== target) return `Value must be a valid ${target} reference.`;
      return gidExists(shop, text) ? null : `Value references a ${target} that does not exist.`;
    }
  }
}

/** Why a value is invalid for a supported type, or null. */
function valueProblem(shop: ShopState, type: string, value: string): string | null {
  if (value.length === 0) return "Value can't be blank.";
  if (!type.startsWith("list.")) return scalarProblem(shop, type, value, false);
  let items: unknown;
  try {
    items = JSON.parse(value);
  } catch {
    return "Value must be a JSON array.";
  }
  if (!Array.isArray(items)) return "Value must be a JSON array.";
  for (const item of items) {
    const problem = scalarProblem(shop, type.slice("list.".length), item, true);
    if (problem) return problem;
  }
  return null;
}

function jsonValueOf(record: MetafieldRecord): unknown {
  switch (record.type) {
    case "json":
    case "boolean":
      return JSON.parse(record.value);
    case "number_integer":
      return Number(record.value);
    case "number_decimal":
      throw notImplemented("Metafield.jsonValue for number_decimal");
    default:
      return record.type.startsWith("list.") ? JSON.parse(record.value) : record.value;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Objects

function findDefinition(shop: ShopState, ownerType: string, namespace: string, key: string): DefinitionRecord | undefined {
  return state(shop).definitions.find((d) => d.ownerType === ownerType && d.namespace === namespace && d.key === key);
}

function metafieldsOfDefinition(shop: ShopState, d: DefinitionRecord): MetafieldRecord[] {
  return [...state(shop).metafields.values()].filter((m) => m.ownerType === d.ownerType && m.namespace === d.namespace && m.key === d.key).sort((a, b) => a.id - b.id);
}

function definitionObject(shop: ShopState, d: DefinitionRecord) {
  return {
    __typename: "MetafieldDefinition",
    id: gid("MetafieldDefinition", d.id),
    name: d.name,
    namespace: d.namespace,
    key: d.key,
    description: d.description,
    ownerType: d.ownerType,
    type: { __typename: "MetafieldDefinitionType", name: d.type },
    validations: [],
    pinnedPosition: null,
    metafieldsCount: (args: { validationStatus?: string | null }) => {
      if (args.validationStatus === "INVALID") return 0; // values are validated when they are set
      return metafieldsOfDefinition(shop, d).length;
    },
    metafields: (args: PageArgs & { validationStatus?: string | null }, context: RequestContext) => {
      if (args.validationStatus && args.validationStatus !== "ANY") throw notImplemented(`MetafieldDefinition.metafields(validationStatus: ${args.validationStatus})`);
      return connection("Metafield", metafieldsOfDefinition(shop, d), (m) => String(m.id), args, context, (m) => metafieldObject(shop, m));
    },
  };
}

function metafieldObject(shop: ShopState, m: MetafieldRecord) {
  return {
    __typename: "Metafield",
    id: gid("Metafield", m.id),
    legacyResourceId: String(m.id),
    namespace: m.namespace,
    key: m.key,
    value: m.value,
    type: m.type,
    ownerType: m.ownerType,
    createdAt: dateTime(m.createdAt),
    updatedAt: dateTime(m.updatedAt),
    jsonValue: () => jsonValueOf(m),
    definition: () => {
      const d = findDefinition(shop, m.ownerType, m.namespace, m.key);
      return d ? definitionObject(shop, d) : null;
    },
  };
}

/** The metafields an owner (Shop, Product, Customer, ... GID) has, as Admin API Metafield objects, oldest first. */
export function metafieldsOf(shop: ShopState, ownerGid: string) {
  return [...state(shop).metafields.values()]
    .filter((m) => m.ownerId === ownerGid)
    .sort((a, b) => a.id - b.id)
    .map((m) => metafieldObject(shop, m));
}

/**
 * `HasMetafields.metafield(namespace, key)` and `metafields(namespace, keys, first, ...)` for an owner object: spread
 * into Shop/Product/Customer/... objects. `keys` are `namespace.key`; `$app` resolves in both.
 */
export function metafieldFields(shop: ShopState, ownerGid: string) {
  const records = () => [...state(shop).metafields.values()].filter((m) => m.ownerId === ownerGid).sort((a, b) => a.id - b.id);
  return {
    metafield: (args: { namespace?: string | null; key: string }) => {
      const record = state(shop).metafields.get(metafieldKey(ownerGid, resolveNamespace(args.namespace), args.key));
      return record ? metafieldObject(shop, record) : null;
    },
    metafields: (args: PageArgs & { namespace?: string | null; keys?: string[] | null }, context: PagingOptions = {}) => {
      const namespace = args.namespace == null ? null : resolveNamespace(args.namespace);
      const keys = args.keys?.map((k) => {
        const dot = k.lastIndexOf(".");
        return dot < 0 ? k : `${resolveNamespace(k.slice(0, dot))}.${k.slice(dot + 1)}`;
      });
      const selected = records().filter((m) => (namespace === null || m.namespace === namespace) && (!keys || keys.includes(`${m.namespace}.${m.key}`)));
      return connection("Metafield", selected, (m) => String(m.id), args, context, (m) => metafieldObject(shop, m));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Mutations

interface DefinitionInput {
  namespace?: string | null;
  key: string;
  name: string;
  description?: string | null;
  ownerType: string;
  type: string;
  validations?: unknown[] | null;
  pin?: boolean | null;
  access?: unknown;
  constraints?: unknown;
  capabilities?: unknown;
  useAsCollectionCondition?: boolean | null;
}

function definitionCreate(args: { definition: DefinitionInput }, { shop }: RequestContext) {
  const input = args.definition;
  if (!SUPPORTED_OWNER_TYPES.has(input.ownerType)) throw notImplemented(`metafield definitions for owner type ${input.ownerType}`);
  if (input.validations && input.validations.length > 0) throw notImplemented("MetafieldDefinitionInput.validations");
  if (input.pin) throw notImplemented("MetafieldDefinitionInput.pin");
  if (input.useAsCollectionCondition) throw notImplemented("MetafieldDefinitionInput.useAsCollectionCondition");
  for (const field of ["constraints", "capabilities"] as const) {
    if (input[field] != null) throw notImplemented(`MetafieldDefinitionInput.${field}`);
  }

  const errors: { field: string[]; message: string; code: string; elementIndex: null }[] = [];
  const fail = (field: string, problem: { code: string; message: string }) => errors.push({ field: ["definition", field], ...problem, elementIndex: null });
  const namespace = resolveNamespace(input.namespace);
  const nsProblem = namespaceProblem(input.namespace, namespace);
  if (nsProblem) fail("namespace", nsProblem);
  const kProblem = keyProblem(input.key);
  if (kProblem) fail("key", kProblem);
  if (input.name.trim().length === 0) fail("name", { code: "BLANK", message: "Name can't be blank" });
  else if (input.name.length > 255) fail("name", { code: "TOO_LONG", message: "Name is too long (maximum is 255 characters)" });
  const status = typeStatus(input.type);
  if (status === "unsupported") throw notImplemented(`metafield type ${input.type}`);
  if (status === "unknown") fail("type", { code: "INCLUSION", message: `Type name ${input.type} is not a valid type.` });

  const defs = state(shop).definitions;
  if (errors.length === 0 && findDefinition(shop, input.ownerType, namespace, input.key)) {
    fail("key", { code: "TAKEN", message: `Key is in use for ${input.ownerType.toLowerCase()} metafields on the '${namespace}' namespace.` });
  }
  if (errors.length === 0 && defs.filter((d) => d.ownerType === input.ownerType).length >= DEFINITIONS_PER_OWNER_TYPE) {
    errors.push({ field: ["definition"], code: "RESOURCE_TYPE_LIMIT_EXCEEDED", message: `Limit of ${DEFINITIONS_PER_OWNER_TYPE} definitions per owner type reached.`, elementIndex: null });
  }
  if (errors.length > 0) return { createdDefinition: null, userErrors: errors };

  const record: DefinitionRecord = {
    id: shop.nextId(),
    name: input.name,
    namespace,
    key: input.key,
    description: input.description ?? null,
    ownerType: input.ownerType,
    type: input.type,
    access: input.access ?? null,
  };
  defs.push(record);
  return { createdDefinition: definitionObject(shop, record), userErrors: [] };
}

interface SetInput {
  ownerId: string;
  namespace?: string | null;
  key: string;
  value: string;
  type?: string | null;
  compareDigest?: string | null;
}

function metafieldsSet(args: { metafields: SetInput[] }, { shop, now }: RequestContext, info: GraphQLResolveInfo) {
  const inputs = args.metafields;
  if (inputs.length > METAFIELDS_SET_LIMIT) {
    throw new GraphQLError(`The input array size of ${inputs.length} is greater than the maximum allowed of ${METAFIELDS_SET_LIMIT}.`, {
      nodes: info.fieldNodes,
      path: [info.path.key, "metafields"],
      extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" },
    });
  }
  const errors: { field: string[]; message: string; code: string; elementIndex: number }[] = [];
  const planned: Omit<MetafieldRecord, "id" | "createdAt" | "updatedAt">[] = [];
  inputs.forEach((input, index) => {
    const fail = (field: string, code: string, message: string) => errors.push({ field: ["metafields", String(index), field], code, message, elementIndex: index });
    if ("compareDigest" in input) throw notImplemented("MetafieldsSetInput.compareDigest");
    const owner = splitGid(input.ownerId);
    const ownerType = owner ? OWNER_TYPES[owner.type] : undefined;
    // A real owner type the seed does not hold fails loudly; anything else is not an owner.
    if (owner && !ownerType && UNSEEDED_OWNER_TYPES.has(owner.type)) throw notImplemented(`metafields on ${owner.type} owners`);
    if (!ownerType || !gidExists(shop, input.ownerId)) fail("ownerId", "INVALID", "Owner does not exist.");

    const namespace = resolveNamespace(input.namespace);
    const nsProblem = namespaceProblem(input.namespace, namespace);
    if (nsProblem) {
      const code = nsProblem.code === "RESERVED_NAMESPACE_KEY" ? "APP_NOT_AUTHORIZED" : nsProblem.code === "INVALID_CHARACTER" ? "INVALID" : nsProblem.code;
      fail("namespace", code, nsProblem.message);
    }
    const kProblem = keyProblem(input.key);
    if (kProblem) fail("key", kProblem.code === "INVALID_CHARACTER" ? "INVALID" : kProblem.code, kProblem.message);
    if (!ownerType || nsProblem || kProblem) return;

    const definition = findDefinition(shop, ownerType, namespace, input.key);
    const existing = state(shop).metafields.get(metafieldKey(input.ownerId, namespace, input.key));
    let type = input.type ?? definition?.type ?? existing?.type;
    if (!type) return void fail("type", "BLANK", "Type can't be blank.");
    const status = typeStatus(type);
    if (status === "unsupported") throw notImplemented(`metafield type ${type}`);
    if (status === "unknown") return void fail("type", "INVALID_TYPE", `Type '${type}' is not a valid metafield type.`);
    if (definition && type !== definition.type) {
      return void fail("type", "INVALID_TYPE", `Type '${type}' must be consistent with the definition's type: '${definition.type}'.`);
    }
    type = definition?.type ?? type;
    const problem = valueProblem(shop, type, input.value);
    if (problem) return void fail("value", input.value.length === 0 ? "BLANK" : "INVALID_VALUE", problem);
    planned.push({ ownerId: input.ownerId, ownerType, namespace, key: input.key, type, value: input.value });
  });
  // Atomic: no metafield is written when any input is invalid.
  if (errors.length > 0) return { metafields: [], userErrors: errors };

  const store = state(shop).metafields;
  const written = planned.map((p) => {
    const k = metafieldKey(p.ownerId, p.namespace, p.key);
    const previous = store.get(k);
    const record: MetafieldRecord = { ...p, id: previous?.id ?? shop.nextId(), createdAt: previous?.createdAt ?? now.getTime(), updatedAt: now.getTime() };
    store.set(k, record);
    return record;
  });
  return { metafields: written.map((m) => metafieldObject(shop, m)), userErrors: [] };
}

function metafieldsDelete(args: { metafields: { ownerId: string; namespace: string; key: string }[] }, { shop }: RequestContext) {
  const store = state(shop).metafields;
  const deleted = args.metafields.map((input) => {
    const namespace = resolveNamespace(input.namespace);
    const k = metafieldKey(input.ownerId, namespace, input.key);
    if (!store.delete(k)) return null; // Shopify answers null for a metafield that does not exist
    return { __typename: "MetafieldIdentifier", ownerId: input.ownerId, namespace, key: input.key };
  });
  return { deletedMetafields: deleted, userErrors: [] };
}

interface DefinitionsArgs extends PageArgs {
  ownerType: string;
  namespace?: string | null;
  key?: string | null;
  pinnedStatus?: string | null;
  sortKey?: string | null;
  query?: string | null;
  constraintSubtype?: unknown;
  constraintStatus?: unknown;
}

function metafieldDefinitions(args: DefinitionsArgs, context: RequestContext) {
  const { shop } = context;
  if (args.query) throw notImplemented("metafieldDefinitions(query:)");
  if (args.constraintSubtype != null || args.constraintStatus != null) throw notImplemented("metafieldDefinitions constraint filters");
  const sortKey = args.sortKey ?? "ID";
  if (sortKey !== "ID" && sortKey !== "NAME") throw notImplemented(`metafieldDefinitions(sortKey: ${sortKey})`);
  const namespace = args.namespace == null ? null : resolveNamespace(args.namespace);
  const matching = state(shop)
    .definitions.filter((d) => d.ownerType === args.ownerType && (namespace === null || d.namespace === namespace) && (args.key == null || d.key === args.key))
    // Definitions created through the API are never pinned (pinning is not implemented).
    .filter(() => args.pinnedStatus !== "PINNED")
    .sort((a, b) => (sortKey === "NAME" ? a.name.localeCompare(b.name) || a.id - b.id : a.id - b.id));
  return connection("MetafieldDefinition", matching, (d) => String(d.id), args, context, (d) => definitionObject(shop, d));
}

export const metafieldsModule: ApiModule = {
  name: "metafields",
  query: { metafieldDefinitions },
  mutation: { metafieldDefinitionCreate: definitionCreate, metafieldsSet, metafieldsDelete },
};
