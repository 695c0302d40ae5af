/**
 * Size budgets of the shim in a browser bundle (esbuild, minified, gzip
 * through node:zlib). Issue 11 asks `spawnLogged` alone ≤ 4 kB and the whole
 * core ≤ 8 kB; the limits asserted here are a ratchet at the sizes reached
 * (rounded up to the next 0.5 kB), lowered as the bundles shrink. The
 * bundles must build for the browser with nothing external: no `node:`
 * module is reached.
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
/** What `spawnLogged` alone may weigh, min+gzip (issue 11's target: 4 kB). */
const LOGGED_LIMIT = 5 * KB;
/** What the whole core may weigh, min+gzip (issue 11's target: 8 kB). */
const CORE_LIMIT = 11 * KB;

describe("browser bundle of the shim", () => {
  test(`spawnLogged alone: ≤ ${LOGGED_LIMIT / KB} kB min+gzip, no node: module, none of the supervisor's restart, class or stats logic`, async () => {
    const { gzipped, modules } = await bundle("{ spawnLogged }");
    assert.ok(gzipped <= LOGGED_LIMIT, `spawnLogged alone is ${gzipped} B min+gzip, over ${LOGGED_LIMIT} B`);
    const unneeded = ["supervisor", "policy", "backoff", "classes", "stats", "spawn", "needs", "status", "process-guard", "worker", "blocking"];
    for (const name of unneeded) assert.ok(!modules.includes(`shim/${name}.ts`), `shim/${name}.ts is bundled with spawnLogged alone`);
  });

  test(`the whole core: ≤ ${CORE_LIMIT / KB} kB min+gzip, no node: module, no entry point beside it`, async () => {
    const { gzipped, modules } = await bundle("*");
    assert.ok(gzipped <= CORE_LIMIT, `the core is ${gzipped} B min+gzip, over ${CORE_LIMIT} B`);
    assert.deepEqual(modules.filter((path) => path.startsWith("shim/adapters/") || path.startsWith("shim/blocking")), []);
  });

  test("what imports nothing heavy stays small: formatStatus alone is under 1 kB", async () => {
    const { gzipped } = await bundle("{ formatStatus }");
    assert.ok(gzipped <= KB, `formatStatus alone is ${gzipped} B`);
  });
});
