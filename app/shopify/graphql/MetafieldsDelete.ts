// Deletes metafields by owner, namespace and key; one that does not exist comes back as null (not an error).
export const METAFIELDS_DELETE = `#graphql
  mutation MetafieldsDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields {
        ownerId
        namespace
        key
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export interface MetafieldIdentifierInput {
  ownerId: string;
  namespace: string;
  key: string;
}

export interface MetafieldsDeleteData {
  metafieldsDelete: {
    deletedMetafields: ({ ownerId: string; namespace: string; key: string } | null)[] | null;
    userErrors: { field: string[] | null; message: string }[];
  } | null;
}
