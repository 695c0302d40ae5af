import { describeFixCases } from "../../test/fix/support.ts";

describeFixCases("floating-promise fix: spawnSupervised when the call can run again, else spawnLogged", [
  {
    name: "a durable loop called with plain arguments is supervised",
    code: `// Scheduler: runs the job loop.

declare function next(): Promise<void>;
async function pollJobs(_db: { url: string }, _every: number): Promise<void> { for (;;) await next(); }
async function watch(_path: string, options?: { signal?: AbortSignal }): Promise<void> { while (!options?.signal?.aborted) await next(); }
const db = { url: "postgres://" };
pollJobs(db, 1_000);
void watch(\`\${db.url}/x\`);
`,
    path: "src/scheduler.ts",
    expected: `// Scheduler: runs the job loop.

import { spawnSupervised } from "@spawn-audit/shim";

declare function next(): Promise<void>;
async function pollJobs(_db: { url: string }, _every: number): Promise<void> { for (;;) await next(); }
async function watch(_path: string, options?: { signal?: AbortSignal }): Promise<void> { while (!options?.signal?.aborted) await next(); }
const db = { url: "postgres://" };
spawnSupervised("scheduler.pollJobs", () => pollJobs(db, 1_000));
spawnSupervised("scheduler.watch", () => watch(\`\${db.url}/x\`));
`,
  },
  {
    name:
      "one-shot calls, a then chain and a held promise get a .catch where they are (a synchronous throw still reaches the caller), on the value itself only when it is certainly a promise",
    code: `declare function connect(attempt: number): Promise<void>;
declare const ready: Promise<void>;
interface Channel { prefetch(count: number): Promise<void> }
async function save(): Promise<void> { await connect(0); }
let attempt = 0;
export function main(channel: Channel): void {
  connect(attempt++);
  ready.then(() => console.log("ready"));
  ready;
  channel.prefetch(1);
  save().then(() => console.log("saved"));
  new Promise<void>((resolve, reject) => setImmediate(() => (attempt > 1 ? reject(new Error("late")) : resolve())));
}
main({ prefetch: async () => {} });
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

declare function connect(attempt: number): Promise<void>;
declare const ready: Promise<void>;
interface Channel { prefetch(count: number): Promise<void> }
async function save(): Promise<void> { await connect(0); }
let attempt = 0;
export function main(channel: Channel): void {
  Promise.resolve(connect(attempt++)).catch((error) => logFailure("main.connect", error));
  ready.then(() => console.log("ready")).catch((error) => logFailure("main.ready", error));
  Promise.resolve(ready).catch((error) => logFailure("main.ready-2", error));
  Promise.resolve(channel.prefetch(1)).catch((error) => logFailure("main.prefetch", error));
  save().then(() => console.log("saved")).catch((error) => logFailure("main.save", error));
  new Promise<void>((resolve, reject) => setImmediate(() => (attempt > 1 ? reject(new Error("late")) : resolve()))).catch((error) => logFailure("main.Promise", error));
}
main({ prefetch: async () => {} });
`,
  },
  {
    name: "an async IIFE without parameters becomes the factory itself",
    code: `declare function step(): Promise<void>;
export function start(): void {
  (async () => {
    for (;;) await step();
  })();
}
`,
    expected: `import { spawnSupervised } from "@spawn-audit/shim";

declare function step(): Promise<void>;
export function start(): void {
  spawnSupervised("start.async-iife", async () => {
    for (;;) await step();
  });
}
`,
  },
  {
    name: "a per-request call gets a .catch to the shim's logger, inside a handler",
    code: `import { createServer } from "node:http";
declare function audit(url: string): Promise<void>;
createServer((req, res) => {
  audit(req.url ?? "");
  res.end();
}).listen(8080);
`,
    expected: `import { createServer } from "node:http";
import { logFailure } from "@spawn-audit/shim";
declare function audit(url: string): Promise<void>;
createServer((req, res) => {
  Promise.resolve(audit(req.url ?? "")).catch((error) => logFailure("case-4.audit", error));
  res.end();
}).listen(8080);
`,
  },
  {
    name: "a loop started once per item is logged, not restarted: tasks of one name replace each other",
    code: `declare function next(job: string): Promise<void>;
async function runJob(job: string): Promise<void> { for (;;) await next(job); }
export function startAll(jobs: string[]): void {
  for (const job of jobs) {
    runJob(job);
  }
}
startAll(["a", "b"]);
`,
    expected: `import { spawnLogged } from "@spawn-audit/shim";

declare function next(job: string): Promise<void>;
async function runJob(job: string): Promise<void> { for (;;) await next(job); }
export function startAll(jobs: string[]): void {
  for (const job of jobs) {
    spawnLogged("startAll.runJob", runJob(job));
  }
}
startAll(["a", "b"]);
`,
  },
  {
    name:
      "a promise floating inside a rewritten timer callback gets its own .catch: the tick's catch does not observe it",
    code: `declare function refresh(): Promise<void>;
setInterval(() => {
  refresh();
}, 60_000);
export {};
`,
    expected: `import { logFailure } from "@spawn-audit/shim";

declare function refresh(): Promise<void>;
setInterval(() => {
  try {
    Promise.resolve(refresh()).catch((error) => logFailure("case-6.refresh-2", error));
  } catch (error) {
    logFailure("case-6.refresh", error);
  }
}, 60_000);
export {};
`,
  },
  {
    name: "a loop whose name only starts like a hook (online…, emitter…) is still supervised",
    code: `declare function next(): Promise<void>;
async function onlinePoll(): Promise<void> { for (;;) await next(); }
async function emitterLoop(): Promise<void> { for (;;) await next(); }
onlinePoll();
emitterLoop();
`,
    path: "src/presence.ts",
    expected: `import { spawnSupervised } from "@spawn-audit/shim";

declare function next(): Promise<void>;
async function onlinePoll(): Promise<void> { for (;;) await next(); }
async function emitterLoop(): Promise<void> { for (;;) await next(); }
spawnSupervised("presence.onlinePoll", () => onlinePoll());
spawnSupervised("presence.emitterLoop", () => emitterLoop());
`,
  },
]);
