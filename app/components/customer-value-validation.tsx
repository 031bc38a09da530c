/**
 * The Customer value page's holdout check (ADR 026): both purchase models fitted on the history up to 90 days before
 * the as-of day, their predictions for those 90 days set against what customers did — the error, the decile lift of
 * the chosen model, the criterion, and which model is used.
 */
import { BlockStack, Badge, DataTable, InlineStack, Text } from "@shopify/polaris";

export interface ValidationView {
  calibrationEnd: string;
  holdoutEnd: string;
  criteria: { maxAggregateError: number; minTopDecileLift: number };
  chosen: string;
  reason: string;
  models: {
    name: string;
    chosen: boolean;
    customers: number;
    totalActual: number;
    totalPredicted: number;
    aggregateError: number | null;
    mae: number;
    naiveMae: number;
    topDecileLift: number | null;
    passes: boolean;
    failures: string[];
    deciles: { decile: number; customers: number; predicted: number; actual: number }[];
  }[];
}

const signedPct = (x: number | null) => (x === null ? "—" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)} %`);

export function CustomerValueValidation({ validation }: { validation: ValidationView | null }) {
  if (!validation) {
    return (
      <Text as="p">
        Not enough history for a holdout check yet (the model needs at least a quarter of history before the last 90 days), so
        the purchase predictions are not shown as predictions.
      </Text>
    );
  }
  const chosen = validation.models.find((m) => m.chosen)!;
  return (
    <BlockStack gap="300">
      <Text as="p">
        Each model was fitted on the orders up to {validation.calibrationEnd} only, then asked how many repeat purchases each customer would make
        from then to {validation.holdoutEnd}; here is what they predicted against what customers actually did. A model passes when its total is
        within ±{validation.criteria.maxAggregateError * 100} % of what happened and the tenth of customers it ranked highest bought at least{" "}
        {validation.criteria.minTopDecileLift}× as often as the average.
      </Text>
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "text"]}
        headings={[
          "Model",
          "Repeat purchases predicted",
          "Repeat purchases that happened",
          "Error of the total",
          "Mean absolute error per customer",
          "Same, naive rule (keep buying at the past rate)",
          "Top tenth bought × the average",
          "Check",
        ]}
        rows={validation.models.map((m) => [
          m.chosen ? `${m.name} (used)` : m.name,
          m.totalPredicted.toFixed(0),
          m.totalActual.toLocaleString("en-US"),
          signedPct(m.aggregateError),
          m.mae.toFixed(3),
          m.naiveMae.toFixed(3),
          m.topDecileLift === null ? "—" : `${m.topDecileLift.toFixed(2)}×`,
          m.passes ? "passed" : "failed",
        ])}
      />
      <InlineStack gap="200" blockAlign="center">
        <Badge tone={chosen.passes ? "success" : "critical"}>{chosen.passes ? "Predictions shown" : "Predictions withheld"}</Badge>
        <Text as="p">
          Used: {validation.chosen}. {validation.reason}.
        </Text>
      </InlineStack>
      {chosen.failures.map((f) => (
        <Text as="p" tone="critical" key={f}>
          {f}
        </Text>
      ))}
      <Text as="h3" variant="headingSm">
        Decile lift of {chosen.name}: customers ranked by predicted repeat purchases, in ten equal groups
      </Text>
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric"]}
        headings={["Tenth (1 = highest predicted)", "Customers", "Predicted repeat purchases per customer", "Actual repeat purchases per customer"]}
        rows={chosen.deciles.map((d) => [String(d.decile), d.customers.toLocaleString("en-US"), d.predicted.toFixed(2), d.actual.toFixed(2)])}
      />
    </BlockStack>
  );
}
