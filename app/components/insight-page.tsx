/** Pieces the app's pages share: the caveats banner, a form's outcome, the Recompute button, a titled card section, a headline figure. */
import { Form, useNavigation } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Layout, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

/** What the numbers rest on (small samples, left-out orders, settings), above the results; nothing when all is well. */
export function Caveats({ caveats }: { caveats: readonly string[] }) {
  if (caveats.length === 0) return null;
  return (
    <Layout.Section>
      <Banner tone="warning" title="What these numbers rest on">
        <BlockStack gap="100">
          {caveats.map((c) => (
            <Text as="p" key={c}>
              {c}
            </Text>
          ))}
        </BlockStack>
      </Banner>
    </Layout.Section>
  );
}

/** Posts intent=recompute to the page's action (which queues the shop's insights.recompute job). */
export function RecomputeButton() {
  const navigation = useNavigation();
  return (
    <Form method="post">
      <input type="hidden" name="intent" value="recompute" />
      <Button submit loading={navigation.state !== "idle" && navigation.formMethod === "POST"}>
        Recompute
      </Button>
    </Form>
  );
}

/** A full-width card with a heading. */
export function SectionCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {children}
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}

/** One headline figure in a card: a label above a large value. */
export function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="p" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
      </BlockStack>
    </Card>
  );
}

/** What a page's form did: "Not done" with the reason, or the success message; nothing before a form is sent. */
export function FormOutcome({ answer }: { answer: { ok: true; message?: string | null } | { ok: false; error: string } | undefined }) {
  if (!answer) return null;
  if (!answer.ok) {
    return (
      <Layout.Section>
        <Banner tone="critical" title="Not done">
          <Text as="p">{answer.error}</Text>
        </Banner>
      </Layout.Section>
    );
  }
  if (!answer.message) return null;
  return (
    <Layout.Section>
      <Banner tone="success">
        <Text as="p">{answer.message}</Text>
      </Banner>
    </Layout.Section>
  );
}
