import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, BlockStack, Button, Checkbox, DataTable, EmptyState, FormLayout, InlineStack, Layout, List, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { ActionError, actionsPage, createAction, evaluateAction, parsePlannedPower, whatIfBundle } from "../lib/insights/actions.server";
import { FormOutcome, SectionCard } from "../components/insight-page";
import { CampaignFigures } from "../components/campaign-figures";
import { authenticate } from "../shopify.server";
import { readForm } from "../lib/body-limits.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return actionsPage({ shop: session.shop, now: new Date() });
};

const Intent = z.object({ intent: z.enum(["create", "evaluate", "what-if"]) });
const Evaluate = z.object({ id: z.string().trim().min(1).max(100) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await readForm(request);
  const fields = { ...Object.fromEntries(form), products: form.getAll("products"), addOns: form.getAll("addOns") };
  const parsed = Intent.safeParse(fields);
  if (!parsed.success) return data({ intent: null, ok: false as const, error: "Unknown action: expected create, evaluate or what-if." }, { status: 400 });
  const intent = parsed.data.intent;
  const shop = session.shop;
  const now = new Date();
  try {
    if (intent === "create") {
      const created = await createAction({ shop, now, input: fields });
      return { intent, ok: true as const, message: `Recorded “${created.title}” (${created.status}).${powerSentence(created)}`, whatIf: null };
    }
    if (intent === "evaluate") {
      const id = Evaluate.safeParse(fields);
      if (!id.success) return data({ intent, ok: false as const, error: "Which action? The form sent no action id." }, { status: 400 });
      const evaluated = await evaluateAction({ shop, id: id.data.id, now });
      const unconfirmed = "confirmation" in evaluated && evaluated.confirmation?.confirmed === false ? evaluated.confirmation.reason : null;
      return { intent, ok: true as const, message: `${evaluated.action.title}: ${unconfirmed ?? `${evaluated.evaluation.verdict} — ${evaluated.evaluation.reason}`}`, whatIf: null };
    }
    const whatIf = await whatIfBundle({ shop, now, input: fields });
    return { intent, ok: true as const, message: null, whatIf };
  } catch (error) {
    if (error instanceof ActionError) return data({ intent, ok: false as const, error: error.message }, { status: error.status });
    throw error;
  }
};

/** The minimum detectable effect computed when the action was recorded, in a sentence (ADR 023). */
function powerSentence(row: { metric: string; plannedPower: unknown }): string {
  const p = parsePlannedPower(row.plannedPower);
  if (!p) return "";
  const x = row.metric === "attach-rate" ? `${(p.value * 100).toFixed(1)} points` : p.effectKind === "relative" ? `${(p.value * 100).toFixed(1)} %` : p.value.toFixed(0);
  return ` With this shop's recent variability, an effect of ${x} or more over ${p.days} days is detected with ${Math.round(p.power * 100)} % power.`;
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;
const VERDICT_TONE = { achieved: "success", "not achieved": "critical", inconclusive: "attention" } as const;
const KIND_LABEL = { "bundle-discount": "Bundle discount", widget: "Widget", "price-change": "Price change", campaign: "Campaign" } as const;
const METRIC_LABEL = { "attach-rate": "Attach rate", aov: "Average order value", units: "Units per day", revenue: "Revenue per day", margin: "Margin per day", "revenue-per-visitor": "Revenue per exposed visitor", conversion: "Conversion", "orders-per-customer": "Orders per customer", "revenue-per-customer": "Revenue per customer" } as const;

/** A plain multiple select (Polaris has none that posts with a form). */
function ProductPicker({ name, label, products }: { name: string; label: string; products: Loaded["products"] }) {
  return (
    <label style={{ display: "block" }}>
      <Text as="span">{label}</Text>
      <select name={name} multiple size={6} style={{ display: "block", width: "100%", marginTop: 4 }}>
        {products.map((p) => (
          <option key={p.id} value={p.id}>
            {p.title}
          </option>
        ))}
      </select>
    </label>
  );
}

function NewActionForm({ products, today, kinds, metrics }: Pick<Loaded, "products" | "today" | "kinds" | "metrics">) {
  const [kind, setKind] = useState<string>("bundle-discount");
  const [title, setTitle] = useState("");
  const [start, setStart] = useState(today);
  const [end, setEnd] = useState("");
  const [metric, setMetric] = useState("");
  const [goalValue, setGoalValue] = useState("");
  const [goalDirection, setGoalDirection] = useState("increase");
  const [evaluationDays, setEvaluationDays] = useState("");
  const [alreadyLive, setAlreadyLive] = useState(false);
  const [note, setNote] = useState("");
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="create" />
      <FormLayout>
        <FormLayout.Group>
          <Select label="Kind" name="kind" options={kinds.map((k) => ({ label: KIND_LABEL[k], value: k }))} value={kind} onChange={setKind} />
          <TextField label="Title" name="title" value={title} onChange={setTitle} autoComplete="off" />
        </FormLayout.Group>
        <FormLayout.Group>
          <ProductPicker name="products" label="Target products" products={products} />
          <ProductPicker name="addOns" label="Add-on products (attach rate)" products={products} />
        </FormLayout.Group>
        <FormLayout.Group condensed>
          <TextField label="First day" name="start" type="date" value={start} onChange={setStart} autoComplete="off" />
          <TextField label="Last day (optional)" name="end" type="date" value={end} onChange={setEnd} autoComplete="off" />
          <TextField label="Evaluation window (days from the first day)" name="evaluationDays" type="number" value={evaluationDays} onChange={setEvaluationDays} autoComplete="off" />
        </FormLayout.Group>
        <FormLayout.Group condensed>
          <Select
            label="Metric (chosen before launch)"
            name="metric"
            options={[{ label: "Choose…", value: "" }, ...metrics.map((m) => ({ label: METRIC_LABEL[m], value: m }))]}
            value={metric}
            onChange={setMetric}
          />
          <Select label="Goal" name="goalDirection" options={[{ label: "Increase", value: "increase" }, { label: "Decrease", value: "decrease" }]} value={goalDirection} onChange={setGoalDirection} />
          <TextField
            label="Minimum effect"
            name="goalValue"
            value={goalValue}
            onChange={setGoalValue}
            autoComplete="off"
            inputMode="decimal"
            helpText="Attach rate: share points (0.10 = 10 points). Average order: minor units. Units, revenue, margin: relative (0.05 = 5 %)."
          />
        </FormLayout.Group>
        <Checkbox label="Already live (recorded after it started)" name="alreadyLive" checked={alreadyLive} onChange={setAlreadyLive} />
        {alreadyLive && <TextField label="Note: when were the metric and goal decided?" name="note" value={note} onChange={setNote} autoComplete="off" multiline={2} />}
        <Button submit variant="primary">
          Record action
        </Button>
      </FormLayout>
    </Form>
  );
}

function WhatIfForm({ products }: { products: Loaded["products"] }) {
  const options = [{ label: "Choose…", value: "" }, ...products.map((p) => ({ label: p.title, value: p.id }))];
  const [anchor, setAnchor] = useState("");
  const [addOn, setAddOn] = useState("");
  const [discount, setDiscount] = useState("10");
  const [days, setDays] = useState("30");
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="what-if" />
      <FormLayout>
        <FormLayout.Group>
          <Select label="Anchor product" name="anchor" options={options} value={anchor} onChange={setAnchor} />
          <Select label="Add-on product (discounted)" name="addOn" options={options} value={addOn} onChange={setAddOn} />
        </FormLayout.Group>
        <FormLayout.Group condensed>
          <TextField label="Discount on the add-on (%)" name="discountPercent" value={discount} onChange={setDiscount} autoComplete="off" inputMode="decimal" />
          <TextField label="Campaign days" name="campaignDays" value={days} onChange={setDays} autoComplete="off" inputMode="numeric" />
        </FormLayout.Group>
        <Button submit>Estimate</Button>
      </FormLayout>
    </Form>
  );
}

export default function ActionsPage() {
  const page = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const whatIf = answer && answer.ok ? answer.whatIf : null;

  return (
    <Page title="Actions and impact" subtitle={`Did it work? Each action is judged against the metric and goal chosen before launch · days in ${page.timeZone}`}>
      <Layout>
        <FormOutcome answer={answer} />
        <SectionCard title="Actions">
          {page.actions.length === 0 ? (
            <EmptyState heading="No actions recorded yet" image="">
              <p>Record a discount, widget, price change or campaign before it starts, with the metric and goal that will decide whether it worked.</p>
            </EmptyState>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "text", "text", "text"]}
              headings={["Action", "Window", "Metric and goal", "Verdict", ""]}
              rows={page.actions.map((a) => [
                <BlockStack key={`${a.id}-t`} gap="100">
                  <Text as="span" fontWeight="semibold">
                    {a.title}
                  </Text>
                  <Text as="span" tone="subdued">
                    {`${KIND_LABEL[a.kind as keyof typeof KIND_LABEL] ?? a.kind} · ${a.status} · ${a.targets.join(", ")}${a.addOns.length > 0 ? ` → ${a.addOns.join(", ")}` : ""}`}
                  </Text>
                  {a.note && (
                    <Text as="span" tone="subdued">
                      {`Note: ${a.note}`}
                    </Text>
                  )}
                </BlockStack>,
                `${a.window} (evaluated ${a.evaluation})`,
                <BlockStack key={`${a.id}-g`} gap="100">
                  <Text as="span">{`${METRIC_LABEL[a.metric as keyof typeof METRIC_LABEL] ?? a.metric}: ${a.goal}`}</Text>
                  {a.power && (
                    <Text as="span" tone="subdued">
                      {a.power}
                    </Text>
                  )}
                </BlockStack>,
                a.verdict ? (
                  <BlockStack key={`${a.id}-v`} gap="100">
                    <InlineStack gap="200">
                      <Badge tone={VERDICT_TONE[a.verdict.verdict]}>{a.verdict.label}</Badge>
                      {a.verdict.estimate && <Text as="span">{`${a.verdict.estimate}${a.verdict.interval ? ` [${a.verdict.interval}]` : ""}`}</Text>}
                    </InlineStack>
                    <Text as="span" tone="subdued">
                      {a.verdict.reason}
                    </Text>
                    <Text as="span" tone="subdued">
                      {`Target ${a.verdict.target}${a.verdict.control ? ` · control ${a.verdict.control}` : " · no control (pre/post)"} · ${a.verdict.method}`}
                    </Text>
                    {a.verdict.details.map((d) => (
                      <Text key={d} as="span" tone="subdued">
                        {d}
                      </Text>
                    ))}
                    {a.verdict.figures && <CampaignFigures figures={a.verdict.figures} />}
                    {a.verdict.caveats.length > 0 && (
                      <List>
                        {a.verdict.caveats.map((c) => (
                          <List.Item key={c}>{c}</List.Item>
                        ))}
                      </List>
                    )}
                  </BlockStack>
                ) : (
                  "Not evaluated yet"
                ),
                <Form key={`${a.id}-e`} method="post">
                  <input type="hidden" name="intent" value="evaluate" />
                  <input type="hidden" name="id" value={a.id} />
                  <Button submit disabled={busy}>
                    Evaluate
                  </Button>
                </Form>,
              ])}
            />
          )}
        </SectionCard>
        <SectionCard title="Record a new action">
          <Text as="p" tone="subdued">
            Metric, goal and evaluation window are required now, before launch: deciding them afterwards lets any result look like success.
          </Text>
          <NewActionForm products={page.products} today={page.today} kinds={page.kinds} metrics={page.metrics} />
        </SectionCard>
        <SectionCard title="What if: a bundle discount">
          <Text as="p" tone="subdued">
            A discount on the add-on when bought with the anchor, projected from the last 90 days of orders.
          </Text>
          <WhatIfForm products={page.products} />
          {whatIf && (
            <BlockStack gap="200">
              <Text as="h3" variant="headingSm">
                {`${whatIf.input.discountPercent} % off ${whatIf.addOn.title} with ${whatIf.anchor.title}, ${whatIf.input.campaignDays} days`}
              </Text>
              <DataTable
                columnContentTypes={["text", "text"]}
                headings={["", ""]}
                rows={[
                  [`Orders with the anchor, projected over the ${whatIf.input.campaignDays} days`, whatIf.display.eligibleOrders],
                  [`Baseline attach rate (${whatIf.baseline.start} – ${whatIf.baseline.end})`, whatIf.display.baselineAttachRate],
                  ["Uptake range", whatIf.display.uptake],
                  ["Cost on orders that would have happened anyway", whatIf.display.subsidyCost],
                  ["Net incremental revenue", whatIf.display.netRevenue],
                  ["Net incremental margin", whatIf.display.netMargin ?? "— (no unit cost)"],
                  ["Break-even elasticity", whatIf.display.breakEven ?? "—"],
                ]}
              />
              <List>
                {[...whatIf.result.assumptions, ...whatIf.caveats].map((c) => (
                  <List.Item key={c}>{c}</List.Item>
                ))}
              </List>
            </BlockStack>
          )}
        </SectionCard>
      </Layout>
    </Page>
  );
}
