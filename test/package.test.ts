/**
 * What the published package contains: the built CLI, rules and shim, the
 * JSON schemas and the rule pages (`spawn-audit explain`), but no compiled tests;
 * it is built when packed, never when installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "./support/repo.ts";

test("npm pack ships the built code and the schema, and no test files", () => {
  const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: repoRoot(), encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const [packed] = JSON.parse(run.stdout) as { files: { path: string }[] }[];
  const paths = packed!.files.map((file) => file.path);
  assert.deepEqual(paths.filter((path) => /\.test\.|(^|\/)test\//.test(path)), []);
  for (const required of ["dist/src/main.js", "dist/shim/mod.js", "dist/rules/mod.js", "schema/scan-report.v1.json", "schema/config.v1.json", "rules/timers/README.md", "README.md"]) {
    assert.ok(paths.includes(required), `${required} is missing from the package`);
  }
});

test("the package builds when packed (prepack), and installing it runs no script", () => {
  const manifest = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { scripts: Record<string, string> };
  assert.match(manifest.scripts["prepack"] ?? "", /\bnpm run build\b/);
  // npm runs these in the consumer's install (prepare too, for a git dependency; npm 11 warns about it).
  for (const hook of ["preinstall", "install", "postinstall", "prepare"]) assert.equal(manifest.scripts[hook], undefined, `scripts.${hook} runs on install`);
  // The test command builds first, so `npm ci && npm test` (the README's, and .ci/run) needs no build step.
  assert.match(manifest.scripts["test"] ?? "", /^npm run build && /);
});
