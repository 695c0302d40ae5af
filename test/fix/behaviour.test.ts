/**
 * A codemod is judged by behaviour: small programs are run before and after
 * `fix --write`, on the runtime running the test (Node, or Deno). The
 * promise: the only difference is where a failure goes that used to end
 * the process — it is reported instead (to the project's own channel where
 * it has one) — and everything else stays: a caller's `try` still catches a
 * synchronous throw, a library user's listener that throws still throws, a
 * job script that fails still exits non-zero, a failing tick of a
 * self-rescheduling timer does not stop its schedule, a test whose
 * assertion fails still fails, a failure the program already sent to a
 * process-level handler still goes there. The programs import the built
 * shim through `node_modules/@spawn-audit/shim`, as an installed
 * dependency would (run `npm run build` first); each project lives outside
 * this repository so Deno does not take the repository's deno.json for its
 * config.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "../support/repo.ts";
import { runChild } from "../support/cli.ts";
import { writeTree } from "../support/tree.ts";

/** Ticks of an interval, one failing, and a floating promise that rejects: the process used to end at the first failure. */
const TIMERS = `import process from "node:process";
let ticks = 0;
let reports = 0;
const timer = setInterval(() => {
  ticks++;
  console.log(\`tick \${ticks}\`);
  if (ticks === 2) throw new Error("tick failed");
  if (ticks === 3) {
    clearInterval(timer);
    console.log("done");
  }
}, 5);
async function report() {
  reports++;
  throw new Error("report failed");
}
report();
process.on("exit", () => console.log(\`reports \${reports}\`));
`;

/** A self-rescheduling poller whose second tick fails before it reschedules. */
const SCHEDULE = `let ticks = 0;
function work() {
  if (ticks === 2) throw new Error("tick 2 failed");
}
function tick() {
  ticks++;
  console.log(\`tick \${ticks}\`);
  if (ticks > 4) return;
  work();
  setTimeout(tick, 5);
}
setTimeout(tick, 5);
`;

/** A send whose synchronous throw the caller's try catches, and whose rejection nobody observed. */
const CALLER = `function send(value) {
  if (value < 0) throw new RangeError("negative value");
  return Promise.reject(new Error(\`send \${value} failed\`));
}
export function notify(value) {
  send(value);
}
try {
  notify(-1);
} catch (error) {
  console.log(\`caught \${error.message}\`);
}
notify(1);
setTimeout(() => console.log("still running"), 20);
`;

/** A class that reports failures on its error event, and a module logger: failures go there. */
const CHANNELS = `import { EventEmitter } from "node:events";
const logger = { error: (error) => console.log(\`logger: \${error.message}\`) };
class Poller extends EventEmitter {
  start() {
    this.load();
  }
  async load() {
    throw new Error("load failed");
  }
  fail(error) {
    this.emit("error", error);
  }
}
async function save() {
  throw new Error("save failed");
}
function flush() {
  save();
}
function warn(error) {
  logger.error(error);
}
const poller = new Poller();
poller.on("error", (error) => console.log(\`error event: \${error.message}\`));
poller.start();
flush();
void warn;
`;

/**
 * A class that reports to an error handler only when one was given
 * (\`if (this.errorHandler != null) …\`): a failure goes to the handler
 * when it is set, to the shim's logger when it is not.
 */
const OPTIONAL_HANDLER = `class Job {
  constructor(errorHandler) {
    this.errorHandler = errorHandler;
  }
  async stop() {
    throw new Error(\`stop \${this.errorHandler ? "with" : "without"} handler failed\`);
  }
  restart() {
    this.stop();
  }
  fail(error) {
    if (this.errorHandler != null) this.errorHandler(error);
  }
}
new Job((error) => console.log(\`handler: \${error.message}\`)).restart();
new Job(undefined).restart();
setTimeout(() => console.log("still running"), 20);
`;

/** A user's hook that throws, in an application: called once, its failure reported. */
const HOOK = `import process from "node:process";
let hookCalls = 0;
class Job {
  constructor(hooks) {
    this.hooks = hooks;
  }
  start() {
    setTimeout(() => this.hooks.onError(new Error("job failed")), 5);
  }
}
new Job({
  onError(error) {
    hookCalls++;
    console.log(\`hook \${error.message}\`);
    throw new Error("hook failed");
  },
}).start();
process.on("exit", () => console.log(\`hook calls \${hookCalls}\`));
`;

/**
 * Promises settled by work set up in their executors, the manner of
 * node-cron's start()/stop(): a timeout whose callback fails before it
 * rejects (through the executor's second parameter, whatever its name), one
 * in an executor that takes only resolve, and a promise that resolves it.
 * Their failures ended the process; the caller's try now sees each.
 */
const EXECUTOR = `function kill() {
  throw new Error("kill failed");
}
function start() {
  return new Promise((resolve, fail) => {
    const failStart = (error) => {
      kill();
      fail(error);
    };
    setTimeout(() => {
      failStart(new Error("start timed out"));
    }, 5);
  });
}
function stop() {
  return new Promise((resolve) => {
    setTimeout(() => {
      kill();
      resolve();
    }, 5);
  });
}
function load() {
  return new Promise(resolve => {
    Promise.reject(new Error("load failed")).then(resolve);
  });
}
for (const [name, task] of [["start", start], ["stop", stop], ["load", load]]) {
  try {
    await task();
    console.log(\`\${name} resolved\`);
  } catch (error) {
    console.log(\`\${name} rejected: \${error.message}\`);
  }
}
`;

/** A worker-thread job script whose work fails, and the runner that reports its exit code. */
const JOB = `import { parentPort } from "node:worker_threads";
async function run() {
  throw new Error("job failed");
}
(async () => {
  await run();
  parentPort?.postMessage("done");
})();
`;
const RUNNER = `import { Worker } from "node:worker_threads";
const worker = new Worker(new URL("./job.js", import.meta.url));
worker.on("error", () => {});
worker.on("exit", (code) => console.log(\`job exit \${code === 0 ? "zero" : "non-zero"}\`));
`;

/** A program whose own process-level handler receives every unhandled rejection. */
const HANDLER = `import process from "node:process";
process.on("unhandledRejection", (error) => console.log(\`handler: \${error.message}\`));
async function load() {
  throw new Error("load failed");
}
load();
`;

/** A library (its package.json has an entry point) that emits on a timer, and a user whose listener throws. */
const LIBRARY = {
  "lib/package.json": JSON.stringify({ name: "ticker", type: "module", main: "ticker.js" }),
  "lib/ticker.js": `import { EventEmitter } from "node:events";
export class Ticker extends EventEmitter {
  start() {
    setTimeout(() => this.emit("tick"), 5);
  }
}
`,
  "user.js": `import { Ticker } from "./lib/ticker.js";
const ticker = new Ticker();
ticker.on("tick", () => {
  throw new Error("listener failed");
});
ticker.start();
`,
};

/**
 * A queue library in the manner of p-queue: the interval and the microtask
 * run the user's listeners only through the library's own methods, and the
 * dequeued job is the user's function; a user whose "active" listener
 * throws, and one whose job rejects.
 */
const QUEUE = {
  "queue/package.json": JSON.stringify({ name: "queue", type: "module", exports: "./queue.js" }),
  "queue/queue.js": `import { EventEmitter } from "node:events";
export class Queue extends EventEmitter {
  /** @type {(() => Promise<void>)[]} */
  #jobs = [];
  add(job) {
    this.#jobs.push(job);
    queueMicrotask(() => this.#next());
  }
  every(ms) {
    const id = setInterval(() => {
      clearInterval(id);
      this.#next();
    }, ms);
  }
  #next() {
    this.#startOne();
  }
  #startOne() {
    const job = this.#jobs.shift();
    if (job === undefined) return;
    this.emit("active");
    job();
  }
}
`,
  "queue-listener.js": `import { Queue } from "./queue/queue.js";
const queue = new Queue();
queue.on("active", () => {
  throw new Error("active listener failed");
});
queue.add(async () => {});
`,
  "queue-job.js": `import { Queue } from "./queue/queue.js";
const queue = new Queue();
queue.every(5);
queue.add(async () => {
  throw new Error("job failed");
});
`,
};

const TEST_FILE = `import assert from "node:assert/strict";
setTimeout(() => {
  assert.equal(1 + 1, 3);
}, 5);
`;

const FILES: Record<string, string> = {
  "package.json": JSON.stringify({ type: "module", private: true, dependencies: { "@spawn-audit/shim": "*" } }),
  "timers.js": TIMERS,
  "schedule.js": SCHEDULE,
  "caller.js": CALLER,
  "executor.js": EXECUTOR,
  "channels.js": CHANNELS,
  "hook.js": HOOK,
  "optional-handler.js": OPTIONAL_HANDLER,
  "job.js": JOB,
  "runner.js": RUNNER,
  "handler/package.json": JSON.stringify({ type: "module", private: true }),
  "handler/main.js": HANDLER,
  "check.test.js": TEST_FILE,
  ...LIBRARY,
  ...QUEUE,
};
const PROGRAMS = [
  "timers.js",
  "schedule.js",
  "caller.js",
  "executor.js",
  "channels.js",
  "optional-handler.js",
  "hook.js",
  "runner.js",
  "handler/main.js",
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;

/** Runs `file` of `dir` with the runtime running this test. */
function run(dir: string, file: string): Run {
  const [command, args] = deno === undefined
    ? [process.execPath, [file]]
    : [deno.execPath(), ["run", "-A", "--quiet", file]];
  const result = spawnSync(command, args, { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The error messages of the shim's JSON log lines in `stderr`. */
function loggedErrors(stderr: string): string[] {
  return stderr.split("\n").filter((line) => line.startsWith("{"))
    .map((line) => (JSON.parse(line) as { err?: { message?: string } }).err?.message ?? "").sort();
}

describe("behaviour before and after fix --write", () => {
  const dir = mkdtempSync(join(tmpdir(), "spawn-audit-behaviour-"));
  const runs = new Map<string, { before: Run; after: Run }>();
  let fix: ReturnType<typeof runChild>;
  before(() => {
    writeTree(dir, FILES);
    mkdirSync(join(dir, "node_modules", "@spawn-audit"), { recursive: true });
    symlinkSync(join(repoRoot(), "shim"), join(dir, "node_modules", "@spawn-audit", "shim"), "dir");
    const before = new Map(
      [...PROGRAMS, "user.js", "queue-listener.js", "queue-job.js", "check.test.js"].map((
        file,
      ) => [file, run(dir, file)]),
    );
    fix = runChild(["fix", ".", "--write", "--allow-dirty"], dir);
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    for (const [file, result] of before) runs.set(file, { before: result, after: run(dir, file) });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a timer and a floating promise: the same work, failures logged instead of ending the process", () => {
    const { before, after } = runs.get("timers.js")!;
    assert.notEqual(before.code, 0, "a failure ends the original program");
    assert.doesNotMatch(before.stdout, /done/);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, "tick 1\ntick 2\ntick 3\ndone\nreports 1\n");
    assert.deepEqual(loggedErrors(after.stderr), ["report failed", "tick failed"]);
  });

  test("a failing tick of a self-rescheduling timer does not stop the schedule", () => {
    const { before, after } = runs.get("schedule.js")!;
    assert.notEqual(before.code, 0);
    assert.equal(before.stdout, "tick 1\ntick 2\n");
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, "tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n");
    assert.deepEqual(loggedErrors(after.stderr), ["tick 2 failed"]);
  });

  test("a caller's try still catches a synchronous throw; only the rejection nobody observed is logged", () => {
    const { before, after } = runs.get("caller.js")!;
    assert.notEqual(before.code, 0);
    assert.match(before.stdout, /^caught negative value\n/);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, "caught negative value\nstill running\n");
    assert.deepEqual(loggedErrors(after.stderr), ["send 1 failed"]);
  });

  test("a failure in work that settles a new Promise rejects that promise: its caller's try sees it", () => {
    const { before, after } = runs.get("executor.js")!;
    assert.notEqual(before.code, 0);
    assert.equal(before.stdout, "");
    assert.match(before.stderr, /kill failed/);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, "start rejected: kill failed\nstop rejected: kill failed\nload rejected: load failed\n");
    assert.deepEqual(loggedErrors(after.stderr), []);
    const fixed = readFileSync(join(dir, "executor.js"), "utf8");
    assert.match(fixed, /new Promise\(\(resolve, reject\) => \{\n {4}setTimeout/);
    assert.match(fixed, /new Promise\(\(resolve, reject\) => \{\n {4}Promise\.reject/);
    assert.match(
      fix.stdout,
      / {4}caught-callback executor\.js:10: failures to fail\(\) of the enclosing new Promise\n/,
    );
  });

  test("a failure goes to the class's error event, or to the logger the file already calls", () => {
    const { before, after } = runs.get("channels.js")!;
    assert.notEqual(before.code, 0);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout.split("\n").sort().join("\n"), "\nerror event: load failed\nlogger: save failed");
    assert.deepEqual(loggedErrors(after.stderr), []);
  });

  test("a handler the class calls only when set gets the failure when set; the shim's logger gets it when not", () => {
    const { before, after } = runs.get("optional-handler.js")!;
    assert.notEqual(before.code, 0);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, "handler: stop with handler failed\nstill running\n");
    assert.deepEqual(loggedErrors(after.stderr), ["stop without handler failed"]);
  });

  test("a user's hook that throws, in an application, is called exactly once, its failure logged", () => {
    const { before, after } = runs.get("hook.js")!;
    assert.notEqual(before.code, 0);
    assert.match(before.stdout, /^hook job failed\n/);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, "hook job failed\nhook calls 1\n");
    assert.deepEqual(loggedErrors(after.stderr), ["hook failed"]);
  });

  test("a job script that fails still exits non-zero, its failure logged", () => {
    const { before, after } = runs.get("runner.js")!;
    assert.equal(before.stdout, "job exit non-zero\n");
    assert.equal(after.stdout, "job exit non-zero\n");
    assert.match(readFileSync(join(dir, "job.js"), "utf8"), /process\.exitCode = 1/);
    assert.deepEqual(loggedErrors(after.stderr), ["job failed"]);
  });

  test('a failure that reaches the program\'s own process.on("unhandledRejection") handler is left there', () => {
    const { before, after } = runs.get("handler/main.js")!;
    assert.equal(before.stdout, "handler: load failed\n");
    assert.deepEqual(after, before);
    assert.equal(readFileSync(join(dir, "handler/main.js"), "utf8"), HANDLER);
    assert.match(
      fix.stdout,
      /handler\/main\.js:\d+:\d+ {2}floating-promise {2}the failure already reaches the package's process\.on\("unhandledRejection"\) handler \(handler\/main\.js:2\)/,
    );
  });

  test("in a library, a callback that runs its user's listener is reported, not wrapped: the listener's throw still throws", () => {
    const { before, after } = runs.get("user.js")!;
    assert.notEqual(before.code, 0);
    assert.match(before.stderr, /listener failed/);
    assert.deepEqual(after, before);
    assert.equal(readFileSync(join(dir, "lib/ticker.js"), "utf8"), LIBRARY["lib/ticker.js"]);
    assert.match(fix.stdout, /lib\/ticker\.js:4:\d+ {2}timeout {2}calls user code \(emit\(\) runs its listeners\)/);
  });

  test("in a library, work that reaches user code through its own methods or runs a dequeued job is left as it was", () => {
    for (const [file, message] of [["queue-listener.js", "active listener failed"], ["queue-job.js", "job failed"]]) {
      const { before, after } = runs.get(file!)!;
      assert.notEqual(before.code, 0, file);
      assert.match(before.stderr, new RegExp(message!));
      assert.deepEqual(after, before, file);
    }
    assert.equal(readFileSync(join(dir, "queue/queue.js"), "utf8"), QUEUE["queue/queue.js"]);
    assert.match(
      fix.stdout,
      /queue\/queue\.js:7:\d+ {2}microtask {2}calls user code \(emit\(\) runs its listeners, reached through #next\(\)\)/,
    );
    assert.match(
      fix.stdout,
      /queue\/queue\.js:22:\d+ {2}floating-promise {2}calls user code \(job is a function taken from this\.#jobs\.shift\(\)\)/,
    );
  });

  test("a failing assertion in a test file still fails: the file is not rewritten", () => {
    const { before, after } = runs.get("check.test.js")!;
    assert.notEqual(before.code, 0);
    assert.notEqual(after.code, 0);
    assert.equal(readFileSync(join(dir, "check.test.js"), "utf8"), TEST_FILE);
    assert.deepEqual(loggedErrors(after.stderr), []);
  });

  test("a second run changes nothing and exits 0", () => {
    const again = runChild(["fix", ".", "--write"], dir);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /^Rewrote 0 sites in 0 files\./);
  });
});
