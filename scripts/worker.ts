/**
 * `npm run worker`: a process that runs the app's background jobs (webhook writes, compliance requests, sync steps)
 * from pg-boss on PostgreSQL. Run as many as you like beside the web process(es); each job runs once.
 *
 * PostgreSQL only: with the embedded database (DATABASE_URL unset) the web process runs the jobs itself, and a second
 * process could not open the database anyway.
 *
 * Needs the same environment as the web process (app/env.server.ts). SIGTERM/SIGINT stop taking jobs, let running ones
 * finish (up to 30 s; unfinished ones are retried by another worker) and exit.
 */
import { resolveDatabaseTarget } from "../app/db/adapters.server";

const target = resolveDatabaseTarget(process.env);
if (target.kind !== "postgres") {
  console.error(
    "npm run worker needs PostgreSQL (DATABASE_URL). With the embedded database the web process (npm start) runs the jobs itself.",
  );
  process.exit(1);
}

const { prisma } = await import("../app/db.server");
const { createJobQueue } = await import("../app/jobs/queue.server");

const queue = createJobQueue({ target, db: prisma, role: "worker" });
await queue.start();
(await import("../app/lib/retention.server")).startRetention({ db: prisma }); // prune old webhook events and finished jobs, now and every 6 h
console.log(`insight-loop worker: running jobs (pid ${process.pid}). Ctrl-C stops.`);

let stopping = false;
async function shutdown(signal: NodeJS.Signals) {
  if (stopping) return;
  stopping = true;
  console.log(`insight-loop worker: ${signal}, finishing running jobs...`);
  try {
    await queue.stop({ timeoutMs: 30_000 });
    await prisma.$disconnect();
  } finally {
    process.exit(signal === "SIGINT" ? 130 : 0);
  }
}
process.once("SIGTERM", (s) => void shutdown(s));
process.once("SIGINT", (s) => void shutdown(s));
