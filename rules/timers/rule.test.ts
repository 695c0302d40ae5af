import { type Case, describeCases } from "../../test/support/cases.ts";

const cases: Case[] = [
  {
    name: "setInterval at module top level is a durable interval",
    code: `declare function refreshCache(): void;\nsetInterval(() => { refreshCache(); }, 1000);`,
    sites: [{
      kind: "interval",
      line: 2,
      status: "unsupervised",
      group: "durable",
      resolution: "type",
      signals: ["interval-timer", "module-top-level"],
    }],
  },
  {
    name: "each timer function gives its kind",
    code: `
function start() {
  setTimeout(() => { throw new Error("x"); }, 10);
  setImmediate(() => { JSON.parse("{"); });
  queueMicrotask(() => { JSON.parse("{"); });
}
start();`,
    sites: [
      { kind: "timeout", line: 3, status: "unsupervised" },
      { kind: "immediate", line: 4, status: "unsupervised" },
      { kind: "microtask", line: 5, status: "unsupervised" },
    ],
  },
  {
    name: "globalThis.setTimeout and node:timers imports are sites",
    code: `
import { setInterval as every } from "node:timers";
import * as timers from "node:timers";
globalThis.setTimeout(() => { JSON.parse("{"); }, 5);
every(() => { JSON.parse("{"); }, 5);
timers.setInterval(() => { JSON.parse("{"); }, 5);
timers.setTimeout(() => { JSON.parse("{"); }, 5);
(0, timers.setImmediate)(() => { JSON.parse("{"); });`,
    sites: [
      { kind: "timeout", line: 4, resolution: "type" },
      { kind: "interval", line: 5, resolution: "type" },
      { kind: "interval", line: 6, resolution: "type" },
      { kind: "timeout", line: 7, resolution: "type" },
      { kind: "immediate", line: 8, resolution: "type" },
    ],
  },
  {
    name: "a local function named setTimeout is not a site",
    code: `
function setTimeout(fn: () => void, _ms: number) { fn(); }
setTimeout(() => { JSON.parse("{"); }, 5);`,
    sites: [],
  },
  {
    name: "awaited setTimeout from node:timers/promises is not a site",
    code: `
import { setTimeout as sleep } from "node:timers/promises";
import { setTimeout } from "node:timers/promises";
export async function wait() {
  await sleep(100);
  await setTimeout(100);
}`,
    sites: [],
  },
  {
    name: "a timer call inside a string or template literal is not a site",
    code: `
const script = "setInterval(() => postMessage({}), 1000)";
const other = \`setTimeout(() => work(), \${1000})\`;
console.log(script, other);`,
    sites: [],
  },
  {
    name: "resolve and reject(new Error(...)) callbacks are benign: a timeout guard cannot fail",
    code: `
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const fail = (ms: number) => new Promise<void>((_resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms));`,
    sites: [
      { kind: "timeout", line: 2, status: "benign" },
      { kind: "timeout", line: 3, status: "benign" },
    ],
  },
  {
    name: "a bare assignment callback is benign; a call is not",
    code: `
let expired = false;
declare function report(value: boolean): void;
export function arm() {
  setTimeout(() => { expired = true; }, 1000);
  setTimeout(() => expired = false, 1000);
  setTimeout(() => report(expired), 1000);
}`,
    sites: [
      { kind: "timeout", line: 5, status: "benign" },
      { kind: "timeout", line: 6, status: "benign" },
      { kind: "timeout", line: 7, status: "unsupervised" },
    ],
  },
  {
    name: "try/catch around the whole callback body is handled",
    code: `
declare function refresh(): Promise<void>;
setInterval(async () => {
  try { await refresh(); } catch (error) { console.error(error); }
}, 60_000);
setInterval(async () => {
  await refresh();
}, 60_000);`,
    sites: [
      { kind: "interval", line: 3, status: "handled" },
      { kind: "interval", line: 6, status: "unsupervised" },
    ],
  },
  {
    name: "a timeout that reschedules its own function is a durable polling loop",
    code: `
declare function fetchJobs(): Promise<void>;
function poll() {
  fetchJobs().catch(console.error);
  setTimeout(poll, 5000);
}
function doNext() {
  setTimeout(() => doNext(), 1000);
}
export { poll, doNext };`,
    sites: [
      { kind: "floating-promise", line: 4, status: "handled" },
      { kind: "timeout", line: 5, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 8, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name:
      "a timeout that reschedules its function only to wait for a condition, then returns, defers one piece of work",
    code: `
declare const socket: { bufferedAmount: number; send(chunk: string): void };
export function write(chunk: string, limit: number) {
  if (socket.bufferedAmount > limit) {
    setTimeout(write, 10, chunk, limit);
    return;
  }
  socket.send(chunk);
}
export class Poller {
  running = true;
  tick() {
    if (this.running) {
      setTimeout(() => this.tick(), 10);
      return;
    }
  }
}`,
    sites: [
      { kind: "timeout", line: 5, group: "per-request", signals: ["one-shot-timer"] },
      { kind: "timeout", line: 14, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name: "a timeout closing a loop through one intermediate method is durable",
    code: `
declare function getJobs(): Promise<number>;
export class LocalQueue {
  timer: ReturnType<typeof setTimeout> | undefined;
  fetch = (): void => {
    this.fetchOnce().catch(console.error);
  };
  async fetchOnce(): Promise<void> {
    if ((await getJobs()) === 0) this.timer = setTimeout(this.fetch, 1000);
  }
}`,
    sites: [
      { kind: "floating-promise", line: 6, status: "handled" },
      { kind: "timeout", line: 9, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name: "clearTimeout before setTimeout is a per-request debounce",
    code: `
let timer: ReturnType<typeof setTimeout> | undefined;
export function onInput(value: string) {
  clearTimeout(timer);
  timer = setTimeout(() => console.log(value), 300);
}`,
    sites: [{ kind: "timeout", line: 5, group: "per-request", signals: ["debounce"] }],
  },
  {
    name: "an interval started in a server's request handler and held there is per-request",
    code: `
import { createServer } from "node:http";
createServer((req, res) => {
  const timer = setInterval(() => res.write("."), 1000);
  req.on("close", () => clearInterval(timer));
});`,
    sites: [{ kind: "interval", line: 4, group: "per-request", signals: ["inside-request-handler"] }],
  },
  {
    name: "an interval started in a listener given one message per event is per-request; held by this, durable",
    code: `
import { EventEmitter } from "node:events";
export class Client {
  heartbeat?: ReturnType<typeof setInterval>;
  constructor(socket: EventEmitter) {
    socket.on("message", (message: { type: string }) => {
      const echo = setInterval(() => socket.emit("echo", message.type), 1000);
      socket.once("close", () => clearInterval(echo));
      if (message.type === "hello") this.heartbeat = setInterval(() => socket.emit("ping"), 1000);
    });
  }
}`,
    sites: [
      { kind: "interval", line: 7, group: "per-request", signals: ["inside-request-handler"] },
      { kind: "interval", line: 9, group: "durable", signals: ["interval-timer"] },
    ],
  },
  {
    name:
      "a timer whose handle only one call holds and clears stops with that call; one kept on this, never cleared, or held by a factory that returns the closure clearing it does not",
    code: `
export class Runner {
  private timer?: ReturnType<typeof setTimeout>;
  processJob(job: { done: Promise<void> }) {
    let guard: ReturnType<typeof setTimeout> | undefined;
    const keepAlive = () => {
      guard = setTimeout(keepAlive, 1000);
    };
    keepAlive();
    job.done.then(() => clearTimeout(guard), () => clearTimeout(guard));
  }
  watch() {
    let again: ReturnType<typeof setTimeout> | undefined;
    const tick = () => {
      again = setTimeout(tick, 1000);
    };
    tick();
    console.log(again);
  }
  keep() {
    const tick = () => {
      this.timer = setTimeout(tick, 1000);
    };
    tick();
  }
}
export function TcpNode(this: { on(event: string, listener: () => void): void }) {
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  const retry = () => {
    reconnect = setTimeout(retry, 1000);
  };
  retry();
  this.on("close", () => clearTimeout(reconnect));
}
export function makeWorker() {
  let poll: ReturnType<typeof setTimeout> | undefined;
  const next = () => {
    poll = setTimeout(next, 1000);
  };
  const release = () => clearTimeout(poll);
  next();
  const worker = { release };
  return worker;
}`,
    sites: [
      { kind: "timeout", line: 7, group: "per-request", signals: ["starts-itself-again", "held-by-one-call"] },
      { kind: "floating-promise", line: 10, status: "handled" },
      { kind: "timeout", line: 15, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 22, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 30, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 38, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name:
      "a function handed a promise executor's settle functions (by position, whatever their names) works for that promise; parameters named resolve and reject are no evidence",
    code: `
function attempt(done: () => void, fail: (error: Error) => void) {
  setTimeout(() => attempt(done, fail), 100);
}
export function waitUntilReady(): Promise<void> {
  return new Promise((ok, notOk) => attempt(ok, notOk));
}
function poll(resolve: () => void, reject: () => void) {
  setTimeout(() => poll(resolve, reject), 100);
}
poll(() => {}, () => {});`,
    sites: [
      { kind: "timeout", line: 3, group: "per-request", signals: ["starts-itself-again", "inside-promise-executor"] },
      { kind: "timeout", line: 9, group: "durable", signals: ["starts-itself-again", "startup-function"] },
    ],
  },
  {
    name:
      "a factory is recognised by what its returned names resolve to: a module function that a block of its body shadows is no closure of the call",
    code: `
function release(): void {}
export function makeLease(early: boolean) {
  let poll: ReturnType<typeof setTimeout> | undefined;
  const next = () => {
    poll = setTimeout(next, 1000);
  };
  if (early) {
    const release = () => clearTimeout(poll);
    release();
  }
  next();
  return { release };
}
export function makeWorker(early: boolean) {
  let poll: ReturnType<typeof setTimeout> | undefined;
  const next = () => {
    poll = setTimeout(next, 1000);
  };
  const release = () => clearTimeout(poll);
  if (early) release();
  next();
  return { release };
}`,
    sites: [
      { kind: "timeout", line: 6, group: "per-request", signals: ["starts-itself-again", "held-by-one-call"] },
      { kind: "timeout", line: 18, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name:
      "a clear stored in an object literal handed to a call or returned is handed out: the handle is held where the callee can clear it; a local object is not",
    code: `
declare function runPool(options: { onStop(): void }): void;
declare function register(hooks: () => { stop(): void }): void;
export function startPool() {
  let sweep: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    sweep = setTimeout(tick, 1000);
  };
  tick();
  runPool({ onStop() { clearTimeout(sweep); } });
}
export function startHooks() {
  let again: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    again = setTimeout(tick, 1000);
  };
  tick();
  register(() => ({ stop: () => clearTimeout(again) }));
}
export function processJob(done: Promise<void>) {
  let guard: ReturnType<typeof setTimeout> | undefined;
  const keepAlive = () => {
    guard = setTimeout(keepAlive, 1000);
  };
  keepAlive();
  const hooks = { stop: () => clearTimeout(guard) };
  done.then(hooks.stop, hooks.stop);
}`,
    sites: [
      { kind: "timeout", line: 7, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 15, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 23, group: "per-request", signals: ["starts-itself-again", "held-by-one-call"] },
      { kind: "floating-promise", line: 27, status: "handled" },
    ],
  },
  {
    name:
      "a field given a function by reference (bound or not) stands for that function: a timer handed it reschedules when the function does",
    code: `
export class EagerTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly boundTrigger = this.trigger.bind(this);
  private readonly boundFire = this.fire.bind(this);
  private readonly onTick = this.tick;
  schedule(ms: number) {
    this.timer = setTimeout(this.boundTrigger, ms);
  }
  later(ms: number) {
    setTimeout(this.boundFire, ms);
    setTimeout(this.onTick, ms);
  }
  private trigger() {
    this.schedule(1000);
    console.log("trigger");
  }
  private fire() {
    console.log("fired");
  }
  private tick = () => {
    setTimeout(this.onTick, 1000);
  };
}`,
    sites: [
      { kind: "timeout", line: 8, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 11, group: "per-request", signals: ["one-shot-timer"] },
      { kind: "timeout", line: 12, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 22, group: "durable", signals: ["starts-itself-again"] },
    ],
  },
  {
    name:
      "a handler's name, a parameter called event, or a listener given no item or a primitive is no evidence of per-request",
    code: `
import { EventEmitter } from "node:events";
export class Presence {
  onPointerMove(event: { x: number }) {
    setInterval(() => console.log(event.x), 1000);
  }
  watch(socket: EventEmitter) {
    socket.on("close", (hadError: boolean) => {
      setInterval(() => socket.emit("retry", hadError), 1000);
    });
    socket.on("end", () => {
      setInterval(() => socket.emit("retry"), 1000);
    });
  }
}`,
    sites: [
      { kind: "interval", line: 5, group: "durable" },
      { kind: "interval", line: 9, group: "durable" },
      { kind: "interval", line: 12, group: "durable" },
    ],
  },
  {
    name:
      "who starts the starter: a function every call of which is started per request is per-request, through as many callers as it takes; one also called from elsewhere, or called in a loop over items, is not",
    code: `
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
function keepAlive(res: ServerResponse) {
  const again = () => {
    res.write(".");
    setTimeout(again, 1000);
  };
  again();
}
function respond(_req: IncomingMessage, res: ServerResponse) {
  keepAlive(res);
}
createServer((req, res) => respond(req, res)).listen(8080);
function trickle(res: ServerResponse) {
  const again = () => {
    res.write(".");
    setTimeout(again, 1000);
  };
  again();
}
createServer((_req, res) => trickle(res)).listen(8081);
export function api(res: ServerResponse) {
  trickle(res);
}
class Session {
  constructor(res: ServerResponse) {
    setInterval(() => res.write("."), 1000);
  }
}
createServer((_req, res) => new Session(res)).listen(8082);
function relay(res: ServerResponse) {
  const again = () => {
    res.write(".");
    setTimeout(again, 1000);
  };
  again();
}
export function relayAll(responses: ServerResponse[]) {
  for (const res of responses) relay(res);
}
function pulse() {
  setInterval(() => console.log("pulse"), 1000);
}
function prepare() {
  pulse();
}
prepare();`,
    sites: [
      { kind: "timeout", line: 6, group: "per-request", signals: ["starts-itself-again", "started-per-request"] },
      { kind: "timeout", line: 17, group: "durable", signals: ["starts-itself-again"] },
      {
        kind: "interval",
        line: 27,
        group: "per-request",
        signals: ["interval-timer", "constructor", "started-per-request"],
      },
      { kind: "timeout", line: 34, group: "durable", signals: ["starts-itself-again"] },
      { kind: "interval", line: 42, group: "durable", signals: ["interval-timer", "startup-function"] },
    ],
  },
  {
    name: "a deferred callback with a loop that awaits until stopped is durable",
    code: `
declare const signal: AbortSignal;
declare function step(): Promise<void>;
export function begin() {
  setImmediate(async function drain() {
    try {
      while (!signal.aborted) await step();
    } catch {}
  });
}`,
    sites: [{
      kind: "immediate",
      line: 5,
      group: "durable",
      signals: ["unbounded-loop-in-callback"],
    }],
  },
  {
    name: "a loop that never yields is not background work: it runs to its end before anything else",
    code: `
declare const signal: AbortSignal;
declare function step(): void;
export function begin() {
  setImmediate(function drain() {
    while (!signal.aborted) step();
  });
}`,
    sites: [{ kind: "immediate", line: 5, group: "per-request", signals: ["one-shot-timer"] }],
  },
  {
    name: "timers in test files are the test group",
    path: "src/scheduler.test.ts",
    code: `setInterval(() => console.log("x"), 10);`,
    sites: [{ kind: "interval", line: 1, group: "test", signals: ["test-file-path"] }],
  },
  {
    name: "a file only test files import is test-support: its timers are the test group",
    path: "src/support/fake-server.ts",
    code: `
import { tick } from "./clock-util";
export function startFakeServer() { setInterval(() => tick(), 10); }`,
    sites: [{ kind: "interval", line: 3, group: "test", signals: ["test-support-file"] }],
  },
  {
    name: "a file imported only by a test-support file is not test-support: only direct importers count",
    path: "src/support/clock-util.ts",
    code: `export function tick() { setInterval(() => console.log("tick"), 10); }`,
    sites: [{ kind: "interval", line: 1, group: "durable" }],
  },
  {
    name: "a test file importing the helpers",
    path: "src/server.test.ts",
    code: `
import { startFakeServer } from "./support/fake-server";
import { refresh } from "./shared-refresh";
startFakeServer();
refresh();`,
    sites: [],
  },
  {
    name: "a file that both a test file and the code import is not test-support",
    path: "src/shared-refresh.ts",
    code: `export function refresh() { setInterval(() => console.log("refresh"), 10); }`,
    sites: [{ kind: "interval", line: 1, group: "durable" }],
  },
  {
    name: "the code importing the shared file",
    path: "src/app-main.ts",
    code: `
import { refresh } from "./shared-refresh";
refresh();`,
    sites: [],
  },
  {
    name: "timers inside describe/it bodies are the test group",
    code: `
import { describe, it } from "node:test";
describe("scheduler", () => {
  it("ticks", () => {
    setTimeout(() => JSON.parse("x"), 10);
  });
});`,
    sites: [
      { kind: "floating-promise", line: 3, status: "handled", group: "test" },
      { kind: "floating-promise", line: 4, status: "handled", group: "test" },
      { kind: "timeout", line: 5, status: "unsupervised", group: "test", signals: ["inside-test-body"] },
    ],
  },
  {
    name:
      "in the constructor of a class made once at module top level an interval is durable, so is the first run of its work; a one-shot timeout is per-request",
    code: `
export class Refresher {
  constructor() {
    setInterval(() => this.refresh(), 60_000);
    setTimeout(() => this.refresh(), 1000);
    setTimeout(() => this.warm(), 1000);
  }
  refresh() { JSON.parse("{}"); }
  warm() { JSON.parse("{}"); }
}
export const refresher = new Refresher();`,
    sites: [
      { kind: "interval", line: 4, group: "durable", signals: ["interval-timer", "long-lived-constructor"] },
      { kind: "timeout", line: 5, group: "durable", signals: ["first-tick", "long-lived-constructor"] },
      { kind: "timeout", line: 6, group: "per-request", signals: ["one-shot-timer", "long-lived-constructor"] },
    ],
  },
  {
    name: "timers in plain JavaScript resolve through the lib",
    path: "src/legacy.js",
    script: true,
    code: `function setup() { setTimeout(function () { JSON.parse("{"); }, 5); }\nsetup();`,
    sites: [{
      kind: "timeout",
      line: 1,
      resolution: "type",
      group: "per-request",
      signals: ["one-shot-timer", "startup-function"],
    }],
  },
  {
    name: "a method called on an untyped parameter resolves to the one class method of that name",
    path: "src/jobs.js",
    script: true,
    code: `class Job {
  executeJob() {
    try { JSON.parse("{"); } catch (error) { console.error(error); }
  }
}
class Other {
  stepOther() { JSON.parse("{"); }
}
function later(job, other) {
  setTimeout(() => job.executeJob(), 5);
  setTimeout(() => other.stepOther(), 5);
}
module.exports = { Job, Other, later };`,
    sites: [
      { kind: "timeout", line: 10, status: "handled" },
      { kind: "timeout", line: 11, status: "unsupervised" },
    ],
  },
  {
    name: "logging cannot fail; a library call whose node-style callback cannot fail cannot fail",
    code: `
declare const debug: (format: string, ...args: unknown[]) => void;
declare const logger: { warn(message: string): void };
declare const pool: { connect(callback: (err: Error | null) => void): void };
declare function refresh(): Promise<void>;
export class Client {
  timer: ReturnType<typeof setTimeout> | null = null;
  logError(message: string) { logger.warn(message); }
  reconnect() {
    this.timer = setTimeout(() => {
      this.timer = null;
      debug("reconnecting");
      logger.warn("reconnecting");
      this.logError("reconnecting");
      refresh().catch((error) => debug("failed %s", error));
    }, 10);
    setTimeout(() => pool.connect((err) => { if (err) logger.warn(err.message); }), 10);
    setTimeout(() => pool.connect((err) => { if (err) JSON.parse("{"); }), 10);
  }
}`,
    sites: [
      { kind: "timeout", line: 10, status: "handled" },
      { kind: "floating-promise", line: 15, status: "handled" },
      { kind: "timeout", line: 17, status: "benign" },
      { kind: "timeout", line: 18, status: "unsupervised" },
    ],
  },
  {
    name: "a bound method, query methods, counted loops and element reads cannot fail",
    code: `
export class Pool {
  list: number[] = [];
  needsDrain = false;
  maxCapacity = 4;
  workers = { items: [1, 2], getCurrentUsage(): number { return 1; } };
  maybeDrain() {
    const { maxCapacity } = this;
    const usage = this.workers.getCurrentUsage();
    if (maxCapacity === usage) {
      this.needsDrain = true;
      queueMicrotask(() => this.emit("needsDrain"));
    }
  }
  emit(_event: string) { JSON.parse("{"); }
  run() {
    queueMicrotask(this.maybeDrain.bind(this));
    queueMicrotask(() => {
      for (let i = 0; i < this.list.length; i++) {
        if (this.list[i] > 0) return;
      }
      this.needsDrain = false;
    });
    queueMicrotask(this.emit.bind(this, "x"));
    queueMicrotask(() => this.drainAll(this.capacity()));
  }
  capacity() { return this.maxCapacity - this.list.length; }
  drainAll(capacity: number) { this.needsDrain = capacity > 0; }
}`,
    sites: [
      { kind: "microtask", line: 12, status: "unsupervised" },
      { kind: "microtask", line: 17, status: "benign" },
      { kind: "microtask", line: 18, status: "benign" },
      { kind: "microtask", line: 24, status: "unsupervised" },
      { kind: "microtask", line: 25, status: "benign" },
    ],
  },
  {
    name:
      "the platform's collection methods cannot fail, with callbacks that cannot fail; a project's own push or reduce without an initial value can",
    code: `
class Stack { push(_value: number) { JSON.parse("{"); } }
export class Queue {
  pending: number[] = [];
  seen = new Map<string, number>();
  own = new Stack();
  flush() {
    setTimeout(() => {
      this.pending.push(1);
      this.pending.splice(0, 1);
      this.seen.set("a", this.pending.length);
      const keys = Object.keys(this.seen).concat(["x"]).map((key) => key.length);
      keys.forEach((size) => { this.pending.push(size); });
    }, 10);
    setTimeout(() => this.pending.forEach((value) => JSON.parse(String(value))), 10);
    setTimeout(() => this.own.push(1), 10);
    setTimeout(() => this.pending.reduce((sum, value) => sum + value), 10);
    setTimeout(() => this.pending.reduce((sum, value) => sum + value, 0), 10);
  }
}`,
    sites: [
      { kind: "timeout", line: 8, status: "benign" },
      { kind: "timeout", line: 15, status: "unsupervised" },
      { kind: "timeout", line: 16, status: "unsupervised" },
      { kind: "timeout", line: 17, status: "unsupervised" },
      { kind: "timeout", line: 18, status: "benign" },
    ],
  },
  {
    name:
      "process.nextTick only registers a callback; a promise chain that can only resolve, made without throwing, cannot fail; one rooted in a call that may throw first can",
    code: `
declare function drain(): Promise<void>;
declare function log(message: string): void;
function settled(tasks: Promise<void>[]) {
  return Promise.allSettled(tasks);
}
function parsedThenSettled(tasks: Promise<void>[]) {
  JSON.parse("{");
  return Promise.allSettled(tasks);
}
export class Writer {
  queue: number[] = [];
  done = false;
  run(tasks: Promise<void>[]) {
    setTimeout(() => {
      process.nextTick(() => this.run(tasks));
      Promise.allSettled(tasks).then(() => { this.done = true; });
      const ready = Promise.resolve();
    }, 10);
    setTimeout(() => Promise.allSettled(tasks).then(() => JSON.parse("{")), 10);
    setTimeout(() => { settled(tasks).then(() => log("done")); }, 10);
    setTimeout(() => { drain().finally(() => { this.done = true; }); }, 10);
    setTimeout(() => { parsedThenSettled(tasks).then(() => log("done")); }, 10);
  }
}`,
    sites: [
      { kind: "timeout", line: 15, status: "benign" },
      { kind: "then-without-catch", line: 17, status: "benign" },
      { kind: "timeout", line: 20, status: "unsupervised" },
      { kind: "timeout", line: 21, status: "benign" },
      { kind: "then-without-catch", line: 21, status: "benign" },
      { kind: "timeout", line: 22, status: "unsupervised" },
      { kind: "floating-promise", line: 22, status: "unsupervised" },
      { kind: "timeout", line: 23, status: "unsupervised" },
      { kind: "then-without-catch", line: 23, status: "benign" },
    ],
  },
  {
    name: "cleanup then settle cannot fail; a callback whose only statement is a handled call is handled",
    code: `
declare function refresh(): Promise<void>;
declare function log(error: unknown): void;
async function safeRefresh() {
  try { await refresh(); } catch (error) { log(error); }
}
export function guard(socket: { removeAllListeners(): void }, pending: Map<string, number>) {
  return new Promise<void>((_resolve, reject) => {
    setTimeout(() => {
      socket.removeAllListeners();
      pending.delete("x");
      reject(new Error(\`timed out after \${pending.size}\`));
    }, 1000);
    setTimeout(() => refresh().catch(log), 10);
    setTimeout(() => { void safeRefresh(); }, 10);
  });
}`,
    sites: [
      { kind: "timeout", line: 9, status: "benign" },
      { kind: "timeout", line: 14, status: "handled" },
      { kind: "timeout", line: 15, status: "handled" },
      { kind: "void-promise", line: 15, status: "handled" },
    ],
  },
  {
    name:
      "an interval cleared by its own callback or later in the same function is bounded; one cleared only in stop() is durable",
    code: `
declare function ready(): boolean;
declare function step(): void;
declare function work(): Promise<void>;
export class Poller {
  timer: ReturnType<typeof setInterval> | undefined;
  constructor() {
    this.timer = setInterval(() => step(), 1000);
  }
  waitReady(): void {
    const id = setInterval(() => { if (ready()) clearInterval(id); step(); }, 100);
  }
  async withProgress(): Promise<void> {
    const ticker = setInterval(() => step(), 500);
    try { await work(); } finally { clearInterval(ticker); }
  }
  stop(): void { clearInterval(this.timer); }
}`,
    sites: [
      { kind: "interval", line: 8, group: "durable", signals: ["interval-timer"] },
      { kind: "interval", line: 11, group: "per-request", signals: ["interval-cleared-nearby"] },
      { kind: "interval", line: 14, group: "per-request", signals: ["interval-cleared-nearby"] },
    ],
  },
  {
    name: "an interval that stops when idle, or whose clear is handed out or conditional, is not bounded by that clear",
    code: `
declare function send(item: string): void;
export class Drain {
  private buffer: string[] = [];
  private id: ReturnType<typeof setInterval> | undefined;
  input(item: string, flush: boolean) {
    this.buffer.push(item);
    if (this.id === undefined) {
      this.id = setInterval(() => {
        if (this.buffer.length === 0) clearInterval(this.id);
        else send(this.buffer.shift()!);
      }, 100);
    }
    if (flush) clearInterval(this.id);
  }
}
export function watchdog(ms: number) {
  const interval = setInterval(() => send("WATCHDOG=1"), ms);
  return { stop: () => clearInterval(interval) };
}`,
    sites: [
      { kind: "interval", line: 9, group: "durable", signals: ["interval-timer"] },
      { kind: "interval", line: 18, group: "durable", signals: ["interval-timer"] },
    ],
  },
  {
    name:
      "module-level aliases of platform timers are sites; library timers and object methods named setTimeout are not",
    path: "src/aliases.js",
    script: true,
    code: `const schedule = typeof setImmediate === "function" ? setImmediate : process.nextTick;
const defer = globalThis.setImmediate || ((fn) => Promise.resolve().then(fn));
const { setTimeout: later } = require("safe-timers");
function step() { JSON.parse("{"); }
schedule(() => step());
defer(() => step());
later(() => step(), 10);
const server = { setTimeout(ms, fn) { return [ms, fn]; } };
server.setTimeout(0, () => step());
const bound = setTimeout.bind(null, () => step(), 10);
module.exports = { bound };`,
    sites: [
      { kind: "immediate", line: 5, status: "unsupervised" },
      { kind: "immediate", line: 6, status: "unsupervised" },
      { kind: "timeout", line: 10, status: "unsupervised" },
    ],
  },
  {
    name:
      "a poll or retry loop scoped to one promise is per-request: inside its executor, or handed its settle functions by every call",
    code: `
declare function ready(): boolean;
export function waitUntilReady(): Promise<void> {
  return new Promise((resolve) => {
    const check = () => { if (ready()) resolve(); else setTimeout(check, 50); };
    check();
  });
}
function retrying(resolve: () => void, reject: (error: Error) => void, attempt: () => boolean) {
  const retry = () => { if (attempt()) resolve(); else setTimeout(retry, 100); };
  retry();
  setTimeout(() => reject(new Error("gave up")), 5_000);
}
export function settle(attempt: () => boolean): Promise<void> {
  return new Promise((ok, fail) => retrying(ok, fail, attempt));
}`,
    sites: [
      {
        kind: "timeout",
        line: 5,
        group: "per-request",
        signals: ["starts-itself-again", "inside-promise-executor"],
      },
      {
        kind: "timeout",
        line: 10,
        group: "per-request",
        signals: ["starts-itself-again", "inside-promise-executor"],
      },
      { kind: "timeout", line: 12, status: "benign" },
    ],
  },
  {
    name: "a promise's settle functions are known by where they come from, not by their names",
    code: `
declare function resolve(path: string): string;
declare function lookup(host: string): string;
export function wait(): Promise<void> {
  return new Promise((done, fail) => {
    setTimeout(() => fail(new Error("timed out")), 1_000);
    setTimeout(() => { resolve("/tmp"); }, 10);
    setTimeout(done, 10);
  });
}
export function answer(resolve: (host: string) => void, reject: (error: Error) => void) {
  setTimeout(() => reject(new Error("no answer")), 10);
  setTimeout(() => resolve(lookup("example.org")), 10);
}
export class Gate {
  private open: (() => void) | undefined;
  readonly opened = new Promise<void>((release) => { this.open = release; });
  later() { setTimeout(() => this.open!(), 10); }
  close() { this.open = undefined; }
}
export function deferred() {
  const { promise, resolve: settle } = Promise.withResolvers<void>();
  setTimeout(() => settle(), 10);
  return promise;
}
function convert(settle: (value: string) => void) {
  return (value: unknown) => settle(String(value));
}
export class Command {
  private answer: ((value: unknown) => void) | undefined;
  readonly done = new Promise<string>((resolve) => { this.answer = convert(resolve); });
  expire() { setTimeout(() => this.answer!(null), 10); }
}`,
    sites: [
      { kind: "timeout", line: 6, status: "benign" },
      { kind: "timeout", line: 7, status: "unsupervised" },
      { kind: "timeout", line: 8, status: "benign" },
      { kind: "timeout", line: 12, status: "unsupervised" },
      { kind: "timeout", line: 13, status: "unsupervised" },
      { kind: "timeout", line: 18, status: "benign" },
      { kind: "timeout", line: 23, status: "benign" },
      { kind: "timeout", line: 32, status: "benign" },
    ],
  },
  {
    name: "a callback that only rethrows an error it was handed is a deliberate escalation; a new error is not",
    code: `
export function escalate(error: Error) {
  queueMicrotask(() => { throw error; });
  setImmediate(() => { throw new Error("again"); });
  setTimeout((late: Error) => { throw late; }, 1, error);
}`,
    sites: [
      { kind: "microtask", line: 3, status: "handled" },
      { kind: "immediate", line: 4, status: "unsupervised" },
      { kind: "timeout", line: 5, status: "unsupervised" },
    ],
  },
  {
    name:
      "creating a promise that can only resolve, arithmetic on such values and pure helpers four calls deep cannot fail",
    code: `
const jitter = (span: number) => Math.random() * span;
const spread = (delay: number) => Math.ceil(jitter(delay / 2) + delay);
const next = (delay: number) => Math.min(spread(delay) * 2, 30_000);
export class Batch {
  private resolve: () => void = () => {};
  private promise = this.reset();
  private delay = 100;
  private reset() {
    return this.promise = new Promise<void>((resolve) => { this.resolve = resolve; });
  }
  private resetRejecting() {
    return this.promise = new Promise<void>((resolve, reject) => { this.resolve = resolve; reject(JSON.parse("{")); });
  }
  private backoff() {
    this.delay = next(this.delay);
  }
  flush() {
    setTimeout(() => { this.resolve(); return this.reset(); }, 10);
    setTimeout(() => { this.resolve(); return this.resetRejecting(); }, 10);
    setTimeout(() => this.backoff(), 10);
  }
}`,
    sites: [
      { kind: "timeout", line: 19, status: "benign" },
      { kind: "timeout", line: 20, status: "unsupervised" },
      { kind: "timeout", line: 21, status: "benign" },
    ],
  },
  {
    name:
      "a reconnect timer set in the close handler its reconnect registers is a durable loop, through untyped callers and three calls",
    path: "src/reconnect.js",
    code: `
function closeHandler(self) {
  return function () {
    self.reconnectTimer = setTimeout(function () {
      self.connect().catch(() => {});
    }, 100);
  };
}
export class Client {
  connect() { return this.open(); }
  open() { return new Promise((resolve) => { this.stream.once("close", closeHandler(this)); resolve(); }); }
}
export class Other {
  connect() { return Promise.resolve(); }
}`,
    sites: [
      { kind: "timeout", line: 4, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 5, status: "handled" },
    ],
  },
  {
    name: "a handler's name says nothing about where a loop is started when the loop re-enters that handler",
    code: `
export class Cluster {
  private timer?: ReturnType<typeof setTimeout>;
  connect(): Promise<void> {
    return new Promise((resolve) => { this.handleClose(); resolve(); });
  }
  handleClose() {
    this.timer = setTimeout(() => { this.connect().catch(() => {}); }, 100);
  }
  handleMessage(message: string) {
    setTimeout(() => { JSON.parse(message); }, 100);
  }
}`,
    sites: [
      { kind: "timeout", line: 8, group: "durable", signals: ["starts-itself-again"] },
      { kind: "floating-promise", line: 8, status: "handled" },
      { kind: "timeout", line: 11, group: "per-request", signals: ["one-shot-timer"] },
    ],
  },
  {
    name: "a timer that steps to the next item of a list is not a loop: the restart is made once per item",
    code: `
export class PickFirst {
  private children: { idle: boolean }[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private startNext(startIndex: number) {
    for (const [index, child] of this.children.entries()) {
      if (index >= startIndex && child.idle) {
        this.startConnecting(index);
        return;
      }
    }
  }
  private startConnecting(index: number) {
    this.timer = setTimeout(() => { this.startNext(index + 1); }, 250);
  }
}`,
    sites: [{ kind: "timeout", line: 14, group: "per-request", signals: ["one-shot-timer"] }],
  },
  {
    name:
      "a handled chain does not cover a callback its first call is handed: a dual promise/callback API calls it outside the chain",
    code: `
declare const client: { info(callback: (error: Error | null, reply?: string) => void): Promise<string> };
function readyCheck() {
  client.info((_error, reply) => { JSON.parse(reply!); }).catch(() => {});
}
function quietCheck() {
  client.info((error) => { console.error(error); }).catch(() => {});
}
export function poll() {
  setTimeout(() => { readyCheck(); }, 10);
  setTimeout(() => { quietCheck(); }, 10);
  setTimeout(() => { client.info((_error, reply) => { JSON.parse(reply!); }).catch(() => {}); }, 10);
}`,
    sites: [
      { kind: "floating-promise", line: 4, status: "handled" },
      { kind: "floating-promise", line: 7, status: "handled" },
      { kind: "timeout", line: 10, status: "unsupervised" },
      { kind: "timeout", line: 11, status: "handled" },
      { kind: "timeout", line: 12, status: "unsupervised" },
      { kind: "floating-promise", line: 12, status: "handled" },
    ],
  },
  {
    name:
      "a function kept in an object by shorthand ({ done }) resolves to the local function: a timeout guard calling it cannot fail",
    code: `
export function request(send: (id: number) => void) {
  return new Promise<string>((resolve, reject) => {
    function done(error?: Error, result?: string) {
      if (error) reject(error);
      else resolve(result!);
    }
    const pending = { done, timer: setTimeout(() => { const error = new Error("timed out"); pending.done(error); }, 5000) };
    send(1);
  });
}`,
    sites: [{ kind: "timeout", line: 8, status: "benign" }],
  },
  {
    name:
      "a restart path that only runs while a queue has items drains it; one that runs when nothing is pending still loops",
    code: `
export class Pool {
  private queue: string[] = [];
  private pendingLookup: Promise<void> | null = null;
  private timer?: ReturnType<typeof setTimeout>;
  private pulse() {
    if (this.queue.length < 1) return;
    this.connectNext(this.queue.shift()!);
  }
  private connectNext(item: string) {
    this.timer = setTimeout(() => { this.release(item); }, 1000);
  }
  private release(item: string) {
    console.log(item);
    this.pulse();
  }
  private resolveLater() {
    if (this.pendingLookup === null) {
      this.scheduleNext();
    }
  }
  private scheduleNext() {
    this.timer = setTimeout(() => { this.resolveLater(); }, 1000);
  }
}`,
    sites: [
      { kind: "timeout", line: 11, signals: ["one-shot-timer"] },
      { kind: "timeout", line: 23, signals: ["starts-itself-again"] },
    ],
  },
  {
    name:
      "a retry with a number of attempts written in the code is bounded; a configured limit or a state compared with a constant is still a loop",
    code: `
export class Socket {
  private maxRetries = Infinity;
  private buffered = 0;
  waitForBuffer(done: () => void, tries = 1) {
    if (tries === 5 || !this.buffered) { done(); return; }
    setTimeout(() => { this.waitForBuffer(done, tries + 1); }, 150 * tries);
  }
  retryUpTo(tries = 1) {
    if (tries < 3) {
      setTimeout(() => { this.retryUpTo(tries + 1); }, 100);
    }
  }
  reconnect(attempt = 1) {
    if (attempt >= this.maxRetries) return;
    setTimeout(() => { this.reconnect(attempt + 1); }, 100);
  }
  readyState = 0;
  keepOpen() {
    if (this.readyState !== 3) {
      setTimeout(() => { this.keepOpen(); }, 100);
    }
  }
}`,
    sites: [
      { kind: "timeout", line: 7, signals: ["one-shot-timer"] },
      { kind: "timeout", line: 11, signals: ["one-shot-timer"] },
      { kind: "timeout", line: 16, signals: ["starts-itself-again"] },
      { kind: "timeout", line: 21, signals: ["starts-itself-again"] },
    ],
  },
  {
    name:
      "a callback made by a wrapper that calls the function it is given fails as that function; one that only stores it, or whose body is not in the program, does not",
    code: `
declare function work(): Promise<void>;
declare function memoize<T>(fn: T): T;
const registry = new Map<string, unknown>();
function throttle<T extends (...args: never[]) => unknown>(fn: T, ms: number): T {
  let last = 0;
  return ((...args: never[]) => {
    const now = Date.now();
    if (now - last < ms) return undefined;
    last = now;
    return fn(...args);
  }) as T;
}
function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
function register(name: string, fn: () => Promise<void>): () => void {
  registry.set(name, fn);
  return () => { registry.delete(name); };
}
setInterval(throttle(async () => { try { await work(); } catch (error) { console.error(error); } }, 100), 1000);
const tick = debounce(() => { console.log("tick"); }, 100);
setInterval(tick, 1000);
setInterval(register("a", async () => { try { await work(); } catch (error) { console.error(error); } }), 1000);
setInterval(memoize(async () => { try { await work(); } catch (error) { console.error(error); } }), 1000);`,
    sites: [
      { kind: "timeout", line: 18, status: "unsupervised" },
      { kind: "interval", line: 25, status: "handled", reason: "catches every failure" },
      { kind: "interval", line: 27, status: "benign", reason: "cannot fail" },
      { kind: "interval", line: 28, status: "unsupervised" },
      { kind: "interval", line: 29, status: "unsupervised" },
    ],
  },
];

describeCases("timers rule", cases);

describeCases("timers rule without platform types", [
  {
    name: "an unresolvable global timer falls back to syntax with lower confidence",
    code: `setInterval(() => { JSON.parse("{"); }, 5);\nglobalThis.setTimeout(() => { JSON.parse("{"); }, 5);`,
    sites: [
      { kind: "interval", line: 1, resolution: "syntax", status: "unsupervised" },
      { kind: "timeout", line: 2, resolution: "syntax", status: "unsupervised" },
    ],
  },
  {
    name: "an unresolvable method named setTimeout on another object is not a site",
    code: `declare const scheduler: any;\nscheduler.setTimeout(() => 1, 5);`,
    sites: [],
  },
], { compilerOptions: { lib: ["ES2022"], types: [] } });
