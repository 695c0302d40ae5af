/**
 * A codemod is judged by behaviour: small programs are run before and after
 * `fix --write --group all`, on the runtime running the test (Node, or
 * Deno). Before, their failures end the process; after, they do the same
 * work and their failures are logged instead. A user's hook that throws is
 * called exactly once after the fix (nothing restarts it), and a test file
 * whose assertion fails still fails. The programs import the built shim
 * through a `node_modules/spawn-audit` link, as an installed package would
 * (run `npm run build` first); the project lives outside this repository so
 * Deno does not take the repository's deno.json for its config.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "../support/repo.ts";
import { runChild } from "../support/cli.ts";

const PROGRAM = `import process from "node:process";
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

const TEST_FILE = `import assert from "node:assert/strict";
setTimeout(() => {
  assert.equal(1 + 1, 3);
}, 5);
`;

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

describe("behaviour before and after fix --write --group all", () => {
  const dir = mkdtempSync(join(tmpdir(), "spawn-audit-behaviour-"));
  const runs = new Map<string, { before: Run; after: Run }>();
  before(() => {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(repoRoot(), join(dir, "node_modules", "spawn-audit"), "dir");
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const files = { "program.js": PROGRAM, "hook.js": HOOK, "check.test.js": TEST_FILE };
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    const before = new Map(Object.keys(files).map((file) => [file, run(dir, file)]));
    const fix = runChild(["fix", ".", "--write", "--group", "all", "--allow-dirty"], dir);
    assert.equal(fix.code, 0, fix.stdout + fix.stderr);
    for (const file of Object.keys(files)) runs.set(file, { before: before.get(file)!, after: run(dir, file) });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a timer and a floating promise: the same work, failures logged instead of ending the process", () => {
    const { before, after } = runs.get("program.js")!;
    assert.notEqual(before.code, 0, "an unhandled rejection ends the original program");
    assert.doesNotMatch(before.stdout, /done/);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, "tick 1\ntick 2\ntick 3\ndone\nreports 1\n");
    assert.deepEqual(loggedErrors(after.stderr), ["report failed", "tick failed"]);
  });

  test("a user's hook that throws is called exactly once, its failure logged", () => {
    const { before, after } = runs.get("hook.js")!;
    assert.notEqual(before.code, 0);
    assert.match(before.stdout, /^hook job failed\n/);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(after.stdout, "hook job failed\nhook calls 1\n");
    assert.deepEqual(loggedErrors(after.stderr), ["hook failed"]);
  });

  test("a failing assertion in a test file still fails: the file is not rewritten", () => {
    const { before, after } = runs.get("check.test.js")!;
    assert.notEqual(before.code, 0);
    assert.notEqual(after.code, 0);
    assert.equal(readFileSync(join(dir, "check.test.js"), "utf8"), TEST_FILE);
    assert.deepEqual(loggedErrors(after.stderr), []);
  });
});
