import { type Backoff, resolveBackoff } from "./backoff.ts";
import { MAX_TIMER_MS } from "./clock.ts";
import { check, checkCount, checkOneOf, merge } from "./options.ts";

/**
 * When a task is started again after its factory's promise settles:
 * `on-failure` restarts only after a throw or rejection (Erlang/OTP
 * `transient`, zeph `Restart`), `always` also restarts a normal return
 * (OTP `permanent`, hero_shrimp's durable loops), `never` records the
 * outcome and stops (OTP `temporary`). An abort always ends the task.
 *
 * @example
 * ```ts
 * import { spawnSupervised } from "spawn-audit/shim";
 * spawnSupervised("heartbeat", () => beatOnce(), { restart: "always" });
 * ```
 */
export type RestartPolicy = "on-failure" | "always" | "never";

/**
 * Restart intensity, as the Erlang/OTP supervisor's `intensity`/`period`:
 * a task that would be restarted more than `maxRestarts` times within any
 * `withinMs` window is marked `failed` instead.
 *
 * @example
 * ```ts
 * import { spawnSupervised } from "spawn-audit/shim";
 * spawnSupervised("consumer", () => consume(), { intensity: { maxRestarts: 5, withinMs: 60_000 } });
 * ```
 */
export interface RestartIntensity {
  /** Restarts allowed within the window (OTP `intensity`), ≥ 0. */
  maxRestarts: number;
  /** Window length in ms (OTP `period`, there in seconds), > 0. */
  withinMs: number;
}

/**
 * The restart settings of one task; every field is optional and falls back to
 * the supervisor's `defaults`, then to the shim's defaults.
 *
 * @example
 * ```ts
 * import { spawnSupervised } from "spawn-audit/shim";
 * spawnSupervised("watcher", (signal) => watch(signal), {
 *   restart: "on-failure",
 *   maxConsecutiveFailures: 5,
 *   resetAfterMs: 30_000,
 *   backoff: { initialMs: 250 },
 * });
 * ```
 */
export interface RestartOptions {
  /** Restart policy (default `on-failure`). */
  restart?: RestartPolicy;
  /** Backoff between restarts (defaults: 1000 ms, ×2, cap 60000 ms, ±20% jitter). */
  backoff?: Partial<Backoff>;
  /**
   * Consecutive failures after which the supervisor gives up and marks the
   * task `failed` (default 10, i.e. at most 9 restarts in a row; 1 = never
   * restart but keep the failure on record, like zeph `Restart { max: 0 }`).
   * `Infinity` never gives up.
   */
  maxConsecutiveFailures?: number;
  /** An attempt that ran at least this long, in ms, resets the failure count and backoff (default 60000). */
  resetAfterMs?: number;
  /** Optional OTP-style restart intensity (default: none). */
  intensity?: RestartIntensity;
  /**
   * Whether a failed attempt may be restarted, as p-retry's `shouldRetry` or
   * cockatiel's `handleWhen`: called synchronously with what the attempt
   * threw (a `TaskTimeoutError` for a timed-out attempt) and the attempt
   * number that failed; a falsy answer ends the task `failed` at once, with
   * no restart. Not called for a return under `always`, nor under `never`.
   * A predicate that throws or returns a promise is reported as a
   * `hookError` and counts as a "no" (default: every failure may restart).
   */
  shouldRestart?: (error: unknown, attempt: number) => boolean;
  /**
   * Longest an attempt may run, in ms (default: no limit, as `Infinity`;
   * else at most 2147483647, the longest timer delay). When it passes, the attempt's
   * signal aborts with a `TaskTimeoutError` reason and the attempt ends with
   * outcome `timedOut`: the restart policy treats it as a failure
   * (`on-failure` and `always` restart it, `never` ends the task `failed`),
   * counted toward `maxConsecutiveFailures`. Whatever the abandoned attempt
   * settles with later is ignored.
   */
  attemptTimeoutMs?: number;
}

/** Restart options with every default applied and validated. */
export interface ResolvedRestart {
  restart: RestartPolicy;
  backoff: Backoff;
  maxConsecutiveFailures: number;
  resetAfterMs: number;
  intensity: RestartIntensity | undefined;
  shouldRestart: ((error: unknown, attempt: number) => boolean) | undefined;
  attemptTimeoutMs: number | undefined;
}

const POLICIES: readonly RestartPolicy[] = ["on-failure", "always", "never"];

/**
 * Merge task options over supervisor defaults over the shim defaults, and
 * validate them.
 *
 * @param options the task's options
 * @param defaults the supervisor's defaults
 * @returns complete restart settings
 * @throws {RangeError} on an unknown policy, `maxConsecutiveFailures` < 1 or
 *   not an integer, a negative or non-finite `resetAfterMs`, an
 *   `attemptTimeoutMs` that is not in (0, 2147483647] nor `Infinity`, or an invalid backoff
 *   or intensity
 * @throws {TypeError} when `shouldRestart` is given and is not a function
 */
export function resolveRestart(options: RestartOptions = {}, defaults: RestartOptions = {}): ResolvedRestart {
  const merged = merge(defaults, options);
  const restart = checkOneOf(POLICIES, "restart", merged.restart ?? "on-failure");
  const maxConsecutiveFailures = checkCount("maxConsecutiveFailures", merged.maxConsecutiveFailures ?? 10, 1, true);
  const resetAfterMs = merged.resetAfterMs ?? 60_000;
  check(resetAfterMs >= 0, "resetAfterMs", "a number of ms ≥ 0", resetAfterMs);
  const { intensity, shouldRestart } = merged;
  // Infinity is no limit at all: no timer is set (a timer of Infinity ms would fire at once).
  const attemptTimeoutMs = merged.attemptTimeoutMs === Infinity ? undefined : merged.attemptTimeoutMs;
  if (intensity !== undefined) {
    check(intensity.maxRestarts >= 0, "intensity.maxRestarts", "a number ≥ 0", intensity.maxRestarts);
    check(intensity.withinMs > 0, "intensity.withinMs", "a number of ms > 0", intensity.withinMs);
  }
  if (shouldRestart !== undefined && typeof shouldRestart !== "function") {
    throw new TypeError(`shouldRestart must be a function (error, attempt) => boolean, got ${typeof shouldRestart}`);
  }
  check(
    attemptTimeoutMs === undefined || (attemptTimeoutMs > 0 && attemptTimeoutMs <= MAX_TIMER_MS),
    "attemptTimeoutMs",
    `a number of ms in (0, ${MAX_TIMER_MS}]`,
    attemptTimeoutMs,
  );
  const backoff = resolveBackoff(defaults.backoff, options.backoff);
  return { restart, backoff, maxConsecutiveFailures, resetAfterMs, intensity, shouldRestart, attemptTimeoutMs };
}

/**
 * Whether `options` sets any restart option, i.e. whether `resolveRestart`
 * could give anything but the supervisor's resolved defaults.
 *
 * @param options a task's options
 * @returns true when a restart option is present and not `undefined`
 */
export function hasRestartOptions(options: RestartOptions): boolean {
  return (
    options.restart !== undefined ||
    options.backoff !== undefined ||
    options.maxConsecutiveFailures !== undefined ||
    options.resetAfterMs !== undefined ||
    options.intensity !== undefined ||
    options.shouldRestart !== undefined ||
    options.attemptTimeoutMs !== undefined
  );
}

/**
 * A sliding window counting restarts, as the Erlang/OTP supervisor's restart
 * intensity: `admit(now)` records a restart and says whether it is still
 * within `maxRestarts` per `withinMs`.
 */
export class IntensityWindow {
  readonly #limit: RestartIntensity;
  readonly #times: number[] = [];

  /**
   * Create an empty window.
   *
   * @param limit at most `maxRestarts` restarts within `withinMs` ms
   */
  constructor(limit: RestartIntensity) {
    this.#limit = limit;
  }

  /**
   * Record a restart at `now` if the intensity allows it.
   *
   * @param now current clock time in ms
   * @returns true when the restart is allowed (and was recorded), false when it would exceed the intensity
   */
  admit(now: number): boolean {
    // With none recorded, now - undefined is NaN and the loop ends.
    while (now - this.#times[0]! >= this.#limit.withinMs) this.#times.shift();
    if (this.#times.length >= this.#limit.maxRestarts) return false;
    this.#times.push(now);
    return true;
  }
}
