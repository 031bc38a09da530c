import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useSearchParams, type ShouldRevalidateFunction } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, EmptyState, InlineStack, Layout, Page, Select, Text } from "@shopify/polaris";
import { z } from "zod";
import { BundleLaunchPanel, type LaunchAnswer, type PreviewData } from "../components/bundle-launch";
import { CrossSellRanking } from "../components/cross-sell-ranking";
import { jobQueue } from "../jobs/queue.server";
import { bundleStatusByItems, FORM_FIELDS, launchBundle, previewBundleLaunch, syncBundlesIfDue } from "../lib/discounts/bundle-launch.server";
import { ActionError } from "../lib/insights/action-error";
import { crossSellPage } from "../lib/insights/cross-sell-page.server";
import { requestInsightsRecompute } from "../lib/insights/recompute.server";
import { Caveats, RecomputeButton, SectionCard } from "../components/insight-page";
import { MissingAccessBanner } from "../components/missing-access";
import { missingAccess } from "../lib/access-scopes";
import { authenticate } from "../shopify.server";
import { readForm } from "../lib/body-limits.server";

const Query = z.object({ product: z.string().max(100).optional(), preview: z.string().max(500).optional() });

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const query = Query.safeParse(params);
  const shop = session.shop;
  const now = new Date();
  // The launched bundles' status is kept in step with Shopify (at most once a minute per shop).
  const sync = await syncBundlesIfDue({ shop, now, queue: jobQueue() });
  const page = await crossSellPage({ shop, product: query.success ? query.data.product : undefined });
  const live = await bundleStatusByItems({ shop });
  const previewKey = query.success ? query.data.preview : undefined;
  let preview: PreviewData | null = null;
  let previewError: string | null = null;
  if (previewKey) {
    try {
      preview = await previewBundleLaunch({ shop, now, input: { ...params, items: previewKey } });
    } catch (error) {
      if (!(error instanceof ActionError)) throw error;
      previewError = error.message;
    }
  }
  return { page, live, preview, previewKey: previewKey ?? null, previewError, syncError: sync.error, access: missingAccess("bundle-discounts", session.scope) };
};

/**
 * After a refused launch the page keeps the merchant's choices (no reload of the preview, whose key would change); after
 * a launch that went through, the page reloads (the idea's status badge).
 */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, actionResult, defaultShouldRevalidate }) => {
  if (formData?.get("intent") === "launch" && !(actionResult as { ok?: boolean } | undefined)?.ok) return false;
  return defaultShouldRevalidate;
};

const Intent = z.object({ intent: z.enum(["recompute", "launch"]) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const fields = Object.fromEntries(await readForm(request));
  const parsed = Intent.safeParse(fields);
  if (!parsed.success) return data({ intent: null, ok: false as const, error: "Unknown action: expected recompute or launch." }, { status: 400 });
  if (parsed.data.intent === "recompute") {
    await requestInsightsRecompute({ shop: session.shop, queue: jobQueue() });
    return { intent: "recompute" as const, ok: true as const };
  }
  try {
    const result = await launchBundle({ shop: session.shop, now: new Date(), queue: jobQueue(), input: fields });
    // The choices go back with the errors, so the form shows them again (also without JavaScript).
    const values = Object.fromEntries(FORM_FIELDS.map((name) => [name, typeof fields[name] === "string" ? String(fields[name]) : ""]));
    if (!result.ok) return data({ intent: "launch" as const, ok: false as const, errors: result.errors, cap: result.cap, nextKey: result.nextKey, values }, { status: 400 });
    const d = result.discount;
    const message =
      result.status === "PENDING"
        ? `“${d.title}” is being launched (a launch with this key is in progress).`
        : `“${d.title}” is live in Shopify as ${d.kind === "code" ? `the code ${d.code}` : "an automatic discount"}, ${d.percentOff} % off the add-on; its Action is recorded with the metric and goal you chose.`;
    return { intent: "launch" as const, ok: true as const, message, bundleId: d.id };
  } catch (error) {
    if (error instanceof ActionError) {
      const key = typeof fields.idempotencyKey === "string" ? fields.idempotencyKey : "";
      return data({ intent: "launch" as const, ok: false as const, errors: { form: [error.message] }, cap: null, nextKey: key, values: null }, { status: error.status });
    }
    throw error;
  }
};

const SOURCE_LABEL = { "co-purchase": "Bought together", "complementary-type": "Complementary type", bestseller: "Bestseller" } as const;
const SOURCE_TONE = { "co-purchase": "success", "complementary-type": "info", bestseller: undefined } as const;
const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

export default function CrossSellPage() {
  const { page, live, preview, previewKey, previewError, syncError, access } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const launchAnswer = answer && answer.intent === "launch" ? (answer as LaunchAnswer) : undefined;
  const [, setSearchParams] = useSearchParams();

  const recompute = <RecomputeButton />;

  if (!page.ready) {
    return (
      <Page title="Cross-sell and upgrades">
        <Layout>
          <MissingAccessBanner access={access} />
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
        <MissingAccessBanner access={access} />
        <Caveats caveats={summary.caveats} />
        {syncError && (
          <Layout.Section>
            <Text as="p" tone="caution">
              {syncError}
            </Text>
          </Layout.Section>
        )}
        {previewError && (
          <Layout.Section>
            <Text as="p" tone="critical">
              {previewError}
            </Text>
          </Layout.Section>
        )}
        {preview && previewKey && <BundleLaunchPanel key={String(preview.values.idempotencyKey)} preview={preview} answer={launchAnswer} previewKey={previewKey} />}
        <SectionCard title="Frequently bought together">
          <Text as="p" tone="subdued">
            Only pairs that are statistically significant ({summary.significantProductRules.toLocaleString("en-US")} of{" "}
            {summary.productRules.toLocaleString("en-US")} mined) are suggested; without enough history a product gets
            complementary types, then bestsellers, each labelled.
          </Text>
          <CrossSellRanking ranking={summary.ranking} />
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
              columnContentTypes={["text", "text", "text", "text"]}
              headings={["Bought", "Upgrade to", "Evidence", "Against comparable shoppers"]}
              rows={upgrades.map((u) => [u.from, u.to, u.explanation, u.versus ?? "—"])}
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
                  High lift, low attach first. The discount on the add-ons is the what-if's best expected margin (attach rate ×
                  (1 + ε·d), ε 0.5–3), suggested only where unit costs are known.
                </Text>
              </InlineStack>
              {bundles.length === 0 ? (
                <Text as="p">No significant bundle yet.</Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "text", "text"]}
                  headings={["Products", "Attach rate", "Suggested discount", "Why", "Discount"]}
                  rows={bundles.map((b) => {
                    const key = b.items.join(",");
                    const status = live[key];
                    return [
                      b.titles.join(" + "),
                      percent(b.attachRate),
                      b.discountPercent === null ? "—" : (
                        <span key={`${key}-discount`}>
                          {b.discountPercent === 0 ? "none pays" : `${b.discountPercent} %`}
                          {b.economics?.breakEven.elasticity ? ` (break-even ε ${b.economics.breakEven.elasticity.toFixed(1)})` : ""}
                        </span>
                      ),
                      <BlockStack key={`${key}-why`} gap="100">
                        <Text as="span">{b.explanation}</Text>
                        {b.economics && (
                          <Text as="span" tone="subdued">
                            {b.economics.assumption}
                          </Text>
                        )}
                      </BlockStack>,
                      <InlineStack key={key} gap="200" blockAlign="center">
                        {status && (
                          <span data-testid={`bundle-status-${b.items.join("-")}`} data-status={status.status}>
                            <Badge tone={status.status === "ACTIVE" ? "success" : status.status === "DELETED_IN_SHOPIFY" ? "critical" : "attention"}>{status.statusLabel}</Badge>
                          </span>
                        )}
                        <span data-testid={`bundle-launch-${b.items.join("-")}`}>
                          <Button url={`/app/cross-sell?preview=${encodeURIComponent(key)}`}>{status && status.status !== "DELETED_IN_SHOPIFY" ? "Launch another" : "Launch as discount"}</Button>
                        </span>
                      </InlineStack>,
                    ];
                  })}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
