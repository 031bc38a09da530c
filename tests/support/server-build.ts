/**
 * The production server build (`npm run build`), loaded in-process so that integration tests exercise the real request
 * path: Remix routing, entry.server, the loaders, shopifyApp()'s authenticate.admin, Polaris rendering.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { ROOT } from "./migrations";

const BUILD = path.join(ROOT, "build/server/index.js");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether build/server/index.js exists and is newer than every file under app/. */
export function isBuildFresh(): boolean {
  return existsSync(BUILD) && statSync(BUILD).mtimeMs >= newestSource(path.join(ROOT, "app"));
}

export async function loadRequestHandler() {
  if (!existsSync(BUILD)) throw new Error("No server build: run `npm run build` first (`npm test` does).");
  if (!isBuildFresh()) throw new Error("The server build is older than app/: run `npm run build` again (`npm test` does).");
  const build = (await import(pathToFileURL(BUILD).href)) as ServerBuild;
  return createRequestHandler(build, "production");
}
