// Creates a customer segment (`customer_tags CONTAINS '<app tag>'`) for a published app segment (app/shopify/publish/segments.server.ts).
export const SEGMENT_CREATE = `#graphql
  mutation SegmentCreate($name: String!, $query: String!) {
    segmentCreate(name: $name, query: $query) {
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

export interface SegmentCreateData {
  segmentCreate: { segment: { id: string; name: string; query: string } | null; userErrors: { field: string[] | null; message: string }[] } | null;
}
