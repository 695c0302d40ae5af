/**
 * `--vendor-shim`: the shim's core bundled into one module (shim-bundle.ts),
 * written as `.ts` in a TypeScript project and as an ES module with its
 * declarations otherwise, carrying a first line that makes the scan skip it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";
import { bundleShimSource, compileShimBundle } from "../../src/fix/shim-bundle.ts";
import { vendorEntry, vendorFiles } from "../../src/fix/vendor.ts";
import { discoverFiles } from "../../src/files/discover.ts";
import { VENDOR_MARKER } from "../../src/files/vendored.ts";
import * as shim from "../../shim/mod.ts";
import { repoRoot } from "../support/repo.ts";
import { writeTree } from "../support/tree.ts";

/** A fresh temporary directory holding `files`; removed by the returned function. */
function tree(files: Record<string, string>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "spawn-audit-vendor-"));
  writeTree(dir, files);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("the shim bundled into one module", () => {
  const source = bundleShimSource(join(repoRoot(), "shim", "mod.ts"));

  test("type-checks, and its JavaScript exports exactly the values spawn-audit/shim exports and works", async () => {
    const { js, dts } = compileShimBundle(source, Object.keys(shim));
    assert.match(dts, /export \{[^}]*\bspawnLogged\b/);
    const { dir, remove } = tree({ "package.json": `{ "type": "module" }`, "bundle.js": js });
    try {
      const bundled = (await import(pathToFileURL(join(dir, "bundle.js")).href)) as typeof shim;
      assert.deepEqual(Object.keys(bundled).sort(), Object.keys(shim).sort());
      const lines: string[] = [];
      const supervisor = new bundled.TaskSupervisor({
        logger: { error: (_fields, message) => void lines.push(message ?? ""), warn() {}, info() {} },
      });
      const outcome = await bundled.spawnLogged("vendored", Promise.reject(new Error("boom")), { supervisor }).done;
      assert.equal(outcome.status, "failed");
      assert.deepEqual(lines, ['task "vendored" failed on attempt 1']);
    } finally {
      remove();
    }
  });

  test("imports, module comments and export keywords are gone; one export list remains", () => {
    assert.doesNotMatch(source, /^import /m);
    assert.doesNotMatch(source, /^export (?:async |abstract )?(?:function|class|const|let|interface|type \w)/m);
    assert.equal(source.match(/@module/g)?.length, 1, "only the entry's module comment is kept");
    assert.equal(source.match(/^export (?:type )?\{/gm)?.length, 2);
  });

  test("what concatenation would get wrong is refused, naming the module", () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{
        "mod.ts": `export { a } from "./a.ts";\nexport { b } from "./b.ts";`,
        "a.ts": "export const a = 1;\nfunction helper() {}\nhelper();",
        "b.ts": "export const b = 2;\nfunction helper() {}\nhelper();",
      }, /helper is declared in both a\.ts and b\.ts/],
      [{ "mod.ts": `export { a as b } from "./a.ts";`, "a.ts": "export const a = 1;" }, /mod\.ts: a is renamed/],
      [{ "mod.ts": `export * from "./a.ts";`, "a.ts": "export const a = 1;" }, /mod\.ts: export \* cannot be bundled/],
      [
        { "mod.ts": `export { a } from "./a.ts";`, "a.ts": `import { x } from "left-pad";\nexport const a = x;` },
        /a\.ts imports "left-pad"/,
      ],
      [{
        "mod.ts": `export { a } from "./a.ts";`,
        "a.ts": `import * as b from "./b.ts";\nexport const a = b;`,
        "b.ts": "export const c = 1;",
      }, /a\.ts: only named imports/],
      [
        { "mod.ts": `export { a } from "./a.ts";`, "a.ts": "export const a = 1;\nexport default function main() {}" },
        /a\.ts: a default export cannot be bundled/,
      ],
    ];
    for (const [files, error] of cases) {
      const { dir, remove } = tree(files);
      try {
        assert.throws(() => bundleShimSource(join(dir, "mod.ts")), error);
      } finally {
        remove();
      }
    }
  });
});

describe("vendored files", () => {
  test("an ES module package gets .js and .d.ts, a CommonJS one .cjs and .d.cts; each has the generated-file header and only what is used", async () => {
    const { dir, remove } = tree({
      "esm/package.json": `{ "type": "module" }`,
      "cjs/package.json": "{}",
    });
    try {
      const names = (files: { path: string }[]): string[] => files.map((file) => basename(file.path));
      const esm = vendorFiles(join(dir, "esm", "vendor"), ["logFailure"]);
      assert.deepEqual(names(esm), ["spawn-audit-shim.js", "spawn-audit-shim.d.ts"]);
      assert.equal(vendorEntry(join(dir, "esm", "vendor")), join(dir, "esm", "vendor", "spawn-audit-shim.js"));
      const commonJs = vendorFiles(join(dir, "cjs", "vendor"), ["spawnLogged"]);
      assert.deepEqual(names(commonJs), ["spawn-audit-shim.cjs", "spawn-audit-shim.d.cts"]);
      const [module] = commonJs;
      assert.ok(module!.text.startsWith(`${VENDOR_MARKER} (spawn-audit `));
      for (
        const line of [
          "/* eslint-disable */",
          "// biome-ignore-all lint: generated by spawn-audit fix",
          "// biome-ignore-all format: generated by spawn-audit fix",
          "// biome-ignore-all assist: generated by spawn-audit fix",
          "// deno-lint-ignore-file",
          "// deno-fmt-ignore-file",
        ]
      ) {
        assert.ok(module!.text.split("\n").slice(0, 8).includes(line), line);
      }
      assert.match(module!.text, /^\/\/ @ts-self-types="\.\/spawn-audit-shim\.d\.cts"$/m);
      // Only what logFailure needs: no supervisor, restarts or workers.
      assert.doesNotMatch(esm[0]!.text, /^(class TaskSupervisor|function superviseWorker|function runJobs)\b/m);
      assert.match(esm[0]!.text, /^export \{ logFailure \};$/m);
      for (const file of [...esm, ...commonJs]) {
        writeFileSync(file.path.replace(/^.*\/(esm|cjs)\/vendor/, `${dir}/$1`), file.text);
      }
      const loaded = await import(pathToFileURL(join(dir, "esm", "spawn-audit-shim.js")).href) as typeof shim;
      assert.deepEqual(Object.keys(loaded), ["logFailure"]);
      const required = createRequire(join(dir, "cjs", "x.js"))("./spawn-audit-shim.cjs") as typeof shim;
      assert.deepEqual(Object.keys(required), ["spawnLogged"]);
      assert.equal((await required.spawnLogged("vendored", Promise.resolve(1)).done).status, "completed");
    } finally {
      remove();
    }
  });

  test("Biome's check (lint, format, import order, every rule on) passes the vendored files", () => {
    const { dir, remove } = tree({
      "package.json": `{ "type": "module" }`,
      "biome.json": JSON.stringify({
        linter: { rules: { preset: "all" } },
        assist: { actions: { source: { organizeImports: "on" } } },
      }),
    });
    try {
      const files = vendorFiles(join(dir, "vendor"), ["spawnLogged", "logFailure"]);
      mkdirSync(join(dir, "vendor"));
      for (const file of files) writeFileSync(file.path, file.text);
      const biome = join(repoRoot(), "node_modules", ".bin", "biome");
      const check = spawnSync(biome, ["check", "--reporter=json", ...files.map((file) => file.path)], {
        cwd: dir,
        encoding: "utf8",
      });
      const report = JSON.parse(check.stdout) as {
        summary: { errors: number; warnings: number };
        diagnostics: unknown[];
      };
      assert.deepEqual([report.summary.errors, report.summary.warnings, report.diagnostics], [0, 0, []], check.stdout);
      assert.equal(check.status, 0, check.stderr);
      // Without the header the same check fails: it is what Biome skips.
      const bare = join(dir, "vendor", "bare.js");
      writeFileSync(
        bare,
        files[0]!.text.split("\n").filter((line) => !line.startsWith("// biome-ignore-all")).join("\n"),
      );
      assert.notEqual(spawnSync(biome, ["check", bare], { cwd: dir, encoding: "utf8" }).status, 0);
    } finally {
      remove();
    }
  });

  test("the scan skips a vendored file (reason vendored, not a problem) and still scans its neighbours", () => {
    const { dir, remove } = tree({
      "src/vendor/spawn-audit-shim.ts": `${VENDOR_MARKER} (spawn-audit 0.1.0)\nsetInterval(() => {}, 5);\n`,
      "src/main.ts": "setInterval(() => {}, 5);\n",
    });
    try {
      const found = discoverFiles({
        paths: [dir],
        root: dir,
        ignoreGlobs: [],
        gitignore: false,
        maxFileBytes: 2 * 1024 * 1024,
      });
      assert.deepEqual(found.files, [join(dir, "src", "main.ts")]);
      assert.deepEqual(found.skipped.map(({ file, reason }) => [file, reason]), [[
        join(dir, "src", "vendor", "spawn-audit-shim.ts"),
        "vendored",
      ]]);
      assert.deepEqual(found.problems, []);
    } finally {
      remove();
    }
  });
});
