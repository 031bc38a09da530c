import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useSearchParams } from "@remix-run/react";
import { Badge, BlockStack, Card, DataTable, EmptyState, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import { z } from "zod";
import { jobQueue } from "../jobs/queue.server";
import { crossSellPage } from "../lib/insights/cross-sell-page.server";
import { requestInsightsRecompute } from "../lib/insights/recompute.server";
import { Caveats, RecomputeButton, SectionCard } from "../components/insight-page";
import { authenticate } from "../shopify.server";

const Query = z.object({ product: z.string().max(100).optional() });

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const query = Query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  return crossSellPage({ shop: session.shop, product: query.success ? query.data.product : undefined });
};

const Recompute = z.object({ intent: z.literal("recompute") });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  if (!Recompute.safeParse(Object.fromEntries(await request.formData())).success) return data({ ok: false as const }, { status: 400 });
  await requestInsightsRecompute({ shop: session.shop, queue: jobQueue() });
  return { ok: true as const };
};

const SOURCE_LABEL = { "co-purchase": "Bought together", "complementary-type": "Complementary type", bestseller: "Bestseller" } as const;
const SOURCE_TONE = { "co-purchase": "success", "complementary-type": "info", bestseller: undefined } as const;
const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

export default function CrossSellPage() {
  const page = useLoaderData<typeof loader>();
  const [, setSearchParams] = useSearchParams();

  const recompute = <RecomputeButton />;

  if (!page.ready) {
    return (
      <Page title="Cross-sell and upgrades">
        <Layout>
          <Layout.Section>
            <Card>
              <EmptyState heading="No suggestions yet" image="" action={{ content: "Go to Home", url: "/app" }}>
                <p>
                  Suggestions are computed from your orders after the first sync (or an import) finishes. If it has,
                  recompute them now.
                </p>
                <div style={{ marginTop: 12 }}>{recompute}</div>
              </EmptyState>
            </Card>
          </Layout.Section>
        </Layout>
      </Page>
    );
  }

  const { summary, anchor, anchors, upgrades, bundles, computedAt } = page;
  return (
    <Page title="Cross-sell and upgrades" subtitle={`From ${summary.baskets.toLocaleString("en-US")} orders · computed ${computedAt.slice(0, 16).replace("T", " ")} UTC`} primaryAction={recompute}>
      <Layout>
        <Caveats caveats={summary.caveats} />
        <SectionCard title="Frequently bought together">
          <Text as="p" tone="subdued">
            Only pairs that are statistically significant ({summary.significantProductRules.toLocaleString("en-US")} of{" "}
            {summary.productRules.toLocaleString("en-US")} mined) are suggested; without enough history a product gets
            complementary types, then bestsellers, each labelled.
          </Text>
          <Select
            label="Product"
            options={anchors.map((a) => ({ label: a.title, value: a.id }))}
            value={anchor?.id ?? ""}
            onChange={(value) => setSearchParams({ product: value })}
          />
          {anchor && anchor.recommendations.length > 0 ? (
            <DataTable
              columnContentTypes={["text", "text", "text"]}
              headings={["Suggest", "Why", "Source"]}
              rows={anchor.recommendations.map((r) => [
                r.title,
                r.explanation,
                <Badge key={r.productId} tone={SOURCE_TONE[r.source]}>
                  {SOURCE_LABEL[r.source]}
                </Badge>,
              ])}
            />
          ) : (
            <Text as="p">No suggestion for this product yet.</Text>
          )}
        </SectionCard>
        <SectionCard title="Upgrade paths">
          {upgrades.length === 0 ? (
            <Text as="p">No higher-tier alternative found yet (products need a pricier sibling of the same type, collection or line).</Text>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "text"]}
              headings={["Bought", "Upgrade to", "Evidence"]}
              rows={upgrades.map((u) => [u.from, u.to, u.explanation])}
            />
          )}
        </SectionCard>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">
                  Bundle ideas
                </Text>
                <Text as="span" tone="subdued">
                  Discount depth is suggested only where unit costs are known (at most half the margin, 20 % cap).
                </Text>
              </InlineStack>
              {bundles.length === 0 ? (
                <Text as="p">No significant bundle yet.</Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "text"]}
                  headings={["Products", "Attach rate", "Suggested discount", "Why"]}
                  rows={bundles.map((b) => [b.titles.join(" + "), percent(b.attachRate), b.discountPercent === null ? "—" : `${b.discountPercent} %`, b.explanation])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
