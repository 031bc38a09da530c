import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { BlockStack, Card, EmptyState, InlineGrid, Layout, Page, Text } from "@shopify/polaris";
import { authenticate } from "../shopify.server";
import { getHomeOverview } from "../lib/home-overview.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return getHomeOverview({ shop: session.shop });
};

const number = new Intl.NumberFormat("en-US");
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

export default function Home() {
  const overview = useLoaderData<typeof loader>();
  const { counts } = overview;
  return (
    <Page title="Insight Loop" subtitle={overview.shop}>
      <Layout>
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
              <EmptyState
                heading="Your order history is on its way"
                image="/empty-history.svg"
              >
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

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="p" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
      </BlockStack>
    </Card>
  );
}
