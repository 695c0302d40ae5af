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
  now: () => globalThis.performance.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * Wait `ms` on `clock`, racing `signal`: the timer is cleared the moment the
 * signal aborts and the abort listener is removed when the timer fires, so a
 * sleep never outlives the task that started it. The clock is user code: a
 * throwing `setTimeout` rejects the returned promise with what it threw, and
 * a throwing `clearTimeout` is handed to `onClockError` (the sleep still
 * ends as aborted).
 *
 * @param clock the clock to schedule on
 * @param ms how long to wait, in ms
 * @param signal the abort signal to race
 * @param onClockError receives what `clearTimeout` threw (must not throw)
 * @returns `true` when the full delay elapsed, `false` when `signal` aborted first
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal, onClockError: (error: unknown) => void): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      try {
        clock.clearTimeout(handle);
      } catch (error) {
        onClockError(error);
      }
      resolve(false);
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
