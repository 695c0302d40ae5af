/**
 * Task classes as bulkheads: per-class concurrency limits, what happens to a
 * spawn at the limit (`reject`, `drop` or `queue`), the slots each class's
 * tasks hold, its wait queue, and the spawns each limit refused or dropped
 * (as zeph's BackgroundSupervisor classes, whose queues are lossy). The
 * core asks before it starts a task of a class, gives the slot back when
 * the task ends, and the next queued task starts then.
 *
 * @module
 */
import type { SupervisorCore } from "./core.ts";
import { TaskLimitError } from "./errors.ts";
import { guarded } from "./guarded.ts";
import { checkCount, checkOneOf } from "./options.ts";
import type { Task } from "./task.ts";

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

/** What `stats()` reports of a class: tasks holding a slot (`active`), waiting (`queued`), and the spawns its limit rejected or dropped. */
export interface ClassCounts {
  /** Tasks holding a slot (`running` or `restarting`). */
  active: number;
  /** Tasks waiting for a slot (overflow `queue`). */
  queued: number;
  /** Spawns the `reject` limit refused. */
  rejected: number;
  /** Spawns dropped (`drop`, or a full `queue`). */
  dropped: number;
}

/** A class's slots and wait queue, made when the class first holds a slot, queues, refuses or drops a spawn. */
interface ClassState {
  /** Tasks holding a slot. */
  active: number;
  /** Spawns the `reject` limit refused. */
  rejected: number;
  /** Spawns dropped (`drop`, or a full `queue`). */
  dropped: number;
  /** Waiting tasks, in spawn order (a Set: removing an aborted one is O(1)). */
  queue: Set<Task>;
}

const OVERFLOWS: readonly Overflow[] = ["reject", "drop", "queue"];
const DEFAULT_QUEUE_LIMIT = 1000;

/**
 * The bulkheads of one supervisor: the class limits, the slots the tasks of
 * each class hold, and the queue of those waiting for one. Classes without
 * a limit are counted too (for `stats()` and `statusLine()`), never
 * refused. Its `admit`, `enqueue`, `acquire` and `release` are the core's
 * extension points of the same names, bound (arrow-function fields, its only
 * public fields), so the supervisor spreads them into its extension.
 */
export class ClassSlots {
  readonly #core: SupervisorCore;
  readonly #limits = new Map<string, Required<ClassLimit>>();
  readonly #states = new Map<string, ClassState>();

  /**
   * Validate the limits and start with every class empty.
   *
   * @param core the core whose tasks wait and start here
   * @param limits per-class limits by class name
   * @throws {RangeError} when a `limit` or `queueLimit` is not an integer ≥ 0 (`queueLimit` may be Infinity) or `overflow` is unknown
   */
  constructor(core: SupervisorCore, limits: Readonly<Record<string, ClassLimit>> = {}) {
    this.#core = core;
    for (const [name, given] of Object.entries(limits)) this.define(name, given);
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
    const { limit, overflow = "reject", queueLimit = DEFAULT_QUEUE_LIMIT } = given;
    const option = `classes.${name}.`;
    this.#limits.set(name, {
      limit: checkCount(`${option}limit`, limit, 0, false),
      overflow: checkOneOf(OVERFLOWS, `${option}overflow`, overflow),
      queueLimit: checkCount(`${option}queueLimit`, queueLimit, 0, true),
    });
  }

  /**
   * Decide what a new task of `taskClass` gets, counting a refusal or drop:
   * `start` (a slot is free), `queue` (wait for one), or refused.
   *
   * @param name the new task's name (for the error)
   * @param taskClass its class
   * @param queueable false for work that is already running (a promise), which cannot wait
   * @param previous the task it replaces, if any: when that one holds a slot of the same class, the new task takes it over
   * @returns the decision
   */
  readonly admit = (name: string, taskClass: string, queueable: boolean, previous?: Task): Admission => {
    const limit = this.#limits.get(taskClass);
    const state = this.#states.get(taskClass);
    const takesOver = previous?.extras?.holdsSlot === true && previous.class === taskClass;
    if (limit === undefined || (state?.active ?? 0) - (takesOver ? 1 : 0) < limit.limit) return "start";
    if (limit.overflow === "queue" && queueable && (state?.queue.size ?? 0) < limit.queueLimit) return "queue";
    const dropped = limit.overflow !== "reject";
    this.#state(taskClass)[dropped ? "dropped" : "rejected"]++;
    return { refused: new TaskLimitError(name, taskClass, limit.limit), dropped };
  };

  /**
   * Put an admitted task in its class's queue until a slot is free; aborted
   * while waiting (handle, name, class, outside signal, shutdown), it
   * leaves the queue and never starts.
   *
   * @param task the task, registered with the core
   */
  readonly enqueue = (task: Task): void => {
    task.status = "queued";
    this.#state(task.class!).queue.add(task);
    task.signal.addEventListener("abort", () => this.#abandon(task), { once: true });
    const events = this.#core.events;
    if (events.has("queued")) events.emit("queued", { name: task.name, id: task.id, attempt: 1, class: task.class });
  };

  /**
   * Give a starting task one of its class's slots.
   *
   * @param task the task
   */
  readonly acquire = (task: Task): void => {
    this.#state(task.class!).active++;
    task.more.holdsSlot = true;
  };

  /**
   * The task holding a slot ended: free the slot, and start the tasks
   * waiting for one a microtask later (no recursion through settling tasks).
   *
   * @param task the task
   */
  readonly release = (task: Task): void => {
    task.extras!.holdsSlot = false;
    const taskClass = task.class!;
    const state = this.#states.get(taskClass)!;
    state.active--;
    if (state.queue.size > 0) queueMicrotask(() => this.#startQueued(taskClass, state));
  };

  /**
   * The counts of a class.
   *
   * @param taskClass the class
   * @returns its active, queued, rejected and dropped counts (0 for a class never seen)
   */
  counts(taskClass: string): ClassCounts {
    const { active = 0, queue, rejected = 0, dropped = 0 } = this.#states.get(taskClass) ?? {};
    return { active, queued: queue?.size ?? 0, rejected, dropped };
  }

  /**
   * Every class that has held a slot, queued, refused or dropped a spawn.
   *
   * @returns class names
   */
  seen(): string[] {
    return [...this.#states.keys()];
  }

  /** The state of `taskClass`, made on first need. */
  #state(taskClass: string): ClassState {
    let state = this.#states.get(taskClass);
    if (state === undefined) {
      this.#states.set(taskClass, state = { active: 0, rejected: 0, dropped: 0, queue: new Set() });
    }
    return state;
  }

  /** A queued task was aborted (this runs as an abort listener, so nothing may throw out of it). */
  #abandon(task: Task): void {
    if (task.status !== "queued") return;
    this.#states.get(task.class!)!.queue.delete(task);
    const core = this.#core;
    guarded(core, task, () => core.finalize(task, { status: "aborted", reason: task.signal.reason }));
  }

  /** Start the tasks of `taskClass` waiting in `state.queue`, in spawn order, while a slot is free. */
  #startQueued(taskClass: string, state: ClassState): void {
    const core = this.#core;
    for (const task of state.queue) {
      if (state.active >= this.#limits.get(taskClass)!.limit) return;
      state.queue.delete(task);
      this.acquire(task);
      guarded(core, task, () => core.attempt(task, task.factory!, core.clock.now()));
    }
  }
}
