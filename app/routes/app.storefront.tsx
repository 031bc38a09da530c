import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Button, FormLayout, InlineGrid, InlineStack, Layout, Link, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { FormOutcome, SectionCard, Stat } from "../components/insight-page";
import { MissingAccessBanner } from "../components/missing-access";
import { env } from "../env.server";
import { jobQueue } from "../jobs/queue.server";
import { missingAccess } from "../lib/access-scopes";
import { ActionError } from "../lib/insights/action-error";
import { storefrontChange, storefrontPage } from "../lib/storefront/storefront-page.server";
import { authenticate } from "../shopify.server";
import { readForm } from "../lib/body-limits.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const page = await storefrontPage({ shop: session.shop, now: new Date() });
  // Deep links into the theme editor: add the product blocks, switch the cart embed on (shopify.dev, theme app extensions).
  const editor = `https://${session.shop}/admin/themes/current/editor`;
  return {
    ...page,
    access: missingAccess("storefront-offers", session.scope),
    links: {
      fbt: `${editor}?template=product&addAppBlockId=${env.SHOPIFY_API_KEY}/fbt&target=mainSection`,
      upgrade: `${editor}?template=product&addAppBlockId=${env.SHOPIFY_API_KEY}/upgrade&target=mainSection`,
      cart: `${editor}?context=apps&template=cart&activateAppId=${env.SHOPIFY_API_KEY}/cart-offers`,
    },
  };
};

const Intent = z.object({ intent: z.enum(["settings", "launch", "stop", "evaluate"]) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const fields = Object.fromEntries(await readForm(request));
  const parsed = Intent.safeParse(fields);
  if (!parsed.success) return data({ ok: false as const, error: "Unknown action: expected settings, launch, stop or evaluate." }, { status: 400 });
  try {
    const message = await storefrontChange({ shop: session.shop, now: new Date(), intent: parsed.data.intent, input: fields, queue: jobQueue() });
    return { ok: true as const, message };
  } catch (error) {
    if (error instanceof ActionError) return data({ ok: false as const, error: error.message }, { status: error.status });
    throw error;
  }
};

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;
type WidgetRow = Loaded["widgets"][number];
const VERDICT_TONE = { achieved: "success", "not achieved": "critical", inconclusive: "attention" } as const;
const METRICS = [
  { label: "Revenue per exposed visitor", value: "revenue-per-visitor" },
  { label: "Conversion (visitors who order)", value: "conversion" },
  { label: "Average order value", value: "aov" },
];
const pct = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x * 100).toFixed(1)} %`;
const count = (n: number) => n.toLocaleString("en-US");

function LaunchForm({ widget }: { widget: WidgetRow }) {
  const [metric, setMetric] = useState("revenue-per-visitor");
  const [goal, setGoal] = useState("5");
  const [days, setDays] = useState("28");
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="launch" />
      <input type="hidden" name="widget" value={widget.widget} />
      <FormLayout>
        <FormLayout.Group condensed>
          <Select label="Metric (fixed before launch)" name="metric" options={METRICS} value={metric} onChange={setMetric} />
          <TextField label="Goal: lift over the holdout (%)" name="goalPercent" value={goal} onChange={setGoal} autoComplete="off" inputMode="decimal" />
          <TextField label="Evaluation window (days)" name="evaluationDays" value={days} onChange={setDays} autoComplete="off" inputMode="numeric" />
        </FormLayout.Group>
        {widget.mde && (
          <Text as="p" tone="subdued">
            {widget.mde.revenuePerVisitor === null && widget.mde.conversion === null
              ? `At the last 28 days' traffic, a 28-day window would gather about ${count(widget.mde.visitorsExpected)} exposed visitors and ${count(widget.mde.ordersExpected.holdout)} holdout orders: ` +
                `fewer than the verdict needs in each arm, so it would stay inconclusive. A larger holdout or a longer window helps.`
              : `At the last 28 days' traffic, a 28-day window would gather about ${count(widget.mde.visitorsExpected)} exposed visitors; the smallest lift it can detect (80 % power) is ` +
                `${widget.mde.revenuePerVisitor === null ? "—" : pct(widget.mde.revenuePerVisitor)} in revenue per visitor and ${widget.mde.conversion === null ? "—" : pct(widget.mde.conversion)} in conversion.`}
          </Text>
        )}
        <Button submit variant="primary">
          {`Launch ${widget.label.toLowerCase()}`}
        </Button>
      </FormLayout>
    </Form>
  );
}

function WidgetCard({ widget, link }: { widget: WidgetRow; link: string }) {
  const t = widget.last28Days;
  const e = widget.action?.evaluation ?? null;
  const metric = e && widget.action ? e.lift.metrics[widget.action.metric as keyof typeof e.lift.metrics] : null;
  return (
    <SectionCard title={widget.label}>
      <InlineStack gap="200">
        <Badge tone={widget.enabled ? "success" : undefined}>{widget.enabled ? "Shown to shoppers" : "Off"}</Badge>
        {widget.action?.running && <Badge tone="info">{`Measuring: ${widget.action.goal}`}</Badge>}
      </InlineStack>
      <InlineGrid columns={{ xs: 2, md: 5 }} gap="300">
        <Stat label="Suggestions seen (28 days)" value={count(t.impressions)} />
        <Stat label="Holdout: suggestions that would have been shown" value={count(t.holdoutImpressions)} />
        <Stat label="Clicks" value={count(t.clicks)} />
        <Stat label="Added to cart" value={count(t.addToCarts)} />
        <Stat label="Ordered lines from it" value={count(t.attributedLines)} />
      </InlineGrid>
      {widget.action && (
        <BlockStack gap="100">
          <Text as="p">{`${widget.action.title} · ${widget.action.window} · goal ${widget.action.goal}`}</Text>
          {e ? (
            <BlockStack gap="100">
              <InlineStack gap="200">
                <Badge tone={VERDICT_TONE[e.verdict]}>{e.verdict}</Badge>
                <Text as="span" tone="subdued">{`${e.method} · as of ${e.asOf}`}</Text>
              </InlineStack>
              {metric?.relative && (
                <Text as="p">{`Lift ${pct(metric.relative.estimate)} (95 % interval ${pct(metric.relative.lower)} to ${pct(metric.relative.upper)})`}</Text>
              )}
              <Text as="p" tone="subdued">
                {`Treatment ${count(e.lift.counts.treatment.visitors)} visitors, ${count(e.lift.counts.treatment.orders)} orders · holdout ${count(e.lift.counts.holdout.visitors)} visitors, ${count(e.lift.counts.holdout.orders)} orders`}
              </Text>
              <Text as="p" tone="subdued">
                {e.reason}
              </Text>
            </BlockStack>
          ) : (
            <Text as="p" tone="subdued">
              Not evaluated yet.
            </Text>
          )}
          <InlineStack gap="200">
            <Form method="post">
              <input type="hidden" name="intent" value="evaluate" />
              <input type="hidden" name="id" value={widget.action.id} />
              <Button submit>Evaluate</Button>
            </Form>
            {widget.action.running && (
              <Form method="post">
                <input type="hidden" name="intent" value="stop" />
                <input type="hidden" name="widget" value={widget.widget} />
                <Button submit tone="critical">
                  Turn off and end the test
                </Button>
              </Form>
            )}
          </InlineStack>
        </BlockStack>
      )}
      {!widget.action?.running && <LaunchForm widget={widget} />}
      <Text as="p" tone="subdued">
        <Link url={link} target="_blank">
          {widget.widget === "cart" ? "Switch the cart embed on in the theme editor" : "Add the block to the product page in the theme editor"}
        </Link>
      </Text>
    </SectionCard>
  );
}

export default function StorefrontPage() {
  const page = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const [holdout, setHoldout] = useState(String(page.settings.holdoutPercent));
  return (
    <Page title="Storefront offers" subtitle="Bundle, upgrade and cart suggestions shown to shoppers, each measured against a randomized holdout that sees nothing">
      <Layout>
        <MissingAccessBanner access={page.access} />
        <FormOutcome answer={answer} />
        <SectionCard title="Holdout">
          <Text as="p">
            {`${page.settings.holdoutPercent} % of visitors, chosen at random by a first-party id, see no widget; their orders are the comparison that says whether the widgets add revenue. Settings version ${page.settings.version}.`}
          </Text>
          {page.publication ? (
            <Text as="p" tone="subdued">{`Last publication to the storefront: ${page.publication}`}</Text>
          ) : (
            <Text as="p" tone="subdued">
              Nothing published to the storefront yet: suggestions are published after the insights are computed.
            </Text>
          )}
          <Form method="post">
            <input type="hidden" name="intent" value="settings" />
            <InlineStack gap="200" blockAlign="end">
              <TextField label="Holdout share (%)" name="holdoutPercent" value={holdout} onChange={setHoldout} autoComplete="off" inputMode="decimal" />
              <Button submit loading={navigation.state !== "idle"}>
                Save
              </Button>
            </InlineStack>
          </Form>
        </SectionCard>
        {page.widgets.map((w) => (
          <WidgetCard key={w.widget} widget={w} link={page.links[w.widget]} />
        ))}
      </Layout>
    </Page>
  );
}
