/**
 * The bundle launch preview and form (issue 12), shown on the cross-sell page for one bundle idea: the what-if, the
 * exact discount Shopify will get, the Action that will judge it, and one Launch button. "Update preview" sends the
 * same fields as a GET (the loader recomputes the preview with a new launch key); Launch POSTs them with the key the
 * preview generated, so a double click or a retry makes one discount.
 *
 * Test ids: `bundle-preview` (the panel), `bundle-launch-submit` (Launch), `bundle-launch-result` (the outcome),
 * `bundle-cap` (the cap banner with `bundle-cap-list` and `bundle-cap-fallback`), `bundle-field-error-<field>` on each
 * field's error text.
 */
import { Form, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, FormLayout, InlineStack, Layout, List, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

export type FieldErrors = Partial<Record<string, string[]>>;

interface WhatIfFigures {
  eligibleOrdersPerDay: number;
  eligibleOrders: number;
  baselineAttachRate: number;
  baselineOrders: number;
  attachSource?: "baseline" | "whole-history";
  attachOrders?: { orders: number; attached: number };
  assumptions?: string[];
}

const rate = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The discount field's help: the suggested depth and the assumption it rests on. */
function suggestionText(preview: { suggestedPercent: number | null; suggestion?: string | null }): string {
  if (preview.suggestedPercent === null) return "No suggestion without unit costs.";
  if (preview.suggestedPercent === 0) return preview.suggestion ?? "No discount pays within the assumed response.";
  return `Suggested: ${preview.suggestedPercent} %. ${preview.suggestion ?? ""}`.trim();
}

/**
 * The anchor orders and the attach rate in words that cannot be misread: how many anchor orders the baseline had (and
 * a day), what that projects over the campaign, and which orders the attach rate is a share of.
 */
export function whatIfBasis(r: WhatIfFigures, baseline: { start: string; end: string }, campaignDays: number): string[] {
  const orders = `Anchor orders from ${baseline.start} to ${baseline.end}: ${r.baselineOrders.toLocaleString("en-US")} (${r.eligibleOrdersPerDay.toFixed(2)} a day), so about ${Math.round(r.eligibleOrders).toLocaleString("en-US")} expected over the campaign's ${campaignDays} days.`;
  const over = r.attachOrders ?? { orders: r.baselineOrders, attached: Math.round(r.baselineAttachRate * r.baselineOrders) };
  const attach =
    r.attachSource === "whole-history"
      ? `Attach rate now: ${rate(r.baselineAttachRate)} over the whole history (${over.attached.toLocaleString("en-US")} of ${over.orders.toLocaleString("en-US")} anchor orders had the add-on); none of the ${r.baselineOrders.toLocaleString("en-US")} in the baseline did, and the uptake model cannot grow from 0.`
      : `Attach rate now: ${rate(r.baselineAttachRate)} (${over.attached.toLocaleString("en-US")} of those ${over.orders.toLocaleString("en-US")} anchor orders had the add-on).`;
  return [orders, attach];
}

export interface PreviewData {
  today: string;
  currency: string;
  values: Record<string, string | boolean>;
  products: { id: string; title: string; role: string }[];
  suggestedPercent: number | null;
  /** The economics behind the suggestion, in words (absent before issue 13's snapshots). */
  suggestion?: string | null;
  whatIf: (
    | { addOnId: string; error: string }
    | {
        addOnId: string;
        error: null;
        addOn: { title: string };
        display: { eligibleOrders: string; baselineAttachRate: string; uptake: string; subsidyCost: string; netRevenue: string; netMargin: string | null; breakEven: string | null };
        caveats: string[];
        /** The what-if's figures and its baseline period (app/insights/impact/what-if.ts), when the preview has them. */
        result?: WhatIfFigures;
        baseline?: { start: string; end: string };
      }
  )[];
  campaignDays: number;
  discount: unknown;
  mutation: string;
  action: { metric: string; goal: string | null; window: string };
  cap: { max: number; active: { title: string; endsAt: string | null }[] | null; atCap: boolean; error: string | null };
  segments: { id: string; name: string }[];
  metrics: string[];
}

export type LaunchAnswer =
  | { intent: "launch"; ok: true; message: string; bundleId: string }
  | { intent: "launch"; ok: false; errors: FieldErrors; cap: { message: string; active: { title: string; endsAt: string | null }[] | null; fallbackKey: string } | null; nextKey: string; values: Record<string, string> | null };

const METRIC_LABEL: Record<string, string> = { "attach-rate": "Attach rate", aov: "Average order value", units: "Units per day", revenue: "Revenue per day", margin: "Margin per day" };
const GOAL_HELP: Record<string, string> = {
  "attach-rate": "points of attach rate (2 = +2 points)",
  aov: "currency units on the average order",
};

function errorText(errors: FieldErrors | undefined, field: string): string | undefined {
  const list = errors?.[field];
  return list && list.length > 0 ? list.join(" ") : undefined;
}

/** An error under a field that Polaris does not give an error slot (checkboxes, the segment list). */
function FieldError({ errors, field }: { errors: FieldErrors | undefined; field: string }) {
  const text = errorText(errors, field);
  if (!text) return null;
  return (
    <div data-testid={`bundle-field-error-${field}`}>
      <Text as="p" tone="critical">
        {text}
      </Text>
    </div>
  );
}

/** The hidden fields that carry a launch's choices into another form (the code fallback). */
function Hidden({ values }: { values: Record<string, string | boolean> }) {
  return (
    <>
      {Object.entries(values).map(([name, value]) =>
        typeof value === "boolean" ? (value ? <input key={name} type="hidden" name={name} value="on" /> : null) : <input key={name} type="hidden" name={name} value={value} />,
      )}
    </>
  );
}

export function BundleLaunchPanel({ preview, answer, previewKey }: { preview: PreviewData; answer: LaunchAnswer | undefined; previewKey: string }) {
  // After a refusal, the posted choices (a page rendered without JavaScript starts from them); else the preview's.
  const posted = answer && !answer.ok ? answer.values : null;
  const v: Record<string, string | boolean> = posted
    ? { ...preview.values, ...posted, combinesProduct: posted.combinesProduct === "on", combinesOrder: posted.combinesOrder === "on", combinesShipping: posted.combinesShipping === "on" }
    : preview.values;
  const [percentOff, setPercentOff] = useState(String(v.percentOff));
  const [kind, setKind] = useState(String(v.kind));
  const [code, setCode] = useState(String(v.code));
  const [title, setTitle] = useState(String(v.title));
  const [start, setStart] = useState(String(v.start));
  const [end, setEnd] = useState(String(v.end));
  const [combinesProduct, setCombinesProduct] = useState(Boolean(v.combinesProduct));
  const [combinesOrder, setCombinesOrder] = useState(Boolean(v.combinesOrder));
  const [combinesShipping, setCombinesShipping] = useState(Boolean(v.combinesShipping));
  const [segment, setSegment] = useState(String(v.segment));
  const [metric, setMetric] = useState(String(v.metric));
  const [goal, setGoal] = useState(String(v.goal));
  const [evaluationDays, setEvaluationDays] = useState(String(v.evaluationDays));
  const navigation = useNavigation();
  const launching = navigation.state === "submitting" && navigation.formData?.get("intent") === "launch";
  const errors = answer && !answer.ok ? answer.errors : undefined;
  const current = {
    anchors: String(v.anchors),
    addOns: String(v.addOns),
    title,
    percentOff,
    kind,
    code,
    start,
    end,
    combinesProduct,
    combinesOrder,
    combinesShipping,
    segment,
    metric,
    goal,
    goalDirection: String(v.goalDirection),
    evaluationDays,
  };

  return (
    <Layout.Section>
      <div data-testid="bundle-preview">
        <Card>
          <BlockStack gap="400">
            <Text as="h2" variant="headingMd">
              {`Launch a bundle discount: ${preview.products.map((p) => p.title).join(" + ")}`}
            </Text>
            {answer && (
              <div data-testid="bundle-launch-result" data-ok={answer.ok ? "true" : "false"}>
                {answer.ok ? (
                  <Banner tone="success" title="Launched">
                    <Text as="p">{answer.message}</Text>
                    <Button url="/app/bundles">See bundle discounts</Button>
                  </Banner>
                ) : answer.cap ? null : (
                  <Banner tone="critical" title="Not launched">
                    <Text as="p">{errorText(answer.errors, "form") ?? "Some choices need a change: see the fields below."}</Text>
                  </Banner>
                )}
              </div>
            )}
            {answer && !answer.ok && answer.cap && (
              <div data-testid="bundle-cap">
                <Banner tone="warning" title="Shopify's automatic discount cap is reached">
                  <BlockStack gap="200">
                    <Text as="p">{answer.cap.message}</Text>
                    {answer.cap.active && (
                      <div data-testid="bundle-cap-list">
                        <List>
                          {answer.cap.active.map((d, i) => (
                            <List.Item key={`${d.title}-${i}`}>{`${d.title}${d.endsAt ? ` (ends ${d.endsAt.slice(0, 10)})` : " (no end)"}`}</List.Item>
                          ))}
                        </List>
                      </div>
                    )}
                    <Form method="post">
                      <Hidden values={{ ...current, kind: "code", intent: "launch", idempotencyKey: answer.cap.fallbackKey }} />
                      <div data-testid="bundle-cap-fallback">
                        <Button submit variant="primary">{`Launch as a code discount (${code}) instead`}</Button>
                      </div>
                    </Form>
                  </BlockStack>
                </Banner>
              </div>
            )}

            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                What if
              </Text>
              {preview.whatIf.map((w) =>
                w.error !== null ? (
                  <Text key={w.addOnId} as="p" tone="subdued">
                    {w.error}
                  </Text>
                ) : (
                  <BlockStack key={w.addOnId} gap="100">
                    <Text as="p" fontWeight="semibold">{`${w.addOn.title} at ${percentOff} % off, over ${preview.campaignDays} days`}</Text>
                    <List>
                      {w.result && w.baseline ? (
                        whatIfBasis(w.result, w.baseline, preview.campaignDays).map((line) => <List.Item key={line}>{line}</List.Item>)
                      ) : (
                        <List.Item>{`Orders with the anchor: ${w.display.eligibleOrders}; attach rate now ${w.display.baselineAttachRate}`}</List.Item>
                      )}
                      <List.Item>{`Expected: ${w.display.uptake}`}</List.Item>
                      <List.Item>{`Extra revenue, net of the discount: ${w.display.netRevenue}`}</List.Item>
                      <List.Item>{w.display.netMargin === null ? "Margin: unknown (no unit cost)" : `Extra margin: ${w.display.netMargin}`}</List.Item>
                      <List.Item>{`Subsidy on add-ons that would have sold anyway: ${w.display.subsidyCost}`}</List.Item>
                      <List.Item>
                        {w.display.netMargin === null
                          ? "Break-even: needs the add-on's unit cost."
                          : w.display.breakEven === null
                            ? "No break-even: the discounted price does not cover the add-on's unit cost."
                            : `Break-even: the discount must lift the attach rate by at least ${(Number(w.display.breakEven) * Number(percentOff)).toFixed(0)} % of itself (elasticity ${w.display.breakEven} at ${percentOff} % off).`}
                      </List.Item>
                    </List>
                    {w.caveats.map((c) => (
                      <Text key={c} as="p" tone="subdued">
                        {c}
                      </Text>
                    ))}
                  </BlockStack>
                ),
              )}
            </BlockStack>

            {answer?.ok ? null : (
            <Form method="post">
              <input type="hidden" name="intent" value="launch" />
              {/* The preview's key; after a refusal the answer's (the same after a 5xx, so the retry resumes; new after a user error). */}
              <input type="hidden" name="idempotencyKey" value={answer && !answer.ok ? answer.nextKey : String(v.idempotencyKey)} />
              <input type="hidden" name="preview" value={previewKey} />
              <input type="hidden" name="anchors" value={String(v.anchors)} />
              <input type="hidden" name="addOns" value={String(v.addOns)} />
              <input type="hidden" name="goalDirection" value={String(v.goalDirection)} />
              <input type="hidden" name="combinesChosen" value="1" />
              <FormLayout>
                <FormLayout.Group condensed>
                  <TextField label="Discount on the add-on (%)" name="percentOff" value={percentOff} onChange={setPercentOff} autoComplete="off" inputMode="numeric" error={errorText(errors, "percentOff")} helpText={suggestionText(preview)} />
                  <Select
                    label="Kind"
                    name="kind"
                    options={[
                      { label: "Code (the storefront block applies it)", value: "code" },
                      { label: "Automatic", value: "automatic" },
                    ]}
                    value={kind}
                    onChange={setKind}
                    error={errorText(errors, "kind")}
                    helpText={
                      preview.cap.error
                        ? `Could not read the automatic discounts from Shopify (${preview.cap.error}): a code is the default.`
                        : `${preview.cap.active?.length ?? 0} of ${preview.cap.max} automatic discounts active or scheduled${preview.cap.atCap ? ": the cap is reached, so a code is the default." : "."}`
                    }
                  />
                  {kind === "code" && <TextField label="Code" name="code" value={code} onChange={setCode} autoComplete="off" error={errorText(errors, "code")} />}
                </FormLayout.Group>
                <TextField label="Title (as Shopify shows it)" name="title" value={title} onChange={setTitle} autoComplete="off" error={errorText(errors, "title")} />
                <FormLayout.Group condensed>
                  <TextField label="Start day" name="start" type="date" value={start} onChange={setStart} autoComplete="off" error={errorText(errors, "start")} />
                  <TextField label="End day (optional)" name="end" type="date" value={end} onChange={setEnd} autoComplete="off" error={errorText(errors, "end")} />
                </FormLayout.Group>
                <BlockStack gap="100">
                  <Text as="p">Combines with (the safe default: no other product discount on the add-on)</Text>
                  <InlineStack gap="400">
                    <Checkbox label="Product discounts" name="combinesProduct" value="on" checked={combinesProduct} onChange={setCombinesProduct} />
                    <Checkbox label="Order discounts" name="combinesOrder" value="on" checked={combinesOrder} onChange={setCombinesOrder} />
                    <Checkbox label="Shipping discounts" name="combinesShipping" value="on" checked={combinesShipping} onChange={setCombinesShipping} />
                  </InlineStack>
                  <FieldError errors={errors} field="combinesProduct" />
                </BlockStack>
                <Select
                  label="Customers"
                  name="segment"
                  options={[{ label: "Everyone", value: "" }, ...preview.segments.map((s) => ({ label: `Segment: ${s.name}`, value: s.id }))]}
                  value={segment}
                  onChange={setSegment}
                  error={errorText(errors, "segment")}
                  helpText={segment ? "A segment-limited bundle is not shown with its bundle price on the storefront (the block shows one price to every shopper)." : undefined}
                />
                <Text as="h3" variant="headingSm">
                  How it will be judged (fixed now, before launch)
                </Text>
                <FormLayout.Group condensed>
                  <Select label="Metric" name="metric" options={preview.metrics.map((m) => ({ label: METRIC_LABEL[m] ?? m, value: m }))} value={metric} onChange={setMetric} error={errorText(errors, "metric")} />
                  <TextField label="Goal" name="goal" value={goal} onChange={setGoal} autoComplete="off" inputMode="decimal" error={errorText(errors, "goal")} helpText={GOAL_HELP[metric] ?? "% per day"} />
                  <TextField label="Evaluation window (days)" name="evaluationDays" value={evaluationDays} onChange={setEvaluationDays} autoComplete="off" inputMode="numeric" error={errorText(errors, "evaluationDays")} />
                </FormLayout.Group>
                <FieldError errors={errors} field="anchors" />
                <FieldError errors={errors} field="addOns" />
                <Text as="p" tone="subdued">
                  {`The Action: ${METRIC_LABEL[preview.action.metric] ?? preview.action.metric}, goal ${preview.action.goal ?? "—"}, evaluated ${preview.action.window}, by a before/after against a control when one is found (else a before/after without one). It is recorded only once Shopify has the discount.`}
                </Text>
                <details>
                  <summary>{`The discount Shopify gets (${preview.mutation})`}</summary>
                  <pre style={{ whiteSpace: "pre-wrap", fontSize: 12 }}>{JSON.stringify(preview.discount, null, 2)}</pre>
                </details>
                <InlineStack gap="200">
                  <div data-testid="bundle-launch-submit">
                    <Button submit variant="primary" loading={launching} disabled={launching}>
                      Launch
                    </Button>
                  </div>
                  {/* A native button: Polaris' Button cannot send its form as a GET (the preview recomputed, nothing launched). */}
                  <button type="submit" formMethod="get" disabled={launching} data-testid="bundle-preview-update" style={{ padding: "6px 12px", borderRadius: 8, border: "1px solid #c9cccf", background: "#fff", cursor: "pointer" }}>
                    Update preview
                  </button>
                </InlineStack>
              </FormLayout>
            </Form>
            )}
          </BlockStack>
        </Card>
      </div>
    </Layout.Section>
  );
}
