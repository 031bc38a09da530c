// Deletes a published app segment's Shopify segment when it is unpublished (app/shopify/publish/segments.server.ts).
export const SEGMENT_DELETE = `#graphql
  mutation SegmentDelete($id: ID!) {
    segmentDelete(id: $id) {
      deletedSegmentId
      userErrors {
        field
        message
      }
    }
  }
`;

export interface SegmentDeleteData {
  segmentDelete: { deletedSegmentId: string | null; userErrors: { field: string[] | null; message: string }[] } | null;
}
