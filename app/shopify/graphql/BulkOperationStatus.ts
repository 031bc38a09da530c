// Polls one bulk operation (2026-01 allows several at once, so `currentBulkOperation` is not enough).
export const BULK_OPERATION_STATUS = `#graphql
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      rootObjectCount
      url
      partialDataUrl
    }
  }
`;

export interface BulkOperationStatusData {
  bulkOperation: {
    id: string;
    status: "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";
    errorCode: string | null;
    objectCount: string;
    rootObjectCount: string;
    url: string | null;
    partialDataUrl: string | null;
  } | null;
}
