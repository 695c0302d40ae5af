import { type Case, describeCases } from "../../test/support/cases.ts";

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
    name: "an async IIFE is async-iife: one-shot at top level is per-request; wrapped in try/catch it is handled",
    code: `${PRELUDE}
(async () => {
  await work();
})();
(async function main() {
  try { await work(); } catch (error) { console.error(error); }
})();`,
    sites: [
      {
        kind: "async-iife",
        line: 4,
        status: "unsupervised",
        group: "per-request",
        signals: ["one-shot-call", "module-top-level"],
      },
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
    name:
      "calling an async generator runs none of its loops; a for await over its call runs them, and is durable when one runs until stopped",
    code: `
declare const events: AsyncIterable<string>;
declare function send(chunk: string): Promise<void>;
async function* ticks() {
  while (true) yield await send("tick");
}
async function upload(parts: string[]) {
  const body = (async function* () {
    for await (const part of events) yield part;
  })();
  await send(String(body) + parts.length);
}
async function pump() {
  for await (const tick of ticks()) await send(String(tick));
}
export function start(parts: string[]) {
  upload(parts);
  pump();
}`,
    sites: [
      { kind: "floating-promise", line: 17, group: "per-request" },
      { kind: "floating-promise", line: 18, group: "durable", signals: ["unbounded-loop-in-callee"] },
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
      { kind: "floating-promise", line: 4, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 7, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name: "one turn of recurring work: a promise whose handed callback or held call leads back to the loop it sits in",
    code: `
declare function fetchJob(): Promise<void>;
function whenDone(job: Promise<void>, after: () => void): Promise<void> {
  return job.finally(after);
}
export function tick(): void {
  whenDone(fetchJob(), () => setTimeout(tick, 10));
}
async function checkThenSchedule(): Promise<void> {
  try {
    await fetchJob();
  } finally {
    setTimeout(check, 1000);
  }
}
export function check(): void {
  const checked = checkThenSchedule();
  checked.then(() => console.log("checked"));
}`,
    sites: [
      { kind: "floating-promise", line: 7, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 7, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 13, group: "durable", signals: ["starts-itself-again"] },
      { kind: "then-without-catch", line: 18, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name: "one tick of an interval is recurring; a promise in a loop's turn that does not lead back is one call",
    code: `
declare function send(line: string): Promise<void>;
async function exportOnce(): Promise<void> {
  await send("metrics");
}
export function start(): void {
  setInterval(() => {
    void exportOnce();
  }, 1000);
}
export function poll(): void {
  send("polled");
  setTimeout(poll, 1000);
}`,
    sites: [
      { kind: "interval", line: 7, group: "durable" },
      { kind: "void-promise", line: 8, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 12, group: "per-request", signals: ["one-shot-call"] },
      { kind: "timeout", line: 13, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name: "floating promises in request handlers and item loops are per-request",
    code: `${PRELUDE}
import { EventEmitter } from "node:events";
const app = new EventEmitter();
app.on("message", (message: { body: string }) => {
  work();
  console.log(message.body);
});
export function sendAll(items: string[]) {
  for (const item of items) {
    work();
    console.log(item);
  }
}`,
    sites: [
      { kind: "floating-promise", line: 7, group: "per-request", signals: ["inside-request-handler"] },
      { kind: "floating-promise", line: 12, group: "per-request", signals: ["loop-over-items"] },
    ],
  },
  {
    name: "a floating promise with no loop or restart found is a one-shot call, per-request",
    code: `${PRELUDE}
export function helper() {
  work();
}`,
    sites: [{ kind: "floating-promise", line: 5, group: "per-request", signals: ["one-shot-call"] }],
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
  {
    name:
      "a function that starts itself again only while its queue has items (read directly or through an accessor), or once more for work requested meanwhile (a flag others, or a refused run, raise and the work lowers, whatever its name), ends: not a loop; a flag only others lower is a run flag",
    code: `
declare function run(task: () => Promise<void>): Promise<void>;
export class Lock {
  queue: Array<() => Promise<void>> = [];
  running = 0;
  async drain(): Promise<void> {
    if (this.running < 1 && this.queue.length > 0) {
      this.running++;
      await run(this.queue.shift()!);
      this.running--;
      this.drain();
    }
  }
  async poll(): Promise<void> {
    await run(async () => {});
    this.poll();
  }
  pendingReset = false;
  async reset(): Promise<void> {
    await run(async () => {});
    if (this.pendingReset) {
      this.pendingReset = false;
      this.reset();
    }
  }
  busy = false;
  markReset(): void {
    if (this.busy) this.pendingReset = true;
  }
  rerun = false;
  ask(): void { this.rerun = true; }
  async refresh(): Promise<void> {
    this.rerun = false;
    await run(async () => {});
    if (this.rerun) this.refresh();
  }
  pendingTick = true;
  halt(): void { this.pendingTick = false; }
  async tick(): Promise<void> {
    await run(async () => {});
    if (this.pendingTick) this.tick();
  }
  resetting = false;
  next: string | null = null;
  async apply(value: string): Promise<void> {
    if (this.resetting) {
      this.next = value;
      return;
    }
    this.resetting = true;
    try {
      await run(async () => {});
    } finally {
      this.resetting = false;
      if (this.next !== null) {
        const later = this.next;
        this.next = null;
        this.apply(later);
      }
    }
  }
  jobs: string[] = [];
  get backlog(): number {
    return this.jobs.length;
  }
  async work(): Promise<void> {
    await run(async () => {});
    if (this.backlog > 0) this.work();
  }
}`,
    sites: [
      { kind: "floating-promise", line: 11, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 16, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 23, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 35, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 41, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 58, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 68, group: "per-request", signals: ["one-shot-call"] },
    ],
  },
  {
    name: "a .then callback that starts the enclosing method again is a loop, unless it does so per item or on failure",
    code: `
declare function load(path: string): Promise<string | undefined>;
export class Watcher {
  add(paths: string[]) {
    Promise.all(paths.map((path) => load(path))).then((results) => {
      results.forEach((item) => { if (item) this.add([item]); });
    });
  }
  refresh() {
    load("x").then(() => this.refresh());
  }
  retry() {
    load("x").then(undefined, () => { this.retry(); });
  }
}`,
    sites: [
      { kind: "then-without-catch", line: 5, group: "per-request", signals: ["one-shot-call"] },
      { kind: "then-without-catch", line: 10, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 13, group: "per-request", signals: ["one-shot-call"] },
    ],
  },
  {
    name: "a call inside a while loop that takes the next item is started per item",
    code: `
declare function receive(): string | undefined;
declare function handle(message: string): Promise<void>;
export function pump(queue: string[]) {
  let entry;
  while ((entry = receive()) !== undefined) {
    handle(entry);
  }
  while (queue.length > 0) {
    handle(queue.shift()!);
  }
}`,
    sites: [
      { kind: "floating-promise", line: 7, group: "per-request", signals: ["loop-over-items"] },
      { kind: "floating-promise", line: 10, group: "per-request", signals: ["loop-over-items"] },
    ],
  },
  {
    name: "an await of a promise that can only resolve needs no try/catch; one whose executor can throw does",
    code: `
declare function work(): Promise<void>;
declare const socket: { close(done: () => void): void };
const sleep = (ms: number) => new Promise<void>((resolve) => { setTimeout(resolve, ms); });
const closed = () => new Promise<void>((resolve) => { socket.close(() => resolve()); });
async function step() {
  await sleep(5);
  try { await work(); } catch (error) { console.error(error); }
}
async function shutdown() {
  await closed();
  try { await work(); } catch (error) { console.error(error); }
}
step();
shutdown();`,
    sites: [
      { kind: "timeout", line: 4, status: "benign" },
      { kind: "floating-promise", line: 14, status: "handled" },
      { kind: "floating-promise", line: 15, status: "unsupervised" },
    ],
  },
  {
    name: "a call returning a held promise whose rejection is handled where it is stored is handled",
    code: `
declare function run(): Promise<void>;
declare function log(error: unknown): void;
export function startWorker() {
  const done = run();
  done.then(() => log("stopped"), (error) => log(error));
  const other = run();
  const release = () => Promise.resolve(done);
  const releaseOther = () => other;
  release();
  releaseOther();
}`,
    sites: [
      { kind: "floating-promise", line: 6, status: "handled" },
      { kind: "floating-promise", line: 10, status: "handled" },
      { kind: "floating-promise", line: 11, status: "unsupervised" },
    ],
  },
  {
    name:
      "an await of a function that catches everything needs no try/catch; a promise returned from a catch clause escapes it",
    code: `
declare function work(): Promise<void>;
async function safeWork() { try { await work(); } catch (error) { console.error(error); } }
async function onCrash(error: unknown) { console.error(error); await work(); }
async function step() {
  await safeWork();
  try { await work(); } catch (error) { console.error(error); }
}
async function start() {
  try { await work(); } catch (error) { return onCrash(error); }
}
step();
start();`,
    sites: [
      { kind: "floating-promise", line: 12, status: "handled" },
      { kind: "floating-promise", line: 13, status: "unsupervised" },
    ],
  },
  {
    name: "a call given a node-style callback reports its failure there",
    code: `
declare const redis: { get(key: string, callback?: (err: Error | null, value?: string) => void): Promise<string> };
export function read(callback: (err: Error | null, value?: string) => void) {
  redis.get("a", (err, value) => { if (err) console.error(err); else console.log(value); });
  redis.get("b", callback);
  redis.get("c", (value) => console.log(value));
  redis.get("d");
}`,
    sites: [
      { kind: "floating-promise", line: 4, status: "handled" },
      { kind: "floating-promise", line: 5, status: "handled" },
      { kind: "floating-promise", line: 6, status: "unsupervised" },
      { kind: "floating-promise", line: 7, status: "unsupervised" },
    ],
  },
  {
    name: "a node-style callback is known by what the code does with it, not by its name",
    code: `
declare const store: { load(key: string, callback?: (...args: any[]) => void): Promise<string> };
export function read(next: (...args: any[]) => void, callback: () => void) {
  store.load("a", (problem, value) => { if (problem) console.error(problem); else console.log(value); });
  store.load("b", next);
  store.load("c", (failure) => next(failure));
  store.load("d", callback);
  store.load("e", (value) => console.log(value));
  store.load("f", (value) => next(null, value));
  if (Math.random() > 0.5) next(null, 1);
  callback();
}
export function write(callback: (...args: any[]) => void) {
  store.load("g", callback);
  store.load("h", callback);
}
export function fail(done: (...args: any[]) => void) {
  try {
    store.load("i", done);
  } catch (caught) {
    done(caught);
  }
}`,
    sites: [
      { kind: "floating-promise", line: 4, status: "handled" },
      { kind: "floating-promise", line: 5, status: "handled", reason: "node-style callback next" },
      { kind: "floating-promise", line: 6, status: "handled" },
      { kind: "floating-promise", line: 7, status: "unsupervised" },
      { kind: "floating-promise", line: 8, status: "unsupervised" },
      { kind: "floating-promise", line: 9, status: "unsupervised" },
      { kind: "floating-promise", line: 14, status: "unsupervised" },
      { kind: "floating-promise", line: 15, status: "unsupervised" },
      { kind: "floating-promise", line: 19, status: "handled" },
    ],
  },
  {
    name: "handled inside the callee: a body wrapped in try/catch, every await caught, or a returned .catch chain",
    code: `
declare function fetchJobs(): Promise<void>;
declare function log(error: unknown): void;
async function refresh() {
  try { await fetchJobs(); } catch (error) { log(error); }
}
async function drain() {
  const started = Date.now();
  try { await fetchJobs(); } catch (error) { log(error); }
  if (started > 0) {
    try { await fetchJobs(); } catch (error) { log(error); }
  }
}
const sync = () => fetchJobs().catch(log);
async function rethrows() {
  try { await fetchJobs(); } catch (error) { throw error; }
}
export function start() {
  void refresh();
  drain();
  sync();
  void rethrows();
}`,
    sites: [
      { kind: "void-promise", line: 19, status: "handled" },
      { kind: "floating-promise", line: 20, status: "handled" },
      { kind: "floating-promise", line: 21, status: "handled" },
      { kind: "void-promise", line: 22, status: "unsupervised" },
    ],
  },
  {
    name: "promises that can only resolve are benign: allSettled, a deferred without reject",
    code: `
declare const tasks: Promise<void>[];
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}
export function tick() {
  Promise.allSettled(tasks);
  delay(10);
}`,
    sites: [
      { kind: "timeout", line: 4, status: "benign" },
      { kind: "floating-promise", line: 7, status: "benign" },
      { kind: "floating-promise", line: 8, status: "benign" },
    ],
  },
  {
    name:
      "a deferred (Object.assign of a promise and its settle functions) whose reject the code never calls can only resolve; one it rejects can fail",
    code: `
function deferred<T>() {
  let methods: { resolve?: (value: T) => void; reject?: (error: Error) => void } = {};
  const promise = new Promise<T>((resolve, reject) => {
    methods = { resolve, reject };
  });
  return Object.assign(promise, methods) as Promise<T> & { resolve(value: T): void; reject(error: Error): void };
}
class Service {
  done = deferred<void>();
  stopped = false;
  close() {
    if (this.stopped) return this.done;
    this.stopped = true;
    Promise.allSettled([]).then(() => this.done.resolve());
    return this.done;
  }
  start() {
    this.close().catch();
    this.close();
  }
}
export function deadline(ms: number) {
  const timeout = deferred<void>();
  setTimeout(() => timeout.reject(new Error("deadline")), ms);
  timeout.then(() => console.log("late"));
  return timeout;
}`,
    sites: [
      { kind: "then-without-catch", line: 15, status: "benign" },
      { kind: "floating-promise", line: 19, status: "benign" },
      { kind: "floating-promise", line: 20, status: "benign" },
      { kind: "timeout", line: 25, status: "benign" },
      { kind: "then-without-catch", line: 26, status: "unsupervised" },
    ],
  },
  {
    name:
      "facts follow a promise through a variable given once and through the values a function returns, not through one written again",
    code: `
declare const tasks: Promise<void>[];
declare function work(): Promise<void>;
declare function log(error: unknown): void;
function finish(result: number): Promise<number> {
  console.log(result);
  return Promise.resolve(result);
}
function guarded(): Promise<void> {
  if (tasks.length === 0) return Promise.resolve();
  return work().catch(log);
}
export function run() {
  const settled = Promise.allSettled(tasks);
  settled.finally(() => console.log("done"));
  let caught = work().catch(log);
  caught.then(() => console.log("ok"));
  let changed = work().catch(log);
  changed = work();
  changed.then(() => console.log("ok"));
  finish(1);
  guarded();
  const raw = work();
  raw.finally(() => console.log("raw"));
}`,
    sites: [
      { kind: "floating-promise", line: 15, status: "benign", reason: "settled holds" },
      { kind: "then-without-catch", line: 17, status: "handled", reason: "caught holds" },
      { kind: "then-without-catch", line: 20, status: "unsupervised" },
      { kind: "floating-promise", line: 21, status: "benign", reason: "can only resolve" },
      { kind: "floating-promise", line: 22, status: "handled", reason: "chain ending in .catch(handler)" },
      { kind: "floating-promise", line: 24, status: "unsupervised" },
    ],
  },
  {
    name: "facts follow calls with no depth limit, and a cycle of calls proves nothing",
    code: `declare function work(): Promise<void>;
function f1(): Promise<number> { return f2(); }
function f2(): Promise<number> { return f3(); }
function f3(): Promise<number> { return f4(); }
function f4(): Promise<number> { return f5(); }
function f5(): Promise<number> { return f6(); }
function f6(): Promise<number> { return Promise.resolve(6); }
function ping(): Promise<void> { return pong(); }
function pong(): Promise<void> { return ping(); }
function note(): void { console.log("start"); }
function guardedStart(): void {
  note();
  try { void work(); } catch (error) { console.error(error); }
}
export function run() {
  f1();
  ping();
  pong();
  setTimeout(guardedStart, 10);
}`,
    sites: [
      { kind: "void-promise", line: 13, status: "unsupervised" },
      { kind: "floating-promise", line: 16, status: "benign", reason: "can only resolve" },
      { kind: "floating-promise", line: 17, status: "unsupervised" },
      { kind: "floating-promise", line: 18, status: "unsupervised" },
      { kind: "timeout", line: 19, status: "handled", reason: "wrapped in try/catch" },
    ],
  },
  {
    name:
      "a cleanup name of the platform (clear) cannot fail; the program's own method of that name is judged by its body",
    code: `class Cache {
  entries = new Map<string, number>();
  clear(): void { if (this.entries.size === 0) throw new Error("empty"); this.entries.clear(); }
}
class Pool {
  items: number[] = [];
  clear(): void { this.items.length = 0; }
}
const cache = new Cache();
const pool = new Pool();
const map = new Map<string, number>();
setTimeout(() => cache.clear(), 10);
setTimeout(() => pool.clear(), 10);
setTimeout(() => map.clear(), 10);`,
    sites: [
      { kind: "timeout", line: 12, status: "unsupervised" },
      { kind: "timeout", line: 13, status: "benign" },
      { kind: "timeout", line: 14, status: "benign" },
    ],
  },
  {
    name: "a call returning a held promise that its file awaits inside try/catch is handled",
    code: `
declare function work(): Promise<void>;
class Job {
  done: Promise<void> | undefined;
  other: Promise<void> | undefined;
  start() { this.done = work(); return this.done; }
  begin() { this.other = work(); return this.other; }
  async wait() {
    try { await this.done; } catch (error) { console.error(error); }
    await this.other;
  }
}
const job = new Job();
job.start();
job.begin();`,
    sites: [
      { kind: "floating-promise", line: 14, status: "handled", reason: "already handled where it is stored" },
      { kind: "floating-promise", line: 15, status: "unsupervised" },
    ],
  },
  {
    name: "a call of a wrapped function fails as the function the wrapper calls",
    code: `
declare function work(): Promise<void>;
function once<T extends (...args: never[]) => unknown>(fn: T): T {
  let done = false;
  let result: unknown;
  return ((...args: never[]) => {
    if (!done) {
      done = true;
      result = fn.apply(undefined, args);
    }
    return result;
  }) as T;
}
const start = once(async () => { try { await work(); } catch (error) { console.error(error); } });
const begin = once(async () => { await work(); });
export function boot() {
  start();
  begin();
}`,
    sites: [
      {
        kind: "floating-promise",
        line: 17,
        status: "handled",
        reason: "a wrapper of a function that catches everything",
      },
      { kind: "floating-promise", line: 18, status: "unsupervised" },
    ],
  },
  {
    name:
      "a rejection handler that always throws again observes nothing; one that throws only some errors again handles the rest",
    code: `${PRELUDE}
const relay = () => work().catch((error) => { console.error(error); throw error; });
async function refresh() { await relay(); }
export function show() {
  work().catch((error) => { console.error(error); throw error; });
  work().then(() => undefined, (error) => { throw error; });
  work().catch((error) => { console.error(error); });
  work().catch((error: Error) => { if (error.name === "AbortError") return; throw error; });
  relay();
  refresh();
}`,
    sites: [
      { kind: "floating-promise", line: 7, status: "unsupervised" },
      { kind: "then-without-catch", line: 8, status: "unsupervised" },
      { kind: "floating-promise", line: 9, status: "handled" },
      { kind: "floating-promise", line: 10, status: "handled" },
      { kind: "floating-promise", line: 11, status: "unsupervised" },
      { kind: "floating-promise", line: 12, status: "unsupervised" },
    ],
  },
  {
    name: "a thenable that is not a Promise is a site only when its then is called",
    code: `
interface Reply { header(name: string): Reply; then(onDone: () => void): void }
declare const reply: Reply;
export function handle() {
  reply.header("x-id");
  reply.header("x-id").then(() => undefined);
}`,
    sites: [{ kind: "then-without-catch", line: 6, status: "unsupervised" }],
  },
  {
    name: "a .then or .finally after the last handler makes the chain unhandled unless its callback cannot fail",
    code: `${PRELUDE}
declare function render(): void;
export function show() {
  work().catch(() => undefined).finally(() => render());
  work().catch(() => undefined).finally(() => { console.log("done"); });
}`,
    sites: [
      { kind: "floating-promise", line: 6, status: "unsupervised" },
      { kind: "floating-promise", line: 7, status: "handled" },
    ],
  },
  {
    name:
      "an async IIFE looping on a private running flag is durable; a one-shot connect in a constructor is per-request",
    code: `
declare function next(): Promise<void>;
declare function connect(): Promise<void>;
export class Consumer {
  #running = true;
  constructor() {
    (async () => { while (this.#running) await next(); })();
    connect();
  }
}`,
    sites: [
      {
        kind: "async-iife",
        line: 7,
        group: "durable",
        signals: ["unbounded-loop-in-callback", "constructor"],
      },
      { kind: "floating-promise", line: 8, group: "per-request", signals: ["one-shot-call", "constructor"] },
    ],
  },
  {
    name:
      "a call restarting its enclosing function after an await is a loop; synchronous, per-item and failure-path recursion is not",
    code: `
declare function step(): Promise<void>;
declare const children: string[];
export class Walker {
  async loop(): Promise<void> {
    await step();
    this.loop();
  }
  async visit(name?: string): Promise<void> {
    if (name === undefined) for (const child of children) this.visit(child);
    await step();
  }
  async attempt(): Promise<void> {
    try { await step(); } catch { this.attempt(); }
  }
}`,
    sites: [
      { kind: "floating-promise", line: 7, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 10, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 14, group: "per-request", signals: ["one-shot-call"] },
    ],
  },
  {
    name: "a method of the same name on another object is not a restart",
    code: `
declare const other: { run(): Promise<void> };
declare function step(): Promise<void>;
export class Runner {
  async run(): Promise<void> {
    await step();
    other.run();
  }
}`,
    sites: [{ kind: "floating-promise", line: 7, group: "per-request", signals: ["one-shot-call"] }],
  },
  {
    name: "a method merely named resolve or reject settles nothing: its promise floats",
    code: `
declare const deferred: { resolve(value: number): Promise<void>; reject(error: Error): Promise<void> };
export function settle() {
  deferred.resolve(1);
  deferred.reject(new Error("x"));
}`,
    sites: [
      { kind: "floating-promise", line: 4, status: "unsupervised" },
      { kind: "floating-promise", line: 5, status: "unsupervised" },
    ],
  },
  {
    name: "node:worker_threads Worker.terminate() only fulfils; another method of the worker does not",
    code: `
import { Worker } from "node:worker_threads";
export function stop(worker: Worker, other: { terminate(): Promise<number> }) {
  worker.terminate();
  worker.getHeapSnapshot();
  other.terminate();
}`,
    sites: [
      { kind: "floating-promise", line: 4, status: "benign" },
      { kind: "floating-promise", line: 5, status: "unsupervised" },
      { kind: "floating-promise", line: 6, status: "unsupervised" },
    ],
  },
  {
    name: "dropping a promise the calling function itself returns loses nothing; dropping another one does",
    code: `
export class Pipeline {
  promise: Promise<void> = Promise.resolve();
  other: Promise<void> = Promise.resolve();
  private send(): Promise<void> { return this.promise; }
  private sendOther(): Promise<void> { return this.other; }
  exec(): Promise<void> {
    this.send();
    this.sendOther();
    return this.promise;
  }
}`,
    sites: [
      { kind: "floating-promise", line: 8, status: "handled" },
      { kind: "floating-promise", line: 9, status: "unsupervised" },
    ],
  },
  {
    name: "an endless loop that drains a finite list is one-shot work; one that waits for more is a loop",
    code: `
declare const files: string[];
declare const queue: { shift(): string | undefined };
declare function lint(file: string): Promise<void>;
declare function nextMessage(): Promise<string>;
let index = 0;
(async () => {
  for (;;) {
    const file = files[index++];
    if (!file) break;
    await lint(file);
  }
})();
(async () => {
  while (true) {
    const job = queue.shift();
    if (job === undefined) return;
    await lint(job);
  }
})();
(async () => {
  while (true) {
    const message = await nextMessage();
    if (!message) continue;
    await lint(message);
  }
})();`,
    sites: [
      { kind: "async-iife", line: 7, group: "per-request", signals: ["one-shot-call"] },
      { kind: "async-iife", line: 14, group: "per-request", signals: ["one-shot-call"] },
      { kind: "async-iife", line: 21, group: "durable", signals: ["unbounded-loop-in-callback"] },
    ],
  },
];

describeCases("floating-promise rule", cases);

describeCases("floating-promise rule on untyped JavaScript", [
  {
    name: "without types, a .then chain and a this-call of a name declared only async fall back to syntax",
    path: "src/legacy.js",
    script: true,
    code: `class Watcher {
  constructor(fsw) { this.fsw = fsw; }
  async _emit(event) { await this.fsw.send(event); }
  change(event) {
    this.fsw._emit(event);
    this.fsw.load().then(function (x) { return x; });
    this.fsw.render();
  }
}
module.exports = Watcher;`,
    sites: [
      { kind: "floating-promise", line: 5, resolution: "syntax", status: "unsupervised" },
      { kind: "then-without-catch", line: 6, resolution: "syntax", status: "unsupervised" },
    ],
  },
  {
    name: "a CommonJS module exporting a function (module.exports = …)",
    path: "src/cjs-sleep.js",
    script: true,
    code: `module.exports = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });`,
    sites: [{ kind: "timeout", line: 1, status: "benign" }],
  },
  {
    name: "an async loop that only sleeps cannot fail, and says so: it has no try/catch to catch anything",
    code: `
const sleep = (ms: number) => new Promise<void>((resolve) => { setTimeout(resolve, ms); });
declare function work(): Promise<void>;
class Ticker {
  running = true;
  count = 0;
  async tick() {
    while (this.running) {
      await sleep(10);
      this.count++;
    }
  }
  async poll() {
    while (this.running) {
      await sleep(10);
      try { await work(); } catch (error) { console.error(error); }
    }
  }
  start() {
    this.tick();
    this.poll();
  }
}
new Ticker().start();`,
    sites: [
      { kind: "timeout", line: 2, status: "benign" },
      { kind: "floating-promise", line: 20, status: "benign", reason: "an async function that cannot fail" },
      {
        kind: "floating-promise",
        line: 21,
        status: "handled",
        reason: "inside try/catch or waits on a promise that cannot reject",
      },
    ],
  },
  {
    name: "a throw before the try lets a failure out of an async function; bookkeeping around it is not counted",
    code: `
declare function work(): Promise<void>;
async function read(text: string) {
  if (text === "") throw new Error("nothing to read");
  try { await work(); } catch (error) { console.error(error); }
}
async function counted(text: string) {
  const parts = text.split(",");
  try { await work(); } catch (error) { console.error(error); }
  return parts.length;
}
export function start() {
  read("1");
  counted("1");
}`,
    sites: [
      { kind: "floating-promise", line: 13, status: "unsupervised" },
      { kind: "floating-promise", line: 14, status: "handled", reason: "every await in it is inside try/catch" },
    ],
  },
  {
    name: "a function required from a CommonJS module resolves to the exported function",
    path: "src/cjs-use.js",
    script: true,
    code: `const sleep = require("./cjs-sleep");
async function step(work) {
  await sleep(5);
  try { await work(); } catch (error) { console.error(error); }
}
function start(work) { step(work); }
module.exports = { start };`,
    sites: [{ kind: "floating-promise", line: 6, status: "handled" }],
  },
  {
    name:
      "an untyped parameter takes the type its callers pass, through callers' own parameters as far as they go; a call passing it back adds nothing",
    path: "src/handlers.js",
    script: true,
    code: `class Client {
  /** @returns {Promise<string>} */
  select(db) { return Promise.resolve(String(db)); }
  /** @returns {void} */
  flush() {}
  connect() { onConnect(this); a(this); poll(this, 3); }
}
function onConnect(self) { onReady(self); }
function onReady(self) {
  self.select(1);
  self.flush();
}
function other(thing) { thing.select(2); }
function a(s) { b(s); }
function b(s) { c(s); }
function c(s) { d(s); }
function d(s) { s.select(3); }
function poll(self, n) { self.select(4); if (n > 0) poll(self, n - 1); }
function spin(self) { self.select(5); spin(self); }
module.exports = { Client, other, spin };`,
    sites: [
      { kind: "floating-promise", line: 10, resolution: "syntax", status: "unsupervised" },
      { kind: "floating-promise", line: 17, resolution: "syntax", status: "unsupervised" },
      { kind: "floating-promise", line: 18, resolution: "syntax", status: "unsupervised" },
    ],
  },
  {
    name:
      "a compiled package's field, declared in its .d.ts, holds the deferreds its script stores: resolved only, its .then cannot reject",
    path: "src/closer.js",
    script: true,
    code: `const { Iter } = require("./iter");
const open = [];
function watch() {
  const iter = new Iter();
  open.push(iter);
  iter.closed.then(() => { open.splice(open.indexOf(iter), 1); });
}
module.exports = watch;`,
    sites: [{ kind: "then-without-catch", line: 6, status: "benign" }],
  },
], {
  files: {
    "src/iter.js": `function deferred() {
  let methods = {};
  const promise = new Promise((resolve, reject) => { methods = { resolve, reject }; });
  return Object.assign(promise, methods);
}
class Iter {
  constructor() { this.closed = deferred(); }
  stop() { this.closed.resolve(); }
}
exports.Iter = Iter;`,
    "src/iter.d.ts": `export declare class Iter {
  closed: Promise<void> & { resolve(): void; reject(error: Error): void };
  stop(): void;
}`,
  },
});
