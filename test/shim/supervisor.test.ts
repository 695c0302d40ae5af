// TaskSupervisor lifecycle: the cases of zeph's task_supervisor tests and the restart policies.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TaskAbortedError } from "../../shim/errors.ts";
import { deferred, find, forever, setup, untilAborted } from "./helpers.ts";

describe("completion and failure", () => {
  test("completion removes a run-once task from the registry", async () => {
    const { supervisor, clock } = setup();
    let calls = 0;
    const handle = supervisor.spawn("simple", () => {
      calls++;
    }, { restart: "never" });
    await clock.advance(0);
    assert.equal(calls, 1);
    assert.equal(supervisor.activeCount(), 0);
    assert.equal(find(supervisor, "simple"), undefined);
    assert.deepEqual(await handle.done, { status: "completed", value: undefined });
  });

  test("failure is captured and logged with task name, attempt and error, for any thrown value", async () => {
    const thrown: unknown[] = [new Error("boom"), "a string", undefined, null, 42, Symbol("s"), { code: 7 }];
    for (const value of thrown) {
      const { supervisor, clock, logger } = setup();
      const handle = supervisor.spawn("panicking", () => Promise.reject(value), { restart: "never" });
      await clock.advance(0);
      assert.equal(supervisor.activeCount(), 0);
      const outcome = await handle.done;
      assert.equal(outcome.status, "failed");
      assert.equal(outcome.status === "failed" && outcome.error, value);
      const errors = logger.records.filter((r) => r.level === "error");
      assert.equal(errors.length, 1, String(value?.toString()));
      assert.equal(errors[0]!.fields["task"], "panicking");
      assert.equal(errors[0]!.fields["attempt"], 1);
      assert.equal(errors[0]!.fields["err"], value);
    }
  });

  test("a failed task stays in the registry as failed with a reason and lastError", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawn("once", () => {
      throw new TypeError("bad input");
    }, { restart: "never" });
    await clock.advance(0);
    const snap = find(supervisor, "once");
    assert.equal(snap?.status, "failed");
    assert.equal(snap?.lastError, "TypeError: bad input");
    assert.match(snap?.reason ?? "", /attempt 1/);
    assert.equal(supervisor.forget("once"), true);
    assert.equal(find(supervisor, "once"), undefined);
  });
});

describe("restart policy on-failure (default)", () => {
  test("restarts only on failure: a normal return completes and is removed", async () => {
    const { supervisor, clock } = setup();
    let normal = 0;
    supervisor.spawn("normal-exit", () => {
      normal++;
    }, { backoff: { initialMs: 10 } });
    await clock.advance(1000);
    assert.equal(normal, 1);
    assert.equal(find(supervisor, "normal-exit"), undefined);

    let failing = 0;
    supervisor.spawn("panic-exit", () => {
      failing++;
      throw new Error("test failure");
    }, { backoff: { initialMs: 10 }, maxConsecutiveFailures: 3 });
    await clock.advance(1000);
    assert.equal(failing, 3, "initial run + 2 restarts");
    assert.equal(find(supervisor, "panic-exit")?.status, "failed");
  });

  test("restarts up to maxConsecutiveFailures, then failed and kept for inspection", async () => {
    const { supervisor, clock } = setup();
    let calls = 0;
    // deno-lint-ignore require-await -- a factory that rejects, as an async one does
    const handle = supervisor.spawn("restartable", async () => {
      calls++;
      throw new Error(`failure ${calls}`);
    }, { backoff: { initialMs: 10 }, maxConsecutiveFailures: 3 });
    await clock.advance(10_000);
    assert.equal(calls, 3);
    const snap = find(supervisor, "restartable");
    assert.equal(snap?.status, "failed");
    assert.equal(snap?.restartCount, 2);
    assert.equal(snap?.lastError, "Error: failure 3");
    assert.match(snap?.reason ?? "", /3 consecutive failure/);
    const outcome = await handle.done;
    assert.equal(outcome.status, "failed");
    assert.equal(supervisor.activeCount(), 0);
  });

  test("maxConsecutiveFailures 1 never restarts but records the failure (zeph max = 0)", async () => {
    const { supervisor, clock, logger } = setup();
    let calls = 0;
    supervisor.spawn("zero-max", () => {
      calls++;
      throw new Error("always");
    }, { maxConsecutiveFailures: 1 });
    await clock.advance(60_000);
    assert.equal(calls, 1);
    assert.equal(find(supervisor, "zero-max")?.status, "failed");
    assert.ok(logger.records.some((r) => r.level === "error" && /gave up/.test(r.message ?? "")));
  });

  test("a sync throw on the first call or on a restart counts as a failure like a rejection", async () => {
    const { supervisor, clock } = setup();
    let calls = 0;
    supervisor.spawn("sync-thrower", () => {
      calls++;
      if (calls <= 2) throw new Error("sync");
      return new Promise<void>(() => {});
    }, { backoff: { initialMs: 5 } });
    assert.equal(calls, 1, "the factory is called synchronously by spawn");
    await clock.advance(5);
    assert.equal(calls, 2);
    await clock.advance(10);
    assert.equal(calls, 3);
    assert.equal(find(supervisor, "sync-thrower")?.status, "running");
    assert.equal(find(supervisor, "sync-thrower")?.restartCount, 2);
  });

  test("an abort ends the task as aborted and removes it", async () => {
    const { supervisor, clock } = setup();
    const handle = supervisor.spawn("svc", untilAborted);
    assert.equal(supervisor.abort("svc"), true);
    await clock.advance(0);
    assert.equal((await handle.done).status, "aborted");
    assert.equal(find(supervisor, "svc"), undefined);
    assert.equal(supervisor.abort("svc"), false);
    assert.equal(supervisor.abort("never-registered"), false);
  });
});

describe("restart policies always and never", () => {
  test("always restarts a loop that returns, and an abort ends it", async () => {
    const { supervisor, clock } = setup();
    let calls = 0;
    const handle = supervisor.spawn("heartbeat", () => {
      calls++;
    }, { restart: "always", backoff: { initialMs: 100 }, maxConsecutiveFailures: Infinity });
    await clock.advance(100 + 200 + 400);
    assert.equal(calls, 4);
    assert.equal(find(supervisor, "heartbeat")?.status, "restarting");
    handle.abort();
    await clock.advance(0);
    assert.equal((await handle.done).status, "aborted");
    assert.equal(clock.pending, 0, "the backoff timer is cleared on abort");
  });

  test("never records a failure without restarting", async () => {
    const { supervisor, clock, logger } = setup();
    let calls = 0;
    supervisor.spawn("temp", () => {
      calls++;
      throw new Error("x");
    }, { restart: "never" });
    await clock.advance(10_000);
    assert.equal(calls, 1);
    assert.equal(find(supervisor, "temp")?.status, "failed");
    assert.equal(logger.records.filter((r) => r.level === "error").length, 1, "one line: no 'gave up' line");
  });
});

describe("backoff on the injected clock", () => {
  test("delays double from the base and are capped (1×, 2×, 4×, cap)", async () => {
    const { supervisor, clock } = setup();
    const startTimes: number[] = [];
    const delays: number[] = [];
    supervisor.on("restart", (e) => delays.push(e.delayMs));
    supervisor.spawn("backoff-task", () => {
      startTimes.push(clock.now());
      throw new Error("always");
    }, { backoff: { initialMs: 50, factor: 2, maxMs: 300 }, maxConsecutiveFailures: 6 });
    await clock.advance(5_000);
    assert.deepEqual(delays, [50, 100, 200, 300, 300]);
    assert.deepEqual(startTimes, [0, 50, 150, 350, 650, 950]);
  });

  test("the restarting status carries the next attempt while the backoff runs", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawn("flaky", () => Promise.reject(new Error("no")), { backoff: { initialMs: 1000 } });
    await clock.advance(10);
    const snap = find(supervisor, "flaky");
    assert.equal(snap?.status, "restarting");
    assert.equal(snap?.attempt, 1);
    assert.equal(supervisor.activeCount(), 1);
    await clock.advance(990);
    assert.equal(find(supervisor, "flaky")?.attempt, 2);
  });

  test("a healthy run resets the failure count and the backoff", async () => {
    const { supervisor, clock } = setup();
    const delays: number[] = [];
    supervisor.on("restart", (e) => delays.push(e.delayMs));
    let calls = 0;
    supervisor.spawn("mostly-healthy", async () => {
      calls++;
      if (calls === 3) await new Promise<void>((resolve) => clock.setTimeout(resolve, 60_000));
      throw new Error("drop");
    }, { backoff: { initialMs: 10 }, resetAfterMs: 60_000, maxConsecutiveFailures: 3 });
    await clock.advance(10 + 20 + 60_000 + 10 + 20);
    assert.deepEqual(delays, [10, 20, 10, 20]);
    assert.equal(calls, 5);
    assert.equal(find(supervisor, "mostly-healthy")?.status, "failed");
  });

  test("restart intensity: more than maxRestarts within withinMs marks the task failed (OTP)", async () => {
    const { supervisor, clock } = setup();
    let calls = 0;
    supervisor.spawn("storm", () => {
      calls++;
      throw new Error("storm");
    }, {
      backoff: { initialMs: 10, factor: 1 },
      maxConsecutiveFailures: Infinity,
      intensity: { maxRestarts: 3, withinMs: 1000 },
    });
    await clock.advance(5_000);
    assert.equal(calls, 4, "1 run + 3 restarts inside the window");
    assert.match(find(supervisor, "storm")?.reason ?? "", /restart intensity exceeded/);
  });
});

describe("registry", () => {
  test("50 concurrent spawns are all reaped", async () => {
    const { supervisor, clock } = setup();
    let completed = 0;
    for (let i = 0; i < 50; i++) {
      supervisor.spawn(`t${String(i).padStart(2, "0")}`, async () => {
        await Promise.resolve();
        completed++;
      });
    }
    assert.equal(supervisor.activeCount(), 50);
    await clock.advance(0);
    assert.equal(completed, 50);
    assert.equal(supervisor.activeCount(), 0);
    assert.deepEqual(supervisor.snapshot(), []);
  });

  test("snapshot lists every task sorted by start time with its fields", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawn("beta", untilAborted, { class: "durable" });
    await clock.advance(5);
    supervisor.spawn("alpha", untilAborted);
    const snaps = supervisor.snapshot();
    assert.deepEqual(snaps.map((s) => s.name), ["beta", "alpha"]);
    assert.deepEqual(snaps[0], {
      name: "beta",
      id: snaps[0]!.id,
      status: "running",
      attempt: 1,
      startedAt: 0,
      restartCount: 0,
      lastError: undefined,
      reason: undefined,
      class: "durable",
      uptimeMs: 5,
      p50Ms: undefined,
      p95Ms: undefined,
      p99Ms: undefined,
    });
    assert.equal(snaps[1]!.startedAt, 5);
    await supervisor.shutdown();
  });

  test("spawning an existing name aborts and replaces the old task", async () => {
    const { supervisor, clock } = setup();
    const first = supervisor.spawn("dup", untilAborted);
    const second = supervisor.spawn("dup", untilAborted);
    assert.equal(first.signal.aborted, true);
    assert.equal(second.signal.aborted, false);
    assert.equal((await first.done).status, "aborted");
    await clock.advance(0);
    const snaps = supervisor.snapshot();
    assert.equal(snaps.length, 1);
    assert.equal(snaps[0]!.id, second.id);
    assert.equal(supervisor.activeCount(), 1);
    await supervisor.shutdown();
  });

  test("replacing a failed task starts afresh", async () => {
    const { supervisor, clock } = setup();
    supervisor.spawn("job", () => Promise.reject(new Error("x")), { restart: "never" });
    await clock.advance(0);
    supervisor.spawn("job", untilAborted);
    assert.equal(find(supervisor, "job")?.status, "running");
    await supervisor.shutdown();
  });

  test("each restart gets a fresh signal that follows the task's; an ended task is unlinked", async () => {
    const { supervisor, clock } = setup();
    const seen: AbortSignal[] = [];
    let calls = 0;
    const handle = supervisor.spawn("linked", (signal) => {
      seen.push(signal);
      if (++calls < 3) throw new Error("again");
      return new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
    }, { backoff: { initialMs: 1 } });
    await clock.advance(10);
    assert.equal(new Set(seen).size, 3);
    handle.abort("stop");
    assert.equal(seen[2]!.aborted, true);
    assert.equal(seen[2]!.reason, "stop");
    assert.equal(seen[0], handle.signal, "the first attempt runs on the task's own signal");
    assert.equal(seen[1]!.aborted, false, "a settled restart's signal is left alone");
    assert.equal((await handle.done).status, "aborted");

    const finished = supervisor.spawn("finished", () => {});
    await clock.advance(0);
    await supervisor.shutdown();
    assert.equal(finished.signal.aborted, false, "shutdown does not reach a task that already completed");
  });

  test("invalid names and options are refused synchronously", () => {
    const { supervisor } = setup();
    assert.throws(() => supervisor.spawn("", () => {}), TypeError);
    assert.throws(() => supervisor.spawn("x", () => {}, { maxConsecutiveFailures: 0 }), RangeError);
    assert.throws(() => supervisor.spawn("x", () => {}, { backoff: { factor: 0.5 } }), RangeError);
    assert.throws(() => supervisor.spawn("x", () => {}, { restart: "sometimes" as "always" }), RangeError);
    assert.equal(supervisor.snapshot().length, 0);
  });
});

describe("run (one-shot with a typed result)", () => {
  test("resolves with the value and removes the task", async () => {
    const { supervisor } = setup();
    // deno-lint-ignore require-await -- an async factory, as users write one
    const value: number = await supervisor.run("compute", async () => 42);
    assert.equal(value, 42);
    assert.equal(supervisor.snapshot().length, 0);
  });

  test("is registered while it runs", async () => {
    const { supervisor, clock } = setup();
    const gate = deferred();
    const result = supervisor.run("oneshot-task", () => gate.promise.then(() => "done"));
    assert.equal(supervisor.activeCount(), 1);
    gate.resolve();
    assert.equal(await result, "done");
    await clock.advance(0);
    assert.equal(supervisor.activeCount(), 0);
  });

  test("rejects with the thrown value, which stays as failed", async () => {
    const { supervisor } = setup();
    await assert.rejects(
      supervisor.run("bad", () => {
        throw new RangeError("nope");
      }),
      RangeError,
    );
    assert.equal(find(supervisor, "bad")?.status, "failed");
  });

  test("rejects with TaskAbortedError when aborted first", async () => {
    const { supervisor } = setup();
    const result = supervisor.run("slow", forever);
    supervisor.spawn("slow", untilAborted);
    await assert.rejects(result, TaskAbortedError);
    await supervisor.shutdown();
  });
});
