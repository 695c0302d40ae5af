/**
 * Size budgets of the shim as a user's bundler gets it: a module that
 * imports the package by name — `@spawn-audit/shim`, or `spawn-audit/shim`,
 * the CLI package's re-export of it — from a project whose node_modules
 * links both packages as an install would, bundled by esbuild (`--bundle
 * --minify --format=esm --platform=browser`: the package's `browser` field
 * applied, nothing external, so a `node:` import anywhere in what is
 * reached fails the build and the test), then gzipped at level 9
 * (node:zlib). Issue 21's budgets: `spawnLogged` alone ≤ 4 KiB and
 * `spawnSupervised` alone ≤ 9 KiB through either entry; the whole core is
 * a ratchet at the size reached, lowered as it shrinks. Run on
 * Node only: the bundler and zlib do the measuring, not the runtime.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import * as browser from "../../shim/diagnostics.browser.ts";
import * as server from "../../shim/diagnostics.ts";
import { repoRoot } from "../support/repo.ts";

/** The two names a user imports the shim by. */
const ENTRIES = ["@spawn-audit/shim", "spawn-audit/shim"] as const;

/** What `spawnLogged` alone may weigh through either entry, min+gzip. */
const LOGGED_LIMIT = 4096;
/** What `spawnSupervised` alone may weigh through either entry, min+gzip. */
const SUPERVISED_LIMIT = 9216;
/**
 * What the whole core may weigh, min+gzip: a ratchet at the size reached, rounded up to the next 0.5 kB
 * (10,775 B with issue 18's guarded clock hooks and the process guard's Bun listener; issue 21 accepts about
 * 10.5 kB for everything the entry holds).
 */
const CORE_LIMIT = 11 * 1024;

/** A user's project: node_modules links spawn-audit (this repository) and @spawn-audit/shim (its shim/). */
let project = "";
before(() => {
  const cache = join(repoRoot(), "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  project = mkdtempSync(join(cache, "spawn-audit-budget-"));
  mkdirSync(join(project, "node_modules", "@spawn-audit"), { recursive: true });
  symlinkSync(repoRoot(), join(project, "node_modules", "spawn-audit"), "dir");
  symlinkSync(join(repoRoot(), "shim"), join(project, "node_modules", "@spawn-audit", "shim"), "dir");
});
after(() => rmSync(project, { recursive: true, force: true }));

/**
 * What a module exporting `names` from `entry` weighs once bundled:
 * gzipped bytes, and the shim's built modules it holds (paths under
 * `shim/dist/esm/`).
 */
async function bundle(names: string, entry: string): Promise<{ gzipped: number; modules: string[] }> {
  const result = await esbuild.build({
    stdin: { contents: `export ${names} from "${entry}";\n`, resolveDir: project, loader: "js" },
    absWorkingDir: repoRoot(),
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  const modules = Object.keys(Object.values(result.metafile.outputs)[0]!.inputs)
    .filter((path) => path.startsWith("shim/dist/esm/"))
    .map((path) => path.slice("shim/dist/esm/".length));
  return { gzipped: gzipSync(code, { level: 9 }).length, modules };
}

describe("browser bundle of the shim, imported by name", () => {
  for (const entry of ENTRIES) {
    test(`spawnLogged alone from ${entry}: ≤ ${LOGGED_LIMIT} B min+gzip, none of the supervisor's restart, class, stats or hook-guarding logic, no diagnostics_channel lookup`, async () => {
      const { gzipped, modules } = await bundle("{ spawnLogged }", entry);
      assert.ok(gzipped <= LOGGED_LIMIT, `spawnLogged alone is ${gzipped} B min+gzip, over ${LOGGED_LIMIT} B`);
      const unneeded = [
        "supervisor",
        "hooks",
        "policy",
        "backoff",
        "classes",
        "stats",
        "spawn",
        "needs",
        "status",
        "process-guard",
        "worker",
        "blocking",
        "diagnostics",
        "runtime",
      ];
      assert.deepEqual(unneeded.filter((name) => modules.includes(`${name}.js`)), []);
    });

    test(`spawnSupervised alone from ${entry}: ≤ ${SUPERVISED_LIMIT} B min+gzip`, async () => {
      const { gzipped } = await bundle("{ spawnSupervised }", entry);
      assert.ok(
        gzipped <= SUPERVISED_LIMIT,
        `spawnSupervised alone is ${gzipped} B min+gzip, over ${SUPERVISED_LIMIT} B`,
      );
    });
  }

  test(`the whole core: ≤ ${CORE_LIMIT / 1024} kB min+gzip, no entry point beside it`, async () => {
    const { gzipped, modules } = await bundle("*", "@spawn-audit/shim");
    assert.ok(gzipped <= CORE_LIMIT, `the core is ${gzipped} B min+gzip, over ${CORE_LIMIT} B`);
    assert.deepEqual(modules.filter((path) => path.startsWith("adapters/") || path.startsWith("blocking")), []);
  });

  test("what imports nothing heavy stays small: formatStatus alone is under 1 kB", async () => {
    const { gzipped } = await bundle("{ formatStatus }", "@spawn-audit/shim");
    assert.ok(gzipped <= 1024, `formatStatus alone is ${gzipped} B`);
  });

  test("the browser build of diagnostics exports the same names as the server one, so the swap cannot break an import", () => {
    assert.deepEqual(Object.keys(browser).sort(), Object.keys(server).sort());
    assert.equal(browser.theTracingChannel(), undefined);
    assert.equal(browser.TRACING_CHANNEL, server.TRACING_CHANNEL);
  });
});
