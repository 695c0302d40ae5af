/**
 * Attempt durations: a fixed-bucket histogram per task name and per class,
 * counted by how each attempt ended.
 *
 * Buckets are log-scale, a 1-2-5 series from 1 ms to 10 min (see
 * {@link DURATION_BUCKETS_MS}); a bucket holds the durations above the
 * previous bound up to and including its own, and a last bucket holds
 * everything longer than 10 min. Percentiles are the upper bound of the
 * bucket holding that rank (nearest rank, `ceil(q × count)`), not
 * interpolated, clamped to the observed `[minMs, maxMs]`: an estimate exact
 * to a bucket, never below the shortest nor above the longest attempt.
 *
 * @module
 */
import type { AttemptOutcome } from "./types.ts";

/** The four attempt outcomes, in the order `stats()` lists them. */
const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ["returned", "threw", "timedOut", "aborted"];

/**
 * Bucket upper bounds in ms, inclusive: 1, 2, 5, 10, 20, 50, 100, 200, 500 ms,
 * 1, 2, 5, 10, 20, 50, 100, 200, 500 s and 10 min (a 1-2-5 log series closed
 * at 10 min); one more bucket holds everything longer than 10 min.
 */
export const DURATION_BUCKETS_MS: readonly number[] = [
  1,
  2,
  5,
  10,
  20,
  50,
  100,
  200,
  500,
  1_000,
  2_000,
  5_000,
  10_000,
  20_000,
  50_000,
  100_000,
  200_000,
  500_000,
  600_000,
];

/**
 * Attempts of one outcome: how many, and how many fell in each bucket
 * (`buckets[i]` counts durations ≤ `DURATION_BUCKETS_MS[i]` and above the
 * bound before; the last entry counts those over 10 min).
 */
export interface OutcomeCounts {
  /** Attempts with this outcome. */
  count: number;
  /** Per-bucket counts, `DURATION_BUCKETS_MS.length + 1` entries. */
  buckets: number[];
}

/**
 * Duration statistics of task attempts, in ms (0 when `count` is 0). The
 * percentiles are bucket upper bounds clamped to `[minMs, maxMs]` (see the
 * module notes), over attempts of every outcome.
 *
 * @example
 * ```ts
 * import { TaskSupervisor } from "spawn-audit/shim";
 * const supervisor = new TaskSupervisor();
 * await supervisor.run("job", () => 42);
 * const { count, p95Ms, outcomes } = supervisor.stats().tasks["job"]!;
 * console.log(count, p95Ms, outcomes.threw.count);
 * ```
 */
export interface DurationStats {
  /** Attempts recorded, of every outcome. */
  count: number;
  /** Shortest attempt, ms. */
  minMs: number;
  /** Longest attempt, ms. */
  maxMs: number;
  /** Median estimate, ms. */
  p50Ms: number;
  /** 95th percentile estimate, ms. */
  p95Ms: number;
  /** 99th percentile estimate, ms. */
  p99Ms: number;
  /** Counts and bucket counts by attempt outcome. */
  outcomes: Record<AttemptOutcome, OutcomeCounts>;
}

/** Index of the bucket holding `ms` (already ≥ 0). */
function bucketOf(ms: number): number {
  let bucket = 0;
  while (bucket < DURATION_BUCKETS_MS.length && ms > DURATION_BUCKETS_MS[bucket]!) bucket++;
  return bucket;
}

/** One count per bucket, all 0. */
function zeros(): number[] {
  return new Array<number>(DURATION_BUCKETS_MS.length + 1).fill(0);
}

/** A fixed-bucket histogram of attempt durations in ms, by outcome; constant memory per instance. */
export class DurationHistogram {
  /** Bucket counts per outcome, made on the first attempt of that outcome (a Map: keyed loads on a plain object cost more on this per-task path). */
  readonly #byOutcome = new Map<AttemptOutcome, number[]>();
  #count = 0;
  #min = Infinity;
  #max = 0;

  /**
   * Record one attempt.
   *
   * @param ms duration in ms (negative or NaN values count as 0)
   * @param outcome how the attempt ended
   */
  record(ms: number, outcome: AttemptOutcome): void {
    const value = ms > 0 ? ms : 0;
    let counts = this.#byOutcome.get(outcome);
    if (counts === undefined) this.#byOutcome.set(outcome, counts = zeros());
    counts[bucketOf(value)]!++;
    this.#count++;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /**
   * Summarise what was recorded.
   *
   * @returns count, min, max, p50/p95/p99 estimates in ms and the counts by outcome
   */
  summary(): DurationStats {
    const outcomes = {} as Record<AttemptOutcome, OutcomeCounts>;
    const total = zeros();
    for (const outcome of ATTEMPT_OUTCOMES) {
      const buckets = this.#byOutcome.get(outcome)?.slice() ?? zeros();
      let count = 0;
      buckets.forEach((n, i) => {
        count += n;
        total[i]! += n;
      });
      outcomes[outcome] = { count, buckets };
    }
    // With nothing recorded every percentile is #max, 0; #min is still Infinity.
    return {
      count: this.#count,
      minMs: this.#count === 0 ? 0 : this.#min,
      maxMs: this.#max,
      p50Ms: this.#quantile(total, 0.5),
      p95Ms: this.#quantile(total, 0.95),
      p99Ms: this.#quantile(total, 0.99),
      outcomes,
    };
  }

  #quantile(total: readonly number[], q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let bucket = 0; bucket < total.length; bucket++) {
      seen += total[bucket]!;
      if (seen >= rank) {
        const upper = DURATION_BUCKETS_MS[bucket] ?? this.#max;
        return Math.min(this.#max, Math.max(this.#min, upper));
      }
    }
    return this.#max;
  }
}
