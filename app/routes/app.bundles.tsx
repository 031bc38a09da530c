import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, DataTable, EmptyState, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { z } from "zod";
import { FormOutcome } from "../components/insight-page";
import { jobQueue } from "../jobs/queue.server";
import { bundlesPage, changeBundle, CHANGE_INTENTS } from "../lib/discounts/bundle-launch.server";
import { ActionError } from "../lib/insights/action-error";
import { MissingAccessBanner } from "../components/missing-access";
import { missingAccess } from "../lib/access-scopes";
import { authenticate } from "../shopify.server";
import { readForm } from "../lib/body-limits.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const page = await bundlesPage({ shop: session.shop, now: new Date(), queue: jobQueue() });
  return { ...page, access: missingAccess("bundle-discounts", session.scope) };
};

const Change = z.object({ intent: z.enum(CHANGE_INTENTS), id: z.string().trim().min(1).max(100) });
const DONE = { pause: "Paused", resume: "Resumed", end: "Ended" } as const;

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = Change.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ ok: false as const, error: "Unknown change: expected pause, resume or end, with the bundle's id." }, { status: 400 });
  try {
    const result = await changeBundle({ shop: session.shop, now: new Date(), queue: jobQueue(), ...parsed.data });
    if (!result.ok) {
      const messages = Object.values(result.errors).flat();
      return data({ ok: false as const, error: messages.join(" ") || "Shopify did not make the change." }, { status: 400 });
    }
    return { ok: true as const, message: `${DONE[parsed.data.intent]}: “${result.discount.title}”.` };
  } catch (error) {
    if (error instanceof ActionError) return data({ ok: false as const, error: error.message }, { status: error.status });
    throw error;
  }
};

/** Test ids: `bundle-row-<id>` (data-status), `bundle-status-badge-<id>`, `bundle-<pause|resume|end>-<id>`. */
export default function BundlesPage() {
  const page = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state === "submitting";
  const change = (intent: "pause" | "resume" | "end", id: string, label: string) => (
    <Form key={`${intent}-${id}`} method="post">
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      <span data-testid={`bundle-${intent}-${id}`}>
        <Button submit disabled={busy} tone={intent === "end" ? "critical" : undefined}>
          {label}
        </Button>
      </span>
    </Form>
  );
  return (
    <Page title="Bundle discounts" subtitle="Bundles launched as Shopify buy X get Y discounts, kept in step with Shopify" secondaryActions={[{ content: "Bundle ideas", url: "/app/cross-sell" }]}>
      <Layout>
        <MissingAccessBanner access={page.access} />
        <FormOutcome answer={answer} />
        {page.syncError && (
          <Layout.Section>
            <Text as="p" tone="caution">
              {page.syncError}
            </Text>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            {page.bundles.length === 0 ? (
              <EmptyState heading="No bundle discount yet" image="" action={{ content: "See bundle ideas", url: "/app/cross-sell" }}>
                <p>Launch one from a bundle idea on the Cross-sell page: a preview shows what it may bring before anything is created.</p>
              </EmptyState>
            ) : (
              <DataTable
                columnContentTypes={["text", "text", "text", "text", "text"]}
                headings={["Bundle", "Discount", "Window", "Status", ""]}
                rows={page.bundles.map((b) => [
                  <div key={`${b.id}-t`} data-testid={`bundle-row-${b.id}`} data-status={b.status}>
                    <BlockStack gap="100">
                      <Text as="span" fontWeight="semibold">
                        {b.title}
                      </Text>
                      <Text as="span" tone="subdued">
                        {`Buy ${b.anchors.join(" or ")} → ${b.addOns.join(", ")}`}
                      </Text>
                    </BlockStack>
                  </div>,
                  `${b.percentOff} % off · ${b.kind === "code" ? `code ${b.code}` : "automatic"}${b.segmentLimited ? " · segment only (not on the storefront block)" : ""}`,
                  b.window,
                  <BlockStack key={`${b.id}-s`} gap="100">
                    <span data-testid={`bundle-status-badge-${b.id}`} data-status={b.status}>
                      <Badge tone={b.tone}>{b.statusLabel}</Badge>
                    </span>
                    {b.edited && (
                      <Badge tone="warning">{b.edited.replace(/^Edited in Shopify: /, "Edited in Shopify (").replace(/\.$/, ")")}</Badge>
                    )}
                    {b.error && (
                      <Text as="span" tone="critical">
                        {b.error}
                      </Text>
                    )}
                    {b.actionId && <Button variant="plain" url="/app/actions">{"Its Action"}</Button>}
                  </BlockStack>,
                  <InlineStack key={`${b.id}-a`} gap="200">
                    {b.can.pause && change("pause", b.id, "Pause")}
                    {b.can.resume && change("resume", b.id, "Resume")}
                    {b.can.end && change("end", b.id, "End")}
                  </InlineStack>,
                ])}
              />
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
