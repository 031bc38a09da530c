// Removes tags from one customer: members who left a published app segment, and unpublishing (app/shopify/publish/segments.server.ts).
export const TAGS_REMOVE = `#graphql
  mutation TagsRemove($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
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

export interface TagsRemoveData {
  tagsRemove: { node: { id: string } | null; userErrors: { field: string[] | null; message: string }[] } | null;
}
