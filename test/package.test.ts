/**
 * What the published package contains and declares: the built CLI and
 * rules, the shim entries (`spawn-audit/shim`, a re-export of the shim's
 * own package `@spawn-audit/shim`), the JSON schemas, the rule pages
 * (`spawn-audit explain`), the docs the README links to, the README and
 * the licence, but no compiled tests; a manifest npm publishes as it is
 * (not private, with the repository every rule link points at); it is
 * built when packed, never when installed.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import process from "node:process";
import { before, test } from "node:test";
import { ts } from "ts-morph";
import { DOCS_BASE_URL, ISSUES_URL } from "../src/report/rules.ts";
import { repoRoot } from "./support/repo.ts";

interface Manifest {
  private?: boolean;
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  bugs?: { url: string };
  sideEffects?: string[] | boolean;
  dependencies: Record<string, string>;
  exports: Record<string, { types: string; default: string }>;
  bin: Record<string, string>;
  scripts: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as Manifest;

/** The paths `npm pack` would put in the tarball, relative to the package root (built beforehand). */
let paths: string[] = [];
before(() => {
  const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: repoRoot(),
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const [packed] = JSON.parse(run.stdout) as { files: { path: string }[] }[];
  paths = packed!.files.map((file) => file.path);
});

test("npm pack ships the built code, the schemas, the docs, the README and the licence, and no test files", () => {
  assert.deepEqual(paths.filter((path) => /\.test\.|(^|\/)test\//.test(path)), []);
  const required = [
    "dist/src/main.js",
    "dist/src/mod.d.ts",
    "dist/src/shim-entry/mod.js",
    "dist/rules/mod.js",
    "schema/scan-report.v1.json",
    "schema/config.v1.json",
    "rules/timers/README.md",
    "docs/rules.md",
    "docs/ci.md",
    "docs/fix.md",
    "docs/shim.md",
    "README.md",
    "LICENSE",
  ];
  for (const path of required) assert.ok(paths.includes(path), `${path} is missing from the package`);
  assert.match(
    readFileSync(join(repoRoot(), "LICENSE"), "utf8"),
    /^MIT License\n\nCopyright \(c\) \d{4} spawn-audit contributors\n/,
  );
});

test("every relative link in the shipped Markdown points at a file that is shipped too", () => {
  const broken: string[] = [];
  for (const page of paths.filter((path) => path.endsWith(".md"))) {
    const text = readFileSync(join(repoRoot(), page), "utf8");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:|^#/i.test(target!)) continue;
      const file = posix.normalize(posix.join(dirname(page), target!.replace(/#.*$/, "")));
      if (!paths.includes(file)) broken.push(`${page}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

test("npm publish takes the manifest as it is: not private, nothing to auto-correct (a bin path npm rewrites is dropped from the published package)", () => {
  assert.equal(manifest.private, undefined, "a private package cannot be published");
  const run = spawnSync("npm", ["publish", "--dry-run", "--ignore-scripts"], { cwd: repoRoot(), encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /auto-corrected|invalid and removed|private/);
});

test("the manifest names the repository, its home page and issue tracker, where the rule links and SARIF's informationUri point", () => {
  assert.deepEqual(manifest.repository, {
    type: "git",
    url: "git+https://github.com/spawn-audit/spawn-audit.git",
  });
  assert.equal(manifest.homepage, "https://github.com/spawn-audit/spawn-audit#readme");
  assert.deepEqual(manifest.bugs, { url: "https://github.com/spawn-audit/spawn-audit/issues" });
  const web = manifest.repository!.url.replace(/^git\+/, "").replace(/\.git$/, "");
  assert.equal(DOCS_BASE_URL, `${web}/blob/main/`);
  assert.equal(ISSUES_URL, manifest.bugs!.url);
});

test("spawn-audit/shim and its subpaths are @spawn-audit/shim's modules, re-exported: one copy, the same exports", async () => {
  assert.match(manifest.dependencies["@spawn-audit/shim"] ?? "", /^\^0\.1\./);
  const subpaths = Object.keys(manifest.exports).filter((subpath) => subpath.startsWith("./shim"));
  assert.deepEqual(subpaths.sort(), ["./shim", "./shim/blocking", "./shim/logger", "./shim/otel", "./shim/prometheus"]);
  for (const subpath of subpaths) {
    const own = subpath.slice("./shim".length);
    // Imported by name, as a user would: spawn-audit resolves to this package (its own name), the shim through node_modules.
    const reexported = await import(`spawn-audit${subpath.slice(1)}`) as Record<string, unknown>;
    const original = await import(`@spawn-audit/shim${own}`) as Record<string, unknown>;
    assert.deepEqual(Object.keys(reexported).sort(), Object.keys(original).sort(), subpath);
    for (const [name, value] of Object.entries(original)) assert.equal(reexported[name], value, `${subpath}: ${name}`);
  }
});

test("sideEffects lists every shipped module that does something when loaded (a statement that is not a declaration)", () => {
  const modules = paths.filter((path) => /^dist\/.*\.js$/.test(path));
  assert.ok(modules.length > 50, `${modules.length} modules`);
  const acting = modules.filter((path) => {
    const text = readFileSync(join(repoRoot(), path), "utf8");
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS);
    return source.statements.some((statement) =>
      !ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement) &&
      !ts.isFunctionDeclaration(statement) && !ts.isClassDeclaration(statement) &&
      !ts.isVariableStatement(statement) && !ts.isExportAssignment(statement) &&
      !ts.isEmptyStatement(statement)
    );
  });
  assert.deepEqual(acting.map((path) => `./${path}`).sort(), [...(manifest.sideEffects as string[])].sort());
});

test("deno publish --dry-run passes without a warning and ships the sources, schemas, docs and licence, no tests", () => {
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno?.execPath() ??
    join(repoRoot(), "node_modules", ".bin", "deno");
  // --allow-dirty: the check is of what would be published, not of the work tree's state.
  const run = spawnSync(deno, ["publish", "--dry-run", "--allow-dirty"], {
    cwd: repoRoot(),
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr + run.stdout, /^warning/m);
  const files = [
    ...(run.stderr + run.stdout).matchAll(
      /^ +file:\/\/\S*?\/((?:src|rules|shim|schema|docs)\/\S+|README\.md|LICENSE|deno\.json) \(/gm,
    ),
  ].map((match) => match[1]!);
  for (
    const path of [
      "LICENSE",
      "README.md",
      "src/mod.ts",
      "schema/config.v1.json",
      "docs/rules.md",
      "rules/timers/README.md",
    ]
  ) {
    assert.ok(files.includes(path), `${path} is missing from the JSR package`);
  }
  assert.deepEqual(files.filter((path) => /\.test\.|(^|\/)(test|fixtures|bench|examples)\//.test(path)), []);
  assert.doesNotMatch(run.stderr + run.stdout, /file:\/\/\S*\/(test|bench|examples)\//);
});

test("the build leaves the executable executable, so `npx spawn-audit` runs it from a checkout", {
  skip: process.platform === "win32" ? "no execute bit" : false,
}, () => {
  const bin = join(repoRoot(), manifest.bin["spawn-audit"]!);
  assert.notEqual(statSync(bin).mode & 0o111, 0, `${bin} is not executable; npm exec runs it directly`);
});

test("the package builds when packed (prepack), and installing it runs no script", () => {
  assert.match(manifest.scripts["prepack"] ?? "", /\bnpm run build\b/);
  // npm runs these in the consumer's install (prepare too, for a git dependency; npm 11 warns about it).
  for (const hook of ["preinstall", "install", "postinstall", "prepare"]) {
    assert.equal(manifest.scripts[hook], undefined, `scripts.${hook} runs on install`);
  }
  // The test command builds first, so `npm ci && npm test` (the README's, and .ci/run) needs no build step.
  assert.match(manifest.scripts["test"] ?? "", /^npm run build && /);
});
