/** The trends page's statements about its own reliability (ADR 024): the calendar chosen and the forecast's backtest. */
import { Badge, BlockStack, DataTable, InlineStack, Text } from "@shopify/polaris";

export interface CalendarView {
  chosen: "lunar" | "gregorian" | "none";
  verdict: "only" | "better" | "indistinguishable" | "none";
  reason: string;
}

export interface BacktestView {
  origins: number;
  pairs: number;
  from: string;
  to: string;
  mape: string;
  mae: number;
  coverage: string;
  calibrated: boolean;
  byHorizon: { week: number; pairs: number; mape: string }[];
}

/** Which month calendar the effects come from, and whether the other one was distinguishable. */
export function CalendarNote({ calendar }: { calendar: CalendarView }) {
  const name = calendar.chosen === "lunar" ? "Lunar months" : calendar.chosen === "gregorian" ? "Calendar months" : "No month model";
  const badge =
    calendar.verdict === "better" ? (
      <Badge tone="success">fits clearly better</Badge>
    ) : calendar.verdict === "indistinguishable" ? (
      <Badge tone="attention">the other calendar is indistinguishable</Badge>
    ) : null;
  return (
    <BlockStack gap="100">
      <InlineStack gap="200" blockAlign="center">
        <Text as="span" variant="headingSm">
          {name}
        </Text>
        {badge}
      </InlineStack>
      <Text as="p" tone="subdued">
        {calendar.reason}
      </Text>
    </BlockStack>
  );
}

/** How the forecast method did on the shop's own history, replayed from earlier days. */
export function BacktestSummary({ backtest, level }: { backtest: BacktestView; level: number }) {
  return (
    <BlockStack gap="200">
      <Text as="p">
        Backtest: the same method replayed from {backtest.origins} earlier days ({backtest.from} to {backtest.to}), each time refitting the seasonal pattern on the history up to that day —{" "}
        {backtest.pairs} forecast weeks checked. Mean absolute error {backtest.mape} ({backtest.mae.toLocaleString("en-US")} orders a week); {Math.round(level * 100)} % intervals built the same way held{" "}
        {backtest.coverage}.
      </Text>
      {!backtest.calibrated && (
        <Text as="p" tone="caution">
          Too few backtest weeks for {Math.round(level * 100)} % intervals: the intervals span the largest errors seen and may be too narrow.
        </Text>
      )}
      <DataTable columnContentTypes={["text", "numeric", "numeric"]} headings={["Weeks ahead", "Backtest weeks", "Mean absolute % error"]} rows={backtest.byHorizon.map((h) => [String(h.week), h.pairs, h.mape])} />
    </BlockStack>
  );
}
