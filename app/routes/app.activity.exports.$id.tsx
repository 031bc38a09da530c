import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "../shopify.server";
import { customerDataExportFile } from "../lib/activity.server";

const Params = z.object({ id: z.string().min(1).max(100) });

// A customer data export of the session's shop, as a JSON attachment. Another shop's export is a 404, like a missing one.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = Params.safeParse(params);
  const file = parsed.success ? await customerDataExportFile({ shop: session.shop, id: parsed.data.id }) : null;
  if (!file) return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
  return new Response(file.body, {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "private, no-store",
    },
  });
};
