import { type Case, describeCases } from "../../test/support/cases.ts";

const cases: Case[] = [
  {
    name: "an async function passed to emitter.on is an async-listener",
    code: `
import { EventEmitter } from "node:events";
declare function save(data: string): Promise<void>;
const bus = new EventEmitter();
bus.on("data", async (data: string) => {
  await save(data);
});`,
    sites: [{
      kind: "async-listener",
      line: 5,
      status: "unsupervised",
      resolution: "type",
      signals: ["listener-callback"],
    }],
  },
  {
    name: "an async function passed to addEventListener and forEach",
    code: `
declare function save(data: string): Promise<void>;
declare const target: EventTarget;
target.addEventListener("message", async () => { await save("x"); });
export function saveAll(items: string[]) {
  items.forEach(async (item) => { await save(item); });
}`,
    sites: [
      { kind: "async-listener", line: 4, status: "unsupervised" },
      { kind: "async-listener", line: 6, status: "unsupervised", group: "per-request", signals: ["loop-over-items"] },
    ],
  },
  {
    name: "a named async function passed as a listener",
    code: `
import { EventEmitter } from "node:events";
async function onData(data: string) { console.log(data); }
new EventEmitter().on("data", onData);`,
    sites: [{ kind: "async-listener", line: 4 }],
  },
  {
    name: "a callback slot that accepts promises is not a site",
    code: `
declare function run(task: () => Promise<void>): void;
declare function each<T>(items: T[], fn: (item: T) => unknown): void;
run(async () => {});
each([1], async (n) => console.log(n));
export async function mapAll(items: number[]) {
  return Promise.all(items.map(async (n) => n * 2));
}`,
    sites: [],
  },
  {
    name: "a sync listener is not a site",
    code: `
import { EventEmitter } from "node:events";
new EventEmitter().on("data", (data: string) => console.log(data));`,
    sites: [],
  },
  {
    name: "an async listener whose whole body is wrapped in try/catch is handled",
    code: `
import { EventEmitter } from "node:events";
declare function save(data: string): Promise<void>;
new EventEmitter().on("data", async (data: string) => {
  try { await save(data); } catch (error) { console.error(error); }
});`,
    sites: [{ kind: "async-listener", line: 4, status: "handled" }],
  },
  {
    name: "an async listener that only waits on a promise that cannot reject cannot fail; one that awaits a save can",
    code: `
import { EventEmitter } from "node:events";
declare function save(data: string): Promise<void>;
const sleep = (ms: number) => new Promise<void>((resolve) => { setTimeout(resolve, ms); });
const events = new EventEmitter();
let seen = 0;
events.on("data", async () => { await sleep(5); seen++; });
events.on("data", async (data: string) => { await sleep(5); await save(data); });`,
    sites: [
      { kind: "timeout", line: 4 },
      { kind: "async-listener", line: 7, status: "benign", reason: "cannot fail" },
      { kind: "async-listener", line: 8, status: "unsupervised" },
    ],
  },
  {
    name: "async timer callbacks belong to the timers rule, not this one",
    code: `setInterval(async () => { await Promise.resolve(); }, 1000);`,
    sites: [{ kind: "interval", line: 1 }],
  },
  {
    name: "an untyped listener method in JavaScript falls back to syntax",
    path: "src/legacy.js",
    script: true,
    code:
      `function attach(emitter) {\n  emitter.on("job", async function (job) { await job.run(); });\n}\nmodule.exports = { attach };`,
    sites: [{ kind: "async-listener", line: 2, resolution: "syntax" }],
  },
  {
    name: "a Babel-compiled async callback with parameters is an async listener",
    path: "src/compiled.js",
    script: true,
    code: `function _asyncToGenerator(fn) { return function () { return Promise.resolve(fn.apply(this, arguments)); }; }
function unsubscribeAll(channels, subscriber) {
  channels.forEach(
  function () {
    var _ref = _asyncToGenerator(function* (channel) {
      yield subscriber.unsubscribe(channel);
    });
    return function (_x) {
      return _ref.apply(this, arguments);
    };
  }());
}
module.exports = { unsubscribeAll };`,
    sites: [{ kind: "async-listener", line: 4, resolution: "syntax" }],
  },
  {
    name:
      "an async method passed bound or by name is a site at the registration; handled when its body catches everything",
    path: "src/bound.js",
    script: true,
    code: `class Detector {
  attach(stream) {
    stream.once("connect", this.init.bind(this));
    stream.on("close", this.safeClose);
  }
  async init() { await this.subscribe(); }
  async safeClose() { try { await this.subscribe(); } catch (error) { console.error(error); } }
  async subscribe() { throw new Error("not connected"); }
}
module.exports = Detector;`,
    sites: [
      { kind: "async-listener", line: 3, status: "unsupervised", resolution: "syntax" },
      { kind: "async-listener", line: 4, status: "handled", resolution: "syntax" },
    ],
  },
  {
    name: "an async function passed by name as a property typed to return void is a site at the property",
    code: `
interface SocketOptions { onEnd: () => void; onData: (data: string) => void; onClose?: () => Promise<void> }
declare function createSocket(options: SocketOptions): void;
declare function disconnect(): Promise<void>;
async function handleData(data: string) { try { await disconnect(); } catch { console.error(data); } }
export function connect() {
  const onEnd = async () => { await disconnect(); };
  const onClose = async () => { await disconnect(); };
  createSocket({
    onEnd,
    onData: handleData,
    onClose,
  });
}`,
    sites: [
      { kind: "async-listener", line: 10, status: "unsupervised", signals: ["listener-callback"] },
      { kind: "async-listener", line: 11, status: "handled" },
    ],
  },
  {
    name:
      "an async function in an object literal typed to return void, and an async method its interface declares void, are sites",
    code: `
interface Listener { onMessage(message: string): void; onClose: () => void }
interface Call { start(): void; cancel(): void }
declare function save(message: string): Promise<void>;
export const listener: Listener = {
  onMessage: async (message) => { await save(message); },
  onClose: () => undefined,
};
export class Wrapped implements Call {
  async start(): Promise<void> { await save("start"); }
  cancel(): void {}
}
export const typed: { onMessage(message: string): Promise<void> } = { onMessage: async (message) => { await save(message); } };`,
    sites: [
      { kind: "async-listener", line: 6, status: "unsupervised", group: "per-request", signals: ["listener-callback"] },
      { kind: "async-listener", line: 10, status: "unsupervised", signals: ["listener-callback"] },
    ],
  },
];

describeCases("async-listener rule", cases);
