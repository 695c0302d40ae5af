/**
 * A supervisor's graceful shutdown: refuse new tasks, abort every task,
 * wait for their cooperative exits until one deadline, then mark the
 * stragglers `aborted`.
 *
 * @module
 */
import { setTimer } from "./clock.ts";
import type { SupervisorCore } from "./core.ts";
import type { ShutdownSummary } from "./supervisor.ts";

/**
 * Shut `core` down (what `TaskSupervisor.shutdown()` runs once). Exits that
 * race the shutdown are all reaped; no timer outlives it; a clock that
 * cannot set the deadline (it throws, or its promise rejects) is reported
 * and the shutdown ends at once.
 *
 * @param core the core to stop
 * @param timeoutMs one deadline for all tasks together, in ms (already checked ≥ 0; `Infinity`: none, the
 *   shutdown waits for every task; above 2^31 − 1 ms it is still honoured, never cut to 1 ms)
 * @returns resolves with a summary naming the stragglers; never rejects
 */
export function shutdownCore(core: SupervisorCore, timeoutMs: number): Promise<ShutdownSummary> {
  const began = core.clock.now();
  const activeAtStart = core.active;
  core.closed = true;
  return new Promise<ShutdownSummary>((resolve) => {
    let cancel: (() => void) | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      core.onDrained = undefined;
      cancel?.();
      const aborted: string[] = [];
      for (const task of core.registry.all()) {
        if (task.settled) continue;
        aborted.push(task.name);
        core.finalize(task, { status: "aborted", reason: core.controller.signal.reason }, false, true);
      }
      const timedOut = aborted.length > 0;
      if (timedOut) {
        core.logger?.warn(
          { tasks: aborted, timeoutMs },
          `shutdown deadline passed; ${aborted.length} task(s) marked aborted`,
        );
      }
      resolve({ exited: activeAtStart - aborted.length, aborted, timedOut, durationMs: core.clock.now() - began });
    };
    core.onDrained = finish;
    const reason = new DOMException("the supervisor is shutting down", "AbortError");
    core.controller.abort(reason);
    // Tasks are linked to the supervisor by hand: no listener per task on the supervisor's signal.
    for (const task of core.registry.all()) if (!task.settled) task.cancel(reason);
    // Once drained (finish ran, or runs now) no task starts again: a closed core admits none.
    if (core.active === 0) finish();
    else {
      // No deadline can be set: end the shutdown now rather than never.
      const failed = (error: unknown): void => {
        core.fault({ source: "clock", error });
        finish();
      };
      try {
        cancel = setTimer(core.clock, finish, timeoutMs, failed);
      } catch (error) {
        failed(error);
      }
    }
  });
}
