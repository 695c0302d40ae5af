import { observeRejection } from "./guard.ts";
import type { LoggedOptions } from "./logged.ts";
import { defaultSupervisor, type SupervisedOptions } from "./spawn.ts";
import type { TaskHandle } from "./types.ts";

// Listener parameters are `any` so that node's Worker (typed per event) and the DOM Worker both fit.
// deno-lint-ignore no-explicit-any
type AnyListener = (...args: any[]) => void;

/**
 * The least a worker must offer to be supervised, typed structurally so no
 * DOM or Node types are needed: `terminate()`, plus either EventEmitter-style
 * `on` (node:worker_threads: `error`, `exit` with a code) or
 * `addEventListener` (web Workers: `error`).
 *
 * @example
 * ```ts
 * import { Worker } from "node:worker_threads";
 * import { superviseWorker, type WorkerLike } from "spawn-audit/shim";
 * const create = (): WorkerLike => new Worker(new URL("./indexer.js", import.meta.url));
 * superviseWorker("indexer", create);
 * ```
 */
export interface WorkerLike {
  /** Stop the worker; may return a promise (node) or nothing (web). */
  terminate(): unknown;
  /** EventEmitter-style subscription (node:worker_threads). */
  on?(event: string, listener: AnyListener): unknown;
  /** EventEmitter-style removal. */
  off?(event: string, listener: AnyListener): unknown;
  /** EventTarget-style subscription (web Workers). */
  addEventListener?(type: string, listener: AnyListener): void;
  /** EventTarget-style removal. */
  removeEventListener?(type: string, listener: AnyListener): void;
}

/**
 * Keep a worker running under a supervisor: an `error` event or a non-zero
 * `exit` code is a failure and the worker is created again after a backoff;
 * `exit` with code 0 is a normal return (so under the default `on-failure`
 * policy the task completes). Same backoff, events, policies and limits as
 * `spawnSupervised`. On abort or shutdown the worker is `terminate()`d.
 *
 * @param name static task name
 * @param create builds a fresh worker (called once and again for each restart)
 * @param options restart policy, backoff, limits, class, supervisor
 * @returns the task's handle
 * @throws {SupervisorClosedError} when the supervisor is shutting down
 * @throws {TaskLimitError} when the task's class is at its limit
 * @example
 * ```ts
 * import { superviseWorker } from "spawn-audit/shim";
 * superviseWorker("thumbnailer", () => new Worker(new URL("./thumbs.js", import.meta.url), { type: "module" }));
 * ```
 */
export function superviseWorker(
  name: string,
  create: () => WorkerLike,
  options: SupervisedOptions = {},
): TaskHandle<void> {
  return (options.supervisor ?? defaultSupervisor).spawn(
    name,
    (signal) => watchWorker(create(), signal, true),
    options,
  );
}

/**
 * Watch a worker you keep using, log-only (as `spawnLogged` is for a
 * promise): its first `error` event or a non-zero `exit` code is logged
 * with the task name and the task is `failed`; `exit` 0 completes it. The worker is
 * returned unchanged, never terminated or restarted by this; on abort or
 * shutdown only the watching stops. An error event now has a listener, so
 * it no longer ends a Node process or reaches a page's global handler.
 *
 * @param name static task name
 * @param worker the worker, already created
 * @param options class, supervisor
 * @returns `worker` itself, so `const w = logWorker("name", new Worker(url))` keeps every use of `w`
 * @throws {SupervisorClosedError} when the supervisor is shutting down
 * @example
 * ```ts
 * import { logWorker } from "spawn-audit/shim";
 * const pool = logWorker("pool", new Worker(new URL("./pool.js", import.meta.url), { type: "module" }));
 * pool.postMessage({ job: 1 });
 * ```
 */
export function logWorker<W extends WorkerLike>(name: string, worker: W, options: LoggedOptions = {}): W {
  (options.supervisor ?? defaultSupervisor).spawnLogged(
    name,
    (signal: AbortSignal) => watchWorker(worker, signal, false),
    options,
  );
  return worker;
}

/**
 * Settles when the worker ends: resolves on `exit` 0 or on abort, rejects
 * on `error` or a non-zero `exit`. With `owned`, the worker is also
 * terminated on abort and after a failure (the supervisor made it and will
 * make the next one); without, it is left to its owner.
 */
function watchWorker(worker: WorkerLike, signal: AbortSignal, owned: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const emitter = typeof worker.on === "function";
    const removers: (() => void)[] = [];
    const listen = (type: string, listener: (value: unknown) => void): void => {
      if (emitter) {
        worker.on!(type, listener);
        removers.push(() => worker.off?.(type, listener));
      } else if (typeof worker.addEventListener === "function") {
        worker.addEventListener(type, listener);
        removers.push(() => worker.removeEventListener?.(type, listener));
      }
    };
    let finished = false;
    /** End the watch: with `error` (never undefined for a failure) it failed, without it ended well or was aborted. */
    const finish = (error?: unknown): void => {
      if (finished) return;
      finished = true;
      signal.removeEventListener("abort", onAbort);
      // This runs inside the worker's own event dispatch: a throwing `off`, `on` or `terminate` must not escape into it.
      quietly(() => removers.forEach((remove) => remove()));
      // An EventEmitter with no `error` listener throws; keep a quiet one on the dead worker.
      if (emitter) quietly(() => worker.on!("error", () => {}));
      if (error === undefined) return resolve();
      if (owned) terminate(worker);
      reject(error);
    };
    const onAbort = (): void => {
      if (owned) terminate(worker);
      finish();
    };
    listen("error", (event) => {
      const web = event as { preventDefault?: () => void; error?: unknown; message?: unknown } | null;
      if (typeof web?.preventDefault === "function") web.preventDefault(); // keep it from reaching the parent's global handler
      finish(event instanceof Error ? event : (web?.error ?? new Error(String(web?.message ?? "worker error"))));
    });
    listen("exit", (code) => finish(code === 0 ? undefined : new Error(`worker exited with code ${String(code)}`)));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Run a cleanup step on a worker that has ended; what it throws cannot change the outcome and is dropped. */
function quietly(step: () => void): void {
  try {
    step();
  } catch {
    // The worker is done; a failure to detach from it or stop it changes nothing.
  }
}

/** Stop a worker; a throw or a rejected promise (terminating an already dead worker) is dropped: nothing is left to stop. */
function terminate(worker: WorkerLike): void {
  quietly(() => observeRejection(worker.terminate(), () => {}));
}
