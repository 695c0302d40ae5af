/**
 * The registry of a supervisor's tasks: named tasks (`spawn`, `run`,
 * `superviseWorker`) by name, and `spawnLogged` tasks — many may share a
 * name — in an intrusive doubly linked list through the tasks themselves, so
 * registering and removing one costs no hashing and no allocation (a burst
 * of log-only tasks is the hot path).
 *
 * @module
 */
import type { Task } from "./task.ts";

/** Every registered task: named ones by name, log-only ones in a list. */
export class Registry {
  readonly #named = new Map<string, Task>();
  /** The most recently added log-only task; `next` leads to older ones. */
  #head: Task | undefined = undefined;

  /**
   * The named task registered under `name`.
   *
   * @param name task name
   * @returns the task, or undefined
   */
  named(name: string): Task | undefined {
    return this.#named.get(name);
  }

  /**
   * Register a task (a named one replaces whatever was under its name).
   *
   * @param task the task
   */
  add(task: Task): void {
    if (!task.ephemeral) {
      this.#named.set(task.name, task);
      return;
    }
    task.next = this.#head;
    if (this.#head !== undefined) this.#head.prev = task;
    this.#head = task;
  }

  /**
   * Remove a task if it is registered (a named task only if it is still the
   * one under its name).
   *
   * @param task the task
   */
  remove(task: Task): void {
    if (!task.ephemeral) {
      if (this.#named.get(task.name) === task) this.#named.delete(task.name);
      return;
    }
    if (task.prev === undefined && this.#head !== task) return; // not listed
    if (task.prev === undefined) this.#head = task.next;
    else task.prev.next = task.next;
    if (task.next !== undefined) task.next.prev = task.prev;
    task.prev = undefined;
    task.next = undefined;
  }

  /**
   * Every registered task, named ones first, as a copy (safe to change the registry while walking it).
   *
   * @returns the tasks
   */
  all(): Task[] {
    const out = [...this.#named.values()];
    for (let task = this.#head; task !== undefined; task = task.next) out.push(task);
    return out;
  }
}
