/** The banner a page shows above a feature whose access scope the shop has not granted: which scope, and how to grant it. */
import { Banner, BlockStack, Layout, Text } from "@shopify/polaris";

export interface MissingAccessProps {
  label: string;
  missing: readonly string[];
  howToGrant: string;
}

export function MissingAccessBanner({ access }: { access: MissingAccessProps | null }) {
  if (!access) return null;
  return (
    <Layout.Section>
      <Banner tone="warning" title={`${access.label} needs a permission this store has not granted`}>
        <BlockStack gap="100">
          <Text as="p">
            Missing: <span data-testid="missing-scopes">{access.missing.join(", ")}</span>. Until it is granted, the app shows
            what it would do but cannot change anything in Shopify for this feature.
          </Text>
          <Text as="p">{access.howToGrant}</Text>
        </BlockStack>
      </Banner>
    </Layout.Section>
  );
}
