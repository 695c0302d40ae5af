/**
 * Size budgets of the shim in a browser bundle (esbuild, minified, gzip
 * through node:zlib): `spawnLogged` alone ≤ 4 kB and the whole core ≤ 8 kB
 * (issue 11). The budgets are todo tests until they are met; a ratchet at
 * today's sizes keeps the bundles from growing meanwhile. The bundles must
 * build for the browser with nothing external: no `node:` module is reached.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { repoRoot } from "../support/repo.ts";

/**
 * What a bundle of `exports` from the shim's core weighs: minified bytes,
 * gzipped bytes, and the modules it holds. Nothing is external, so a `node:`
 * import anywhere in what is reached fails the build (and the test).
 */
async function bundle(exports: string): Promise<{ minified: number; gzipped: number; modules: string[] }> {
  const result = await esbuild.build({
    stdin: { contents: `export ${exports} from "./shim/mod.ts";`, resolveDir: repoRoot(), loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  const modules = Object.keys(Object.values(result.metafile.outputs)[0]!.inputs).filter((path) => path.startsWith("shim/"));
  return { minified: code.length, gzipped: gzipSync(code).length, modules };
}

const KB = 1024;

describe("browser bundle of the shim", () => {
  test("spawnLogged alone: within the ratchet, no node: module, nothing but what it needs", async () => {
    const { gzipped, modules } = await bundle("{ spawnLogged }");
    assert.ok(gzipped <= 9 * KB, `spawnLogged alone is ${gzipped} B min+gzip, over the 9 kB ratchet`);
    for (const unneeded of ["shim/needs.ts", "shim/status.ts", "shim/process-guard.ts", "shim/worker.ts", "shim/blocking.ts"]) {
      assert.ok(!modules.includes(unneeded), `${unneeded} is bundled with spawnLogged alone`);
    }
  });

  test("the whole core: within the ratchet, no node: module, no entry point beside it", async () => {
    const { gzipped, modules } = await bundle("*");
    assert.ok(gzipped <= 11 * KB, `the core is ${gzipped} B min+gzip, over the 11 kB ratchet`);
    assert.deepEqual(modules.filter((path) => path.startsWith("shim/adapters/") || path.startsWith("shim/blocking")), []);
  });

  test("what imports nothing heavy stays small: formatStatus alone is under 1 kB", async () => {
    const { gzipped } = await bundle("{ formatStatus }");
    assert.ok(gzipped <= KB, `formatStatus alone is ${gzipped} B`);
  });

  test("budget: spawnLogged alone ≤ 4 kB min+gzip", { todo: "the supervisor class holds restart, class and stats logic that a log-only task does not need" }, async () => {
    const { gzipped } = await bundle("{ spawnLogged }");
    assert.ok(gzipped <= 4 * KB, `${gzipped} B`);
  });

  test("budget: the whole core ≤ 8 kB min+gzip", { todo: "see the spawnLogged budget" }, async () => {
    const { gzipped } = await bundle("*");
    assert.ok(gzipped <= 8 * KB, `${gzipped} B`);
  });
});
