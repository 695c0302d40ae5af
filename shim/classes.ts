/**
 * Task classes as bulkheads: per-class concurrency limits, what happens to a
 * spawn at the limit (`reject`, `drop` or `queue`), the slots each class's
 * tasks hold, its wait queue, and the spawns each limit refused or dropped
 * (as zeph's BackgroundSupervisor classes, whose queues are lossy). The
 * supervisor asks before it starts a task of a class, gives the slot back
 * when the task ends, and starts the next queued task then.
 *
 * @module
 */
import { TaskLimitError } from "./errors.ts";

/**
 * What a spawn of a class at its limit gets: `reject` (default) — `spawn`
 * throws `TaskLimitError`, `run` rejects with it, `spawnLogged` resolves
 * `done` with `rejected` and logs a warning; `drop` — the same handle
 * without a throw or a log line, counted in `dropped(class)` (lossy by
 * design: telemetry, cache warming); `queue` — the task waits (status
 * `queued`) for a slot, in spawn order, at most `queueLimit` of them; a
 * spawn beyond that is dropped.
 */
export type Overflow = "reject" | "drop" | "queue";

/**
 * The limit of one task class.
 *
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor({
 *   classes: {
 *     enrichment: { limit: 4, overflow: "drop" },
 *     telemetry: { limit: 8, overflow: "queue", queueLimit: 100 },
 *   },
 * });
 * ```
 */
export interface ClassLimit {
  /** Tasks of the class that may be `running` or `restarting` at once, an integer ≥ 0. */
  limit: number;
  /** What a spawn at the limit gets (default `reject`). */
  overflow?: Overflow;
  /** With `queue`: how many tasks may wait, an integer ≥ 0 or Infinity (default 1000); more are dropped. */
  queueLimit?: number;
}

/** What a new task gets: start now, wait in its class's queue, or refused (dropped silently, or rejected). */
export type Admission = "start" | "queue" | { refused: Error; dropped: boolean };

const OVERFLOWS: readonly Overflow[] = ["reject", "drop", "queue"];
const DEFAULT_QUEUE_LIMIT = 1000;

/**
 * The per-class slot accounting of one supervisor, with a wait queue per
 * class of items `T` (the supervisor's tasks). Classes without a limit are
 * counted too (for `stats()` and `statusLine()`), never refused.
 */
export class ClassSlots<T> {
  readonly #limits = new Map<string, Required<ClassLimit>>();
  readonly #inflight = new Map<string, number>();
  readonly #rejected = new Map<string, number>();
  readonly #dropped = new Map<string, number>();
  /** Waiting tasks per class, in spawn order (a Set: removing an aborted one is O(1)). */
  readonly #queues = new Map<string, Set<T>>();

  /**
   * Validate the limits and start with every class empty.
   *
   * @param limits per-class limits by class name
   * @throws {RangeError} when a `limit` or `queueLimit` is not an integer ≥ 0 (`queueLimit` may be Infinity) or `overflow` is unknown
   */
  constructor(limits: Readonly<Record<string, ClassLimit>> = {}) {
    for (const [name, given] of Object.entries(limits)) this.#limits.set(name, resolveLimit(name, given));
  }

  /**
   * Give a class without a limit one (after construction, as the
   * constructor's `limits` would).
   *
   * @param name class name
   * @param given its limit
   * @throws {RangeError} when the class already has a limit, or `given` is invalid as in the constructor
   */
  define(name: string, given: ClassLimit): void {
    if (this.#limits.has(name)) throw new RangeError(`class "${name}" already has a limit`);
    this.#limits.set(name, resolveLimit(name, given));
  }

  /**
   * Decide what a new task of `taskClass` gets, counting a refusal or drop:
   * `start` (a slot is free), `queue` (wait for one), or refused.
   *
   * @param task the new task's name (for the error)
   * @param taskClass its class
   * @param replacesOne true when it replaces an in-flight task of the same class, whose slot it takes over
   * @param queueable false for work that is already running (a promise), which cannot wait
   * @returns the decision
   */
  admit(task: string, taskClass: string, replacesOne: boolean, queueable: boolean): Admission {
    const limit = this.#limits.get(taskClass);
    if (limit === undefined || this.inflight(taskClass) - (replacesOne ? 1 : 0) < limit.limit) return "start";
    const refused = new TaskLimitError(task, taskClass, limit.limit);
    if (limit.overflow === "reject") {
      bump(this.#rejected, taskClass);
      return { refused, dropped: false };
    }
    if (limit.overflow === "queue" && queueable && this.queued(taskClass) < limit.queueLimit) return "queue";
    bump(this.#dropped, taskClass);
    return { refused, dropped: true };
  }

  /**
   * Take a slot of `taskClass` for a task that starts now.
   *
   * @param taskClass the class
   */
  acquire(taskClass: string): void {
    bump(this.#inflight, taskClass);
  }

  /**
   * Give back a slot (the caller makes sure it does so once per task).
   *
   * @param taskClass the class
   */
  release(taskClass: string): void {
    this.#inflight.set(taskClass, Math.max(0, this.inflight(taskClass) - 1));
  }

  /**
   * Put a task in its class's wait queue.
   *
   * @param taskClass the class
   * @param item the waiting task
   */
  enqueue(taskClass: string, item: T): void {
    let queue = this.#queues.get(taskClass);
    if (queue === undefined) this.#queues.set(taskClass, (queue = new Set()));
    queue.add(item);
  }

  /**
   * Take a waiting task out of the queue (it was aborted, or is starting).
   *
   * @param taskClass the class
   * @param item the task
   * @returns true when it was waiting
   */
  unqueue(taskClass: string, item: T): boolean {
    return this.#queues.get(taskClass)?.delete(item) ?? false;
  }

  /**
   * The next waiting task that may start now, taken out of the queue, its
   * slot not yet acquired; undefined when the class is at its limit or
   * nothing waits.
   *
   * @param taskClass the class
   * @returns the task to start, or undefined
   */
  next(taskClass: string): T | undefined {
    const queue = this.#queues.get(taskClass);
    const limit = this.#limits.get(taskClass);
    if (queue === undefined || queue.size === 0 || (limit !== undefined && this.inflight(taskClass) >= limit.limit)) return undefined;
    const [first] = queue;
    queue.delete(first!);
    return first;
  }

  /**
   * Tasks of `taskClass` holding a slot (`running` or `restarting`).
   *
   * @param taskClass the class
   * @returns the count
   */
  inflight(taskClass: string): number {
    return this.#inflight.get(taskClass) ?? 0;
  }

  /**
   * Tasks of `taskClass` waiting for a slot.
   *
   * @param taskClass the class
   * @returns the count
   */
  queued(taskClass: string): number {
    return this.#queues.get(taskClass)?.size ?? 0;
  }

  /**
   * Spawns of `taskClass` its `reject` limit refused so far.
   *
   * @param taskClass the class
   * @returns the count
   */
  rejected(taskClass: string): number {
    return this.#rejected.get(taskClass) ?? 0;
  }

  /**
   * Spawns of `taskClass` dropped so far (`drop`, or a full `queue`).
   *
   * @param taskClass the class
   * @returns the count
   */
  dropped(taskClass: string): number {
    return this.#dropped.get(taskClass) ?? 0;
  }

  /**
   * Every class that has held a slot, queued, refused or dropped a spawn.
   *
   * @returns class names
   */
  seen(): Set<string> {
    return new Set([...this.#inflight.keys(), ...this.#queues.keys(), ...this.#rejected.keys(), ...this.#dropped.keys()]);
  }
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Validate a class limit and fill in its defaults; throws a RangeError naming the bad field. */
function resolveLimit(name: string, given: ClassLimit): Required<ClassLimit> {
  const { limit, overflow = "reject", queueLimit = DEFAULT_QUEUE_LIMIT } = given;
  if (!(Number.isInteger(limit) && limit >= 0)) throw new RangeError(`classes.${name}.limit must be an integer ≥ 0, got ${String(limit)}`);
  if (!OVERFLOWS.includes(overflow)) throw new RangeError(`classes.${name}.overflow must be one of ${OVERFLOWS.join(", ")}, got ${String(overflow)}`);
  if (!(queueLimit === Infinity || (Number.isInteger(queueLimit) && queueLimit >= 0))) {
    throw new RangeError(`classes.${name}.queueLimit must be an integer ≥ 0 or Infinity, got ${String(queueLimit)}`);
  }
  return { limit, overflow, queueLimit };
}
