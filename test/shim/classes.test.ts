// Task classes: concurrency limits (reject, drop or queue at the limit), class-wide abort, status line (durations: durations.test.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ClassLimit } from "../../shim/classes.ts";
import { TaskLimitError } from "../../shim/errors.ts";
import { TaskSupervisor } from "../../shim/supervisor.ts";
import { deferred, setup, untilAborted } from "./helpers.ts";

describe("class limits", () => {
  test("at the limit a new task is rejected, not queued", async () => {
    const { supervisor, clock } = setup({ classes: { enrichment: { limit: 2 } } });
    supervisor.spawn("e1", untilAborted, { class: "enrichment" });
    supervisor.spawn("e2", untilAborted, { class: "enrichment" });
    assert.throws(() => supervisor.spawn("e3", untilAborted, { class: "enrichment" }), TaskLimitError);
    await assert.rejects(supervisor.run("e4", () => 1, { class: "enrichment" }), TaskLimitError);
    const logged = supervisor.spawnLogged("e5", () => 1, { class: "enrichment" });
    const outcome = await logged.done;
    assert.equal(outcome.status, "rejected");
    assert.ok(outcome.status === "rejected" && outcome.error instanceof TaskLimitError);
    supervisor.spawn("other", untilAborted, { class: "telemetry" });
    assert.equal(supervisor.stats().classes["enrichment"]?.rejected, 3);
    supervisor.abort("e1");
    await clock.advance(0);
    supervisor.spawn("e3", untilAborted, { class: "enrichment" });
    assert.equal(supervisor.stats().classes["enrichment"]?.active, 2);
    await supervisor.shutdown();
  });

  test("replacing a task of the same class does not count against the limit", async () => {
    const { supervisor } = setup({ classes: { solo: { limit: 1 } } });
    supervisor.spawn("only", untilAborted, { class: "solo" });
    supervisor.spawn("only", untilAborted, { class: "solo" });
    assert.equal(supervisor.activeCount(), 1);
    await supervisor.shutdown();
  });

  test("an invalid limit is refused at construction", () => {
    assert.throws(() => new TaskSupervisor({ logger: false, classes: { x: { limit: 1.5 } } }), RangeError);
  });
});

describe("abortClass", () => {
  test("aborts every active task of the class and only those", async () => {
    const { supervisor, clock } = setup();
    const a = supervisor.spawn("a", untilAborted, { class: "enrichment" });
    const b = supervisor.spawnLogged("b", untilAborted, { class: "enrichment" });
    const c = supervisor.spawn("c", untilAborted, { class: "telemetry" });
    assert.equal(supervisor.abortClass("enrichment"), 2);
    await clock.advance(0);
    assert.equal((await a.done).status, "aborted");
    assert.equal((await b.done).status, "aborted");
    assert.equal(c.signal.aborted, false);
    assert.equal(supervisor.abortClass("enrichment"), 0);
    await supervisor.shutdown();
  });
});

describe("class overflow: drop and queue (bulkheads)", () => {
  /** Factories that count how many run at once and finish when released. */
  function workload() {
    let running = 0;
    let maxRunning = 0;
    let started = 0;
    const gates: (() => void)[] = [];
    const factory = (): Promise<void> => {
      started++;
      maxRunning = Math.max(maxRunning, ++running);
      return new Promise<void>((resolve) => gates.push(resolve)).finally(() => running--);
    };
    const releaseAll = (): number => gates.splice(0).map((release) => release()).length;
    return { factory, releaseAll, stats: () => ({ running, maxRunning, started }) };
  }

  test("drop: a burst of 1,000 never exceeds the limit; the rest are dropped, counted, not logged", async () => {
    const { supervisor, clock, logger } = setup({ classes: { enrichment: { limit: 4, overflow: "drop" } } });
    const { factory, releaseAll, stats } = workload();
    const handles = Array.from(
      { length: 1000 },
      () => supervisor.spawnLogged("enrich", factory, { class: "enrichment" }),
    );
    const named = supervisor.spawn("named", factory, { class: "enrichment" });
    assert.deepEqual(stats(), { running: 4, maxRunning: 4, started: 4 });
    assert.deepEqual([
      supervisor.inflight("enrichment"),
      supervisor.queued("enrichment"),
      supervisor.dropped("enrichment"),
    ], [4, 0, 997]);
    for (const handle of [handles[999]!, named]) {
      const outcome = await handle.done;
      assert.ok(
        outcome.status === "rejected" && outcome.error instanceof TaskLimitError,
        "spawn does not throw on drop",
      );
    }
    await assert.rejects(supervisor.run("run", factory, { class: "enrichment" }), TaskLimitError);
    releaseAll();
    await clock.advance(0);
    assert.equal(supervisor.inflight("enrichment"), 0);
    assert.equal(supervisor.stats().classes["enrichment"]?.dropped, 998);
    assert.equal(logger.records.length, 0, "drops are counted, not logged");
  });

  test("queue: a burst of 1,000 waits in order up to queueLimit, never exceeds the limit, and all admitted run", async () => {
    const { supervisor, clock } = setup({ classes: { telemetry: { limit: 8, overflow: "queue", queueLimit: 100 } } });
    const { factory, releaseAll, stats } = workload();
    const order: number[] = [];
    const handles = Array.from(
      { length: 1000 },
      (_, i) => supervisor.spawnLogged("send", () => (order.push(i), factory()), { class: "telemetry" }),
    );
    assert.deepEqual([
      supervisor.inflight("telemetry"),
      supervisor.queued("telemetry"),
      supervisor.dropped("telemetry"),
    ], [8, 100, 892]);
    assert.equal(supervisor.snapshot().filter((task) => task.status === "queued").length, 100);
    assert.equal(supervisor.activeCount(), 108);
    while (releaseAll() > 0) await clock.advance(0);
    assert.deepEqual(stats(), { running: 0, maxRunning: 8, started: 108 });
    assert.deepEqual(order, Array.from({ length: 108 }, (_, i) => i), "queued tasks start in spawn order");
    assert.deepEqual((await handles[107]!.done).status, "completed");
    assert.deepEqual([supervisor.inflight("telemetry"), supervisor.queued("telemetry"), supervisor.activeCount()], [
      0,
      0,
      0,
    ]);
  });

  test("an aborted queued task never starts and gives up its place", async () => {
    const { supervisor, clock } = setup({ classes: { solo: { limit: 1, overflow: "queue" } } });
    const first = deferred();
    const started: string[] = [];
    supervisor.spawn("a", () => (started.push("a"), first.promise), { class: "solo" });
    const b = supervisor.spawn("b", () => void started.push("b"), { class: "solo" });
    const outside = new AbortController();
    supervisor.spawnLogged("c", () => void started.push("c"), { class: "solo", signal: outside.signal });
    supervisor.spawn("d", () => void started.push("d"), { class: "solo" });
    assert.equal(supervisor.queued("solo"), 3);
    b.abort("not needed");
    outside.abort();
    assert.deepEqual(await b.done, { status: "aborted", reason: "not needed" });
    assert.equal(supervisor.queued("solo"), 1);
    first.resolve();
    await clock.advance(0);
    assert.deepEqual(started, ["a", "d"]);
    assert.equal(supervisor.inflight("solo"), 0);
  });

  test("a running task releases its slot exactly once, even when replaced before its attempt settles", async () => {
    const { supervisor, clock } = setup({ classes: { solo: { limit: 1, overflow: "queue" } } });
    const late = deferred();
    supervisor.spawn("worker", () => late.promise, { class: "solo" });
    const gate = deferred();
    supervisor.spawn("worker", () => gate.promise, { class: "solo" }); // takes over the slot
    supervisor.spawn("waiting", () => 1, { class: "solo" });
    assert.deepEqual([supervisor.inflight("solo"), supervisor.queued("solo")], [1, 1]);
    late.resolve(); // the replaced attempt settles: no second release
    await clock.advance(0);
    assert.deepEqual([supervisor.inflight("solo"), supervisor.queued("solo")], [1, 1]);
    gate.resolve();
    await clock.advance(0);
    assert.deepEqual([supervisor.inflight("solo"), supervisor.queued("solo"), supervisor.activeCount()], [0, 0, 0]);
  });

  test("abortClass and shutdown reach queued tasks; run waits for its slot", async () => {
    const { supervisor, clock } = setup({ classes: { batch: { limit: 1, overflow: "queue" } } });
    const gate = deferred<number>();
    supervisor.spawn("first", () => gate.promise, { class: "batch" });
    const result = supervisor.run("second", () => 2, { class: "batch" });
    gate.resolve(1);
    assert.equal(await result, 2);
    supervisor.spawn("holder", untilAborted, { class: "batch" });
    const queued = supervisor.spawn("queued", () => 3, { class: "batch" });
    assert.equal(supervisor.abortClass("batch"), 2);
    assert.equal((await queued.done).status, "aborted");
    supervisor.spawn("holder", untilAborted, { class: "batch" });
    let ran = false;
    const again = supervisor.spawn("again", () => void (ran = true), { class: "batch" });
    assert.equal(supervisor.queued("batch"), 1);
    const summary = await supervisor.shutdown();
    assert.equal((await again.done).status, "aborted");
    assert.equal(ran, false, "a task queued at shutdown never starts");
    assert.equal(summary.timedOut, false);
    await clock.advance(0);
  });

  test("a promise handed to spawnLogged never waits in a queue: at the limit it is dropped, its failure still logged", async () => {
    const { supervisor, clock, logger } = setup({ classes: { q: { limit: 0, overflow: "queue" } } });
    const outcome = await supervisor.spawnLogged("already-running", Promise.reject(new Error("late")), { class: "q" })
      .done;
    assert.equal(outcome.status, "rejected");
    await clock.advance(0);
    assert.equal(supervisor.dropped("q"), 1);
    assert.ok(logger.records.some((r) => r.level === "error" && r.fields["task"] === "already-running"));
  });

  test("statusLine: in-flight and queued per class, empty when idle", async () => {
    const { supervisor, clock } = setup({ classes: { enrichment: { limit: 2, overflow: "queue" } } });
    assert.equal(supervisor.statusLine(), "");
    for (let i = 0; i < 3; i++) supervisor.spawnLogged("e", untilAborted, { class: "enrichment" });
    supervisor.spawnLogged("t", untilAborted, { class: "telemetry" });
    supervisor.spawnLogged("no-class", untilAborted);
    assert.equal(supervisor.statusLine(), "bg: 2 enrichment (+1 queued), 1 telemetry");
    await supervisor.shutdown();
    await clock.advance(0);
    assert.equal(supervisor.statusLine(), "");
  });

  test("invalid overflow settings are refused at construction", () => {
    const bad = [{ limit: -1 }, { limit: 1, overflow: "spill" }, { limit: 1, overflow: "queue", queueLimit: 0.5 }];
    for (const limit of bad) {
      assert.throws(
        () => new TaskSupervisor({ logger: false, classes: { x: limit as ClassLimit } }),
        RangeError,
        JSON.stringify(limit),
      );
    }
  });
});
