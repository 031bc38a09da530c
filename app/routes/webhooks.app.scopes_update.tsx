import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "../shopify.server";
import { updateSessionScopes } from "../lib/uninstall-shop.server";

const Payload = z.object({ current: z.array(z.string()) });

// app/scopes_update: keep the stored offline session's scopes equal to what the merchant granted.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, payload } = await authenticate.webhook(request);
  const parsed = Payload.safeParse(payload);
  if (!parsed.success) return new Response("payload.current must be a list of scopes", { status: 400 });
  await updateSessionScopes({ shop, scopes: parsed.data.current });
  return new Response();
};
