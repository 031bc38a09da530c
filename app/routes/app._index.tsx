import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, EmptyState, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";
import { z } from "zod";
import { authenticate } from "../shopify.server";
import { getHomeOverview, type SyncProgress } from "../lib/home-overview.server";
import { requestFullSync } from "../lib/sync.server";
import { Stat } from "../components/insight-page";
import { readForm } from "../lib/body-limits.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return getHomeOverview({ shop: session.shop });
};

const Action = z.object({ intent: z.literal("sync") });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = Action.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return { ok: false as const, error: "Unknown action" };
  await requestFullSync({ shop: session.shop });
  return { ok: true as const };
};

const number = new Intl.NumberFormat("en-US");
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");
const active = (sync: SyncProgress | null) => sync !== null && (sync.status === "PENDING" || sync.status === "RUNNING");

export default function Home() {
  const overview = useLoaderData<typeof loader>();
  const { counts, lastSync } = overview;
  const syncing = active(lastSync);
  const revalidator = useRevalidator();
  const fetcher = useFetcher<typeof action>();

  // While a sync runs, refresh the numbers every two seconds.
  useEffect(() => {
    if (!syncing) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearInterval(timer);
  }, [syncing, revalidator]);

  return (
    <Page
      title="Insight Loop"
      subtitle={overview.shop}
      primaryAction={
        <fetcher.Form method="post">
          <input type="hidden" name="intent" value="sync" />
          <Button submit variant="primary" loading={fetcher.state !== "idle"} disabled={syncing}>
            {syncing ? "Syncing…" : "Sync now"}
          </Button>
        </fetcher.Form>
      }
    >
      <Layout>
        {lastSync && <Layout.Section><SyncCard sync={lastSync} /></Layout.Section>}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 3 }} gap="400">
            <Stat label="Orders" value={number.format(counts.orders)} />
            <Stat label="Customers" value={number.format(counts.customers)} />
            <Stat label="Products" value={number.format(counts.products)} />
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          {counts.orders === 0 ? (
            <Card>
              <EmptyState heading="Your order history is on its way" image="/empty-history.svg">
                <p>
                  Insight Loop reads every order since your shop opened. Bundles, upgrade offers, customer value and trends
                  appear here once the history is in.
                </p>
              </EmptyState>
            </Card>
          ) : (
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  History
                </Text>
                <Text as="p">
                  Orders from {day(overview.firstOrderAt)} to {day(overview.lastOrderAt)}
                  {overview.timezone ? ` (${overview.timezone})` : ""}
                  {overview.currency ? `, in ${overview.currency}` : ""}.
                </Text>
              </BlockStack>
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function SyncCard({ sync }: { sync: SyncProgress }) {
  if (sync.status === "FAILED") {
    return (
      <Banner tone="critical" title="The last sync did not finish">
        <p>{sync.lastError ?? "Unknown error"}. Your data so far is kept; “Sync now” continues from a fresh export.</p>
      </Banner>
    );
  }
  if (!active(sync)) {
    return (
      <Banner tone="success" title="Your data is up to date">
        <p>
          Last full sync finished {day(sync.finishedAt)}: {number.format(sync.objectsDone)} objects
          {sync.errorCount > 0 ? `, after ${sync.errorCount} retried export${sync.errorCount === 1 ? "" : "s"}` : ""}.
        </p>
      </Banner>
    );
  }
  const percent = sync.objectsTotal ? Math.min(100, Math.round((sync.objectsDone / sync.objectsTotal) * 100)) : 0;
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between">
          <Text as="h2" variant="headingMd">
            Syncing your store
          </Text>
          <Text as="span" tone="subdued">
            {sync.objectsTotal ? `${number.format(sync.objectsDone)} of ${number.format(sync.objectsTotal)}` : "Shopify is preparing the export…"}
          </Text>
        </InlineStack>
        <ProgressBar progress={percent} size="small" tone="primary" />
        <Text as="p" tone="subdued">
          {sync.phase}
          {sync.rate ? ` · ${number.format(sync.rate)} objects/s` : ""}
          {sync.errorCount > 0 ? ` · ${sync.errorCount} export${sync.errorCount === 1 ? "" : "s"} retried` : ""}
        </Text>
      </BlockStack>
    </Card>
  );
}
