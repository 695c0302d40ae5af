/**
 * The part of a supervisor every task goes through, and all a log-only task
 * needs: the registry, the clock and logger, the events, the
 * diagnostics_channel publishing, and one attempt's life from start to its
 * final outcome. Restarts, attempt timeouts, class limits and duration
 * statistics are a {@link CoreExtension} that `TaskSupervisor` plugs in, and
 * the guarding of user-supplied hooks comes with it (hooks.ts), so
 * `spawnLogged` alone does not bundle them.
 *
 * @module
 */
import type { Admission } from "./classes.ts";
import { type Clock, systemClock } from "./clock.ts";
import { theTracingChannel, traceEnd, tracesEnd, traceStart, type TracingChannelLike } from "./diagnostics.ts";
import { SupervisorClosedError } from "./errors.ts";
import { Emitter, type HookFailure, type Slot, type SupervisorEvents, wants } from "./events.ts";
import { lastResort } from "./guard.ts";
import { jsonLines, logFailedAttempt, type Logger } from "./logger.ts";
import type { ResolvedRestart } from "./policy.ts";
import { Registry } from "./registry.ts";
import { boundedError, DEFAULT_MAX_STRING_LENGTH, errorMessage, truncate } from "./serialize.ts";
import { RefusedHandle, Task } from "./task.ts";
import type { AttemptOutcome, TaskFactory, TaskHandle, TaskOptions, TaskOutcome } from "./types.ts";

/** The options of a spawn that gives none: one shared object, so a task allocates none (a burst of `spawnLogged` calls is the hot path). */
export const NO_OPTIONS: TaskOptions = Object.freeze({});

/** How an attempt ended, before "abort wins" is applied. */
export type SettledOutcome = Exclude<AttemptOutcome, "aborted">;

/** An outcome a task can end with once it was admitted (not `rejected`). */
export type FinalOutcome = Exclude<TaskOutcome<unknown>, { status: "rejected" }>;

/**
 * Options of a core, already checked and, when user-supplied, guarded (see
 * hooks.ts): the core itself calls only hooks that cannot throw.
 */
export interface CoreOptions {
  /** Time source and timers (default: `systemClock`). */
  clock?: Clock | undefined;
  /** Where failures are logged (default: `jsonLogger()`); `false` for none. */
  logger?: Logger | false | undefined;
  /** Longest string logged or kept whole, in UTF-16 code units, an integer ≥ 0 (default 8192). */
  maxString?: number;
}

/**
 * What a `TaskSupervisor` adds to its core. Every method is called by the
 * core at the point named, must keep the registry consistent, and may throw
 * only on a broken invariant (the core then fails the task).
 */
export interface CoreExtension {
  /** May a task of `taskClass` start now, wait for a slot, or is it refused (see `ClassSlots.admit`)? */
  admit(name: string, taskClass: string, queueable: boolean): Admission;
  /** Put an admitted task in its class's queue. */
  enqueue(task: Task): void;
  /** Give a starting task of a class one of its slots. */
  acquire(task: Task): void;
  /** The task holding a slot ended: free the slot. */
  release(task: Task): void;
  /** Count an attempt's duration in ms under its outcome. */
  record(task: Task, durationMs: number, outcome: AttemptOutcome): void;
  /** Time out attempt `attempt` (begun at clock ms `attemptStart`) after `timeoutMs`. */
  armTimeout(task: Task, attempt: number, attemptStart: number, timeoutMs: number): void;
  /** A restartable task's attempt did not end it: restart it after a backoff, or end it `failed`. */
  restart(task: Task, durationMs: number, settled: SettledOutcome, error: unknown, lastError: string | undefined): void;
}

/**
 * A registry of tasks and the running of their attempts (see the module
 * doc). Used by `spawnLogged` directly (its default instance) and by every
 * `TaskSupervisor`, which builds on one; its members are the shim's
 * internals, not public API.
 */
export class SupervisorCore {
  /** Time source and timers, guarded when user-supplied. */
  readonly clock: Clock;
  /** The guarded logger, or undefined for none. */
  readonly logger: Logger | undefined;
  /** Longest string logged or kept whole. */
  readonly maxString: number;
  /** The supervisor's events. */
  readonly events: Emitter<SupervisorEvents>;
  /** The `diagnostics_channel` attempts are published on, where the runtime has one. */
  readonly tracing: TracingChannelLike | undefined = theTracingChannel();
  /** Aborted when shutdown begins. */
  readonly controller = new AbortController();
  /** Every registered task. */
  readonly registry = new Registry();
  /** Restarts, timeouts, classes and stats, once a `TaskSupervisor` is built on this core. */
  extension: CoreExtension | undefined = undefined;
  /** True once shutdown has begun: new tasks are refused. */
  closed = false;
  /** Called when the last active task ends (shutdown waits on it). */
  onDrained: (() => void) | undefined = undefined;
  /** Tasks that have not ended. */
  active = 0;
  #nextId = 1;
  // The slots of the events emitted for every task, held so that asking whether anyone listens needs no lookup.
  readonly #onStart: Slot;
  readonly #onEnd: Slot;
  readonly #onFailed: Slot;
  readonly #onExit: Slot;

  /**
   * Report a failed hook; never throws. A core alone runs no user hook (the
   * system clock, the JSON logger, no listener but its own), so this only
   * writes one line on `console.error`; a `TaskSupervisor`, which accepts
   * hooks, replaces it with the full report (see hooks.ts).
   */
  fault: (failure: HookFailure) => void = (failure) =>
    lastResort(`the ${failure.source} hook failed: ${errorMessage(failure.error, this.maxString)}`);

  /**
   * Create a core. Never throws.
   *
   * @param options clock, logger, longest string (checked and guarded by the caller)
   */
  constructor(options: CoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.maxString = options.maxString ?? DEFAULT_MAX_STRING_LENGTH;
    this.logger = options.logger === false ? undefined : (options.logger ?? jsonLines());
    this.events = new Emitter<SupervisorEvents>((error, type) => {
      if (type === "hookError") lastResort(`a "hookError" listener failed: ${errorMessage(error)}`);
      else this.fault({ source: "listener", event: type, error });
    });
    this.#onStart = this.events.slot("start");
    this.#onEnd = this.events.slot("end");
    this.#onFailed = this.events.slot("failed");
    this.#onExit = this.events.slot("exit");
  }

  /** The next unique spawn id. */
  nextId(): number {
    return this.#nextId++;
  }

  /**
   * Run a one-shot, log-only task (documented at `TaskSupervisor.spawnLogged`). Never throws.
   *
   * @param name task name (several tasks may share it)
   * @param work a promise already running, or a factory called at once
   * @param options task class, outside abort signal
   * @returns the task's handle
   */
  spawnLogged<T>(
    name: string,
    work: PromiseLike<T> | TaskFactory<T>,
    options: TaskOptions = NO_OPTIONS,
  ): TaskHandle<T> {
    const taskClass = options.class;
    const invalid = signalError(options.signal);
    const admission: Admission = invalid !== undefined
      ? { refused: invalid, dropped: false }
      : this.closed
      ? { refused: new SupervisorClosedError(name), dropped: false }
      : taskClass === undefined || this.extension === undefined
      ? "start"
      : this.extension.admit(name, taskClass, typeof work === "function");
    if (typeof admission !== "object") {
      const task = this.start(
        name,
        work as TaskFactory | PromiseLike<unknown>,
        undefined,
        options,
        true,
        admission === "queue",
      );
      return task as TaskHandle<T>;
    }
    const refusal = admission.refused;
    const task = truncate(name, this.maxString);
    if (!admission.dropped) {
      this.logger?.warn({ task, class: taskClass, err: boundedError(refusal, this.maxString) }, refusal.message);
    }
    if (typeof work !== "function") {
      Promise.resolve(work).then(undefined, (error: unknown) => {
        this.logger?.error(
          { task, class: taskClass, err: boundedError(error, this.maxString) },
          `task "${task}" failed after it was refused`,
        );
      });
    }
    return new RefusedHandle(name, this.nextId(), refusal);
  }

  /**
   * Register an admitted task and start its first attempt (or queue it).
   *
   * @param name task name
   * @param work the factory, or the promise spawnLogged was given
   * @param restart restart settings; undefined for a one-shot task
   * @param options task class, outside abort signal (already checked)
   * @param ephemeral true for spawnLogged tasks
   * @param queued true when the task waits for a slot of its class
   * @returns the task
   */
  start(
    name: string,
    work: TaskFactory | PromiseLike<unknown>,
    restart: ResolvedRestart | undefined,
    options: TaskOptions,
    ephemeral: boolean,
    queued: boolean,
  ): Task {
    const task = new Task(name, this.nextId(), options.class, this.clock.now(), restart, work, ephemeral);
    this.registry.add(task);
    this.active++;
    const outside = options.signal;
    if (outside?.aborted) {
      task.cancel(outside.reason);
      // A factory is not called; a promise already runs, so it is observed and settles as aborted.
      if (task.factory !== undefined) this.finalize(task, { status: "aborted", reason: outside.reason });
      else this.attempt(task, work);
      return task;
    }
    if (outside !== undefined) task.follow(outside);
    if (queued) {
      this.extension!.enqueue(task);
      return task;
    }
    if (task.class !== undefined) this.extension?.acquire(task);
    this.attempt(task, work);
    return task;
  }

  /**
   * Run one attempt: call the factory (or take the promise spawnLogged was
   * given) and settle the attempt when its result does. A synchronous throw
   * settles it at once; anything else one promise hop later, as `await` would.
   *
   * @param task the task
   * @param work its factory, or its promise
   * @param attemptStart clock ms the attempt counts from (default: spawn time for the first attempt, now for later ones)
   */
  attempt(task: Task, work: TaskFactory | PromiseLike<unknown>, attemptStart?: number): void {
    // Not a default parameter: that would give the settle callbacks below a second context object per task.
    const start = attemptStart ?? (task.attempt === 0 ? task.startedAt : this.clock.now());
    const attempt = ++task.attempt;
    task.status = "running";
    if (wants(this.#onStart)) this.events.emit("start", { name: task.name, id: task.id, attempt, class: task.class });
    if (this.tracing !== undefined) traceStart(this.tracing, task);
    const timeoutMs = task.restart?.attemptTimeoutMs;
    if (timeoutMs !== undefined) this.extension!.armTimeout(task, attempt, start, timeoutMs);
    let result: PromiseLike<unknown>;
    try {
      result = Promise.resolve(typeof work === "function" ? work(this.#attemptSignal(task)) : work);
    } catch (error) {
      this.attemptSettled(task, attempt, start, "threw", error);
      return;
    }
    result.then(
      (value) => this.attemptSettled(task, attempt, start, "returned", value),
      (error: unknown) => this.attemptSettled(task, attempt, start, "threw", error),
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
    if (task.attempt === 1 && task.restart?.attemptTimeoutMs === undefined) return task.signal;
    const controller = (task.more.attemptController = new AbortController());
    if (task.aborted) controller.abort(task.signal.reason);
    return controller.signal;
  }

  /**
   * An attempt settled (or timed out); a late result of an attempt already
   * over (timed out, replaced, cut off) is ignored. Never throws.
   *
   * @param task the task
   * @param attempt which attempt settled
   * @param attemptStart clock ms the attempt began
   * @param outcome how it settled
   * @param valueOrError what it returned or threw
   */
  attemptSettled(
    task: Task,
    attempt: number,
    attemptStart: number,
    outcome: SettledOutcome,
    valueOrError: unknown,
  ): void {
    if (task.attempt !== attempt || task.status !== "running") return;
    const extras = task.extras;
    if (extras?.attemptTimer !== undefined && outcome !== "timedOut") {
      this.clock.clearTimeout(extras.attemptTimer);
      extras.attemptTimer = undefined;
    }
    try {
      this.#afterAttempt(task, attemptStart, outcome, valueOrError);
    } catch (error) {
      this.crashed(task, error);
    }
  }

  #afterAttempt(task: Task, attemptStart: number, settled: SettledOutcome, valueOrError: unknown): void {
    const durationMs = Math.max(0, this.clock.now() - attemptStart);
    const aborted = task.aborted;
    const outcome = aborted ? "aborted" : settled;
    this.extension?.record(task, durationMs, outcome);
    const returned = settled === "returned";
    const error = returned ? undefined : valueOrError;
    this.#ended(task, outcome, returned, durationMs, error);
    // A log-only task leaves the registry as it ends (only a snapshot() taken by a listener of its own end could see it),
    // so its lastError and reason are not stored: a failing log-only task needs no extras record.
    const lastError = returned ? undefined : errorMessage(error, this.maxString);
    if (!returned && !task.ephemeral) task.more.lastError = lastError;
    const { restart } = task;
    // An attempt that settles after its signal aborted ends the task as aborted, whatever it returned or threw.
    if (aborted) return this.finalize(task, { status: "aborted", reason: task.signal.reason });
    if (returned && restart?.restart !== "always") {
      return this.finalize(task, { status: "completed", value: valueOrError });
    }
    if (restart === undefined || restart.restart === "never") {
      const what = settled === "timedOut" ? "timed out" : "failed";
      return this.finalize(task, {
        status: "failed",
        error,
        reason: `${what} on attempt ${task.attempt}: ${lastError}`,
      });
    }
    this.extension!.restart(task, durationMs, settled, error, lastError);
  }

  /**
   * Report the end of an attempt: log a failed one, publish it on the
   * tracing channel, emit `end`. The logger and the channel are called
   * directly, not as listeners of `end`: most attempts succeed unheard, and
   * then no payload is built at all.
   */
  #ended(task: Task, outcome: AttemptOutcome, returned: boolean, durationMs: number, error: unknown): void {
    if (this.logger !== undefined && (outcome === "threw" || outcome === "timedOut")) {
      try {
        logFailedAttempt(this.logger, task, outcome, durationMs, error, this.maxString);
      } catch (failure) {
        this.fault({ source: "logger", error: failure }); // only a core's own JSON logger is unguarded, and its console may throw
      }
    }
    const heard = wants(this.#onEnd, outcome);
    const tracing = this.tracing;
    const traced = tracing !== undefined && tracesEnd(tracing, task, outcome);
    if (!heard && !traced) return;
    const { name, id, attempt } = task;
    const end: SupervisorEvents["end"] = returned
      ? { name, id, attempt, class: task.class, outcome, durationMs }
      : { name, id, attempt, class: task.class, outcome, durationMs, error };
    if (traced) traceEnd(tracing, task, end);
    if (heard) this.events.emit("end", end);
  }

  /**
   * Only a broken invariant inside the supervisor lands here (hooks are
   * guarded); keep the registry consistent. Never throws.
   *
   * @param task the task being handled
   * @param error what was thrown
   */
  crashed(task: Task, error: unknown): void {
    try {
      this.finalize(task, {
        status: "failed",
        error,
        reason: `supervisor error: ${errorMessage(error, this.maxString)}`,
      });
    } catch (again) {
      lastResort(`task "${errorMessage(task.name)}" could not be finalised: ${errorMessage(again)}`);
    }
  }

  /**
   * End a task for good (once; later calls do nothing): free its slot,
   * emit `failed` and `exit`, leave the registry unless it is kept, settle
   * its handle.
   *
   * @param task the task
   * @param outcome its final outcome
   * @param gaveUp true when restarts were given up (the `failed` event says so)
   * @param keep true to keep it registered whatever the outcome (a straggler at the shutdown deadline)
   */
  finalize(task: Task, outcome: FinalOutcome, gaveUp = false, keep = false): void {
    if (task.settled) return;
    task.status = outcome.status;
    const extras = task.extras;
    if (extras !== undefined) {
      extras.attemptController = undefined;
      task.unfollow();
      if (extras.attemptTimer !== undefined) {
        this.clock.clearTimeout(extras.attemptTimer);
        extras.attemptTimer = undefined;
      }
    }
    this.active--;
    if (extras?.holdsSlot === true) this.extension!.release(task);
    if (outcome.status === "failed") {
      if (!task.ephemeral) task.more.reason = outcome.reason;
      if (wants(this.#onFailed, gaveUp ? "gaveUp" : undefined)) {
        const { name, id, attempt } = task;
        this.events.emit("failed", {
          name,
          id,
          attempt,
          class: task.class,
          reason: outcome.reason,
          error: outcome.error,
          gaveUp,
        });
      }
    }
    const retain = keep || (outcome.status === "failed" && !task.ephemeral);
    if (!retain) this.registry.remove(task);
    if (wants(this.#onExit)) {
      const { name, id, attempt } = task;
      const durationMs = this.clock.now() - task.startedAt;
      this.events.emit("exit", { name, id, attempt, class: task.class, status: outcome.status, durationMs });
    }
    task.settle(outcome);
    if (this.active === 0) this.onDrained?.();
  }
}

let defaultCore: SupervisorCore | undefined;

/**
 * The core `spawnLogged` uses when no `supervisor` option is given, created
 * on first use (system clock, JSON lines on `console.error`);
 * `defaultSupervisor` is built on it, so it lists, stops and counts these
 * tasks too.
 *
 * @returns the default core
 */
export function theDefaultCore(): SupervisorCore {
  return (defaultCore ??= new SupervisorCore());
}

/**
 * Why `signal` is not usable as an outside abort signal, or undefined when it is (or absent).
 *
 * @param signal the `signal` option
 * @returns the error to refuse the task with, or undefined
 */
export function signalError(signal: unknown): TypeError | undefined {
  if (signal === undefined) return undefined;
  const candidate = signal as { aborted?: unknown; addEventListener?: unknown } | null;
  if (typeof candidate?.addEventListener === "function" && typeof candidate.aborted === "boolean") return undefined;
  return new TypeError(`the signal option must be an AbortSignal, got ${signal === null ? "null" : typeof signal}`);
}
