import type { IntensityWindow, ResolvedRestart } from "./policy.ts";
import type { TaskFactory, TaskHandle, TaskOutcome, TaskStatus } from "./supervisor.ts";

/**
 * One registered task: the supervisor's bookkeeping behind a {@link TaskHandle}.
 *
 * What nobody may observe is not built: the AbortController (and its signal,
 * which costs microseconds on Node 20) exists once the signal is read, handed
 * to a factory or aborted; the `done` promise exists once it is read, and a
 * task that settles before that stores its outcome only.
 */
export class Task {
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
  /** The restart settings (shared, never mutated). */
  readonly restart: ResolvedRestart;
  /** Produces each attempt; undefined when spawnLogged was given a promise. */
  readonly factory: TaskFactory | undefined;
  /** False when the factory provably never reads its signal argument (see {@link ignoresArguments}). */
  readonly passesSignal: boolean;
  /** The task's controller (its handle's signal, the one backoff sleeps race); created on first need. */
  controller: AbortController | undefined = undefined;
  /** The current attempt's controller from the second attempt on, when the factory reads its signal. */
  attemptController: AbortController | undefined = undefined;
  /** Current status, as `snapshot()` reports it. */
  status: TaskStatus = "running";
  /** Current (or last) attempt, 1-based. */
  attempt = 0;
  /** Restarts performed so far. */
  restartCount = 0;
  /** One-line summary of the last failure. */
  lastError: string | undefined = undefined;
  /** Why the task is `failed`, when it is. */
  reason: string | undefined = undefined;
  /** True once the task has left `running`/`restarting` for good. */
  settled = false;
  /** Consecutive failures, for backoff and `maxConsecutiveFailures`. */
  failures = 0;
  /** The last backoff delay in ms, for decorrelated jitter. */
  previousDelay: number | undefined = undefined;
  /** The restart intensity window, created at the first restart when an intensity is set. */
  window: IntensityWindow | undefined = undefined;
  /** The clock handle of the current attempt's timeout, under `attemptTimeoutMs`. */
  attemptTimer: unknown = undefined;
  /** Removes the listener on an outside `signal` option; set by {@link follow}. */
  #unfollow: (() => void) | undefined = undefined;
  #outcome: TaskOutcome<unknown> | undefined = undefined;
  #done: Promise<TaskOutcome<unknown>> | undefined = undefined;
  #resolve: ((outcome: TaskOutcome<unknown>) => void) | undefined = undefined;

  /**
   * Create the bookkeeping of a task that is about to run its first attempt.
   *
   * @param name task name
   * @param id unique id of the spawn
   * @param taskClass task class, if any
   * @param startedAt clock time of the spawn, in ms
   * @param restart resolved restart settings
   * @param work the factory, or the promise spawnLogged was given
   * @param ephemeral true for spawnLogged tasks
   */
  constructor(
    name: string,
    id: number,
    taskClass: string | undefined,
    startedAt: number,
    restart: ResolvedRestart,
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

  /** The registry key: the id for spawnLogged tasks (many may share a name), the name otherwise. */
  get key(): string | number {
    return this.ephemeral ? this.id : this.name;
  }

  /** The task's own signal, created on first read. */
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  /** True once the task's signal has aborted. */
  get aborted(): boolean {
    return this.controller?.signal.aborted === true;
  }

  /**
   * Abort the task: its own signal (ends a backoff sleep) and its current attempt's signal.
   *
   * @param reason abort reason handed to the signals
   */
  abort(reason: unknown): void {
    const controller = (this.controller ??= new AbortController());
    controller.abort(reason);
    this.attemptController?.abort(controller.signal.reason);
  }

  /**
   * Abort this task when `outside` aborts (the `signal` option), until
   * {@link unfollow} is called.
   *
   * @param outside a signal that has not aborted yet
   */
  follow(outside: AbortSignal): void {
    const onAbort = (): void => this.abort(outside.reason);
    outside.addEventListener("abort", onAbort, { once: true });
    this.#unfollow = () => outside.removeEventListener("abort", onAbort);
  }

  /** Stop following the outside signal (the task ended); does nothing when there is none. */
  unfollow(): void {
    this.#unfollow?.();
    this.#unfollow = undefined;
  }

  /** Settles once with the final outcome; created on first read. */
  get done(): Promise<TaskOutcome<unknown>> {
    if (this.#done === undefined) {
      const outcome = this.#outcome;
      this.#done = outcome === undefined ? new Promise((resolve) => (this.#resolve = resolve)) : Promise.resolve(outcome);
    }
    return this.#done;
  }

  /**
   * Record the final outcome and resolve `done` if someone holds it.
   *
   * @param outcome how the task ended
   */
  settle(outcome: TaskOutcome<unknown>): void {
    this.#outcome = outcome;
    this.#resolve?.(outcome);
    this.#resolve = undefined;
  }
}

/**
 * The handle of a registered task: a thin view of its {@link Task}, so a
 * signal or `done` nobody reads is never created.
 */
export class Handle<T> implements TaskHandle<T> {
  /** Task name. */
  readonly name: string;
  /** Unique id of this spawn. */
  readonly id: number;
  readonly #task: Task;
  #abort: ((reason?: unknown) => void) | undefined;

  /**
   * Wrap a task.
   *
   * @param task the task's bookkeeping
   */
  constructor(task: Task) {
    this.name = task.name;
    this.id = task.id;
    this.#task = task;
  }

  /** The task's abort signal. */
  get signal(): AbortSignal {
    return this.#task.signal;
  }

  /** Settles once with the final outcome; never rejects. */
  get done(): Promise<TaskOutcome<T>> {
    return this.#task.done as Promise<TaskOutcome<T>>;
  }

  /** Abort this task; bound on first read, so `const { abort } = handle` and `setTimeout(handle.abort)` work. */
  get abort(): (reason?: unknown) => void {
    return (this.#abort ??= (reason?: unknown) => this.#task.abort(reason));
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
