import { describeCases } from "./support/cases.ts";
import { parseConfig } from "../src/config.ts";

describeCases("status: ignore comments and supervision", [
  {
    name: "spawn-audit-ignore-next-line and a same-line spawn-audit-ignore make a site of the named kind ignored",
    code: `
declare function work(): Promise<void>;
// spawn-audit-ignore-next-line floating-promise -- fire-and-forget metrics flush
work();
work(); // spawn-audit-ignore floating-promise -- flushed at exit
work();`,
    sites: [
      { kind: "floating-promise", line: 4, status: "ignored" },
      { kind: "floating-promise", line: 5, status: "ignored" },
      { kind: "floating-promise", line: 6, status: "unsupervised" },
    ],
  },
  {
    name: "an ignore marker inside a string is not a comment",
    code: `
declare function work(s: string): Promise<void>;
work("// spawn-audit-ignore floating-promise -- in a string");`,
    sites: [{ kind: "floating-promise", line: 3, status: "unsupervised" }],
  },
  {
    name: "a value handed to a supervisor is supervised; a promise floating inside its factory is not",
    code: `
declare function spawnSupervised(name: string, factory: (signal: AbortSignal) => unknown): void;
declare function spawnLogged(name: string, work: unknown): void;
declare function work(): Promise<void>;
spawnSupervised("loop", async () => {
  work();
  await work();
});
setInterval(() => spawnLogged("tick", () => work()), 1000);
setInterval(() => { void spawnLogged("tick", work()); }, 1000);
setInterval(() => { work(); }, 1000);`,
    sites: [
      { kind: "floating-promise", line: 5, status: "supervised" },
      { kind: "floating-promise", line: 6, status: "unsupervised" },
      { kind: "interval", line: 9, status: "supervised" },
      { kind: "interval", line: 10, status: "supervised" },
      { kind: "void-promise", line: 10, status: "supervised" },
      { kind: "interval", line: 11, status: "unsupervised" },
      { kind: "floating-promise", line: 11, status: "unsupervised" },
    ],
  },
  {
    name: "a worker returned to superviseWorker and a listener handing each event to spawnLogged are supervised",
    code: `
import { EventEmitter } from "node:events";
declare function superviseWorker(name: string, create: () => Worker): void;
declare function spawnLogged(name: string, work: () => Promise<void>): void;
declare function save(data: string): Promise<void>;
superviseWorker("indexer", () => new Worker("./indexer.js"));
new EventEmitter().on("data", (data: string) => spawnLogged("save", () => save(data)));`,
    sites: [
      { kind: "worker", line: 6, status: "supervised" },
      { kind: "async-listener", line: 7, status: "supervised" },
    ],
  },
  {
    name: "a supervisor named in config supervises what it is given",
    code: `
declare function runInBackground(work: () => Promise<void>): void;
declare function work(): Promise<void>;
runInBackground(() => work());
runInBackground(async () => { work(); });`,
    sites: [
      { kind: "floating-promise", line: 4, status: "supervised" },
      { kind: "floating-promise", line: 5, status: "supervised" },
      { kind: "floating-promise", line: 5, status: "unsupervised" },
    ],
  },
], { config: parseConfig({ supervisors: ["runInBackground"] }, "test") });

describeCases("config: ignore globs, test patterns and group overrides", [
  {
    name: "a file matching an ignore glob is not scanned",
    path: "scripts/seed.ts",
    code: `setInterval(() => process.stdout.write("x"), 5);`,
    sites: [],
  },
  {
    name: "an extra test pattern marks test files",
    path: "qa/load.ts",
    code: `setInterval(() => process.stdout.write("x"), 5);`,
    sites: [{ kind: "interval", group: "test", signals: ["test-file-path"] }],
  },
  {
    name: "a callee override sets the group",
    code: `
declare function sendEmail(): Promise<void>;
declare function pollJobs(): Promise<void>;
sendEmail();
export function handle() { pollJobs(); }`,
    sites: [
      { kind: "floating-promise", line: 4, group: "per-request", signals: ["config-override"] },
      { kind: "floating-promise", line: 5, group: "durable", signals: ["config-override"] },
    ],
  },
  {
    name: "a files override sets the group",
    path: "src/jobs/cleanup.ts",
    code: `setTimeout(() => process.stdout.write("x"), 5);`,
    sites: [{ kind: "timeout", group: "durable", signals: ["config-override"] }],
  },
], {
  config: parseConfig({
    ignore: ["scripts/**"],
    testPatterns: ["qa/**"],
    overrides: [
      { callees: ["sendEmail"], group: "per-request" },
      { callees: ["pollJobs"], group: "durable" },
      { files: ["src/jobs/**"], group: "durable" },
    ],
  }, "test"),
});
