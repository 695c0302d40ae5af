import { backoffDelay, guardRandom } from "./backoff.ts";
import { type Clock, sleep } from "./clock.ts";
import { type Admission, type ClassLimit, ClassSlots } from "./classes.ts";
import { type CoreExtension, NO_OPTIONS, type SettledOutcome, signalError, SupervisorCore } from "./core.ts";
import { SupervisorClosedError, TaskAbortedError, TaskTimeoutError } from "./errors.ts";
import type { Listener, SupervisorEvents } from "./events.ts";
import { observeRejection } from "./guard.ts";
import { attachRestartLogger, type Logger, logUnsupervised } from "./logger.ts";
import { hasRestartOptions, IntensityWindow, type ResolvedRestart, resolveRestart, type RestartOptions } from "./policy.ts";
import { errorMessage } from "./serialize.ts";
import { DurationHistogram, type DurationStats } from "./stats.ts";
import { RefusedHandle, type Task } from "./task.ts";
import type { GuardStats, SpawnOptions, TaskFactory, TaskHandle, TaskOptions, TaskSnapshot, UnsupervisedKind } from "./types.ts";

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
  /** Attempt durations by task name (see `DurationStats`: p50/p95/p99 and bucket counts by outcome). */
  tasks: Record<string, DurationStats>;
  /** Attempt durations by class, with the tasks holding a slot (`active`), waiting (`queued`), and the spawns its limit rejected or dropped. */
  classes: Record<string, DurationStats & { active: number; queued: number; rejected: number; dropped: number }>;
}

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
  readonly #random: () => number;
  readonly #classes: ClassSlots<Task>;
  readonly #defaults: RestartOptions;
  /** The supervisor's defaults resolved once, for the many spawns that give no restart option. */
  readonly #defaultRestart: ResolvedRestart;
  readonly #taskStats = new Map<string, DurationHistogram>();
  readonly #classStats = new Map<string, DurationHistogram>();
  readonly #unsupervised: GuardStats = { unhandledRejection: 0, uncaughtException: 0 };
  #shutdown: Promise<ShutdownSummary> | undefined;

  /**
   * Create a supervisor.
   *
   * @param options clock, logger, jitter source, class limits and restart defaults
   * @throws {RangeError} when a class limit or `maxLogStringLength` is not an integer ≥ 0 or a restart default is invalid
   */
  constructor(options: TaskSupervisorOptions = {}) {
    const core = adopted ?? new SupervisorCore(options);
    this.#core = core;
    // Only a user-supplied jitter source can throw; the built-in one stays unwrapped.
    this.#random = options.random === undefined ? Math.random : guardRandom(options.random, (error) => core.fault({ source: "random", error }));
    this.#classes = new ClassSlots(options.classes);
    this.#defaults = { ...options.defaults };
    this.#defaultRestart = resolveRestart({}, this.#defaults);
    core.extension = this.#extension();
    if (core.logger !== undefined) attachRestartLogger(core.events, core.logger, core.maxString);
  }

  /** What this supervisor adds to its core: class slots, stats, attempt timeouts and restarts. */
  #extension(): CoreExtension {
    return {
      admit: (name, taskClass, queueable) => this.#classes.admit(name, taskClass, false, queueable),
      enqueue: (task) => this.#enqueue(task),
      acquire: (task) => {
        this.#classes.acquire(task.class!);
        task.more.holdsSlot = true;
      },
      release: (task) => {
        task.extras!.holdsSlot = false;
        this.#classes.release(task.class!);
        this.#pump(task.class!);
      },
      record: (task, durationMs, outcome) => {
        histogramFor(this.#taskStats, task.name).record(durationMs, outcome);
        if (task.class !== undefined) histogramFor(this.#classStats, task.class).record(durationMs, outcome);
      },
      armTimeout: (task, attempt, attemptStart, timeoutMs) => this.#armAttemptTimeout(task, attempt, attemptStart, timeoutMs),
      restart: (task, durationMs, settled, error, lastError) => this.#restartOrFail(task, durationMs, settled, error, lastError),
    };
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
    checkName(name);
    checkSignal(options.signal);
    const restart = hasRestartOptions(options) ? resolveRestart(options, this.#defaults) : this.#defaultRestart;
    const admission = this.#admit(name, options.class, name, true);
    if (typeof admission !== "object") return this.#start(name, factory, restart, options, admission === "queue");
    if (!admission.dropped) throw admission.refused;
    return new RefusedHandle(name, this.#core.nextId(), admission.refused);
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
  spawnLogged<T>(name: string, work: PromiseLike<T> | TaskFactory<T>, options: TaskOptions = NO_OPTIONS): TaskHandle<T> {
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
      checkName(name);
      checkSignal(options.signal);
      const admission = this.#admit(name, options.class, name, true);
      if (typeof admission === "object") throw admission.refused;
      handle = this.#start(name, fn, undefined, options, admission === "queue");
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
      if (!summaries.has(e.name)) summaries.set(e.name, (durations = this.#taskStats.get(e.name)?.summary()));
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
    return this.#classes.inflight(taskClass);
  }

  /**
   * Tasks of a class waiting for a slot (overflow `queue`).
   *
   * @param taskClass the class
   * @returns the count
   */
  queued(taskClass: string): number {
    return this.#classes.queued(taskClass);
  }

  /**
   * Spawns of a class dropped at its limit so far (overflow `drop`, or a full queue).
   *
   * @param taskClass the class
   * @returns the count
   */
  dropped(taskClass: string): number {
    return this.#classes.dropped(taskClass);
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
    for (const name of [...this.#classes.seen()].sort()) {
      const inflight = this.#classes.inflight(name);
      const queued = this.#classes.queued(name);
      if (inflight > 0 || queued > 0) parts.push(`${inflight} ${name}${queued > 0 ? ` (+${queued} queued)` : ""}`);
    }
    return parts.length === 0 ? "" : `bg: ${parts.join(", ")}`;
  }

  /**
   * Attempt duration statistics per task name and per class.
   *
   * @returns count, min, max, p50, p95 and p99 in ms, and bucket counts by attempt outcome, from fixed-bucket histograms
   */
  stats(): SupervisorStats {
    const tasks: SupervisorStats["tasks"] = {};
    for (const [name, histogram] of this.#taskStats) tasks[name] = histogram.summary();
    const classes: SupervisorStats["classes"] = {};
    const names = new Set([...this.#classStats.keys(), ...this.#classes.seen()]);
    for (const name of names) {
      classes[name] = {
        ...(this.#classStats.get(name)?.summary() ?? new DurationHistogram().summary()),
        active: this.#classes.inflight(name),
        queued: this.#classes.queued(name),
        rejected: this.#classes.rejected(name),
        dropped: this.#classes.dropped(name),
      };
    }
    return { tasks, classes };
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
    const core = this.#core;
    const began = core.clock.now();
    const activeAtStart = core.active;
    core.closed = true;
    this.#shutdown = new Promise<ShutdownSummary>((resolve) => {
      let timer: unknown;
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        core.onDrained = undefined;
        if (timer !== undefined) core.clock.clearTimeout(timer);
        const aborted: string[] = [];
        for (const entry of core.registry.all()) {
          if (entry.settled) continue;
          aborted.push(entry.name);
          core.finalize(entry, { status: "aborted", reason: core.controller.signal.reason }, false, true);
        }
        if (aborted.length > 0) {
          core.logger?.warn({ tasks: aborted, timeoutMs }, `shutdown deadline passed; ${aborted.length} task(s) marked aborted`);
        }
        resolve({ exited: activeAtStart - aborted.length, aborted, timedOut: aborted.length > 0, durationMs: core.clock.now() - began });
      };
      core.onDrained = finish;
      const reason = new DOMException("the supervisor is shutting down", "AbortError");
      core.controller.abort(reason);
      // Tasks are linked to the supervisor by hand: no listener per task on the supervisor's signal.
      for (const entry of core.registry.all()) if (!entry.settled) entry.cancel(reason);
      if (core.active === 0) finish();
      else if (!finished) {
        try {
          timer = core.clock.setTimeout(finish, timeoutMs);
        } catch (error) {
          // No deadline can be set: end the shutdown now rather than never.
          core.fault({ source: "clock", error });
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

  /** May a named task start (`start`), wait (`queue`), or is it refused: closed supervisor, or its class at the limit. */
  #admit(name: string, taskClass: string | undefined, replacing: string, queueable: boolean): Admission {
    if (this.#core.closed) return { refused: new SupervisorClosedError(name), dropped: false };
    if (taskClass === undefined) return "start";
    const previous = this.#core.registry.named(replacing);
    return this.#classes.admit(name, taskClass, previous?.extras?.holdsSlot === true && previous.class === taskClass, queueable);
  }

  /** Replace whatever is registered under `name` and start a named task. */
  #start<T>(name: string, work: TaskFactory<T>, restart: ResolvedRestart | undefined, options: TaskOptions, queued: boolean): TaskHandle<T> {
    this.#replace(name);
    return this.#core.start(name, work as TaskFactory, restart, options, false, queued) as TaskHandle<T>;
  }

  /** Put an admitted task in its class's queue until a slot is free. */
  #enqueue(task: Task): void {
    task.status = "queued";
    this.#classes.enqueue(task.class!, task);
    // Aborted while waiting (handle, name, class, outside signal, shutdown): leave the queue, never start.
    task.signal.addEventListener("abort", () => this.#abandonQueued(task), { once: true });
    const events = this.#core.events;
    if (events.has("queued")) events.emit("queued", { name: task.name, id: task.id, attempt: 1, class: task.class });
  }

  /** A queued task was aborted (this runs as an abort listener, so nothing may throw out of it). */
  #abandonQueued(task: Task): void {
    if (task.status !== "queued") return;
    this.#classes.unqueue(task.class!, task);
    try {
      this.#core.finalize(task, { status: "aborted", reason: task.signal.reason });
    } catch (error) {
      this.#core.crashed(task, error);
    }
  }

  /** A slot of `taskClass` was freed: start the tasks waiting for one, a microtask later (no recursion through settling tasks). */
  #pump(taskClass: string): void {
    if (this.#classes.queued(taskClass) > 0) queueMicrotask(() => this.#startQueued(taskClass));
  }

  #startQueued(taskClass: string): void {
    for (let task = this.#classes.next(taskClass); task !== undefined; task = this.#classes.next(taskClass)) {
      this.#classes.acquire(taskClass);
      task.more.holdsSlot = true;
      try {
        this.#core.attempt(task, task.factory!, this.#core.clock.now());
      } catch (error) {
        this.#core.crashed(task, error);
      }
    }
  }

  #replace(name: string): void {
    const previous = this.#core.registry.named(name);
    if (previous === undefined) return;
    if (!previous.settled) {
      const reason = new DOMException(`replaced by a new task named "${name}"`, "AbortError");
      previous.cancel(reason);
      this.#core.finalize(previous, { status: "aborted", reason });
    }
    this.#core.registry.remove(previous);
  }

  /** Time the attempt out after `timeoutMs` unless it settles first; a clock that cannot schedule it is reported and the attempt runs unlimited. */
  #armAttemptTimeout(task: Task, attempt: number, attemptStart: number, timeoutMs: number): void {
    const core = this.#core;
    const more = task.more;
    try {
      more.attemptTimer = core.clock.setTimeout(() => {
        more.attemptTimer = undefined;
        if (task.attempt !== attempt || task.status !== "running") return;
        const error = new TaskTimeoutError(task.name, attempt, timeoutMs);
        more.attemptController?.abort(error);
        core.attemptSettled(task, attempt, attemptStart, "timedOut", error);
      }, timeoutMs);
    } catch (error) {
      core.fault({ source: "clock", task: task.name, error });
    }
  }

  /** The clock could not schedule a restart: the task fails for good (it would otherwise wait forever). */
  #clockFailed(task: Task, error: unknown): void {
    this.#core.fault({ source: "clock", task: task.name, error });
    try {
      this.#core.finalize(task, { status: "failed", error, reason: `the clock could not schedule the restart: ${errorMessage(error, this.#core.maxString)}` });
    } catch (again) {
      this.#core.crashed(task, again);
    }
  }

  /** An attempt of a restartable task failed, timed out, or returned under `always`: restart it after a backoff, or give up. */
  #restartOrFail(task: Task, durationMs: number, settled: SettledOutcome, error: unknown, lastError: string | undefined): void {
    const core = this.#core;
    const restart = task.restart!;
    const returned = settled === "returned";
    const what = settled === "timedOut" ? "timed out" : "failed";
    if (!returned && restart.shouldRestart !== undefined && !this.#mayRestart(task, restart.shouldRestart, error)) {
      return core.finalize(task, { status: "failed", error, reason: `shouldRestart declined a restart after attempt ${task.attempt} ${what}: ${lastError}` });
    }
    const retry = (task.more.retry ??= { failures: 0, previousDelay: undefined, window: undefined });
    if (durationMs >= restart.resetAfterMs) {
      retry.failures = 0;
      retry.previousDelay = undefined;
    }
    retry.failures++;
    let giveUp: string | undefined;
    if (retry.failures >= restart.maxConsecutiveFailures) {
      giveUp = `${retry.failures} consecutive failure(s) reached maxConsecutiveFailures`;
    } else if (restart.intensity !== undefined && !(retry.window ??= new IntensityWindow(restart.intensity)).admit(core.clock.now())) {
      giveUp = `restart intensity exceeded: more than ${restart.intensity.maxRestarts} restart(s) within ${restart.intensity.withinMs} ms`;
    }
    if (giveUp !== undefined) return core.finalize(task, { status: "failed", error, reason: giveUp }, true);
    const delayMs = backoffDelay(retry.failures, restart.backoff, this.#random, retry.previousDelay);
    retry.previousDelay = delayMs;
    task.status = "restarting";
    if (core.events.has("restart")) {
      const { name, id } = task;
      const attempt = task.attempt + 1;
      core.events.emit(
        "restart",
        returned ? { name, id, attempt, class: task.class, delayMs } : { name, id, attempt, class: task.class, delayMs, error },
      );
    }
    sleep(core.clock, delayMs, task.signal).then(
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
      this.#core.fault({ source: "shouldRestart", task: task.name, error: thrown });
      return false;
    }
    if (typeof (answer as { then?: unknown } | null)?.then === "function") {
      observeRejection(answer, () => {});
      this.#core.fault({ source: "shouldRestart", task: task.name, error: new TypeError("shouldRestart returned a promise; it must answer synchronously") });
      return false;
    }
    return Boolean(answer);
  }

  #afterBackoff(task: Task, slept: boolean): void {
    try {
      if (task.settled) return;
      if (!slept) return this.#core.finalize(task, { status: "aborted", reason: task.signal.reason });
      task.more.restartCount++;
      this.#core.attempt(task, task.factory!);
    } catch (error) {
      this.#core.crashed(task, error);
    }
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

function histogramFor(map: Map<string, DurationHistogram>, key: string): DurationHistogram {
  let histogram = map.get(key);
  if (histogram === undefined) map.set(key, (histogram = new DurationHistogram()));
  return histogram;
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
