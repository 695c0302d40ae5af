// Graceful shutdown: one deadline, stragglers marked aborted, no completion lost, no timer left behind.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SupervisorClosedError } from "../../shim/errors.ts";
import { TaskSupervisor } from "../../shim/supervisor.ts";
import { flush, ManualClock } from "./manual-clock.ts";
import { find, forever, setup, untilAborted } from "./helpers.ts";

describe("shutdown", () => {
  test("graceful: cooperative tasks exit and the shutdown resolves without the deadline", async () => {
    const { supervisor, clock } = setup();
    for (const name of ["svc-a", "svc-b", "svc-c"]) supervisor.spawn(name, untilAborted);
    assert.equal(supervisor.activeCount(), 3);
    const summary = await supervisor.shutdown({ timeoutMs: 1000 });
    assert.deepEqual(summary, { exited: 3, aborted: [], timedOut: false, durationMs: 0 });
    assert.equal(supervisor.activeCount(), 0);
    assert.equal(supervisor.signal.aborted, true);
    assert.equal(clock.pending, 0, "the deadline timer is cleared");
  });

  test("force-abort: a task ignoring its signal is marked aborted at the deadline and stays visible", async () => {
    const { supervisor, clock, logger } = setup();
    const handle = supervisor.spawn("stubborn", forever);
    const done = supervisor.shutdown({ timeoutMs: 50 });
    await clock.advance(49);
    assert.equal(supervisor.activeCount(), 1);
    await clock.advance(1);
    const summary = await done;
    assert.deepEqual(summary.aborted, ["stubborn"]);
    assert.equal(summary.timedOut, true);
    assert.equal(summary.durationMs, 50);
    assert.equal(find(supervisor, "stubborn")?.status, "aborted");
    assert.equal((await handle.done).status, "aborted");
    assert.ok(logger.records.some((r) => r.level === "warn" && /deadline/.test(r.message ?? "")));
  });

  test("one deadline for all tasks, not one per task", async () => {
    const { supervisor, clock } = setup();
    for (let i = 0; i < 5; i++) supervisor.spawn(`hung-${i}`, forever);
    const done = supervisor.shutdown({ timeoutMs: 100 });
    await clock.advance(100);
    const summary = await done;
    assert.equal(summary.aborted.length, 5);
    assert.deepEqual(clock.scheduled, [100]);
  });

  // Issue 18, defect 10: Node fires a timer above 2^31 − 1 ms (Infinity included) after 1 ms, aborting every task.
  test("on the system clock, timeoutMs Infinity or above 2^31 − 1 ms waits for a task that takes its time", async () => {
    for (const timeoutMs of [Infinity, 2 ** 31, 1e12]) {
      const supervisor = new TaskSupervisor({ logger: false });
      supervisor.spawn(
        "slow-exit",
        (signal: AbortSignal) =>
          new Promise<void>((resolve) => signal.addEventListener("abort", () => setTimeout(resolve, 30))),
      );
      const summary = await supervisor.shutdown({ timeoutMs });
      assert.deepEqual(summary.aborted, [], `timeoutMs ${timeoutMs}`);
      assert.equal(summary.exited, 1);
    }
  });

  test("a deadline above 2^31 − 1 ms is waited in steps and fires when it is due, not before", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawn("stubborn", forever);
    const deadline = 2 ** 31 + 1000;
    let returned = false;
    const done = supervisor.shutdown({ timeoutMs: deadline }).then(() => (returned = true));
    await clock.advance(deadline - 1);
    assert.equal(returned, false);
    await clock.advance(1);
    await done;
    assert.deepEqual(clock.scheduled, [2 ** 31 - 1, 1001]);
  });

  test("attemptTimeoutMs Infinity is no limit: no timer is set", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawn("unlimited", forever, { attemptTimeoutMs: Infinity });
    assert.deepEqual(clock.scheduled, []);
    assert.equal(find(supervisor, "unlimited")?.status, "running");
    const done = supervisor.shutdown({ timeoutMs: 0 });
    await clock.advance(0);
    assert.deepEqual((await done).aborted, ["unlimited"]);
  });

  test("shutdown timeout expiry returns even when tasks never end", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawn("stubborn", forever);
    let returned = false;
    const done = supervisor.shutdown({ timeoutMs: 50 }).then(() => (returned = true));
    await clock.advance(50);
    await done;
    assert.equal(returned, true);
    assert.equal(supervisor.signal.aborted, true);
  });

  test("completions that race the shutdown are all reaped", async () => {
    const { supervisor } = setup();
    for (let i = 1; i <= 7; i++) {
      supervisor.spawn(`loop-${i}`, async (signal) => {
        await untilAborted(signal);
        for (let k = 0; k < 64; k++) await Promise.resolve();
      });
    }
    assert.equal(supervisor.activeCount(), 7);
    const summary = await supervisor.shutdown({ timeoutMs: 2000 });
    assert.equal(summary.exited, 7);
    assert.equal(supervisor.activeCount(), 0);
    assert.deepEqual(supervisor.snapshot(), []);
  });

  test("a task waiting out a backoff ends at once", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawn("flaky", () => Promise.reject(new Error("x")), { backoff: { initialMs: 60_000 } });
    await clock.advance(1);
    assert.equal(find(supervisor, "flaky")?.status, "restarting");
    const summary = await supervisor.shutdown();
    assert.equal(summary.exited, 1);
    assert.equal(clock.pending, 0, "backoff and deadline timers are both cleared");
  });

  test("spawn after shutdown began fails at once with a clear error", async () => {
    const { supervisor } = setup();
    supervisor.spawn("hung", forever);
    void supervisor.shutdown({ timeoutMs: 10 });
    assert.equal(supervisor.closed, true);
    assert.throws(() => supervisor.spawn("late", () => {}), (error: unknown) => {
      assert.ok(error instanceof SupervisorClosedError);
      assert.match(error.message, /"late".*shutting down/);
      return true;
    });
    await assert.rejects(supervisor.run("late-run", () => 1), SupervisorClosedError);
    const logged = supervisor.spawnLogged("late-logged", () => 1);
    assert.equal((await logged.done).status, "rejected");
  });

  test("shutdown is idempotent and with no tasks resolves at once", async () => {
    const { supervisor } = setup();
    const first = supervisor.shutdown();
    assert.equal(supervisor.shutdown(), first);
    assert.deepEqual(await first, { exited: 0, aborted: [], timedOut: false, durationMs: 0 });
  });

  test("an invalid timeout rejects without starting the shutdown", async () => {
    const { supervisor } = setup();
    await assert.rejects(supervisor.shutdown({ timeoutMs: -1 }), RangeError);
    assert.equal(supervisor.closed, false);
  });

  test("await using runs the shutdown", async () => {
    const clock = new ManualClock();
    let signal: AbortSignal | undefined;
    {
      await using supervisor = new TaskSupervisor({ clock, logger: false });
      supervisor.spawn("scoped", (s) => {
        signal = s;
        return untilAborted(s);
      });
    }
    assert.equal(signal?.aborted, true);
    await flush();
    assert.equal(clock.pending, 0);
  });
});
