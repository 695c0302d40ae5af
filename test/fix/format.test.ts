/**
 * `fix --write --format`: the project's own formatter (here Prettier, a
 * devDependency of this repository linked into the project's
 * node_modules/.bin as an install would) runs on the new text of the files
 * fix edits, before writing, and on no other; without a formatter the run
 * stops before writing; a formatter that fails leaves its file as it was.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { UsageError } from "../../src/errors.ts";
import { childFailure } from "../../src/fix/child.ts";
import { repoRoot } from "../support/repo.ts";
import { runInProcess } from "../support/cli.ts";
import { fixProject, makeProject } from "./support.ts";

const EDITED = `declare function tick(): void\nsetInterval(() => tick(), 5)\nexport const   spaced = {a:1}\n`;
const UNTOUCHED = `export const   alsoSpaced = {b:2}\n`;
const SHIM_DEPENDENCY = JSON.stringify({ dependencies: { "@spawn-audit/shim": "*" } });

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function withPrettier(files: Record<string, string>): string {
  const dir = makeProject(files);
  made.push(dir);
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(
    join(repoRoot(), "node_modules", "prettier", "bin", "prettier.cjs"),
    join(dir, "node_modules", ".bin", "prettier"),
  );
  return dir;
}

/** A project with EDITED and a `prettier` that is the shell script `body`: a formatter that misbehaves on cue. */
function withFakePrettier(body: string): string {
  const dir = makeProject({
    "package.json": JSON.stringify({
      dependencies: { "@spawn-audit/shim": "*" },
      devDependencies: { prettier: "*" },
    }),
    "src/edited.ts": EDITED,
  });
  made.push(dir);
  const fake = join(dir, "node_modules", ".bin", "prettier");
  mkdirSync(dirname(fake), { recursive: true });
  writeFileSync(fake, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}

describe("fix --format", () => {
  test("Prettier, found as a devDependency, formats the written files and only those", () => {
    const dir = withPrettier({
      "package.json": JSON.stringify({
        dependencies: { "@spawn-audit/shim": "*" },
        devDependencies: { prettier: "3.10.1" },
      }),
      ".prettierrc.json": JSON.stringify({ semi: false, singleQuote: true }),
      "src/edited.ts": EDITED,
      "src/untouched.ts": UNTOUCHED,
    });
    const result = fixProject(dir, { format: true });
    assert.deepEqual(result.format, { formatter: "Prettier", files: 1, failed: null });
    assert.equal(
      readFileSync(join(dir, "src/edited.ts"), "utf8"),
      `import { logFailure } from '@spawn-audit/shim'\n\ndeclare function tick(): void\nsetInterval(() => {\n  try {\n    tick()\n  } catch (error) {\n    logFailure('edited.tick', error)\n  }\n}, 5)\nexport const spaced = { a: 1 }\n`,
    );
    assert.equal(readFileSync(join(dir, "src/untouched.ts"), "utf8"), UNTOUCHED);
  });

  test("the config's format key asks for it too, and the report says it ran", async () => {
    const dir = withPrettier({
      "package.json": JSON.stringify({
        dependencies: { "@spawn-audit/shim": "*" },
        devDependencies: { prettier: "3.10.1" },
        spawnAudit: { format: true },
      }),
      "src/edited.ts": EDITED,
    });
    const run = await runInProcess(["fix", ".", "--write"], { cwd: dir });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^Formatted 1 edited file with Prettier\.$/m);
    assert.match(readFileSync(join(dir, "src/edited.ts"), "utf8"), /^export const spaced = \{ a: 1 \};$/m);
  });

  test("without a formatter the run stops before writing, saying so; a value for --format is a usage error", async () => {
    const dir = makeProject({ "package.json": SHIM_DEPENDENCY, "src/edited.ts": EDITED });
    made.push(dir);
    assert.throws(
      () => fixProject(dir, { format: true }),
      (error: Error) =>
        error instanceof UsageError &&
        /^--format: no formatter found for this project .*nothing was written/.test(error.message),
    );
    assert.equal(readFileSync(join(dir, "src/edited.ts"), "utf8"), EDITED);
    const cli = await runInProcess(["fix", ".", "--write", "--format"], { cwd: dir });
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /no formatter found/);
    const valued = await runInProcess(["fix", ".", "--format=json"], { cwd: dir });
    assert.equal(valued.code, 2);
    assert.match(valued.stderr, /--format takes no value/);
  });

  test("a formatter that fails refuses the file it failed on: nothing of it is written, and fix exits 2", async () => {
    // It reads the text first, as a formatter does: a child that exits before its input is written makes Deno's
    // spawnSync return no exit status at times (1 CI run in 2).
    const dir = withFakePrettier("cat >/dev/null\necho 'cannot format' >&2\nexit 2");
    const run = await runInProcess(["fix", ".", "--write", "--format"], { cwd: dir });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /src\/edited\.ts {2}not written: Prettier exited with 2: cannot format$/m);
    assert.equal(readFileSync(join(dir, "src/edited.ts"), "utf8"), EDITED);
  });

  test("without --format, a rewritten file the formatter's check accepted before and would not after is named", async () => {
    const clean = `declare function tick(): void;\nsetInterval(() => tick(), 5);\n`;
    const dir = withPrettier({
      "package.json": JSON.stringify({
        dependencies: { "@spawn-audit/shim": "*" },
        devDependencies: { prettier: "3.10.1" },
      }),
      "src/clean.ts": clean,
      "src/edited.ts": EDITED,
    });
    const run = await runInProcess(["fix", ".", "--check"], { cwd: dir });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /^Note: Prettier would reformat a rewritten file its check accepted before \(src\/clean\.ts\): run fix with --format\.$/m,
    );
    assert.equal(readFileSync(join(dir, "src/clean.ts"), "utf8"), clean);
    const formatted = await runInProcess(["fix", ".", "--check", "--format"], { cwd: dir });
    assert.doesNotMatch(formatted.stdout, /would reformat/);
  });

  test("a formatter ended by a signal is reported so, not as an exit status", async () => {
    const dir = withFakePrettier("cat >/dev/null\nkill -9 $$");
    const run = await runInProcess(["fix", ".", "--write", "--format"], { cwd: dir });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stdout, /src\/edited\.ts {2}not written: Prettier was ended by SIGKILL$/m);
    assert.equal(readFileSync(join(dir, "src/edited.ts"), "utf8"), EDITED);
  });

  test("a child the runtime gives neither an exit status nor a signal for ended without one", () => {
    const ended = { pid: 1, output: [], stdout: "", stderr: "broken pipe\n", status: null, signal: null };
    assert.equal(childFailure("dprint", ended), "dprint ended without an exit status: broken pipe");
    assert.equal(childFailure("ESLint", { ...ended, status: 2, stderr: "" }), "ESLint exited with 2");
  });

  test("a formatter the project uses but has not installed is named", () => {
    const dir = makeProject({ "package.json": SHIM_DEPENDENCY, "biome.json": "{}", "src/edited.ts": EDITED });
    made.push(dir);
    assert.throws(
      () => fixProject(dir, { format: true }),
      /the project uses Biome but node_modules\/\.bin\/biome is missing/,
    );
  });
});
