/**
 * `--cache`: a re-run with nothing changed reuses every result without
 * building a program; a change to anything a file's result depends on
 * (a type it imports through another file, a caller in a file it does not
 * import, a declaration its lookup by name found, the configuration, the
 * tool version) makes it analysed again, and a change to anything else
 * does not; a corrupt cache, or one of another format, is a warning.
 */
import { afterEach, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanPart } from "../src/cache/scan.ts";
import { CACHE_FILE, ResultCache } from "../src/cache/store.ts";
import { planScan } from "../src/project.ts";
import type { ScanResult } from "../src/scan.ts";
import { runInProcess } from "./support/cli.ts";
import { writeTree } from "./support/tree.ts";

const PROJECT: Record<string, string> = {
  "package.json": JSON.stringify({ name: "app", private: true }),
  "tsconfig.json": JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      allowImportingTsExtensions: true,
      strict: true,
    },
    include: ["src"],
  }),
  // main.ts → api.ts → types.ts: main's finding depends on a type two imports away.
  "src/types.ts": "export type Job = Promise<void>;\n",
  "src/api.ts":
    `import type { Job } from "./types.ts";\nexport function load(): Job {\n  return Promise.resolve() as Job;\n}\n`,
  "src/main.ts": `import { load } from "./api.ts";\nexport function start(): void {\n  load();\n}\n`,
  "src/other.ts": "export function idle(): void {\n  setTimeout(() => {}, 10);\n}\n",
};

let dir = "";
let cacheDir = "";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "spawn-audit-cache-"));
  cacheDir = join(dir, ".cache");
  writeTree(dir, PROJECT);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Scans `path` under `dir` with the cache; returns the result, whether a program was built and the files analysed. */
function run(version?: string, path = "."): { result: ScanResult; built: boolean; analysed: string[] } {
  const phases: string[] = [];
  const analysed: string[] = [];
  const result = scanPart(planScan({ paths: [path], cwd: dir }), {
    cwd: dir,
    cache: new ResultCache(cacheDir),
    onPhase: (phase) => phases.push(phase),
    onFile: (_done, _total, file) => analysed.push(file),
    ...(version === undefined ? {} : { version }),
  });
  return { result, built: phases.includes("loading and type-checking the project"), analysed };
}

/** Appends a comment line to `file` (relative to `dir`): an edit that changes its text and nothing it declares. */
function appendLine(file: string): void {
  writeFileSync(join(dir, file), readFileSync(join(dir, file), "utf8") + "// edited\n");
}

const sitesIn = (result: ScanResult, file: string): string[] =>
  result.sites.filter((site) => site.file === file).map((site) => `${site.kind}:${site.start.line}`);

describe("--cache", () => {
  test("an unchanged re-run gives the same report without building a program", () => {
    const cold = run();
    assert.equal(cold.built, true);
    assert.deepEqual(sitesIn(cold.result, "src/main.ts"), ["floating-promise:3"]);
    const warm = run();
    assert.equal(warm.built, false);
    assert.deepEqual(warm.result, cold.result);
  });

  test("a change to a type imported through another file invalidates the importer", () => {
    run();
    writeFileSync(join(dir, "src/types.ts"), "export type Job = void;\n");
    writeFileSync(join(dir, "src/api.ts"), `import type { Job } from "./types.ts";\nexport function load(): Job {}\n`);
    const after = run();
    assert.equal(after.built, true);
    assert.deepEqual(sitesIn(after.result, "src/main.ts"), []);
    assert.deepEqual(sitesIn(after.result, "src/other.ts"), ["timeout:2"]);
  });

  test("only the type file changing still invalidates the file two imports away", () => {
    writeFileSync(join(dir, "src/types.ts"), "export type Job = Promise<void> | undefined;\n");
    assert.deepEqual(sitesIn(run().result, "src/main.ts"), ["floating-promise:3"]);
    writeFileSync(join(dir, "src/types.ts"), "export type Job = string;\n");
    assert.deepEqual(sitesIn(run().result, "src/main.ts"), []);
  });

  test("a caller in a file not imported changes an untyped parameter's type: the file is analysed again", () => {
    writeTree(dir, {
      "jsconfig.json": JSON.stringify({ compilerOptions: { checkJs: false }, include: ["lib"] }),
      "lib/ready.js": `function onReady(self) {\n  self.select(1);\n}\nmodule.exports = { onReady };\n`,
      "lib/client.js": `const { onReady } = require("./ready");
class Client {
  /** @returns {Promise<string>} */
  select(db) { return Promise.resolve(String(db)); }
  connect() { onReady(this); }
}
module.exports = { Client };
`,
    });
    const scanLib = (): ScanResult =>
      scanPart(planScan({ paths: ["lib"], cwd: dir }), { cwd: dir, cache: new ResultCache(cacheDir) });
    assert.deepEqual(sitesIn(scanLib(), "lib/ready.js"), ["floating-promise:2"]);
    writeFileSync(
      join(dir, "lib/client.js"),
      readFileSync(join(dir, "lib/client.js"), "utf8").replace("Promise<string>", "void").replace(
        "return Promise.resolve(String(db));",
        "",
      ),
    );
    assert.deepEqual(sitesIn(scanLib(), "lib/ready.js"), []);
  });

  test("a property access named like a free function is no caller of it: editing that file analyses it alone", () => {
    writeTree(dir, {
      "jsconfig.json": JSON.stringify({ compilerOptions: { checkJs: false }, include: ["lib"] }),
      "lib/ready.js": `function onReady(self) {\n  self.select(1);\n}\nmodule.exports = { onReady };\n`,
      "lib/client.js": `const { onReady } = require("./ready");\nfunction connect(client) { onReady(client); }\n` +
        `module.exports = { connect };\n`,
      // Reads a property named `onReady`: a call on an untyped receiver resolves by name to a class member only.
      "lib/hooks.js": `function hookOf(handlers) { return handlers.onReady; }\nmodule.exports = { hookOf };\n`,
    });
    run(undefined, "lib");
    appendLine("lib/hooks.js");
    assert.deepEqual(run(undefined, "lib").analysed, ["lib/hooks.js"]);
    appendLine("lib/client.js");
    assert.deepEqual(run(undefined, "lib").analysed.sort(), ["lib/client.js", "lib/ready.js"]);
  });

  test("a class member that is the only function of its name, also bound to a field of that name, is called through any property access of it", () => {
    writeTree(dir, {
      "jsconfig.json": JSON.stringify({ compilerOptions: { checkJs: false }, include: ["lib"] }),
      // `this.select = this.select.bind(this)` declares a field named `select` too; it is no second function.
      "lib/client.js": `class Client {\n  constructor() { this.select = this.select.bind(this); }\n` +
        `  select(db) { setTimeout(() => db.ping(), 10); }\n}\nmodule.exports = { Client };\n`,
      // Does not import lib/client.js: an untyped receiver's call resolves to the class member by its name.
      "lib/use.js": `function pick(connection) { return connection.select(1); }\nmodule.exports = { pick };\n`,
    });
    run(undefined, "lib");
    appendLine("lib/use.js");
    assert.deepEqual(run(undefined, "lib").analysed.sort(), ["lib/client.js", "lib/use.js"]);
  });

  test("an edit analyses again the edited file and its importers only", () => {
    run();
    writeFileSync(join(dir, "src/types.ts"), "export type Job = Promise<string>;\n");
    assert.deepEqual(run().analysed.sort(), ["src/api.ts", "src/main.ts", "src/types.ts"]);
    writeFileSync(join(dir, "src/other.ts"), "export function idle(): void {\n  setTimeout(() => {}, 20);\n}\n");
    assert.deepEqual(run().analysed, ["src/other.ts"]);
  });

  test("a function newly stored under a name another file's kept summaries call: the run reports what a cold scan does", () => {
    writeTree(dir, {
      // box.ts imports nothing: its key and its summaries' stay valid when wire.ts changes.
      "src/box.ts": `export class Box {\n  handler = (): void => {};\n  run(): void {\n    this.handler();\n  }\n}\n`,
      "src/wire.ts": `import { Box } from "./box.ts";\nexport function wire(box: Box): void {\n` +
        `  setTimeout(() => box.run(), 10);\n}\n`,
    });
    run();
    // Now Box's run() calls what wire() stores, which runs box.run() again later: the timer starts itself again.
    writeFileSync(
      join(dir, "src/wire.ts"),
      `import { Box } from "./box.ts";\nexport function wire(box: Box): void {\n` +
        `  box.handler = restart.bind(null, box);\n  box.run();\n}\n` +
        `function restart(box: Box): void {\n  setTimeout(() => box.run(), 10);\n}\n`,
    );
    const warm = run();
    // box.ts's results are still valid; its summaries, which read whether functions are stored under `handler`, are not.
    assert.ok(warm.analysed.includes("src/wire.ts") && !warm.analysed.includes("src/box.ts"));
    const cold = scanPart(planScan({ paths: ["."], cwd: dir }), { cwd: dir });
    const signals = cold.sites.find((site) => site.file === "src/wire.ts")?.signals ?? [];
    assert.match(signals.map((signal) => signal.message).join("\n"), /starts itself again/);
    assert.deepEqual(warm.result, cold);
  });

  test("a method known by its name alone: a new declaration of the name elsewhere invalidates, another edit does not", () => {
    writeTree(dir, {
      "jsconfig.json": JSON.stringify({ compilerOptions: { checkJs: false }, include: ["lib"] }),
      // No import links these files: `this.helper.doExecute()` on an untyped field is a promise by the name alone.
      "lib/use.js": `class User {\n  go() {\n    this.helper.doExecute();\n  }\n}\nmodule.exports = { User };\n`,
      "lib/runner.js": `class Runner {\n  async doExecute() {}\n}\nmodule.exports = { Runner };\n`,
      "lib/other.js": `function other() {\n  return 1;\n}\nmodule.exports = { other };\n`,
    });
    const first = run(undefined, "lib");
    assert.deepEqual(sitesIn(first.result, "lib/use.js"), ["floating-promise:3"]);
    writeFileSync(join(dir, "lib/other.js"), `function other() {\n  return 2;\n}\nmodule.exports = { other };\n`);
    assert.deepEqual(run(undefined, "lib").analysed, ["lib/other.js"]);
    writeFileSync(
      join(dir, "lib/other.js"),
      `class Other {\n  doExecute() {}\n}\nmodule.exports = { Other };\n`,
    );
    const after = run(undefined, "lib");
    assert.deepEqual(after.analysed.sort(), ["lib/other.js", "lib/use.js"]);
    assert.deepEqual(sitesIn(after.result, "lib/use.js"), []);
    writeFileSync(
      join(dir, "lib/runner.js"),
      `class Runner {\n  async doExecute() { await 1; }\n}\nmodule.exports = { Runner };\n`,
    );
    assert.deepEqual(run(undefined, "lib").analysed.sort(), ["lib/runner.js"]);
  });

  test("a new importer of a test-support file analyses it again: imported by code too, it is no longer test", () => {
    writeTree(dir, {
      "src/fake-clock.ts": "export function tick(): void {\n  setInterval(() => {}, 10);\n}\n",
      "src/clock.test.ts": `import { tick } from "./fake-clock.ts";\ntick();\n`,
    });
    const groupOf = (result: ScanResult): string[] =>
      result.sites.filter((site) => site.file === "src/fake-clock.ts").map((site) => site.group);
    assert.deepEqual(groupOf(run().result), ["test"]);
    writeFileSync(join(dir, "src/use-clock.ts"), `import { tick } from "./fake-clock.ts";\ntick();\n`);
    const after = run();
    assert.deepEqual(after.analysed.sort(), ["src/fake-clock.ts", "src/use-clock.ts"]);
    assert.deepEqual(groupOf(after.result), ["durable"]);
  });

  test("a package entry point only tests import is not test-support; declaring it in package.json analyses it again", () => {
    writeTree(dir, {
      "src/index.ts": "export function start(): void {\n  setInterval(() => {}, 10);\n}\n",
      "src/index.test.ts": `import { start } from "./index.ts";\nstart();\n`,
    });
    const groupOf = (result: ScanResult): string[] =>
      result.sites.filter((site) => site.file === "src/index.ts").map((site) => site.group);
    assert.deepEqual(groupOf(run().result), ["test"]);
    // The manifest names the build output; its source is src/index.ts.
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "lib", exports: { ".": "./dist/index.js" } }));
    const after = run();
    assert.ok(after.analysed.includes("src/index.ts"), after.analysed.join(", "));
    assert.deepEqual(groupOf(after.result), ["durable"]);
    assert.equal(run().analysed.length, 0);
  });

  test("a configuration change invalidates every file", () => {
    run();
    writeFileSync(join(dir, "spawn-audit.json"), JSON.stringify({ rules: { "floating-promise": "off" } }));
    const after = run();
    assert.equal(after.built, true);
    assert.deepEqual(sitesIn(after.result, "src/main.ts"), []);
  });

  test("a change to the compiler options invalidates every file", () => {
    run();
    const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as {
      compilerOptions: Record<string, unknown>;
    };
    tsconfig.compilerOptions["paths"] = { "#api": ["./src/api.ts"] };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    assert.equal(run().built, true);
    assert.equal(run().built, false);
  });

  test("without a tsconfig, the @types packages are those above the project's files wherever the scan starts; upgrading one invalidates", () => {
    rmSync(join(dir, "tsconfig.json"));
    const jobs = (returns: string, version: string): Record<string, string> => ({
      "node_modules/@types/jobs/package.json": JSON.stringify({ name: "@types/jobs", version, types: "index.d.ts" }),
      "node_modules/@types/jobs/index.d.ts": `declare function startJob(): ${returns};\n`,
    });
    writeTree(dir, {
      ...jobs("Promise<void>", "1.0.0"),
      "src/jobs.ts": "export function begin(): void {\n  startJob();\n}\n",
    });
    // The scan starts in a folder with @types of its own: the same package, whose function returns nothing.
    writeTree(join(dir, "elsewhere"), jobs("void", "1.0.0"));
    const started = process.cwd();
    try {
      process.chdir(join(dir, "elsewhere"));
      const plan = planScan({ paths: ["."], cwd: dir });
      assert.deepEqual(plan.programs.map((program) => program.compilerOptions.typeRoots), [[
        join(dir, "node_modules", "@types"),
      ]]);
      assert.deepEqual(plan.compilerOptions.typeRoots, [join(dir, "node_modules", "@types")]);
      assert.deepEqual(sitesIn(run().result, "src/jobs.ts"), ["floating-promise:2"]);
      assert.equal(run().built, false);
      writeTree(dir, jobs("void", "1.0.1"));
      const upgraded = run();
      assert.equal(upgraded.built, true);
      assert.deepEqual(sitesIn(upgraded.result, "src/jobs.ts"), []);
    } finally {
      process.chdir(started);
    }
  });

  test("another tool version invalidates every file", () => {
    run("1.0.0");
    assert.equal(run("1.0.0").built, false);
    assert.equal(run("1.0.1").built, true);
  });

  test("a corrupt cache is a warning, the scan is complete, and the cache is rewritten", async () => {
    const cold = await runInProcess(["scan", "--cache", "--cache-location", ".cache", "--format", "json", "."], {
      cwd: dir,
    });
    writeFileSync(join(cacheDir, CACHE_FILE), "{ not json");
    const corrupt = await runInProcess(["scan", "--cache", "--cache-location", ".cache", "--format", "json", "."], {
      cwd: dir,
    });
    assert.equal(corrupt.code, cold.code);
    const report = JSON.parse(corrupt.stdout) as {
      warnings: Array<{ file: string; message: string }>;
      sites: unknown[];
    };
    assert.deepEqual(report.sites, (JSON.parse(cold.stdout) as { sites: unknown[] }).sites);
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0]!.message, /^the cache is corrupt \(.+\); it is rebuilt$/);
    assert.equal(
      typeof (JSON.parse(readFileSync(join(cacheDir, CACHE_FILE), "utf8")) as { files: unknown }).files,
      "object",
    );
    assert.equal(run().built, false);
  });

  test("a cache of another format is a one-line warning and is rebuilt", () => {
    const cold = run();
    writeFileSync(join(cacheDir, CACHE_FILE), JSON.stringify({ format: 0, files: {} }));
    const after = run();
    assert.equal(after.built, true);
    assert.deepEqual(after.result.sites, cold.result.sites);
    assert.deepEqual(after.result.warnings.map((warning) => warning.file), [`.cache/${CACHE_FILE}`]);
    assert.match(
      after.result.warnings[0]!.message,
      /^the cache was written in another format \(0; this version reads \d+\); it is rebuilt$/,
    );
    const rebuilt = run();
    assert.equal(rebuilt.built, false);
    assert.deepEqual(rebuilt.result.warnings, []);
  });

  test("the default location is node_modules/.cache/spawn-audit under the project root", async () => {
    const scanned = await runInProcess(["scan", "--cache", "src"], { cwd: dir });
    assert.equal(scanned.code, 0, scanned.stderr);
    JSON.parse(readFileSync(join(dir, "node_modules/.cache/spawn-audit", CACHE_FILE), "utf8"));
  });
});
