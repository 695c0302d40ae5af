// installProcessGuard: unsupervised rejections and exceptions are counted and logged, the runtime's exit policy is kept
// unless preventExit, and the disposer removes every listener. Child processes run on the runtime running this test.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import process from "node:process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { installProcessGuard } from "../../shim/process-guard.ts";
import type { UnsupervisedKind } from "../../shim/types.ts";
import { setup } from "./helpers.ts";

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
const extension = import.meta.url.endsWith(".ts") ? "ts" : "js";
const fixture = fileURLToPath(new URL(`./process-guard.fixture.${extension}`, import.meta.url));

/** Run the fixture; `code` is the child's exit code. */
function runFixture(mode: "bare" | "guard" | "prevent", kind: "rejection" | "exception") {
  const [command, args] = deno === undefined
    ? [process.execPath, [fixture]]
    : [deno.execPath(), ["run", "-A", "--quiet", fixture]];
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    // The timeout is a safety net for a hung child, not a sleep.
    execFile(command, [...args, mode, kind], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr });
    });
  });
}

/** The JSON log lines of a child's stderr (the runtime's own report is not JSON). */
function jsonLines(stderr: string): Array<Record<string, unknown>> {
  return stderr.split("\n").filter((line) => line.startsWith("{")).map((line) =>
    JSON.parse(line) as Record<string, unknown>
  );
}

const cases: Array<[kind: "rejection" | "exception", event: UnsupervisedKind, message: string]> = [
  ["rejection", "unhandledRejection", "deliberate unsupervised rejection"],
  ["exception", "uncaughtException", "deliberate uncaught exception"],
];

describe("process guard in a child process", () => {
  for (const [kind, event, message] of cases) {
    test(`an unsupervised ${kind}: logged once by the guard, same exit code as without it; 0 with preventExit`, async () => {
      const [bare, guarded, prevented] = await Promise.all([
        runFixture("bare", kind),
        runFixture("guard", kind),
        runFixture("prevent", kind),
      ]);
      assert.notEqual(bare.code, 0, `without the guard the runtime exits non-zero:\n${bare.stderr}`);
      assert.deepEqual(jsonLines(bare.stderr), []);

      assert.equal(guarded.code, bare.code, `the guard keeps the runtime's exit code:\n${guarded.stderr}`);
      const logged = jsonLines(guarded.stderr);
      assert.equal(logged.length, 1, guarded.stderr);
      assert.equal(logged[0]!["event"], event);
      assert.equal(logged[0]!["level"], "error");
      assert.equal((logged[0]!["err"] as { message?: unknown }).message, message);

      assert.equal(prevented.code, 0, `preventExit keeps the process alive:\n${prevented.stderr}`);
      assert.equal(jsonLines(prevented.stderr).filter((line) => line["event"] === event).length, 1);
      const counts = JSON.parse(prevented.stdout.trim()) as Record<UnsupervisedKind, number>;
      assert.equal(counts[event], 1);
      assert.equal(counts.unhandledRejection + counts.uncaughtException, 1);
    });
  }
});

describe("process guard listeners", () => {
  test("Node: the disposer removes every process listener it added", {
    skip: deno !== undefined && "Node's process events",
  }, () => {
    const events = ["uncaughtExceptionMonitor", "unhandledRejection", "uncaughtException"] as const;
    const count = () => events.map((event) => process.listenerCount(event));
    const before = count();
    const { supervisor } = setup();
    const plain = installProcessGuard(supervisor);
    // On Bun, whose monitor misses rejections, an unhandledRejection listener comes with it.
    const bun = (globalThis as { Bun?: unknown }).Bun !== undefined ? 1 : 0;
    assert.deepEqual(count(), [before[0]! + 1, before[1]! + bun, before[2]], "without preventExit only the monitor");
    const preventing = installProcessGuard(supervisor, { preventExit: true });
    assert.deepEqual(count(), [before[0]! + 1, before[1]! + 1 + bun, before[2]! + 1]);
    plain();
    preventing();
    preventing();
    assert.deepEqual(count(), before);
  });

  test("web and Deno: global events are counted, logged, prevented only when asked, and removed", () => {
    /** An EventTarget that keeps track of its listeners. */
    class CountingTarget extends EventTarget {
      listeners = 0;
      override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void {
        this.listeners++;
        super.addEventListener(...args);
      }
      override removeEventListener(...args: Parameters<EventTarget["removeEventListener"]>): void {
        this.listeners--;
        super.removeEventListener(...args);
      }
    }
    const dispatch = (target: EventTarget, type: string, fields: object): boolean => {
      const event = Object.assign(new Event(type, { cancelable: true }), fields);
      target.dispatchEvent(event);
      return event.defaultPrevented;
    };
    const { supervisor, logger } = setup();
    const observing = new CountingTarget();
    const disposeObserving = installProcessGuard(supervisor, { globals: observing });
    const preventing = new CountingTarget();
    const disposePreventing = installProcessGuard(supervisor, { globals: preventing, preventExit: true });
    assert.deepEqual([observing.listeners, preventing.listeners], [2, 2]);

    const reason = new Error("lost");
    assert.equal(dispatch(observing, "unhandledrejection", { reason }), false, "the runtime's policy is left alone");
    assert.equal(dispatch(preventing, "unhandledrejection", { reason }), true);
    assert.equal(dispatch(observing, "error", { error: new Error("boom") }), false);
    assert.equal(dispatch(preventing, "error", { error: null, message: "Script error." }), true);
    assert.deepEqual(supervisor.guardStats(), { unhandledRejection: 2, uncaughtException: 2 });
    assert.deepEqual(logger.records.map((record) => record.fields["event"]), [
      "unhandledRejection",
      "unhandledRejection",
      "uncaughtException",
      "uncaughtException",
    ]);
    assert.equal(logger.records[0]!.fields["err"], reason);
    assert.match(logger.records[3]!.message ?? "", /Script error\./);

    disposeObserving();
    disposePreventing();
    assert.deepEqual([observing.listeners, preventing.listeners], [0, 0]);
    dispatch(observing, "unhandledrejection", { reason });
    assert.deepEqual(
      supervisor.guardStats(),
      { unhandledRejection: 2, uncaughtException: 2 },
      "nothing listens after disposal",
    );
  });

  test("Bun, whose monitor misses rejections: an unhandledRejection listener reports each, and raises it again without itself when it is the only listener", () => {
    /** Bun's process as far as the guard sees it: listeners by event, emitted by hand. */
    const listeners = new Map<string, Array<(...args: unknown[]) => void>>();
    const bunProcess = {
      versions: { node: "24.3.0", bun: "1.4.5" },
      on: (event: string, listener: (...args: unknown[]) => void) =>
        listeners.set(event, [...(listeners.get(event) ?? []), listener]),
      removeListener: (event: string, listener: (...args: unknown[]) => void) =>
        listeners.set(event, (listeners.get(event) ?? []).filter((each) => each !== listener)),
      listenerCount: (event: string) => listeners.get(event)?.length ?? 0,
    };
    const emit = (event: string, ...args: unknown[]): void =>
      [...listeners.get(event) ?? []].forEach((l) => l(...args));
    const raisedAgain: unknown[] = [];
    const globals = {
      process: bunProcess,
      Bun: {},
      Promise: { reject: (reason: unknown) => raisedAgain.push(reason) },
    };
    const { supervisor } = setup();
    const dispose = installProcessGuard(supervisor, { globals: globals as never });

    const userListener = (): void => {};
    bunProcess.on("unhandledRejection", userListener);
    emit("unhandledRejection", new Error("handled by the user's listener"));
    assert.deepEqual(supervisor.guardStats(), { unhandledRejection: 1, uncaughtException: 0 });
    assert.deepEqual(raisedAgain, [], "another listener handles it: Bun goes on, nothing is raised again");

    bunProcess.removeListener("unhandledRejection", userListener);
    const lost = new Error("lost");
    emit("unhandledRejection", lost);
    assert.deepEqual(raisedAgain, [lost], "raised again for Bun to end the process");
    assert.equal(bunProcess.listenerCount("unhandledRejection"), 0, "with the guard's listener gone");
    emit("uncaughtExceptionMonitor", lost, "unhandledRejection");
    emit("uncaughtExceptionMonitor", new Error("boom"), "uncaughtException");
    assert.deepEqual(
      supervisor.guardStats(),
      { unhandledRejection: 2, uncaughtException: 1 },
      "the rejection raised again is not counted twice",
    );
    dispose();
    assert.deepEqual([...listeners.values()].flat(), []);
  });

  test("a runtime with neither process events nor a global event target gets nothing and a harmless disposer", () => {
    const { supervisor } = setup();
    const dispose = installProcessGuard(supervisor, { globals: {} });
    dispose();
    assert.deepEqual(supervisor.guardStats(), { unhandledRejection: 0, uncaughtException: 0 });
  });
});
