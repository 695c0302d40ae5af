import { observeRejection } from "./guard.ts";
import { check, checkOneOf, merge } from "./options.ts";

/**
 * How a backoff delay is randomised before it is clamped to the cap:
 * `multiplicative` (delay × a uniform factor in [1 − ratio, 1 + ratio]),
 * `full` (uniform in [0, delay], AWS "full jitter"), `decorrelated`
 * (uniform in [initial, 3 × previous delay], AWS "decorrelated jitter") or
 * `none` (deterministic, for tests).
 *
 * @example
 * ```ts
 * import { spawnSupervised } from "spawn-audit/shim";
 * spawnSupervised("poller", () => poll(), { backoff: { jitter: "full" } });
 * ```
 */
export type Jitter = "none" | "multiplicative" | "full" | "decorrelated";

/**
 * Exponential backoff between restarts: the delay after the n-th consecutive
 * failure is `min(maxMs, initialMs × factor^(n−1))`, then jittered and clamped
 * to `[0, maxMs]` (as hero_shrimp's spawn_supervised, 1 s → 60 s; Akka
 * BackoffSupervisor's minBackoff/maxBackoff/randomFactor).
 *
 * @example
 * ```ts
 * import { spawnSupervised } from "spawn-audit/shim";
 * spawnSupervised("poller", () => poll(), {
 *   backoff: { initialMs: 500, factor: 2, maxMs: 30_000, jitter: "multiplicative", jitterRatio: 0.2 },
 * });
 * ```
 */
export interface Backoff {
  /** Delay after the first failure, in ms (default 1000). */
  initialMs: number;
  /** Growth factor per further consecutive failure, ≥ 1 (default 2). */
  factor: number;
  /** Cap on every delay, jitter included, in ms (default 60000). */
  maxMs: number;
  /** Randomisation applied before clamping (default `multiplicative`). */
  jitter: Jitter;
  /** Spread of `multiplicative` jitter, in [0, 1] (default 0.2 = ±20%). */
  jitterRatio: number;
}

/** Backoff defaults: 1000 ms, ×2, cap 60000 ms, multiplicative jitter ±20%. */
export const defaultBackoff: Readonly<Backoff> = Object.freeze({
  initialMs: 1000,
  factor: 2,
  maxMs: 60_000,
  jitter: "multiplicative",
  jitterRatio: 0.2,
});

const JITTERS: readonly Jitter[] = ["none", "multiplicative", "full", "decorrelated"];

/**
 * Fill in defaults and validate a partial backoff.
 *
 * @param layers caller's overrides, lowest precedence first (e.g. the supervisor's defaults, then the task's); `undefined` values are left out
 * @returns a complete backoff
 * @throws {RangeError} when a value is negative, not finite, `factor` < 1,
 *   `jitterRatio` outside [0, 1] or `jitter` unknown
 */
export function resolveBackoff(...layers: (Partial<Backoff> | undefined)[]): Backoff {
  const backoff = merge(defaultBackoff, ...layers) as Backoff;
  for (const [key, min] of [["initialMs", 0], ["maxMs", 0], ["factor", 1]] as const) {
    const value = backoff[key];
    check(Number.isFinite(value) && value >= min, `backoff.${key}`, `a finite number ≥ ${min}`, value);
  }
  check(backoff.jitterRatio >= 0 && backoff.jitterRatio <= 1, "backoff.jitterRatio", "in [0, 1]", backoff.jitterRatio);
  checkOneOf(JITTERS, "backoff.jitter", backoff.jitter);
  return backoff;
}

/**
 * The un-jittered delay after `failures` consecutive failures:
 * `min(maxMs, initialMs × factor^(failures−1))`, computed without overflow
 * (a huge failure count gives `maxMs`, never `Infinity` or `NaN`).
 *
 * @param failures consecutive failures so far, ≥ 1 (smaller counts as 1)
 * @param backoff a resolved backoff
 * @returns the delay in ms, in [0, maxMs]
 */
export function exponentialDelay(failures: number, backoff: Backoff): number {
  const { initialMs, factor, maxMs } = backoff;
  // factor^n may overflow to Infinity, which the cap absorbs; only 0 × Infinity (NaN) needs initialMs 0 apart.
  return initialMs === 0 ? 0 : Math.min(maxMs, initialMs * factor ** (failures > 1 ? Math.floor(failures) - 1 : 0));
}

/**
 * The delay before the next restart: exponential, jittered, then clamped to
 * `[0, maxMs]`.
 *
 * @param failures consecutive failures so far, ≥ 1
 * @param backoff a resolved backoff
 * @param random uniform source in [0, 1) (default `Math.random`)
 * @param previousMs the previous delay in ms, used by `decorrelated` jitter
 * @returns the delay in ms, finite and in [0, maxMs]
 */
export function backoffDelay(
  failures: number,
  backoff: Backoff,
  random: () => number = Math.random,
  previousMs?: number,
): number {
  const { initialMs, maxMs, jitter } = backoff;
  const base = exponentialDelay(failures, backoff);
  const delay = jitter === "none"
    ? base
    : jitter === "multiplicative"
    ? base * (1 + backoff.jitterRatio * (2 * random() - 1))
    : jitter === "full"
    ? base * random()
    : initialMs + (Math.max(initialMs, 3 * (previousMs ?? initialMs)) - initialMs) * random(); // decorrelated
  return Number.isFinite(delay) ? Math.min(maxMs, Math.max(0, delay)) : maxMs;
}

/**
 * Wrap a user-supplied jitter source: a throw, or a value outside [0, 1),
 * is handed to `onFailure` and 0.5 (the midpoint: no jitter bias) is used;
 * so is the rejection of a promise it returns (an async source).
 *
 * @param random the user's uniform source
 * @param onFailure receives each failure (must not throw)
 * @returns a source that always returns a number in [0, 1)
 */
export function guardRandom(random: () => number, onFailure: (error: unknown) => void): () => number {
  return () => {
    try {
      const value = random();
      if (value >= 0 && value < 1) return value;
      observeRejection(value, onFailure);
      onFailure(new RangeError(`random() returned ${String(value)}, not a number in [0, 1)`));
    } catch (error) {
      onFailure(error);
    }
    return 0.5;
  };
}
