/**
 * Restarts of a supervised task: the restart policy's answer once an
 * attempt failed, timed out or (under `always`) returned — `shouldRestart`,
 * the consecutive-failure limit, restart intensity — then the backoff sleep
 * and the next attempt; and the attempt timeout (`attemptTimeoutMs`). These
 * are the core's `restart` and `armTimeout` extension points, plugged in by
 * `TaskSupervisor`.
 *
 * @module
 */
import { backoffDelay } from "./backoff.ts";
import { sleep } from "./clock.ts";
import type { CoreExtension, SupervisorCore } from "./core.ts";
import { TaskTimeoutError } from "./errors.ts";
import { guarded } from "./guarded.ts";
import { observeRejection } from "./guard.ts";
import { IntensityWindow } from "./policy.ts";
import { errorMessage } from "./serialize.ts";
import type { Task } from "./task.ts";

/**
 * The core's `armTimeout` and `restart` extension points for the tasks of
 * `core` (see the methods).
 *
 * @param core the core whose tasks they time out and restart
 * @param random uniform source in [0, 1) for the backoff's jitter
 * @returns the two extension points
 */
export function restarts(core: SupervisorCore, random: () => number): Pick<CoreExtension, "armTimeout" | "restart"> {
  return {
    /**
     * Time attempt `attempt` (begun at clock ms `attemptStart`) out after
     * `timeoutMs` ms unless it settles first: its signal aborts with a
     * `TaskTimeoutError` and it settles as `timedOut`. A clock that cannot
     * schedule the timer (it throws, or its promise rejects) is reported and
     * the attempt fails with the clock's error (it would otherwise run
     * without its limit).
     */
    armTimeout(task, attempt, attemptStart, timeoutMs) {
      const more = task.more;
      const end = (outcome: "timedOut" | "threw", error: unknown): void => {
        if (task.attempt !== attempt || task.status !== "running") return;
        more.attemptController?.abort(error);
        core.attemptSettled(task, attempt, attemptStart, outcome, error);
      };
      try {
        more.attemptTimer = core.clock.setTimeout(() => {
          more.attemptTimer = undefined;
          end("timedOut", new TaskTimeoutError(task.name, attempt, timeoutMs));
        }, timeoutMs);
        // A guarded clock reports the rejection itself.
        observeRejection(more.attemptTimer, (error) => end("threw", error));
      } catch (error) {
        core.fault({ source: "clock", task: task.name, error });
        // After the attempt has started, as a timeout would.
        queueMicrotask(() => end("threw", error));
      }
    },

    /**
     * An attempt of a restartable task failed (`error`, summarised as
     * `lastError`), timed out, or returned under `always`, after
     * `durationMs` ms: restart it after a backoff, or end it `failed`
     * (declined by `shouldRestart`, `maxConsecutiveFailures` reached,
     * restart intensity exceeded, or a clock that cannot schedule the
     * restart).
     */
    restart(task, durationMs, settled, error, lastError) {
      const restart = task.restart!;
      const returned = settled === "returned";
      const fail = (reason: string, gaveUp?: boolean): void =>
        core.finalize(task, { status: "failed", error, reason }, gaveUp);
      if (!returned && restart.shouldRestart !== undefined && !mayRestart(core, task, restart.shouldRestart, error)) {
        return fail(
          `shouldRestart declined a restart after attempt ${task.attempt} ${
            settled === "timedOut" ? "timed out" : "failed"
          }: ${lastError}`,
        );
      }
      const retry = (task.more.retry ??= { failures: 0, previousDelay: undefined, window: undefined });
      if (durationMs >= restart.resetAfterMs) {
        retry.failures = 0;
        retry.previousDelay = undefined;
      }
      const { intensity } = restart;
      if (++retry.failures >= restart.maxConsecutiveFailures) {
        return fail(`${retry.failures} consecutive failure(s) reached maxConsecutiveFailures`, true);
      }
      if (intensity !== undefined && !(retry.window ??= new IntensityWindow(intensity)).admit(core.clock.now())) {
        return fail(
          `restart intensity exceeded: more than ${intensity.maxRestarts} restart(s) within ${intensity.withinMs} ms`,
          true,
        );
      }
      const delayMs =
        (retry.previousDelay = backoffDelay(retry.failures, restart.backoff, random, retry.previousDelay));
      task.status = "restarting";
      if (core.events.has("restart")) {
        // Two literals, not a spread of one: a spread copy made the payload (and every listener reading it) several times slower.
        const { name, id } = task;
        const attempt = task.attempt + 1;
        core.events.emit(
          "restart",
          returned
            ? { name, id, attempt, class: task.class, delayMs }
            : { name, id, attempt, class: task.class, delayMs, error },
        );
      }
      sleep(core.clock, delayMs, task.signal).then(
        (slept) =>
          guarded(core, task, () => {
            if (!slept) return core.finalize(task, { status: "aborted", reason: task.signal.reason });
            task.more.restartCount++;
            core.attempt(task, task.factory!);
          }),
        (clockError: unknown) => {
          // The clock could not schedule the restart: the task fails for good (it would otherwise wait forever).
          core.fault({ source: "clock", task: task.name, error: clockError });
          guarded(
            core,
            task,
            () =>
              core.finalize(task, {
                status: "failed",
                error: clockError,
                reason: `the clock could not schedule the restart: ${errorMessage(clockError, core.maxString)}`,
              }),
          );
        },
      );
    },
  };
}

/** Ask `shouldRestart`; a throw, or a promise (the answer must be synchronous), is reported and counts as no. */
function mayRestart(
  core: SupervisorCore,
  task: Task,
  shouldRestart: (error: unknown, attempt: number) => boolean,
  error: unknown,
): boolean {
  let answer: unknown;
  try {
    answer = shouldRestart(error, task.attempt);
    if (typeof (answer as { then?: unknown } | null)?.then !== "function") return Boolean(answer);
    observeRejection(answer, () => {});
    answer = new TypeError("shouldRestart returned a promise; it must answer synchronously");
  } catch (thrown) {
    answer = thrown;
  }
  core.fault({ source: "shouldRestart", task: task.name, error: answer });
  return false;
}
