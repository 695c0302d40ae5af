// Backoff, restart policy and restart intensity as plain values, tested alone (which outcomes each policy restarts: through a supervisor).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { backoffDelay, exponentialDelay, type Jitter, resolveBackoff } from "../../shim/backoff.ts";
import { IntensityWindow, resolveRestart } from "../../shim/policy.ts";
import { setup } from "./helpers.ts";

describe("backoff", () => {
  test("defaults are 1000 ms, ×2, capped at 60000 ms, ±20% jitter", () => {
    assert.deepEqual(resolveBackoff(), {
      initialMs: 1000,
      factor: 2,
      maxMs: 60_000,
      jitter: "multiplicative",
      jitterRatio: 0.2,
    });
  });

  test("exponential: 1×, 2×, 4× the initial delay, then the cap", () => {
    const backoff = resolveBackoff({ jitter: "none" });
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => exponentialDelay(n, backoff)), [
      1000,
      2000,
      4000,
      8000,
      16000,
      32000,
      60000,
      60000,
    ]);
  });

  test("no overflow at high failure counts: n = 10000 gives the cap", () => {
    for (const jitter of ["none", "multiplicative", "full", "decorrelated"] as Jitter[]) {
      const backoff = resolveBackoff({ jitter });
      const delay = backoffDelay(10_000, backoff, () => 0.999999, 60_000);
      assert.ok(Number.isFinite(delay) && delay <= 60_000 && delay >= 0, `${jitter}: ${delay}`);
    }
    assert.equal(exponentialDelay(10_000, resolveBackoff({ factor: 10 })), 60_000);
    assert.equal(exponentialDelay(Number.MAX_SAFE_INTEGER, resolveBackoff()), 60_000);
    assert.equal(exponentialDelay(5, resolveBackoff({ initialMs: 0 })), 0);
  });

  test("every jitter stays finite and within [0, cap] (property)", () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 100_000 }),
      fc.constantFrom<Jitter>("none", "multiplicative", "full", "decorrelated"),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      fc.integer({ min: 0, max: 10_000 }),
      fc.integer({ min: 0, max: 120_000 }),
      fc.double({ min: 1, max: 10, noNaN: true }),
      (failures, jitter, random, initialMs, maxMs, factor) => {
        const backoff = resolveBackoff({ jitter, initialMs, maxMs, factor });
        const delay = backoffDelay(failures, backoff, () => random, maxMs);
        return Number.isFinite(delay) && delay >= 0 && delay <= maxMs;
      },
    ));
  });

  test("multiplicative jitter spreads ±ratio around the exponential delay, clamped to the cap", () => {
    const backoff = resolveBackoff({ initialMs: 1000, jitterRatio: 0.2 });
    assert.equal(backoffDelay(1, backoff, () => 0), 800);
    assert.equal(backoffDelay(1, backoff, () => 0.5), 1000);
    assert.ok(Math.abs(backoffDelay(1, backoff, () => 0.999999) - 1200) < 0.01);
    assert.equal(backoffDelay(20, backoff, () => 0.999999), 60_000, "jitter above the cap is clamped");
  });

  test("full and decorrelated jitter", () => {
    const full = resolveBackoff({ jitter: "full" });
    assert.equal(backoffDelay(3, full, () => 0.25), 1000);
    const decorrelated = resolveBackoff({ jitter: "decorrelated", initialMs: 100 });
    assert.equal(backoffDelay(1, decorrelated, () => 0), 100);
    assert.equal(backoffDelay(2, decorrelated, () => 0.5, 1000), 100 + 0.5 * (3000 - 100));
  });

  test("invalid values are refused", () => {
    assert.throws(() => resolveBackoff({ initialMs: -1 }), RangeError);
    assert.throws(() => resolveBackoff({ maxMs: Infinity }), RangeError);
    assert.throws(() => resolveBackoff({ factor: 0.5 }), RangeError);
    assert.throws(() => resolveBackoff({ jitterRatio: 2 }), RangeError);
    assert.throws(() => resolveBackoff({ jitter: "wild" as Jitter }), RangeError);
  });
});

describe("restart policy", () => {
  test("on-failure restarts failures only, always restarts returns too, never restarts nothing", async () => {
    const { supervisor, clock } = setup({
      defaults: { backoff: { initialMs: 10, jitter: "none" }, maxConsecutiveFailures: 2 },
    });
    const restarted = (["on-failure", "always", "never"] as const).map((restart) =>
      [false, true].map((throws) => {
        let calls = 0;
        supervisor.spawn(`${restart}-${throws}`, () => {
          calls++;
          if (throws) throw new Error("attempt failed");
        }, { restart });
        return () => calls > 1;
      })
    );
    await clock.advance(100);
    assert.deepEqual(restarted.map((outcomes) => outcomes.map((wasRestarted) => wasRestarted())), [[false, true], [
      true,
      true,
    ], [false, false]]);
    await supervisor.shutdown();
  });

  test("defaults and precedence: task options over supervisor defaults over shim defaults", () => {
    const resolved = resolveRestart({ backoff: { initialMs: 5 } }, {
      restart: "always",
      backoff: { maxMs: 50, initialMs: 1 },
      maxConsecutiveFailures: 3,
    });
    assert.equal(resolved.restart, "always");
    assert.equal(resolved.maxConsecutiveFailures, 3);
    assert.equal(resolved.resetAfterMs, 60_000);
    assert.equal(resolved.intensity, undefined);
    assert.equal(resolved.backoff.initialMs, 5);
    assert.equal(resolved.backoff.maxMs, 50);
    assert.equal(resolveRestart().maxConsecutiveFailures, 10);
    assert.throws(() => resolveRestart({ intensity: { maxRestarts: 1, withinMs: 0 } }), RangeError);
    assert.throws(() => resolveRestart({ resetAfterMs: Number.NaN }), RangeError);
  });

  test("restart intensity admits at most maxRestarts within a sliding window (OTP)", () => {
    const window = new IntensityWindow({ maxRestarts: 2, withinMs: 1000 });
    assert.equal(window.admit(0), true);
    assert.equal(window.admit(500), true);
    assert.equal(window.admit(900), false);
    assert.equal(window.admit(1000), true, "the restart at 0 has left the window");
    assert.equal(window.admit(1400), false);
    assert.equal(new IntensityWindow({ maxRestarts: 0, withinMs: 10 }).admit(0), false);
  });
});
