// Writes up to 25 metafields at once (atomic: none is written when one is invalid). Storefront offers (ADR 019).
export const METAFIELDS_SET = `#graphql
  mutation MetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        id
        namespace
        key
      }
      userErrors {
        field
        message
        code
        elementIndex
      }
    }
  }
`;

export interface MetafieldsSetInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

export interface MetafieldsSetData {
  metafieldsSet: {
    metafields: { id: string; namespace: string; key: string }[] | null;
    userErrors: { field: string[] | null; message: string; code: string | null; elementIndex: number | null }[];
  } | null;
}
