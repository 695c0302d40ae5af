// Shim benchmarks: overhead of spawnLogged against a bare .catch (CPU time, burst and one at a time), spawn and restart cost, memory per task.
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

/** CPU time of this process in ms (user + system), robust to other processes on a shared machine; wall time where unavailable. */
function cpuMs(): number {
  const usage = (globalThis as { process?: { cpuUsage?(): { user: number; system: number } } }).process?.cpuUsage?.();
  return usage === undefined ? performance.now() : (usage.user + usage.system) / 1000;
}

/** CPU time of `body` per operation, in ns (see {@link cpuMs}). */
export async function timePerOp(ops: number, body: () => Promise<void>): Promise<number> {
  const started = cpuMs();
  await body();
  return ((cpuMs() - started) * 1e6) / ops; // ns per op
}

const log = (): void => {};
const work = (i: number): Promise<number> => (i % 2 === 0 ? Promise.resolve(i) : Promise.reject(i));

/**
 * A burst: `n` already-settled promises (half rejected) each handed to
 * `observe` in one loop, so all `n` are in flight at once; only the last
 * result is awaited (reactions run in order, so it settles last).
 */
function burst(n: number, observe: (promise: Promise<number>) => () => PromiseLike<unknown>): Promise<number> {
  return timePerOp(n, async () => {
    let last: (() => PromiseLike<unknown>) | undefined;
    for (let i = 0; i < n; i++) last = observe(work(i));
    await last?.();
  });
}

/** One at a time, as on a timer tick or per job: observe a promise and wait for it before the next. */
function steady(n: number, observe: (promise: Promise<number>) => () => PromiseLike<unknown>): Promise<number> {
  return timePerOp(n, async () => {
    for (let i = 0; i < n; i++) await observe(work(i))();
  });
}

/** Hands one promise to the code under test; returns how to wait for that promise's handling. */
type Observe = (promise: Promise<number>) => () => PromiseLike<unknown>;

/** One benchmark row: the pattern, what it runs, and the bare catch it is compared with. */
interface Row {
  label: string;
  pattern: "burst, 100k in flight" | "one at a time";
  observe: Observe;
}

/** One entry of {@link minimalRegistry}: a name, a spawn time and the links of an intrusive list. */
interface FloorEntry {
  name: string;
  startedAt: number;
  prev: FloorEntry | undefined;
  next: FloorEntry | undefined;
  outcome: { status: string; value?: unknown; error?: unknown; durationMs: number } | undefined;
  resolve: ((outcome: unknown) => void) | undefined;
}

/**
 * The floor for `spawnLogged(name, promise)`: the least a registry must do
 * to keep each task visible while it runs and to time it — one object per
 * task in an intrusive list, a clock read at spawn and at the end, one
 * `then`, the failure handed to `log`, an outcome to wait on — with none of
 * the shim's events, classes, statistics or guards. Its ratio to the bare
 * catch is what no registry can go under on this runtime.
 */
function minimalRegistry(): Observe {
  let head: FloorEntry | undefined;
  const end = (entry: FloorEntry, outcome: NonNullable<FloorEntry["outcome"]>): void => {
    if (entry.prev === undefined) head = entry.next;
    else entry.prev.next = entry.next;
    if (entry.next !== undefined) entry.next.prev = entry.prev;
    entry.outcome = outcome;
    entry.resolve?.(outcome);
  };
  return (promise) => {
    const entry: FloorEntry = {
      name: "bench",
      startedAt: performance.now(),
      prev: undefined,
      next: head,
      outcome: undefined,
      resolve: undefined,
    };
    if (head !== undefined) head.prev = entry;
    head = entry;
    promise.then(
      (value) => end(entry, { status: "completed", value, durationMs: performance.now() - entry.startedAt }),
      (error: unknown) => {
        log();
        end(entry, { status: "failed", error, durationMs: performance.now() - entry.startedAt });
      },
    );
    return () => (entry.outcome !== undefined
      ? Promise.resolve(entry.outcome)
      : new Promise((resolve) => (entry.resolve = resolve)));
  };
}

/**
 * `spawnLogged` against a bare `promise.catch(log)`: the promise form in a
 * burst and one at a time, and the factory forms one at a time. Every row
 * of a pattern runs once per round, rows interleaved, and the lowest CPU
 * time of each is kept, so each ratio compares measurements taken under the
 * same load in one run. The handle is dropped as the codemod's
 * `spawnLogged(name, promise);` drops it; `done` is read only to wait for
 * the one that is awaited. The floor row ({@link minimalRegistry}) shows
 * what a registry costs at the least.
 */
async function loggedVsCatch(n: number, rounds: number): Promise<(Row & { ns: number; bare: number })[]> {
  const supervisor = newSupervisor();
  const bare: Observe = (promise) => {
    const caught = promise.catch(log);
    return () => caught;
  };
  const logged = (
    wrap: (promise: Promise<number>) => PromiseLike<unknown> | ((signal: AbortSignal) => PromiseLike<unknown>),
  ): Observe =>
  (promise) => {
    const handle = supervisor.spawnLogged("bench", wrap(promise));
    return () => handle.done;
  };
  const rows: Row[] = [
    { label: "promise.catch(log)", pattern: "burst, 100k in flight", observe: bare },
    { label: "floor: a minimal registry", pattern: "burst, 100k in flight", observe: minimalRegistry() },
    { label: "spawnLogged(name, promise)", pattern: "burst, 100k in flight", observe: logged((promise) => promise) },
    { label: "promise.catch(log)", pattern: "one at a time", observe: bare },
    { label: "floor: a minimal registry", pattern: "one at a time", observe: minimalRegistry() },
    { label: "spawnLogged(name, promise)", pattern: "one at a time", observe: logged((promise) => promise) },
    {
      label: "spawnLogged(name, () => promise)",
      pattern: "one at a time",
      observe: logged((promise) => () => promise),
    },
    // Declares the signal parameter, so the task creates an AbortSignal for it.
    {
      label: "spawnLogged(name, (signal) => …)",
      pattern: "one at a time",
      observe: logged((promise) => (signal) => (signal.aborted ? promise.catch(log) : promise)),
    },
  ];
  const best = rows.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    for (const [i, row] of rows.entries()) {
      best[i] = Math.min(best[i]!, await (row.pattern === "one at a time" ? steady : burst)(n, row.observe));
    }
  }
  return rows.map((row, i) => ({
    ...row,
    ns: best[i]!,
    bare: best[rows.findIndex((other) => other.pattern === row.pattern)]!,
  }));
}

function supervisedSpawn(n: number): Promise<number> {
  const supervisor = newSupervisor();
  return timePerOp(n, async () => {
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) all.push(supervisor.spawn(`task-${i}`, () => i).done);
    await Promise.all(all);
  });
}

function restarts(n: number): Promise<number> {
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
  const heap = (): number =>
    (globalThis as { process?: { memoryUsage(): { heapUsed: number } } }).process?.memoryUsage().heapUsed ?? 0;
  gc?.();
  const before = heap();
  const supervisor = newSupervisor();
  const idle = (signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
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
  await loggedVsCatch(10_000, 1); // warm-up
  const versus = await loggedVsCatch(n, 5);
  const perSpawn = await supervisedSpawn(50_000);
  const perRestart = await restarts(n);
  const memory = await memoryPerTask(100_000);
  const fmt = (ns: number): string => `${ns.toFixed(0).padStart(7)} ns`;
  return [
    "shim benchmarks",
    "  (CPU time per operation, lowest of interleaved rounds; ratios to the bare catch of the same pattern)",
    ...versus.map(({ label, pattern, ns, bare }) =>
      `  ${`${label}, ${pattern}`.padEnd(55)} ${fmt(ns)}` +
      (label.startsWith("promise.catch") ? "" : `   (${(ns / bare).toFixed(1)}× the bare catch)`)
    ),
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
