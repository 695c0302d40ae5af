/**
 * Loops read by what their exit depends on (src/analysis/loops.ts): each
 * shape of a loop that runs until stopped, beside the bounded loop it must
 * not be confused with.
 */
import { type Case, describeCases } from "./support/cases.ts";

const cases: Case[] = [
  {
    name:
      "a flag initialised true that nothing changes reads as while (true); one the loop turns off, or one set false, does not",
    code: `
declare function tick(): Promise<void>;
export class Forever {
  #running = true;
  start() { this.spin(); }
  private async spin() {
    while (this.#running) await tick();
  }
}
export class Once {
  private running = true;
  start() { this.spin(); }
  private async spin() {
    while (this.running) { await tick(); this.running = false; }
  }
}
export class Never {
  private running = false;
  start() { this.spin(); }
  private async spin() {
    while (this.running) await tick();
  }
}`,
    sites: [
      { kind: "floating-promise", line: 5, group: "durable", signals: ["unbounded-loop-in-callee"] },
      { kind: "floating-promise", line: 12, group: "per-request" },
      { kind: "floating-promise", line: 19, group: "per-request" },
    ],
  },
  {
    name: "a loop on fields other methods set runs until stopped, whatever the condition's shape",
    code: `
declare function tick(): Promise<void>;
export class Consumer {
  private stopping = false;
  private suspended = false;
  #connected = false;
  #ready = false;
  start() {
    this.drain();
    this.handshake();
  }
  stop() { this.stopping = true; }
  suspend() { this.suspended = true; }
  onOpen() { this.#connected = true; }
  onReady() { this.#ready = true; }
  private async drain() {
    while (!(this.stopping || this.suspended)) await tick();
  }
  private async handshake() {
    while (this.#connected && !this.#ready) await tick();
  }
}`,
    sites: [
      { kind: "floating-promise", line: 9, group: "durable", signals: ["unbounded-loop-in-callee"] },
      { kind: "floating-promise", line: 10, group: "durable", signals: ["unbounded-loop-in-callee"] },
    ],
  },
  {
    name:
      "a loop on a collection another method fills (also through a const copy), or on a variable a callback writes, runs until stopped",
    code: `
import { EventEmitter } from "node:events";
declare function send(id: string): Promise<void>;
declare const bus: EventEmitter;
export class Outbox {
  private readonly pending = new Set<string>();
  add(id: string) { this.pending.add(id); }
  async flush() {
    while (this.pending.size > 0) {
      for (const id of this.pending) {
        this.pending.delete(id);
        await send(id);
      }
    }
  }
}
export async function serve(): Promise<void> {
  let closed = false;
  bus.once("close", () => { closed = true; });
  while (!closed) await send("ping");
}
export class Sender {
  readonly #queue: string[] = [];
  add(id: string) { this.#queue.push(id); }
  async run() {
    const queue = this.#queue;
    while (queue.length > 0) await send(queue.shift()!);
  }
}
export function begin(outbox: Outbox, sender: Sender) {
  outbox.flush();
  serve();
  sender.run();
}`,
    sites: [
      { kind: "floating-promise", line: 31, group: "durable", signals: ["unbounded-loop-in-callee"] },
      { kind: "floating-promise", line: 32, group: "durable", signals: ["unbounded-loop-in-callee"] },
      { kind: "floating-promise", line: 33, group: "durable", signals: ["unbounded-loop-in-callee"] },
    ],
  },
  {
    name: "a loop on its own progress is bounded: a counter it counts, a list it empties, a flag only it sets",
    code: `
declare function attempt(): Promise<boolean>;
declare function handle(item: string): Promise<void>;
async function retry(): Promise<void> {
  let tries = 0;
  while (tries < 5) {
    if (await attempt()) return;
    tries++;
  }
}
async function all(items: string[]): Promise<void> {
  const queue = [...items];
  while (queue.length > 0) await handle(queue.shift()!);
}
async function untilDone(): Promise<void> {
  let done = false;
  while (!done) done = await attempt();
}
export function begin() {
  retry();
  all(["a"]);
  untilDone();
}`,
    sites: [
      { kind: "floating-promise", line: 20, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 21, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 22, group: "per-request", signals: ["one-shot-call"] },
    ],
  },
  {
    name: "a loop that never yields is not background work: a synchronous parser loop",
    code: `
declare function parse(text: string): void;
export async function read(text: string): Promise<void> {
  let position = 0;
  while (true) {
    const end = text.indexOf(";", position);
    if (end < 0) break;
    parse(text.slice(position, end));
    position = end + 1;
  }
}
export function begin() { read("a;b;"); }`,
    sites: [{ kind: "floating-promise", line: 12, group: "per-request", signals: ["one-shot-call"] }],
  },
  {
    name: "a for await over an array, a stream that ends or a generator of the program is bounded",
    code: `
import { Readable } from "node:stream";
declare function handle(item: unknown): Promise<void>;
async function* pages(): AsyncGenerator<number> {
  for (let page = 0; page < 3; page++) yield page;
}
async function overArray(items: Promise<string>[]): Promise<void> {
  for await (const item of items) await handle(item);
}
async function overStream(stream: Readable): Promise<void> {
  for await (const chunk of stream) await handle(chunk);
}
async function overPages(): Promise<void> {
  for await (const page of pages()) await handle(page);
}
export function begin(stream: Readable) {
  overArray([]);
  overStream(stream);
  overPages();
}`,
    sites: [
      { kind: "floating-promise", line: 17, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 18, group: "per-request", signals: ["one-shot-call"] },
      { kind: "floating-promise", line: 19, group: "per-request", signals: ["one-shot-call"] },
    ],
  },
  {
    name: "a for await over an event stream the program never ends runs until stopped",
    code: `
import { on, EventEmitter } from "node:events";
declare function handle(item: unknown): Promise<void>;
declare const bus: EventEmitter;
async function listen(): Promise<void> {
  for await (const [message] of on(bus, "message")) await handle(message);
}
listen();`,
    sites: [{ kind: "floating-promise", line: 8, group: "durable", signals: ["unbounded-loop-in-callee"] }],
  },
  {
    name: "an if that defers and returns waits for its condition, unless it is a flag another method changes",
    code: `
export class Ticker {
  private running = false;
  private readonly lazy: boolean;
  constructor(lazy: boolean) { this.lazy = lazy; }
  start() { this.running = true; this.tick(); }
  stop() { this.running = false; }
  tick() {
    if (this.running) {
      setTimeout(() => this.tick(), 1000);
      return;
    }
  }
  wait() {
    if (this.lazy) {
      setTimeout(() => this.wait(), 1000);
      return;
    }
  }
}`,
    sites: [
      { kind: "timeout", line: 10, group: "durable", signals: ["starts-itself-again"] },
      { kind: "timeout", line: 16, group: "per-request", signals: ["one-shot-timer"] },
    ],
  },
  {
    name: "a boolean computed from each message is no run flag: the if that defers and returns bounds the loop",
    code: `
export class Parser {
  private compressed = false;
  onFrame(byte: number) {
    this.compressed = (byte & 0x40) !== 0;
    this.parse();
  }
  parse() {
    if (this.compressed) {
      setTimeout(() => { JSON.parse("{}"); this.parse(); }, 10);
      return;
    }
  }
}`,
    sites: [{ kind: "timeout", line: 10, group: "per-request", signals: ["one-shot-timer"] }],
  },
  {
    name: "a compiled for await (__asyncValues) is read as the for await it was",
    code: `
import { on, EventEmitter } from "node:events";
declare function __asyncValues<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterator<T>;
declare function handle(item: unknown): void;
declare const bus: EventEmitter;
async function forward(): Promise<void> {
  for (let it = __asyncValues(on(bus, "message")), step; !(step = await it.next()).done;) handle(step.value);
}
async function overList(items: string[]): Promise<void> {
  for (let it = __asyncValues(items), step; !(step = await it.next()).done;) handle(step.value);
}
forward();
overList(["a"]);`,
    sites: [
      { kind: "floating-promise", line: 12, group: "durable", signals: ["unbounded-loop-in-callee"] },
      { kind: "floating-promise", line: 13, group: "per-request", signals: ["one-shot-call"] },
    ],
  },
];

describeCases("loops read by what their exit depends on", cases);
