// spawnBlocking / BlockingPool: jobs on real workers (worker_threads on Node and Deno), held
// and released through shared memory, never timed by sleeps.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { BlockingPool } from "../../shim/blocking.ts";
import { SupervisorClosedError, TaskAbortedError, TaskLimitError } from "../../shim/errors.ts";
import type { TaskSupervisor } from "../../shim/supervisor.ts";
import { GATE, MAX, RUNNING, STARTED } from "./blocking.fixture.ts";
import type {
  fail,
  gated,
  leakAfterReturning,
  leakWhileRunning,
  postToParent,
  sum,
  throwCode,
} from "./blocking.fixture.ts";
import { repoRoot } from "../support/repo.ts";
import { setup } from "./helpers.ts";

const SOURCE_EXTENSION = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const FIXTURE = new URL(
  import.meta.url.endsWith(".ts") ? "./blocking.fixture.ts" : "./blocking.fixture.js",
  import.meta.url,
);

/** Shared counters for `gated` jobs. */
function counters(): { shared: SharedArrayBuffer; cells: Int32Array; open(): void } {
  const shared = new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT);
  const cells = new Int32Array(shared);
  return {
    shared,
    cells,
    open() {
      Atomics.store(cells, GATE, 1);
      Atomics.notify(cells, GATE);
    },
  };
}

type WaitAsync = (
  cells: Int32Array,
  index: number,
  value: number,
) => { async: boolean; value: Promise<string> | string };

/** Resolve once `cells[index]` reaches `target`, woken by the workers' Atomics.notify. */
async function reach(cells: Int32Array, index: number, target: number): Promise<void> {
  const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
  for (let value = Atomics.load(cells, index); value < target; value = Atomics.load(cells, index)) {
    const result = waitAsync(cells, index, value);
    if (result.async) await result.value;
  }
}

async function closeAll(supervisor: TaskSupervisor, pool: BlockingPool): Promise<void> {
  await supervisor.shutdown({ timeoutMs: 0 });
  await pool.close();
  assert.equal(pool.size, 0);
}

describe("BlockingPool", () => {
  test("never runs more jobs than its limit; the rest wait as queued tasks of its class", async () => {
    const { supervisor } = setup();
    const pool = new BlockingPool({ supervisor, limit: 3 });
    const gate = counters();
    const handles = Array.from(
      { length: 10 },
      (_, i) => pool.spawn<typeof gated>("double", FIXTURE, "gated", gate.shared, i),
    );
    await reach(gate.cells, RUNNING, 3);
    const statuses = supervisor.snapshot().map((task) => `${task.class}:${task.status}`);
    assert.equal(statuses.filter((s) => s === "blocking:running").length, 3);
    assert.equal(statuses.filter((s) => s === "blocking:queued").length, 7);
    assert.equal(supervisor.inflight("blocking"), 3);
    assert.equal(supervisor.queued("blocking"), 7);
    assert.equal(pool.size, 3);
    gate.open();
    assert.deepEqual(await Promise.all(handles.map((handle) => handle.join())), handles.map((_, i) => i * 2));
    assert.equal(Atomics.load(gate.cells, MAX), 3, "the workers saw at most 3 jobs at once");
    assert.equal(Atomics.load(gate.cells, STARTED), 10);
    assert.ok(pool.size <= 3);
    assert.equal(supervisor.stats().tasks["double"]?.outcomes.returned.count, 10);
    assert.deepEqual(supervisor.snapshot(), [], "ended jobs leave the registry");
    await closeAll(supervisor, pool);
  });

  test("tryJoin is undefined while queued or running and the result after", async () => {
    const { supervisor } = setup();
    const pool = new BlockingPool({ supervisor, limit: 1 });
    const gate = counters();
    const first = pool.spawn<typeof gated>("first", FIXTURE, "gated", gate.shared, 20);
    const second = pool.spawn<typeof sum>("second", FIXTURE, "sum", 1, 2, 3);
    await reach(gate.cells, RUNNING, 1);
    assert.equal(first.tryJoin(), undefined);
    assert.equal(second.tryJoin(), undefined);
    assert.equal(supervisor.snapshot().find((task) => task.name === "second")?.status, "queued");
    gate.open();
    assert.equal(await first.join(), 40);
    assert.equal(first.tryJoin(), 40);
    assert.equal(await second.join(), 6);
    assert.equal(second.tryJoin(), 6);
    await closeAll(supervisor, pool);
  });

  test("records each job's wall time on its worker in the durations", async () => {
    const { clock, supervisor } = setup();
    const pool = new BlockingPool({ supervisor, limit: 1 });
    const gate = counters();
    const handle = pool.spawn<typeof gated>("timed", FIXTURE, "gated", gate.shared, 1);
    await reach(gate.cells, RUNNING, 1);
    await clock.advance(1500);
    gate.open();
    await handle.join();
    const stats = supervisor.stats().tasks["timed"]!;
    assert.equal(stats.count, 1);
    assert.equal(stats.maxMs, 1500);
    assert.equal(supervisor.stats().classes["blocking"]?.outcomes.returned.count, 1);
    await closeAll(supervisor, pool);
  });

  test("abort terminates the job's worker; a queued job runs on a new one", async () => {
    const { supervisor } = setup();
    const pool = new BlockingPool({ supervisor, limit: 1 });
    const stuck = counters();
    const next = counters();
    const blocked = pool.spawn<typeof gated>("stuck", FIXTURE, "gated", stuck.shared, 1);
    const waiting = pool.spawn<typeof gated>("next", FIXTURE, "gated", next.shared, 5);
    const dropped = pool.spawn<typeof gated>("never", FIXTURE, "gated", next.shared, 7);
    await reach(stuck.cells, RUNNING, 1);
    dropped.abort();
    await assert.rejects(dropped.join(), TaskAbortedError);
    blocked.abort("enough");
    await assert.rejects(
      blocked.join(),
      (error: unknown) => error instanceof TaskAbortedError && error.cause === "enough",
    );
    assert.equal((await blocked.done).status, "aborted");
    await reach(next.cells, RUNNING, 1);
    assert.equal(pool.size, 1, "the terminated worker was replaced, not added to");
    next.open();
    assert.equal(await waiting.join(), 10);
    assert.equal(Atomics.load(next.cells, STARTED), 1, "the job aborted while queued never started");
    assert.equal(Atomics.load(stuck.cells, RUNNING), 1, "the stuck job never got past its gate");
    await closeAll(supervisor, pool);
  });

  test("what the function throws reaches join() and is logged with the task name", async () => {
    const { logger, supervisor } = setup();
    const pool = new BlockingPool({ supervisor, limit: 2 });
    const failing = pool.spawn<typeof fail>("parse", FIXTURE, "fail", "bad input");
    await assert.rejects(
      failing.join(),
      (error: unknown) => error instanceof Error && error.name === "RangeError" && error.message === "bad input",
    );
    assert.throws(() => failing.tryJoin(), { name: "RangeError", message: "bad input" });
    await assert.rejects(
      pool.spawn<typeof throwCode>("code", FIXTURE, "throwCode", 7).join(),
      (error: unknown) => (error as { code?: number }).code === 7,
    );
    await assert.rejects(pool.spawn("missing", FIXTURE, "nope").join(), {
      name: "TypeError",
      message: /has no exported function "nope"/,
    });
    await assert.rejects(pool.spawn("clone", FIXTURE, "uncloneable").join(), { name: "DataCloneError" });
    assert.ok(logger.records.some((record) => record.level === "error" && record.fields["task"] === "parse"));
    assert.equal(supervisor.stats().tasks["parse"]?.outcomes.threw.count, 1);
    assert.equal(
      await pool.spawn<typeof sum>("after", FIXTURE, "sum", 2, 2).join(),
      4,
      "a throwing job leaves its worker usable",
    );
    await assert.rejects(pool.spawn("exit", FIXTURE, "exitWorker", 3).join(), {
      message: "the blocking worker exited with code 3",
    });
    assert.equal(
      await pool.spawn<typeof sum>("after-exit", FIXTURE, "sum", 3, 3).join(),
      6,
      "a worker that exited is replaced",
    );
    assert.ok(pool.size <= 2);
    await closeAll(supervisor, pool);
  });

  test("shutdown aborts running jobs, terminates the workers and refuses new jobs", async () => {
    const { supervisor } = setup();
    const pool = new BlockingPool({ supervisor, limit: 2 });
    const gate = counters();
    const running = pool.spawn<typeof gated>("long", FIXTURE, "gated", gate.shared, 1);
    await reach(gate.cells, RUNNING, 1);
    const summary = await supervisor.shutdown({ timeoutMs: 1000 });
    assert.equal(summary.timedOut, false);
    await assert.rejects(running.join(), TaskAbortedError);
    await assert.rejects(pool.spawn<typeof sum>("late", FIXTURE, "sum", 1).join(), SupervisorClosedError);
    await pool.close();
    assert.equal(pool.size, 0);
  });

  test("beyond queueLimit a job is dropped: join() rejects with TaskLimitError, counted in dropped(class)", async () => {
    const { supervisor } = setup();
    const pool = new BlockingPool({ supervisor, limit: 1, queueLimit: 1, class: "cpu" });
    const gate = counters();
    const running = pool.spawn<typeof gated>("first", FIXTURE, "gated", gate.shared, 1);
    const waiting = pool.spawn<typeof gated>("second", FIXTURE, "gated", gate.shared, 2);
    const dropped = pool.spawn<typeof gated>("third", FIXTURE, "gated", gate.shared, 3);
    await assert.rejects(dropped.join(), TaskLimitError);
    assert.equal((await dropped.done).status, "rejected");
    assert.equal(supervisor.dropped("cpu"), 1);
    gate.open();
    assert.deepEqual([await running.join(), await waiting.join()], [2, 4]);
    assert.equal(Atomics.load(gate.cells, STARTED), 2, "the dropped job never ran");
    await closeAll(supervisor, pool);
  });

  // Issue 18, defect 9: a job's own parentPort.postMessage killed the host or replaced the job's result.
  test("what a job posts on its own channel is never taken for a reply: any value, null, or a reply's shape", async () => {
    const { supervisor } = setup();
    const pool = new BlockingPool({ supervisor, limit: 1 });
    for (const value of ["progress", null, undefined, 42, { id: 1, ok: true, value: "forged" }, "ready"]) {
      assert.equal(await pool.spawn<typeof postToParent>("post", FIXTURE, "postToParent", value).join(), "done");
    }
    assert.equal(await pool.spawn<typeof sum>("after", FIXTURE, "sum", 1, 1).join(), 2);
    await closeAll(supervisor, pool);
  });

  test("an argument that cannot be cloned fails that job only, holds nothing open, and the process exits after shutdown", () => {
    const blocking = new URL(`../../shim/blocking${SOURCE_EXTENSION}`, import.meta.url).href;
    const supervisorModule = new URL(`../../shim/supervisor${SOURCE_EXTENSION}`, import.meta.url).href;
    const code = `import { BlockingPool } from ${JSON.stringify(blocking)};
import { TaskSupervisor } from ${JSON.stringify(supervisorModule)};
const supervisor = new TaskSupervisor({ logger: false });
const pool = new BlockingPool({ supervisor, limit: 1 });
const warm = await pool.spawn("warm", ${JSON.stringify(FIXTURE.href)}, "sum", 1, 1).join();
const failed = await pool.spawn("clone", ${
      JSON.stringify(FIXTURE.href)
    }, "sum", () => 1).join().catch((error) => error.name);
const after = await pool.spawn("after", ${JSON.stringify(FIXTURE.href)}, "sum", 2, 3).join();
await supervisor.shutdown();
console.log(JSON.stringify({ warm, failed, after }));
`;
    const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
    const [command, args] = deno === undefined
      ? [process.execPath, ["--input-type=module", "-e", code]]
      : [deno.execPath(), ["eval", code]];
    const run = spawnSync(command, args, { encoding: "utf8", timeout: 60_000 });
    assert.equal(run.signal, null, "the child exited by itself (no port or worker left open)");
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { warm: 2, failed: "DataCloneError", after: 5 });
  });

  test("a rejection a job leaks fails that job, not the next one; one leaked after it ended is reported under its name", async () => {
    const { logger, supervisor } = setup();
    const pool = new BlockingPool({ supervisor, limit: 1 });
    await assert.rejects(pool.spawn<typeof leakWhileRunning>("leaky", FIXTURE, "leakWhileRunning").join(), {
      message: "leaked while running",
    });
    assert.equal(await pool.spawn<typeof sum>("next", FIXTURE, "sum", 4, 4).join(), 8);

    const gate = counters();
    const reported = new Promise<void>((resolve) => {
      const error = logger.error;
      logger.error = (fields, message) => {
        error(fields, message);
        if ((fields as { event?: string }).event === "unhandledRejection") resolve();
      };
    });
    assert.equal(
      await pool.spawn<typeof leakAfterReturning>("late", FIXTURE, "leakAfterReturning", gate.shared).join(),
      2,
    );
    gate.open();
    // An idle worker holds the process open no more than its port does: hold it while the late leak comes in.
    const holdOpen = setInterval(() => {}, 1000);
    await reported;
    clearInterval(holdOpen);
    assert.equal(supervisor.guardStats().unhandledRejection, 1);
    assert.ok(
      logger.records.some((record) =>
        /blocking job "late" leaked a failure after it ended: leaked later/.test(record.message ?? "")
      ),
    );
    assert.equal(await pool.spawn<typeof sum>("after", FIXTURE, "sum", 5, 5).join(), 10);
    await closeAll(supervisor, pool);
  });

  test("bad arguments are one clear error", () => {
    const { supervisor } = setup();
    assert.throws(() => new BlockingPool({ supervisor, limit: 0 }), {
      name: "RangeError",
      message: /limit must be an integer ≥ 1, got 0/,
    });
    const pool = new BlockingPool({ supervisor });
    assert.equal(pool.limit, 8);
    assert.throws(() => new BlockingPool({ supervisor }), {
      name: "RangeError",
      message: 'class "blocking" already has a limit',
    });
    assert.throws(() => pool.spawn("relative", "./work.js", "run"), {
      name: "TypeError",
      message: /absolute module URL .*"\.\/work\.js"/,
    });
    assert.throws(() => pool.spawn("unnamed", FIXTURE, ""), {
      name: "TypeError",
      message: /name of an exported function/,
    });
    assert.deepEqual(supervisor.snapshot(), []);
  });

  test("spawnBlocking runs on the default pool, and its idle worker does not keep the process alive", () => {
    const blocking = new URL(`../../shim/blocking${SOURCE_EXTENSION}`, import.meta.url).href;
    const code = `import { spawnBlocking } from ${JSON.stringify(blocking)};
import { defaultSupervisor } from ${
      JSON.stringify(new URL(`../../shim/spawn${SOURCE_EXTENSION}`, import.meta.url).href)
    };
const handle = spawnBlocking(${JSON.stringify("sum")}, ${JSON.stringify(FIXTURE.href)}, "sum", 20, 22);
const value = await handle.join();
console.log(JSON.stringify({ value, classes: Object.keys(defaultSupervisor.stats().classes) }));
`;
    const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
    const [command, args] = deno === undefined
      ? [process.execPath, ["--input-type=module", "-e", code]]
      : [deno.execPath(), ["eval", code]];
    // No shutdown, no close: the child must exit by itself once the job is done (a worker kept alive would hang it until the timeout).
    const run = spawnSync(command, args, { encoding: "utf8", timeout: 60_000 });
    assert.equal(run.signal, null, "the child exited by itself");
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { value: 42, classes: ["blocking"] });
  });

  // The aborted job awaits forever rather than spinning: Deno 2.9's web Worker.terminate() does not stop a thread busy in
  // JavaScript (the process then never exits), one reason the pool uses node:worker_threads on Deno.
  test("without server globals (as in a browser) the pool uses web Workers: results, thrown errors, abort and recovery (in Deno)", () => {
    const source = (path: string): string => pathToFileURL(join(repoRoot(), `${path}.ts`)).href;
    const code = `delete globalThis.Deno;
globalThis.process = undefined;
const { BlockingPool } = await import(${JSON.stringify(source("shim/blocking"))});
const { TaskSupervisor } = await import(${JSON.stringify(source("shim/supervisor"))});
const fixture = ${JSON.stringify(source("test/shim/blocking.fixture"))};
const supervisor = new TaskSupervisor({ logger: false });
const pool = new BlockingPool({ supervisor, limit: 1 });
const sum = await pool.spawn("sum", fixture, "sum", 1, 2).join();
const failed = await pool.spawn("fail", fixture, "fail", "bad").join().catch((error) => error.name + ": " + error.message);
const cells = new Int32Array(new SharedArrayBuffer(16));
const stuck = pool.spawn("stuck", fixture, "pending", cells.buffer);
while (Atomics.load(cells, 0) < 1) await Atomics.waitAsync(cells, 0, 0).value;
stuck.abort();
const aborted = await stuck.join().catch((error) => error.name);
const after = await pool.spawn("after", fixture, "sum", 5, 5).join();
const size = pool.size;
await supervisor.shutdown();
console.log(JSON.stringify({ sum, failed, aborted, after, size }));
`;
    const run = spawnSync(
      join(repoRoot(), "node_modules", ".bin", "deno"),
      ["run", "--no-prompt", "--allow-read", "-"],
      { input: code, encoding: "utf8", timeout: 120_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), {
      sum: 3,
      failed: "RangeError: bad",
      aborted: "TaskAbortedError",
      after: 10,
      size: 1,
    });
  });
});
