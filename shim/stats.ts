/**
 * Duration statistics of task attempts, from a small fixed-bucket histogram:
 * `p50Ms`/`p95Ms` are the upper bound of the bucket holding that rank,
 * clamped to the observed `[minMs, maxMs]` (so they are estimates, exact to
 * a bucket). All values in ms; 0 when `count` is 0.
 *
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * await supervisor.run("job", () => 42);
 * const { count, p95Ms } = supervisor.stats().tasks["job"]!;
 * ```
 */
export interface DurationStats {
  /** Attempts recorded. */
  count: number;
  /** Shortest attempt, ms. */
  minMs: number;
  /** Longest attempt, ms. */
  maxMs: number;
  /** Median estimate, ms. */
  p50Ms: number;
  /** 95th percentile estimate, ms. */
  p95Ms: number;
}

/**
 * Bucket upper bounds in ms (zeph's nine background-task buckets 1 ms … 30 s,
 * extended to 5 min); a last bucket holds everything longer.
 */
export const DURATION_BUCKETS_MS: readonly number[] = [1, 5, 10, 50, 100, 500, 1000, 5000, 30_000, 60_000, 300_000];

/** A fixed-bucket histogram of durations in ms; constant memory per instance. */
export class DurationHistogram {
  readonly #counts = new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0);
  #count = 0;
  #min = Infinity;
  #max = 0;

  /**
   * Record one duration.
   *
   * @param ms duration in ms (negative or NaN values count as 0)
   */
  record(ms: number): void {
    const value = ms > 0 ? ms : 0;
    let bucket = 0;
    while (bucket < DURATION_BUCKETS_MS.length && value > DURATION_BUCKETS_MS[bucket]!) bucket++;
    this.#counts[bucket]!++;
    this.#count++;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /**
   * Summarise what was recorded.
   *
   * @returns count, min, max and p50/p95 estimates in ms
   */
  summary(): DurationStats {
    if (this.#count === 0) return { count: 0, minMs: 0, maxMs: 0, p50Ms: 0, p95Ms: 0 };
    return {
      count: this.#count,
      minMs: this.#min,
      maxMs: this.#max,
      p50Ms: this.#quantile(0.5),
      p95Ms: this.#quantile(0.95),
    };
  }

  #quantile(q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let bucket = 0; bucket < this.#counts.length; bucket++) {
      seen += this.#counts[bucket]!;
      if (seen >= rank) {
        const upper = DURATION_BUCKETS_MS[bucket] ?? this.#max;
        return Math.min(this.#max, Math.max(this.#min, upper));
      }
    }
    return this.#max;
  }
}
