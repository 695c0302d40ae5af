/** Entry points a package declares (src/files/package-entries.ts): the fields read and the entry key. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { declaredEntries, entryKey, PackageEntries } from "../src/files/package-entries.ts";
import { writeTree } from "./support/tree.ts";

test("an entry key leaves out the extension and the first folder", () => {
  assert.equal(entryKey("./dist/node-cron.cjs"), "node-cron");
  assert.equal(entryKey("src/node-cron.ts"), "node-cron");
  assert.equal(entryKey("./dist/index.d.ts"), "index");
  assert.equal(entryKey("lib/cli/run.js"), "cli/run");
  assert.equal(entryKey("index.js"), "index");
  assert.notEqual(entryKey("src/cli/run.ts"), entryKey("src/run.ts"));
});

test("entries come from main, module, types, browser, exports and bin; other fields and bad JSON declare none", () => {
  const manifest = {
    main: "./dist/a.cjs",
    module: "./dist/b.js",
    types: "./dist/c.d.ts",
    browser: "./dist/d.js",
    exports: { ".": { import: "./dist/e.js", require: ["./dist/f.cjs"] }, "./sub": "./dist/g.js" },
    bin: { tool: "./bin/h.js" },
    scripts: { test: "./scripts/not-an-entry.js" },
    files: ["dist/not-an-entry.js"],
  };
  assert.deepEqual(declaredEntries(JSON.stringify(manifest)).map(entryKey).sort(), [
    "a",
    "b",
    "c",
    "d",
    "e",
    "f",
    "g",
    "h",
  ]);
  assert.deepEqual(declaredEntries(JSON.stringify({ bin: "./cli.js" })), ["./cli.js"]);
  assert.deepEqual(declaredEntries("{ not json"), []);
  assert.deepEqual(declaredEntries("[1]"), []);
});

test("a file is an entry of its nearest manifest only", () => {
  const dir = mkdtempSync(join(tmpdir(), "spawn-audit-entries-"));
  try {
    writeTree(dir, {
      "package.json": JSON.stringify({ main: "./dist/root.js" }),
      "src/root.ts": "",
      "src/other.ts": "",
      "packages/inner/package.json": JSON.stringify({ exports: "./lib/inner.js" }),
      "packages/inner/src/inner.ts": "",
      "packages/inner/src/root.ts": "",
    });
    const entries = new PackageEntries();
    assert.equal(entries.isEntry(join(dir, "src/root.ts")), true);
    assert.equal(entries.isEntry(join(dir, "src/other.ts")), false);
    assert.equal(entries.isEntry(join(dir, "packages/inner/src/inner.ts")), true);
    assert.equal(entries.isEntry(join(dir, "packages/inner/src/root.ts")), false);
    assert.equal(
      entries.manifestOf(join(dir, "packages/inner/src/inner.ts")),
      join(dir, "packages/inner/package.json"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
