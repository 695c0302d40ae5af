import { backoffDelay } from "./backoff.ts";
import { type Clock, sleep, systemClock } from "./clock.ts";
import { attachDiagnostics } from "./diagnostics.ts";
import { SupervisorClosedError, TaskAbortedError, TaskLimitError, TaskTimeoutError } from "./errors.ts";
import { Emitter, type HookFailure, type Listener, type SupervisorEvents } from "./events.ts";
import { lastResort, observeRejection } from "./guard.ts";
import { attachLogger, checkMaxStringLength, guardLogger, jsonLogger, type Logger, logHookFailure } from "./logger.ts";
import { hasRestartOptions, IntensityWindow, type ResolvedRestart, resolveRestart, type RestartOptions } from "./policy.ts";
import { errorMessage } from "./serialize.ts";
import { DurationHistogram, type DurationStats } from "./stats.ts";
import { Handle, RefusedHandle, Task } from "./task.ts";

/**
 * Where a task is in its life: `running` (an attempt is in progress),
 * `restarting` (waiting out a backoff), `completed`, `aborted`, `failed`
 * (as zeph's TaskStatus).
 *
 * @example
 * ```ts
 * import { type TaskStatus, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * const stuck: TaskStatus[] = supervisor.snapshot().map((task) => task.status);
 * ```
 */
export type TaskStatus = "running" | "restarting" | "completed" | "aborted" | "failed";

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
}

/**
 * How a task ended, as its handle's `done` promise reports it (that promise
 * never rejects): `completed` with the value, `failed` with the last error,
 * `aborted`, or `rejected` when it never started (supervisor shutting down,
 * class limit reached).
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
  class?: string;
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
 * The limit of one task class. At the limit, a new task of the class is
 * rejected (never queued): `spawn`/`spawnSupervised` throw `TaskLimitError`,
 * `run` rejects with it, `spawnLogged` resolves `done` with `rejected`.
 *
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor({ classes: { enrichment: { maxConcurrent: 4 } } });
 * ```
 */
export interface ClassLimit {
  /** Tasks of the class that may be `running` or `restarting` at once, an integer ≥ 0. */
  maxConcurrent: number;
}

/**
 * Construction options of a TaskSupervisor; every field is optional.
 *
 * @example
 * ```ts
 * import { jsonLogger, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor({
 *   logger: jsonLogger(),
 *   classes: { telemetry: { maxConcurrent: 8 } },
 *   defaults: { maxConsecutiveFailures: 5 },
 * });
 * ```
 */
export interface TaskSupervisorOptions {
  /** Time source and timers (default: `systemClock`). */
  clock?: Clock;
  /** Where failures and restarts are logged (default: `jsonLogger()`); `false` for none. */
  logger?: Logger | false;
  /**
   * Longest string the supervisor logs or keeps whole, in UTF-16 code units
   * (default 8192): a task name in a message, an error's message or stack,
   * `lastError` and `reason` in snapshots. Longer ones are cut with a note of
   * how much was dropped; an oversized error reaches the logger as a bounded
   * `{ type, message, stack }` description.
   */
  maxLogStringLength?: number;
  /** Uniform random source in [0, 1) for jitter (default `Math.random`). */
  random?: () => number;
  /** Per-class concurrency limits. */
  classes?: Record<string, ClassLimit>;
  /** Restart defaults for every task of this supervisor. */
  defaults?: RestartOptions;
}

/**
 * Options of `shutdown()`.
 *
 * @example
 * ```ts
 * import { defaultSupervisor } from "spawn-audit/shim";
 * await defaultSupervisor.shutdown({ timeoutMs: 2_000 });
 * ```
 */
export interface ShutdownOptions {
  /** One deadline for all tasks together, in ms (default 5000). */
  timeoutMs?: number;
}

/**
 * What `shutdown()` resolves with.
 *
 * @example
 * ```ts
 * import { defaultSupervisor } from "spawn-audit/shim";
 * const { aborted, timedOut } = await defaultSupervisor.shutdown();
 * if (timedOut) console.warn("did not stop in time:", aborted.join(", "));
 * ```
 */
export interface ShutdownSummary {
  /** Tasks that were active when shutdown began and exited before the deadline. */
  exited: number;
  /** Names of the stragglers that were still active at the deadline and are now marked `aborted`. */
  aborted: string[];
  /** True when the deadline passed with tasks still active. */
  timedOut: boolean;
  /** Time the shutdown took, in ms. */
  durationMs: number;
}

/**
 * What `stats()` returns: attempt durations per task name and per class.
 *
 * @example
 * ```ts
 * import { defaultSupervisor } from "spawn-audit/shim";
 * const { classes } = defaultSupervisor.stats();
 * console.log(classes["telemetry"]?.p95Ms, classes["telemetry"]?.rejected);
 * ```
 */
export interface SupervisorStats {
  /** Attempt durations by task name. */
  tasks: Record<string, DurationStats>;
  /** Attempt durations by class, with the class's active count and the spawns its limit rejected. */
  classes: Record<string, DurationStats & { active: number; rejected: number }>;
}

const ONE_SHOT: ResolvedRestart = resolveRestart({ restart: "never" });

/** How an attempt ended, before "abort wins" is applied. */
type AttemptOutcome = "returned" | "threw" | "timedOut";

/**
 * A supervisor of named background tasks, as zeph's TaskSupervisor: restart
 * policies with exponential backoff (Erlang/OTP supervisor, Akka
 * BackoffSupervisor), snapshots, abort by name, same-name replacement,
 * per-class limits and stats, events, and a graceful `shutdown()` with one
 * deadline. It uses only web-standard APIs.
 *
 * Registry retention: a task that `completed` or was aborted cooperatively
 * (its factory returned or threw after its signal aborted, or it was
 * replaced) leaves the registry; a `failed` task stays for inspection until
 * replaced or `forget()`-ed; a straggler cut off by the shutdown deadline
 * stays as `aborted`. `spawnLogged` tasks leave the registry however they
 * end (their failures are logged and counted in stats).
 *
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * await using supervisor = new TaskSupervisor();
 * supervisor.spawn("scheduler", (signal) => schedulerLoop(signal), { restart: "always" });
 * const answer = await supervisor.run("compute", () => 42);
 * console.log(supervisor.snapshot());
 * // leaving the block runs supervisor.shutdown()
 * ```
 */
export class TaskSupervisor {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #logger: Logger | undefined;
  readonly #maxString: number;
  readonly #classes: Record<string, ClassLimit>;
  readonly #defaults: RestartOptions;
  /** The supervisor's defaults resolved once, for the many spawns that give no restart option. */
  readonly #defaultRestart: ResolvedRestart;
  readonly #events: Emitter<SupervisorEvents>;
  readonly #controller = new AbortController();
  readonly #registry = new Map<string | number, Task>();
  readonly #activeByClass = new Map<string, number>();
  readonly #rejectedByClass = new Map<string, number>();
  readonly #taskStats = new Map<string, DurationHistogram>();
  readonly #classStats = new Map<string, DurationHistogram>();
  #nextId = 1;
  /** The last time the clock reported, in ms; used when `now()` fails. */
  #lastNow = 0;
  #active = 0;
  #shutdown: Promise<ShutdownSummary> | undefined;
  #onDrained: (() => void) | undefined;

  /**
   * Create a supervisor.
   *
   * @param options clock, logger, jitter source, class limits and restart defaults
   * @throws {RangeError} when a class limit or `maxLogStringLength` is not an integer ≥ 0 or a restart default is invalid
   */
  constructor(options: TaskSupervisorOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#random = guardRandom(options.random ?? Math.random, (error) => this.#fault({ source: "random", error }));
    this.#maxString = checkMaxStringLength(options.maxLogStringLength, "maxLogStringLength");
    const logger = options.logger === false ? undefined : (options.logger ?? jsonLogger());
    this.#logger = logger && guardLogger(logger, (error) => this.#fault({ source: "logger", error }), this.#maxString);
    this.#classes = { ...options.classes };
    for (const [name, limit] of Object.entries(this.#classes)) {
      if (!(Number.isInteger(limit.maxConcurrent) && limit.maxConcurrent >= 0)) {
        throw new RangeError(`classes.${name}.maxConcurrent must be an integer ≥ 0, got ${String(limit.maxConcurrent)}`);
      }
    }
    this.#defaults = { ...options.defaults };
    this.#defaultRestart = resolveRestart({}, this.#defaults);
    this.#events = new Emitter<SupervisorEvents>((error, type) => {
      if (type === "hookError") lastResort(`a "hookError" listener failed: ${errorMessage(error)}`);
      else this.#fault({ source: "listener", event: type, error });
    });
    if (this.#logger !== undefined) attachLogger(this.#events, this.#logger, this.#maxString);
    attachDiagnostics(this.#events);
  }

  /** Aborted when `shutdown()` begins; every task's signal follows it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once `shutdown()` has begun: new tasks are refused from then on. */
  get closed(): boolean {
    return this.#shutdown !== undefined;
  }

  /**
   * Listen to an event (`start`, `end`, `restart`, `failed`, `exit`,
   * `hookError`). Listeners run synchronously; whatever they throw, and the
   * rejection of an async listener, is reported as a `hookError` and logged,
   * never rethrown.
   *
   * @param type event name
   * @param listener called with the event payload
   * @returns a function that removes the listener
   */
  on<K extends keyof SupervisorEvents>(type: K, listener: Listener<SupervisorEvents, K>): () => void {
    return this.#events.on(type, listener);
  }

  /**
   * Start a supervised, restartable task (what `spawnSupervised` calls).
   * `factory(signal)` is called at once, synchronously, and again after each
   * restart's backoff. A synchronous throw from the factory, on the first
   * call or on any restart, is a failure of that attempt exactly like a
   * rejection: logged, counted toward `maxConsecutiveFailures` and restart
   * intensity, and answered by the restart policy. A task already registered
   * under `name` is aborted and replaced (its handle reports `aborted`).
   *
   * @param name task name (static, e.g. `"scheduler"`; put ids in log fields)
   * @param factory produces one attempt from the task's abort signal
   * @param options restart policy, backoff, limits and class
   * @returns the task's handle
   * @throws {SupervisorClosedError} when `shutdown()` has begun
   * @throws {TaskLimitError} when the task's class is at its limit
   * @throws {RangeError} on invalid options; {TypeError} when `name` is not a non-empty string, `signal` not an AbortSignal or `shouldRestart` not a function
   */
  spawn<T>(name: string, factory: TaskFactory<T>, options: SpawnOptions = {}): TaskHandle<T> {
    checkName(name);
    checkSignal(options.signal);
    const restart = hasRestartOptions(options) ? resolveRestart(options, this.#defaults) : this.#defaultRestart;
    const refusal = this.#refusal(name, options.class, name);
    if (refusal !== undefined) throw refusal;
    return this.#start(name, factory, restart, options, false);
  }

  /**
   * Run a one-shot, log-only task (what `spawnLogged` calls): a failure is
   * logged and reported through `done`, never rethrown, never restarted.
   * Tasks are keyed by id, so many may share a name and none replaces
   * another. This method never throws: when the supervisor is shutting down
   * or the class is at its limit, a factory is not called, a promise still
   * gets its failure logged, and `done` resolves `{ status: "rejected" }`.
   *
   * @param name task name (static; several tasks may share it)
   * @param work a promise already running, or a factory called at once
   * @param options task class, outside abort signal (an invalid one refuses the task with a TypeError)
   * @returns the task's handle
   */
  spawnLogged<T>(name: string, work: PromiseLike<T> | TaskFactory<T>, options: TaskOptions = {}): TaskHandle<T> {
    const refusal = signalError(options.signal) ?? this.#refusal(name, options.class, undefined);
    if (refusal === undefined) return this.#start(name, work, ONE_SHOT, options, true);
    this.#logger?.warn({ task: name, class: options.class, err: refusal }, refusal.message);
    if (typeof work !== "function") {
      Promise.resolve(work).then(undefined, (error: unknown) => {
        this.#logger?.error({ task: name, class: options.class, err: error }, `task "${name}" failed after it was refused`);
      });
    }
    return new RefusedHandle(name, this.#nextId++, refusal);
  }

  /**
   * Run a named one-shot whose result the caller awaits (as zeph's
   * spawn_oneshot): registered, visible in `snapshot()`, aborted by
   * `abort(name)`, `abortClass` and `shutdown()`, never restarted. A failed
   * run stays in the registry as `failed`.
   *
   * @param name task name; a task already registered under it is replaced
   * @param fn produces the result from the task's abort signal
   * @param options task class, outside abort signal
   * @returns the value `fn` produced
   * @throws (rejects) with what `fn` threw, {TaskAbortedError} when aborted
   *   first, {SupervisorClosedError} after shutdown began, {TaskLimitError} at
   *   the class limit, {TypeError} on a bad name or signal
   */
  run<T>(name: string, fn: TaskFactory<T>, options: TaskOptions = {}): Promise<T> {
    let handle: TaskHandle<T>;
    try {
      checkName(name);
      checkSignal(options.signal);
      const refusal = this.#refusal(name, options.class, name);
      if (refusal !== undefined) throw refusal;
      handle = this.#start(name, fn, ONE_SHOT, options, false);
    } catch (error) {
      return Promise.reject(error);
    }
    return handle.done.then((outcome) => {
      if (outcome.status === "completed") return outcome.value;
      if (outcome.status === "failed") throw outcome.error;
      throw new TaskAbortedError(name, outcome.status === "aborted" ? outcome.reason : outcome.error);
    });
  }

  /**
   * Abort the task registered under `name` (cooperative: it ends when its
   * factory honours the signal, or at once when it is waiting out a backoff).
   * `spawnLogged` tasks are not addressed by name: use their handle,
   * `abortClass` or `shutdown`.
   *
   * @param name task name
   * @param reason abort reason handed to the signal
   * @returns true when an active task was signalled
   */
  abort(name: string, reason?: unknown): boolean {
    const entry = this.#registry.get(name);
    if (entry === undefined || entry.settled) return false;
    entry.abort(reason);
    return true;
  }

  /**
   * Abort every active task of a class (as zeph's turn-boundary abort_class).
   *
   * @param taskClass the class
   * @param reason abort reason handed to the signals
   * @returns how many tasks were signalled
   */
  abortClass(taskClass: string, reason?: unknown): number {
    let count = 0;
    for (const entry of this.#registry.values()) {
      if (!entry.settled && entry.class === taskClass) {
        entry.abort(reason);
        count++;
      }
    }
    return count;
  }

  /**
   * Remove every task named `name` that has ended (`failed`, or `aborted` at
   * a shutdown deadline) from the registry, whether it was started by
   * `spawn`, `run` or `spawnLogged` (many `spawnLogged` tasks may share the
   * name). Active tasks are left alone.
   *
   * @param name task name
   * @returns true when at least one ended task was removed
   */
  forget(name: string): boolean {
    let removed = false;
    for (const [key, entry] of this.#registry) {
      if (entry.name === name && entry.settled) removed = this.#registry.delete(key);
    }
    return removed;
  }

  /**
   * A point-in-time view of every registered task, sorted by start time.
   *
   * @returns one snapshot per registered task
   */
  snapshot(): TaskSnapshot[] {
    const out: TaskSnapshot[] = [];
    for (const e of this.#registry.values()) {
      out.push({
        name: e.name,
        id: e.id,
        status: e.status,
        attempt: e.attempt,
        startedAt: e.startedAt,
        restartCount: e.restartCount,
        lastError: e.lastError,
        reason: e.reason,
        class: e.class,
      });
    }
    return out.sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  }

  /**
   * The number of registered tasks that are `running` or `restarting`.
   *
   * @returns the active task count
   */
  activeCount(): number {
    return this.#active;
  }

  /**
   * Attempt duration statistics per task name and per class.
   *
   * @returns count, min, max, p50 and p95 in ms from fixed-bucket histograms
   */
  stats(): SupervisorStats {
    const tasks: SupervisorStats["tasks"] = {};
    for (const [name, histogram] of this.#taskStats) tasks[name] = histogram.summary();
    const classes: SupervisorStats["classes"] = {};
    const names = new Set([...this.#classStats.keys(), ...this.#rejectedByClass.keys(), ...this.#activeByClass.keys()]);
    for (const name of names) {
      classes[name] = {
        ...(this.#classStats.get(name)?.summary() ?? new DurationHistogram().summary()),
        active: this.#activeByClass.get(name) ?? 0,
        rejected: this.#rejectedByClass.get(name) ?? 0,
      };
    }
    return { tasks, classes };
  }

  /**
   * Stop everything: refuse new tasks, abort every task's signal, wait for
   * cooperative exits until one deadline for all tasks, then mark the
   * stragglers `aborted`. Exits that race the shutdown are all reaped.
   * Calling it again returns the same promise. No timer outlives it.
   *
   * @param options `timeoutMs`: the deadline in ms (default 5000)
   * @returns a summary naming the stragglers
   * @throws (rejects) {RangeError} when `timeoutMs` is negative or NaN
   */
  shutdown(options: ShutdownOptions = {}): Promise<ShutdownSummary> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!(timeoutMs >= 0)) {
      return Promise.reject(new RangeError(`shutdown timeoutMs must be ≥ 0 ms, got ${String(timeoutMs)}`));
    }
    const began = this.#now();
    const activeAtStart = this.#active;
    this.#shutdown = new Promise<ShutdownSummary>((resolve) => {
      let timer: unknown;
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        this.#onDrained = undefined;
        if (timer !== undefined) this.#clearTimer(timer);
        const aborted: string[] = [];
        for (const entry of [...this.#registry.values()]) {
          if (entry.settled) continue;
          aborted.push(entry.name);
          this.#finalize(entry, { status: "aborted", reason: this.#controller.signal.reason }, false, true);
        }
        if (aborted.length > 0) {
          this.#logger?.warn({ tasks: aborted, timeoutMs }, `shutdown deadline passed; ${aborted.length} task(s) marked aborted`);
        }
        resolve({ exited: activeAtStart - aborted.length, aborted, timedOut: aborted.length > 0, durationMs: this.#now() - began });
      };
      this.#onDrained = finish;
      const reason = new DOMException("the supervisor is shutting down", "AbortError");
      this.#controller.abort(reason);
      // Tasks are linked to the supervisor by hand: no listener per task on the supervisor's signal.
      for (const entry of [...this.#registry.values()]) if (!entry.settled) entry.abort(reason);
      if (this.#active === 0) finish();
      else if (!finished) {
        try {
          timer = this.#clock.setTimeout(finish, timeoutMs);
        } catch (error) {
          // No deadline can be set: end the shutdown now rather than never.
          this.#fault({ source: "clock", error });
          finish();
        }
      }
    });
    return this.#shutdown;
  }

  /**
   * `await using` support: runs `shutdown()` with its default deadline.
   *
   * @returns resolves when the shutdown has finished
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown();
  }

  #refusal(name: string, taskClass: string | undefined, replacing: string | undefined): Error | undefined {
    if (this.#shutdown !== undefined) return new SupervisorClosedError(name);
    if (taskClass === undefined) return undefined;
    const limit = this.#classes[taskClass];
    if (limit === undefined) return undefined;
    let active = this.#activeByClass.get(taskClass) ?? 0;
    const previous = replacing === undefined ? undefined : this.#registry.get(replacing);
    if (previous !== undefined && !previous.settled && previous.class === taskClass) active--;
    if (active < limit.maxConcurrent) return undefined;
    this.#rejectedByClass.set(taskClass, (this.#rejectedByClass.get(taskClass) ?? 0) + 1);
    return new TaskLimitError(name, taskClass, limit.maxConcurrent);
  }

  #start<T>(name: string, work: TaskFactory<T> | PromiseLike<T>, restart: ResolvedRestart, options: TaskOptions, ephemeral: boolean): TaskHandle<T> {
    const id = this.#nextId++;
    if (!ephemeral) this.#replace(name);
    const taskClass = options.class;
    const task = new Task(name, id, taskClass, this.#now(), restart, work as TaskFactory | PromiseLike<unknown>, ephemeral);
    this.#registry.set(task.key, task);
    this.#active++;
    if (taskClass !== undefined) this.#activeByClass.set(taskClass, (this.#activeByClass.get(taskClass) ?? 0) + 1);
    const outside = options.signal;
    if (outside?.aborted) {
      task.abort(outside.reason);
      // A factory is not called; a promise already runs, so it is observed and settles as aborted.
      if (task.factory !== undefined) this.#finalize(task, { status: "aborted", reason: outside.reason });
      else this.#attempt(task, work as PromiseLike<unknown>);
      return new Handle<T>(task);
    }
    if (outside !== undefined) task.follow(outside);
    this.#attempt(task, work as TaskFactory | PromiseLike<unknown>);
    return new Handle<T>(task);
  }

  #replace(name: string): void {
    const previous = this.#registry.get(name);
    if (previous === undefined) return;
    if (!previous.settled) {
      const reason = new DOMException(`replaced by a new task named "${name}"`, "AbortError");
      previous.abort(reason);
      this.#finalize(previous, { status: "aborted", reason });
    }
    this.#registry.delete(name);
  }

  /**
   * Run one attempt: call the factory (or take the promise spawnLogged was
   * given) and settle the attempt when its result does. A synchronous throw
   * settles it at once; anything else one promise hop later, as `await` would.
   */
  #attempt(task: Task, work: TaskFactory | PromiseLike<unknown>): void {
    const attempt = ++task.attempt;
    task.status = "running";
    if (this.#events.has("start")) this.#events.emit("start", { name: task.name, id: task.id, attempt, class: task.class });
    const attemptStart = attempt === 1 ? task.startedAt : this.#now();
    const timeoutMs = task.restart.attemptTimeoutMs;
    if (timeoutMs !== undefined) this.#armAttemptTimeout(task, attempt, attemptStart, timeoutMs);
    let result: PromiseLike<unknown>;
    try {
      result = Promise.resolve(typeof work === "function" ? work(this.#attemptSignal(task)) : work);
    } catch (error) {
      this.#attemptSettled(task, attempt, attemptStart, "threw", error);
      return;
    }
    result.then(
      (value) => this.#attemptSettled(task, attempt, attemptStart, "returned", value),
      (error: unknown) => this.#attemptSettled(task, attempt, attemptStart, "threw", error),
    );
  }

  /**
   * The signal an attempt's factory receives: the task's own on the first
   * attempt, a fresh one per restart (so listeners an earlier attempt left
   * behind die with it) and per attempt under `attemptTimeoutMs` (so a
   * timeout aborts the attempt, not the task), none for a factory that
   * cannot read it.
   */
  #attemptSignal(task: Task): AbortSignal {
    if (!task.passesSignal) return undefined as unknown as AbortSignal; // the factory cannot tell
    if (task.attempt === 1 && task.restart.attemptTimeoutMs === undefined) return task.signal;
    task.attemptController = new AbortController();
    if (task.aborted) task.attemptController.abort(task.signal.reason);
    return task.attemptController.signal;
  }

  /** Time the attempt out after `timeoutMs` unless it settles first; a clock that cannot schedule it is reported and the attempt runs unlimited. */
  #armAttemptTimeout(task: Task, attempt: number, attemptStart: number, timeoutMs: number): void {
    try {
      task.attemptTimer = this.#clock.setTimeout(() => {
        task.attemptTimer = undefined;
        if (task.attempt !== attempt || task.status !== "running" || task.settled) return;
        const error = new TaskTimeoutError(task.name, attempt, timeoutMs);
        task.attemptController?.abort(error);
        this.#attemptSettled(task, attempt, attemptStart, "timedOut", error);
      }, timeoutMs);
    } catch (error) {
      this.#fault({ source: "clock", task: task.name, error });
    }
  }

  /** An attempt settled (or timed out); a late result of an attempt already over (timed out, replaced, cut off) is ignored. */
  #attemptSettled(task: Task, attempt: number, attemptStart: number, outcome: AttemptOutcome, valueOrError: unknown): void {
    if (task.settled || task.attempt !== attempt || task.status !== "running") return;
    if (task.attemptTimer !== undefined && outcome !== "timedOut") {
      this.#clearTimer(task.attemptTimer);
      task.attemptTimer = undefined;
    }
    try {
      this.#afterAttempt(task, attemptStart, outcome, valueOrError);
    } catch (error) {
      this.#crashed(task, error);
    }
  }

  /** Only a broken invariant inside the supervisor lands here (hooks are guarded); keep the registry consistent. */
  #crashed(task: Task, error: unknown): void {
    try {
      this.#finalize(task, { status: "failed", error, reason: `supervisor error: ${errorMessage(error, this.#maxString)}` });
    } catch (again) {
      lastResort(`task "${errorMessage(task.name)}" could not be finalised: ${errorMessage(again)}`);
    }
  }

  /**
   * Report a failed hook: the `hookError` event, then the logger (unless the
   * logger is what failed; then, with no `hookError` listener, one line on
   * `console.error`). Never throws.
   */
  #fault(failure: HookFailure): void {
    const heard = this.#events.has("hookError");
    if (heard) this.#events.emit("hookError", failure);
    if (failure.source !== "logger") {
      if (this.#logger !== undefined) logHookFailure(this.#logger, failure, this.#maxString);
    } else if (!heard) {
      lastResort(`the logger failed: ${errorMessage(failure.error, this.#maxString)}`);
    }
  }

  /** The clock's time; a throwing or non-finite `now()` is reported and the last good time is used. */
  #now(): number {
    try {
      const now = this.#clock.now();
      if (Number.isFinite(now)) return (this.#lastNow = now);
      this.#fault({ source: "clock", error: new TypeError(`clock.now() returned ${String(now)}, not a finite number`) });
    } catch (error) {
      this.#fault({ source: "clock", error });
    }
    return this.#lastNow;
  }

  /** Cancel a clock timer; a throwing `clearTimeout` is reported. */
  #clearTimer(handle: unknown): void {
    try {
      this.#clock.clearTimeout(handle);
    } catch (error) {
      this.#fault({ source: "clock", error });
    }
  }

  /** The clock could not schedule a restart: the task fails for good (it would otherwise wait forever). */
  #clockFailed(task: Task, error: unknown): void {
    this.#fault({ source: "clock", task: task.name, error });
    this.#finalize(task, { status: "failed", error, reason: `the clock could not schedule the restart: ${errorMessage(error, this.#maxString)}` });
  }

  #afterAttempt(task: Task, attemptStart: number, settled: AttemptOutcome, valueOrError: unknown): void {
    const durationMs = Math.max(0, this.#now() - attemptStart);
    this.#record(task, durationMs);
    const aborted = task.aborted;
    const returned = settled === "returned";
    const error = returned ? undefined : valueOrError;
    if (this.#events.has("end")) {
      const outcome = aborted ? "aborted" : settled;
      const { name, id, attempt } = task;
      this.#events.emit(
        "end",
        returned ? { name, id, attempt, class: task.class, outcome, durationMs } : { name, id, attempt, class: task.class, outcome, durationMs, error },
      );
    }
    if (!returned) task.lastError = errorMessage(error, this.#maxString);
    const { restart } = task;
    // An attempt that settles after its signal aborted ends the task as aborted, whatever it returned or threw.
    if (aborted) return this.#finalize(task, { status: "aborted", reason: task.signal.reason });
    if (returned && restart.restart !== "always") return this.#finalize(task, { status: "completed", value: valueOrError });
    const what = settled === "timedOut" ? "timed out" : "failed";
    if (restart.restart === "never") {
      return this.#finalize(task, { status: "failed", error, reason: `${what} on attempt ${task.attempt}: ${task.lastError}` });
    }
    if (!returned && restart.shouldRestart !== undefined && !this.#mayRestart(task, restart.shouldRestart, error)) {
      return this.#finalize(task, { status: "failed", error, reason: `shouldRestart declined a restart after attempt ${task.attempt} ${what}: ${task.lastError}` });
    }
    if (durationMs >= restart.resetAfterMs) {
      task.failures = 0;
      task.previousDelay = undefined;
    }
    task.failures++;
    let giveUp: string | undefined;
    if (task.failures >= restart.maxConsecutiveFailures) {
      giveUp = `${task.failures} consecutive failure(s) reached maxConsecutiveFailures`;
    } else if (restart.intensity !== undefined && !(task.window ??= new IntensityWindow(restart.intensity)).admit(this.#now())) {
      giveUp = `restart intensity exceeded: more than ${restart.intensity.maxRestarts} restart(s) within ${restart.intensity.withinMs} ms`;
    }
    if (giveUp !== undefined) return this.#finalize(task, { status: "failed", error, reason: giveUp }, true);
    const delayMs = backoffDelay(task.failures, restart.backoff, this.#random, task.previousDelay);
    task.previousDelay = delayMs;
    task.status = "restarting";
    if (this.#events.has("restart")) {
      const { name, id } = task;
      const attempt = task.attempt + 1;
      this.#events.emit(
        "restart",
        returned ? { name, id, attempt, class: task.class, delayMs } : { name, id, attempt, class: task.class, delayMs, error },
      );
    }
    sleep(this.#clock, delayMs, task.signal, (clockError) => this.#fault({ source: "clock", task: task.name, error: clockError })).then(
      (slept) => this.#afterBackoff(task, slept),
      (clockError: unknown) => this.#clockFailed(task, clockError),
    );
  }

  /** Ask `shouldRestart`; a throw, or a promise (the answer must be synchronous), is reported and counts as no. */
  #mayRestart(task: Task, shouldRestart: (error: unknown, attempt: number) => boolean, error: unknown): boolean {
    let answer: unknown;
    try {
      answer = shouldRestart(error, task.attempt);
    } catch (thrown) {
      this.#fault({ source: "shouldRestart", task: task.name, error: thrown });
      return false;
    }
    if (typeof (answer as { then?: unknown } | null)?.then === "function") {
      observeRejection(answer, () => {});
      this.#fault({ source: "shouldRestart", task: task.name, error: new TypeError("shouldRestart returned a promise; it must answer synchronously") });
      return false;
    }
    return Boolean(answer);
  }

  #afterBackoff(task: Task, slept: boolean): void {
    try {
      if (task.settled) return;
      if (!slept) return this.#finalize(task, { status: "aborted", reason: task.signal.reason });
      task.restartCount++;
      this.#attempt(task, task.factory!);
    } catch (error) {
      this.#crashed(task, error);
    }
  }

  #finalize(task: Task, outcome: Exclude<TaskOutcome<unknown>, { status: "rejected" }>, gaveUp = false, keep = false): void {
    if (task.settled) return;
    task.settled = true;
    task.attemptController = undefined;
    task.unfollow();
    if (task.attemptTimer !== undefined) {
      this.#clearTimer(task.attemptTimer);
      task.attemptTimer = undefined;
    }
    task.status = outcome.status;
    this.#active--;
    if (task.class !== undefined) this.#activeByClass.set(task.class, (this.#activeByClass.get(task.class) ?? 1) - 1);
    if (outcome.status === "failed") {
      task.reason = outcome.reason;
      if (this.#events.has("failed")) {
        const { name, id, attempt } = task;
        this.#events.emit("failed", { name, id, attempt, class: task.class, reason: outcome.reason, error: outcome.error, gaveUp });
      }
    }
    const retain = keep || (outcome.status === "failed" && !task.ephemeral);
    if (!retain && this.#registry.get(task.key) === task) this.#registry.delete(task.key);
    if (this.#events.has("exit")) {
      const { name, id, attempt } = task;
      const durationMs = this.#now() - task.startedAt;
      this.#events.emit("exit", { name, id, attempt, class: task.class, status: outcome.status, durationMs });
    }
    task.settle(outcome);
    if (this.#active === 0) this.#onDrained?.();
  }

  #record(task: Task, durationMs: number): void {
    histogramFor(this.#taskStats, task.name).record(durationMs);
    if (task.class !== undefined) histogramFor(this.#classStats, task.class).record(durationMs);
  }
}

function histogramFor(map: Map<string, DurationHistogram>, key: string): DurationHistogram {
  let histogram = map.get(key);
  if (histogram === undefined) map.set(key, (histogram = new DurationHistogram()));
  return histogram;
}

/** `random` made safe: a throw or a value outside [0, 1) is reported and 0.5 (no jitter bias) is used. */
function guardRandom(random: () => number, onFailure: (error: unknown) => void): () => number {
  return () => {
    try {
      const value = random();
      if (value >= 0 && value < 1) return value;
      onFailure(new RangeError(`random() returned ${String(value)}, not a number in [0, 1)`));
    } catch (error) {
      onFailure(error);
    }
    return 0.5;
  };
}

/** Why `signal` is not usable as an outside abort signal, or undefined when it is (or absent). */
function signalError(signal: unknown): TypeError | undefined {
  if (signal === undefined) return undefined;
  const candidate = signal as { aborted?: unknown; addEventListener?: unknown } | null;
  if (typeof candidate?.addEventListener === "function" && typeof candidate.aborted === "boolean") return undefined;
  return new TypeError(`the signal option must be an AbortSignal, got ${signal === null ? "null" : typeof signal}`);
}

function checkSignal(signal: unknown): void {
  const error = signalError(signal);
  if (error !== undefined) throw error;
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`a task name must be a non-empty string, got ${typeof name === "string" ? '""' : typeof name}`);
  }
}
