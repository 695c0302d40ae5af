/**
 * Real code, run: an installed package (a pinned devDependency, CommonJS) is
 * copied twice under this repository's `node_modules/.cache/`, one copy
 * fixed with `fix --write` (`@spawn-audit/shim` added to its dependencies
 * first, as its maintainer would; its CommonJS build is what the fixed
 * files require), and the same program drives both. Node only: the packages
 * are Node packages, and the programs run on Node.
 *
 * - ioredis: start a client against a Redis that refuses connections and
 *   one that answers every command with an error, send a command, stop. (A
 *   server that drops connections gives EPIPE or ECONNRESET by timing, so it
 *   is not compared.) What the program sees (events, the command's outcome,
 *   the client's status, any uncaught error) and what is printed must be the
 *   same.
 * - bree: fix rewrites one site, the `stop(name)` that `stop()` starts per
 *   job, to `.catch` into bree's own `config.logger.error`. The program runs
 *   three jobs (two wait for bree's cancel message, one throws), waits for
 *   the failing one to be reported to the `errorHandler`, and stops all.
 *   With no failure injected, both copies see the same. With a failure
 *   injected into that `stop(name)` (bree's `removeSafeTimer` throws once for
 *   one job), the original ends with exit 1 on the unhandled rejection; the
 *   fixed copy reports it to the logger instead and goes on — after the
 *   cancel message was sent, `stop()` resolves with every worker gone; before
 *   it, the job's worker is never cancelled and `stop()` stays pending (where
 *   the original had ended). What the program saw before the failure is the
 *   same in both.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { runChild } from "../support/cli.ts";
import { repoRoot } from "../support/repo.ts";

const PROGRAM = `const net = require("node:net");
const Redis = require(\`./\${process.argv[2]}/ioredis\`).default;
const events = [];
const log = (line) => events.push(line);
process.on("uncaughtException", (error) => log(\`uncaughtException \${error.message}\`));
process.on("unhandledRejection", (error) => log(\`unhandledRejection \${error && error.message}\`));
function listen(onConnection) {
  const server = net.createServer(onConnection);
  return new Promise((ready) => server.listen(0, "127.0.0.1", () => ready(server)));
}
async function scenario(name, port) {
  const redis = new Redis({ port, host: "127.0.0.1", retryStrategy: (times) => (times <= 2 ? 5 : null), maxRetriesPerRequest: 1 });
  redis.on("error", (error) => log(\`\${name} error \${error.code ?? error.message}\`));
  redis.on("reconnecting", () => log(\`\${name} reconnecting\`));
  redis.on("end", () => log(\`\${name} end\`));
  try {
    await redis.get("key");
    log(\`\${name} get resolved\`);
  } catch (error) {
    log(\`\${name} get rejected \${error.message}\`);
  }
  redis.disconnect();
  log(\`\${name} status after disconnect \${redis.status}\`);
}
(async () => {
  const closed = await listen(() => {});
  const port = closed.address().port;
  await new Promise((done) => closed.close(done));
  await scenario("refused", port);
  const failing = await listen((socket) => socket.on("data", () => socket.end("-ERR failing\\r\\n")));
  await scenario("failing", failing.address().port);
  failing.close();
  console.log(events.join("\\n"));
})();
`;

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

/** Two copies of an installed package and the fix run on one of them. */
interface Copies {
  /** The folder with `original/<name>`, `fixed/<name>` and the programs. */
  dir: string;
  /** The `fix --write` run on the fixed copy. */
  fix: ReturnType<typeof runChild>;
}

/**
 * Copies the installed package `name` (its package.json and the folder
 * `sources`) to `original/` and `fixed/` of a new folder under
 * node_modules/.cache (so the package's own imports resolve through this
 * repository's node_modules), writes `files` beside them, and runs `fix
 * --write` on the fixed copy with the shim in its dependencies. The caller
 * removes the folder.
 */
function installedCopies(name: string, sources: string, files: Record<string, string>): Copies {
  const cache = join(repoRoot(), "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, "spawn-audit-installed-"));
  mkdirSync(join(dir, "node_modules", "@spawn-audit"), { recursive: true });
  symlinkSync(join(repoRoot(), "shim"), join(dir, "node_modules", "@spawn-audit", "shim"), "dir");
  const installed = join(repoRoot(), "node_modules", name);
  for (const copy of ["original", "fixed"]) {
    cpSync(join(installed, "package.json"), join(dir, copy, name, "package.json"));
    cpSync(join(installed, sources), join(dir, copy, name, sources), {
      recursive: true,
      filter: (path) => !path.endsWith(".map"),
    });
  }
  const manifest = join(dir, "fixed", name, "package.json");
  const published = JSON.parse(readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string> };
  writeFileSync(
    manifest,
    JSON.stringify({ ...published, dependencies: { ...published.dependencies, "@spawn-audit/shim": "^0.1.0" } }),
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return { dir, fix: runChild(["fix", ".", "--write", "--allow-dirty"], join(dir, "fixed", name)) };
}

/** Runs `program` under Node in `dir` with `args`; its exit code and output. */
function drive(dir: string, program: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [program, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("ioredis fixed behaves as it did: start, fail a dependency, stop", {
  skip: isDeno && "ioredis and the program run on Node",
}, () => {
  let copies: Copies;
  before(() => {
    copies = installedCopies("ioredis", "built", { "program.cjs": PROGRAM });
  });
  after(() => rmSync(copies.dir, { recursive: true, force: true }));

  test("the fixed copy has rewritten sites, and the program sees and prints the same", (t) => {
    const { dir, fix } = copies;
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    assert.match(fix.stdout, /^Rewrote [1-9]\d* sites? in [1-9]\d* files?/);
    t.diagnostic(`ioredis: ${fix.stdout.split("\n")[0]}`);
    const original = drive(dir, "program.cjs", ["original"]);
    const fixed = drive(dir, "program.cjs", ["fixed"]);
    assert.equal(original.code, 0, original.stderr);
    assert.match(original.stdout, /^refused error ECONNREFUSED$/m);
    assert.match(original.stdout, /^failing get rejected /m);
    assert.deepEqual(fixed, original);
  });
});

/** A bree job that waits for bree's cancel message and answers it, as bree's docs have jobs do. */
const BREE_WAITING_JOB = `const { parentPort } = require("node:worker_threads");
parentPort.on("message", (message) => { if (message === "cancel") parentPort.postMessage("cancelled"); });
`;

/**
 * Drives bree: jobs a and b wait, c throws; once c is reported, stop all,
 * with bree's `removeSafeTimer(argv[3], "b")` throwing during that call
 * when argv[3] is given. Prints what it saw, the lines after the stop
 * started sorted (workers end in any order), and the exit code.
 */
const BREE_PROGRAM = `const path = require("node:path");
const Bree = require(\`./\${process.argv[2]}/bree\`);
const failAt = process.argv[3];
const seen = [];
const afterStop = [];
let lines = seen;
const log = (line) => lines.push(line);
process.on("exit", (code) => console.log([...seen, "-- stop", ...afterStop.sort(), \`exit \${code}\`].join("\\n")));
const logger = { info() {}, warn: (message) => log(\`logger.warn \${message}\`), error: (error) => log(\`logger.error \${error?.message ?? error}\`) };
(async () => {
  const job = (name, file) => ({ name, path: path.join(__dirname, file) });
  const bree = new Bree({
    root: false,
    logger,
    jobs: [job("a", "wait.cjs"), job("b", "wait.cjs"), job("c", "fail.cjs")],
    errorHandler: (error, meta) => log(\`errorHandler \${meta.name} \${error.message}\`),
  });
  const failed = new Promise((resolve) => bree.on("worker deleted", (name) => name === "c" && resolve()));
  await bree.start();
  await failed;
  let failing = false;
  const removeSafeTimer = bree.removeSafeTimer;
  bree.removeSafeTimer = function (type, name) {
    if (failing && name === "b" && type === failAt) throw new Error("timer store failed");
    return removeSafeTimer.call(this, type, name);
  };
  lines = afterStop;
  failing = true;
  const stopping = bree.stop();
  failing = false;
  const pending = setTimeout(() => {
    log(\`stop() pending after 2 s, workers \${[...bree.workers.keys()]}\`);
    process.exit(3);
  }, 2000);
  await stopping;
  clearTimeout(pending);
  log(\`stop() resolved, workers \${bree.workers.size}\`);
})();
`;

describe("bree fixed: a failing stop(name) goes to bree's logger instead of ending the process", {
  skip: isDeno && "bree and the program run on Node",
}, () => {
  let copies: Copies;
  before(() => {
    copies = installedCopies("bree", "src", {
      "program.cjs": BREE_PROGRAM,
      "wait.cjs": BREE_WAITING_JOB,
      "fail.cjs": `throw new Error("job failed");\n`,
    });
  });
  after(() => rmSync(copies.dir, { recursive: true, force: true }));
  const reported = ["errorHandler c job failed", `errorHandler c Worker for job "c" exited with code 1`, "-- stop"];
  const cancelled = [
    `errorHandler a Worker for job "a" exited with code 1`,
    `errorHandler b Worker for job "b" exited with code 1`,
  ];

  test("fix rewrites stop(name) in stop() to report to config.logger.error", () => {
    const { dir, fix } = copies;
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    assert.match(fix.stdout, /^Rewrote 1 site in 1 file \(1 caught-promise\)/);
    assert.match(fix.stdout, /caught-promise src\/index\.js:\d+: failures to this\.config\.logger\.error\(\)/);
    const fixed = readFileSync(join(dir, "fixed", "bree", "src", "index.js"), "utf8");
    assert.match(fixed, /this\.stop\(job\.name\)\.catch\(\(error\) => this\.config\.logger\.error\(error\)\);/);
  });

  test("with no failure both copies see the same: the failing job reported, every worker stopped", () => {
    const original = drive(copies.dir, "program.cjs", ["original"]);
    const fixed = drive(copies.dir, "program.cjs", ["fixed"]);
    assert.deepEqual(original.stdout.split("\n").slice(0, -1), [
      ...reported,
      ...cancelled,
      "stop() resolved, workers 0",
      "exit 0",
    ]);
    assert.deepEqual(fixed, original);
  });

  test("a failure after the cancel was sent: the original ends with exit 1, the fixed copy logs it and stops", () => {
    const original = drive(copies.dir, "program.cjs", ["original", "closeWorkerAfterMs"]);
    const fixed = drive(copies.dir, "program.cjs", ["fixed", "closeWorkerAfterMs"]);
    assert.equal(original.code, 1);
    assert.deepEqual(original.stdout.split("\n").slice(0, -1), [...reported, "exit 1"]);
    assert.match(original.stderr, /Error: timer store failed/);
    assert.equal(fixed.code, 0, fixed.stderr);
    assert.deepEqual(fixed.stdout.split("\n").slice(0, -1), [
      ...reported,
      ...cancelled,
      "logger.error timer store failed",
      "stop() resolved, workers 0",
      "exit 0",
    ]);
    assert.equal(fixed.stderr, "");
  });

  test("a failure before the cancel was sent: logged, and that job's worker is left running", () => {
    const original = drive(copies.dir, "program.cjs", ["original", "timeouts"]);
    const fixed = drive(copies.dir, "program.cjs", ["fixed", "timeouts"]);
    assert.equal(original.code, 1);
    assert.deepEqual(original.stdout.split("\n").slice(0, -1), [...reported, "exit 1"]);
    assert.equal(fixed.code, 3, fixed.stderr);
    assert.deepEqual(fixed.stdout.split("\n").slice(0, -1), [
      ...reported,
      `errorHandler a Worker for job "a" exited with code 1`,
      "logger.error timer store failed",
      "stop() pending after 2 s, workers b",
      "exit 3",
    ]);
  });
});
