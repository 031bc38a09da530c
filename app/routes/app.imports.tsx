import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Button,
  Card,
  DataTable,
  DropZone,
  EmptyState,
  FormLayout,
  Layout,
  List,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useCallback, useState } from "react";
import { z } from "zod";
import { jobQueue } from "../jobs/queue.server";
import { authenticate } from "../shopify.server";
import {
  FORMAT_LABELS,
  IMPORT_FORMATS,
  importUpload,
  MAX_UPLOAD_BYTES,
  parseColumnMapping,
  UPLOAD_FIELD,
  UploadError,
  withUpload,
  type AdminImportResult,
} from "../lib/imports.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return {
    maxBytes: MAX_UPLOAD_BYTES,
    uploadField: UPLOAD_FIELD,
    formats: IMPORT_FORMATS.map((value) => ({ value, label: FORMAT_LABELS[value] })),
  };
};

const blankToUndefined = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());

const ImportForm = z.object({
  format: z.enum(IMPORT_FORMATS, { error: `Choose a format: ${IMPORT_FORMATS.join(", ")}.` }),
  mapping: z.string().max(10_000, "The column mapping is too long.").optional(),
  tz: z.string().max(64, "The time zone is too long.").optional().transform(blankToUndefined),
  currency: z.string().max(8, "The currency is a three-letter code.").optional().transform(blankToUndefined),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  try {
    return await withUpload(request, async ({ fields, file }) => {
      const parsed = ImportForm.safeParse(fields);
      if (!parsed.success) return data<AdminImportResult>({ ok: false, error: parsed.error.issues[0]!.message }, { status: 400 });
      if (!file) return data<AdminImportResult>({ ok: false, error: "Choose a file to import." }, { status: 400 });
      const { format, mapping, tz, currency } = parsed.data;
      const result = await importUpload({
        shop: session.shop,
        queue: jobQueue(),
        file,
        format,
        options: { map: format === "csv" ? parseColumnMapping(mapping) : undefined, tz, currency },
      });
      return data<AdminImportResult>(result, { status: result.ok ? 200 : 422 });
    });
  } catch (error) {
    if (error instanceof UploadError) return data<AdminImportResult>({ ok: false, error: error.message }, { status: error.status });
    throw error;
  }
};

const number = new Intl.NumberFormat("en-US");
const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

const FORMAT_HELP: { format: string; text: string }[] = [
  { format: "Shopify orders export", text: "the CSV from Orders → Export in your Shopify admin. Emails become a pseudonymous id and are never stored." },
  { format: "Online Retail", text: "the UCI Online Retail layout (InvoiceNo, StockCode, …); C-invoices are cancelled orders." },
  { format: "Baskets", text: "one basket per line, items separated by commas." },
  { format: "CDNOW", text: "the CDNOW_master.txt / CDNOW_sample.txt layout." },
  {
    format: "Other CSV",
    text: "any CSV of order lines with a header row; map our fields to your columns, one field=column per line (order_id, date and product are required; customer_id, quantity, price, currency, sku, cancelled, country are optional).",
  },
];

export default function Imports() {
  const { maxBytes, uploadField, formats } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<string>("shopify-csv");
  const [mapping, setMapping] = useState("");
  const [tz, setTz] = useState("");
  const [fileError, setFileError] = useState<string | null>(null);
  const importing = navigation.state === "submitting";

  const onDrop = useCallback(
    (_all: File[], accepted: File[]) => {
      const chosen = accepted[0] ?? null;
      if (chosen && chosen.size > maxBytes) {
        setFile(null);
        setFileError(`${chosen.name} is larger than ${megabytes(maxBytes)}, the most the admin accepts. Import it with the CLI.`);
        return;
      }
      setFileError(null);
      setFile(chosen);
    },
    [maxBytes],
  );

  const onSubmit = () => {
    if (!file) {
      setFileError("Choose a file to import.");
      return;
    }
    const form = new FormData();
    form.set("format", format);
    if (format === "csv") form.set("mapping", mapping);
    if (tz.trim() !== "") form.set("tz", tz.trim());
    form.set(uploadField, file, file.name);
    submit(form, { method: "post", encType: "multipart/form-data" });
  };

  return (
    <Page title="Import orders" subtitle="Bring order history in from a file, into this shop only.">
      <Layout>
        {result && (
          <Layout.Section>
            <ImportResult result={result} />
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <FormLayout>
              <DropZone label="File" allowMultiple={false} onDrop={onDrop} error={fileError !== null}>
                {file ? (
                  <BlockStack gap="100" inlineAlign="center">
                    <Text as="p" variant="bodyMd" fontWeight="semibold">
                      {file.name}
                    </Text>
                    <Text as="p" tone="subdued">
                      {number.format(Math.ceil(file.size / 1024))} KB
                    </Text>
                  </BlockStack>
                ) : (
                  <DropZone.FileUpload actionHint={`CSV or text, gzip allowed, up to ${megabytes(maxBytes)}`} />
                )}
              </DropZone>
              {fileError && (
                <Text as="p" tone="critical">
                  {fileError}
                </Text>
              )}
              <Select label="Format" options={formats} value={format} onChange={setFormat} />
              {format === "csv" && (
                <TextField
                  label="Column mapping"
                  value={mapping}
                  onChange={setMapping}
                  multiline={4}
                  autoComplete="off"
                  placeholder={"order_id=Invoice\ndate=Date\nproduct=Item"}
                  helpText="One field=column per line. A field whose column has the same name needs no line."
                />
              )}
              <TextField
                label="Time zone (optional)"
                value={tz}
                onChange={setTz}
                autoComplete="off"
                placeholder="Asia/Ho_Chi_Minh"
                helpText="For times written without an offset. Default: UTC (Europe/London for Online Retail)."
              />
              <Button variant="primary" onClick={onSubmit} loading={importing} disabled={importing}>
                Import
              </Button>
            </FormLayout>
          </Card>
        </Layout.Section>
        {!result && (
          <Layout.Section>
            <Card>
              <EmptyState heading="Import your order history from a file" image="/empty-history.svg">
                <BlockStack gap="200">
                  <p>
                    An import adds to what is already here: an order imported twice is stored once. A file that cannot be read
                    writes nothing; single bad rows are skipped and listed with their line.
                  </p>
                  <List type="bullet">
                    {FORMAT_HELP.map((f) => (
                      <List.Item key={f.format}>
                        <strong>{f.format}</strong>: {f.text}
                      </List.Item>
                    ))}
                  </List>
                </BlockStack>
              </EmptyState>
            </Card>
          </Layout.Section>
        )}
      </Layout>
    </Page>
  );
}

function ImportResult({ result }: { result: AdminImportResult }) {
  if (!result.ok) {
    return (
      <Banner tone="critical" title="The import failed; nothing was written">
        <p>{result.error}</p>
      </Banner>
    );
  }
  const r = result.report;
  const rows: [string, string][] = [
    ["Rows read", number.format(r.rowsRead)],
    ["Rows imported", number.format(r.rowsImported)],
    ["Rows skipped", number.format(r.rowsSkipped)],
    ["Orders", `${number.format(r.orders)}${r.cancelledOrders > 0 ? ` (${number.format(r.cancelledOrders)} cancelled)` : ""}`],
    ["Order lines", number.format(r.lines)],
    ["Customers", number.format(r.customers)],
    ["Products", number.format(r.products)],
  ];
  return (
    <BlockStack gap="400">
      <Banner tone={r.problemCount > 0 ? "warning" : "success"} title={`Imported ${r.fileName}`}>
        <p>
          {number.format(r.orders)} orders in {(r.elapsedMs / 1000).toFixed(1)} s
          {r.problemCount > 0 ? `; ${number.format(r.problemCount)} problem${r.problemCount === 1 ? "" : "s"} found, listed below.` : "."}
        </p>
      </Banner>
      <Card>
        <DataTable columnContentTypes={["text", "numeric"]} headings={["", "Count"]} rows={rows} />
      </Card>
      {r.problems.length > 0 && (
        <Card>
          <BlockStack gap="200">
            <Text as="h2" variant="headingMd">
              {r.problems.length < r.problemCount ? `First ${r.problems.length} of ${number.format(r.problemCount)} problems` : "Problems"}
            </Text>
            <DataTable
              columnContentTypes={["numeric", "text"]}
              headings={["Line", "Reason"]}
              rows={r.problems.map((p) => [p.line > 0 ? String(p.line) : "—", p.message])}
            />
          </BlockStack>
        </Card>
      )}
    </BlockStack>
  );
}
