import type { TaskTraceContext } from "./diagnostics.ts";
import type { IntensityWindow, ResolvedRestart } from "./policy.ts";
import type { TaskFactory, TaskHandle, TaskOutcome, TaskStatus } from "./types.ts";

/** The backoff state of a task that has failed at least once (most tasks never need it). */
interface Retry {
  /** Consecutive failures, for backoff and `maxConsecutiveFailures`. */
  failures: number;
  /** The last backoff delay in ms, for decorrelated jitter. */
  previousDelay: number | undefined;
  /** The restart intensity window, created at the first restart when an intensity is set. */
  window: IntensityWindow | undefined;
}

/**
 * What only some tasks need: abort controllers, restart and failure
 * details, class slot, backoff, timeout and outside-signal state, the
 * handle's bound `abort`. Created on the first write of one of them
 * (through {@link Task.more}), so a task that only runs once and succeeds
 * never has it; read through {@link Task.extras}.
 */
export interface TaskExtras {
  /** The task's controller (its handle's signal, the one backoff sleeps race). */
  controller?: AbortController;
  /** The current attempt's own controller (restarts, `attemptTimeoutMs`), when the factory reads its signal. */
  attemptController?: AbortController | undefined;
  /** Restarts performed so far. */
  restartCount: number;
  /** One-line summary of the last failure (not kept for log-only tasks). */
  lastError?: string | undefined;
  /** Why the task is `failed`, when it is (not kept for log-only tasks). */
  reason?: string;
  /** True while the task holds a slot of its class (released exactly once, when it ends). */
  holdsSlot?: boolean;
  /** Backoff state, created at the first failure that may restart. */
  retry?: Retry;
  /** The clock handle of the current attempt's timeout, under `attemptTimeoutMs`. */
  attemptTimer?: unknown;
  /** Stops following the outside signal. */
  unfollow?: (() => void) | undefined;
  /** The handle's bound `abort`. */
  abort?: (reason?: unknown) => void;
  /** The tracing context the current attempt's start was published with, while it runs. */
  trace?: TaskTraceContext | undefined;
}

/**
 * One registered task: the supervisor's bookkeeping, and the task's handle
 * (what `spawn` and `spawnLogged` return; the bookkeeping fields are not part
 * of the {@link TaskHandle} type).
 *
 * What nobody may observe is not built: the AbortController (and its signal,
 * which costs microseconds on Node 20) exists once the signal is read, handed
 * to a factory or aborted; the `done` promise exists once it is read, and a
 * task that settles before that stores its outcome only; the backoff state
 * exists once the task fails; every field most tasks never set lives in a
 * {@link TaskExtras} record created on first write. A small object per task
 * keeps a burst of in-flight `spawnLogged` tasks cheap for the garbage
 * collector.
 */
export class Task implements TaskHandle<unknown> {
  /** Task name as given at spawn. */
  readonly name: string;
  /** Unique id of this spawn. */
  readonly id: number;
  /** Task class, when one was given. */
  readonly class: string | undefined;
  /** Clock time of the spawn, in ms. */
  readonly startedAt: number;
  /** spawnLogged tasks: keyed by id, never replace, removed when they end. */
  readonly ephemeral: boolean;
  /** The restart settings (shared, never mutated); undefined for a one-shot task (`spawnLogged`, `run`). */
  readonly restart: ResolvedRestart | undefined;
  /** Produces each attempt; undefined when spawnLogged was given a promise. */
  readonly factory: TaskFactory | undefined;
  /** False when the factory provably never reads its signal argument (see {@link ignoresArguments}); judged once, not per restart. */
  readonly passesSignal: boolean;
  /** Current status, as `snapshot()` reports it; `queued`/`running`/`restarting` until the task has ended. */
  status: TaskStatus = "running";
  /** Current (or last) attempt, 1-based. */
  attempt = 0;
  /** The registry's links between log-only tasks (see registry.ts). */
  prev: Task | undefined = undefined;
  /** The registry's links between log-only tasks (see registry.ts). */
  next: Task | undefined = undefined;
  /** The final outcome once settled, or the resolver of a `done` read before that. */
  #settlement: TaskOutcome<unknown> | ((outcome: TaskOutcome<unknown>) => void) | undefined = undefined;
  #done: Promise<TaskOutcome<unknown>> | undefined = undefined;
  /** The rarely needed fields, once one was written (read them here: `task.extras?.reason`). */
  extras: TaskExtras | undefined = undefined;

  /** The record of rarely needed fields, created on first need (write them here: `task.more.reason = …`). */
  get more(): TaskExtras {
    return (this.extras ??= { restartCount: 0 });
  }

  /**
   * Create the bookkeeping of a task that is about to run its first attempt.
   *
   * @param name task name
   * @param id unique id of the spawn
   * @param taskClass task class, if any
   * @param startedAt clock time of the spawn, in ms
   * @param restart resolved restart settings; undefined for a one-shot task
   * @param work the factory, or the promise spawnLogged was given
   * @param ephemeral true for spawnLogged tasks
   */
  constructor(
    name: string,
    id: number,
    taskClass: string | undefined,
    startedAt: number,
    restart: ResolvedRestart | undefined,
    work: TaskFactory | PromiseLike<unknown>,
    ephemeral: boolean,
  ) {
    this.name = name;
    this.id = id;
    this.class = taskClass;
    this.startedAt = startedAt;
    this.restart = restart;
    this.ephemeral = ephemeral;
    this.factory = typeof work === "function" ? work : undefined;
    this.passesSignal = this.factory !== undefined && !ignoresArguments(this.factory);
  }

  /** True once the task has ended (left `queued`/`running`/`restarting` for good). */
  get settled(): boolean {
    return this.status !== "running" && this.status !== "restarting" && this.status !== "queued";
  }

  /** The task's own signal, created on first read. */
  get signal(): AbortSignal {
    return (this.more.controller ??= new AbortController()).signal;
  }

  /** True once the task's signal has aborted. */
  get aborted(): boolean {
    return this.extras?.controller?.signal.aborted === true;
  }

  /** Abort this task (the handle's method); bound on first read, so `const { abort } = handle` and `setTimeout(handle.abort)` work. */
  get abort(): (reason?: unknown) => void {
    return (this.more.abort ??= (reason?: unknown) => this.cancel(reason));
  }

  /**
   * Abort the task: its own signal (ends a backoff sleep) and its current attempt's signal.
   *
   * @param reason abort reason handed to the signals
   */
  cancel(reason: unknown): void {
    const more = this.more;
    const controller = (more.controller ??= new AbortController());
    controller.abort(reason);
    more.attemptController?.abort(controller.signal.reason);
  }

  /**
   * Abort this task when `outside` aborts (the `signal` option), until
   * {@link unfollow} is called.
   *
   * @param outside a signal that has not aborted yet
   */
  follow(outside: AbortSignal): void {
    const onAbort = (): void => this.cancel(outside.reason);
    outside.addEventListener("abort", onAbort, { once: true });
    this.more.unfollow = () => outside.removeEventListener("abort", onAbort);
  }

  /** Stop following the outside signal (the task ended); does nothing when there is none. */
  unfollow(): void {
    const unfollow = this.extras?.unfollow;
    if (unfollow === undefined) return;
    this.extras!.unfollow = undefined;
    unfollow();
  }

  /** Settles once with the final outcome; created on first read; never rejects. */
  get done(): Promise<TaskOutcome<unknown>> {
    if (this.#done === undefined) {
      const settlement = this.#settlement;
      if (typeof settlement === "object") this.#done = Promise.resolve(settlement);
      else {
        this.#done = new Promise(captureResolve);
        this.#settlement = captured;
        captured = undefined;
      }
    }
    return this.#done;
  }

  /**
   * Record the final outcome and resolve `done` if someone holds it.
   *
   * @param outcome how the task ended
   */
  settle(outcome: TaskOutcome<unknown>): void {
    const settlement = this.#settlement;
    this.#settlement = outcome;
    if (typeof settlement === "function") settlement(outcome);
  }
}

/** The handle of a task refused at spawn: its signal is aborted with the refusal and `done` reports it. */
export class RefusedHandle implements TaskHandle<never> {
  /** Task name. */
  readonly name: string;
  /** Unique id of this spawn. */
  readonly id: number;
  readonly #error: Error;
  #signal: AbortSignal | undefined;
  #done: Promise<TaskOutcome<never>> | undefined;

  /**
   * Create the handle of a refused spawn.
   *
   * @param name task name
   * @param id unique id of the spawn
   * @param error why it was refused
   */
  constructor(name: string, id: number, error: Error) {
    this.name = name;
    this.id = id;
    this.#error = error;
  }

  /** An already aborted signal whose reason is the refusal, created on first read. */
  get signal(): AbortSignal {
    return (this.#signal ??= AbortSignal.abort(this.#error));
  }

  /** Resolves `{ status: "rejected", error }`. */
  get done(): Promise<TaskOutcome<never>> {
    return (this.#done ??= Promise.resolve({ status: "rejected", error: this.#error }));
  }

  /** Does nothing: the task never started. */
  abort(): void {}
}

/** The resolve function {@link captureResolve} took from the promise being constructed. */
let captured: ((outcome: TaskOutcome<unknown>) => void) | undefined;

/** A promise executor shared by every task's `done`, so reading `done` allocates no executor closure (hand the result to `captured` at once). */
function captureResolve(resolve: (outcome: TaskOutcome<unknown>) => void): void {
  captured = resolve;
}

const PARAMETERLESS_ARROW = /^(?:async\s*)?\(\s*\)\s*=>/;

/**
 * Whether `fn` provably never reads the arguments it is called with: an arrow
 * function with an empty parameter list (arrows have no `arguments` object).
 * Anything else — rest or default parameters, `function`s and methods (which
 * may read `arguments`), bound, native or proxied functions, source with
 * comments in the parameter list — counts as reading them. Such a factory is
 * called without a signal, so none is created for it.
 *
 * @param fn a task factory
 * @returns true only when `fn` cannot observe its arguments
 */
export function ignoresArguments(fn: (...args: never[]) => unknown): boolean {
  return fn.length === 0 && PARAMETERLESS_ARROW.test(Function.prototype.toString.call(fn));
}
