// runJobs: needs: ordering, failure/abort cascade recorded as skipped, cycle and missing-dependency errors.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DependencyError } from "../../shim/errors.ts";
import { runJobs } from "../../shim/needs.ts";
import { deferred, setup, untilAborted } from "./helpers.ts";

describe("runJobs", () => {
  test("a dependent waits for its dependency to finish", async () => {
    const { supervisor } = setup();
    const order: string[] = [];
    const gate = deferred();
    const running = runJobs(supervisor, [
      { name: "b", needs: ["a"], run: () => void order.push("b start") },
      {
        name: "a",
        run: async () => {
          order.push("a start");
          await gate.promise;
          order.push("a end");
          return "A";
        },
      },
      { name: "c", run: () => void order.push("c start") },
    ]);
    await Promise.resolve();
    assert.deepEqual(order, ["a start", "c start"]);
    gate.resolve();
    const results = await running;
    assert.deepEqual(order, ["a start", "c start", "a end", "b start"]);
    assert.deepEqual(results["a"], { status: "completed", value: "A" });
  });

  test("a failed dependency cascades: dependents are skipped, transitively, and stay visible", async () => {
    const { supervisor } = setup();
    let ran = false;
    const results = await runJobs(supervisor, [
      { name: "a", run: () => Promise.reject(new Error("a failed")) },
      { name: "b", needs: ["a"], run: () => void (ran = true) },
      { name: "c", needs: ["b"], run: () => void (ran = true) },
    ]);
    assert.equal(ran, false);
    assert.equal(results["a"]?.status, "failed");
    assert.deepEqual(results["b"], { status: "skipped", because: 'needs "a", which failed' });
    assert.deepEqual(results["c"], { status: "skipped", because: 'needs "b", which was skipped' });
  });

  test("an aborted dependency cascades to its dependents", async () => {
    const { supervisor } = setup();
    const running = runJobs(supervisor, [
      { name: "a", run: untilAborted },
      { name: "b", needs: ["a"], run: () => 1 },
    ]);
    supervisor.abort("a");
    const results = await running;
    assert.equal(results["a"]?.status, "aborted");
    assert.equal(results["b"]?.status, "skipped");
  });

  test("a cycle is an error before anything runs", async () => {
    const { supervisor } = setup();
    let ran = false;
    await assert.rejects(
      runJobs(supervisor, [
        { name: "free", run: () => void (ran = true) },
        { name: "a", needs: ["b"], run: () => {} },
        { name: "b", needs: ["a"], run: () => {} },
      ]),
      (error: unknown) => {
        assert.ok(error instanceof DependencyError);
        assert.deepEqual(error.jobs, ["a", "b", "a"]);
        return true;
      },
    );
    assert.equal(ran, false);
  });

  test("a missing dependency and a duplicate name are errors", async () => {
    const { supervisor } = setup();
    await assert.rejects(
      runJobs(supervisor, [{ name: "a", needs: ["ghost"], run: () => {} }]),
      /needs "ghost", which is not in the batch/,
    );
    await assert.rejects(
      runJobs(supervisor, [{ name: "a", run: () => {} }, { name: "a", run: () => {} }]),
      DependencyError,
    );
  });
});
