/**
 * The CLI under hostile conditions (issue 10): an import chain thousands of
 * modules deep, files and folders it may not read. Whatever happens, the
 * user gets at most one line on stderr and an exit code, never a stack
 * trace, and a report file is never left empty or half written.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { runCli } from "../src/cli.ts";
import { type Activity, describeFatal } from "../src/fatal.ts";
import { fileSystemReason } from "../src/errors.ts";
import { childCommand, type CliRun } from "./support/cli.ts";
import { unprivileged } from "./support/users.ts";

/** Depth of the generated import chain: the one users reported (a scan of it takes about 4 s here). */
const CHAIN_DEPTH = 3000;

/** A line of a JavaScript stack trace, as Node and Deno print it. */
const STACK_LINE = /^\s+at .+/m;

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-robust-"));
  // Readable by every user: the permission tests run the CLI as another user when this one is root.
  chmodSync(dir, 0o755);
});
after(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI as a child of this runtime (Node: built, Deno: sources), optionally as another user (`setpriv` prefix). */
function run(argv: string[], asUser: readonly string[] = []): CliRun {
  const [command, args] = childCommand(argv);
  const [program, ...rest] = [...asUser, command, ...args];
  const result = spawnSync(program!, rest, {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", DENO_DIR: join(dir, ".deno") },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Asserts what every failing run owes the user: exit 2, one line on stderr starting with `spawn-audit:`, no stack trace. */
function assertOneLineExit2(outcome: CliRun): void {
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.doesNotMatch(outcome.stderr, STACK_LINE);
  assert.match(outcome.stderr, /^spawn-audit: [^\n]+\n$/);
}

describe("a 3,000-module import chain", () => {
  let chain = "";
  before(() => {
    chain = join(dir, "chain");
    mkdirSync(chain);
    for (let i = 0; i < CHAIN_DEPTH; i++) {
      const body = i === CHAIN_DEPTH - 1
        ? `export function f${i}(): number { return 0; }\n`
        : `import { f${i + 1} } from "./m${i + 1}.ts";\nexport function f${i}(): number { return f${i + 1}() + 1; }\n`;
      writeFileSync(join(chain, `m${i}.ts`), body + (i === 0 ? "setInterval(() => { f0(); }, 1000);\n" : ""));
    }
  });

  test("is either scanned (exit 0 or 1) or refused with one line and exit 2, and -o is not left empty", () => {
    const report = join(dir, "chain-report.txt");
    writeFileSync(report, "previous report\n");
    const outcome = run(["scan", chain, "-o", report]);
    assert.doesNotMatch(outcome.stderr, STACK_LINE);
    if (outcome.code === 2) {
      assertOneLineExit2(outcome);
      assert.match(outcome.stderr, /ran out of stack while loading and type-checking the project .*--stack-size=/);
      assert.equal(
        readFileSync(report, "utf8"),
        "previous report\n",
        "a failed run must leave the previous report as it was",
      );
    } else {
      assert.equal(outcome.code, 1, outcome.stderr);
      assert.match(readFileSync(report, "utf8"), /m0\.ts\n.*durable +interval/);
    }
  });

  test("a failed run does not create the -o file", () => {
    const report = join(dir, "new-report.json");
    const outcome = run(["scan", chain, "--format", "json", "-o", report]);
    assert.notEqual(outcome.code, 0, outcome.stderr);
    if (outcome.code === 2) assert.equal(existsSync(report), false);
  });
});

test("the CLI tells what it is doing: loading, then each file it scans, by the path the report shows", async () => {
  const project = join(dir, "activity");
  mkdirSync(join(project, "src"), { recursive: true });
  writeFileSync(join(project, "src", "a.ts"), "export const a = 1;\n");
  writeFileSync(join(project, "src", "b.ts"), "setTimeout(() => undefined, 1);\n");
  const seen: Activity[] = [];
  const code = await runCli(["scan", "activity"], {
    stdout: () => {},
    stderr: () => {},
    cwd: dir,
    env: {},
    colorLevel: 0,
    onActivity: (activity) => seen.push(activity),
  });
  assert.equal(code, 0);
  assert.deepEqual(seen[0], { phase: "loading and type-checking the project" });
  const perFile = seen.filter((activity) => activity.file !== undefined);
  assert.deepEqual(perFile.map((activity) => activity.phase), ["scanning", "scanning"]);
  assert.deepEqual(perFile.map((activity) => activity.file).sort(), [
    join("activity", "src", "a.ts"),
    join("activity", "src", "b.ts"),
  ]);
});

describe("describeFatal", () => {
  test("a real stack overflow names the phase and the file, and hints at --stack-size", () => {
    const recurse = (n: number): number => recurse(n + 1) + 1;
    let overflow: unknown;
    try {
      recurse(0);
    } catch (error) {
      overflow = error;
    }
    const line = describeFatal(overflow, { phase: "scanning", file: "src/deep.ts" });
    assert.match(line ?? "", /^ran out of stack while scanning src\/deep\.ts .*--stack-size=4000/);
    assert.doesNotMatch(line ?? "", /\n/);
  });

  test("a string too long to allocate is reported as memory, without a file when none is known", () => {
    let tooLong: unknown;
    try {
      "x".repeat(2 ** 31);
    } catch (error) {
      tooLong = error;
    }
    assert.match(
      describeFatal(tooLong, { phase: "loading and type-checking the project" }) ?? "",
      /^ran out of memory while loading and type-checking the project \(/,
    );
  });

  test("a file system refusal names the path and what to do", () => {
    const refused = Object.assign(new Error("EACCES: permission denied, scandir '/srv/app/secret'"), {
      code: "EACCES",
      syscall: "scandir",
      path: "/srv/app/secret",
    });
    assert.equal(
      describeFatal(refused),
      "cannot access /srv/app/secret (scandir): permission denied; make it readable, or leave it out with --ignore-pattern",
    );
  });

  test("other errors are bugs and are left to keep their stack trace", () => {
    let otherRange: unknown;
    try {
      (1).toFixed(500);
    } catch (error) {
      otherRange = error;
    }
    assert.ok(otherRange instanceof RangeError);
    assert.equal(describeFatal(otherRange), undefined);
    assert.equal(describeFatal(new TypeError("x is undefined")), undefined);
    assert.equal(
      describeFatal(Object.assign(new Error("ENOENT"), { code: "ENOENT", syscall: "open", path: "/x" })),
      undefined,
    );
    assert.equal(describeFatal(undefined), undefined);
  });
});

describe("unreadable paths", () => {
  const user = unprivileged();
  let root = "";
  before(() => {
    root = join(dir, "perm");
    mkdirSync(join(root, "src"), { recursive: true });
    mkdirSync(join(root, "locked"));
    writeFileSync(join(root, "src", "a.ts"), 'setInterval(() => { throw new Error("tick"); }, 1000);\n');
    writeFileSync(join(root, "src", "secret.ts"), "export const b = 1;\n");
    writeFileSync(join(root, "locked", "c.ts"), "export const c = 1;\n");
    chmodSync(join(root, "src", "secret.ts"), 0o000);
    chmodSync(join(root, "locked"), 0o000);
  });
  after(() => chmodSync(join(root, "locked"), 0o755));

  test("a root path that cannot be read: exit 2 and one line naming it", (t) => {
    if ("skip" in user) return t.skip(user.skip);
    for (const command of ["scan", "fix"]) {
      const outcome = run([command, join(root, "locked")], user.prefix);
      assertOneLineExit2(outcome);
      assert.match(
        outcome.stderr,
        new RegExp(`${join(root, "locked").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*permission denied`),
      );
    }
  });

  test("scan and fix over unreadable files and folders never print a stack trace", (t) => {
    if ("skip" in user) return t.skip(user.skip);
    for (const command of ["scan", "fix"]) {
      const outcome = run([command, root], user.prefix);
      assert.doesNotMatch(outcome.stderr, STACK_LINE, `${command}: ${outcome.stderr}`);
      assert.ok([0, 1, 2].includes(outcome.code), `${command} exited ${outcome.code}`);
    }
  });

  test("an unreadable tsconfig.json: exit 2 and one line naming it", (t) => {
    if ("skip" in user) return t.skip(user.skip);
    const project = join(dir, "tsconfig-locked");
    mkdirSync(project);
    writeFileSync(join(project, "a.ts"), "export const a = 1;\n");
    writeFileSync(join(project, "tsconfig.json"), "{}\n");
    chmodSync(join(project, "tsconfig.json"), 0o000);
    const outcome = run(["scan", project], user.prefix);
    assertOneLineExit2(outcome);
    assert.match(outcome.stderr, /tsconfig\.json/);
  });

  test("an unreadable file or folder inside a scanned path is a problem of that path, and the rest is scanned", (t) => {
    if ("skip" in user) return t.skip(user.skip);
    const outcome = run(["scan", root, "--format", "json"], user.prefix);
    assert.equal(outcome.code, 1, outcome.stderr);
    const report = JSON.parse(outcome.stdout) as { problems: { file: string }[]; summary: { total: number } };
    const problemFiles = report.problems.map((problem) => problem.file).sort();
    assert.deepEqual(
      problemFiles,
      [join(root, "locked"), join(root, "src", "secret.ts")].map((path) => path.slice(dir.length + 1)).sort(),
    );
    assert.equal(report.summary.total, 1);
  });
});

describe("fileSystemReason", () => {
  test("plain words for the codes users meet, else the code, else the message", () => {
    const failure = (code: string | undefined): Error =>
      Object.assign(new Error(`${code}: raw message naming /tmp/.x.tmp`), code === undefined ? {} : { code });
    assert.equal(fileSystemReason(failure("EACCES")), "permission denied");
    assert.equal(fileSystemReason(failure("EPERM")), "permission denied");
    assert.equal(fileSystemReason(failure("EISDIR")), "it is a folder");
    assert.equal(fileSystemReason(failure("ENOENT")), "no such file or folder");
    assert.equal(fileSystemReason(failure("EXDEV")), "EXDEV");
    assert.equal(fileSystemReason(new Error("plain")), "plain");
  });
});
