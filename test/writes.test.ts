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
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { assertOneLineExit2, childCommand, type CliRun, FINDING_SOURCE, runInProcess } from "./support/cli.ts";
import { permissionUsers, type RunAs } from "./support/users.ts";

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
      if (user.prefix.length > 0) return;
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
 * A tmpfs of `kib` KiB mounted at a new folder, or why not (mounting needs
 * root with CAP_SYS_ADMIN, which a container may not grant).
 */
function smallFileSystem(kib: number): { path: string } | { skip: string } {
  const path = join(dir, "small-fs");
  mkdirSync(path, { recursive: true });
  const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k`, "tmpfs", path], { encoding: "utf8" });
  if (mounted.status !== 0) {
    return { skip: `cannot mount a small tmpfs to fill (needs root with CAP_SYS_ADMIN): ${mounted.stderr.trim()}` };
  }
  return { path };
}

describe("a nearly full file system (defect 1)", () => {
  let small: { path: string } | { skip: string } = { skip: "not mounted" };
  before(() => {
    small = smallFileSystem(64);
  });
  after(() => {
    if ("path" in small) spawnSync("umount", [small.path]);
  });

  test("-o a report larger than the space left: exit 2, one line, the previous report kept whole", async (t) => {
    if ("skip" in small) return t.skip(small.skip);
    const root = project("full", { who: "this user", prefix: [] });
    for (let i = 0; i < 60; i++) writeFileSync(join(root, "src", `f${i}.ts`), SOURCE);
    const report = join(small.path, "report.json");
    writeFileSync(report, '{ "previous": true }\n');
    // Leave 8 KiB: less than the new report (about 40 KiB), more than nothing, so a write is cut short.
    const free = 64 * 1024 - 4096 - 8192;
    writeFileSync(join(small.path, "filler"), Buffer.alloc(free));
    const outcome = await runInProcess(["scan", "src", "--format", "json", "-o", report], { cwd: root });
    assertOneLineExit2(outcome, /report\.json: no space left on the device/);
    assert.equal(readFileSync(report, "utf8"), '{ "previous": true }\n');
    assert.deepEqual(readdirSync(small.path).sort(), ["filler", "report.json"]);
  });
});
