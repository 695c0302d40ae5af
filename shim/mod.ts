/**
 * spawn-audit's runtime shim: supervised background tasks on web-standard
 * APIs only (Node 18+, Deno, Bun, browsers), with zero dependencies.
 *
 * - `spawnSupervised` — durable work restarted with exponential backoff.
 * - `spawnLogged` — one-shot work whose failure is logged, never unhandled;
 *   `logFailure` logs a failure observed where it happened (a `.catch`).
 * - `superviseWorker` — a worker re-created on error or non-zero exit.
 * - `TaskSupervisor` — the registry behind them: snapshots, abort, classes,
 *   stats, events, graceful shutdown.
 * - `formatStatus` — the snapshot as a text table for a CLI or admin endpoint.
 * - `installProcessGuard` — counts and logs what still escapes every task.
 *
 * @example
 * ```ts
 * import { defaultSupervisor, spawnLogged, spawnSupervised } from "spawn-audit/shim";
 * spawnSupervised("pollForever", (signal) => pollForever(db, signal));
 * spawnLogged("flushMetrics", flushMetrics());
 * await defaultSupervisor.shutdown({ timeoutMs: 5_000 });
 * ```
 *
 * @module
 */

export { type Backoff, defaultBackoff, type Jitter } from "./backoff.ts";
export { type Clock, systemClock } from "./clock.ts";
export {
  DependencyError,
  SupervisorClosedError,
  TaskAbortedError,
  TaskLimitError,
  TaskTimeoutError,
} from "./errors.ts";
/** Event names and payloads a supervisor emits (`queued`, `start`, `end`, `restart`, `failed`, `exit`, `hookError`); documented in events.ts. */
export type { HookFailure, SupervisorEvents, TaskEventInfo } from "./events.ts";
export { jsonLogger, type JsonLoggerOptions, type Logger } from "./logger.ts";
export { type Job, type JobResult, runJobs } from "./needs.ts";
/** Restart policy and OTP-style restart intensity options; documented in policy.ts. */
export type { RestartIntensity, RestartOptions, RestartPolicy } from "./policy.ts";
export { logFailure, type LoggedOptions, spawnLogged } from "./logged.ts";
export { defaultSupervisor, spawnSupervised, type SupervisedOptions } from "./spawn.ts";
/** Per-task and per-class attempt duration statistics in ms, by outcome; documented in stats.ts. */
export { DURATION_BUCKETS_MS, type DurationStats, type OutcomeCounts } from "./stats.ts";
export { formatDuration, formatStatus } from "./status.ts";
export {
  type GuardGlobals,
  installProcessGuard,
  type ProcessGuardOptions,
  type UnsupervisedSink,
} from "./process-guard.ts";
/** A task class's concurrency limit (bulkhead) and what happens beyond it (`reject`, `drop`, `queue`); documented in classes.ts. */
export type { ClassLimit, Overflow } from "./classes.ts";
export {
  type ShutdownOptions,
  type ShutdownSummary,
  type SupervisorStats,
  TaskSupervisor,
  type TaskSupervisorOptions,
} from "./supervisor.ts";
/** The shapes the supervisor and its tasks share — options, handles, snapshots, statuses, outcomes, guard counts; documented in types.ts. */
export type {
  AttemptOutcome,
  GuardStats,
  SpawnOptions,
  TaskFactory,
  TaskHandle,
  TaskOptions,
  TaskOutcome,
  TaskSnapshot,
  TaskStatus,
  UnsupervisedKind,
} from "./types.ts";
export { logWorker, superviseWorker, type WorkerLike } from "./worker.ts";
