import assert from "node:assert/strict";
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { runChild, runInProcess } from "../support/cli.ts";
import { lockFolder } from "../support/users.ts";
import { makeProject } from "./support.ts";

const CODE = "declare function tick(): void;\nsetInterval(() => tick(), 1000);\nexport {};\n";

describe("spawn-audit fix (CLI)", () => {
  const dir = makeProject({ "src/clock.ts": CODE });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a dry run prints a unified diff and a summary, writes nothing and exits 0", async () => {
    const run = await runInProcess(["fix", "."], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^--- a\/src\/clock\.ts\n\+\+\+ b\/src\/clock\.ts\n@@ -1,3 \+1,5 @@\n\+import \{ logFailure \} from "@spawn-audit\/shim";\n/,
    );
    assert.match(
      run.stdout,
      /\n-setInterval\(\(\) => tick\(\), 1000\);\n\+setInterval\(\(\) => \{ try \{ tick\(\); \} catch \(error\) \{ logFailure\("clock\.tick", error\); \} \}, 1000\);\n/,
    );
    assert.match(
      run.stdout,
      /Would rewrite 1 site in 1 file \(1 caught-callback\)\.\n {2}caught-callback src\/clock\.ts:2: failures to the shim's logger\n\nDry run: nothing was written/,
    );
    assert.equal(readFileSync(join(dir, "src/clock.ts"), "utf8"), CODE);
  });

  test("the diff is coloured on a TTY, not with NO_COLOR or --no-color", async () => {
    assert.match(
      (await runInProcess(["fix", "."], { cwd: dir, isTTY: true })).stdout,
      new RegExp("\u001b\\[32m\\+setInterval"),
    );
    assert.doesNotMatch(
      (await runInProcess(["fix", "."], { cwd: dir, isTTY: true, env: { NO_COLOR: "1" } })).stdout,
      new RegExp("\u001b\\["),
    );
    assert.doesNotMatch(
      (await runInProcess(["fix", ".", "--no-color"], { cwd: dir, isTTY: true })).stdout,
      new RegExp("\u001b\\["),
    );
  });

  test("--check exits 1 when something would be rewritten", async () => {
    assert.equal((await runInProcess(["fix", ".", "--check"], { cwd: dir })).code, 1);
    assert.equal((await runInProcess(["fix", ".", "--check", "--kind", "worker"], { cwd: dir })).code, 0);
  });

  test("--write exits 1 when a file is refused and names the reason", async () => {
    chmodSync(join(dir, "src/clock.ts"), 0o444);
    const run = await runInProcess(["fix", ".", "--write"], { cwd: dir });
    chmodSync(join(dir, "src/clock.ts"), 0o644);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /Refused 1 file \(left as it was\):\n {2}src\/clock\.ts {2}the file is read-only \(mode 0444\)/,
    );
    assert.equal(readFileSync(join(dir, "src/clock.ts"), "utf8"), CODE);
  });

  test("a shim that does not resolve exits 2 with the install command and writes nothing", async () => {
    const run = await runInProcess(["fix", ".", "--write", "--shim-import", "missing-shim"], { cwd: dir });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /missing-shim does not resolve from src\/clock\.ts; nothing was written\. Install the project's dependencies \(npm install missing-shim\)/,
    );
    assert.equal(readFileSync(join(dir, "src/clock.ts"), "utf8"), CODE);
  });

  test("usage errors exit 2 with one line and no stack trace", () => {
    for (
      const [argv, message] of [
        [["fix", ".", "--group", "everything"], /--group must be one of durable, per-request, all/],
        [["fix", ".", "--kind", "interval,nope"], /--kind must be one of/],
        [["fix", ".", "--write", "--check"], /--check is a dry run/],
        [["fix", ".", "--format=json"], /fix's --format takes no value/],
        [["scan", ".", "--write"], /--write is an option of fix, not of scan/],
        [["fix", ".", "--shim-import", "x", "--vendor-shim", "v"], /alternatives/],
      ] as const
    ) {
      const run = runChild([...argv], dir);
      assert.equal(run.code, 2, `${argv.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    }
  });

  test("a file the file system will not let fix write is listed with its error and exits 2; the others are written; files not analysed are listed", async (t) => {
    const other = makeProject({
      "src/locked/clock.ts": CODE,
      "src/clock.ts": CODE,
      "src/huge.ts": `${CODE}// ${"x".repeat(4_000)}\n`,
    });
    // No temporary file can be created beside src/locked/clock.ts.
    const lock = lockFolder(join(other, "src/locked"));
    try {
      if ("skip" in lock) return t.skip(lock.skip);
      const run = await runInProcess(["fix", ".", "--write", "--max-file-size", "1000"], { cwd: other });
      lock.undo();
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(
        run.stdout,
        /Refused 1 file \(left as it was\):\n {2}src\/locked\/clock\.ts {2}could not be written: permission denied/,
      );
      assert.match(
        run.stdout,
        /\nNot analysed: 1 file \(their sites, if any, were not seen\):\n {2}src\/huge\.ts {2}\S/,
      );
      assert.equal(readFileSync(join(other, "src/locked/clock.ts"), "utf8"), CODE);
      assert.match(readFileSync(join(other, "src/clock.ts"), "utf8"), /logFailure/);
    } finally {
      if ("undo" in lock) lock.undo();
      rmSync(other, { recursive: true, force: true });
    }
  });

  test("--write applies the change, and a second run finds nothing to do", async () => {
    const run = await runInProcess(["fix", ".", "--write"], { cwd: dir });
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /^Rewrote 1 site in 1 file \(1 caught-callback\)\.\n {2}src\/clock\.ts: 1 site\n/);
    assert.match(readFileSync(join(dir, "src/clock.ts"), "utf8"), /logFailure\("clock\.tick"/);
    const again = await runInProcess(["fix", ".", "--check"], { cwd: dir });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /^Would rewrite 0 sites in 0 files\.\n$/);
  });
});
