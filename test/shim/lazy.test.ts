// What the supervisor builds only on demand (a task's signal, its done promise, the handle's abort) behaves as if built eagerly.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SupervisorClosedError } from "../../shim/errors.ts";
import { ignoresArguments } from "../../shim/task.ts";
import { deferred, forever, setup, untilAborted } from "./helpers.ts";

describe("lazily created signals", () => {
  test("a spawnLogged promise's signal, read late, aborts on handle.abort, abortClass and shutdown", async () => {
    const { supervisor } = setup();
    const gates = [deferred(), deferred(), deferred()];
    const byHandle = supervisor.spawnLogged("a", gates[0]!.promise);
    const byClass = supervisor.spawnLogged("b", gates[1]!.promise, { class: "batch" });
    const byShutdown = supervisor.spawnLogged("c", gates[2]!.promise);
    byHandle.abort("stop");
    assert.equal(byHandle.signal.aborted, true);
    assert.equal(byHandle.signal.reason, "stop");
    assert.equal(supervisor.abortClass("batch", "turn over"), 1);
    assert.equal(byClass.signal.reason, "turn over");
    const stopping = supervisor.shutdown();
    assert.equal(byShutdown.signal.aborted, true);
    assert.equal(byShutdown.signal.reason, supervisor.signal.reason);
    gates.forEach((gate) => gate.resolve());
    assert.equal((await stopping).exited, 3);
    for (const handle of [byHandle, byClass, byShutdown]) assert.equal((await handle.done).status, "aborted");
  });

  test("a signal read before the abort is the one that aborts, and stays the same object", async () => {
    const { supervisor, clock } = setup();
    const handle = supervisor.spawn("reader", () => forever());
    const signal = handle.signal;
    assert.equal(signal.aborted, false);
    assert.equal(supervisor.abort("reader", "bye"), true);
    assert.equal(signal.aborted, true);
    assert.equal(handle.signal, signal);
    const stopping = supervisor.shutdown({ timeoutMs: 0 });
    await clock.advance(0);
    assert.deepEqual((await stopping).aborted, ["reader"]);
  });

  test("a parameterless arrow factory is still aborted by abort(name) and shutdown through its handle's signal", async () => {
    const { supervisor, clock } = setup();
    let resolveNamed!: () => void;
    const named = supervisor.spawn("named", () => new Promise<void>((resolve) => (resolveNamed = resolve)));
    const logged = supervisor.spawnLogged("logged", () => forever());
    supervisor.abort("named", "by name");
    assert.equal(named.signal.reason, "by name");
    resolveNamed();
    await clock.advance(0);
    assert.equal((await named.done).status, "aborted", "abort wins over a return");
    const stopping = supervisor.shutdown({ timeoutMs: 10 });
    assert.equal(logged.signal.aborted, true);
    await clock.advance(10);
    assert.deepEqual((await stopping).aborted, ["logged"]);
  });

  test("a task waiting out a backoff ends at once when aborted, though its factory never took a signal", async () => {
    const { supervisor, clock } = setup();
    const handle = supervisor.spawn("flaky", () => Promise.reject(new Error("again")), {
      backoff: { initialMs: 1_000 },
    });
    await clock.advance(0);
    assert.equal(supervisor.snapshot()[0]?.status, "restarting");
    handle.abort();
    assert.equal((await handle.done).status, "aborted");
    assert.equal(clock.pending, 0, "the backoff timer was cleared");
  });

  test("every factory that could read its argument gets the task's signal", async () => {
    const { supervisor } = setup();
    const seen: unknown[] = [];
    const factories = [
      (signal: AbortSignal) => void seen.push(signal),
      (...args: unknown[]) => void seen.push(args[0]),
      function (this: unknown) {
        seen.push(arguments[0]);
      },
      (signal: AbortSignal = AbortSignal.abort()) => void seen.push(signal),
    ];
    const handles = factories.map((factory, i) =>
      supervisor.spawnLogged(`f${i}`, factory as (signal: AbortSignal) => void)
    );
    handles.forEach((handle, i) => assert.equal(seen[i], handle.signal, `factory ${i}`));
    await Promise.all(handles.map((handle) => handle.done));
  });
});

describe("ignoresArguments", () => {
  test("only arrows with an empty parameter list ignore their arguments", () => {
    assert.equal(ignoresArguments(() => 1), true);
    assert.equal(ignoresArguments(async () => await 1), true);
    assert.equal(ignoresArguments(async () => await 1), true);
    assert.equal(ignoresArguments((_signal: AbortSignal) => 1), false);
    assert.equal(ignoresArguments((...args: unknown[]) => args), false);
    assert.equal(ignoresArguments((signal = undefined) => signal), false);
    assert.equal(
      ignoresArguments(function () {
        return arguments[0];
      }),
      false,
    );
    assert.equal(ignoresArguments(async function named() {}), false);
    assert.equal(ignoresArguments((() => 1).bind(null)), false, "bound functions print as native code");
    assert.equal(ignoresArguments({ method() {} }.method), false);
    assert.equal(ignoresArguments(Math.random), false);
    assert.equal(ignoresArguments(new Proxy(() => 1, {})), false);
  });
});

describe("lazily created handles", () => {
  test("done is one promise, whether read before or after the task ends", async () => {
    const { supervisor, clock } = setup();
    const early = supervisor.spawnLogged("early", Promise.resolve(1));
    const earlyDone = early.done;
    const late = supervisor.spawnLogged("late", Promise.reject(new Error("x")));
    await clock.advance(0);
    assert.equal(early.done, earlyDone);
    assert.deepEqual(await earlyDone, { status: "completed", value: 1 });
    assert.equal(late.done, late.done);
    assert.equal((await late.done).status, "failed");
  });

  test("abort works detached from its handle, and is one function", async () => {
    const { supervisor } = setup();
    const handle = supervisor.spawnLogged("detached", untilAborted);
    const { abort } = handle;
    assert.equal(handle.abort, abort);
    abort("detached stop");
    assert.equal(handle.signal.reason, "detached stop");
    assert.equal((await handle.done).status, "aborted");
  });

  test("a refused spawnLogged has an aborted signal carrying the refusal", async () => {
    const { supervisor } = setup();
    await supervisor.shutdown();
    const handle = supervisor.spawnLogged("late", () => 1);
    assert.equal(handle.signal.aborted, true);
    assert.ok(handle.signal.reason instanceof SupervisorClosedError);
    const outcome = await handle.done;
    assert.equal(outcome.status, "rejected");
    assert.equal(outcome.status === "rejected" && outcome.error, handle.signal.reason);
    assert.equal(handle.done, handle.done);
    handle.abort();
  });
});
