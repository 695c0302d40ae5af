/**
 * The supervisor's last line of defence around its own steps on a task
 * (start a queued task, end an abandoned one, restart after a backoff):
 * they run from timers, microtasks and abort listeners, where a throw would
 * escape into the runtime.
 *
 * @module
 */
import type { SupervisorCore } from "./core.ts";
import type { Task } from "./task.ts";

/**
 * Run `step` on a task unless it has ended (it may have, while it waited
 * for a slot or a backoff); what `step` throws is a broken invariant, which
 * fails the task (`SupervisorCore.crashed`). Never throws.
 *
 * @param core the task's core
 * @param task the task
 * @param step what to do with it
 */
export function guarded(core: SupervisorCore, task: Task, step: () => void): void {
  try {
    if (!task.settled) step();
  } catch (error) {
    core.crashed(task, error);
  }
}
