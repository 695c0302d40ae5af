/**
 * The entry module of the workers a `BlockingPool` starts. It loads only
 * the shim's runtime detection: it says `ready`, then for each job it receives
 * imports the job's module (cached by the runtime after the first time),
 * calls the named export with the job's arguments, awaits the result and
 * posts it back, or a description of what was thrown. A worker runs one
 * job at a time; the pool never sends a second before the first reply.
 *
 * It talks through `node:worker_threads`' parent port when it was started
 * with that API (the pool does so on Node, Deno and Bun, so an idle worker
 * can be unref'd), else through the worker global scope (browsers).
 *
 * @module
 */
import { builtinModule, isServerRuntime } from "./runtime.ts";

/** What the pool sends a worker: run `exportName` of `moduleUrl` with `args` (structured-cloned). */
export interface BlockingJob {
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

/** What a worker posts: `"ready"` once it listens, then one reply per job. */
export type WorkerMessage = "ready" | { ok: true; value: unknown } | { ok: false; thrown: ThrownDescription };

/** The two ends a worker can talk through, reduced to what this module needs. */
interface ParentPort {
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
async function runJob(job: BlockingJob): Promise<WorkerMessage> {
  try {
    const module = (await import(job.moduleUrl)) as Record<string, unknown>;
    const fn = module[job.exportName];
    if (typeof fn !== "function") throw new TypeError(`${job.moduleUrl} has no exported function "${job.exportName}"`);
    return { ok: true, value: await (fn as (...args: unknown[]) => unknown)(...job.args) };
  } catch (thrown) {
    return { ok: false, thrown: describeThrown(thrown) };
  }
}

/**
 * Post a reply; a value that cannot be cloned is replaced by the error that
 * says so (a result) or by its `String()` (a thrown value).
 */
function reply(port: ParentPort, message: WorkerMessage): void {
  try {
    port.post(message);
  } catch (cloneError) {
    if (message !== "ready" && message.ok) port.post({ ok: false, thrown: describeThrown(cloneError) });
    else if (message !== "ready") port.post({ ok: false, thrown: { value: safeString(message.thrown) } });
  }
}

function safeString(thrown: ThrownDescription): string {
  try {
    return String("value" in thrown ? thrown.value : thrown.error.message);
  } catch {
    return "a value that could not be cloned or converted to a string";
  }
}

/** `node:worker_threads`' parent port when this thread was started through it (Node, Deno, Bun), else the web worker scope. */
async function parentPort(): Promise<ParentPort> {
  const threads = isServerRuntime()
    ? ((builtinModule("node:worker_threads") as typeof import("node:worker_threads") | undefined) ??
      (await import("node:worker_threads")))
    : undefined;
  const port = threads?.parentPort;
  if (port) return { post: (message) => port.postMessage(message), listen: (onJob) => port.on("message", onJob) };
  const scope = globalThis as unknown as {
    postMessage(message: unknown): void;
    addEventListener(type: "message", listener: (event: { data: BlockingJob }) => void): void;
  };
  return {
    post: (message) => scope.postMessage(message),
    listen: (onJob) => scope.addEventListener("message", (event) => onJob(event.data)),
  };
}

const port = await parentPort();
port.listen((job) => {
  void runJob(job).then((message) => reply(port, message));
});
port.post("ready");
