import { DataTable, Text, BlockStack } from "@shopify/polaris";

/** A campaign's treated against held-out customers, per customer, with the difference's and the lift's intervals. */
export function CampaignFigures({ figures }: { figures: { level: string; rows: { label: string; treated: string; holdout: string; difference: string; lift: string }[] } }) {
  if (figures.rows.length === 0) return null;
  return (
    <BlockStack gap="100">
      <DataTable
        columnContentTypes={["text", "text", "text", "text", "text"]}
        headings={["Per customer", "Treated", "Holdout", `Difference [${figures.level}]`, `Lift [${figures.level}]`]}
        rows={figures.rows.map((r) => [r.label, r.treated, r.holdout, r.difference, r.lift])}
      />
      <Text as="span" tone="subdued">
        Members at launch, each in the arm of their randomized draw, whether or not the campaign reached them.
      </Text>
    </BlockStack>
  );
}
