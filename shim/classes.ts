/**
 * Task classes as bulkheads: per-class concurrency limits, the count of
 * tasks of each class holding a slot, and the spawns each limit refused
 * (as zeph's BackgroundSupervisor classes). The supervisor asks before it
 * starts a task of a class and gives the slot back when the task ends.
 *
 * @module
 */
import { TaskLimitError } from "./errors.ts";

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
 * The per-class slot accounting of one supervisor. Classes without a limit
 * are counted too (for `stats()`), never refused.
 */
export class ClassSlots {
  readonly #limits: ReadonlyMap<string, ClassLimit>;
  readonly #active = new Map<string, number>();
  readonly #rejected = new Map<string, number>();

  /**
   * Validate the limits and start with every class empty.
   *
   * @param limits per-class limits by class name
   * @throws {RangeError} when a `maxConcurrent` is not an integer ≥ 0
   */
  constructor(limits: Readonly<Record<string, ClassLimit>> = {}) {
    for (const [name, limit] of Object.entries(limits)) {
      if (!(Number.isInteger(limit.maxConcurrent) && limit.maxConcurrent >= 0)) {
        throw new RangeError(`classes.${name}.maxConcurrent must be an integer ≥ 0, got ${String(limit.maxConcurrent)}`);
      }
    }
    this.#limits = new Map(Object.entries(limits));
  }

  /**
   * Why a new task of `taskClass` may not start now, counting the refusal,
   * or undefined when it may.
   *
   * @param task the new task's name (for the error)
   * @param taskClass its class
   * @param replacesOne true when it replaces an active task of the same class, whose slot it will take over
   * @returns the refusal, or undefined
   */
  refusal(task: string, taskClass: string, replacesOne: boolean): TaskLimitError | undefined {
    const limit = this.#limits.get(taskClass);
    if (limit === undefined) return undefined;
    const active = this.active(taskClass) - (replacesOne ? 1 : 0);
    if (active < limit.maxConcurrent) return undefined;
    this.#rejected.set(taskClass, this.rejected(taskClass) + 1);
    return new TaskLimitError(task, taskClass, limit.maxConcurrent);
  }

  /**
   * Take a slot of `taskClass` for a task that starts.
   *
   * @param taskClass the class
   */
  acquire(taskClass: string): void {
    this.#active.set(taskClass, this.active(taskClass) + 1);
  }

  /**
   * Give back the slot of a task that ended (once per task).
   *
   * @param taskClass the class
   */
  release(taskClass: string): void {
    this.#active.set(taskClass, Math.max(0, this.active(taskClass) - 1));
  }

  /**
   * Tasks of `taskClass` holding a slot (`running` or `restarting`).
   *
   * @param taskClass the class
   * @returns the count
   */
  active(taskClass: string): number {
    return this.#active.get(taskClass) ?? 0;
  }

  /**
   * Spawns of `taskClass` its limit refused so far.
   *
   * @param taskClass the class
   * @returns the count
   */
  rejected(taskClass: string): number {
    return this.#rejected.get(taskClass) ?? 0;
  }

  /**
   * Every class that has held a slot or refused a spawn.
   *
   * @returns class names
   */
  seen(): Set<string> {
    return new Set([...this.#active.keys(), ...this.#rejected.keys()]);
  }
}
