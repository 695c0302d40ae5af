// Task classes: concurrency limits (reject at the limit), class-wide abort, duration stats.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TaskLimitError } from "../../shim/errors.ts";
import { DurationHistogram } from "../../shim/stats.ts";
import { TaskSupervisor } from "../../shim/supervisor.ts";
import { setup, untilAborted } from "./helpers.ts";

describe("class limits", () => {
  test("at the limit a new task is rejected, not queued", async () => {
    const { supervisor, clock } = setup({ classes: { enrichment: { maxConcurrent: 2 } } });
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
    const { supervisor } = setup({ classes: { solo: { maxConcurrent: 1 } } });
    supervisor.spawn("only", untilAborted, { class: "solo" });
    supervisor.spawn("only", untilAborted, { class: "solo" });
    assert.equal(supervisor.activeCount(), 1);
    await supervisor.shutdown();
  });

  test("an invalid limit is refused at construction", () => {
    assert.throws(() => new TaskSupervisor({ logger: false, classes: { x: { maxConcurrent: 1.5 } } }), RangeError);
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

describe("duration stats", () => {
  test("per task and per class: count, min, max, p50, p95", async () => {
    const { supervisor, clock } = setup();
    for (const ms of [3, 7, 40, 400]) {
      supervisor.spawn(`job`, (signal) => new Promise<void>((resolve) => {
        const timer = clock.setTimeout(resolve, ms);
        signal.addEventListener("abort", () => clock.clearTimeout(timer));
      }), { class: "batch" });
      await clock.advance(ms);
    }
    const stats = supervisor.stats();
    assert.deepEqual(stats.tasks["job"], { count: 4, minMs: 3, maxMs: 400, p50Ms: 10, p95Ms: 400 });
    assert.equal(stats.classes["batch"]?.count, 4);
    assert.equal(stats.classes["batch"]?.active, 0);
  });

  test("the histogram clamps estimates to what was observed", () => {
    const histogram = new DurationHistogram();
    assert.deepEqual(histogram.summary(), { count: 0, minMs: 0, maxMs: 0, p50Ms: 0, p95Ms: 0 });
    for (let i = 0; i < 100; i++) histogram.record(2);
    histogram.record(1_000_000);
    histogram.record(-5);
    const summary = histogram.summary();
    assert.equal(summary.count, 102);
    assert.equal(summary.minMs, 0);
    assert.equal(summary.p50Ms, 5);
    assert.equal(summary.p95Ms, 5);
    assert.equal(summary.maxMs, 1_000_000);
  });
});
