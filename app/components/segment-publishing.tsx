/**
 * The "Publish to Shopify" card (issue 12): choose an app segment, its Shopify name, the randomized holdout and the
 * campaign's metric, goal and window (fixed before publishing), then follow each publication's tagging progress and
 * member counts. Errors come back next to their field. The page revalidates every few seconds while work runs.
 */
import { Form, useNavigation, useRevalidator } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, EmptyState, FormLayout, InlineError, InlineStack, ProgressBar, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";
import type { PublicationView } from "../lib/segments/segments-page.server";

export interface SegmentChoice {
  value: string;
  label: string;
  customers: number;
}

/** A publication as the page shows it (the loader's view; the import is of a type only). */
export type PublicationRow = PublicationView;

export interface SegmentPublishingProps {
  choices: SegmentChoice[];
  metrics: { value: string; label: string }[];
  holdoutChoices: { value: string; label: string }[];
  defaults: { holdoutShare: string; evaluationDays: string; goalPercent: string };
  publications: PublicationRow[];
  working: boolean;
  /** The last publish answer: errors by field (`form` for none). */
  errors?: { field: string; message: string }[];
  message?: string | null;
}

const STATUS_TONE: Record<string, "success" | "attention" | "critical" | "info" | undefined> = {
  PUBLISHED: "success",
  PUBLISHING: "attention",
  UNPUBLISHING: "attention",
  FAILED: "critical",
};

const REFRESH_MS = 3000;

export function SegmentPublishing(props: SegmentPublishingProps) {
  const { choices, metrics, holdoutChoices, defaults, publications, working, errors = [], message } = props;
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  useEffect(() => {
    if (!working) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") revalidator.revalidate();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [working, revalidator]);

  const errorOf = (field: string) => errors.filter((e) => e.field === field).map((e) => e.message).join("; ") || undefined;
  const options = [{ label: "Choose a segment", value: "" }, ...choices.map((c) => ({ label: `${c.label} (${c.customers.toLocaleString("en-US")} customers)`, value: c.value }))];
  const [segment, setSegment] = useState("");
  const [name, setName] = useState("");
  const [holdoutShare, setHoldoutShare] = useState(defaults.holdoutShare);
  const [metric, setMetric] = useState("");
  const [goalPercent, setGoalPercent] = useState(defaults.goalPercent);
  const [evaluationDays, setEvaluationDays] = useState(defaults.evaluationDays);
  const chosen = choices.find((c) => c.value === segment);
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "publish-segment";

  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Publish to Shopify
        </Text>
        <Text as="p" tone="subdued">
          A segment is published as a customer tag and a Shopify customer segment you can send a campaign to (Shopify Email, discounts). A randomized share is held out under its own tag and segment: do not send to it, so the campaign can be judged against it.
        </Text>
        <Form method="post">
          <input type="hidden" name="intent" value="publish-segment" />
          <FormLayout>
            <Select label="Segment" id="segment-publish-segment" name="segment" options={options} value={segment} onChange={setSegment} error={errorOf("segment")} />
            <TextField
              label="Name in Shopify"
              id="segment-publish-name" name="name"
              value={name}
              onChange={setName}
              placeholder={chosen?.label ?? "the segment's name"}
              autoComplete="off"
              error={errorOf("name")}
              helpText="Shopify segment names are unique."
            />
            <FormLayout.Group condensed>
              <Select label="Holdout" id="segment-publish-holdoutShare" name="holdoutShare" options={holdoutChoices} value={holdoutShare} onChange={setHoldoutShare} error={errorOf("holdoutShare")} />
              <Select label="Campaign metric" id="segment-publish-metric" name="metric" options={[{ label: "Choose before publishing", value: "" }, ...metrics]} value={metric} onChange={setMetric} error={errorOf("metric")} />
              <TextField label="Goal: lift over the holdout (%)" id="segment-publish-goalPercent" name="goalPercent" value={goalPercent} onChange={setGoalPercent} autoComplete="off" inputMode="decimal" error={errorOf("goalPercent")} />
              <TextField label="Evaluation window (days)" id="segment-publish-evaluationDays" name="evaluationDays" value={evaluationDays} onChange={setEvaluationDays} autoComplete="off" inputMode="numeric" error={errorOf("evaluationDays")} />
            </FormLayout.Group>
            {errorOf("form") ? <InlineError message={errorOf("form")!} fieldID="segment-publish-form" /> : null}
            {message ? <Text as="p" tone="success">{message}</Text> : null}
            <Button submit variant="primary" loading={busy}>
              Publish to Shopify
            </Button>
          </FormLayout>
        </Form>
        {publications.length === 0 ? (
          <EmptyState heading="No segment published yet" image="">
            <p>Published segments appear here with their tagging progress and how many customers Shopify counts in them.</p>
          </EmptyState>
        ) : (
          <BlockStack gap="300">
            {publications.map((p) => (
              <Publication key={p.id} p={p} />
            ))}
          </BlockStack>
        )}
      </BlockStack>
    </Card>
  );
}

function Publication({ p }: { p: PublicationRow }) {
  const running = p.status === "PUBLISHING" || p.status === "UNPUBLISHING";
  const shopify = (n: number | null) => (n === null ? "—" : n.toLocaleString("en-US"));
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack gap="200" align="space-between" blockAlign="center">
          <InlineStack gap="200" blockAlign="center">
            <Text as="h3" variant="headingSm">
              {p.name}
            </Text>
            <Badge tone={STATUS_TONE[p.status]}>{p.status.toLowerCase()}</Badge>
          </InlineStack>
          <InlineStack gap="200">
            {running && p.lastError ? (
              <Form method="post">
                <input type="hidden" name="intent" value="resume-segment" />
                <input type="hidden" name="id" value={p.id} />
                <Button submit>Resume</Button>
              </Form>
            ) : null}
            {p.status !== "UNPUBLISHING" ? (
              <Form method="post">
                <input type="hidden" name="intent" value="unpublish-segment" />
                <input type="hidden" name="id" value={p.id} />
                <Button submit tone="critical">
                  Unpublish
                </Button>
              </Form>
            ) : null}
          </InlineStack>
        </InlineStack>
        <Text as="p" tone="subdued">
          Tag {p.tag}
          {p.holdoutTag ? ` · holdout ${Math.round(p.holdoutShare * 100)} % tagged ${p.holdoutTag}` : " · no holdout"}
        </Text>
        {running && p.tagsTotal > 0 ? (
          <BlockStack gap="100">
            <ProgressBar progress={Math.round((p.tagsDone / p.tagsTotal) * 100)} size="small" />
            <Text as="p" tone="subdued">
              {p.tagsDone.toLocaleString("en-US")} of {p.tagsTotal.toLocaleString("en-US")} tag changes
            </Text>
          </BlockStack>
        ) : null}
        <Text as="p">
          In the app: {p.inApp.treated.toLocaleString("en-US")} to send to, {p.inApp.holdout.toLocaleString("en-US")} held out · In Shopify: {shopify(p.inShopify.treated)} in the segment
          {p.holdoutTag ? `, ${shopify(p.inShopify.holdout)} in the holdout segment` : ""}
        </Text>
        {p.lastError ? <InlineError message={p.lastError} fieldID={`publication-${p.id}`} /> : null}
      </BlockStack>
    </Card>
  );
}
