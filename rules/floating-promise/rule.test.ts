import { describeCases, type Case } from "../../test/support/cases.ts";

const PRELUDE = `declare function work(): Promise<void>;
declare function sync(): number;
declare const pending: Promise<string>;`;

const cases: Case[] = [
  {
    name: "a bare call returning a promise is a floating promise",
    code: `${PRELUDE}
export function handle() {
  work();
  sync();
}`,
    sites: [{ kind: "floating-promise", line: 5, status: "unsupervised", resolution: "type" }],
  },
  {
    name: "awaited, returned and assigned promises are not sites",
    code: `${PRELUDE}
export async function a() { await work(); }
export function b() { return work(); }
export function c() { const p = work(); return p; }
export const d = () => work();`,
    sites: [],
  },
  {
    name: "a name that looks async but returns no promise is not a site",
    code: `declare function fetchAsync(): void;
declare const loader: { loadAsync(): number };
fetchAsync();
loader.loadAsync();`,
    sites: [],
  },
  {
    name: "void p is a void-promise",
    code: `${PRELUDE}
void work();
void sync();`,
    sites: [{ kind: "void-promise", line: 4, status: "unsupervised" }],
  },
  {
    name: ".catch(handler) and .then(a, b) are handled",
    code: `${PRELUDE}
work().catch((error) => console.error(error));
work().then(() => 1, (error) => console.error(error));
work().then(() => 1).catch(console.error);
work().catch(console.error).finally(() => console.log("done"));`,
    sites: [
      { kind: "floating-promise", line: 4, status: "handled" },
      { kind: "floating-promise", line: 5, status: "handled" },
      { kind: "floating-promise", line: 6, status: "handled" },
      { kind: "floating-promise", line: 7, status: "handled" },
    ],
  },
  {
    name: ".catch() without a handler and .then(a, undefined) do not handle",
    code: `${PRELUDE}
work().catch();
pending.then((value) => console.log(value), undefined);`,
    sites: [
      { kind: "floating-promise", line: 4, status: "unsupervised" },
      { kind: "then-without-catch", line: 5, status: "unsupervised" },
    ],
  },
  {
    name: ".then(f) without a rejection handler, also under .finally, is then-without-catch",
    code: `${PRELUDE}
pending.then((value) => console.log(value));
work().then(() => 1).finally(() => console.log("done"));`,
    sites: [
      { kind: "then-without-catch", line: 4, status: "unsupervised" },
      { kind: "then-without-catch", line: 5, status: "unsupervised" },
    ],
  },
  {
    name: "a .finally chain on a bare promise is a floating promise",
    code: `${PRELUDE}
work().finally(() => console.log("done"));`,
    sites: [{ kind: "floating-promise", line: 4, status: "unsupervised" }],
  },
  {
    name: "an async IIFE is async-iife; wrapped in try/catch it is handled",
    code: `${PRELUDE}
(async () => {
  await work();
})();
(async function main() {
  try { await work(); } catch (error) { console.error(error); }
})();`,
    sites: [
      { kind: "async-iife", line: 4, status: "unsupervised", group: "durable", signals: ["module-top-level"] },
      { kind: "async-iife", line: 7, status: "handled" },
    ],
  },
  {
    name: "a call to a function with an unbounded loop is durable",
    code: `
declare const signal: AbortSignal;
declare function next(): Promise<void>;
async function pollForever() {
  while (!signal.aborted) await next();
}
async function consume(stream: AsyncIterable<string>) {
  for await (const line of stream) console.log(line);
}
export function boot(stream: AsyncIterable<string>) {
  pollForever();
  consume(stream);
}`,
    sites: [
      { kind: "floating-promise", line: 11, group: "durable", signals: ["unbounded-loop-in-callee"] },
      { kind: "floating-promise", line: 12, group: "durable", signals: ["unbounded-loop-in-callee"] },
    ],
  },
  {
    name: "a function that calls itself again without awaiting is a durable loop",
    code: `
declare function step(): Promise<boolean>;
async function doNext(): Promise<void> {
  if (await step()) doNext();
}
export function makeWorker() {
  doNext();
}`,
    sites: [
      { kind: "floating-promise", line: 4, group: "durable", signals: ["self-restarting-call"] },
      { kind: "floating-promise", line: 7, group: "durable", signals: ["unbounded-loop-in-callee"] },
    ],
  },
  {
    name: "floating promises in request handlers and item loops are per-request",
    code: `${PRELUDE}
import { EventEmitter } from "node:events";
const app = new EventEmitter();
app.on("message", (message: string) => {
  work();
  console.log(message);
});
export function sendAll(items: string[]) {
  for (const item of items) {
    work();
    console.log(item);
  }
}
export function handleUpload(req: unknown) {
  work();
  return req;
}`,
    sites: [
      { kind: "floating-promise", line: 7, group: "per-request", signals: ["inside-request-handler"] },
      { kind: "floating-promise", line: 12, group: "per-request", signals: ["loop-over-items"] },
      { kind: "floating-promise", line: 17, group: "per-request", signals: ["handler-function-name", "request-like-parameter"] },
    ],
  },
  {
    name: "a floating promise with no evidence is per-request at low confidence",
    code: `${PRELUDE}
export function helper() {
  work();
}`,
    sites: [{ kind: "floating-promise", line: 5, group: "per-request", signals: ["no-lifetime-evidence"] }],
  },
  {
    name: "test-framework calls returning promises are handled by the runner",
    code: `
import { describe, it } from "node:test";
describe("x", () => { it("y", () => {}); });`,
    sites: [
      { kind: "floating-promise", line: 3, status: "handled", group: "test" },
      { kind: "floating-promise", line: 3, status: "handled", group: "test" },
    ],
  },
  {
    name: "a promise-valued property access or conditional is floating",
    code: `${PRELUDE}
declare const flag: boolean;
pending;
flag ? work() : pending;`,
    sites: [
      { kind: "floating-promise", line: 5 },
      { kind: "floating-promise", line: 6 },
    ],
  },
];

describeCases("floating-promise rule", cases);
