import { guardRandom } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import { type ClassCounts, type ClassLimit, ClassSlots } from "./classes.ts";
import { NO_OPTIONS, signalError, type SupervisorCore } from "./core.ts";
import { Durations } from "./durations.ts";
import { SupervisorClosedError, TaskAbortedError } from "./errors.ts";
import { coreWithHooks, reportHookFailures } from "./hooks.ts";
import type { Listener, SupervisorEvents } from "./events.ts";
import { attachRestartLogger, type Logger, logUnsupervised } from "./logger.ts";
import { hasRestartOptions, type ResolvedRestart, resolveRestart, type RestartOptions } from "./policy.ts";
import { restarts } from "./restart.ts";
import { shutdownCore } from "./shutdown.ts";
import type { DurationStats } from "./stats.ts";
import { RefusedHandle } from "./task.ts";
import type {
  GuardStats,
  SpawnOptions,
  TaskFactory,
  TaskHandle,
  TaskOptions,
  TaskSnapshot,
  UnsupervisedKind,
} from "./types.ts";

/**
 * Construction options of a TaskSupervisor; every field is optional.
 *
 * @example
 * ```ts
 * import { jsonLogger, TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor({
 *   logger: jsonLogger(),
 *   classes: { telemetry: { limit: 8 } },
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
  /** One deadline for all tasks together, in ms (default 5000; `Infinity`: wait for every task; any value is honoured, none fires early). */
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
  /** Attempt durations by task name (see `DurationStats`: p50/p95/p99 and bucket counts by outcome). */
  tasks: Record<string, DurationStats>;
  /** Attempt durations by class, with the tasks holding a slot (`active`), waiting (`queued`), and the spawns its limit rejected or dropped. */
  classes: Record<string, DurationStats & ClassCounts>;
}

/**
 * The type of `Symbol.asyncDispose` where the project's `lib` declares it
 * (`esnext.disposable`, or `@types/node`), else `never`: the supervisor's
 * declarations then need no particular `lib` (an unconditional
 * `[Symbol.asyncDispose]` member fails to type-check under `lib: ["es2022"]`).
 */
export type AsyncDisposeKey = SymbolConstructor extends { readonly asyncDispose: infer Key extends symbol } ? Key
  : never;

/** What `await using` calls on a supervisor: `shutdown()` with its default deadline (none under a `lib` without `Symbol.asyncDispose`). */
export type AsyncDisposal = { [Key in AsyncDisposeKey]: () => Promise<void> };

/** A supervisor is disposable with `await using` (see {@link AsyncDisposal}). */
export interface TaskSupervisor extends AsyncDisposal {}

/** The core the next `TaskSupervisor` is built on instead of a new one (see {@link supervisorOn}). */
let adopted: SupervisorCore | undefined;

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
  /** The registry, logger, events and attempt running this supervisor shares with `spawnLogged`'s default when it is the default. */
  readonly #core: SupervisorCore;
  readonly #classes: ClassSlots;
  readonly #durations = new Durations();
  readonly #defaults: RestartOptions;
  /** The supervisor's defaults resolved once, for the many spawns that give no restart option. */
  readonly #defaultRestart: ResolvedRestart;
  readonly #unsupervised: GuardStats = { unhandledRejection: 0, uncaughtException: 0 };
  #shutdown: Promise<ShutdownSummary> | undefined;

  /**
   * Create a supervisor.
   *
   * @param options clock, logger, jitter source, class limits and restart defaults
   * @throws {RangeError} when a class limit or `maxLogStringLength` is not an integer ≥ 0 or a restart default is invalid
   */
  constructor(options: TaskSupervisorOptions = {}) {
    const core = adopted ?? coreWithHooks(options);
    if (adopted !== undefined) reportHookFailures(core);
    this.#core = core;
    // Only a user-supplied jitter source can throw; the built-in one stays unwrapped.
    const random = options.random === undefined
      ? Math.random
      : guardRandom(options.random, (error) => core.fault({ source: "random", error }));
    this.#classes = new ClassSlots(core, options.classes);
    this.#defaults = { ...options.defaults };
    this.#defaultRestart = resolveRestart({}, this.#defaults);
    // What this supervisor adds to its core: class slots and queues (admit, enqueue, acquire, release), durations (record),
    // attempt timeouts and restarts (armTimeout, restart).
    core.extension = { ...this.#classes, ...this.#durations, ...restarts(core, random) };
    if (core.logger !== undefined) attachRestartLogger(core.events, core.logger, core.maxString);
  }

  /** Aborted when `shutdown()` begins; every task's signal follows it. */
  get signal(): AbortSignal {
    return this.#core.controller.signal;
  }

  /** True once `shutdown()` has begun: new tasks are refused from then on. */
  get closed(): boolean {
    return this.#core.closed;
  }

  /**
   * Listen to an event (`queued`, `start`, `end`, `restart`, `failed`,
   * `exit`, `hookError`). Listeners run synchronously; whatever they throw,
   * and the rejection of an async listener, is reported as a `hookError` and logged,
   * never rethrown.
   *
   * @param type event name
   * @param listener called with the event payload
   * @returns a function that removes the listener
   */
  on<K extends keyof SupervisorEvents>(type: K, listener: Listener<SupervisorEvents, K>): () => void {
    return this.#core.events.on(type, listener);
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
   * @throws {TaskLimitError} when the task's class is at its limit with overflow `reject` (with `drop`, or a full `queue`, the handle's `done` resolves `rejected` instead; with `queue`, the task waits as `queued`)
   * @throws {RangeError} on invalid options; {TypeError} when `name` is not a non-empty string, `signal` not an AbortSignal or `shouldRestart` not a function
   */
  spawn<T>(name: string, factory: TaskFactory<T>, options: SpawnOptions = {}): TaskHandle<T> {
    checkTask(name, options);
    const restart = hasRestartOptions(options) ? resolveRestart(options, this.#defaults) : this.#defaultRestart;
    return this.#start(name, factory, restart, options, true);
  }

  /**
   * Run a one-shot, log-only task (what `spawnLogged` calls): a failure is
   * logged and reported through `done`, never rethrown, never restarted.
   * Tasks are keyed by id, so many may share a name and none replaces
   * another. This method never throws: when the supervisor is shutting down
   * or the class is at its limit (and does not queue), a factory is not
   * called, a promise still gets its failure logged, and `done` resolves
   * `{ status: "rejected" }` (a warning is logged unless the class drops).
   * A promise never waits in a class queue: it already runs, so at the
   * limit it is dropped.
   *
   * @param name task name (static; several tasks may share it)
   * @param work a promise already running, or a factory called at once
   * @param options task class, outside abort signal (an invalid one refuses the task with a TypeError)
   * @returns the task's handle
   */
  spawnLogged<T>(
    name: string,
    work: PromiseLike<T> | TaskFactory<T>,
    options: TaskOptions = NO_OPTIONS,
  ): TaskHandle<T> {
    return this.#core.spawnLogged(name, work, options);
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
      checkTask(name, options);
      handle = this.#start(name, fn, undefined, options, false);
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
    const entry = this.#core.registry.named(name);
    if (entry === undefined || entry.settled) return false;
    entry.cancel(reason);
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
    for (const entry of this.#core.registry.all()) {
      if (!entry.settled && entry.class === taskClass) {
        entry.cancel(reason);
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
    for (const entry of this.#core.registry.all()) {
      if (entry.name === name && entry.settled) {
        this.#core.registry.remove(entry);
        removed = true;
      }
    }
    return removed;
  }

  /**
   * A point-in-time view of every registered task, sorted by start time,
   * with its uptime (clock ms since spawn, while active) and the attempt
   * duration percentiles of its task name (per class: `stats()`).
   *
   * @returns one snapshot per registered task
   */
  snapshot(): TaskSnapshot[] {
    const out: TaskSnapshot[] = [];
    const now = this.#core.clock.now();
    const summaries = new Map<string, DurationStats | undefined>();
    for (const e of this.#core.registry.all()) {
      let durations = summaries.get(e.name);
      if (!summaries.has(e.name)) summaries.set(e.name, durations = this.#durations.task(e.name));
      out.push({
        name: e.name,
        id: e.id,
        status: e.status,
        attempt: e.attempt,
        startedAt: e.startedAt,
        restartCount: e.extras?.restartCount ?? 0,
        lastError: e.extras?.lastError,
        reason: e.extras?.reason,
        class: e.class,
        uptimeMs: e.settled ? undefined : Math.max(0, now - e.startedAt),
        p50Ms: durations?.p50Ms,
        p95Ms: durations?.p95Ms,
        p99Ms: durations?.p99Ms,
      });
    }
    return out.sort((a, b) => a.startedAt - b.startedAt || a.id - b.id);
  }

  /**
   * The number of registered tasks that have not ended: `running`,
   * `restarting` or `queued`.
   *
   * @returns the active task count
   */
  activeCount(): number {
    return this.#core.active;
  }

  /**
   * Tasks of a class holding one of its slots (`running` or `restarting`).
   *
   * @param taskClass the class
   * @returns the count
   */
  inflight(taskClass: string): number {
    return this.#classes.counts(taskClass).active;
  }

  /**
   * Tasks of a class waiting for a slot (overflow `queue`).
   *
   * @param taskClass the class
   * @returns the count
   */
  queued(taskClass: string): number {
    return this.#classes.counts(taskClass).queued;
  }

  /**
   * Spawns of a class dropped at its limit so far (overflow `drop`, or a full queue).
   *
   * @param taskClass the class
   * @returns the count
   */
  dropped(taskClass: string): number {
    return this.#classes.counts(taskClass).dropped;
  }

  /**
   * Give a class a concurrency limit after construction, as the `classes`
   * option would; later spawns of the class obey it (`BlockingPool` bounds
   * its workers this way).
   *
   * @param taskClass the class, which must not have a limit yet
   * @param limit its limit and overflow
   * @throws {RangeError} when the class already has a limit, or `limit` is invalid as in the `classes` option
   */
  defineClass(taskClass: string, limit: ClassLimit): void {
    this.#classes.define(taskClass, limit);
  }

  /**
   * One line for a status bar: the in-flight tasks per class, by class name,
   * with the queued ones, e.g. `bg: 2 enrichment (+3 queued), 1 telemetry`;
   * empty when no task of any class is in flight or queued (tasks without a
   * class are not listed).
   *
   * @returns the line, or `""` when idle
   */
  statusLine(): string {
    const parts: string[] = [];
    for (const name of this.#classes.seen().sort()) {
      const { active, queued } = this.#classes.counts(name);
      if (active > 0 || queued > 0) parts.push(`${active} ${name}${queued > 0 ? ` (+${queued} queued)` : ""}`);
    }
    return parts.length === 0 ? "" : `bg: ${parts.join(", ")}`;
  }

  /**
   * Attempt duration statistics per task name and per class.
   *
   * @returns count, min, max, p50, p95 and p99 in ms, and bucket counts by attempt outcome, from fixed-bucket histograms
   */
  stats(): SupervisorStats {
    const classes: SupervisorStats["classes"] = {};
    for (const name of new Set([...this.#durations.classes(), ...this.#classes.seen()])) {
      classes[name] = { ...this.#durations.class(name), ...this.#classes.counts(name) };
    }
    return { tasks: this.#durations.tasks(), classes };
  }

  /**
   * Count and log (one `error` line: `event`, `err`) a failure that escaped
   * every task, as `installProcessGuard` reports it. Never throws.
   *
   * @param kind `unhandledRejection` or `uncaughtException`
   * @param error the rejection reason or the thrown value
   */
  reportUnsupervised(kind: UnsupervisedKind, error: unknown): void {
    this.#unsupervised[kind]++;
    if (this.#core.logger !== undefined) logUnsupervised(this.#core.logger, kind, error, this.#core.maxString);
  }

  /**
   * How many failures outside any task were reported through
   * `reportUnsupervised` (by process guards) since the supervisor was made.
   *
   * @returns the counts by kind
   */
  guardStats(): GuardStats {
    return { ...this.#unsupervised };
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
    return (this.#shutdown = shutdownCore(this.#core, timeoutMs));
  }

  /**
   * `await using` support where the runtime has `Symbol.asyncDispose`: a
   * method under that key runs `shutdown()` with its default deadline. It
   * is installed here, not declared as a member, so that the published
   * declarations name the key only through {@link AsyncDisposal} and
   * type-check under any `lib`.
   */
  static {
    const key: unknown = Reflect.get(Symbol, "asyncDispose");
    if (typeof key === "symbol") {
      Object.defineProperty(TaskSupervisor.prototype, key, {
        async value(this: TaskSupervisor): Promise<void> {
          await this.shutdown();
        },
        writable: true,
        configurable: true,
      });
    }
  }

  /**
   * Start a named task, replacing whatever is registered under `name`, or
   * queue it: unless the supervisor is closed or the task's class refuses
   * it. A refusal is thrown, or with `dropped` (overflow `drop`, a full
   * queue) returned as a refused handle when `droppedHandle` is true.
   */
  #start<T>(
    name: string,
    work: TaskFactory<T>,
    restart: ResolvedRestart | undefined,
    options: TaskOptions,
    droppedHandle: boolean,
  ): TaskHandle<T> {
    const core = this.#core;
    const previous = core.registry.named(name);
    const admission = core.closed
      ? { refused: new SupervisorClosedError(name), dropped: false }
      : options.class === undefined
      ? "start"
      : this.#classes.admit(name, options.class, true, previous);
    if (typeof admission === "object") {
      if (admission.dropped && droppedHandle) return new RefusedHandle(name, core.nextId(), admission.refused);
      throw admission.refused;
    }
    if (previous !== undefined) {
      if (!previous.settled) {
        const reason = new DOMException(`replaced by a new task named "${name}"`, "AbortError");
        previous.cancel(reason);
        core.finalize(previous, { status: "aborted", reason });
      }
      core.registry.remove(previous);
    }
    return core.start(name, work as TaskFactory, restart, options, false, admission === "queue") as TaskHandle<T>;
  }
}

/**
 * A `TaskSupervisor` built on an existing core instead of a new one, with
 * default options: `defaultSupervisor` on the core `spawnLogged` uses, so
 * both see, stop and count the same tasks.
 *
 * @param core a core no supervisor is built on yet
 * @returns the supervisor
 * @throws {Error} when a supervisor is already built on `core`
 */
export function supervisorOn(core: SupervisorCore): TaskSupervisor {
  if (core.extension !== undefined) throw new Error("a supervisor is already built on this core");
  adopted = core;
  try {
    return new TaskSupervisor();
  } finally {
    adopted = undefined;
  }
}

/** Refuse a task whose name is not a non-empty string (TypeError) or whose `signal` option is not an AbortSignal (TypeError). */
function checkTask(name: unknown, options: TaskOptions): asserts name is string {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`a task name must be a non-empty string, got ${typeof name === "string" ? '""' : typeof name}`);
  }
  const error = signalError(options.signal);
  if (error !== undefined) throw error;
}
