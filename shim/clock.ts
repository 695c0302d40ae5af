/**
 * A source of time and one-shot timers. The supervisor takes every timing
 * decision (backoff sleeps, healthy-run resets, restart intensity windows,
 * shutdown deadlines) through this value, so tests can inject a manual clock.
 *
 * @example
 * ```ts
 * import { type Clock, TaskSupervisor } from "spawn-audit/shim";
 * const clock: Clock = {
 *   now: () => Date.now(),
 *   setTimeout: (fn, ms) => setTimeout(fn, ms),
 *   clearTimeout: (handle) => clearTimeout(handle as number),
 * };
 * const supervisor = new TaskSupervisor({ clock });
 * ```
 */
export interface Clock {
  /** Current time in ms on a monotonic timeline (the origin does not matter). */
  now(): number;
  /** Call `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancel a timer created by this clock's `setTimeout`; unknown handles are ignored. */
  clearTimeout(handle: unknown): void;
}

import { observeRejection } from "./guard.ts";

// Read once: on Node `globalThis.performance` is a lazy getter, costly on a per-task path.
const performance = globalThis.performance;

/**
 * The default clock: `performance.now()` and the global `setTimeout` /
 * `clearTimeout` (web-standard, so the same on Node, Deno, Bun and browsers).
 *
 * @example
 * ```ts
 * import { systemClock } from "spawn-audit/shim";
 * const t0 = systemClock.now(); // ms
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * Wrap a user-supplied clock so that reading the time or cancelling a timer
 * never throws: a throwing or non-finite `now()` is handed to `onFailure`
 * and the last good time (0 before any) is returned instead; a throwing
 * `clearTimeout` is handed to `onFailure`. A hook that returns a promise
 * (an async `now`, `setTimeout` or `clearTimeout`) has its rejection handed
 * to `onFailure` too, never left unhandled. `setTimeout` still throws what
 * the clock throws, because its caller must react (a timer that was never
 * set will never fire; see {@link setTimer} for one that rejects).
 *
 * @param clock the user's clock
 * @param onFailure receives each failure (must not throw)
 * @returns a clock with the same timers
 */
export function guardClock(clock: Clock, onFailure: (error: unknown) => void): Clock {
  let last = 0;
  return {
    now: () => {
      try {
        const now = clock.now();
        if (Number.isFinite(now)) return (last = now);
        observeRejection(now, onFailure);
        onFailure(new TypeError(`clock.now() returned ${String(now)}, not a finite number`));
      } catch (error) {
        onFailure(error);
      }
      return last;
    },
    setTimeout: (callback, ms) => {
      const handle = clock.setTimeout(callback, ms);
      observeRejection(handle, onFailure);
      return handle;
    },
    clearTimeout: (handle) => {
      try {
        observeRejection(clock.clearTimeout(handle), onFailure);
      } catch (error) {
        onFailure(error);
      }
    },
  };
}

/** The longest delay timers honour (2^31 − 1 ms, about 24.8 days): Node and browsers fire a longer one at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Call `callback` once after `ms` ms on `clock`, for any `ms`: a delay above
 * {@link MAX_TIMER_MS} is waited in steps of at most that, so it never fires
 * early, and `Infinity` never fires. A `setTimeout` that throws throws here
 * (the first step) or is handed to `onFailure` (a later one); one that
 * returns a promise that rejects hands the rejection to `onFailure` (the
 * timer will not fire).
 *
 * @param clock the clock to schedule on
 * @param callback what to call when the time is up
 * @param ms the delay in ms, ≥ 0 (`Infinity`: never)
 * @param onFailure receives a failure of the clock after the first step, or an async one
 * @returns a function that cancels the timer
 */
export function setTimer(
  clock: Clock,
  callback: () => void,
  ms: number,
  onFailure: (error: unknown) => void,
): () => void {
  let handle: unknown;
  let left = ms;
  const arm = (): void => {
    const step = Math.min(left, MAX_TIMER_MS);
    left -= step;
    handle = clock.setTimeout(() => {
      if (left <= 0) return callback();
      try {
        arm();
      } catch (error) {
        onFailure(error);
      }
    }, step);
    observeRejection(handle, onFailure);
  };
  arm();
  return () => clock.clearTimeout(handle);
}

/**
 * Wait `ms` on `clock`, racing `signal`: the timer is cleared the moment the
 * signal aborts and the abort listener is removed when the timer fires, so a
 * sleep never outlives the task that started it. Any delay is honoured (see
 * {@link setTimer}). A `setTimeout` that throws, or whose promise rejects,
 * rejects the returned promise with that error (use a clock from
 * {@link guardClock}, whose `clearTimeout` cannot throw).
 *
 * @param clock the clock to schedule on
 * @param ms how long to wait, in ms
 * @param signal the abort signal to race
 * @returns `true` when the full delay elapsed, `false` when `signal` aborted first
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      cancel();
      resolve(false);
    };
    const cancel = setTimer(
      clock,
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve(true);
      },
      ms,
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
