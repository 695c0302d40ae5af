/**
 * Recurrence as reachability in the program's graph of functions
 * (src/analysis/graph.ts): each mechanism that adds an edge, with a case
 * where it closes a loop (durable) and one where it must not.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ts } from "ts-morph";
import { type Case, describeCases } from "./support/cases.ts";
import { summariesOf } from "../src/analysis/summary.ts";

const cases: Case[] = [
  {
    name: "a reconnect loop closed through four calls and a listener is durable",
    code: `
import { EventEmitter } from "node:events";
export class Client {
  private socket?: EventEmitter;
  start() { this.connect(); }
  private connect() { this.open(); }
  private open() {
    this.socket = new EventEmitter();
    this.socket.on("close", () => this.handleClose());
  }
  private handleClose() { this.destroy(); }
  private destroy() {
    setTimeout(() => { this.connect(); }, 1000);
  }
}`,
    sites: [{ kind: "timeout", line: 13, group: "durable", signals: ["starts-itself-again"] }],
  },
  {
    name: "a reconnect timer in an inline close listener is part of the loop, not inside a handler",
    code: `
import { EventEmitter } from "node:events";
export function startconn(): void {
  const socket = new EventEmitter();
  socket.on("close", function () {
    setTimeout(function () { startconn(); }, 3000);
  });
}`,
    sites: [{ kind: "timeout", line: 6, group: "durable", signals: ["starts-itself-again"] }],
  },
  {
    name: "a continuation handed by reference closes the loop: refresh → then(onRefreshed) → schedule → refresh",
    code: `
declare function fetchToken(): Promise<string>;
export class Credentials {
  token = "";
  refresh() {
    fetchToken().then(this.onRefreshed);
  }
  onRefreshed = (token: string) => {
    this.token = token;
    this.schedule();
  };
  schedule() {
    setTimeout(() => this.refresh(), 60_000);
  }
}`,
    sites: [
      { kind: "then-without-catch", line: 6, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 13, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name: "a callback parameter resolves to what its callers pass: monitor(check) → queueMicrotask(callback) → check",
    code: `
function monitor(callback: () => void) {
  setTimeout(callback, 1000);
}
function check() {
  JSON.parse("{}");
  monitor(check);
}
export function begin() { check(); }`,
    sites: [{ kind: "timeout", line: 3, group: "durable", signals: ["starts-itself-again"] }],
  },
  {
    name: "a callback parameter read by a closure: connect(callback) → .then(() => callback()) → setTimeout → ensure",
    code: `
declare function open(): Promise<void>;
class Pool {
  size = 0;
  connect(callback: (error?: Error) => void) {
    open().then(() => { this.size++; callback(); }, (error) => callback(error));
  }
  ensure() {
    this.connect(() => {
      setTimeout(() => this.ensure(), 1000);
    });
  }
  once(callback: () => void) {
    const callback2 = () => {};
    open().then(() => callback2());
    JSON.parse(callback.name);
  }
  check() {
    this.once(() => {
      setTimeout(() => this.check(), 1000);
    });
  }
}
export const pool = new Pool();`,
    sites: [
      { kind: "floating-promise", line: 6, status: "handled" },
      { kind: "timeout", line: 10, group: "durable", signals: ["starts-itself-again"] },
      { kind: "then-without-catch", line: 15 },
      { kind: "timeout", line: 20, group: "per-request", signals: ["one-shot-timer"] },
    ],
  },
  {
    name: "a compiled indirect call (0, f)(…) is a call of f, and (0, timers.setTimeout) a timer",
    code: `
import * as timers from "node:timers";
const helpers = { later(fn: () => void) { timers.setTimeout(fn, 10); } };
export function tick(): void {
  JSON.parse("{}");
  (0, timers.setTimeout)(() => tick(), 1000);
}
export function once(): void {
  (0, helpers.later)(() => { JSON.parse("{}"); });
}`,
    sites: [
      { kind: "timeout", line: 3, group: "per-request" },
      { kind: "timeout", line: 6, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name: "an if whose both ways reschedule does not bound the loop; a drain that stops when empty does",
    code: `
declare function lookup(): Promise<string[]>;
declare function log(text: string): void;
export class Poller {
  timer?: ReturnType<typeof setTimeout>;
  schedule() {
    this.timer = setTimeout(() => { void this.poll(); }, 1000);
  }
  failure() { this.schedule(); }
  success(found: string[]) { log(found.join()); this.schedule(); }
  async poll() {
    const found = (await lookup()).filter((name) => name.length > 0);
    if (!found.length) {
      this.failure();
      return;
    }
    this.success(found);
  }
}
export class Drain {
  queue: string[] = [];
  later() {
    setTimeout(() => { this.drain(); }, 10);
  }
  drain() {
    if (!this.queue.length) {
      log("drained");
      return;
    }
    log(this.queue.shift()!);
    this.later();
  }
}`,
    sites: [
      { kind: "timeout", line: 7, group: "durable", signals: ["starts-itself-again"] },
      { kind: "void-promise", line: 7, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 23, group: "per-request", signals: ["one-shot-timer"] },
    ],
  },
  {
    name: "a function stored in a field and called from there closes the loop",
    code: `
export class Poller {
  private next: () => void;
  constructor() {
    this.next = this.tick;
  }
  tick = () => {
    JSON.parse("{}");
    setTimeout(() => this.next(), 50);
  };
}`,
    sites: [{ kind: "timeout", line: 9, group: "durable", signals: ["starts-itself-again"] }],
  },
  {
    name: "a listener registered by reference closes the loop: addEventListener('error', handleError) → connect",
    code: `
let socket: EventTarget | undefined;
function handleError() {
  setTimeout(connect, 500);
}
function connect() {
  socket = new EventTarget();
  socket.addEventListener("error", handleError);
}
connect();`,
    sites: [{ kind: "timeout", line: 4, group: "durable", signals: ["starts-itself-again"] }],
  },
  {
    name: "an interface method dispatches to every implementation",
    code: `
interface Source { start(): void }
class Ticker implements Source {
  constructor(private readonly owner: Runner) {}
  start() { setTimeout(() => this.owner.run(), 100); }
}
export class Runner {
  source: Source = new Ticker(this);
  run() { this.source.start(); }
}`,
    sites: [{ kind: "timeout", line: 5, group: "durable", signals: ["starts-itself-again"] }],
  },
  {
    name: "not a loop: a synchronous recursion, a restart once per item, a retry only on failure",
    code: `
type Tree = { children: Tree[] };
export function walk(tree: Tree) {
  tree.children.forEach(walk);
  setTimeout(() => { JSON.parse("{}"); }, 0);
}
export function parseLater(text: string) {
  setTimeout(() => {
    try {
      JSON.parse(text);
    } catch {
      parseLater("{}");
    }
  }, 1000);
}`,
    sites: [
      { kind: "timeout", line: 5, group: "per-request", signals: ["one-shot-timer"] },
      { kind: "timeout", line: 8, group: "per-request", signals: ["one-shot-timer"] },
    ],
  },
  {
    name: "a timer set on failure retries after a delay until the failure clears: a loop",
    code: `
declare function fetchJob(): Promise<string>;
export async function poll(): Promise<void> {
  try {
    JSON.parse(await fetchJob());
  } catch {
    setTimeout(() => void poll(), 5000);
  }
}`,
    sites: [{ kind: "timeout", line: 7, group: "durable", signals: ["starts-itself-again"] }],
  },
  {
    name: "a helper given two callbacks does not join them in one loop: each caller starts only what it hands over",
    code: `
function later(callback: () => void) {
  setTimeout(callback, 10);
}
function first() { later(second); }
function second() { JSON.parse("{}"); }
export function third() { later(first); }`,
    sites: [{ kind: "timeout", line: 3, group: "per-request", signals: ["one-shot-timer"] }],
  },
  {
    name: "a loop that reads a cursor to its end is bounded; one that awaits until stopped is not",
    code: `
declare const reader: { read(): Promise<{ done: boolean; value?: string }> };
declare function handle(value?: string): void;
declare const signal: AbortSignal;
async function readAll(): Promise<void> {
  while (true) {
    const { done, value } = await reader.read();
    if (done) {
      handle();
      return;
    }
    handle(value);
  }
}
async function serve(): Promise<void> {
  while (!signal.aborted) handle((await reader.read()).value);
}
export function begin() {
  readAll();
  serve();
}`,
    sites: [
      { kind: "floating-promise", line: 19, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 20, group: "durable", signals: ["unbounded-loop-in-callee"] },
    ],
  },
  {
    name:
      "a loop only through next-turn deferrals (setImmediate, queueMicrotask, nextTick) steps through what is there",
    code: `
declare function step(): void;
export function pump() {
  step();
  setImmediate(pump);
}
export function spin() {
  step();
  queueMicrotask(() => spin());
}
export function churn() {
  step();
  process.nextTick(churn);
}`,
    sites: [
      { kind: "immediate", line: 5, group: "per-request", signals: ["one-shot-timer"] },
      { kind: "microtask", line: 9, group: "per-request", signals: ["one-shot-timer"] },
    ],
  },
  {
    name:
      "a deferral of a function that is a loop of its own runs its first turn; one of a function that only starts a loop, or of a loop closed through a listener, is one-shot",
    code: `
import { EventEmitter } from "node:events";
declare function work(): void;
function step() {
  work();
  setTimeout(step, 1000);
}
export function begin() {
  setImmediate(() => step());
}
function prepare() {
  work();
  step();
}
export function later() {
  setImmediate(() => prepare());
}
const bus = new EventEmitter();
function reopen() {
  bus.once("close", () => setTimeout(reopen, 1000));
}
export function open() {
  setImmediate(() => reopen());
}`,
    sites: [
      { kind: "timeout", line: 6, group: "durable", signals: ["starts-itself-again"] },
      { kind: "immediate", line: 9, group: "durable", signals: ["first-tick"] },
      { kind: "immediate", line: 16, group: "per-request", signals: ["one-shot-timer"] },
      { kind: "timeout", line: 20, group: "durable", signals: ["starts-itself-again"] },
      { kind: "immediate", line: 23, group: "per-request", signals: ["one-shot-timer"] },
    ],
  },
  {
    name: "a first tick beside an interval of the same work, and a timer whose callback starts an interval",
    code: `
export class Monitor {
  private interval?: ReturnType<typeof setInterval>;
  start() {
    setImmediate(() => this.check());
    this.interval = setInterval(async () => await this.check(), 60_000);
  }
  later(ms: number) {
    setTimeout(() => {
      this.check();
      this.interval = setInterval(() => this.check(), ms);
    }, ms);
  }
  check() { JSON.parse("{}"); }
}`,
    sites: [
      { kind: "immediate", line: 5, group: "durable", signals: ["first-tick"] },
      { kind: "interval", line: 6, group: "durable", signals: ["interval-timer"] },
      { kind: "timeout", line: 9, group: "durable", signals: ["first-tick"] },
      { kind: "interval", line: 11, group: "durable", signals: ["interval-timer"] },
    ],
  },
  {
    name:
      "not a first tick: a deferral beside an interval of other work, a first connect of a loop closed only by a listener",
    code: `
import { EventEmitter } from "node:events";
declare function flush(): void;
declare function tick(): void;
export function begin() {
  setImmediate(() => flush());
  setInterval(() => tick(), 1000);
}
export function connect() {
  const socket = new EventEmitter();
  socket.on("close", () => setTimeout(connect, 1000));
}
export function open() {
  setImmediate(() => connect());
}`,
    sites: [
      { kind: "immediate", line: 6, group: "per-request", signals: ["one-shot-timer"] },
      { kind: "interval", line: 7, group: "durable", signals: ["interval-timer"] },
      { kind: "timeout", line: 11, group: "durable", signals: ["starts-itself-again"] },
      { kind: "immediate", line: 14, group: "per-request", signals: ["one-shot-timer"] },
    ],
  },
  {
    name:
      "an emit of the program's own emitter starts its listeners: activate → then → schedule → setTimeout → emit(EV.TRIGGER) → activate; the promise is one attempt of the listener's loop",
    code: `
import { EventEmitter } from "node:events";
declare function raise(): Promise<number>;
const EV = { TRIGGER: "trigger" } as const;
class Timer extends EventEmitter {
  schedule(ms: number) {
    setTimeout(() => this.emit(EV.TRIGGER), ms);
  }
}
export class Queue {
  private timer: Timer | null = new Timer();
  constructor() {
    this.timer?.on("trigger", this.activate.bind(this));
  }
  activate() {
    raise().then((next) => this.timer?.schedule(next));
  }
}`,
    sites: [
      { kind: "timeout", line: 7, group: "durable", signals: ["starts-itself-again"] },
      { kind: "then-without-catch", line: 16, group: "per-request", signals: ["one-shot-call"] },
    ],
  },
  {
    name: "an emit starts only the listeners of its own event name and emitter type",
    code: `
import { EventEmitter } from "node:events";
declare function raise(): Promise<number>;
class Timer extends EventEmitter {
  schedule(ms: number) {
    setTimeout(() => this.emit("trigger"), ms);
  }
}
class Other extends EventEmitter {}
export class Queue {
  private timer = new Timer();
  private other = new Other();
  constructor() {
    this.timer.on("fired", () => this.activate());
    this.other.on("trigger", () => this.activate());
  }
  activate() {
    raise().then((next) => this.timer.schedule(next));
  }
}`,
    sites: [
      { kind: "timeout", line: 6, group: "per-request" },
      { kind: "then-without-catch", line: 18, group: "per-request" },
    ],
  },
  {
    name:
      "a callback parameter every caller gives the same function is that function: check → then → callback → reschedule → tick → check",
    code: `
declare function request(): Promise<string>;
function check(callback: (reply: string) => void) {
  request().then((reply) => callback(reply));
}
export class Monitor {
  tick() { check(() => this.reschedule()); }
  reschedule() { setTimeout(() => this.tick(), 1000); }
}`,
    sites: [
      { kind: "then-without-catch", line: 4, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 8, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name:
      "a callback parameter given different functions by different callers does not put the helper on either's loop",
    code: `
declare function request(): Promise<string>;
function check(callback: (reply: string) => void) {
  request().then((reply) => callback(reply));
}
export class Monitor {
  tick() { check(() => this.reschedule()); }
  reschedule() { setTimeout(() => this.tick(), 1000); }
}
export function once() { check((reply) => console.log(reply)); }`,
    sites: [
      { kind: "then-without-catch", line: 4, group: "per-request", signals: ["one-shot-call"] },
      { kind: "timeout", line: 8, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name:
      "which site owns a loop: the timer on the cycle recurs; a promise entering a loop kept going by that timer is one attempt, one entering a loop that goes on through promises is its first turn; a deferral entering a loop kept going by another call's callback is one-shot",
    code: `
declare function dial(): void;
declare function watch(onChange: () => void): void;
declare function fetchJob(): Promise<void>;
export class Client {
  constructor() {
    this.connect().catch(() => {});
  }
  async connect(): Promise<void> {
    dial();
    setTimeout(() => {
      this.connect().catch(() => {});
    }, 1000);
  }
}
async function poll(): Promise<void> {
  await fetchJob();
  JSON.parse("{}");
  poll();
}
export function start() {
  poll();
}
function check() {
  watch(check);
}
export function wait() {
  setImmediate(check);
}`,
    sites: [
      { kind: "floating-promise", line: 7, group: "per-request", signals: ["one-shot-call"] },
      { kind: "timeout", line: 11, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 12, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 19, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 22, group: "durable", signals: ["starts-itself-again"] },
      { kind: "immediate", line: 28, group: "per-request", signals: ["one-shot-timer"] },
    ],
  },
];

describeCases("recurrence in the program's graph", cases);

test("a function's summary is a plain record: it survives a JSON round trip unchanged", () => {
  const code = `
export class A {
  private fn?: () => void;
  run(callback: () => void) {
    this.fn = callback;
    setTimeout(() => this.fn?.(), 10);
    Promise.resolve().then(this.done).catch(() => {});
    setInterval(this.done, 10);
  }
  done = () => {};
}`;
  const file = ts.createSourceFile("a.ts", code, ts.ScriptTarget.ES2022, true);
  const program = ts.createProgram({
    rootNames: ["a.ts"],
    options: { noLib: true },
    host: {
      ...ts.createCompilerHost({}),
      getSourceFile: (name) => name === "a.ts" ? file : undefined,
      fileExists: (name) => name === "a.ts",
      readFile: () => undefined,
    },
  });
  const summaries = summariesOf(program.getTypeChecker(), program.getSourceFile("a.ts")!, {
    stored: new Set(["fn"]),
    dispatched: new Set(),
  });
  assert.deepEqual(JSON.parse(JSON.stringify(summaries)), summaries);
  const run = summaries.find((summary) => summary.name.startsWith("run "));
  assert.ok(run !== undefined);
  assert.deepEqual(run.stores.map((store) => store.value), [{ parameter: 0 }]);
  assert.deepEqual(run.edges.map((edge) => [edge.kind, edge.yields, edge.limit ?? null, edge.repeats ?? false]), [
    ["deferral", true, null, false],
    ["continuation", true, "only on failure", false],
    ["continuation", true, null, false],
    ["deferral", true, null, true],
  ]);
});
