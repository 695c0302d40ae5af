import { theDefaultCore } from "./core.ts";
import { supervisorOn, type TaskSupervisor } from "./supervisor.ts";
import type { SpawnOptions, TaskFactory, TaskHandle } from "./types.ts";

/**
 * The supervisor `spawnSupervised`, `spawnLogged` and `superviseWorker` use
 * when no `supervisor` option is given: system clock, JSON lines on
 * `console.error`. Call `defaultSupervisor.shutdown()` when your process
 * stops. Tests should make their own `TaskSupervisor`.
 *
 * @example
 * ```ts
 * import { defaultSupervisor } from "spawn-audit/shim";
 * process.once("SIGTERM", async () => {
 *   const { aborted } = await defaultSupervisor.shutdown({ timeoutMs: 5_000 });
 *   process.exitCode = aborted.length === 0 ? 0 : 1;
 * });
 * ```
 */
export const defaultSupervisor: TaskSupervisor = /* @__PURE__ */ supervisorOn(theDefaultCore());

/**
 * Options of `spawnSupervised`: restart settings, class, and the supervisor
 * to register with.
 *
 * @example
 * ```ts
 * import { spawnSupervised, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * spawnSupervised("poller", () => poll(), { supervisor, restart: "always", maxConsecutiveFailures: Infinity });
 * ```
 */
export interface SupervisedOptions extends SpawnOptions {
  /** The supervisor to register with (default `defaultSupervisor`). */
  supervisor?: TaskSupervisor;
}

/**
 * Run durable background work under a supervisor, restarting it with
 * exponential backoff when it fails (hero_shrimp's spawn_supervised, zeph's
 * TaskSupervisor). `factory(signal)` is called at once and again for each
 * restart; sync throws and rejections of any value are logged with the task
 * name, attempt and error. Defaults: restart `on-failure`, backoff 1000 ms
 * ×2 capped at 60000 ms with ±20% jitter, reset after a 60000 ms healthy
 * run, give up (status `failed`) after 10 consecutive failures.
 *
 * @param name static task name; registering it again replaces the running task
 * @param factory produces one attempt from the task's abort signal
 * @param options restart policy, backoff, limits, class, supervisor
 * @returns the task's handle (`done` never rejects)
 * @throws {SupervisorClosedError} when the supervisor is shutting down
 * @throws {TaskLimitError} when the task's class is at its limit
 * @throws {RangeError} on invalid options
 * @example
 * ```ts
 * import { spawnSupervised } from "spawn-audit/shim";
 * spawnSupervised("pollForever", (signal) => pollForever(db, signal));
 * spawnSupervised("heartbeat", () => beatOnce(), { restart: "always", backoff: { initialMs: 5_000, jitter: "none" } });
 * ```
 */
export function spawnSupervised<T>(
  name: string,
  factory: TaskFactory<T>,
  options: SupervisedOptions = {},
): TaskHandle<T> {
  return (options.supervisor ?? defaultSupervisor).spawn(name, factory, options);
}
