import { type Case, describeCases } from "../../test/support/cases.ts";

const cases: Case[] = [
  {
    name: "a worker terminated by the function that started it, on its completion path, runs for one task",
    code: `
export class Runner {
  workers = new Map<string, Worker>();
  createWorker(file: string): Worker {
    return new Worker(file);
  }
  run(name: string) {
    this.workers.set(name, this.createWorker(name));
    this.workers.get(name)!.addEventListener("message", (event) => {
      if (event.data === "done") this.workers.get(name)!.terminate();
    });
  }
}
export function once(file: string) {
  const worker = new Worker(file);
  setTimeout(() => worker.terminate(), 60_000);
}`,
    sites: [
      { kind: "worker", line: 5, group: "per-request", signals: ["worker-thread", "worker-per-task"] },
      { kind: "worker", line: 15, group: "per-request", signals: ["worker-thread", "worker-per-task"] },
      { kind: "timeout", line: 16, group: "per-request" },
    ],
  },
  {
    name:
      "a worker kept for its owner's life is long-lived: terminated only by a handle it hands out or another method",
    code: `
export function startPool(file: string) {
  const worker = new Worker(file);
  worker.addEventListener("message", (event) => console.log(event.data));
  return { stop: () => worker.terminate() };
}
export class Service {
  worker?: Worker;
  start(file: string) {
    this.worker = new Worker(file);
  }
  stop() { this.worker?.terminate(); }
}`,
    sites: [
      { kind: "worker", line: 3, group: "durable", signals: ["worker-thread"] },
      { kind: "worker", line: 10, group: "durable", signals: ["worker-thread"] },
    ],
  },
  {
    name: "a web Worker without an error listener is a durable worker site",
    code: `export function boot() {\n  const worker = new Worker("./job.js");\n  worker.postMessage("start");\n}`,
    sites: [{
      kind: "worker",
      line: 2,
      status: "unsupervised",
      group: "durable",
      resolution: "type",
      signals: ["worker-thread"],
    }],
  },
  {
    name: "a node:worker_threads Worker is a site",
    code: `
import { Worker } from "node:worker_threads";
import * as threads from "node:worker_threads";
new Worker("./a.js");
new threads.Worker("./b.js");`,
    sites: [
      { kind: "worker", line: 4, resolution: "type" },
      { kind: "worker", line: 5, resolution: "type" },
    ],
  },
  {
    name: "onerror, .on('error') and addEventListener('error') make it handled",
    code: `
import { Worker as NodeWorker } from "node:worker_threads";
export class Pool {
  worker?: Worker;
  start() {
    this.worker = new Worker("./a.js");
    this.worker.onerror = (event) => console.error(event);
  }
}
const a = new NodeWorker("./a.js");
a.on("error", (error) => console.error(error));
const b = new Worker("./b.js");
b.addEventListener("error", (event) => console.error(event));
new NodeWorker("./c.js").once("error", console.error);`,
    sites: [
      { kind: "worker", line: 6, status: "handled" },
      { kind: "worker", line: 10, status: "handled" },
      { kind: "worker", line: 12, status: "handled" },
      { kind: "worker", line: 14, status: "handled" },
    ],
  },
  {
    name: "a message listener is not an error listener",
    code:
      `const w = new Worker("./a.js");\nw.onmessage = (event) => console.log(event.data);\nw.addEventListener("message", () => {});`,
    sites: [{ kind: "worker", line: 1, status: "unsupervised" }],
  },
  {
    name: "a user class named Worker is not a site",
    code: `class Worker { constructor(public name: string) {} }\nnew Worker("x");`,
    sites: [],
  },
  {
    name: "a worker field is handled by an error listener attached in another method of its class",
    code: `
import { Worker } from "node:worker_threads";
export class WorkerInfo {
  worker: Worker;
  constructor(file: string) {
    this.worker = new Worker(file);
  }
  onWorkerError(handler: (error: Error) => void): void {
    this.worker.on("error", handler);
  }
}`,
    sites: [{ kind: "worker", line: 6, status: "handled" }],
  },
  {
    name: "a worker kept in a keyed container is handled by a listener on what the container gives back",
    code: `
import { Worker } from "node:worker_threads";
export class Pool {
  workers = new Map<string, Worker>();
  spares = new Map<string, Worker>();
  run(name: string) {
    this.workers.set(name, new Worker("./a.js"));
    this.spares.set(name, new Worker("./b.js"));
  }
  watch(name: string) {
    this.workers.get(name)!.on("error", (error) => console.error(error));
  }
}`,
    sites: [
      { kind: "worker", line: 7, status: "handled" },
      { kind: "worker", line: 8, status: "unsupervised" },
    ],
  },
  {
    name: "a worker a factory returns is handled only when every caller of the factory attaches a listener",
    code: `
import { Worker } from "node:worker_threads";
function spawnThread(file: string) {
  return new Worker(file);
}
function spawnBare(file: string) {
  return new Worker(file);
}
export class Pool {
  workers = new Map<string, Worker>();
  run(name: string) {
    this.workers.set(name, spawnThread("./a.js"));
    this.workers.get(name)!.on("error", console.error);
    const worker = spawnBare("./b.js");
    worker.on("error", console.error);
    spawnBare("./c.js");
  }
}`,
    sites: [
      { kind: "worker", line: 4, status: "handled" },
      { kind: "worker", line: 7, status: "unsupervised" },
    ],
  },
];

describeCases("worker rule", cases);
