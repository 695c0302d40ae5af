import { NO_OPTIONS, theDefaultCore } from "./core.ts";
import type { TaskSupervisor } from "./supervisor.ts";
import type { TaskFactory, TaskHandle, TaskOptions } from "./types.ts";

/**
 * Options of `spawnLogged`: class and the supervisor to register with.
 *
 * @example
 * ```ts
 * import { spawnLogged, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * spawnLogged("send-email", sendEmail(to), { supervisor, class: "per-request" });
 * ```
 */
export interface LoggedOptions extends TaskOptions {
  /** The supervisor to register with (default `defaultSupervisor`). */
  supervisor?: TaskSupervisor;
}

/**
 * Run one-shot background work whose failure must be logged but cannot be
 * retried (hero_shrimp's spawn_logged): a rejection or throw is logged with
 * the task name and never escapes as an unhandled rejection; nothing is
 * restarted. Many tasks may share a name. Never throws: after shutdown began
 * or at a class limit, `done` resolves `{ status: "rejected" }` (a promise
 * given still has its failure logged).
 *
 * @param name static task name
 * @param work a promise already running, or a factory called at once with an abort signal
 * @param options class, supervisor
 * @returns the task's handle; await `done` for the outcome (it never rejects)
 * @example
 * ```ts
 * import { spawnLogged } from "spawn-audit/shim";
 * spawnLogged("flushMetrics", flushMetrics());
 * const { status } = await spawnLogged("readReplies", (signal) => readLoop(stream, signal)).done;
 * ```
 */
export function spawnLogged<T>(
  name: string,
  work: PromiseLike<T> | TaskFactory<T>,
  options: LoggedOptions = NO_OPTIONS,
): TaskHandle<T> {
  return (options.supervisor ?? theDefaultCore()).spawnLogged(name, work, options);
}

/**
 * Log a failure that was observed where it happened — the rejection handler
 * of one-shot work (`work().catch((error) => logFailure("flush", error))`),
 * the `catch` of a timer callback — as `spawnLogged` logs one (task name,
 * error), through the same supervisor's logger. Work that succeeds costs
 * nothing here: no task is registered until it fails.
 *
 * @param name static task name
 * @param error what was thrown or rejected
 * @param options class, supervisor (as `spawnLogged`)
 * @example
 * ```ts
 * import { logFailure } from "spawn-audit/shim";
 * sendReceipt(order).catch((error) => logFailure("checkout.sendReceipt", error));
 * ```
 */
export function logFailure(name: string, error: unknown, options: LoggedOptions = NO_OPTIONS): void {
  spawnLogged(name, Promise.reject(error), options);
}
