/**
 * Thrown (or reported) when work is handed to a supervisor whose `shutdown()`
 * has already begun.
 *
 * @example
 * ```ts
 * import { SupervisorClosedError, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * await supervisor.shutdown();
 * try {
 *   supervisor.spawn("late", () => {});
 * } catch (error) {
 *   console.assert(error instanceof SupervisorClosedError);
 * }
 * ```
 */
export class SupervisorClosedError extends Error {
  /** The task name that could not be started. */
  readonly task: string;

  /**
   * Create the error for a refused task.
   *
   * @param task name of the task that could not be started
   */
  constructor(task: string) {
    super(`cannot start task "${task}": the supervisor is shutting down`);
    this.name = "SupervisorClosedError";
    this.task = task;
  }
}

/**
 * Thrown (or reported) when a task class already runs as many tasks as its
 * `limit` allows and its overflow is `reject` (the default); with `drop`
 * or a full `queue` it is the error of the refused handle's `done`.
 *
 * @example
 * ```ts
 * import { TaskLimitError, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor({ classes: { enrich: { limit: 1 } } });
 * supervisor.spawn("a", (signal) => new Promise((r) => signal.addEventListener("abort", r)), { class: "enrich" });
 * try {
 *   supervisor.spawn("b", () => {}, { class: "enrich" });
 * } catch (error) {
 *   console.assert(error instanceof TaskLimitError);
 * }
 * await supervisor.shutdown();
 * ```
 */
export class TaskLimitError extends Error {
  /** The task name that was refused. */
  readonly task: string;
  /** The task class whose limit was reached. */
  readonly taskClass: string;
  /** The class limit (tasks running or restarting at once). */
  readonly limit: number;

  /**
   * Create the error for a refused task.
   *
   * @param task name of the refused task
   * @param taskClass class whose limit was reached
   * @param limit the class's `limit`
   */
  constructor(task: string, taskClass: string, limit: number) {
    super(`cannot start task "${task}": class "${taskClass}" already runs ${limit} task(s), its limit`);
    this.name = "TaskLimitError";
    this.task = task;
    this.taskClass = taskClass;
    this.limit = limit;
  }
}

/**
 * The rejection of `TaskSupervisor.run()` when the one-shot was aborted
 * (by `abort(name)`, a same-name replacement or shutdown) before it produced
 * a value.
 *
 * @example
 * ```ts
 * import { TaskAbortedError, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * const result = supervisor.run("job", (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))));
 * supervisor.abort("job");
 * await result.catch((error) => console.assert(error instanceof TaskAbortedError));
 * ```
 */
export class TaskAbortedError extends Error {
  /** The aborted task's name. */
  readonly task: string;

  /**
   * Create the error for an aborted one-shot.
   *
   * @param task name of the aborted task
   * @param cause the abort reason, when there was one
   */
  constructor(task: string, cause?: unknown) {
    super(`task "${task}" was aborted before it produced a value`);
    // As `super(message, { cause })` sets it, without needing ES2022's ErrorOptions in a vendored copy's lib.
    if (cause !== undefined) Object.defineProperty(this, "cause", { value: cause, writable: true, configurable: true });
    this.name = "TaskAbortedError";
    this.task = task;
  }
}

/**
 * What a timed-out attempt ends with (see the `attemptTimeoutMs` option): the
 * reason its signal aborts with, the error `shouldRestart` receives, and the
 * `error` of the task's `failed` outcome when no restart follows.
 *
 * @example
 * ```ts
 * import { TaskTimeoutError, spawnSupervised } from "spawn-audit/shim";
 * const handle = spawnSupervised("sync", (signal) => sync(signal), { attemptTimeoutMs: 30_000, restart: "never" });
 * const outcome = await handle.done;
 * if (outcome.status === "failed" && outcome.error instanceof TaskTimeoutError) console.log(outcome.error.timeoutMs);
 * ```
 */
export class TaskTimeoutError extends Error {
  /** The task's name. */
  readonly task: string;
  /** The attempt that timed out, 1-based. */
  readonly attempt: number;
  /** The limit it exceeded, in ms. */
  readonly timeoutMs: number;

  /**
   * Create the error for a timed-out attempt.
   *
   * @param task the task's name
   * @param attempt the attempt that timed out
   * @param timeoutMs the limit, in ms
   */
  constructor(task: string, attempt: number, timeoutMs: number) {
    super(`task "${task}" attempt ${attempt} timed out after ${timeoutMs} ms`);
    this.name = "TaskTimeoutError";
    this.task = task;
    this.attempt = attempt;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Thrown by `runJobs()` before anything runs when `needs:` names a job that
 * does not exist or the dependencies form a cycle (as daft's background job
 * coordinator).
 *
 * @example
 * ```ts
 * import { DependencyError, runJobs, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * await runJobs(supervisor, [{ name: "a", needs: ["missing"], run: () => {} }])
 *   .catch((error) => console.assert(error instanceof DependencyError));
 * ```
 */
export class DependencyError extends Error {
  /** The jobs involved: the cycle in order, or the job with the missing dependency. */
  readonly jobs: readonly string[];

  /**
   * Create the error.
   *
   * @param message what is wrong and what to do
   * @param jobs the jobs involved
   */
  constructor(message: string, jobs: readonly string[]) {
    super(message);
    this.name = "DependencyError";
    this.jobs = jobs;
  }
}
