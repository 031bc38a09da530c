import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveStorefrontEvents } from "../lib/storefront/events.server";
import { authenticate } from "../shopify.server";

// Storefront events through Shopify's app proxy: /apps/insight-loop/events → here (ADR 020). The checks must run in a
// fixed order — size before the signature, the rate limit before the body is read — so the route hands the request,
// with Shopify's signature check, to the one function that does them (app/lib/storefront/events.server.ts).
export const action = ({ request }: ActionFunctionArgs) =>
  receiveStorefrontEvents(request, { verify: (r) => authenticate.public.appProxy(r) });

export const loader = () =>
  new Response(JSON.stringify({ error: "Only POST is accepted" }), {
    status: 405,
    headers: { Allow: "POST", "Content-Type": "application/json" },
  });
