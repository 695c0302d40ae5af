/**
 * The shim as a package of its own (`shim/`, `@spawn-audit/shim`): what
 * `npm pack` ships (no dependencies, no tests, no sources but declarations;
 * its README and licence), a manifest npm publishes as it is,
 * that every entry module is exported to npm and JSR alike, that the
 * CommonJS build loads on a Node without `require(esm)`, that its
 * declarations (and the vendored bundle's) type-check under the settings
 * projects use, and that `deno publish --dry-run` finds nothing to complain
 * about.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ts } from "../../src/analysis/ts.ts";
import { denoSpecifier, shimSpecifier } from "../../src/fix/imports.ts";
import { bundleShimSource, compileShimBundle } from "../../src/fix/shim-bundle.ts";
import { programWithTexts } from "../../src/project.ts";
import * as shim from "../../shim/mod.ts";
import { repoRoot } from "../support/repo.ts";
import { writeTree } from "../support/tree.ts";

const shimDir = join(repoRoot(), "shim");

interface Manifest {
  name: string;
  private?: boolean;
  repository?: { type: string; url: string; directory?: string };
  homepage?: string;
  bugs?: { url: string };
  type?: string;
  sideEffects?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  exports: Record<string, unknown>;
  files?: string[];
}

function manifest(): Manifest {
  return JSON.parse(readFileSync(join(shimDir, "package.json"), "utf8")) as Manifest;
}

/** The modules users import: the core entry, and each entry point beside it (`blocking.ts`, `adapters/*.ts`). */
function entryModules(): string[] {
  const adapters = existsSync(join(shimDir, "adapters"))
    ? readdirSync(join(shimDir, "adapters")).filter((name) => /^[^.]+\.ts$/.test(name)).map((name) =>
      `adapters/${name}`
    )
    : [];
  return ["mod.ts", ...(existsSync(join(shimDir, "blocking.ts")) ? ["blocking.ts"] : []), ...adapters];
}

/** The export subpath an entry module is published under: `.` for mod.ts, else its name without `adapters/` and `.ts`. */
function subpathOf(entry: string): string {
  return entry === "mod.ts" ? "." : `./${entry.replace(/^adapters\//, "").replace(/\.ts$/, "")}`;
}

test("npm pack of the shim ships built ES modules, a CommonJS build, declarations and the licence: no dependencies, no tests, no sources", () => {
  const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: shimDir, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const [packed] = JSON.parse(run.stdout) as { name: string; files: { path: string }[] }[];
  const paths = packed!.files.map((file) => file.path);
  assert.equal(packed!.name, "@spawn-audit/shim");
  assert.deepEqual(paths.filter((path) => /\.test\.|(^|\/)test\/|fixture/.test(path)), []);
  assert.deepEqual(
    paths.filter((path) => path.endsWith(".ts") && !path.endsWith(".d.ts")),
    [],
    "TypeScript sources are for JSR, not npm",
  );
  for (
    const required of [
      "package.json",
      "README.md",
      "LICENSE",
      "dist/esm/mod.js",
      "dist/esm/mod.d.ts",
      "dist/cjs/mod.js",
      "dist/cjs/mod.d.ts",
      "dist/cjs/package.json",
    ]
  ) {
    assert.ok(paths.includes(required), `${required} is missing from the shim package`);
  }
  const { dependencies, peerDependencies = {}, peerDependenciesMeta = {} } = manifest();
  assert.equal(dependencies, undefined, "the shim has zero dependencies");
  for (const peer of Object.keys(peerDependencies)) {
    assert.equal(peerDependenciesMeta[peer]?.optional, true, `peer dependency ${peer} must be optional`);
  }
});

test("npm publish takes the shim's manifest as it is: not private, nothing to auto-correct; it names the repository's shim folder", () => {
  const shim = manifest();
  assert.equal(shim.private, undefined);
  assert.deepEqual(shim.repository, {
    type: "git",
    url: "git+https://github.com/spawn-audit/spawn-audit.git",
    directory: "shim",
  });
  assert.equal(shim.homepage, "https://github.com/spawn-audit/spawn-audit/blob/main/docs/shim.md");
  assert.deepEqual(shim.bugs, { url: "https://github.com/spawn-audit/spawn-audit/issues" });
  const run = spawnSync("npm", ["publish", "--dry-run", "--ignore-scripts"], { cwd: shimDir, encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /auto-corrected|invalid and removed|private/);
  assert.match(run.stderr, /@spawn-audit\/shim@\d+\.\d+\.\d+/);
});

test("the shim's README links only to absolute addresses (the docs are not in its tarball)", () => {
  const text = readFileSync(join(shimDir, "README.md"), "utf8");
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!);
  assert.ok(links.length > 0);
  assert.deepEqual(links.filter((link) => !link.startsWith("https://github.com/spawn-audit/spawn-audit")), []);
});

test("the shim's manifest: ES module, free of side effects, the same licence as the repository", () => {
  const shim = manifest();
  assert.equal(shim.type, "module");
  assert.equal(shim.sideEffects, false);
  assert.equal(readFileSync(join(shimDir, "LICENSE"), "utf8"), readFileSync(join(repoRoot(), "LICENSE"), "utf8"));
  const root = JSON.parse(readFileSync(join(repoRoot(), "package.json"), "utf8")) as { workspaces?: string[] };
  assert.ok(root.workspaces?.includes("shim"), "the shim is a workspace package of the repository");
});

test("every entry module is exported to npm (types first) and to JSR, and nothing else is", () => {
  const entries = entryModules();
  const { exports } = manifest();
  assert.deepEqual(
    Object.keys(exports).filter((key) => key !== "./package.json").sort(),
    entries.map(subpathOf).sort(),
  );
  for (const entry of entries) {
    const conditions = exports[subpathOf(entry)] as Record<string, unknown>;
    const esm = (conditions["import"] ?? conditions) as Record<string, string>;
    const built = entry.replace(/\.ts$/, "");
    assert.deepEqual(
      esm,
      { types: `./dist/esm/${built}.d.ts`, default: `./dist/esm/${built}.js` },
      `exports of ${entry}`,
    );
    assert.equal(Object.keys(conditions)[0], conditions["import"] === undefined ? "types" : "import");
  }
  const jsr = JSON.parse(readFileSync(join(shimDir, "jsr.json"), "utf8")) as {
    name: string;
    exports: Record<string, string>;
  };
  assert.equal(jsr.name, manifest().name);
  assert.deepEqual(jsr.exports, Object.fromEntries(entries.map((entry) => [subpathOf(entry), `./${entry}`])));
});

test("the built package resolves by name: import gets the ES modules, require the CommonJS build, even on a Node without require(esm)", () => {
  const check = [
    `const shim = require("@spawn-audit/shim");`,
    `const lines = [];`,
    `const supervisor = new shim.TaskSupervisor({ logger: { error: (_fields, message) => lines.push(message), warn() {}, info() {} } });`,
    `shim.spawnLogged("cjs-task", Promise.reject(new Error("boom")), { supervisor }).done.then((outcome) => {`,
    `  process.stdout.write(JSON.stringify({ file: require.resolve("@spawn-audit/shim"), status: outcome.status, lines }));`,
    `});`,
  ].join("\n");
  // --no-experimental-require-module makes this Node behave as one before 20.19: require() of an ES module throws.
  const cjs = spawnSync("node", ["--no-experimental-require-module", "-e", check], {
    cwd: repoRoot(),
    encoding: "utf8",
  });
  assert.equal(cjs.status, 0, cjs.stderr);
  const result = JSON.parse(cjs.stdout) as { file: string; status: string; lines: string[] };
  assert.match(result.file, /shim[\\/]dist[\\/]cjs[\\/]mod\.js$/);
  assert.equal(result.status, "failed");
  assert.deepEqual(result.lines, [`task "cjs-task" failed on attempt 1`]);
  const esm = spawnSync("node", [
    "--input-type=module",
    "-e",
    `import { spawnLogged } from "@spawn-audit/shim"; console.log(typeof spawnLogged, import.meta.resolve("@spawn-audit/shim"));`,
  ], {
    cwd: repoRoot(),
    encoding: "utf8",
  });
  assert.equal(esm.status, 0, esm.stderr);
  assert.match(esm.stdout, /^function file:.*\/shim\/dist\/esm\/mod\.js$/m);
});

test("the published declarations and the vendored bundle's type-check with library checks on, from target es5 to esnext, lib es2020 to esnext, under the strictest flags", () => {
  const { exports } = manifest();
  // Each export's `types`, at the top of its conditions or under `import` / `require`.
  const declarations = Object.values(exports).flatMap((conditions) => {
    if (typeof conditions !== "object" || conditions === null) return [];
    return [conditions, ...Object.values(conditions)].flatMap((condition) => {
      const types = (condition as { types?: unknown }).types;
      return typeof types === "string" ? [join(shimDir, types)] : [];
    });
  });
  assert.ok(declarations.some((file) => file.endsWith(join("dist", "cjs", "mod.d.ts"))), "the CommonJS build's too");
  const vendored = join(shimDir, "dist", "vendored", "spawn-audit-shim.d.ts");
  const consumer = join(shimDir, "dist", "vendored", "consumer.ts");
  const strictest: ts.CompilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    isolatedDeclarations: true,
    declaration: true,
    skipLibCheck: false,
    noEmit: true,
  };
  const settings: [string, ts.CompilerOptions, string][] = [
    ["target es5, lib es2020 + dom, CommonJS", {
      target: ts.ScriptTarget.ES5,
      // TypeScript 6 deprecates es5; projects pinned to it (generic-pool 3.9.0) still compile under it.
      ignoreDeprecations: "6.0",
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.es2020.d.ts", "lib.dom.d.ts"],
      types: [],
    }, ""],
    ["target es2015, lib es2022, @types/node, NodeNext", {
      target: ts.ScriptTarget.ES2015,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ["lib.es2022.d.ts"],
      types: ["node"],
    }, ""],
    // With Symbol.asyncDispose declared, `await using` a supervisor still type-checks.
    ["target esnext, lib esnext + dom", {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.esnext.d.ts", "lib.dom.d.ts"],
      types: [],
    }, `import { TaskSupervisor } from "../esm/mod.js";\nawait using supervisor = new TaskSupervisor();\nexport {};\n`],
  ];
  const { dts } = compileShimBundle(bundleShimSource(join(shimDir, "mod.ts")), Object.keys(shim));
  for (const [name, options, usage] of settings) {
    const texts = new Map([[vendored, dts], ...(usage === "" ? [] : [[consumer, usage] as const])]);
    const program = programWithTexts(
      { compilerOptions: { ...strictest, ...options }, rootNames: declarations, inMemory: new Map() },
      texts,
    );
    const errors = [...declarations, ...texts.keys()].flatMap((file) => {
      const sourceFile = program.getSourceFile(file)!;
      return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
    }).map((diagnostic) =>
      `${diagnostic.file!.fileName.replace(/^.*\/shim\//, "")}: TS${diagnostic.code} ${
        ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")
      }`
    );
    assert.deepEqual([...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()], [], name);
    assert.deepEqual(errors, [], name);
  }
});

test("deno publish --dry-run of the shim passes without a warning (no slow types, no unanalysable import)", () => {
  const deno = join(repoRoot(), "node_modules", ".bin", "deno");
  const run = spawnSync(deno, ["publish", "--dry-run", "--allow-dirty"], {
    cwd: shimDir,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  assert.equal(run.status, 0, run.stderr);
  // The blocking worker imports the module a job names, a URL known only at run time: that one warning is by design.
  const warnings = [...run.stderr.matchAll(/^warning\[([\w-]+)\].*\n\s*--> (.*):\d+:\d+$/gm)].map(([, rule, file]) =>
    `${rule} ${file!.replace(/^.*[\\/]shim[\\/]/, "")}`
  );
  assert.deepEqual(warnings.filter((warning) => warning !== "unanalyzable-dynamic-import blocking-worker.ts"), []);
  assert.doesNotMatch(run.stderr, /^error/im);
  assert.match(run.stderr, /Dry run complete/);
  assert.doesNotMatch(run.stderr, /\.test\.ts|dist\//, "tests and build output are not published");
});

test("the codemod imports the standalone package, which the project must depend on, and a Deno import map's key for it", () => {
  const root = mkdtempSync(join(tmpdir(), "spawn-audit-standalone-"));
  writeTree(root, {
    "standalone/package.json": JSON.stringify({ name: "service", dependencies: { "@spawn-audit/shim": "^0.1.0" } }),
    "standalone/src/main.ts": "",
    "tool/package.json": JSON.stringify({ name: "service", devDependencies: { "spawn-audit": "^0.1.0" } }),
    "tool/src/main.ts": "",
  });
  assert.equal(shimSpecifier(join(root, "standalone", "src", "main.ts"), { kind: "package" }), "@spawn-audit/shim");
  assert.equal(shimSpecifier(join(root, "tool", "src", "main.ts"), { kind: "package" }), "@spawn-audit/shim");
  assert.equal(
    denoSpecifier(`{ "imports": { "@spawn-audit/shim": "jsr:@spawn-audit/shim@^0.1.0" } }`),
    "@spawn-audit/shim",
  );
  assert.equal(denoSpecifier(`{ "imports": { "supervisor": "npm:@spawn-audit/shim@0.1.0" } }`), "supervisor");
  rmSync(root, { recursive: true, force: true });
});
