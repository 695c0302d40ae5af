/**
 * SIGINT during `fix --write` (issue 18): the writes stop after the file
 * being written, which is complete; the others are as they were, no
 * temporary file is left, and the exit code is 130. The moment is placed by
 * the writer's test-only gate (`SPAWN_AUDIT_TEST_WRITE_HOOK=gate`, see
 * src/atomic-write.ts): the child waits before its first write until the
 * test has sent the signal.
 *
 * Node runs a signal's listener at the next turn of the event loop, so
 * exactly one file is written. Deno hands the signal to JavaScript through
 * an operation its event loop polls, which on a loaded machine can resolve a
 * turn or more later: there the writes stop within a few files, and the test
 * asserts that, with more files than a late signal could cover.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, before, test } from "node:test";
import { childCommand } from "./support/cli.ts";
import { makeProject } from "./fix/support.ts";

const FILES = Array.from({ length: 8 }, (_, index) => `src/file${index}.ts`);
const ON_DENO = "Deno" in globalThis;
const ORIGINAL = "declare function tick(): void;\nsetInterval(() => tick(), 5);\nexport {};\n";

let dir = "";
before(() => {
  dir = makeProject(Object.fromEntries(FILES.map((file) => [file, ORIGINAL])));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("SIGINT while fix writes: the file being written is finished, the rest left as they were, exit 130", async () => {
  const [command, args] = childCommand(["fix", ".", "--write"]);
  const child = spawn(command, args, {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", SPAWN_AUDIT_TEST_WRITE_HOOK: "gate" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    if (!chunk.includes("spawn-audit: writing")) return;
    // The child is held before its first write: the signal is pending when it writes, and seen right after.
    child.kill("SIGINT");
    child.stdin.write("\n");
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
    child.on("exit", (exit, by) => done([exit, by]))
  );
  // Node exits with 130; Deno, once its listeners are gone, ends by the SIGINT itself: a shell sees 130 for both.
  assert.ok(
    code === 130 || (code === null && signal === "SIGINT"),
    `exit ${code}, signal ${signal}\n${stdout}${stderr}`,
  );
  assert.match(stderr, /SIGINT: stopped writing/);
  const texts = FILES.map((file) => readFileSync(join(dir, file), "utf8"));
  const fixed = texts.filter((text) => text !== ORIGINAL);
  if (ON_DENO) assert.ok(fixed.length >= 1 && fixed.length < FILES.length, texts.join("\n---\n"));
  else assert.equal(fixed.length, 1, texts.join("\n---\n"));
  for (const text of fixed) assert.match(text, /@spawn-audit\/shim|spawn-audit\/shim/);
  assert.match(stdout, /not written: fix was interrupted/);
  const temporaries = readdirSync(join(dir, "src")).filter((name) => name.endsWith(".tmp"));
  assert.deepEqual(temporaries, []);
});
