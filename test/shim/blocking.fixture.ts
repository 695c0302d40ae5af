// Functions the blocking pool tests run on workers. Shared counters (an Int32Array over a
// SharedArrayBuffer) let a test see jobs start and hold them until it opens their gate.

/** Index of the jobs running now. */
export const RUNNING = 0;
/** Index of the most jobs seen running at once. */
export const MAX = 1;
/** Index of the gate: jobs wait while it is 0. */
export const GATE = 2;
/** Index of the jobs ever started. */
export const STARTED = 3;

/** Count this job in, wait for the gate, count it out, return `value * 2`. */
export function gated(shared: SharedArrayBuffer, value: number): number {
  const cells = new Int32Array(shared);
  Atomics.add(cells, STARTED, 1);
  const running = Atomics.add(cells, RUNNING, 1) + 1;
  for (let max = Atomics.load(cells, MAX); running > max; max = Atomics.load(cells, MAX)) {
    if (Atomics.compareExchange(cells, MAX, max, running) === max) break;
  }
  Atomics.notify(cells, RUNNING);
  Atomics.wait(cells, GATE, 0);
  Atomics.sub(cells, RUNNING, 1);
  return value * 2;
}

/** Count this job in, then wait forever on a promise (the worker's thread stays free, so any runtime can terminate it). */
export async function pending(shared: SharedArrayBuffer): Promise<never> {
  const cells = new Int32Array(shared);
  Atomics.add(cells, STARTED, 1);
  Atomics.add(cells, RUNNING, 1);
  Atomics.notify(cells, RUNNING);
  return await new Promise<never>(() => {});
}

/** An async function: the pool awaits what it returns. */
export async function sum(...values: number[]): Promise<number> {
  await Promise.resolve();
  return values.reduce((total, value) => total + value, 0);
}

/** Throws a RangeError with `message`. */
export function fail(message: string): never {
  throw new RangeError(message);
}

/** Throws a value that is not an Error. */
export function throwCode(code: number): never {
  throw { code };
}

/** Ends the worker's thread with `code` (Node's process.exit in a worker stops that worker only). */
export function exitWorker(code: number): void {
  (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(code);
}

/** Returns a function, which cannot be cloned back. */
export function uncloneable(): () => number {
  return () => 1;
}

/** Posts `value` on the worker's own channel (`parentPort`), as a job reporting progress would, then returns "done". */
export async function postToParent(value: unknown): Promise<string> {
  const { parentPort } = await import("node:worker_threads");
  parentPort?.postMessage(value);
  return "done";
}

/** Leaves a rejection unhandled while it runs, then returns 1 a moment later. */
export async function leakWhileRunning(): Promise<number> {
  void Promise.reject(new Error("leaked while running"));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return 1;
}

/** Returns at once, leaving a rejection to leak when the test opens the gate (after the job is over). */
export function leakAfterReturning(shared: SharedArrayBuffer): number {
  const cells = new Int32Array(shared);
  const waitAsync = (Atomics as unknown as {
    waitAsync(cells: Int32Array, index: number, value: number): { value: Promise<unknown> | string };
  }).waitAsync;
  void Promise.resolve(waitAsync(cells, GATE, 0).value).then(() => Promise.reject(new Error("leaked later")));
  return 2;
}
