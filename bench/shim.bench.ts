// Shim benchmarks: overhead of spawnLogged against a bare .catch, spawn and restart cost, memory per task.
import { type Clock, type Logger, TaskSupervisor } from "../shim/mod.ts";

const silent: Logger = { error() {}, warn() {}, info() {} };

/** Timers fire on the microtask queue: restarts cost only the supervisor's own work. */
const immediateClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn) => {
    queueMicrotask(fn);
    return 0;
  },
  clearTimeout: () => {},
};

function newSupervisor(): TaskSupervisor {
  return new TaskSupervisor({ logger: silent, clock: immediateClock, defaults: { maxConsecutiveFailures: Infinity } });
}

async function timePerOp(ops: number, body: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await body();
  return ((performance.now() - started) * 1e6) / ops; // ns per op
}

async function bareCatch(n: number): Promise<number> {
  let logged = 0;
  const log = (): void => void logged++;
  return timePerOp(n, async () => {
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) all.push((i % 2 === 0 ? Promise.resolve(i) : Promise.reject(i)).catch(log));
    await Promise.all(all);
  });
}

async function logged(n: number): Promise<number> {
  const supervisor = newSupervisor();
  return timePerOp(n, async () => {
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) all.push(supervisor.spawnLogged("bench", i % 2 === 0 ? Promise.resolve(i) : Promise.reject(i)).done);
    await Promise.all(all);
  });
}

/** The factory form; `withSignal` declares the signal parameter, so every task gets an AbortSignal. */
async function loggedFactory(n: number, withSignal: boolean): Promise<number> {
  const supervisor = newSupervisor();
  const work = (i: number): Promise<number> => (i % 2 === 0 ? Promise.resolve(i) : Promise.reject(i));
  return timePerOp(n, async () => {
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const factory = withSignal ? (signal: AbortSignal) => (signal.aborted ? work(-1) : work(i)) : () => work(i);
      all.push(supervisor.spawnLogged("bench", factory).done);
    }
    await Promise.all(all);
  });
}

async function supervisedSpawn(n: number): Promise<number> {
  const supervisor = newSupervisor();
  return timePerOp(n, async () => {
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) all.push(supervisor.spawn(`task-${i}`, () => i).done);
    await Promise.all(all);
  });
}

async function restarts(n: number): Promise<number> {
  const supervisor = newSupervisor();
  let calls = 0;
  return timePerOp(n, async () => {
    const handle = supervisor.spawn("flaky", () => {
      if (++calls >= n) supervisor.abort("flaky");
      throw new Error("restart me");
    });
    await handle.done;
  });
}

async function memoryPerTask(n: number): Promise<{ bytes: number; gc: boolean }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = (): number => (globalThis as { process?: { memoryUsage(): { heapUsed: number } } }).process?.memoryUsage().heapUsed ?? 0;
  gc?.();
  const before = heap();
  const supervisor = newSupervisor();
  const idle = (signal: AbortSignal): Promise<void> => new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  for (let i = 0; i < n; i++) supervisor.spawn(`idle-${i}`, idle);
  await Promise.resolve();
  gc?.();
  const bytes = (heap() - before) / n;
  await supervisor.shutdown();
  return { bytes, gc: gc !== undefined };
}

/**
 * Run the shim benchmarks side by side and return a printable report.
 *
 * @returns the report, one measurement per line (ns per operation, bytes per task)
 */
export async function benchShim(): Promise<string> {
  const n = 100_000;
  await bareCatch(10_000); // warm-up
  await logged(10_000);
  const baseline = await bareCatch(n);
  const perLogged = await logged(n);
  const perLoggedFactory = await loggedFactory(n, false);
  const perLoggedSignal = await loggedFactory(n, true);
  const perSpawn = await supervisedSpawn(50_000);
  const perRestart = await restarts(n);
  const memory = await memoryPerTask(100_000);
  const fmt = (ns: number): string => `${ns.toFixed(0).padStart(7)} ns`;
  return [
    "shim benchmarks",
    `  promise.catch(log), bare          ${fmt(baseline)} per promise`,
    `  spawnLogged(name, promise)        ${fmt(perLogged)} per task   (${(perLogged / baseline).toFixed(1)}× the bare catch)`,
    `  spawnLogged(name, () => promise)  ${fmt(perLoggedFactory)} per task   (${(perLoggedFactory / baseline).toFixed(1)}× the bare catch)`,
    `  spawnLogged(name, (signal) => …)  ${fmt(perLoggedSignal)} per task   (${(perLoggedSignal / baseline).toFixed(1)}× the bare catch)`,
    `  spawnSupervised spawn + complete  ${fmt(perSpawn)} per task`,
    `  spawnSupervised restart           ${fmt(perRestart)} per restart (zero-delay clock)`,
    `  memory per registered task        ${memory.bytes.toFixed(0).padStart(7)} B at 100k idle tasks` +
      (memory.gc ? "" : " (approximate: run node with --expose-gc for a forced GC before measuring)"),
  ].join("\n");
}

const entry = (globalThis as { process?: { argv: string[] } }).process?.argv[1];
if (entry !== undefined && import.meta.url === (await import("node:url")).pathToFileURL(entry).href) {
  console.log(await benchShim());
}
