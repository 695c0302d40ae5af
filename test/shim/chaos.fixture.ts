// Chaos workload for process.test.ts: thousands of randomly failing tasks on a zero-delay clock.
// It is inert unless started with "--chaos <count> <seed>", because `node --test dist/` also runs
// every file under a test/ folder. The parent runs it with --unhandled-rejections=strict (Node) or
// plain `deno run` (strict by default), so one escaped rejection ends it with a non-zero exit code.
import { type Clock, jsonLogger, type TaskFactory, TaskSupervisor } from "../../shim/mod.ts";

const argv: string[] = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];

/** Every delay becomes 0 ms: restarts and deadlines happen on the next macrotask. */
const zeroDelayClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn) => setTimeout(fn, 0),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const oddValues: unknown[] = [
  new Error("boom"),
  "a string",
  undefined,
  null,
  0,
  Symbol("sym"),
  { code: 1 },
  10n,
  new TypeError("typed"),
];

async function chaos(count: number, seed: number): Promise<void> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const someClass = (): string | undefined => (random() < 0.3 ? pick(["limited", "queued", "lossy"]) : undefined);
  let logLines = 0;
  const supervisor = new TaskSupervisor({
    clock: zeroDelayClock,
    random,
    logger: jsonLogger(() => logLines++),
    classes: {
      limited: { limit: 5 },
      queued: { limit: 3, overflow: "queue", queueLimit: 20 },
      lossy: { limit: 2, overflow: "drop" },
    },
    defaults: { maxConsecutiveFailures: 3 },
  });
  supervisor.on("end", () => {
    if (random() < 0.05) throw new Error("a listener bug");
  });
  const behaviours: TaskFactory[] = [
    () => {
      throw pick(oddValues);
    },
    () => Promise.reject(pick(oddValues)),
    async () => {
      await Promise.resolve();
      throw pick(oddValues);
    },
    () => new Promise(() => {}), // hangs and ignores its signal
    (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(pick(oddValues)))),
    (signal) => new Promise((resolve) => signal.addEventListener("abort", resolve)),
    () => "done",
  ];
  let refused = 0;
  for (let i = 0; i < count; i++) {
    const name = `task-${Math.floor(random() * 200)}`;
    const behaviour = pick(behaviours);
    const kind = random();
    try {
      if (kind < 0.4) {
        supervisor.spawn(name, behaviour, {
          restart: pick(["on-failure", "always", "never"] as const),
          class: someClass(),
        });
      } else if (kind < 0.6) {
        supervisor.spawnLogged(name, Promise.reject(pick(oddValues)));
      } else if (kind < 0.85) {
        supervisor.spawnLogged(name, behaviour, { class: someClass() });
      } else {
        supervisor.run(name, behaviour).catch(() => {});
      }
    } catch {
      refused++; // class limit reached
    }
    if (i % 97 === 0) supervisor.abort(name);
    if (i % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setTimeout(resolve, 0));
  const shutdown = supervisor.shutdown({ timeoutMs: 20 });
  supervisor.spawnLogged("after-shutdown", Promise.reject("late")); // refused, still observed
  const summary = await shutdown;
  const running = supervisor.snapshot().filter((task) => task.status === "running" || task.status === "restarting");
  if (supervisor.activeCount() !== 0 || running.length !== 0) throw new Error("tasks still active after shutdown");
  console.log(JSON.stringify({ count, refused, logLines, stragglers: summary.aborted.length, exited: summary.exited }));
}

const at = argv.indexOf("--chaos");
if (at !== -1) await chaos(Number(argv[at + 1] ?? 3000), Number(argv[at + 2] ?? 1));
