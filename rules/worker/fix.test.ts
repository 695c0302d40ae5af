import { describeFixCases } from "../../test/fix/support.ts";

describeFixCases("worker fix: superviseWorker re-creates the worker", [
  {
    name: "a bare new Worker statement and an unused binding are wrapped",
    code: `import { Worker } from "node:worker_threads";
new Worker(new URL("./indexer.js", import.meta.url));
export function boot(): void {
  const thumbs = new Worker("./thumbs.js");
}
`,
    expected: `import { Worker } from "node:worker_threads";
import { superviseWorker } from "@spawn-audit/shim";
superviseWorker("case-1.worker", () => new Worker(new URL("./indexer.js", import.meta.url)));
export function boot(): void {
  const thumbs = superviseWorker("boot.worker", () => new Worker("./thumbs.js"));
}
`,
  },
  {
    name: "a worker used after creation is watched log-only and keeps its value",
    code: `import { Worker } from "node:worker_threads";
export function boot(): Worker {
  const pool = new Worker("./pool.js");
  pool.postMessage("hello");
  return new Worker("./other.js");
}
`,
    expected: `import { Worker } from "node:worker_threads";
import { logWorker } from "@spawn-audit/shim";
export function boot(): Worker {
  const pool = logWorker("boot.worker", new Worker("./pool.js"));
  pool.postMessage("hello");
  return logWorker("boot.worker-2", new Worker("./other.js"));
}
`,
  },
  {
    name: "workers created once per item of a loop are per-request: not restarted",
    code: `import { Worker } from "node:worker_threads";
export function pool(size: number): void {
  for (let i = 0; i < size; i++) new Worker("./pool.js");
}
`,
    skips: [/outside the durable group is not restarted/],
  },
]);
