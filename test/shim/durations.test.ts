// Attempt durations: log-scale buckets by outcome per task name and class, p50/p95/p99, and their place in snapshot().
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DURATION_BUCKETS_MS, DurationHistogram } from "../../shim/stats.ts";
import type { AttemptOutcome } from "../../shim/types.ts";
import { setup, untilAborted } from "./helpers.ts";
import type { ManualClock } from "./manual-clock.ts";

/** Bucket counts with `counts[index]` set and every other bucket 0. */
function buckets(counts: Record<number, number>): number[] {
  return Array.from({ length: DURATION_BUCKETS_MS.length + 1 }, (_, index) => counts[index] ?? 0);
}

/** A factory settling after `ms` on the manual clock: resolving, or rejecting when `fail`. */
function after(clock: ManualClock, ms: number, fail = false) {
  return () =>
    new Promise<void>((resolve, reject) => {
      clock.setTimeout(() => (fail ? reject(new Error(`failed after ${ms} ms`)) : resolve()), ms);
    });
}

describe("duration buckets", () => {
  test("bounds are a 1-2-5 series from 1 ms closed at 10 min", () => {
    assert.equal(DURATION_BUCKETS_MS[0], 1);
    assert.equal(DURATION_BUCKETS_MS.at(-1), 600_000);
    for (let i = 1; i < DURATION_BUCKETS_MS.length - 1; i++) {
      const ratio = DURATION_BUCKETS_MS[i]! / DURATION_BUCKETS_MS[i - 1]!;
      assert.ok(
        ratio === 2 || ratio === 2.5,
        `bound ${DURATION_BUCKETS_MS[i]} follows ${DURATION_BUCKETS_MS[i - 1]} by ×2 or ×2.5`,
      );
    }
  });

  test("exact bucket counts by outcome, per task name and per class, on the manual clock", async () => {
    const { supervisor, clock } = setup();
    const options = { class: "batch" };
    // Bucket indexes: ≤1 → 0, ≤2 → 1, ≤5 → 2, ≤10 → 3, ≤50 → 5, ≤1000 → 9, ≤2000 → 10, ≤600000 → 18, beyond → 19.
    for (const ms of [0, 1, 2, 3, 700, 600_000, 600_001]) supervisor.spawnLogged("job", after(clock, ms), options);
    for (const ms of [5, 6, 1_500]) supervisor.spawnLogged("job", after(clock, ms, true), options);
    supervisor.spawn("slow", () => new Promise(() => {}), { ...options, restart: "never", attemptTimeoutMs: 50 });
    const cancelled = supervisor.spawnLogged("job", untilAborted, options);
    await clock.advance(30);
    cancelled.abort();
    await clock.advance(700_000);

    const job = supervisor.stats().tasks["job"]!;
    const expected: Record<AttemptOutcome, number[]> = {
      returned: buckets({ 0: 2, 1: 1, 2: 1, 9: 1, 18: 1, 19: 1 }),
      threw: buckets({ 2: 1, 3: 1, 10: 1 }),
      timedOut: buckets({}),
      aborted: buckets({ 5: 1 }),
    };
    for (const outcome of Object.keys(expected) as AttemptOutcome[]) {
      assert.deepEqual(job.outcomes[outcome].buckets, expected[outcome], outcome);
    }
    assert.deepEqual(
      [
        job.count,
        job.outcomes.returned.count,
        job.outcomes.threw.count,
        job.outcomes.aborted.count,
        job.minMs,
        job.maxMs,
      ],
      [11, 7, 3, 1, 0, 600_001],
    );
    assert.deepEqual(supervisor.stats().tasks["slow"]!.outcomes.timedOut.buckets, buckets({ 5: 1 }));

    const batch = supervisor.stats().classes["batch"]!;
    assert.equal(batch.count, 12);
    assert.deepEqual(batch.outcomes.timedOut.buckets, buckets({ 5: 1 }));
    assert.deepEqual(batch.outcomes.aborted.buckets, buckets({ 5: 1 }));
    assert.deepEqual(batch.outcomes.returned.buckets, expected.returned);
  });
});

describe("percentiles", () => {
  test("nearest-rank bucket upper bounds for 1..100 ms", () => {
    const histogram = new DurationHistogram();
    for (let ms = 1; ms <= 100; ms++) histogram.record(ms, "returned");
    const { p50Ms, p95Ms, p99Ms, count } = histogram.summary();
    // Rank 50 is 50 ms, in (20, 50]; ranks 95 and 99 are in (50, 100].
    assert.deepEqual({ count, p50Ms, p95Ms, p99Ms }, { count: 100, p50Ms: 50, p95Ms: 100, p99Ms: 100 });
  });

  test("a skewed distribution across outcomes, with the overflow bucket clamped to the maximum", () => {
    const histogram = new DurationHistogram();
    for (let i = 0; i < 90; i++) histogram.record(3, "returned");
    for (let i = 0; i < 8; i++) histogram.record(150, "threw");
    for (let i = 0; i < 2; i++) histogram.record(700_000, "timedOut");
    const summary = histogram.summary();
    // Rank 50 in (2, 5]; rank 95 in (100, 200]; rank 99 beyond 10 min, so the longest attempt.
    assert.deepEqual([summary.p50Ms, summary.p95Ms, summary.p99Ms], [5, 200, 700_000]);
  });

  test("estimates never leave the observed range; empty and odd inputs", () => {
    const histogram = new DurationHistogram();
    const empty = histogram.summary();
    assert.deepEqual([empty.count, empty.minMs, empty.maxMs, empty.p50Ms, empty.p95Ms, empty.p99Ms], [
      0,
      0,
      0,
      0,
      0,
      0,
    ]);
    assert.equal(empty.outcomes.returned.buckets.length, DURATION_BUCKETS_MS.length + 1);
    for (let i = 0; i < 10; i++) histogram.record(31, "returned");
    histogram.record(-5, "aborted");
    histogram.record(Number.NaN, "aborted");
    const summary = histogram.summary();
    assert.deepEqual([summary.minMs, summary.maxMs, summary.p50Ms, summary.p99Ms], [0, 31, 31, 31]);
    assert.deepEqual(summary.outcomes.aborted.buckets, buckets({ 0: 2 }));
  });
});

describe("snapshot", () => {
  test("uptime of active tasks and the percentiles of their name", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawn("svc", after(clock, 40), { restart: "always", backoff: { initialMs: 10, jitter: "none" } });
    supervisor.spawn("broken", () => Promise.reject(new Error("no")), { restart: "never" });
    await clock.advance(200);
    const [svc, broken] = supervisor.snapshot();
    assert.equal(svc!.name, "svc");
    assert.equal(svc!.uptimeMs, 200);
    // Every svc attempt took 40 ms: bucket (20, 50], clamped to the 40 ms observed.
    assert.deepEqual([svc!.p50Ms, svc!.p95Ms, svc!.p99Ms], [40, 40, 40]);
    assert.equal(broken!.status, "failed");
    assert.equal(broken!.uptimeMs, undefined, "an ended task has no uptime");
    assert.equal(broken!.p95Ms, 0);
    const stopping = supervisor.shutdown({ timeoutMs: 0 }); // svc's attempts ignore their signal: cut off at once
    await clock.advance(0);
    await stopping;
  });
});
