// superviseWorker with node-style (on/exit) and web-style (addEventListener/error) fake workers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { logWorker, superviseWorker, type WorkerLike } from "../../shim/worker.ts";
import { find, setup } from "./helpers.ts";

type Listener = (value: unknown) => void;

// Compile-time checks: the real worker types fit WorkerLike without casts.
type NodeWorker = import("node:worker_threads").Worker;
export const nodeWorkerFits: NodeWorker extends WorkerLike ? true : false = true;
export const webWorkerFits: Worker extends WorkerLike ? true : false = true;

class NodeStyleWorker implements WorkerLike {
  readonly listeners = new Map<string, Set<Listener>>();
  terminated = 0;
  on(event: string, listener: Listener): this {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(listener);
    return this;
  }
  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }
  emit(event: string, value: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(value);
  }
  terminate(): Promise<number> {
    this.terminated++;
    return Promise.resolve(1);
  }
}

class WebStyleWorker implements WorkerLike {
  readonly target = new EventTarget();
  terminated = 0;
  addEventListener(type: string, listener: Listener): void {
    this.target.addEventListener(type, listener);
  }
  removeEventListener(type: string, listener: Listener): void {
    this.target.removeEventListener(type, listener);
  }
  fail(message: string): Event {
    const event = new Event("error", { cancelable: true });
    Object.assign(event, { message, error: new Error(message) });
    this.target.dispatchEvent(event);
    return event;
  }
  terminate(): void {
    this.terminated++;
  }
}

/** A worker factory that keeps every worker it creates in `workers`. */
function recordInto<W extends WorkerLike>(workers: W[], Kind: new () => W): () => W {
  return () => {
    const worker = new Kind();
    workers.push(worker);
    return worker;
  };
}

describe("superviseWorker", () => {
  test("node-style: a non-zero exit restarts the worker after the backoff", async () => {
    const { supervisor, clock, logger } = setup();
    const workers: NodeStyleWorker[] = [];
    superviseWorker("indexer", recordInto(workers, NodeStyleWorker), { supervisor, backoff: { initialMs: 100 } });
    assert.equal(workers.length, 1);
    workers[0]!.emit("exit", 3);
    await clock.advance(100);
    assert.equal(workers.length, 2);
    assert.equal(find(supervisor, "indexer")?.restartCount, 1);
    assert.match(String((logger.records[0]?.fields["err"] as Error).message), /exited with code 3/);
    assert.equal(workers[0]!.listeners.get("exit")?.size, 0, "listeners of the dead worker are removed");
  });

  test("node-style: an error event restarts; exit 0 completes under on-failure", async () => {
    const { supervisor, clock } = setup();
    const workers: NodeStyleWorker[] = [];
    const handle = superviseWorker("w", recordInto(workers, NodeStyleWorker), {
      supervisor,
      backoff: { initialMs: 10 },
    });
    workers[0]!.emit("error", new Error("crash"));
    workers[0]!.emit("error", new Error("a late error has a quiet listener"));
    await clock.advance(10);
    workers[1]!.emit("exit", 0);
    assert.deepEqual(await handle.done, { status: "completed", value: undefined });
    assert.equal(workers.length, 2);
  });

  test("web-style: an error event restarts and is kept from the global handler", async () => {
    const { supervisor, clock } = setup();
    const workers: WebStyleWorker[] = [];
    superviseWorker("thumbs", recordInto(workers, WebStyleWorker), { supervisor, backoff: { initialMs: 10 } });
    const event = workers[0]!.fail("bad image");
    assert.equal(event.defaultPrevented, true);
    assert.equal(workers[0]!.terminated, 1);
    await clock.advance(10);
    assert.equal(workers.length, 2);
    assert.equal(find(supervisor, "thumbs")?.lastError, "Error: bad image");
  });

  test("abort and shutdown terminate the worker", async () => {
    const { supervisor } = setup();
    const worker = new WebStyleWorker();
    const handle = superviseWorker("bg", () => worker, { supervisor });
    const summary = await supervisor.shutdown();
    assert.equal(summary.exited, 1);
    assert.equal(worker.terminated, 1);
    assert.equal((await handle.done).status, "aborted");
  });
});

describe("logWorker", () => {
  test("returns the same worker and logs its error as the task's failure, without terminating it", async () => {
    const { supervisor, logger } = setup();
    const worker = new NodeStyleWorker();
    assert.equal(logWorker("pool", worker, { supervisor }), worker);
    assert.equal(find(supervisor, "pool")?.status, "running");
    worker.emit("error", new Error("boom"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(find(supervisor, "pool"), undefined, "the one-shot task has ended");
    assert.match(String((logger.records[0]?.fields["err"] as Error).message), /boom/);
    assert.equal(worker.terminated, 0);
    assert.doesNotThrow(() => worker.emit("error", new Error("a later error has a quiet listener")));
  });

  test("exit 0 completes the task; shutdown stops watching without terminating the worker", async () => {
    const { supervisor, logger } = setup();
    const done = new NodeStyleWorker();
    logWorker("done", done, { supervisor });
    done.emit("exit", 0);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(find(supervisor, "done"), undefined);
    assert.deepEqual(logger.records, [], "a clean exit logs nothing");
    const kept = new WebStyleWorker();
    logWorker("kept", kept, { supervisor });
    await supervisor.shutdown();
    assert.equal(kept.terminated, 0);
    const event = kept.fail("after shutdown");
    assert.equal(event.defaultPrevented, false, "no longer watched after shutdown");
  });
});

describe("a worker whose methods throw", () => {
  test("a throwing off() or terminate() does not throw into the worker's event dispatch; the failure is still the task's", async () => {
    const { supervisor, clock } = setup();
    const worker = new NodeStyleWorker();
    worker.off = () => {
      throw new Error("off is broken");
    };
    worker.terminate = () => {
      throw new Error("terminate is broken");
    };
    const handle = superviseWorker("brittle", () => worker, { supervisor, restart: "never" });
    assert.doesNotThrow(() => worker.emit("exit", 3));
    await clock.advance(0);
    const outcome = await handle.done;
    assert.equal(outcome.status, "failed");
    assert.match(outcome.status === "failed" ? String(outcome.error) : "", /exited with code 3/);
  });
});
