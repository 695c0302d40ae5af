// spawnLogged and the module-level helpers: log-only one-shots that never leak a rejection.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { theDefaultCore } from "../../shim/core.ts";
import { logFailure, spawnLogged } from "../../shim/logged.ts";
import { defaultSupervisor, spawnSupervised } from "../../shim/spawn.ts";
import { supervisorOn } from "../../shim/supervisor.ts";
import { deferred, setup, untilAborted } from "./helpers.ts";
import { flush } from "./manual-clock.ts";

describe("logFailure", () => {
  test("logs an observed failure as spawnLogged logs a rejection, and registers nothing while work succeeds", async () => {
    const { supervisor, clock, logger } = setup();
    const work = (fail: boolean): Promise<void> => fail ? Promise.reject(new Error("smtp down")) : Promise.resolve();
    await work(false).catch((error) => logFailure("send-email", error, { supervisor }));
    assert.deepEqual(supervisor.stats().tasks, {}, "nothing is registered for work that succeeded");
    await work(true).catch((error) => logFailure("send-email", error, { supervisor }));
    await clock.advance(0);
    const errors = logger.records.filter((r) => r.level === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.message, 'task "send-email" failed on attempt 1');
    assert.equal(errors[0]!.fields["task"], "send-email");
    assert.equal((errors[0]!.fields["err"] as Error).message, "smtp down");
  });
});

describe("spawnLogged", () => {
  test("logs a rejected promise with the task name and reports it through done", async () => {
    const { supervisor, clock, logger } = setup();
    const handle = supervisor.spawnLogged("send-email", Promise.reject("smtp down"));
    const outcome = await handle.done;
    assert.equal(outcome.status, "failed");
    assert.equal(outcome.status === "failed" && outcome.error, "smtp down");
    await clock.advance(0);
    const errors = logger.records.filter((r) => r.level === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.fields["task"], "send-email");
    assert.equal(errors[0]!.fields["err"], "smtp down");
    assert.equal(supervisor.snapshot().length, 0, "logged tasks leave the registry however they end");
  });

  test("calls a factory once and never restarts it, even on a sync throw", async () => {
    const { supervisor, clock } = setup();
    let calls = 0;
    const handle = supervisor.spawnLogged("once", () => {
      calls++;
      throw new Error("sync");
    });
    await clock.advance(100_000);
    assert.equal(calls, 1);
    assert.equal((await handle.done).status, "failed");
  });

  test("the caller can await the value", async () => {
    const { supervisor } = setup();
    const outcome = await supervisor.spawnLogged("compute", Promise.resolve(7)).done;
    assert.deepEqual(outcome, { status: "completed", value: 7 });
  });

  test("tasks sharing a name run side by side and do not replace each other", async () => {
    const { supervisor } = setup();
    const gates = [deferred(), deferred(), deferred()];
    const handles = gates.map((gate) => supervisor.spawnLogged("per-request", gate.promise));
    assert.equal(supervisor.activeCount(), 3);
    assert.equal(supervisor.snapshot().filter((s) => s.name === "per-request").length, 3);
    gates.forEach((gate) => gate.resolve());
    for (const handle of handles) assert.equal((await handle.done).status, "completed");
  });

  test("shutdown waits for logged tasks and aborts their signal", async () => {
    const { supervisor } = setup();
    const handle = supervisor.spawnLogged("reader", untilAborted);
    const summary = await supervisor.shutdown();
    assert.equal(summary.exited, 1);
    assert.equal((await handle.done).status, "aborted");
  });

  test("after shutdown a running promise still has its failure logged, nothing escapes", async () => {
    const { supervisor, logger } = setup();
    await supervisor.shutdown();
    const late = deferred<number>();
    const handle = supervisor.spawnLogged("late", late.promise);
    late.reject(new Error("late failure"));
    const outcome = await handle.done;
    assert.equal(outcome.status, "rejected");
    await flush();
    assert.ok(logger.records.some((r) => r.level === "error" && r.fields["task"] === "late"));
  });
});

describe("module-level helpers", () => {
  test("spawnSupervised and spawnLogged use the given supervisor", async () => {
    const { supervisor, clock } = setup();
    spawnSupervised("svc", untilAborted, { supervisor });
    spawnLogged("one", () => 1, { supervisor });
    assert.equal(supervisor.snapshot()[0]?.name, "svc");
    await clock.advance(0);
    await supervisor.shutdown();
    assert.equal(defaultSupervisor.activeCount(), 0, "nothing leaked onto the default supervisor");
  });

  test("spawnLogged without a supervisor registers with defaultSupervisor: listed while running, counted in its stats", async () => {
    const work = deferred<number>();
    const handle = spawnLogged("logged-on-default", work.promise, { class: "logged-default-class" });
    const listed = defaultSupervisor.snapshot().filter((task) => task.name === "logged-on-default");
    assert.deepEqual(listed.map((task) => [task.id, task.status]), [[handle.id, "running"]]);
    assert.equal(defaultSupervisor.inflight("logged-default-class"), 1, "the default supervisor's class slots see it");
    work.resolve(7);
    assert.deepEqual(await handle.done, { status: "completed", value: 7 });
    assert.equal(defaultSupervisor.snapshot().some((task) => task.name === "logged-on-default"), false);
    assert.equal(defaultSupervisor.stats().tasks["logged-on-default"]?.count, 1);
    assert.equal(defaultSupervisor.inflight("logged-default-class"), 0);
  });

  test("the default core carries one supervisor: building a second on it is refused", () => {
    assert.throws(() => supervisorOn(theDefaultCore()), /already built on this core/);
  });
});
