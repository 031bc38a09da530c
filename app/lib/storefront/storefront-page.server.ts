/**
 * The admin's "Storefront offers" page: the widgets with their traffic, running tests and verdicts, the holdout, and
 * the last publication; and what its forms do (each change to the storefront settings is published again at once).
 */
import type { PrismaClient } from "@prisma/client";
import { z } from "zod";
import defaultPrisma from "../../db.server";
import { JOB } from "../../jobs/names";
import type { JobQueue } from "../../jobs/types";
import { ActionError } from "../insights/action-error";
import { evaluateAction } from "../insights/actions.server";
import { readLastPublication } from "./publish.server";
import { launchWidget, stopWidget, storefrontPage as widgetsPage, updateStorefrontSettings, widgetMinimumDetectableEffect, WIDGET_LABEL, type Widget } from "./widgets.server";

/** Queues a publication of the shop's storefront settings and offers (one waits per shop). */
export async function requestStorefrontPublication({ shop, queue }: { shop: string; queue: JobQueue }) {
  await queue.enqueue(JOB.storefrontPublish, {}, { shop, singletonKey: `storefront/${shop}` });
}

export async function storefrontPage({ db = defaultPrisma, shop, now }: { db?: PrismaClient; shop: string; now: Date }) {
  const page = await widgetsPage({ db, shop, now });
  const { holdoutShare } = page.settings;
  const widgets = await Promise.all(
    // Only a widget that can be launched shows what a test could detect (each reads the widget's last 28 days of visitors).
    page.widgets.map(async (w) => ({
      ...w,
      mde: w.action?.running ? null : await widgetMinimumDetectableEffect({ db, shop, widget: w.widget as Widget, now, evaluationDays: 28, holdoutShare }),
    })),
  );
  const last = await readLastPublication(db, shop);
  const publication = last
    ? `${last.status.toLowerCase()} ${last.finishedAt?.toISOString().slice(0, 16).replace("T", " ") ?? "(running)"} UTC — ${last.written} written, ${last.unchanged} unchanged, ${last.removed} removed, ${last.failed} failed${last.error ? ` (${last.error})` : ""}`
    : null;
  return { ...page, widgets, publication };
}

const Id = z.object({ id: z.string().trim().min(1).max(100) });
const WidgetField = z.object({ widget: z.string().trim().min(1).max(20) });

/** One of the page's forms: settings, launch, stop (each republished) or evaluate. Returns the message to show. */
export async function storefrontChange({ db = defaultPrisma, shop, now, intent, input, queue }: { db?: PrismaClient; shop: string; now: Date; intent: "settings" | "launch" | "stop" | "evaluate"; input: unknown; queue: JobQueue }): Promise<string> {
  const publish = () => requestStorefrontPublication({ shop, queue });
  if (intent === "evaluate") {
    const id = Id.safeParse(input);
    if (!id.success) throw new ActionError("Which action? The form sent no action id.", 400);
    const { action, evaluation } = await evaluateAction({ db, shop, id: id.data.id, now });
    return `${action.title}: ${evaluation.verdict} — ${evaluation.reason}`;
  }
  if (intent === "settings") {
    const s = await updateStorefrontSettings({ db, shop, input });
    await publish();
    return `Holdout set to ${(s.holdoutShare * 100).toFixed(1)} % of visitors (version ${s.version}); publishing to the storefront.`;
  }
  if (intent === "launch") {
    const { action } = await launchWidget({ db, shop, now, input });
    await publish();
    return `Launched “${action.title}”: the goal and window are fixed; shoppers see it once the theme shows the block.`;
  }
  const w = WidgetField.safeParse(input);
  if (!w.success) throw new ActionError("Which widget? The form sent none.", 400);
  await stopWidget({ db, shop, now, widget: w.data.widget });
  await publish();
  return `${WIDGET_LABEL[w.data.widget as Widget] ?? w.data.widget} turned off; its test ended today.`;
}
