/**
 * `kill -9` of `fix --write` at any moment: every file is the original or
 * the fully fixed version, never a mix, and the next run removes the
 * temporary file the killed one left. The CLI runs as a child process; the
 * moment of the kill is placed by the test-only `SPAWN_AUDIT_TEST_WRITE_HOOK`
 * (see src/atomic-write.ts): exactly at a phase of the k-th write, or at a
 * delay after the writes start (the child waits at a gate until the test
 * starts its clock), so the test does not depend on how loaded the machine is.
 * Run on Node only: the writes are the same code on Deno (where it passed
 * too, in 80 s), and a kill -9 cannot be caught by either runtime.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";
import { childCommand } from "../support/cli.ts";
import { fixProject, makeProject } from "./support.ts";

const FILES = ["a", "b", "c"].flatMap((dir) => [1, 2, 3, 4, 5].map((n) => `src/${dir}/f${n}.ts`));
const ORIGINAL = "declare function tick(): void;\nsetInterval(() => tick(), 5);\nexport {};\n";
const ARGS = ["fix", ".", "--write"];

/** The temporary files of atomic writes anywhere under `dir`, relative to it. */
function temporaries(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((path) =>
    /\.spawn-audit-\d+-[0-9a-z]+\.tmp$/.test(path)
  ).sort();
}

function env(hook: string): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: "1", SPAWN_AUDIT_TEST_WRITE_HOOK: hook };
}

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

describe("kill -9 during fix --write", { skip: isDeno && "the Node run covers the same write code" }, () => {
  let dir = "";
  const fixed = new Map<string, string>();
  before(() => {
    dir = makeProject(Object.fromEntries(FILES.map((file) => [file, ORIGINAL])));
    for (const change of fixProject(dir, { write: false }).changes) fixed.set(change.file, change.after);
    assert.deepEqual([...fixed.keys()].sort(), [...FILES].sort());
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Files now fixed, in write order; fails when a file is neither the original nor the fixed text. */
  function fixedFiles(): string[] {
    return [...FILES].sort().filter((file) => {
      const text = readFileSync(join(dir, file), "utf8");
      assert.ok(text === ORIGINAL || text === fixed.get(file), `${file} is a mix:\n${text}`);
      return text !== ORIGINAL;
    });
  }

  function reset(): void {
    for (const file of FILES) writeFileSync(join(dir, file), ORIGINAL);
  }

  for (const delay of [0, 5]) {
    test(`killed ${delay} ms after the writes start: every file is the original or the fixed version`, async () => {
      reset();
      const [command, args] = childCommand(ARGS);
      const child = spawn(command, args, { cwd: dir, env: env("gate"), stdio: ["pipe", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (chunk: string) => {
        stderr += chunk;
        if (!stderr.includes("spawn-audit: writing")) return;
        child.stderr.removeAllListeners("data");
        child.stdin.write("\n");
        setTimeout(() => child.kill("SIGKILL"), delay);
      });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
        child.on("exit", (...ended) => done(ended))
      );
      assert.ok(signal === "SIGKILL" || code === 0, `exit ${code} ${signal}: ${stderr}`);
      fixedFiles();
      assert.ok(temporaries(dir).length <= 1, temporaries(dir).join(", "));
    });
  }

  const exact: [number, "opened" | "written" | "renamed"][] = [[1, "opened"], [1, "written"], [8, "written"], [
    15,
    "renamed",
  ], [15, "written"]];
  for (const [k, phase] of exact) {
    test(`killed at the ${phase} phase of write ${k}: ${phase === "renamed" ? k : k - 1} file(s) fixed, the others original; earlier leftovers removed`, () => {
      reset();
      const left = temporaries(dir);
      const [command, args] = childCommand(ARGS);
      const run = spawnSync(command, args, { cwd: dir, encoding: "utf8", env: env(`kill:${k}:${phase}`) });
      assert.equal(run.signal, "SIGKILL", run.stdout + run.stderr);
      assert.equal(fixedFiles().length, phase === "renamed" ? k : k - 1);
      const now = temporaries(dir);
      assert.deepEqual(
        now.filter((path) => left.includes(path)),
        [],
        "the run removed the temporary files of the killed runs before it",
      );
      assert.equal(now.length, phase === "renamed" ? 0 : 1, now.join(", "));
    });
  }

  test("the next run finishes the job and leaves no temporary file", () => {
    assert.ok(temporaries(dir).length > 0, "an earlier kill left a temporary file to clean");
    const [command, args] = childCommand(ARGS);
    const run = spawnSync(command, args, { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.equal(fixedFiles().length, FILES.length);
    assert.deepEqual(temporaries(dir), []);
  });
});
