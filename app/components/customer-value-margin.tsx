/**
 * What the Customer value page's money figures are (ADR 026) and the default margin that turns revenue without a
 * known unit cost into contribution, with the field's error beside it.
 */
import { Form } from "@remix-run/react";
import { BlockStack, Button, FormLayout, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

export interface BasisView {
  basis: "contribution" | "net-revenue";
  words: string;
  knownCostShare: number | null;
  netRevenue: string;
  contribution: string;
}

export function CustomerValueMargin({ basis, defaultMarginPercent, error, saved }: { basis: BasisView | null; defaultMarginPercent: number | null; error: string | null; saved: string | null }) {
  const [value, setValue] = useState(defaultMarginPercent === null ? "" : String(defaultMarginPercent));
  return (
    <BlockStack gap="300">
      {basis && (
        <Text as="p">
          Lifetime values on this page are {basis.words}.{" "}
          {basis.knownCostShare === null
            ? ""
            : `${(basis.knownCostShare * 100).toFixed(1)} % of net revenue is on products with a unit cost in Shopify (price − cost); ${
                basis.knownCostShare < 1 ? (defaultMarginPercent === null ? "the rest has no margin yet." : `the rest counts at your default margin of ${defaultMarginPercent} %.`) : "no default margin is needed."
              }`}{" "}
          Net revenue to date: {basis.netRevenue}
          {basis.basis === "contribution" ? `; contribution to date: ${basis.contribution}` : ""}.
        </Text>
      )}
      <Form method="post">
        <input type="hidden" name="intent" value="margin" />
        <FormLayout>
          <TextField
            label="Default margin for products without a unit cost (%)"
            name="defaultMarginPercent"
            value={value}
            onChange={setValue}
            autoComplete="off"
            inputMode="decimal"
            placeholder="e.g. 40"
            helpText="Gross margin as a share of the selling price, used where Shopify has no unit cost. Leave empty to clear it."
            error={error ?? undefined}
          />
          <Button submit>Save margin</Button>
        </FormLayout>
      </Form>
      {saved && (
        <Text as="p" tone="success">
          {saved}
        </Text>
      )}
    </BlockStack>
  );
}
