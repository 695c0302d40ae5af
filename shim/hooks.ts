/**
 * What a `TaskSupervisor` adds to its core because it accepts user code as
 * hooks (a clock, a logger, event listeners, a jitter source,
 * `shouldRestart`): each user-supplied hook is guarded, so what it throws
 * or rejects with is reported instead of escaping, and a failure is
 * reported through the channels that remain (the `hookError` event, the
 * logger, `console.error`). A core used alone (`spawnLogged`'s default)
 * runs none of these hooks, so none of this is bundled with it.
 *
 * @module
 */
import { guardClock } from "./clock.ts";
import { SupervisorCore } from "./core.ts";
import type { HookFailure } from "./events.ts";
import { lastResort } from "./guard.ts";
import { checkMaxStringLength, guardLogger, logHookFailure } from "./logger.ts";
import { errorMessage } from "./serialize.ts";
import type { TaskSupervisorOptions } from "./supervisor.ts";

/**
 * A core with the supervisor's clock and logger guarded (see the module doc)
 * and every hook failure reported in full.
 *
 * @param options the supervisor's `clock`, `logger` and `maxLogStringLength`
 * @returns the core
 * @throws {RangeError} when `maxLogStringLength` is not an integer ≥ 0
 */
export function coreWithHooks(
  options: Pick<TaskSupervisorOptions, "clock" | "logger" | "maxLogStringLength">,
): SupervisorCore {
  const maxString = checkMaxStringLength(options.maxLogStringLength, "maxLogStringLength");
  const report = (failure: HookFailure): void => core.fault(failure);
  // Only a user-supplied clock can throw; the built-in one stays unwrapped on the spawn path.
  const clock = options.clock && guardClock(options.clock, (error) => report({ source: "clock", error }));
  const logger = options.logger &&
    guardLogger(options.logger, (error) => report({ source: "logger", error }), maxString);
  const core = new SupervisorCore({ clock, logger, maxString });
  reportHookFailures(core);
  return core;
}

/**
 * Make `core` report a failed hook in full: the `hookError` event, then the
 * logger (unless the logger is what failed; then, with no `hookError`
 * listener, one line on `console.error`). The report never throws.
 *
 * @param core the core a supervisor is built on
 */
export function reportHookFailures(core: SupervisorCore): void {
  core.fault = (failure) => {
    const heard = core.events.has("hookError");
    if (heard) core.events.emit("hookError", failure);
    if (failure.source !== "logger") {
      if (core.logger !== undefined) logHookFailure(core.logger, failure, core.maxString);
    } else if (!heard) {
      lastResort(`the logger failed: ${errorMessage(failure.error, core.maxString)}`);
    }
  };
}
