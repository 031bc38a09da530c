// The shop's customer segments, a page at a time: finds the app's own segment by name when a segmentCreate's answer was
// lost and the retry was refused as a taken name (app/shopify/publish/segments.server.ts).
export const SEGMENTS = `#graphql
  query Segments($first: Int!, $after: String) {
    segments(first: $first, after: $after) {
      nodes {
        id
        name
        query
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export interface SegmentsData {
  segments: { nodes: { id: string; name: string; query: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
