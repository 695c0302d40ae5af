// Events, the JSON logger and the diagnostics_channel publisher.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import dc from "node:diagnostics_channel";
import { findTracingChannel, type TaskTraceContext, TRACING_CHANNEL } from "../../shim/diagnostics.ts";
import { isServerRuntime, nodeProcess } from "../../shim/runtime.ts";
import { jsonLogger } from "../../shim/logger.ts";
import { setup, untilAborted } from "./helpers.ts";

describe("events", () => {
  test("start, end, restart, failed and exit fire in order with their payloads", async () => {
    const { supervisor, clock } = setup();
    const seen: string[] = [];
    for (const type of ["start", "end", "restart", "failed", "exit"] as const) {
      supervisor.on(type, (e) => seen.push(`${type}:${e.attempt}`));
    }
    supervisor.spawn("flaky", () => Promise.reject(new Error("x")), {
      backoff: { initialMs: 10 },
      maxConsecutiveFailures: 2,
    });
    await clock.advance(10);
    assert.deepEqual(seen, ["start:1", "end:1", "restart:2", "start:2", "end:2", "failed:2", "exit:2"]);
  });

  test("a throwing listener is logged and does not disturb the supervisor", async () => {
    const { supervisor, logger } = setup();
    const off = supervisor.on("start", () => {
      throw new Error("listener bug");
    });
    assert.equal(await supervisor.run("job", () => 5), 5);
    off();
    assert.ok(
      logger.records.some((r) =>
        r.fields["source"] === "listener" && /"start" listener failed.*listener bug/.test(r.message ?? "")
      ),
    );
  });
});

describe("jsonLogger", () => {
  test("writes one JSON line per record, with errors and odd values serialised", () => {
    const lines: string[] = [];
    const logger = jsonLogger((line) => lines.push(line));
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic["self"] = cyclic;
    logger.error({ task: "t", err: new RangeError("bad"), big: 10n, sym: Symbol("s"), cyclic }, "task failed");
    logger.warn({ err: "plain string" });
    logger.info({
      task: "kept",
      hostile: {
        toJSON() {
          throw new Error("no");
        },
      },
    }, "x");
    assert.equal(lines.length, 3);
    assert.ok(lines.every((line) => !line.includes("\n")));
    const first = JSON.parse(lines[0]!);
    assert.equal(first.level, "error");
    assert.equal(first.msg, "task failed");
    assert.equal(first.task, "t");
    assert.equal(first.err.type, "RangeError");
    assert.equal(first.err.message, "bad");
    assert.equal(first.big, "10");
    assert.equal(first.cyclic.self, "[Circular]");
    assert.equal(JSON.parse(lines[1]!).err, "plain string");
    const third = JSON.parse(lines[2]!);
    assert.deepEqual(
      [third.msg, third.task, third.hostile],
      ["x", "kept", "[unserialisable: Error: no]"],
      "only the bad field is lost",
    );
  });

  test("is the default logger of a supervisor", async () => {
    const lines: string[] = [];
    const { supervisor } = setup({ logger: jsonLogger((line) => lines.push(line)) });
    await supervisor.spawnLogged("failing", Promise.reject(new Error("oops"))).done;
    const record = JSON.parse(lines[0]!);
    assert.equal(record.task, "failing");
    assert.equal(record.attempt, 1);
    assert.equal(record.err.message, "oops");
  });
});

describe("runtime detection", () => {
  test("without process.versions.node, Deno or Bun (a browser), no built-in module is asked for", () => {
    const asked: string[] = [];
    const getBuiltinModule = (specifier: string): unknown => void asked.push(specifier);
    const browsers = [{}, { process: { versions: {}, getBuiltinModule } }, {
      process: { env: { NODE_ENV: "production" }, getBuiltinModule },
    }];
    for (const globals of browsers) {
      assert.equal(isServerRuntime(globals), false);
      assert.equal(findTracingChannel(globals), undefined);
    }
    assert.deepEqual(asked, []);
  });

  test("Node, Deno and Bun are recognised by their globals and the module is taken from process.getBuiltinModule", () => {
    const asked: string[] = [];
    const fake = { tracingChannel: (name: string) => ({ name, start: {}, end: {}, error: {} }) };
    const process = {
      versions: { node: "20.16.0" },
      getBuiltinModule: (specifier: string) => (asked.push(specifier), fake),
    };
    for (const globals of [{ process }, { Deno: { version: { deno: "2.0.0" } }, process }, { Bun: {}, process }]) {
      assert.equal(isServerRuntime(globals), true);
      assert.equal((findTracingChannel(globals) as unknown as { name: string }).name, TRACING_CHANNEL);
    }
    assert.deepEqual(asked, ["node:diagnostics_channel", "node:diagnostics_channel", "node:diagnostics_channel"]);
  });

  test("a Node without getBuiltinModule (before 20.16), or one whose module throws, has no channel", () => {
    assert.equal(findTracingChannel({ process: { versions: { node: "20.15.0" } } }), undefined);
    const throwing = {
      process: {
        versions: { node: "22.0.0" },
        getBuiltinModule: () => ({
          tracingChannel: () => {
            throw new Error("no");
          },
        }),
      },
    };
    assert.equal(findTracingChannel(throwing), undefined);
  });

  test("a hostile global getter counts as a browser", () => {
    const globals = Object.defineProperty({}, "process", {
      get: () => {
        throw new Error("denied");
      },
    });
    assert.equal(isServerRuntime(globals), false);
  });

  test("only Node's process (not Deno's) is the one whose events the guard listens to", () => {
    const process = { versions: { node: "20.0.0" }, on() {}, removeListener() {} };
    assert.equal(nodeProcess({ process }), process);
    assert.equal(nodeProcess({ process, Deno: {} }), undefined);
    assert.equal(nodeProcess({ process: { versions: { node: "20.0.0" } } }), undefined);
  });

  test("this runtime is detected without being told and has the channel", () => {
    assert.equal(isServerRuntime(), true);
    assert.notEqual(findTracingChannel(), undefined);
  });
});

describe("diagnostics_channel", () => {
  test("publishes start, error and end on the spawn-audit:task tracing channel", async () => {
    const channel = dc.tracingChannel(TRACING_CHANNEL);
    const events: [string, TaskTraceContext][] = [];
    const handlers = {
      start: (m: unknown) => events.push(["start", m as TaskTraceContext]),
      end: (m: unknown) => events.push(["end", m as TaskTraceContext]),
      asyncStart: () => {},
      asyncEnd: () => {},
      error: (m: unknown) => events.push(["error", m as TaskTraceContext]),
    };
    channel.subscribe(handlers);
    try {
      const { supervisor } = setup();
      await supervisor.spawnLogged("traced", Promise.reject(new Error("traced failure"))).done;
      await supervisor.run("ok", () => 1);
      assert.deepEqual(events.map(([kind, ctx]) => `${kind}:${ctx.name}`), [
        "start:traced",
        "error:traced",
        "end:traced",
        "start:ok",
        "end:ok",
      ]);
      assert.equal(events[0]![1], events[2]![1], "one context object per attempt");
      assert.equal((events[1]![1].error as Error).message, "traced failure");
      assert.equal(events[4]![1].outcome, "returned");
    } finally {
      channel.unsubscribe(handlers);
    }
  });

  test("publishes nothing without subscribers", async () => {
    const { supervisor } = setup();
    supervisor.spawn("quiet", untilAborted);
    await supervisor.shutdown();
    assert.equal(dc.channel(`tracing:${TRACING_CHANNEL}:start`).hasSubscribers, false);
  });
});
