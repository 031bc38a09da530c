/**
 * The local Shopify admin as the merchant sees it: a page that embeds the app in an iframe, like admin.shopify.com does,
 * with a fresh session token on every load (real session tokens live one minute, so a printed URL with a token in it
 * would soon be dead). The storefront is its own module (storefront.ts); `storefrontUrl` is re-exported here for callers.
 *
 * Two more pages show what the app did in Shopify, as the merchant would check it in the Shopify admin:
 * - `GET /store/<store>/discounts`: every discount (title, kind, code, status), one `<tr data-discount-title="…">` each
 *   with `data-status` (ACTIVE, SCHEDULED, EXPIRED) and `data-code`.
 * - `GET /store/<store>/segments`: every customer segment with its query and its member count
 *   (`<tr data-segment-name="…" data-members="N">`), and its first members with their tags
 *   (`<li data-customer="<id>" data-tags="a,b">`).
 * Both read the shop through the Admin GraphQL API (as Shopify's admin does), with a token of their own.
 */
import { escapeHtml } from "../html";
import { hostParam, signSessionToken } from "../session-token";
import type { ApiModule, LocalShopify } from "../server";

export interface EmbeddedApp {
  apiKey: string;
  apiSecret: string;
  appUrl: string;
  handle: string;
  name: string;
}

export { storefrontUrl } from "./storefront";

const storeHandle = (domain: string) => domain.replace(".myshopify.com", "");

export function adminUrl(local: LocalShopify, shop: string, app: EmbeddedApp) {
  return `${local.origin}/store/${storeHandle(shop)}/apps/${app.handle}`;
}

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
  body { margin: 0; font-family: Inter, system-ui, sans-serif; background: #f1f1f1; color: #303030; }
  header { background: #1a1a1a; color: #fff; padding: 10px 16px; font-size: 14px; display: flex; gap: 12px; align-items: center; }
  header b { font-weight: 600; } header span { opacity: .7; }
  iframe { border: 0; width: 100%; height: calc(100vh - 40px); display: block; background: #f1f1f1; }
</style></head><body>${body}</body></html>`;
}

const DISCOUNTS_QUERY = `query AdminDiscounts {
  discountNodes(first: 100) {
    nodes {
      id
      discount {
        __typename
        ... on DiscountCodeBxgy { title status codes(first: 1) { nodes { code } } }
        ... on DiscountAutomaticBxgy { title status }
        ... on DiscountCodeBasic { title status codes(first: 1) { nodes { code } } }
        ... on DiscountAutomaticBasic { title status }
      }
    }
  }
}`;

const SEGMENTS_QUERY = `query AdminSegments { segments(first: 100) { nodes { id name query } } }`;
const MEMBERS_QUERY = `query AdminSegmentMembers($id: ID!) { customerSegmentMembers(segmentId: $id, first: 25) { totalCount edges { node { id } } } }`;
const CUSTOMER_TAGS_QUERY = `query AdminCustomerTags($id: ID!) { customer(id: $id) { id tags } }`;

interface DiscountRow {
  id: string;
  discount: { __typename: string; title: string; status: string; codes?: { nodes: { code: string }[] } };
}

/** Runs one Admin GraphQL query for the shop with the admin pages' own token; throws on errors (a page bug). */
async function adminQuery<T>(local: LocalShopify, shop: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const token = `admin-page:${shop}`;
  if (!local.shopForToken(token)) local.issueAccessToken(shop, token);
  const { body } = await local.graphql(token, { query, variables });
  const result = body as { data?: T; errors?: { message: string }[] };
  if (result.errors?.length || !result.data) throw new Error(`admin page query failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

const html = (title: string, body: string) => ({ status: 200, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }, body: page(title, body) });
const attr = (value: string) => escapeHtml(value);

async function discountsPage(local: LocalShopify, shop: string) {
  const data = await adminQuery<{ discountNodes: { nodes: DiscountRow[] } }>(local, shop, DISCOUNTS_QUERY);
  const rows = data.discountNodes.nodes.map(({ id, discount: d }) => {
    const code = d.codes?.nodes[0]?.code ?? "";
    const kind = d.__typename.replace(/^Discount/, "");
    return `<tr data-discount-id="${attr(id)}" data-discount-title="${attr(d.title)}" data-status="${attr(d.status)}" data-code="${attr(code)}"><td>${escapeHtml(d.title)}</td><td>${escapeHtml(kind)}</td><td>${escapeHtml(code || "automatic")}</td><td>${escapeHtml(d.status)}</td></tr>`;
  });
  return html(
    "Discounts",
    `<header><b>${escapeHtml(shop)}</b><span>Local Shopify admin</span><span>›</span><b>Discounts</b></header><main style="padding:16px"><table>
<thead><tr><th>Title</th><th>Type</th><th>Code</th><th>Status</th></tr></thead><tbody>${rows.join("")}</tbody></table>${rows.length === 0 ? "<p>No discounts</p>" : ""}</main>`,
  );
}

async function segmentsPage(local: LocalShopify, shop: string) {
  const { segments } = await adminQuery<{ segments: { nodes: { id: string; name: string; query: string }[] } }>(local, shop, SEGMENTS_QUERY);
  const sections: string[] = [];
  for (const segment of segments.nodes) {
    const { customerSegmentMembers: members } = await adminQuery<{ customerSegmentMembers: { totalCount: number; edges: { node: { id: string } }[] } }>(local, shop, MEMBERS_QUERY, {
      id: segment.id,
    });
    const items: string[] = [];
    for (const { node } of members.edges) {
      const customerId = node.id.replace("CustomerSegmentMember", "Customer");
      const { customer } = await adminQuery<{ customer: { id: string; tags: string[] } | null }>(local, shop, CUSTOMER_TAGS_QUERY, { id: customerId });
      if (customer) items.push(`<li data-customer="${attr(customer.id.split("/").pop()!)}" data-tags="${attr(customer.tags.join(","))}">${escapeHtml(customer.id)}: ${escapeHtml(customer.tags.join(", "))}</li>`);
    }
    sections.push(
      `<tr data-segment-id="${attr(segment.id)}" data-segment-name="${attr(segment.name)}" data-members="${members.totalCount}"><td>${escapeHtml(segment.name)}</td><td><code>${escapeHtml(segment.query)}</code></td><td>${members.totalCount}</td><td><ul>${items.join("")}</ul></td></tr>`,
    );
  }
  return html(
    "Segments",
    `<header><b>${escapeHtml(shop)}</b><span>Local Shopify admin</span><span>›</span><b>Customer segments</b></header><main style="padding:16px"><table>
<thead><tr><th>Name</th><th>Query</th><th>Customers</th><th>First members and their tags</th></tr></thead><tbody>${sections.join("")}</tbody></table>${sections.length === 0 ? "<p>No segments</p>" : ""}</main>`,
  );
}

export function adminPageModule(app: EmbeddedApp): ApiModule {
  return {
    name: "admin-page",
    install(local) {
      local.route("GET", /^\/store\/([a-z0-9-]+)\/apps\/([a-z0-9-]+)$/, async (_request, match) => {
        const shop = `${match[1]}.myshopify.com`;
        if (!local.shops.has(shop) || match[2] !== app.handle) return { status: 404, body: "Not Found" };
        const token = await signSessionToken({ shop, apiKey: app.apiKey, secret: app.apiSecret });
        const src = new URL("/app", app.appUrl);
        src.search = new URLSearchParams({ embedded: "1", shop, host: hostParam(shop), locale: "en", id_token: token }).toString();
        const body = `<header><b>${escapeHtml(match[1]!)}</b><span>Local Shopify admin</span><span>›</span><b>${escapeHtml(app.name)}</b></header>
<iframe title="${escapeHtml(app.name)}" name="app-iframe" src="${escapeHtml(src.toString())}"></iframe>`;
        return html(app.name, body);
      });
      local.route("GET", /^\/store\/([a-z0-9-]+)\/(discounts|segments)$/, async (_request, match) => {
        const shop = `${match[1]}.myshopify.com`;
        if (!local.shops.has(shop)) return { status: 404, body: "Not Found" };
        return match[2] === "discounts" ? discountsPage(local, shop) : segmentsPage(local, shop);
      });
    },
  };
}
