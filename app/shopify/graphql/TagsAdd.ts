// Adds tags to one customer (or any taggable resource): a published app segment's members (app/shopify/publish/segments.server.ts).
export const TAGS_ADD = `#graphql
  mutation TagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export interface TagsAddData {
  tagsAdd: { node: { id: string } | null; userErrors: { field: string[] | null; message: string }[] } | null;
}
