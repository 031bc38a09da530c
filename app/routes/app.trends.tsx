import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, EmptyState, Layout, List, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { jobQueue } from "../jobs/queue.server";
import { requestInsightsRecompute } from "../lib/insights/recompute.server";
import { trendsPage } from "../lib/insights/trends-page.server";
import { Caveats, RecomputeButton, SectionCard } from "../components/insight-page";
import { BacktestSummary, CalendarNote } from "../components/trends-calibration";
import { authenticate } from "../shopify.server";
import { readForm } from "../lib/body-limits.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return trendsPage({ shop: session.shop });
};

const Recompute = z.object({ intent: z.literal("recompute") });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  if (!Recompute.safeParse(Object.fromEntries(await readForm(request))).success) return data({ ok: false as const }, { status: 400 });
  await requestInsightsRecompute({ shop: session.shop, queue: jobQueue() });
  return { ok: true as const };
};

type Page = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { ready: true }>;
type EffectRow = NonNullable<Page["weekday"]>[number];

/** Orders per week as bars (server-rendered SVG: no chart library); a partial first or last week is scaled to 7 days. */
function WeeklyChart({ points }: { points: Page["chart"] }) {
  const width = 720;
  const height = 160;
  const perWeek = points.map((p) => (p.days > 0 ? (p.orders * 7) / p.days : 0));
  const max = Math.max(1, ...perWeek);
  const bar = width / Math.max(1, points.length);
  return (
    <svg viewBox={`0 0 ${width} ${height + 20}`} width="100%" role="img" aria-label="Orders per week">
      <title>Orders per week</title>
      {points.map((p, i) => {
        const h = (perWeek[i]! / max) * height;
        return (
          <rect key={p.period} x={i * bar + 0.5} y={height - h} width={Math.max(1, bar - 1)} height={h} fill={p.days < 7 ? "#b5b5b5" : "#2c6ecb"}>
            <title>{`${p.period} (from ${p.start}): ${p.orders} orders, ${p.revenue}${p.days < 7 ? ` — ${p.days} days only` : ""}`}</title>
          </rect>
        );
      })}
      <line x1={0} y1={height} x2={width} y2={height} stroke="#8a8a8a" />
      <text x={0} y={height + 15} fontSize={11} fill="#616161">
        {points[0]?.start}
      </text>
      <text x={width} y={height + 15} fontSize={11} fill="#616161" textAnchor="end">
        {points.at(-1)?.period}
      </text>
      <text x={4} y={12} fontSize={11} fill="#616161">
        {`max ${Math.round(max)} orders/week`}
      </text>
    </svg>
  );
}

function EffectsTable({ rows, level }: { rows: EffectRow[]; level: number }) {
  return (
    <DataTable
      columnContentTypes={["text", "numeric", "text", "numeric", "text"]}
      headings={["", "Effect", `${Math.round(level * 100)} % interval`, "Days", ""]}
      rows={rows.map((r) => [r.label, r.change, r.interval, r.days, r.significant ? <Badge key={r.key} tone="info">Clear</Badge> : <Text key={r.key} as="span" tone="subdued">within noise</Text>])}
    />
  );
}

export default function TrendsPage() {
  const page = useLoaderData<typeof loader>();
  const recompute = <RecomputeButton />;

  if (!page.ready) {
    return (
      <Page title="Trends and seasonality">
        <Layout>
          <Layout.Section>
            <Card>
              <EmptyState heading="No trends yet" image="" action={{ content: "Go to Home", url: "/app" }}>
                <p>Trends, seasonal effects and the forecast are computed from your orders after the first sync (or an import) finishes. If it has, recompute them now.</p>
                <div style={{ marginTop: 12 }}>{recompute}</div>
              </EmptyState>
            </Card>
          </Layout.Section>
        </Layout>
      </Page>
    );
  }

  const { summary, chart, months, findings, level, weekday, lunarMonths, gregorianMonths, tet, forecast, computedAt, calendar, intervals } = page;
  return (
    <Page
      title="Trends and seasonality"
      subtitle={`${summary.orders.toLocaleString("en-US")} orders${summary.first ? ` from ${summary.first} to ${summary.last}` : ""} · ${summary.timeZone} · computed ${computedAt.slice(0, 16).replace("T", " ")} UTC`}
      primaryAction={recompute}
    >
      <Layout>
        <Caveats caveats={summary.caveats} />
        <SectionCard title="Orders per week">
          {chart.length > 0 ? <WeeklyChart points={chart} /> : <Text as="p">No orders yet.</Text>}
        </SectionCard>
        <SectionCard title="Seasonal findings">
          <Text as="p" tone="subdued">
            {intervals === "occurrence-clustered"
              ? `Each effect is a multiplier on the trend with the other effects held fixed (a quasi-Poisson regression of daily orders). Intervals allow for busy and quiet spells that last weeks (demand shocks shared by each week and each occurrence of a month), so a month seen only two or three times gets a wide interval. Listed: effects whose ${Math.round(level * 100)} % interval excludes “no effect” and that pass a false-discovery-rate filter (Benjamini–Hochberg) across all effects tested.`
              : `Each effect is a multiplier on the trend with the other effects held fixed (a quasi-Poisson regression of daily orders); only effects whose ${Math.round(level * 100)} % interval excludes “no effect” are listed. Computed before intervals allowed for busy and quiet spells: recompute for calibrated intervals.`}
          </Text>
          {calendar && <CalendarNote calendar={calendar} />}
          {findings.length > 0 ? (
            <List>
              {findings.map((f) => (
                <List.Item key={f}>{f}</List.Item>
              ))}
            </List>
          ) : (
            <Text as="p">{summary.hasSeasonality ? "No seasonal effect stands out from the noise yet." : "Not enough history for seasonal effects yet."}</Text>
          )}
        </SectionCard>
        {weekday && (
          <SectionCard title="Weekdays (against the average day)">
            <EffectsTable rows={weekday} level={level} />
          </SectionCard>
        )}
        {(lunarMonths || gregorianMonths) && (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {lunarMonths ? "Lunar months (each against the other eleven)" : "Months (each against the other eleven)"}
                </Text>
                <EffectsTable rows={lunarMonths ?? gregorianMonths!} level={level} />
              </BlockStack>
            </Card>
          </Layout.Section>
        )}
        {tet && (
          <SectionCard title="Tết (against the same days without Tết)">
            {tet.oneSeason && (
              <Text as="p" tone="caution">
                One-season estimate: the history holds a single Tết, so this says what that Tết did, not yet what Tết usually does.
              </Text>
            )}
            <EffectsTable rows={[tet.preTet, ...tet.weeks]} level={level} />
          </SectionCard>
        )}
        <SectionCard title="Forecast: orders per week">
          {forecast ? (
            <>
              <Text as="p" tone="subdued">
                {Math.round(forecast.level * 100)} % prediction intervals. The seasonal pattern above times a damped trend, from the last complete day of orders;{" "}
                {forecast.backtest ? "the intervals are as wide as the method's own errors on this shop's history." : "computed before backtested intervals: recompute for them."}
              </Text>
              {forecast.backtest && <BacktestSummary backtest={forecast.backtest} level={forecast.level} />}
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                headings={["Week", "Forecast", "Low", "High"]}
                rows={forecast.weeks.map((w) => [`${w.start} – ${w.end}`, w.forecast, w.lower, w.upper])}
              />
            </>
          ) : (
            <Text as="p">Not enough history for a forecast yet (8 weeks are needed).</Text>
          )}
        </SectionCard>
        {months.length > 0 && (
          <SectionCard title="Months">
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
              headings={["Month", "Orders", "Revenue (net of refunds)", "Average order", "New customers", "Returning"]}
              rows={months.map((m) => [m.period, m.orders, m.revenue, m.aov, m.newCustomers, m.returningCustomers])}
            />
          </SectionCard>
        )}
      </Layout>
    </Page>
  );
}
