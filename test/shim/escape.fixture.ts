// Escape workloads for escape.test.ts: user hooks (an async listener, an async logger, a throwing
// clock, a clock and jitter source whose async methods reject) that fail. Inert unless started with "--escape <scenario>", because `node --test dist/`
// also runs every file under a test/ folder. The parent runs it with --unhandled-rejections=strict
// (Node) or plain `deno run` (strict by default), so one escaped rejection or exception ends it
// with a non-zero exit code before it prints its report.
import { type Clock, type HookFailure, type Logger, type TaskOutcome, TaskSupervisor } from "../../shim/mod.ts";

const argv: string[] = (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];

/** Timers on the real event loop with no delay; `setTimeout` can be made to throw. */
function zeroClock(failSetTimeout: boolean): Clock {
  return {
    now: () => performance.now(),
    setTimeout: (fn) => {
      if (failSetTimeout) throw new Error("clock.setTimeout is broken");
      return setTimeout(fn, 0);
    },
    clearTimeout: (handle) => clearTimeout(handle as number),
  };
}

/** Every method of the clock returns a promise that rejects (as async methods would); timers never set. */
const rejectingClock: Clock = {
  now: (() => Promise.reject(new Error("async clock.now rejects"))) as unknown as () => number,
  setTimeout: () => Promise.reject(new Error("async clock.setTimeout rejects")),
  clearTimeout: () => Promise.reject(new Error("async clock.clearTimeout rejects")),
};

const rejectingLogger: Logger = {
  // deno-lint-ignore require-await -- a hostile logger: an async method that rejects
  error: async () => Promise.reject(new Error("async logger.error rejects")),
  // deno-lint-ignore require-await -- a hostile logger: an async method that rejects
  warn: async () => Promise.reject(new Error("async logger.warn rejects")),
  // deno-lint-ignore require-await -- a hostile logger: an async method that rejects
  info: async () => Promise.reject(new Error("async logger.info rejects")),
};

/** Let pending continuations, and an unhandled-rejection check, run: a few macrotask turns. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

interface Report {
  outcome: TaskOutcome["status"];
  reason?: string;
  hookErrors: string[];
  stuck: number;
}

async function run(scenario: string): Promise<Report> {
  const hookErrors: string[] = [];
  // An attempt limit the clock cannot set: only the limit could end the attempt.
  const limited = scenario === "async-hooks" || scenario === "throwing-clock-timeout";
  const clock = scenario === "async-hooks" ? rejectingClock : zeroClock(scenario.startsWith("throwing-clock"));
  const logger: Logger | false = scenario.startsWith("async-logger") ? rejectingLogger : false;
  const supervisor = new TaskSupervisor({
    clock,
    logger,
    ...(scenario === "async-hooks"
      ? { random: (() => Promise.reject(new Error("async random rejects"))) as unknown as () => number }
      : {}),
    defaults: {
      backoff: { initialMs: 0, jitter: scenario === "async-hooks" ? "full" : "none" },
      ...(limited ? { attemptTimeoutMs: 50 } : {}),
    },
  });
  if (scenario !== "async-logger-unheard") {
    supervisor.on("hookError", (e: HookFailure) => void hookErrors.push(e.source));
  }
  if (scenario === "async-listener") {
    for (const type of ["start", "end", "restart", "exit"] as const) {
      supervisor.on(type, async () => {
        await Promise.resolve();
        throw new Error(`async ${type} listener rejects`);
      });
    }
  }
  let calls = 0;
  // Fails on the first attempt, so a restart (and its backoff timer) is needed; completes on the second.
  // With an attempt limit, the attempt waits for its signal: only the limit can end it.
  // deno-lint-ignore require-await -- the first attempt must reject, not throw synchronously
  const handle = supervisor.spawn("flaky", async (signal: AbortSignal) => {
    if (limited) return new Promise((resolve) => signal.addEventListener("abort", () => resolve("aborted")));
    if (++calls === 1) throw new Error("first attempt fails");
    return "ok";
  });
  const outcome = await handle.done;
  await turns(3);
  await supervisor.shutdown({ timeoutMs: 0 });
  await turns(3);
  return {
    outcome: outcome.status,
    reason: outcome.status === "failed" ? outcome.reason : undefined,
    hookErrors,
    stuck: supervisor.snapshot().filter((task) => task.status === "running" || task.status === "restarting").length,
  };
}

const at = argv.indexOf("--escape");
if (at !== -1) console.log(JSON.stringify(await run(argv[at + 1] ?? "")));
