import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, Button, DataTable, Layout, Page, Text } from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { SectionCard } from "../components/insight-page";
import { authenticate } from "../shopify.server";
import { getActivity, retryJob, type ActivityPublication, type ActivitySyncRun } from "../lib/activity.server";
import { readForm } from "../lib/body-limits.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return getActivity({ shop: session.shop });
};

const Retry = z.object({ intent: z.literal("retry"), jobId: z.string().min(1).max(100) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = Retry.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ ok: false as const, error: "Unknown action." }, { status: 400 });
  const outcome = await retryJob({ shop: session.shop, id: parsed.data.jobId });
  if (outcome === "not-found") {
    return data({ ok: false as const, error: "This job is not a failed job of your shop any more (it may have been retried already)." }, { status: 404 });
  }
  return { ok: true as const, jobId: parsed.data.jobId };
};

const number = new Intl.NumberFormat("en-US");
const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace("T", " ")} UTC` : "—");

const STATUS_TONE: Record<ActivitySyncRun["status"], "success" | "critical" | "info" | "attention" | undefined> = {
  SUCCEEDED: "success",
  FAILED: "critical",
  RUNNING: "info",
  PENDING: "attention",
  CANCELLED: undefined,
};

const PUBLICATION_TONE: Record<ActivityPublication["status"], "success" | "critical" | "info"> = {
  SUCCEEDED: "success",
  FAILED: "critical",
  RUNNING: "info",
};

export default function ActivityPage() {
  const { syncRuns, lastPublication, failedJobs, exports, exportsInProgress } = useLoaderData<typeof loader>();
  const retry = useFetcher<typeof action>();
  // The fetcher's answer in the browser; the action's on a plain form post (no JavaScript).
  const posted = useActionData<typeof action>();
  const retried = retry.data ?? posted;
  const [downloadError, setDownloadError] = useState<string | null>(null);

  // App Bridge adds the session token to same-origin fetches: a plain link would reach the server without one.
  const download = async (id: string) => {
    setDownloadError(null);
    const response = await fetch(`/app/activity/exports/${encodeURIComponent(id)}`);
    if (!response.ok) {
      setDownloadError("That export could not be downloaded. Reload the page and try again.");
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = `customer-data-export-${id}.json`;
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Page title="Background work" subtitle="Syncs, imports, storefront publication, background jobs and customer data exports of this shop.">
      <Layout>
        {retried && (
          <Layout.Section>
            {retried.ok ? (
              <Banner tone="success" title="Job queued again">
                <p>It runs in a moment. If it fails again it comes back to this list.</p>
              </Banner>
            ) : (
              <Banner tone="critical" title="The job was not retried">
                <p>{retried.error}</p>
              </Banner>
            )}
          </Layout.Section>
        )}
        <SectionCard title="Syncs and imports">
          {syncRuns.length === 0 ? (
            <Text as="p" tone="subdued">
              No sync has run yet. The first full sync starts after installation; “Sync now” on the home page starts another.
            </Text>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "text", "numeric", "numeric", "text", "text"]}
              headings={["Started", "Kind", "Status", "Objects", "Errors", "Phase", "Last error"]}
              rows={syncRuns.map((run) => [
                when(run.startedAt),
                run.kind,
                <Badge key={run.id} tone={STATUS_TONE[run.status]}>
                  {run.status.toLowerCase()}
                </Badge>,
                run.objectsTotal ? `${number.format(run.objectsDone)} / ${number.format(run.objectsTotal)}` : number.format(run.objectsDone),
                number.format(run.errorCount),
                run.phase,
                run.lastError ?? "—",
              ])}
            />
          )}
        </SectionCard>
        <SectionCard title="Storefront publication">
          {lastPublication === null ? (
            <Text as="p" tone="subdued">
              Nothing published to the storefront yet. After each insights recompute the suggestions are written to your
              products, where the theme blocks read them.
            </Text>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "text", "numeric", "numeric", "numeric", "numeric", "text"]}
              headings={["Started", "Finished", "Status", "Written", "Unchanged", "Removed", "Failed", "Error"]}
              rows={[
                [
                  when(lastPublication.startedAt),
                  when(lastPublication.finishedAt),
                  <Badge key={lastPublication.id} tone={PUBLICATION_TONE[lastPublication.status]}>
                    {lastPublication.status.toLowerCase()}
                  </Badge>,
                  number.format(lastPublication.written),
                  number.format(lastPublication.unchanged),
                  number.format(lastPublication.removed),
                  number.format(lastPublication.failed),
                  lastPublication.error ?? "—",
                ],
              ]}
            />
          )}
        </SectionCard>
        <SectionCard title="Failed jobs">
          {failedJobs.length === 0 ? (
            <Text as="p" tone="subdued">
              No failed jobs. Webhook updates and compliance requests are retried automatically; a job that still fails
              after its last attempt shows up here with its error.
            </Text>
          ) : (
            <DataTable
              columnContentTypes={["text", "numeric", "text", "text", "text"]}
              headings={["Job", "Attempts", "Last error", "Failed", ""]}
              rows={failedJobs.map((job) => [
                job.name,
                String(job.attempts),
                job.lastError || "—",
                when(job.failedAt),
                <retry.Form key={job.id} method="post">
                  <input type="hidden" name="intent" value="retry" />
                  <input type="hidden" name="jobId" value={job.id} />
                  <Button submit size="slim" loading={retry.state !== "idle" && retry.formData?.get("jobId") === job.id}>
                    Retry
                  </Button>
                </retry.Form>,
              ])}
            />
          )}
        </SectionCard>
        <SectionCard title="Customer data exports">
          {exportsInProgress > 0 && (
            <Banner tone="info">
              <p>
                {exportsInProgress} data request{exportsInProgress === 1 ? " is" : "s are"} being prepared.
              </p>
            </Banner>
          )}
          {downloadError && (
            <Banner tone="critical">
              <p>{downloadError}</p>
            </Banner>
          )}
          {exports.length === 0 ? (
            <Text as="p" tone="subdued">
              No customer data requests yet. When a customer asks Shopify for their data, an export of what Insight Loop
              holds about them appears here for you to download and pass on.
            </Text>
          ) : (
            <DataTable
              columnContentTypes={["text", "text", "text"]}
              headings={["Ready", "Data request", ""]}
              rows={exports.map((e) => [
                when(e.readyAt),
                e.dataRequestId ?? "—",
                <Button key={e.id} size="slim" onClick={() => void download(e.id)}>
                  Download JSON
                </Button>,
              ])}
            />
          )}
        </SectionCard>
      </Layout>
    </Page>
  );
}
