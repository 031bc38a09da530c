import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, DataTable, EmptyState, FormLayout, InlineGrid, Layout, Page, Text, TextField } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { jobQueue } from "../jobs/queue.server";
import { customerValuePage, saveDefaultMargin } from "../lib/insights/customer-value-page.server";
import { recordMarketingSpend, SpendError } from "../lib/insights/marketing-spend.server";
import { requestInsightsRecompute } from "../lib/insights/recompute.server";
import { Caveats, RecomputeButton, SectionCard, Stat } from "../components/insight-page";
import { SegmentPublishing } from "../components/segment-publishing";
import { CustomerValueMargin } from "../components/customer-value-margin";
import { CustomerValueValidation } from "../components/customer-value-validation";
import { ActionError } from "../lib/insights/action-error";
import { publishSegment, unpublishSegment } from "../lib/segments/publish.server";
import { resumeSegmentWork, segmentsPage } from "../lib/segments/segments-page.server";
import { MissingAccessBanner } from "../components/missing-access";
import { missingAccess } from "../lib/access-scopes";
import { authenticate } from "../shopify.server";
import { readForm } from "../lib/body-limits.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [value, publishing] = await Promise.all([customerValuePage({ shop: session.shop }), segmentsPage({ shop: session.shop })]);
  return { ...value, publishing, access: missingAccess("segments", session.scope) };
};

const Intent = z.object({ intent: z.enum(["recompute", "spend", "margin", "publish-segment", "unpublish-segment", "resume-segment"]) });
const PublicationId = z.object({ id: z.string().trim().min(1).max(100) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = Object.fromEntries(await readForm(request));
  const intent = Intent.safeParse(form);
  if (!intent.success) return data({ ok: false as const, error: "Unknown action." }, { status: 400 });
  if (intent.data.intent === "publish-segment") {
    const result = await publishSegment({ shop: session.shop, now: new Date(), input: form, queue: jobQueue() });
    if (!result.ok) return data({ ok: false as const, error: null, segmentErrors: result.errors }, { status: 400 });
    return { ok: true as const, saved: null, segmentMessage: `"${result.publication.name}" is being published: customers are tagged in the background.` };
  }
  if (intent.data.intent === "unpublish-segment" || intent.data.intent === "resume-segment") {
    const id = PublicationId.safeParse(form);
    if (!id.success) return data({ ok: false as const, error: "Unknown published segment." }, { status: 400 });
    try {
      if (intent.data.intent === "unpublish-segment") await unpublishSegment({ shop: session.shop, id: id.data.id, queue: jobQueue() });
      else await resumeSegmentWork({ shop: session.shop, id: id.data.id, queue: jobQueue() });
      return { ok: true as const, saved: null };
    } catch (error) {
      if (error instanceof ActionError) return data({ ok: false as const, error: error.message }, { status: error.status });
      throw error;
    }
  }
  if (intent.data.intent === "margin") {
    const result = await saveDefaultMargin({ shop: session.shop, input: form });
    if (!result.ok) return data({ ok: false as const, error: null, marginError: result.error }, { status: 400 });
    await requestInsightsRecompute({ shop: session.shop, queue: jobQueue() });
    return {
      ok: true as const,
      saved: null,
      marginSaved:
        result.defaultMarginPercent === null
          ? "Default margin cleared; customer value is being recomputed."
          : `Default margin ${result.defaultMarginPercent} % saved; customer value is being recomputed in contribution.`,
    };
  }
  if (intent.data.intent === "spend") {
    try {
      const saved = await recordMarketingSpend({ shop: session.shop, input: form });
      await requestInsightsRecompute({ shop: session.shop, queue: jobQueue() });
      return { ok: true as const, saved: `${saved.month} (${saved.channel}) saved; acquisition cost is being recomputed.` };
    } catch (error) {
      if (error instanceof SpendError) return data({ ok: false as const, error: error.message }, { status: 400 });
      throw error;
    }
  }
  await requestInsightsRecompute({ shop: session.shop, queue: jobQueue() });
  return { ok: true as const, saved: null };
};

const pct = (x: number | null) => (x === null ? "—" : `${(x * 100).toFixed(1)} %`);
const fixed = (x: number, d = 3) => x.toFixed(d);

function SpendForm({ currency }: { currency: string }) {
  const [month, setMonth] = useState("");
  const [channel, setChannel] = useState("");
  const [amount, setAmount] = useState("");
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="spend" />
      <FormLayout>
        <FormLayout.Group condensed>
          <TextField label="Month" name="month" placeholder="2026-10" value={month} onChange={setMonth} autoComplete="off" />
          <TextField label="Channel (optional)" name="channel" placeholder="all channels" value={channel} onChange={setChannel} autoComplete="off" />
          <TextField label={`Spend (${currency})`} name="amount" value={amount} onChange={setAmount} autoComplete="off" inputMode="decimal" />
        </FormLayout.Group>
        <Button submit>Save spend</Button>
      </FormLayout>
    </Form>
  );
}

export default function CustomersPage() {
  const page = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const recompute = <RecomputeButton />;
  const segmentAnswer = answer && "segmentErrors" in answer ? answer.segmentErrors : undefined;
  const segmentMessage = answer && "segmentMessage" in answer ? answer.segmentMessage : null;
  const publishCard = <SegmentPublishing {...page.publishing} errors={segmentAnswer} message={segmentMessage} />;
  const marginError = answer && "marginError" in answer ? (answer.marginError ?? null) : null;
  const marginSaved = answer && "marginSaved" in answer ? (answer.marginSaved ?? null) : null;
  if (!page.ready) {
    return (
      <Page title="Customer value">
        <BlockStack gap="400">
          <MissingAccessBanner access={page.access} />
          <Card>
            <EmptyState heading="No customer value yet" image="" action={{ content: "Go to Home", url: "/app" }}>
              <p>Lifetime value, RFM groups and retention are computed from your orders after the first sync (or an import).</p>
              <div style={{ marginTop: 12 }}>{recompute}</div>
            </EmptyState>
          </Card>
          <Card>
            <CustomerValueMargin basis={null} defaultMarginPercent={page.defaultMarginPercent} error={marginError} saved={marginSaved} />
          </Card>
          {page.publishing.publications.length > 0 || page.publishing.choices.some((c) => c.customers > 0) ? publishCard : null}
        </BlockStack>
      </Page>
    );
  }
  const { summary, model, groups, agreement, cohorts, churn, validation, predictions, basis, horizons, slipping, segments, cac, currency, computedAt } = page;
  const valueLabel = basis.basis === "contribution" ? "contribution" : "net revenue";
  const between = (i: { low: string; high: string } | null) => (i ? ` (90 % interval ${i.low} – ${i.high})` : "");
  const months = Math.max(0, ...cohorts.map((c) => c.retention.length));
  return (
    <Page
      title="Customer value"
      subtitle={`${summary.customers.toLocaleString("en-US")} customers, ${summary.repeatCustomers.toLocaleString("en-US")} came back · as of ${summary.asOf} (${summary.timeZone}) · computed ${computedAt.slice(0, 16).replace("T", " ")} UTC`}
      primaryAction={recompute}
    >
      <Layout>
        <MissingAccessBanner access={page.access} />
        <Caveats caveats={summary.caveats} />
        {model && predictions.shown && (
          <Layout.Section>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
              <Stat
                label={`Expected repeat purchases, next ${horizons.purchasesDays} days (${model.purchases.name})`}
                value={model.expectedPurchases === null ? "—" : Math.round(model.expectedPurchases).toLocaleString("en-US")}
              />
              <Stat label={`Lifetime value, next 12 months, in ${valueLabel}${between(model.interval?.total ?? null)}`} value={model.clv ?? "—"} />
              <Stat
                label={`Lifetime value per customer, next 12 months, in ${valueLabel}${between(model.interval?.perCustomer ?? null)}`}
                value={model.clvPerCustomer ?? "—"}
              />
              <Stat label="Share of customers the model expects have stopped buying" value={model.expectedChurn ? pct(model.expectedChurn.churnShare) : "—"} />
            </InlineGrid>
          </Layout.Section>
        )}
        {!predictions.shown && (
          <Layout.Section>
            <Banner tone="warning" title="No predictions shown">
              <Text as="p">
                {predictions.withheld
                  ? `The purchase model's predictions are not shown as predictions because ${predictions.withheld}.`
                  : "No purchase model could be fitted on these orders."}{" "}
                What is shown are observed figures: {summary.customers.toLocaleString("en-US")} customers, {pct(summary.customers > 0 ? summary.repeatCustomers / summary.customers : null)} of
                them bought more than once; {basis.basis === "contribution" ? `contribution to date ${basis.contribution}` : `net revenue to date ${basis.netRevenue}`}.
              </Text>
            </Banner>
          </Layout.Section>
        )}
        <SectionCard title="What the money figures are">
          <CustomerValueMargin basis={basis} defaultMarginPercent={page.defaultMarginPercent} error={marginError} saved={marginSaved} />
        </SectionCard>
        <SectionCard title="Does the purchase model predict well? (holdout check)">
          <CustomerValueValidation validation={validation} />
        </SectionCard>
        <SectionCard title="RFM groups">
          {agreement && (
            <Text as="p" tone="subdued">
              Agrees with Shopify&apos;s own RFM group for {pct(agreement.agreeing / agreement.compared)} of {agreement.compared.toLocaleString("en-US")} customers.
            </Text>
          )}
          <DataTable
            columnContentTypes={["text", "numeric", "numeric"]}
            headings={["Group", "Customers", `Average lifetime value per customer, next 12 months, in ${valueLabel}`, "90 % interval"]}
            rows={groups.map((g) => [
              g.group.replaceAll("_", " ").toLowerCase(),
              g.customers.toLocaleString("en-US"),
              g.clv ?? "—",
              g.interval ? `${g.interval.low} – ${g.interval.high}` : "—",
            ])}
          />
        </SectionCard>
        <SectionCard title="Valuable customers slipping away">
          {!predictions.shown ? (
            <Text as="p">Not shown: this list rests on the purchase model&apos;s chance that a customer is still active, and the model is not shown as a prediction (see above).</Text>
          ) : slipping.length === 0 ? (
            <Text as="p">No repeat customer is below a 50 % chance of still being active.</Text>
          ) : (
            <DataTable
              columnContentTypes={["text", "numeric", "numeric", "numeric", "text"]}
              headings={["Customer id", "Orders", "Spent (net of refunds)", "Chance still active (model)", "RFM group"]}
              rows={slipping.map((s) => [s.customerId, s.orders, s.totalSpend, pct(s.pAlive), s.rfmGroup.replaceAll("_", " ").toLowerCase()])}
            />
          )}
        </SectionCard>
        <SectionCard title="Retention by first-order month">
          {cohorts.length === 0 ? (
            <Text as="p">No customer orders yet.</Text>
          ) : (
            <DataTable
              columnContentTypes={["text", "numeric", ...Array.from({ length: months }, () => "numeric" as const)]}
              headings={["Cohort", "Customers", ...Array.from({ length: months }, (_, k) => `Month ${k}`)]}
              rows={cohorts.map((c) => [c.cohort, c.customers, ...Array.from({ length: months }, (_, k) => (k < c.retention.length ? pct(c.retention[k]!) : ""))])}
            />
          )}
          {churn.length > 0 && (
            <Text as="p" tone="subdued">
              Monthly churn (customers active the month before with no order this month):{" "}
              {churn.map((c) => `${c.period} ${pct(c.churnRate)}`).join(" · ")}
            </Text>
          )}
        </SectionCard>
        {segments.map((seg) => (
          <Layout.Section key={seg.by}>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Segments by {seg.by}
                </Text>
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "text"]}
                  headings={[
                    "Segment",
                    "Customers",
                    "Average order (paid, net of refunds)",
                    "Orders per customer",
                    "Came back",
                    `Lifetime value per customer, next 12 months, in ${valueLabel}`,
                    predictions.shown ? "Churn (model)" : "Churn",
                    "Top products",
                  ]}
                  rows={seg.rows.map((r) => [r.segment, r.customers, r.aov, r.purchaseFrequency.toFixed(2), pct(r.repeatRate), r.meanClv ?? "—", predictions.shown ? pct(r.churn) : "—", r.topProducts.join(", ")])}
                />
                {seg.comparison && (
                  <Text as="p" tone="subdued">
                    {seg.comparison.a} vs {seg.comparison.b} ({Math.round(seg.comparison.level * 100)} % bootstrap intervals of the difference):{" "}
                    {seg.comparison.differences
                      .map((d) => `${d.metric} ${d.difference >= 0 ? "+" : ""}${d.difference.toFixed(3)} [${d.low.toFixed(3)}, ${d.high.toFixed(3)}]${d.significant ? " — a real difference" : " — within noise"}`)
                      .join(" · ")}
                  </Text>
                )}
              </BlockStack>
            </Card>
          </Layout.Section>
        ))}
        <SectionCard title="Acquisition cost">
          {answer && !answer.ok && answer.error && <Banner tone="critical">{answer.error}</Banner>}
          {answer && answer.ok && answer.saved && <Banner tone="success">{answer.saved}</Banner>}
          <Text as="p" tone="subdued">
            Enter what you spent on marketing per month (and per channel, if you like): the app divides it by the new customers of that
            month (guest checkouts included) for CAC, and compares it with their lifetime value in {valueLabel} (to date plus the next 12
            months).
          </Text>
          <SpendForm currency={currency} />
          {cac ? (
            <>
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                headings={["Month", "Spend", "New customers (of them guests)", "CAC", `LTV per new customer, in ${valueLabel}`, "LTV:CAC", `Payback on ${valueLabel} (months)`]}
                rows={cac.months.map((m) => [
                  m.month,
                  m.spend,
                  `${m.newCustomers} (${m.guestNewCustomers})`,
                  m.cac,
                  m.ltv,
                  m.ltvToCac === null ? "—" : m.ltvToCac.toFixed(2),
                  m.paybackMonths ?? "—",
                ])}
              />
              {cac.messages.map((m) => (
                <Text as="p" tone="subdued" key={m}>
                  {m}
                </Text>
              ))}
            </>
          ) : (
            <Text as="p">No spend entered yet.</Text>
          )}
        </SectionCard>
        {model && (
          <SectionCard title="The models behind it">
            <Text as="p">
              {model.purchases.name} (time in days): r = {fixed(model.purchases.params.r)}, α = {fixed(model.purchases.params.alpha, 2)}, a ={" "}
              {fixed(model.purchases.params.a)}, b = {fixed(model.purchases.params.b)}
              {model.purchases.standardErrors
                ? ` (standard errors ${fixed(model.purchases.standardErrors.r)}, ${fixed(model.purchases.standardErrors.alpha, 2)}, ${fixed(model.purchases.standardErrors.a)}, ${fixed(model.purchases.standardErrors.b)})`
                : ""}
              ; log-likelihood {model.purchases.logLikelihood.toFixed(1)}.
              {model.gammaGamma ? ` Gamma-Gamma ${valueLabel} per order: p = ${fixed(model.gammaGamma.params.p)}, q = ${fixed(model.gammaGamma.params.q)}, v = ${fixed(model.gammaGamma.params.v, 1)}.` : ""}
              {model.interval ? ` Intervals: ${model.interval.draws} draws of the parameters from their estimated uncertainty; they do not include the randomness of the purchases themselves.` : ""}
            </Text>
          </SectionCard>
        )}
        <Layout.Section>{publishCard}</Layout.Section>
      </Layout>
    </Page>
  );
}
