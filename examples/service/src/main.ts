import { Worker } from "node:worker_threads";
import { connect } from "./db.ts";
import { listen } from "./http.ts";
import { MetricsReporter, pollJobs, type Handler } from "./scheduler.ts";

const db = connect(process.env["DATABASE_URL"] ?? "postgres://localhost/jobs");
const shutdown = new AbortController();
const handlers = new Map<string, Handler>([
  ["email", async (job) => console.log("send", job.payload)],
]);

// The job loop: started once, nobody watches it fail.
pollJobs(db, handlers, shutdown.signal);

// Heartbeat: a rejection from ping() is unhandled.
setInterval(async () => {
  await db.ping();
}, 30_000);

// Thumbnails run in a worker thread; its crash goes unnoticed.
const thumbnails = new Worker(new URL("./thumbnail-worker.js", import.meta.url));
thumbnails.postMessage({ warm: true });

// Cache warm-up: then() with no rejection handler.
db.claimJob().then((job) => console.log("first job", job?.id));

// Handled: the rejection is observed.
db.ping().catch((error) => console.error("initial ping failed", error));

// spawn-audit-ignore-next-line floating-promise -- best-effort telemetry, failure is acceptable
db.recordAudit("boot", { pid: process.pid });

new MetricsReporter(db);
listen(db, Number(process.env["PORT"] ?? 8080));

process.on("SIGTERM", () => shutdown.abort());
