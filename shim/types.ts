/**
 * The task types the supervisor, its task bookkeeping and the helpers share:
 * statuses, snapshots, outcomes, handles, factories and task options. A
 * module of types only, so nothing imports the supervisor to name them.
 *
 * @module
 */
import type { RestartOptions } from "./policy.ts";

/**
 * Where a task is in its life: `queued` (waiting for a slot of its class),
 * `running` (an attempt is in progress), `restarting` (waiting out a
 * backoff), `completed`, `aborted`, `failed` (as zeph's TaskStatus).
 *
 * @example
 * ```ts
 * import { type TaskStatus, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * const stuck: TaskStatus[] = supervisor.snapshot().map((task) => task.status);
 * ```
 */
export type TaskStatus = "queued" | "running" | "restarting" | "completed" | "aborted" | "failed";

/**
 * How an attempt ended, as the supervisor's `end` event, the duration
 * statistics and the diagnostics_channel context name it: `returned` (the
 * attempt completed), `threw` (it failed: a throw or a rejection),
 * `timedOut` (`attemptTimeoutMs` passed) and `aborted` (its signal was
 * aborted before it settled; abort wins over the other three).
 *
 * @example
 * ```ts
 * import { type AttemptOutcome, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * const failures: AttemptOutcome[] = ["threw", "timedOut"];
 * supervisor.on("end", ({ name, outcome }) => failures.includes(outcome) && console.warn(name, outcome));
 * ```
 */
export type AttemptOutcome = "returned" | "threw" | "timedOut" | "aborted";

/**
 * A point-in-time view of one registered task, as returned by `snapshot()`.
 *
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * for (const task of supervisor.snapshot()) {
 *   console.log(task.name, task.status, task.restartCount, task.lastError ?? "");
 * }
 * ```
 */
export interface TaskSnapshot {
  /** Task name as given at spawn. */
  name: string;
  /** Unique id of this spawn. */
  id: number;
  /** Current status. */
  status: TaskStatus;
  /** Current (or last) attempt, 1-based; while `restarting`, the attempt that failed. */
  attempt: number;
  /** When the task was first spawned, in clock ms (`performance.now()` by default). */
  startedAt: number;
  /** Restarts performed so far. */
  restartCount: number;
  /** One-line summary of the last failure, if any. */
  lastError: string | undefined;
  /** Why the task is `failed`, when it is. */
  reason: string | undefined;
  /** Task class, when one was given. */
  class: string | undefined;
  /** Clock ms since the task was first spawned (restarts included), while it is active; `undefined` once it ended. */
  uptimeMs: number | undefined;
  /** Median attempt duration of every task of this name so far, in ms (bucket estimate; see `DurationStats`); `undefined` before an attempt ended. */
  p50Ms: number | undefined;
  /** 95th percentile attempt duration of this name, in ms, as `p50Ms`. */
  p95Ms: number | undefined;
  /** 99th percentile attempt duration of this name, in ms, as `p50Ms`. */
  p99Ms: number | undefined;
}

/**
 * How a task ended, as its handle's `done` promise reports it (that promise
 * never rejects): `completed` with the value, `failed` with the last error,
 * `aborted`, or `rejected` when it never started (supervisor shutting down,
 * class at its limit and not queueing).
 *
 * @example
 * ```ts
 * import { spawnLogged } from "spawn-audit/shim";
 * const outcome = await spawnLogged("warm-cache", () => warmCache()).done;
 * if (outcome.status === "failed") console.log(outcome.reason);
 * ```
 */
export type TaskOutcome<T = unknown> =
  | { status: "completed"; value: T }
  | { status: "failed"; error: unknown; reason: string }
  | { status: "aborted"; reason: unknown }
  | { status: "rejected"; error: Error };

/**
 * What `spawn`, `spawnSupervised`, `spawnLogged` and `superviseWorker` return.
 *
 * @example
 * ```ts
 * import { spawnSupervised } from "spawn-audit/shim";
 * const handle = spawnSupervised("poller", (signal) => poll(signal));
 * handle.abort();
 * const outcome = await handle.done; // { status: "aborted", ... } once poll() honours the signal
 * ```
 */
export interface TaskHandle<T = unknown> {
  /** Task name. */
  readonly name: string;
  /** Unique id of this spawn. */
  readonly id: number;
  /** The task's abort signal, created on first read; aborting the task also aborts the signal its current attempt's factory received (each attempt gets a fresh one). */
  readonly signal: AbortSignal;
  /** Settles once with the final outcome; never rejects. */
  readonly done: Promise<TaskOutcome<T>>;
  /** Abort this task (cooperative: its factory must honour the signal). */
  abort(reason?: unknown): void;
}

/**
 * Produces one attempt of a task from the task's abort signal; called once
 * and again for every restart. May return a value, a promise, or throw.
 *
 * @example
 * ```ts
 * import type { TaskFactory } from "spawn-audit/shim";
 * const poller: TaskFactory<void> = async (signal) => {
 *   while (!signal.aborted) await pollOnce(signal);
 * };
 * ```
 */
export type TaskFactory<T = unknown> = (signal: AbortSignal) => T | PromiseLike<T>;

/**
 * Options every kind of task accepts.
 *
 * @example
 * ```ts
 * import { spawnLogged } from "spawn-audit/shim";
 * spawnLogged("audit-log", () => writeAudit(entry), { class: "telemetry" });
 * ```
 */
export interface TaskOptions {
  /** Task class, for per-class limits, `abortClass()` and class stats. */
  class?: string | undefined;
  /**
   * An outside signal that aborts the task as `abort(name)` would, with the
   * signal's reason. Already aborted at spawn: a factory is not called and
   * the task ends `aborted` (a promise handed to `spawnLogged` still has its
   * failure observed). The supervisor's listener on it is removed when the
   * task ends, so a long-lived signal collects no listeners.
   */
  signal?: AbortSignal;
}

/**
 * Options of a restartable task: restart settings plus task options.
 *
 * @example
 * ```ts
 * import { type SpawnOptions, spawnSupervised } from "spawn-audit/shim";
 * const options: SpawnOptions = { restart: "always", class: "durable", backoff: { maxMs: 10_000 } };
 * spawnSupervised("scheduler", () => schedulerLoop(), options);
 * ```
 */
export interface SpawnOptions extends RestartOptions, TaskOptions {}

/**
 * A failure that escaped every supervised task, as the process guard sees
 * it: a promise rejection nobody handled, or an exception nobody caught.
 */
export type UnsupervisedKind = "unhandledRejection" | "uncaughtException";

/**
 * What `guardStats()` returns: failures outside any task reported by
 * process guards, counted by kind.
 *
 * @example
 * ```ts
 * import { installProcessGuard, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * installProcessGuard(supervisor);
 * console.log(supervisor.guardStats().unhandledRejection);
 * ```
 */
export type GuardStats = Record<UnsupervisedKind, number>;
