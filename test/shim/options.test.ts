// Options users expect: an outside `signal`, `shouldRestart`, `attemptTimeoutMs`, and `forget` for any ended task.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TaskAbortedError, TaskTimeoutError } from "../../shim/errors.ts";
import type { HookFailure, SupervisorEvents } from "../../shim/events.ts";
import { deferred, find, forever, setup, untilAborted } from "./helpers.ts";

describe("signal option", () => {
  test("an outside signal aborts a running task as abort(name) would, with its reason", async () => {
    const { supervisor, clock } = setup();
    const outside = new AbortController();
    let seen: AbortSignal | undefined;
    const handle = supervisor.spawn("poller", (signal) => ((seen = signal), untilAborted(signal)), {
      signal: outside.signal,
    });
    outside.abort("request cancelled");
    assert.equal(seen?.reason, "request cancelled");
    await clock.advance(0);
    assert.deepEqual(await handle.done, { status: "aborted", reason: "request cancelled" });
    assert.equal(find(supervisor, "poller"), undefined);
  });

  test("it ends a backoff wait, and works for spawnLogged and run", async () => {
    const { supervisor, clock } = setup();
    const outside = new AbortController();
    const flaky = supervisor.spawn("flaky", () => Promise.reject(new Error("again")), {
      signal: outside.signal,
      backoff: { initialMs: 1_000 },
    });
    const logged = supervisor.spawnLogged("logged", untilAborted, { signal: outside.signal });
    const ran = supervisor.run("ran", untilAborted, { signal: outside.signal });
    await clock.advance(0);
    assert.equal(find(supervisor, "flaky")?.status, "restarting");
    outside.abort();
    assert.equal((await flaky.done).status, "aborted");
    assert.equal((await logged.done).status, "aborted");
    await assert.rejects(ran, TaskAbortedError);
    assert.equal(clock.pending, 0);
  });

  test("already aborted at spawn: the factory is not called; a given promise is still observed", async () => {
    const { supervisor, logger } = setup();
    let calls = 0;
    const handle = supervisor.spawn("late", () => void calls++, { signal: AbortSignal.abort("too late") });
    assert.equal(calls, 0);
    assert.deepEqual(await handle.done, { status: "aborted", reason: "too late" });
    const failing = deferred();
    const logged = supervisor.spawnLogged("late-promise", failing.promise, { signal: AbortSignal.abort("too late") });
    failing.reject(new Error("failed anyway"));
    assert.equal((await logged.done).status, "aborted");
    assert.equal(supervisor.activeCount(), 0);
    assert.equal(logger.records.filter((r) => r.level === "error").length, 0, "abort wins, as for abort(name)");
  });

  test("the supervisor's listener on the signal is removed when the task ends", async () => {
    const { supervisor, clock } = setup();
    const listeners = new Set<unknown>();
    const signal = {
      aborted: false,
      reason: undefined,
      addEventListener: (_type: string, listener: unknown) => void listeners.add(listener),
      removeEventListener: (_type: string, listener: unknown) => void listeners.delete(listener),
    } as unknown as AbortSignal;
    const gate = deferred();
    supervisor.spawn("short", () => gate.promise, { signal });
    assert.equal(listeners.size, 1);
    gate.resolve();
    await clock.advance(0);
    assert.equal(listeners.size, 0);
  });

  test("something that is not an AbortSignal is refused", async () => {
    const { supervisor } = setup();
    const bad = { signal: "nope" as unknown as AbortSignal };
    assert.throws(() => supervisor.spawn("x", () => 1, bad), TypeError);
    await assert.rejects(supervisor.run("x", () => 1, bad), TypeError);
    const outcome = await supervisor.spawnLogged("x", () => 1, bad).done;
    assert.ok(outcome.status === "rejected" && outcome.error instanceof TypeError);
  });
});

describe("shouldRestart", () => {
  test("false ends the task failed with no restart; it sees the error and the attempt", async () => {
    const { supervisor, clock } = setup();
    const asked: [string, number][] = [];
    const handle = supervisor.spawn(
      "importer",
      () => Promise.reject(new Error(asked.length < 2 ? "transient" : "fatal")),
      {
        backoff: { initialMs: 10 },
        shouldRestart: (
          error,
          attempt,
        ) => (asked.push([(error as Error).message, attempt]), (error as Error).message === "transient"),
      },
    );
    await clock.advance(100);
    assert.deepEqual(asked, [["transient", 1], ["transient", 2], ["fatal", 3]]);
    const outcome = await handle.done;
    assert.equal(outcome.status, "failed");
    assert.match(
      outcome.status === "failed" ? outcome.reason : "",
      /shouldRestart declined a restart after attempt 3 failed: Error: fatal/,
    );
    assert.deepEqual(clock.scheduled, [10, 20], "only the two allowed restarts waited out a backoff");
    assert.equal(find(supervisor, "importer")?.status, "failed");
  });

  test("a predicate that throws or answers with a promise is reported and counts as no", async () => {
    for (
      const shouldRestart of [() => {
        throw new Error("predicate bug");
      }, () => Promise.resolve(true) as unknown as boolean]
    ) {
      const { supervisor, clock } = setup();
      const failures: HookFailure[] = [];
      supervisor.on("hookError", (e) => void failures.push(e));
      const handle = supervisor.spawn("job", () => Promise.reject(new Error("x")), { shouldRestart });
      await clock.advance(0);
      assert.equal((await handle.done).status, "failed");
      assert.deepEqual(failures.map((f) => [f.source, f.task]), [["shouldRestart", "job"]]);
      assert.equal(clock.pending, 0);
    }
  });

  test("is not consulted for a return under always", async () => {
    const { supervisor, clock } = setup();
    let asked = 0;
    let calls = 0;
    supervisor.spawn("loop", () => void calls++, {
      restart: "always",
      backoff: { initialMs: 10 },
      shouldRestart: () => (asked++, false),
    });
    await clock.advance(30); // returns at 0, 10 and 30 (backoff 10, then 20)
    assert.equal(asked, 0);
    assert.equal(calls, 3);
    await supervisor.shutdown();
  });
});

describe("attemptTimeoutMs", () => {
  test("a hung attempt times out (outcome timedOut), its signal aborts, and it is restarted per policy", async () => {
    const { supervisor, clock } = setup();
    const ends: SupervisorEvents["end"][] = [];
    supervisor.on("end", (e) => void ends.push(e));
    const signals: AbortSignal[] = [];
    const handle = supervisor.spawn(
      "fetcher",
      (signal) => (signals.push(signal), signals.length === 1 ? forever() : "fetched"),
      {
        attemptTimeoutMs: 500,
        backoff: { initialMs: 100 },
      },
    );
    await clock.advance(499);
    assert.equal(ends.length, 0);
    await clock.advance(1);
    assert.deepEqual(ends.map((e) => [e.outcome, e.attempt, e.durationMs]), [["timedOut", 1, 500]]);
    assert.ok(ends[0]!.error instanceof TaskTimeoutError);
    assert.ok(signals[0]!.reason instanceof TaskTimeoutError, "the attempt's signal aborted with the timeout");
    assert.equal(handle.signal.aborted, false, "the task itself is not aborted");
    assert.equal(find(supervisor, "fetcher")?.status, "restarting");
    await clock.advance(100);
    assert.deepEqual(await handle.done, { status: "completed", value: "fetched" });
    assert.equal(clock.pending, 0, "the second attempt's timer was cleared when it settled");
  });

  test("under never the task ends failed with a TaskTimeoutError; the late result is ignored", async () => {
    const { supervisor, clock, logger } = setup();
    const late = deferred<string>();
    const handle = supervisor.spawn("once", () => late.promise, { restart: "never", attemptTimeoutMs: 50 });
    await clock.advance(50);
    const outcome = await handle.done;
    assert.equal(outcome.status, "failed");
    assert.ok(
      outcome.status === "failed" && outcome.error instanceof TaskTimeoutError && outcome.error.timeoutMs === 50,
    );
    assert.match(outcome.status === "failed" ? outcome.reason : "", /^timed out on attempt 1: TaskTimeoutError/);
    assert.ok(logger.records.some((r) => r.level === "error" && r.message === 'task "once" timed out on attempt 1'));
    late.resolve("too late");
    await clock.advance(0);
    assert.equal(find(supervisor, "once")?.status, "failed");
  });

  test("a timed-out attempt settling during the next attempt does not end it", async () => {
    const { supervisor, clock } = setup();
    const first = deferred<string>();
    const second = deferred<string>();
    const gates = [first, second];
    let calls = 0;
    const handle = supervisor.spawn("slow", () => gates[calls++]!.promise, {
      attemptTimeoutMs: 10,
      backoff: { initialMs: 5 },
    });
    await clock.advance(15);
    assert.equal(calls, 2);
    first.resolve("stale");
    await clock.advance(0);
    assert.equal(find(supervisor, "slow")?.status, "running");
    second.resolve("fresh");
    assert.deepEqual(await handle.done, { status: "completed", value: "fresh" });
  });

  test("invalid values are refused", () => {
    const { supervisor } = setup();
    for (const attemptTimeoutMs of [0, -1, Number.NaN, 2 ** 31]) {
      assert.throws(() => supervisor.spawn("x", () => 1, { attemptTimeoutMs }), RangeError, String(attemptTimeoutMs));
    }
    assert.throws(
      () => supervisor.spawn("x", () => 1, { shouldRestart: "yes" as unknown as () => boolean }),
      TypeError,
    );
  });
});

describe("forget", () => {
  test("spawnLogged stragglers left after shutdown can be forgotten by name; active tasks cannot", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawnLogged("stuck", () => forever());
    supervisor.spawnLogged("stuck", () => forever());
    supervisor.spawn("alive", untilAborted);
    assert.equal(supervisor.forget("alive"), false);
    const stopping = supervisor.shutdown({ timeoutMs: 10 });
    await clock.advance(10);
    assert.deepEqual((await stopping).aborted, ["stuck", "stuck"]);
    assert.equal(supervisor.snapshot().length, 2);
    assert.equal(supervisor.forget("stuck"), true);
    assert.equal(supervisor.snapshot().length, 0);
    assert.equal(supervisor.forget("stuck"), false);
  });
});
