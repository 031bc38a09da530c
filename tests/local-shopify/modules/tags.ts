/**
 * `tagsAdd` and `tagsRemove` for customers, orders and products of the seed. Tags are written through the store's
 * `setTags`, so every object builder that reads `effectiveTags` (and segment evaluation) sees them.
 *
 * Reproduced Shopify behaviour (https://shopify.dev/docs/api/admin-graphql/2026-01/mutations/tagsAdd):
 * - `tags` is a list, and each element may itself be a comma-separated list ("one, two, three").
 * - Tags are trimmed and compared case-insensitively: adding "VIP" to a customer tagged "vip" changes nothing, and
 *   removing "VIP" removes "vip". A tag is at most 255 characters, and a customer has at most 250 tags (the schema's
 *   `Customer.tags`: "A customer can have up to 250 tags. Each tag can have up to 255 characters."): a tagsAdd that
 *   would leave more is a user error on `tags` and changes nothing (tags it already has do not count twice).
 * - The payload's `node` is the tagged object (a `Node`: Customer, Order or Product); an id that names nothing gives
 *   `node: null` and a user error on `id`. The message wording is the local Shopify's.
 * DraftOrder and Article are taggable in Shopify but not seeded here: they fail loudly as not implemented.
 */
import { gid } from "../gid";
import { notImplemented, type ApiModule, type RequestContext } from "../server";
import { effectiveTags, setTags, type ShopState } from "../store";
import { plainUserError, seedLookup, splitGid } from "./mutation-kit";

export const MAX_TAG_LENGTH = 255;
export const MAX_CUSTOMER_TAGS = 250;

/** The seed tags of a taggable object, or undefined when the id names no such object. */
function seedTagsOf(shop: ShopState, type: string, id: number): readonly string[] | undefined {
  const lookup = seedLookup(shop);
  switch (type) {
    case "Customer":
      return lookup.customer(id)?.tags;
    case "Product":
      return lookup.product(id)?.tags;
    case "Order":
      // Orders carry no tags in the seed: they start untagged.
      return lookup.order(id) ? [] : undefined;
    default:
      return undefined;
  }
}

function splitTags(tags: string[]): string[] {
  return tags.flatMap((t) => t.split(",")).map((t) => t.trim()).filter((t) => t.length > 0);
}

function change(operation: "add" | "remove") {
  return (args: { id: string; tags: string[] }, { shop }: RequestContext) => {
    const parsed = splitGid(args.id);
    if (parsed && (parsed.type === "DraftOrder" || parsed.type === "Article")) throw notImplemented(`tags on ${parsed.type}`);
    const seedTags = parsed ? seedTagsOf(shop, parsed.type, parsed.id) : undefined;
    if (!parsed || seedTags === undefined) {
      return { node: null, userErrors: [plainUserError(["id"], `Resource ${args.id} does not exist or is not taggable.`)] };
    }
    const tags = splitTags(args.tags);
    const tooLong = tags.find((t) => t.length > MAX_TAG_LENGTH);
    if (tooLong) return { node: null, userErrors: [plainUserError(["tags"], `Tag ${tooLong.slice(0, 20)}... is too long (maximum is ${MAX_TAG_LENGTH} characters)`)] };

    const objectGid = gid(parsed.type, parsed.id);
    const current = effectiveTags(shop, objectGid, seedTags);
    let next: string[];
    if (operation === "add") {
      next = [...current];
      for (const tag of tags) if (!next.some((t) => t.toLowerCase() === tag.toLowerCase())) next.push(tag);
      if (parsed.type === "Customer" && next.length > MAX_CUSTOMER_TAGS) {
        return { node: null, userErrors: [plainUserError(["tags"], `A customer can have at most ${MAX_CUSTOMER_TAGS} tags (this would make ${next.length})`)] };
      }
    } else {
      const removed = new Set(tags.map((t) => t.toLowerCase()));
      next = current.filter((t) => !removed.has(t.toLowerCase()));
    }
    setTags(shop, objectGid, next);
    return { node: { __typename: parsed.type, id: objectGid }, userErrors: [] };
  };
}

export const tagsModule: ApiModule = {
  name: "tags",
  mutation: { tagsAdd: change("add"), tagsRemove: change("remove") },
};
