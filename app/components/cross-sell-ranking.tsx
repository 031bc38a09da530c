/** Which ranker orders the shop's suggestions and the backtest that chose it (app/insights/backtest.ts chooseRanker). */
import { BlockStack, DataTable, Text } from "@shopify/polaris";

interface TaskFigures {
  cases: number;
  hitRate5: number;
  clusteredSe5: number;
}

export interface RankingView {
  reason: string;
  results: { name: string; label: string; cart: TaskFigures; anchor: TaskFigures }[] | null;
}

const figure = (m: TaskFigures) => `${(100 * m.hitRate5).toFixed(1)} % ± ${(100 * m.clusteredSe5).toFixed(1)}`;

export function CrossSellRanking({ ranking }: { ranking: RankingView | undefined }) {
  if (!ranking) return null;
  return (
    <BlockStack gap="200">
      <Text as="p" data-testid="cross-sell-ranking">
        {ranking.reason}
      </Text>
      {ranking.results && (
        <DataTable
          columnContentTypes={["text", "numeric", "numeric"]}
          headings={["Backtest (HR@5 ± standard error)", "Product page", "Cart"]}
          rows={ranking.results.map((r) => [r.label, figure(r.anchor), figure(r.cart)])}
        />
      )}
    </BlockStack>
  );
}
