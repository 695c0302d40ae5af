/**
 * A supervisor's attempt durations: one {@link DurationHistogram} per task
 * name and one per task class, fed as each attempt ends (the core's
 * `record` extension point) and read by `snapshot()` and `stats()`.
 *
 * @module
 */
import { DurationHistogram, type DurationStats } from "./stats.ts";
import type { Task } from "./task.ts";
import type { AttemptOutcome } from "./types.ts";

/**
 * Attempt durations in ms by task name and by class, counted by outcome.
 * `record`, the core's extension point of that name, is bound (an
 * arrow-function field, the only public field), so the supervisor spreads
 * it into its extension.
 */
export class Durations {
  readonly #tasks = new Map<string, DurationHistogram>();
  readonly #classes = new Map<string, DurationHistogram>();

  /**
   * Count an attempt of `task` under its name and, when it has one, its class.
   *
   * @param task the task whose attempt ended
   * @param durationMs how long the attempt ran, in ms
   * @param outcome how it ended
   */
  readonly record = (task: Task, durationMs: number, outcome: AttemptOutcome): void => {
    histogram(this.#tasks, task.name).record(durationMs, outcome);
    if (task.class !== undefined) histogram(this.#classes, task.class).record(durationMs, outcome);
  };

  /**
   * The durations of every task name so far.
   *
   * @returns the summaries by task name
   */
  tasks(): Record<string, DurationStats> {
    const out: Record<string, DurationStats> = {};
    for (const [name, durations] of this.#tasks) out[name] = durations.summary();
    return out;
  }

  /**
   * The durations of one task name.
   *
   * @param name task name
   * @returns its summary, or undefined before an attempt of it ended
   */
  task(name: string): DurationStats | undefined {
    return this.#tasks.get(name)?.summary();
  }

  /**
   * The durations of one class.
   *
   * @param taskClass the class
   * @returns its summary (all zero before an attempt of it ended)
   */
  class(taskClass: string): DurationStats {
    return (this.#classes.get(taskClass) ?? new DurationHistogram()).summary();
  }

  /**
   * Every class an attempt of which has ended.
   *
   * @returns class names
   */
  classes(): string[] {
    return [...this.#classes.keys()];
  }
}

/** The histogram of `key` in `map`, made on first use. */
function histogram(map: Map<string, DurationHistogram>, key: string): DurationHistogram {
  let found = map.get(key);
  if (found === undefined) map.set(key, found = new DurationHistogram());
  return found;
}
