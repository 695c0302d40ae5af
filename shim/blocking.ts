/**
 * CPU-bound work off the event loop, as zeph's `spawn_blocking`: an
 * exported function of a module runs on a bounded pool of workers (Node
 * `worker_threads` on Node, Deno and Bun; the web `Worker` in browsers),
 * each job registered with a supervisor like any task. Its own entry point
 * (`spawn-audit/shim/blocking`), outside the core bundle.
 *
 * @example
 * ```ts
 * import { spawnBlocking } from "spawn-audit/shim/blocking";
 * import type { sha256 } from "./hash.ts";
 * const handle = spawnBlocking<typeof sha256>("hash-upload", new URL("./hash.js", import.meta.url), "sha256", bytes);
 * const digest = await handle.join();
 * ```
 *
 * @module
 */
import type { BlockingJob, JobReply, ThrownDescription, WorkerConnect, WorkerMessage } from "./blocking-worker.ts";
import { TaskAbortedError } from "./errors.ts";
import { builtinModule, isServerRuntime } from "./runtime.ts";
import { defaultSupervisor } from "./spawn.ts";
import type { TaskSupervisor } from "./supervisor.ts";
import type { TaskHandle, TaskOutcome } from "./types.ts";

/** A function a blocking job may call: any arguments and result the structured clone algorithm copies. */
// deno-lint-ignore no-explicit-any
export type BlockingFunction = (...args: any[]) => unknown;

/**
 * What `spawnBlocking` and `BlockingPool.spawn` return: a task handle (name,
 * id, signal, `done`, `abort`) with zeph's `join` and `try_join`.
 *
 * @example
 * ```ts
 * import { BlockingPool } from "spawn-audit/shim/blocking";
 * const pool = new BlockingPool({ limit: 2 });
 * const handle = pool.spawn("resize", new URL("./images.js", import.meta.url), "resize", image, 640);
 * handle.tryJoin(); // undefined while it runs
 * const thumbnail = await handle.join();
 * ```
 */
export interface BlockingHandle<R> extends TaskHandle<R> {
  /**
   * The function's result once the job is over.
   *
   * @returns the result
   * @throws (rejects) with what the function threw (an Error rebuilt with its
   *   name, message and stack), {TaskAbortedError} when the job was aborted,
   *   {SupervisorClosedError} when it was refused at shutdown, or an Error
   *   saying the worker died
   */
  join(): Promise<R>;
  /**
   * The result if the job is already over, else `undefined` (zeph's
   * `try_join`); a function that returns `undefined` looks the same as one
   * still running, so check `snapshot()` or await `done` to tell them apart.
   *
   * @returns the result, or undefined while the job is queued or running
   * @throws what `join()` would reject with, when the job is over and failed
   */
  tryJoin(): R | undefined;
}

/**
 * Options of a `BlockingPool`.
 *
 * @example
 * ```ts
 * import { BlockingPool } from "spawn-audit/shim/blocking";
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const pool = new BlockingPool({ supervisor: new TaskSupervisor(), limit: 4, class: "cpu" });
 * ```
 */
export interface BlockingPoolOptions {
  /** Where jobs are registered (default: the shim's `defaultSupervisor`). */
  supervisor?: TaskSupervisor;
  /** Workers running jobs at once, an integer ≥ 1 (default 8, as zeph's blocking semaphore). */
  limit?: number;
  /** Task class of the jobs, whose limit the pool sets to `limit` with overflow `queue` (default `"blocking"`); it must have no limit yet in that supervisor. */
  class?: string;
  /** Jobs that may wait for a worker, beyond which a spawn is dropped (`done` resolves `rejected`), an integer ≥ 0 or Infinity (default Infinity). */
  queueLimit?: number;
  /** The worker entry module (default: `blocking-worker` next to this module, `.ts` or `.js` as this module is); for bundles that move it. */
  workerUrl?: string | URL;
}

/**
 * A bounded pool of workers whose jobs are tasks of one supervisor: at most
 * `limit` run at once, the others wait as `queued` tasks of the pool's class
 * (visible in `snapshot()`, aborted by `abortClass` and `shutdown`), and the
 * attempt durations in `stats()` are each job's wall time on its worker
 * (from leaving the queue to the reply). Workers start when first needed,
 * stay for the next job, and do not keep a Node, Deno or Bun process alive
 * while idle. Aborting a job terminates its worker; a new one is started
 * for the next job. The supervisor's shutdown terminates idle workers.
 *
 * @example
 * ```ts
 * import { BlockingPool } from "spawn-audit/shim/blocking";
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * const pool = new BlockingPool({ supervisor, limit: 2 });
 * const parse = pool.spawn("parse-report", new URL("./report.js", import.meta.url), "parse", text);
 * console.log(supervisor.snapshot()); // parse-report, class "blocking", running
 * const report = await parse.join();
 * await supervisor.shutdown();
 * ```
 */
export class BlockingPool {
  /** The supervisor jobs are registered with. */
  readonly supervisor: TaskSupervisor;
  /** The most jobs that run at once. */
  readonly limit: number;
  /** Task class of the jobs. */
  readonly class: string;
  readonly #workerUrl: URL;
  readonly #idle: PoolWorker[] = [];
  readonly #live = new Set<PoolWorker>();
  #closed = false;

  /**
   * Create a pool and give its class a limit in the supervisor; no worker
   * starts before the first job.
   *
   * @param options supervisor, limit, class, queue limit, worker module
   * @throws {RangeError} when `limit` is not an integer ≥ 1, `queueLimit` is invalid, or the class already has a limit
   * @throws {TypeError} when `workerUrl` is not a URL
   */
  constructor(options: BlockingPoolOptions = {}) {
    const { supervisor = defaultSupervisor, limit = 8, class: taskClass = "blocking", queueLimit = Infinity } = options;
    if (!(Number.isInteger(limit) && limit >= 1)) {
      throw new RangeError(`a blocking pool's limit must be an integer ≥ 1, got ${String(limit)}`);
    }
    this.#workerUrl = options.workerUrl === undefined ? defaultWorkerUrl() : new URL(options.workerUrl);
    supervisor.defineClass(taskClass, { limit, overflow: "queue", queueLimit });
    this.supervisor = supervisor;
    this.limit = limit;
    this.class = taskClass;
    supervisor.signal.addEventListener("abort", () => void this.close(), { once: true });
  }

  /** Workers alive now (idle or running a job), at most `limit`. */
  get size(): number {
    return this.#live.size;
  }

  /**
   * Run `exportName` of the module at `moduleUrl` with `args` on a worker,
   * as a task named `name` of the pool's class. Arguments and result are
   * copied by the structured clone algorithm. Several jobs may share a name
   * (they are keyed by id, as `spawnLogged` tasks: a failure is logged, the
   * task leaves the registry when it ends). Never throws for a refused job:
   * at shutdown or beyond `queueLimit`, `join()` rejects instead.
   *
   * @param name task name (static, e.g. `"hash-upload"`)
   * @param moduleUrl absolute URL of the module, e.g. `new URL("./hash.js", import.meta.url)`
   * @param exportName name of the exported function (sync or async)
   * @param args its arguments
   * @returns the job's handle
   * @throws {TypeError} when `moduleUrl` is not an absolute URL or `exportName` not a non-empty string
   */
  spawn<F extends BlockingFunction = BlockingFunction>(
    name: string,
    moduleUrl: string | URL,
    exportName: string,
    ...args: Parameters<F>
  ): BlockingHandle<Awaited<ReturnType<F>>> {
    const job: Omit<BlockingJob, "id"> = {
      moduleUrl: absoluteUrl(moduleUrl),
      exportName: checkExportName(exportName),
      args,
    };
    const task = this.supervisor.spawnLogged(name, (signal: AbortSignal) => this.#run(name, job, signal), {
      class: this.class,
    });
    return new BlockingTask(task as TaskHandle<Awaited<ReturnType<F>>>);
  }

  /**
   * Terminate the idle workers now and each busy one when its job ends
   * (running jobs are not aborted). A later job starts a new worker and
   * the pool keeps working; the supervisor's shutdown calls this.
   *
   * @returns resolves when the idle workers have been terminated
   */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#idle.splice(0).map((worker) => worker.terminate()));
  }

  /** One job on one worker; the task's abort terminates the worker. */
  #run(name: string, job: Omit<BlockingJob, "id">, signal: AbortSignal): Promise<unknown> {
    const worker = this.#idle.pop() ?? this.#start();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        void worker.terminate();
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      worker.run(name, job).then(
        (reply) => {
          signal.removeEventListener("abort", onAbort);
          this.#release(worker);
          if (reply.ok) resolve(reply.value);
          else reject(rebuildThrown(reply.thrown));
        },
        (death: unknown) => {
          signal.removeEventListener("abort", onAbort);
          reject(death);
        },
      );
    });
  }

  #start(): PoolWorker {
    const worker: PoolWorker = new PoolWorker(this.#workerUrl, () => {
      this.#live.delete(worker);
      const idle = this.#idle.indexOf(worker);
      if (idle >= 0) this.#idle.splice(idle, 1);
    }, (error) => this.supervisor.reportUnsupervised("unhandledRejection", error));
    this.#live.add(worker);
    return worker;
  }

  #release(worker: PoolWorker): void {
    if (this.#closed) void worker.terminate();
    else this.#idle.push(worker);
  }
}

let defaultPool: BlockingPool | undefined;

/**
 * Run `exportName` of the module at `moduleUrl` on the default pool (8
 * workers, class `"blocking"`, jobs registered with `defaultSupervisor`,
 * created at the first call). For another limit or supervisor, make a
 * `BlockingPool`.
 *
 * @param name task name
 * @param moduleUrl absolute URL of the module, e.g. `new URL("./hash.js", import.meta.url)`
 * @param exportName name of the exported function
 * @param args its arguments (structured-cloned)
 * @returns the job's handle, with `join()` and `tryJoin()`
 * @throws {TypeError} as `BlockingPool.spawn`
 *
 * @example
 * ```ts
 * import { spawnBlocking } from "spawn-audit/shim/blocking";
 * import type { fib } from "./fib.ts";
 * const handle = spawnBlocking<typeof fib>("fib", new URL("./fib.js", import.meta.url), "fib", 40);
 * console.log(await handle.join());
 * ```
 */
export function spawnBlocking<F extends BlockingFunction = BlockingFunction>(
  name: string,
  moduleUrl: string | URL,
  exportName: string,
  ...args: Parameters<F>
): BlockingHandle<Awaited<ReturnType<F>>> {
  return (defaultPool ??= new BlockingPool()).spawn<F>(name, moduleUrl, exportName, ...args);
}

/** A supervisor task seen through zeph's blocking handle. */
class BlockingTask<R> implements BlockingHandle<R> {
  readonly #task: TaskHandle<R>;
  #outcome: TaskOutcome<R> | undefined;

  constructor(task: TaskHandle<R>) {
    this.#task = task;
    void task.done.then((outcome) => (this.#outcome = outcome));
  }

  get name(): string {
    return this.#task.name;
  }

  get id(): number {
    return this.#task.id;
  }

  get signal(): AbortSignal {
    return this.#task.signal;
  }

  get done(): Promise<TaskOutcome<R>> {
    return this.#task.done;
  }

  abort(reason?: unknown): void {
    this.#task.abort(reason);
  }

  join(): Promise<R> {
    return this.#task.done.then((outcome) => resultOf(this.#task.name, outcome));
  }

  tryJoin(): R | undefined {
    return this.#outcome === undefined ? undefined : resultOf(this.#task.name, this.#outcome);
  }
}

function resultOf<R>(name: string, outcome: TaskOutcome<R>): R {
  switch (outcome.status) {
    case "completed":
      return outcome.value;
    case "failed":
      throw outcome.error;
    case "aborted":
      throw new TaskAbortedError(name, outcome.reason);
    case "rejected":
      throw outcome.error;
  }
}

/** Rebuild what a worker threw: an Error with the original name, message and stack, or the value itself. */
function rebuildThrown(thrown: ThrownDescription): unknown {
  if ("value" in thrown) return thrown.value;
  const error = new Error(thrown.error.message);
  error.name = thrown.error.name;
  if (thrown.error.stack !== undefined) error.stack = thrown.error.stack;
  return error;
}

function absoluteUrl(moduleUrl: string | URL): string {
  if (moduleUrl instanceof URL) return moduleUrl.href;
  if (typeof moduleUrl === "string") {
    try {
      return new URL(moduleUrl).href;
    } catch {
      // relative or malformed: the error below
    }
  }
  throw new TypeError(
    `a blocking job needs an absolute module URL such as new URL("./work.js", import.meta.url), got ${
      JSON.stringify(String(moduleUrl))
    }`,
  );
}

function checkExportName(exportName: unknown): string {
  if (typeof exportName === "string" && exportName.length > 0) return exportName;
  throw new TypeError(
    `a blocking job needs the name of an exported function, got ${
      typeof exportName === "string" ? '""' : typeof exportName
    }`,
  );
}

/** The worker entry next to this module: `.ts` when the sources run (Deno), `.js` when compiled. */
function defaultWorkerUrl(): URL {
  return new URL(import.meta.url.endsWith(".ts") ? "./blocking-worker.ts" : "./blocking-worker.js", import.meta.url);
}

/** The runtime's worker and the pool's private port to it, reduced to what the pool needs. */
interface RawWorker {
  /** Post a job on the private port; throws (a `DataCloneError`) when its arguments cannot be cloned. */
  post(job: BlockingJob): void;
  terminate(): Promise<void>;
  /** Whether the worker and its port keep the process alive (Node, Deno, Bun); a browser page has no such notion. */
  keepAlive(busy: boolean): void;
}

/** What a raw worker reports: each message on the private port, and its death (error or exit) once. */
interface RawWorkerEvents {
  message(message: WorkerMessage): void;
  died(error: Error): void;
}

/** A `MessagePort` as every runtime has it (web methods), with Node's `ref`/`unref` where they exist. */
interface PrivatePort {
  postMessage(message: unknown): void;
  addEventListener(type: "message" | "messageerror", listener: (event: { data: unknown }) => void): void;
  start(): void;
  close(): void;
  ref?(): void;
  unref?(): void;
}

/**
 * Open the private channel to `worker` and listen on the pool's end: the
 * worker's end goes in the first message on the worker's own channel, and
 * no other message of that channel is ever read by the pool.
 */
function connect(
  channel: { port1: unknown; port2: unknown },
  send: (message: WorkerConnect) => void,
  events: RawWorkerEvents,
): PrivatePort {
  const port = channel.port1 as PrivatePort;
  port.addEventListener("message", (event) => events.message(event.data as WorkerMessage));
  port.addEventListener(
    "messageerror",
    () => events.died(new Error("a reply of the blocking worker could not be deserialized")),
  );
  port.start();
  send({ spawnAuditPort: channel.port2 as MessagePort });
  return port;
}

let nodeThreads: Promise<typeof import("node:worker_threads")> | undefined;

/**
 * `node:worker_threads`, which Node, Deno and Bun all have: only through it
 * can an idle worker be unref'd (and Deno 2.9's web `Worker.terminate()`
 * does not stop a thread busy in JavaScript). Built in where the runtime
 * hands it out synchronously, imported on Nodes before 20.16.
 */
function workerThreads(): Promise<typeof import("node:worker_threads")> {
  if (nodeThreads === undefined) {
    const builtin = builtinModule("node:worker_threads") as typeof import("node:worker_threads") | undefined;
    nodeThreads = builtin === undefined ? import("node:worker_threads") : Promise.resolve(builtin);
  }
  return nodeThreads;
}

async function startRawWorker(url: URL, events: RawWorkerEvents): Promise<RawWorker> {
  if (!isServerRuntime()) return startWebWorker(url, events);
  const { Worker, MessageChannel } = await workerThreads();
  const worker = new Worker(url, { execArgv: workerExecArgv() });
  const channel = new MessageChannel();
  const port = connect(channel, (message) => worker.postMessage(message, [channel.port2]), events);
  worker.on("error", (error: unknown) => events.died(error instanceof Error ? error : new Error(String(error))));
  worker.on("exit", (code: number) => {
    port.close();
    events.died(new Error(`the blocking worker exited with code ${code}`));
  });
  return {
    post: (job) => port.postMessage(job),
    terminate: () => {
      port.close();
      return worker.terminate().then(() => undefined, () => undefined);
    },
    keepAlive: (busy) => {
      if (busy) {
        worker.ref();
        port.ref?.();
      } else {
        worker.unref();
        port.unref?.();
      }
    },
  };
}

/** The parent's Node options for a worker, without `--input-type` (it applies to `--eval` and stdin only, and makes a worker refuse its entry file). */
function workerExecArgv(): string[] | undefined {
  const execArgv = (globalThis as { process?: { execArgv?: unknown } }).process?.execArgv;
  if (!Array.isArray(execArgv)) return undefined;
  return execArgv.filter((option: string, i) =>
    !option.startsWith("--input-type") && execArgv[i - 1] !== "--input-type"
  );
}

function startWebWorker(url: URL, events: RawWorkerEvents): RawWorker {
  const worker = new Worker(url, { type: "module" });
  const channel = new MessageChannel();
  const port = connect(channel, (message) => worker.postMessage(message, [channel.port2]), events);
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    events.died(new Error(`the blocking worker failed: ${event.message}`));
  });
  return {
    post: (job) => port.postMessage(job),
    terminate: () => {
      port.close();
      worker.terminate();
      return Promise.resolve();
    },
    keepAlive: () => {},
  };
}

/**
 * One worker: started at once, runs one job at a time, dead after an error,
 * an exit, a leaked failure or `terminate()`. Replies are matched to the job
 * by id; anything else on the private port is ignored.
 */
class PoolWorker {
  readonly #onDeath: () => void;
  readonly #onLeak: (error: Error) => void;
  readonly #raw: Promise<RawWorker>;
  readonly #ready: Promise<void>;
  #pending: { id: number; resolve(message: JobReply): void; reject(error: unknown): void } | undefined;
  #death: Error | undefined;
  #onReady: { resolve(): void; reject(error: unknown): void } | undefined;
  #jobs = 0;
  /** Name of the job that ran last, to which a failure leaked while idle is attributed. */
  #lastJob = "";

  /**
   * @param url the worker entry module
   * @param onDeath called once when the worker dies or is terminated
   * @param onLeak receives a failure that escaped a job after it ended (the worker is then replaced)
   */
  constructor(url: URL, onDeath: () => void, onLeak: (error: Error) => void) {
    this.#onDeath = onDeath;
    this.#onLeak = onLeak;
    this.#ready = new Promise<void>((resolve, reject) => (this.#onReady = { resolve, reject }));
    this.#raw = startRawWorker(url, {
      message: (message) => this.#message(message),
      died: (error) => this.#die(error),
    });
    this.#raw.then(undefined, (error: unknown) => this.#die(error instanceof Error ? error : new Error(String(error))));
  }

  /**
   * Send a job once the worker listens; resolves with its reply, rejects
   * when the worker dies first, when the job leaks a failure (what leaked),
   * or when its arguments cannot be cloned (the `DataCloneError`; the worker
   * stays usable and holds nothing open).
   */
  async run(name: string, job: Omit<BlockingJob, "id">): Promise<JobReply> {
    if (this.#death !== undefined) throw this.#death;
    const raw = await this.#raw;
    await this.#ready;
    const id = ++this.#jobs;
    this.#lastJob = name;
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        this.#pending = undefined;
        raw.keepAlive(false);
      };
      this.#pending = {
        id,
        resolve: (message) => {
          settle();
          resolve(message);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      raw.keepAlive(true);
      try {
        raw.post({ ...job, id });
      } catch (cloneError) {
        this.#pending.reject(cloneError);
      }
    });
  }

  /** Stop the worker (a job it runs is lost; its caller has been told). */
  async terminate(): Promise<void> {
    this.#die(new Error("the blocking worker was terminated"));
    await (await this.#raw.catch(() => undefined))?.terminate();
  }

  #message(message: WorkerMessage): void {
    if (message === "ready") return this.#onReady?.resolve();
    if ("leaked" in message) {
      const error = rebuildThrown(message.leaked);
      const leaked = error instanceof Error ? error : new Error(`a blocking job leaked ${String(error)}`);
      // The job running now caused it as far as anyone can tell; else the one that ran last. The worker is not reused.
      if (this.#pending !== undefined) this.#pending.reject(leaked);
      else {
        this.#onLeak(
          new Error(`blocking job "${this.#lastJob}" leaked a failure after it ended: ${leaked.message}`, {
            cause: leaked,
          }),
        );
      }
      void this.terminate();
      return;
    }
    if (message.id === this.#pending?.id) this.#pending.resolve(message);
  }

  #die(error: Error): void {
    if (this.#death !== undefined) return;
    this.#death = error;
    this.#onDeath();
    this.#onReady?.reject(error);
    this.#ready.catch(() => {});
    this.#pending?.reject(error);
  }
}
