/**
 * The entry module of the workers a `BlockingPool` starts. It loads only
 * the shim's runtime detection. The pool's first message hands it a
 * private `MessagePort`; all the pool's traffic goes through that port, so
 * nothing a job posts on the worker's own channel (`parentPort.postMessage`,
 * the global `postMessage`) can be taken for a reply. On the port it says
 * `ready`, then for each job it receives imports the job's module (cached by
 * the runtime after the first time), calls the named export with the job's
 * arguments, awaits the result and posts it back with the job's id, or a
 * description of what was thrown. A worker runs one job at a time; the pool
 * never sends a second before the first reply.
 *
 * A rejection the job leaves unhandled, or an exception thrown outside it
 * (a timer it started), would end the worker and fail whatever job runs
 * next; instead it is reported to the pool as `leaked`, which fails the job
 * that is running (else reports it for the job that ran last) and replaces
 * the worker.
 *
 * It receives the port through `node:worker_threads`' parent port when it
 * was started with that API (the pool does so on Node, Deno and Bun, so an
 * idle worker can be unref'd), else through the worker global scope (browsers).
 *
 * @module
 */
import { builtinModule, isServerRuntime } from "./runtime.ts";

/** What the pool sends a worker: job `id`, run `exportName` of `moduleUrl` with `args` (structured-cloned). */
export interface BlockingJob {
  /** The job's number on this worker, echoed in its reply. */
  id: number;
  /** Absolute URL of the module to import. */
  moduleUrl: string;
  /** Name of the exported function to call. */
  exportName: string;
  /** Arguments, as the structured clone algorithm copies them. */
  args: unknown[];
}

/**
 * What was thrown in a worker, in a form that survives `postMessage`:
 * an Error's name, message and stack (rebuilt as an Error by the pool), or
 * any other thrown value as it clones (its `String()` when it does not).
 */
export type ThrownDescription = { error: { name: string; message: string; stack: string | undefined } } | {
  value: unknown;
};

/** A worker's reply to job `id`: its result, or what it threw. */
export type JobReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; thrown: ThrownDescription };

/**
 * What a worker posts on its private port: `"ready"` once it listens, one
 * reply per job, and `leaked` for a failure that escaped a job (an
 * unhandled rejection or an uncaught exception).
 */
export type WorkerMessage = "ready" | JobReply | { leaked: ThrownDescription };

/** The first message the pool posts a worker on its own channel: the private port (transferred). */
export interface WorkerConnect {
  spawnAuditPort: MessagePort;
}

/** The private port, reduced to what this module needs. */
interface PoolPort {
  post(message: WorkerMessage): void;
  listen(onJob: (job: BlockingJob) => void): void;
}

/**
 * Describe a thrown value for `postMessage`.
 *
 * @param thrown what the job threw or rejected with
 * @returns an Error's name, message and stack, or the value itself
 */
function describeThrown(thrown: unknown): ThrownDescription {
  if (thrown instanceof Error) return { error: { name: thrown.name, message: thrown.message, stack: thrown.stack } };
  return { value: thrown };
}

/**
 * Run one job: import, look up, call, await.
 *
 * @param job the job
 * @returns the reply to post (never rejects)
 */
async function runJob(job: BlockingJob): Promise<JobReply> {
  const { id } = job;
  try {
    const module = (await import(job.moduleUrl)) as Record<string, unknown>;
    const fn = module[job.exportName];
    if (typeof fn !== "function") throw new TypeError(`${job.moduleUrl} has no exported function "${job.exportName}"`);
    return { id, ok: true, value: await (fn as (...args: unknown[]) => unknown)(...job.args) };
  } catch (thrown) {
    return { id, ok: false, thrown: describeThrown(thrown) };
  }
}

/**
 * Post a reply; a value that cannot be cloned is replaced by the error that
 * says so (a result) or by its `String()` (a thrown value).
 */
function reply(port: PoolPort, message: JobReply): void {
  try {
    port.post(message);
  } catch (cloneError) {
    const { id } = message;
    if (message.ok) port.post({ id, ok: false, thrown: describeThrown(cloneError) });
    else port.post({ id, ok: false, thrown: { value: safeString(message.thrown) } });
  }
}

/** Report a failure that escaped every job; a value that cannot be cloned goes as its `String()`. */
function leak(port: PoolPort, thrown: unknown): void {
  const leaked = describeThrown(thrown);
  try {
    port.post({ leaked });
  } catch {
    port.post({ leaked: { value: safeString(leaked) } });
  }
}

function safeString(thrown: ThrownDescription): string {
  try {
    return String("value" in thrown ? thrown.value : thrown.error.message);
  } catch {
    return "a value that could not be cloned or converted to a string";
  }
}

/** A `MessagePort` as both runtimes' ports are: web methods, with Node's `on` where it exists. */
interface AnyPort {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: BlockingJob }) => void): void;
  start(): void;
}

/**
 * The private port the pool sends first, through `node:worker_threads`'
 * parent port when this thread was started through it (Node, Deno, Bun),
 * else through the web worker scope. Only that first message is read from
 * the shared channel; what a job posts or receives there is its own.
 */
async function poolPort(): Promise<PoolPort> {
  const threads = isServerRuntime()
    ? ((builtinModule("node:worker_threads") as typeof import("node:worker_threads") | undefined) ??
      (await import("node:worker_threads")))
    : undefined;
  const parent = threads?.parentPort;
  const port = await new Promise<AnyPort>((resolve) => {
    const take = (data: WorkerConnect): void => resolve(data.spawnAuditPort as unknown as AnyPort);
    if (parent) return parent.once("message", take);
    const scope = globalThis as unknown as {
      addEventListener(type: "message", listener: (event: { data: WorkerConnect }) => void, options: object): void;
    };
    scope.addEventListener("message", (event) => take(event.data), { once: true });
  });
  return {
    post: (message) => port.postMessage(message),
    listen: (onJob) => {
      port.addEventListener("message", (event) => onJob(event.data));
      port.start();
    },
  };
}

/**
 * Catch what escapes every job in this worker — unhandled rejections and
 * uncaught exceptions — and hand it to `onLeak` instead of letting it end
 * the worker: `process` events where this is a `node:worker_threads` worker,
 * the global error events in a web worker.
 */
function catchLeaks(onLeak: (thrown: unknown) => void): void {
  const process = (globalThis as { process?: { on?(event: string, listener: (thrown: unknown) => void): void } })
    .process;
  if (isServerRuntime() && typeof process?.on === "function") {
    process.on("unhandledRejection", onLeak);
    process.on("uncaughtException", onLeak);
    return;
  }
  const scope = globalThis as unknown as {
    addEventListener(type: string, listener: (event: Event & { reason?: unknown; error?: unknown }) => void): void;
  };
  scope.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    onLeak(event.reason);
  });
  scope.addEventListener("error", (event) => {
    event.preventDefault();
    onLeak(event.error);
  });
}

const port = await poolPort();
catchLeaks((thrown) => leak(port, thrown));
port.listen((job) => {
  void runJob(job).then((message) => reply(port, message));
});
port.post("ready");
