/**
 * Guards for calls into user code whose result may be a promise: a sync
 * throw is caught by the caller, and this module routes the rejection of a
 * returned thenable, so neither escapes as an uncaught exception or an
 * unhandled rejection.
 *
 * @module
 */

/**
 * If `result` is a thenable, hand its rejection to `onRejected`; reading
 * `then` or calling it may throw too, which goes the same way. Anything
 * else is ignored. Never throws as long as `onRejected` does not.
 *
 * @param result what a user callback returned
 * @param onRejected receives the rejection reason (or what `then` threw)
 */
export function observeRejection(result: unknown, onRejected: (error: unknown) => void): void {
  if ((typeof result !== "object" || result === null) && typeof result !== "function") return;
  try {
    const then = (result as { then?: unknown }).then;
    if (typeof then === "function") then.call(result, undefined, onRejected);
  } catch (error) {
    onRejected(error);
  }
}

/**
 * The last channel for a failure nothing else could report: one line on
 * `console.error`, itself guarded (a missing or throwing console is ignored).
 *
 * @param line what to print
 */
export function lastResort(line: string): void {
  try {
    globalThis.console?.error(`spawn-audit/shim: ${line}`);
  } catch {
    // Nowhere left to report to.
  }
}
