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
 * `clearTimeout` is handed to `onFailure`. `setTimeout` still throws what
 * the clock throws, because its caller must react (a timer that was never
 * set will never fire).
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
        onFailure(new TypeError(`clock.now() returned ${String(now)}, not a finite number`));
      } catch (error) {
        onFailure(error);
      }
      return last;
    },
    setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
    clearTimeout: (handle) => {
      try {
        clock.clearTimeout(handle);
      } catch (error) {
        onFailure(error);
      }
    },
  };
}

/**
 * Wait `ms` on `clock`, racing `signal`: the timer is cleared the moment the
 * signal aborts and the abort listener is removed when the timer fires, so a
 * sleep never outlives the task that started it. A throwing `setTimeout`
 * rejects the returned promise with what it threw (use a clock from
 * {@link guardClock}, whose `clearTimeout` cannot throw).
 *
 * @param clock the clock to schedule on
 * @param ms how long to wait, in ms
 * @param signal the abort signal to race
 * @returns `true` when the full delay elapsed, `false` when `signal` aborted first
 */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      resolve(false);
    };
    const handle = clock.setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
