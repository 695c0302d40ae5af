/**
 * A codemod is judged by behaviour: a small program is run before and after
 * `fix --write --group all`. Before, its failures end the process; after,
 * it does the same work and its failures are logged instead. The program
 * imports the built shim through a `node_modules/spawn-audit` link, as an
 * installed package would (run `npm run build` first).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { after, test } from "node:test";
import { repoRoot } from "../support/repo.ts";
import { runChild } from "../support/cli.ts";

const PROGRAM = `let ticks = 0;
let reports = 0;
const timer = setInterval(() => {
  ticks++;
  process.stdout.write(\`tick \${ticks}\\n\`);
  if (ticks === 2) throw new Error("tick failed");
  if (ticks === 3) {
    clearInterval(timer);
    process.stdout.write("done\\n");
  }
}, 5);
async function report() {
  reports++;
  throw new Error("report failed");
}
report();
process.on("exit", () => process.stdout.write(\`reports \${reports}\\n\`));
`;

const cache = join(repoRoot(), "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, "spawn-audit-behaviour-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(dir, "program.js")], { cwd: dir, encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const isDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;

test("after fix the program does the same work and logs its failures instead of crashing", { skip: isDeno && "runs the fixed program with Node" }, () => {
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repoRoot(), join(dir, "node_modules", "spawn-audit"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(join(dir, "program.js"), PROGRAM);

  const before = run();
  assert.notEqual(before.code, 0, "an unhandled rejection ends the original program");
  assert.doesNotMatch(before.stdout, /done/);

  const fix = runChild(["fix", ".", "--write", "--group", "all", "--allow-dirty"], dir);
  assert.equal(fix.code, 0, fix.stdout + fix.stderr);

  const fixed = run();
  assert.equal(fixed.code, 0, fixed.stderr);
  assert.equal(fixed.stdout, "tick 1\ntick 2\ntick 3\ndone\nreports 1\n");
  const logged = fixed.stderr.trim().split("\n").map((line) => JSON.parse(line) as { msg?: string; err?: { message?: string } });
  assert.deepEqual(logged.map((record) => record.err?.message).sort(), ["report failed", "tick failed"]);
});
