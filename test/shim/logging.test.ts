// Logging survives: the task name and message outlive unserialisable errors, long strings are cut,
// and failing hooks (logger, clock, jitter source) are reported while the task carries on.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { HookFailure } from "../../shim/events.ts";
import { jsonLogger, type Logger } from "../../shim/logger.ts";
import { toJsonSafe } from "../../shim/serialize.ts";
import { TaskSupervisor } from "../../shim/supervisor.ts";
import { setup } from "./helpers.ts";
import { ManualClock } from "./manual-clock.ts";

/** An error no naive serialiser survives: a cycle, a bigint and a throwing getter. */
function hostileError(): Error {
  const error = new Error("hostile failure") as Error & Record<string, unknown>;
  error["self"] = error;
  error["size"] = 10n;
  Object.defineProperty(error, "secret", {
    enumerable: true,
    get: () => {
      throw new Error("getter says no");
    },
  });
  return error;
}

describe("the task name survives serialisation", () => {
  test("jsonLogger: a cyclic, bigint, throwing-getter error keeps task, message and the rest", async () => {
    const lines: string[] = [];
    const { supervisor } = setup({ logger: jsonLogger((line) => lines.push(line)) });
    await supervisor.spawnLogged("import-batch", Promise.reject(hostileError())).done;
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]!);
    assert.equal(record.task, "import-batch");
    assert.equal(record.msg, 'task "import-batch" failed on attempt 1');
    assert.equal(record.err.type, "Error");
    assert.equal(record.err.message, "hostile failure");
    assert.equal(record.err.self, "[Circular]");
    assert.equal(record.err.size, "10");
    assert.equal(record.err.secret, "[unserialisable: Error: getter says no]");
    assert.match(record.err.stack, /hostile failure/);
  });

  test("a user logger that chokes on the error is retried with JSON-safe fields", async () => {
    const lines: string[] = [];
    const strict: Logger = {
      error: (fields, message) => void lines.push(JSON.stringify({ ...fields, message })), // throws on cycles and bigints
      warn: (fields, message) => void lines.push(JSON.stringify({ ...fields, message })),
      info: () => {},
    };
    const failures: HookFailure[] = [];
    const { supervisor } = setup({ logger: strict });
    supervisor.on("hookError", (e) => void failures.push(e));
    await supervisor.spawnLogged("import-batch", Promise.reject(hostileError())).done;
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]!);
    assert.equal(record.task, "import-batch");
    assert.equal(record.message, 'task "import-batch" failed on attempt 1');
    assert.equal(record.err.message, "hostile failure");
    assert.deepEqual(failures, [], "a successful retry is not a failure");
  });

  test("a logger that throws even on safe fields is reported as a hookError and the task still ends", async () => {
    const broken: Logger = {
      error: () => {
        throw new Error("disk full");
      },
      warn: () => {},
      info: () => {},
    };
    const failures: HookFailure[] = [];
    const { supervisor } = setup({ logger: broken });
    supervisor.on("hookError", (e) => void failures.push(e));
    const outcome = await supervisor.spawnLogged("job", Promise.reject(new Error("x"))).done;
    assert.equal(outcome.status, "failed");
    assert.deepEqual(failures.map((f) => [f.source, (f.error as Error).message]), [["logger", "disk full"]]);
  });
});

describe("long strings are cut", () => {
  test("a 5 MB error message is not logged whole by jsonLogger, nor kept whole in the snapshot", async () => {
    const lines: string[] = [];
    const { supervisor, clock } = setup({ logger: jsonLogger((line) => lines.push(line)) });
    const huge = "x".repeat(5 * 1024 * 1024);
    supervisor.spawn("huge", () => Promise.reject(new Error(huge)), { restart: "never" });
    await clock.advance(0);
    const record = JSON.parse(lines[0]!);
    assert.ok(lines[0]!.length < 40_000, `line is ${lines[0]!.length} chars`);
    const message = record.err.message as string;
    assert.ok(message.length <= 8192 && /^x+…\[\d+ more chars\]$/.test(message), `message of ${message.length} chars`);
    assert.equal(
      Number(/(\d+) more/.exec(message)![1]) + message.indexOf("…"),
      huge.length,
      "the note counts what was dropped",
    );
    const snapshot = supervisor.snapshot()[0]!;
    assert.ok(snapshot.lastError!.length < 8300 && snapshot.reason!.length < 8400);
  });

  test("maxLogStringLength caps what a user logger receives and the snapshot keeps", async () => {
    const { supervisor, clock, logger } = setup({ maxLogStringLength: 50 });
    const message = "m".repeat(500);
    supervisor.spawn("a-task-name-that-is-rather-long-".repeat(4), () => Promise.reject(new Error(message)), {
      restart: "never",
    });
    await clock.advance(0);
    const err = logger.records[0]!.fields["err"] as { type: string; message: string; stack: string };
    assert.equal(err.type, "Error");
    assert.equal(err.message, `${"m".repeat(33)}…[467 more chars]`);
    assert.ok(err.stack.length <= 50);
    assert.equal(logger.records[0]!.fields["task"], "a-task-name-that-is-rather-long-a…[95 more chars]");
    assert.equal(supervisor.snapshot()[0]!.lastError, `Error: ${"m".repeat(26)}…[474 more chars]`);
  });

  test("a short error reaches a user logger as the error object itself", async () => {
    const { supervisor, logger } = setup();
    const error = new RangeError("short");
    await supervisor.spawnLogged("short", Promise.reject(error)).done;
    assert.equal(logger.records[0]!.fields["err"], error);
  });

  test("limits are validated", () => {
    assert.throws(() => jsonLogger(undefined, { maxStringLength: -1 }), RangeError);
    assert.throws(() => new TaskSupervisor({ logger: false, maxLogStringLength: 1.5 }), RangeError);
  });

  test("toJsonSafe bounds depth, keys and array length", () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 20; i++) deep = { deep };
    const wide = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]));
    const safe = toJsonSafe({
      deep,
      wide,
      list: Array.from({ length: 150 }, (_, i) => i),
      fn: function named() {},
    }) as Record<string, unknown>;
    assert.match(JSON.stringify(safe["deep"]), /"\[Object\]"/);
    assert.equal(Object.keys(safe["wide"] as object).length, 101);
    assert.equal((safe["wide"] as Record<string, unknown>)["…"], "50 more keys");
    assert.equal((safe["list"] as unknown[]).length, 101);
    assert.equal(safe["fn"], "[Function: named]");
  });
});

describe("failing clock and jitter source", () => {
  test("a throwing clock.now() is reported; the task still runs and ends", async () => {
    const clock = new ManualClock();
    let broken = false;
    const failures: HookFailure[] = [];
    const supervisor = new TaskSupervisor({
      logger: false,
      clock: {
        now: () => (broken ? Number.NaN : clock.now()),
        setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
        clearTimeout: (h) => clock.clearTimeout(h),
      },
    });
    supervisor.on("hookError", (e) => void failures.push(e));
    broken = true;
    const outcome = await supervisor.run("job", () => 3);
    assert.equal(outcome, 3);
    assert.ok(failures.length > 0 && failures.every((f) => f.source === "clock"));
  });

  test("a jitter source outside [0, 1) is reported and the midpoint is used", async () => {
    const failures: HookFailure[] = [];
    const { supervisor, clock } = setup({ random: () => 7, defaults: { backoff: { jitter: "full", initialMs: 100 } } });
    supervisor.on("hookError", (e) => void failures.push(e));
    supervisor.spawn("flaky", () => Promise.reject(new Error("again")), { maxConsecutiveFailures: 2 });
    await clock.advance(0);
    assert.deepEqual(clock.scheduled, [50]);
    assert.deepEqual(failures.map((f) => f.source), ["random"]);
    await supervisor.shutdown();
  });
});
