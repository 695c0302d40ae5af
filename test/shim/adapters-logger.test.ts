// The logger adapters, with objects shaped like pino, winston and console loggers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consoleLogger, pinoLogger, winstonLogger } from "../../shim/adapters/logger.ts";
import type { HookFailure } from "../../shim/events.ts";
import type { Logger } from "../../shim/logger.ts";
import { TaskSupervisor } from "../../shim/supervisor.ts";
import { flush } from "./manual-clock.ts";

type Call = { level: string; args: unknown[] };

/** An object with level methods that record their arguments (pino, winston and console all look like this to the adapters). */
function recorder(result?: () => unknown) {
  const calls: Call[] = [];
  const method = (level: string) => (...args: unknown[]) => {
    calls.push({ level, args });
    return result?.();
  };
  return { calls, error: method("error"), warn: method("warn"), info: method("info") };
}

/** Run one failing spawnLogged task under a supervisor logging through `logger`; resolves with the error-level call. */
async function failOnce(logger: Logger, calls: Call[]): Promise<unknown[]> {
  const supervisor = new TaskSupervisor({ logger });
  const failure = Object.assign(new Error("boom"), { code: "E_SYNC" });
  assert.equal((await supervisor.spawnLogged("jobs.sync", () => Promise.reject(failure)).done).status, "failed");
  const call = calls.find((c) => c.level === "error");
  assert.ok(call !== undefined, JSON.stringify(calls));
  return call.args;
}

describe("logger adapters", () => {
  test("pino gets the fields (error as err) then the message", async () => {
    const pino = recorder();
    const [fields, message] = await failOnce(pinoLogger(pino), pino.calls);
    assert.equal((fields as { task: string }).task, "jobs.sync");
    assert.equal((fields as { err: Error }).err.message, "boom");
    assert.match(message as string, /^task "jobs\.sync" failed/);
  });

  test("winston gets the message then the fields, the error as a plain object under error", async () => {
    const winston = recorder();
    const [message, meta] = await failOnce(winstonLogger(winston), winston.calls);
    assert.match(message as string, /^task "jobs\.sync" failed/);
    const { error, err, task } = meta as { error: Record<string, unknown>; err?: unknown; task: string };
    assert.equal(task, "jobs.sync");
    assert.equal(err, undefined);
    assert.equal(Object.getPrototypeOf(error), Object.prototype);
    assert.deepEqual([error["name"], error["message"], error["code"]], ["Error", "boom", "E_SYNC"]);
    assert.match(error["stack"] as string, /Error: boom/);
    assert.deepEqual(JSON.parse(JSON.stringify(meta)).error.message, "boom", "a JSON format keeps the error");
  });

  test("console gets the message then the fields", async () => {
    const target = recorder();
    const [message, fields] = await failOnce(consoleLogger(target), target.calls);
    assert.match(message as string, /^task "jobs\.sync" failed/);
    assert.equal((fields as { err: Error }).err.message, "boom");
  });

  test("an async logger's rejection comes back through the adapter and is reported as a hook failure", async () => {
    for (const adapt of [pinoLogger, winstonLogger, consoleLogger]) {
      const rejecting = recorder(() => Promise.reject(new Error("log sink down")));
      const failures: HookFailure[] = [];
      const supervisor = new TaskSupervisor({ logger: adapt(rejecting) });
      supervisor.on("hookError", (failure) => void failures.push(failure));
      await supervisor.spawnLogged("jobs.sync", () => Promise.reject(new Error("boom"))).done;
      await flush();
      assert.deepEqual(
        failures.map((f) => [f.source, (f.error as Error).message]),
        [["logger", "log sink down"]],
        adapt.name,
      );
    }
  });
});
