// Updates a published app segment's Shopify segment: its name or its query (app/shopify/publish/segments.server.ts).
export const SEGMENT_UPDATE = `#graphql
  mutation SegmentUpdate($id: ID!, $name: String, $query: String) {
    segmentUpdate(id: $id, name: $name, query: $query) {
      segment {
        id
        name
        query
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export interface SegmentUpdateData {
  segmentUpdate: { segment: { id: string; name: string; query: string } | null; userErrors: { field: string[] | null; message: string }[] } | null;
}
