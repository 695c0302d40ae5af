/**
 * What the CLI writes — `-o`, `--write-baseline`, `fix --write` — on targets
 * that must not be lost (issue 18, defects 1–3): a nearly full file system,
 * a read-only file, a file with other hard links. The original survives, the
 * user gets one line and exit 2 (fix: the file is listed as refused), and
 * `--force-write` replaces the read-only and hard-linked ones on request.
 * Permissions are checked as root and, when this user is root, as nobody.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { Buffer } from "node:buffer";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { assertOneLineExit2, childCommand, type CliRun, FINDING_SOURCE, runInProcess } from "./support/cli.ts";
import { permissionUsers, type RunAs } from "./support/users.ts";
import { writeTree } from "./support/tree.ts";
import { testTsconfig } from "./fix/support.ts";

const SOURCE = FINDING_SOURCE;

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-writes-"));
  chmodSync(dir, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(argv: string[], cwd: string, user: RunAs = { who: "this user", prefix: [] }): CliRun {
  const [command, args] = childCommand(argv);
  const [program, ...rest] = [...user.prefix, command, ...args];
  const result = spawnSync(program!, rest, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", DENO_DIR: join(dir, ".deno") },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A project with one finding, owned by `user` (nobody: uid 65534) so its modes apply to it. */
function project(name: string, user: RunAs, files: Record<string, string> = {}): string {
  const root = join(dir, `${name}-${user.who}`);
  mkdirSync(join(root, "src"), { recursive: true });
  writeFileSync(join(root, "package.json"), '{ "name": "p", "type": "module" }\n');
  writeFileSync(join(root, "src", "a.ts"), SOURCE);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  if (user.prefix.length > 0) {
    for (const entry of ["", ...readdirSync(root, { recursive: true, encoding: "utf8" })]) {
      chownSync(join(root, entry), 65534, 65534);
    }
  }
  return root;
}

const { users, skipped } = permissionUsers();

describe("a read-only report or baseline (defect 3)", () => {
  if (skipped !== undefined) test(`as nobody too`, (t) => t.skip(skipped));
  for (const user of users) {
    test(`as ${user.who}: -o and --write-baseline refuse it with one line and exit 2; --force-write replaces it`, async () => {
      const root = project("readonly", user, { "report.txt": "old report\n", "baseline.json": "{}\n" });
      for (const file of ["report.txt", "baseline.json"]) chmodSync(join(root, file), 0o444);
      // As this user the CLI runs in-process (fast); as nobody, as a child process switched to that user.
      const cli = (argv: string[]): Promise<CliRun> | CliRun =>
        user.prefix.length === 0 ? runInProcess(argv, { cwd: root }) : run(argv, root, user);
      assertOneLineExit2(await cli(["scan", "src", "-o", "report.txt"]), /report\.txt: .*read-only.*--force-write/);
      assert.equal(readFileSync(join(root, "report.txt"), "utf8"), "old report\n");
      assert.equal((await cli(["scan", "src", "-o", "report.txt", "--force-write"])).code, 1);
      assert.match(readFileSync(join(root, "report.txt"), "utf8"), /src\/a\.ts/);
      assert.equal(statSync(join(root, "report.txt")).mode & 0o777, 0o444);
      assertOneLineExit2(
        await cli(["scan", "src", "--write-baseline", "baseline.json"]),
        /baseline\.json: .*read-only.*--force-write/,
      );
      assert.equal(readFileSync(join(root, "baseline.json"), "utf8"), "{}\n");
      assert.equal((await cli(["scan", "src", "--write-baseline", "baseline.json", "--force-write"])).code, 0);
      assert.match(readFileSync(join(root, "baseline.json"), "utf8"), /"findings"/);
    });
  }
});

describe("a file with other hard links (defect 2)", () => {
  test("-o refuses it (exit 2, every link as it was); --force-write replaces this name only", async () => {
    const root = project("linked", { who: "this user", prefix: [] }, { "report.txt": "old report\n" });
    linkSync(join(root, "report.txt"), join(root, "report-link.txt"));
    assertOneLineExit2(await runInProcess(["scan", "src", "-o", "report.txt"], { cwd: root }), /2 hard links/);
    assert.equal(readFileSync(join(root, "report.txt"), "utf8"), "old report\n");
    assert.equal((await runInProcess(["scan", "src", "-o", "report.txt", "--force-write"], { cwd: root })).code, 1);
    assert.match(readFileSync(join(root, "report.txt"), "utf8"), /src\/a\.ts/);
    assert.equal(readFileSync(join(root, "report-link.txt"), "utf8"), "old report\n");
  });
});

/**
 * A tmpfs of `kib` KiB mounted at a new folder `name`, or why not (mounting
 * needs root with CAP_SYS_ADMIN, which a container may not grant).
 */
function smallFileSystem(name: string, kib: number): { path: string } | { skip: string } {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k`, "tmpfs", path], { encoding: "utf8" });
  if (mounted.status !== 0) {
    return { skip: `cannot mount a small tmpfs to fill (needs root with CAP_SYS_ADMIN): ${mounted.stderr.trim()}` };
  }
  return { path };
}

/**
 * Fills the file system holding `folder` with a file `filler` until it is
 * full, then gives `bytes` back, so exactly that much space is left
 * whatever the file system already holds.
 */
function leaveFree(folder: string, bytes: number): void {
  const filler = join(folder, "filler");
  const descriptor = openSync(filler, "w");
  const page = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(descriptor, page);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(descriptor);
  }
  truncateSync(filler, Math.max(0, statSync(filler).size - bytes));
}

/** The files in `folder` and below, sorted (a temporary file left behind would show here). */
function filesIn(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" }).sort();
}

describe("a nearly full file system (defect 1)", () => {
  const mounts: { path: string }[] = [];
  /** A fresh small file system for one test, unmounted after the tests. */
  const mount = (name: string, kib: number): { path: string } | { skip: string } => {
    const small = smallFileSystem(name, kib);
    if ("path" in small) mounts.push(small);
    return small;
  };
  after(() => {
    for (const small of mounts) spawnSync("umount", [small.path]);
  });

  let full = "";
  before(() => {
    full = project("full", { who: "this user", prefix: [] });
    for (let i = 0; i < 60; i++) writeFileSync(join(full, "src", `f${i}.ts`), SOURCE);
  });

  test("-o a report larger than the space left: exit 2, one line, the previous report kept whole", async (t) => {
    const small = mount("small-report", 64);
    if ("skip" in small) return t.skip(small.skip);
    const report = join(small.path, "report.json");
    writeFileSync(report, '{ "previous": true }\n');
    // Leave 8 KiB: less than the new report (about 40 KiB), more than nothing, so a write is cut short.
    leaveFree(small.path, 8192);
    const outcome = await runInProcess(["scan", "src", "--format", "json", "-o", report], { cwd: full });
    assertOneLineExit2(outcome, /report\.json: no space left on the device/);
    assert.equal(readFileSync(report, "utf8"), '{ "previous": true }\n');
    assert.deepEqual(filesIn(small.path), ["filler", "report.json"]);
  });

  test("--write-baseline larger than the space left: exit 2, one line, the previous baseline kept whole", async (t) => {
    const small = mount("small-baseline", 64);
    if ("skip" in small) return t.skip(small.skip);
    const baseline = join(small.path, "baseline.json");
    writeFileSync(baseline, "{}\n");
    // About 180 bytes a finding: 60 findings do not fit in 4 KiB.
    leaveFree(small.path, 4096);
    const outcome = await runInProcess(["scan", "src", "--write-baseline", baseline], { cwd: full });
    assertOneLineExit2(outcome, /baseline\.json: no space left on the device/);
    assert.equal(readFileSync(baseline, "utf8"), "{}\n");
    assert.deepEqual(filesIn(small.path), ["baseline.json", "filler"]);
  });

  test("fix --write of a file larger than the space left: listed as refused, exit 2, the source kept whole", async (t) => {
    const small = mount("small-fix", 128);
    if ("skip" in small) return t.skip(small.skip);
    const root = join(small.path, "app");
    // About 30 KB, as the 22 KB file that was left at 12 KB: the rewrite needs more than the 8 KiB left.
    const constants = Array.from({ length: 700 }, (_, i) => `export const v${i} = "${"x".repeat(20)}";\n`).join("");
    const code = `declare function tick(): void;\nsetInterval(() => tick(), 1000);\n${constants}`;
    writeTree(root, { "tsconfig.json": testTsconfig(), "src/big.ts": code });
    leaveFree(small.path, 8192);
    const run = await runInProcess(["fix", ".", "--write"], { cwd: root });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /Refused 1 file \(left as it was\):\n {2}src\/big\.ts {2}could not be written: no space left on the device/,
    );
    assert.equal(readFileSync(join(root, "src", "big.ts"), "utf8"), code);
    assert.deepEqual(filesIn(root), ["src", "src/big.ts", "tsconfig.json"]);
  });
});
