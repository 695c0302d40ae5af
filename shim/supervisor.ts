import { backoffDelay, guardRandom } from "./backoff.ts";
import { type Clock, guardClock, sleep, systemClock } from "./clock.ts";
import { attachDiagnostics } from "./diagnostics.ts";
import { type Admission, type ClassLimit, ClassSlots } from "./classes.ts";
import { SupervisorClosedError, TaskAbortedError, TaskTimeoutError } from "./errors.ts";
import { Emitter, type HookFailure, type Listener, type SupervisorEvents } from "./events.ts";
import { lastResort, observeRejection } from "./guard.ts";
import { attachLogger, checkMaxStringLength, guardLogger, jsonLogger, type Logger, logHookFailure, logUnsupervised } from "./logger.ts";
import { hasRestartOptions, IntensityWindow, type ResolvedRestart, resolveRestart, type RestartOptions } from "./policy.ts";
import { boundedError, errorMessage, truncate } from "./serialize.ts";
import { DurationHistogram, type DurationStats } from "./stats.ts";
import { Registry } from "./registry.ts";
import { RefusedHandle, Task } from "./task.ts";
import type { AttemptOutcome, GuardStats, SpawnOptions, TaskFactory, TaskHandle, TaskOptions, TaskOutcome, TaskSnapshot, UnsupervisedKind } from "./types.ts";

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

const ONE_SHOT: ResolvedRestart = resolveRestart({ restart: "never" });

/** How an attempt ended, before "abort wins" is applied. */
type SettledOutcome = Exclude<AttemptOutcome, "aborted">;

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
  readonly #classes: ClassSlots<Task>;
  readonly #defaults: RestartOptions;
  /** The supervisor's defaults resolved once, for the many spawns that give no restart option. */
  readonly #defaultRestart: ResolvedRestart;
  readonly #events: Emitter<SupervisorEvents>;
  readonly #controller = new AbortController();
  readonly #registry = new Registry();
  readonly #taskStats = new Map<string, DurationHistogram>();
  readonly #classStats = new Map<string, DurationHistogram>();
  readonly #unsupervised: GuardStats = { unhandledRejection: 0, uncaughtException: 0 };
  #nextId = 1;
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
    // Only user-supplied hooks can throw; the built-in clock and jitter source stay unwrapped on the spawn path.
    this.#clock = options.clock === undefined ? systemClock : guardClock(options.clock, (error) => this.#fault({ source: "clock", error }));
    this.#random = options.random === undefined ? Math.random : guardRandom(options.random, (error) => this.#fault({ source: "random", error }));
    this.#maxString = checkMaxStringLength(options.maxLogStringLength, "maxLogStringLength");
    const logger = options.logger === false ? undefined : (options.logger ?? jsonLogger());
    this.#logger = logger && guardLogger(logger, (error) => this.#fault({ source: "logger", error }), this.#maxString);
    this.#classes = new ClassSlots(options.classes);
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
   * @throws {TaskLimitError} when the task's class is at its limit with overflow `reject` (with `drop`, or a full `queue`, the handle's `done` resolves `rejected` instead; with `queue`, the task waits as `queued`)
   * @throws {RangeError} on invalid options; {TypeError} when `name` is not a non-empty string, `signal` not an AbortSignal or `shouldRestart` not a function
   */
  spawn<T>(name: string, factory: TaskFactory<T>, options: SpawnOptions = {}): TaskHandle<T> {
    checkName(name);
    checkSignal(options.signal);
    const restart = hasRestartOptions(options) ? resolveRestart(options, this.#defaults) : this.#defaultRestart;
    const admission = this.#admit(name, options.class, name, true);
    if (typeof admission !== "object") return this.#start(name, factory, restart, options, false, admission === "queue");
    if (!admission.dropped) throw admission.refused;
    return new RefusedHandle(name, this.#nextId++, admission.refused);
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
  spawnLogged<T>(name: string, work: PromiseLike<T> | TaskFactory<T>, options: TaskOptions = {}): TaskHandle<T> {
    const invalid = signalError(options.signal);
    const admission = invalid !== undefined ? { refused: invalid, dropped: false } : this.#admit(name, options.class, undefined, typeof work === "function");
    if (typeof admission !== "object") return this.#start(name, work, ONE_SHOT, options, true, admission === "queue");
    const refusal = admission.refused;
    const task = truncate(name, this.#maxString);
    if (!admission.dropped) this.#logger?.warn({ task, class: options.class, err: boundedError(refusal, this.#maxString) }, refusal.message);
    if (typeof work !== "function") {
      Promise.resolve(work).then(undefined, (error: unknown) => {
        this.#logger?.error({ task, class: options.class, err: boundedError(error, this.#maxString) }, `task "${task}" failed after it was refused`);
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
      const admission = this.#admit(name, options.class, name, true);
      if (typeof admission === "object") throw admission.refused;
      handle = this.#start(name, fn, ONE_SHOT, options, false, admission === "queue");
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
    const entry = this.#registry.named(name);
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
    for (const entry of this.#registry.all()) {
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
    for (const entry of this.#registry.all()) {
      if (entry.name === name && entry.settled) {
        this.#registry.remove(entry);
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
    const now = this.#clock.now();
    const summaries = new Map<string, DurationStats | undefined>();
    for (const e of this.#registry.all()) {
      let durations = summaries.get(e.name);
      if (!summaries.has(e.name)) summaries.set(e.name, (durations = this.#taskStats.get(e.name)?.summary()));
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
    return this.#active;
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
    if (this.#logger !== undefined) logUnsupervised(this.#logger, kind, error, this.#maxString);
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
    const began = this.#clock.now();
    const activeAtStart = this.#active;
    this.#shutdown = new Promise<ShutdownSummary>((resolve) => {
      let timer: unknown;
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        this.#onDrained = undefined;
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        const aborted: string[] = [];
        for (const entry of this.#registry.all()) {
          if (entry.settled) continue;
          aborted.push(entry.name);
          this.#finalize(entry, { status: "aborted", reason: this.#controller.signal.reason }, false, true);
        }
        if (aborted.length > 0) {
          this.#logger?.warn({ tasks: aborted, timeoutMs }, `shutdown deadline passed; ${aborted.length} task(s) marked aborted`);
        }
        resolve({ exited: activeAtStart - aborted.length, aborted, timedOut: aborted.length > 0, durationMs: this.#clock.now() - began });
      };
      this.#onDrained = finish;
      const reason = new DOMException("the supervisor is shutting down", "AbortError");
      this.#controller.abort(reason);
      // Tasks are linked to the supervisor by hand: no listener per task on the supervisor's signal.
      for (const entry of this.#registry.all()) if (!entry.settled) entry.cancel(reason);
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

  /** May a task start (`start`), wait (`queue`), or is it refused: closed supervisor, or its class at the limit. */
  #admit(name: string, taskClass: string | undefined, replacing: string | undefined, queueable: boolean): Admission {
    if (this.#shutdown !== undefined) return { refused: new SupervisorClosedError(name), dropped: false };
    if (taskClass === undefined) return "start";
    const previous = replacing === undefined ? undefined : this.#registry.named(replacing);
    return this.#classes.admit(name, taskClass, previous !== undefined && previous.holdsSlot && previous.class === taskClass, queueable);
  }

  #start<T>(
    name: string,
    work: TaskFactory<T> | PromiseLike<T>,
    restart: ResolvedRestart,
    options: TaskOptions,
    ephemeral: boolean,
    queued: boolean,
  ): TaskHandle<T> {
    const id = this.#nextId++;
    if (!ephemeral) this.#replace(name);
    const taskClass = options.class;
    const task = new Task(name, id, taskClass, this.#clock.now(), restart, work as TaskFactory | PromiseLike<unknown>, ephemeral);
    this.#registry.add(task);
    this.#active++;
    const outside = options.signal;
    if (outside?.aborted) {
      task.cancel(outside.reason);
      // A factory is not called; a promise already runs, so it is observed and settles as aborted.
      if (task.factory !== undefined) this.#finalize(task, { status: "aborted", reason: outside.reason });
      else this.#attempt(task, work as PromiseLike<unknown>);
      return task as TaskHandle<T>;
    }
    if (outside !== undefined) task.follow(outside);
    if (queued) {
      task.status = "queued";
      this.#classes.enqueue(taskClass!, task);
      // Aborted while waiting (handle, name, class, outside signal, shutdown): leave the queue, never start.
      task.signal.addEventListener("abort", () => this.#abandonQueued(task), { once: true });
      if (this.#events.has("queued")) this.#events.emit("queued", { name, id, attempt: 1, class: taskClass });
      return task as TaskHandle<T>;
    }
    if (taskClass !== undefined) {
      this.#classes.acquire(taskClass);
      task.holdsSlot = true;
    }
    this.#attempt(task, work as TaskFactory | PromiseLike<unknown>);
    return task as TaskHandle<T>;
  }

  /** A queued task was aborted (this runs as an abort listener, so nothing may throw out of it). */
  #abandonQueued(task: Task): void {
    if (task.status !== "queued") return;
    this.#classes.unqueue(task.class!, task);
    try {
      this.#finalize(task, { status: "aborted", reason: task.signal.reason });
    } catch (error) {
      this.#crashed(task, error);
    }
  }

  /** A slot of `taskClass` was freed: start the tasks waiting for one, a microtask later (no recursion through settling tasks). */
  #pump(taskClass: string): void {
    if (this.#classes.queued(taskClass) > 0) queueMicrotask(() => this.#startQueued(taskClass));
  }

  #startQueued(taskClass: string): void {
    for (let task = this.#classes.next(taskClass); task !== undefined; task = this.#classes.next(taskClass)) {
      this.#classes.acquire(taskClass);
      task.holdsSlot = true;
      try {
        this.#attempt(task, task.factory!, this.#clock.now());
      } catch (error) {
        this.#crashed(task, error);
      }
    }
  }

  #replace(name: string): void {
    const previous = this.#registry.named(name);
    if (previous === undefined) return;
    if (!previous.settled) {
      const reason = new DOMException(`replaced by a new task named "${name}"`, "AbortError");
      previous.cancel(reason);
      this.#finalize(previous, { status: "aborted", reason });
    }
    this.#registry.remove(previous);
  }

  /**
   * Run one attempt: call the factory (or take the promise spawnLogged was
   * given) and settle the attempt when its result does. A synchronous throw
   * settles it at once; anything else one promise hop later, as `await` would.
   */
  #attempt(task: Task, work: TaskFactory | PromiseLike<unknown>, attemptStart = task.attempt === 0 ? task.startedAt : this.#clock.now()): void {
    const attempt = ++task.attempt;
    task.status = "running";
    if (this.#events.has("start")) this.#events.emit("start", { name: task.name, id: task.id, attempt, class: task.class });
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
        if (task.attempt !== attempt || task.status !== "running") return;
        const error = new TaskTimeoutError(task.name, attempt, timeoutMs);
        task.attemptController?.abort(error);
        this.#attemptSettled(task, attempt, attemptStart, "timedOut", error);
      }, timeoutMs);
    } catch (error) {
      this.#fault({ source: "clock", task: task.name, error });
    }
  }

  /** An attempt settled (or timed out); a late result of an attempt already over (timed out, replaced, cut off) is ignored. */
  #attemptSettled(task: Task, attempt: number, attemptStart: number, outcome: SettledOutcome, valueOrError: unknown): void {
    if (task.attempt !== attempt || task.status !== "running") return;
    if (task.attemptTimer !== undefined && outcome !== "timedOut") {
      this.#clock.clearTimeout(task.attemptTimer);
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

  /** The clock could not schedule a restart: the task fails for good (it would otherwise wait forever). */
  #clockFailed(task: Task, error: unknown): void {
    this.#fault({ source: "clock", task: task.name, error });
    try {
      this.#finalize(task, { status: "failed", error, reason: `the clock could not schedule the restart: ${errorMessage(error, this.#maxString)}` });
    } catch (again) {
      this.#crashed(task, again);
    }
  }

  #afterAttempt(task: Task, attemptStart: number, settled: SettledOutcome, valueOrError: unknown): void {
    const durationMs = Math.max(0, this.#clock.now() - attemptStart);
    const aborted = task.aborted;
    const outcome = aborted ? "aborted" : settled;
    this.#record(task, durationMs, outcome);
    const returned = settled === "returned";
    const error = returned ? undefined : valueOrError;
    if (this.#events.has("end", outcome)) {
      const { name, id, attempt } = task;
      this.#events.emit(
        "end",
        returned ? { name, id, attempt, class: task.class, outcome, durationMs } : { name, id, attempt, class: task.class, outcome, durationMs, error },
      );
    }
    // A log-only task leaves the registry as it ends (only a snapshot() taken by a listener of its own end could see it),
    // so its lastError and reason are not stored: a failing log-only task needs no extras record.
    const lastError = returned ? undefined : errorMessage(error, this.#maxString);
    if (!returned && !task.ephemeral) task.lastError = lastError;
    const { restart } = task;
    // An attempt that settles after its signal aborted ends the task as aborted, whatever it returned or threw.
    if (aborted) return this.#finalize(task, { status: "aborted", reason: task.signal.reason });
    if (returned && restart.restart !== "always") return this.#finalize(task, { status: "completed", value: valueOrError });
    const what = settled === "timedOut" ? "timed out" : "failed";
    if (restart.restart === "never") {
      return this.#finalize(task, { status: "failed", error, reason: `${what} on attempt ${task.attempt}: ${lastError}` });
    }
    if (!returned && restart.shouldRestart !== undefined && !this.#mayRestart(task, restart.shouldRestart, error)) {
      return this.#finalize(task, { status: "failed", error, reason: `shouldRestart declined a restart after attempt ${task.attempt} ${what}: ${lastError}` });
    }
    const retry = (task.retry ??= { failures: 0, previousDelay: undefined, window: undefined });
    if (durationMs >= restart.resetAfterMs) {
      retry.failures = 0;
      retry.previousDelay = undefined;
    }
    retry.failures++;
    let giveUp: string | undefined;
    if (retry.failures >= restart.maxConsecutiveFailures) {
      giveUp = `${retry.failures} consecutive failure(s) reached maxConsecutiveFailures`;
    } else if (restart.intensity !== undefined && !(retry.window ??= new IntensityWindow(restart.intensity)).admit(this.#clock.now())) {
      giveUp = `restart intensity exceeded: more than ${restart.intensity.maxRestarts} restart(s) within ${restart.intensity.withinMs} ms`;
    }
    if (giveUp !== undefined) return this.#finalize(task, { status: "failed", error, reason: giveUp }, true);
    const delayMs = backoffDelay(retry.failures, restart.backoff, this.#random, retry.previousDelay);
    retry.previousDelay = delayMs;
    task.status = "restarting";
    if (this.#events.has("restart")) {
      const { name, id } = task;
      const attempt = task.attempt + 1;
      this.#events.emit(
        "restart",
        returned ? { name, id, attempt, class: task.class, delayMs } : { name, id, attempt, class: task.class, delayMs, error },
      );
    }
    sleep(this.#clock, delayMs, task.signal).then(
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
    task.status = outcome.status;
    task.attemptController = undefined;
    task.unfollow();
    if (task.attemptTimer !== undefined) {
      this.#clock.clearTimeout(task.attemptTimer);
      task.attemptTimer = undefined;
    }
    this.#active--;
    if (task.holdsSlot) {
      task.holdsSlot = false;
      this.#classes.release(task.class!);
      this.#pump(task.class!);
    }
    if (outcome.status === "failed") {
      if (!task.ephemeral) task.reason = outcome.reason;
      if (this.#events.has("failed", gaveUp ? "gaveUp" : undefined)) {
        const { name, id, attempt } = task;
        this.#events.emit("failed", { name, id, attempt, class: task.class, reason: outcome.reason, error: outcome.error, gaveUp });
      }
    }
    const retain = keep || (outcome.status === "failed" && !task.ephemeral);
    if (!retain) this.#registry.remove(task);
    if (this.#events.has("exit")) {
      const { name, id, attempt } = task;
      const durationMs = this.#clock.now() - task.startedAt;
      this.#events.emit("exit", { name, id, attempt, class: task.class, status: outcome.status, durationMs });
    }
    task.settle(outcome);
    if (this.#active === 0) this.#onDrained?.();
  }

  #record(task: Task, durationMs: number, outcome: AttemptOutcome): void {
    histogramFor(this.#taskStats, task.name).record(durationMs, outcome);
    if (task.class !== undefined) histogramFor(this.#classStats, task.class).record(durationMs, outcome);
  }
}

function histogramFor(map: Map<string, DurationHistogram>, key: string): DurationHistogram {
  let histogram = map.get(key);
  if (histogram === undefined) map.set(key, (histogram = new DurationHistogram()));
  return histogram;
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
