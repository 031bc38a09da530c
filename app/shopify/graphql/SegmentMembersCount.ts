// How many customers a Shopify segment holds, as Shopify evaluates it (the customers page's publication list).
export const SEGMENT_MEMBERS_COUNT = `#graphql
  query SegmentMembersCount($segmentId: ID!) {
    customerSegmentMembers(segmentId: $segmentId, first: 1) {
      totalCount
    }
  }
`;

export interface SegmentMembersCountData {
  customerSegmentMembers: { totalCount: number };
}
