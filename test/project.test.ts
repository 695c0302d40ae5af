/**
 * Project loading on a repository as users have them: a generated monorepo
 * whose root tsconfig extends a package that is not installed, with a
 * solution-style root, nested package configs (one a jsconfig), a script
 * and tests outside every config, a gitignored build folder, nested
 * .gitignore rules, .git/info/exclude, a config ignore glob and a symbolic
 * link that loops back up.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { loadProject, planScan } from "../src/project.ts";
import { scanProject } from "../src/scan.ts";
import { DEFAULT_CONFIG } from "../src/config.ts";
import { runInProcess } from "./support/cli.ts";

/** Every source file of the generated repository, by path relative to its root. */
const FILES: Record<string, string> = {
  "tsconfig.json": JSON.stringify({
    extends: "@tsconfig/node22/tsconfig.json",
    files: [],
    references: [{ path: "packages/core" }, { path: "packages/gone" }],
  }),
  "package.json": JSON.stringify({ name: "mono", private: true, workspaces: ["packages/*", "apps/*"] }),
  ".gitignore": "build/\n*.gen.ts\n",
  ".git/info/exclude": "*.local.ts\n",
  "spawn-audit.json": JSON.stringify({ ignore: ["generated/**"] }),
  // The alias resolves only with this package's own config: the finding below needs its types.
  "packages/core/tsconfig.json": JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "ESNext",
      moduleResolution: "Bundler",
      strict: true,
      paths: { "#lib/*": ["./src/lib/*"] },
    },
    include: ["src"],
  }),
  "packages/core/src/main.ts": `import { pollForever } from "#lib/poll";\npollForever();\n`,
  "packages/core/src/lib/poll.ts": `declare function fetchJobs(): Promise<string[]>;
export async function pollForever(): Promise<void> {
  for (;;) {
    await fetchJobs();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
`,
  "packages/core/src/globals.d.ts": "declare const BUILD_ID: string;\n",
  "packages/core/src/.gitignore": "!keep.gen.ts\n",
  "packages/core/src/keep.gen.ts": "export const kept = 1;\n",
  "packages/core/src/drop.gen.ts": "export const dropped = 1;\n",
  "packages/core/src/broken.ts": "export const = ;\n",
  "packages/core/test/main.test.ts":
    `test("x", async () => { await Promise.resolve(); });\ndeclare function test(name: string, body: () => Promise<void>): void;\n`,
  "packages/core/node_modules/dep/index.js": "module.exports = 1;\n",
  "apps/web/jsconfig.json": JSON.stringify({ compilerOptions: { checkJs: false }, include: ["src"] }),
  "apps/web/src/app.js": `export function start(load) {\n  load().then(() => {});\n}\n`,
  "scripts/seed.ts": `async function seed(): Promise<void> {}\nseed();\n`,
  "build/out.js": "setInterval(() => {}, 10);\n",
  "generated/api.ts": "export const api = 1;\n",
  "notes.local.ts": "export const note = 1;\n",
};

let root = "";

before(() => {
  root = mkdtempSync(join(tmpdir(), "spawn-audit-monorepo-"));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  // A link back up: walked once, not forever.
  symlinkSync("..", join(root, "packages/core/src/up"));
});

after(() => rmSync(root, { recursive: true, force: true }));

interface Report {
  filesScanned: number;
  sites: { file: string; status: string; group: string }[];
  problems: { file: string }[];
  skipped: { file: string; reason: string; detail: string }[];
  warnings: { file: string; message: string }[];
}

async function scan(...extra: string[]): Promise<{ code: number; stderr: string; report: Report }> {
  const run = await runInProcess(["scan", ".", "--format", "json", "--max-problems", "1", ...extra], { cwd: root });
  return { code: run.code, stderr: run.stderr, report: JSON.parse(run.stdout || "{}") as Report };
}

describe("a monorepo scanned as it is", () => {
  test("every source file is scanned or listed as skipped with its reason; exit 1 for the finding, not 2", async () => {
    const { code, stderr, report } = await scan();
    assert.equal(stderr, "");
    assert.equal(code, 1);
    assert.deepEqual(report.skipped.map(({ file, reason }) => [file, reason]).sort(), [
      ["build/", "gitignored"],
      ["generated/api.ts", "ignore-pattern"],
      ["notes.local.ts", "gitignored"],
      ["packages/core/node_modules/", "node_modules"],
      ["packages/core/src/broken.ts", "unparsable"],
      ["packages/core/src/drop.gen.ts", "gitignored"],
      ["packages/core/src/globals.d.ts", "declaration"],
    ]);
    const details = Object.fromEntries(report.skipped.map(({ file, detail }) => [file, detail]));
    assert.equal(details["build/"], ".gitignore: build/");
    assert.equal(details["notes.local.ts"], ".git/info/exclude: *.local.ts");
    assert.equal(details["generated/api.ts"], 'config ignore "generated/**"');
    // Scanned: main.ts, lib/poll.ts, keep.gen.ts (re-included by the nested .gitignore), the test, app.js, seed.ts.
    assert.equal(report.filesScanned, 6);
    assert.deepEqual(report.problems.map((problem) => problem.file), ["packages/core/src/broken.ts"]);
    const durable = report.sites.filter((site) => site.status === "unsupervised" && site.group === "durable");
    assert.deepEqual(durable.map((site) => site.file), ["packages/core/src/main.ts"]);
    assert.ok(report.sites.some((site) => site.file === "scripts/seed.ts"), "a script outside every config is scanned");
    assert.ok(report.sites.some((site) => site.file === "apps/web/src/app.js"), "a jsconfig package is scanned");
  });

  test("the broken root config and the missing reference are warnings naming the root tsconfig", async () => {
    const { report } = await scan();
    assert.deepEqual(
      report.warnings.map((warning) => warning.file),
      ["tsconfig.json", "tsconfig.json"],
      JSON.stringify(report.warnings),
    );
    assert.match(
      report.warnings[0]!.message,
      /@tsconfig\/node22\/tsconfig\.json.*not found.*the rest of the config is used/,
    );
    assert.match(report.warnings[1]!.message, /referenced project packages\/gone not found/);
  });

  test("each file gets the nearest config that includes it, through the solution-style root's references; the rest share the defaults", () => {
    const plan = planScan({ paths: ["."], cwd: root });
    const owner = new Map(
      plan.programs.flatMap((program) =>
        program.files.map((file) => [file.slice(root.length + 1), program.tsconfig?.slice(root.length + 1) ?? null])
      ),
    );
    assert.equal(owner.get("packages/core/src/main.ts"), "packages/core/tsconfig.json");
    assert.equal(owner.get("apps/web/src/app.js"), "apps/web/jsconfig.json");
    assert.equal(owner.get("packages/core/test/main.test.ts"), null);
    assert.equal(owner.get("scripts/seed.ts"), null);
    assert.equal(plan.programs.length, 3);
    const core = plan.programs.find((program) => program.tsconfig?.endsWith(join("core", "tsconfig.json")));
    assert.ok(
      core!.rootNames.some((file) => file.endsWith("globals.d.ts")),
      "the package's declaration files stay in its program",
    );
  });

  test("--no-ignore applies no ignore rule, as ESLint's: gitignored files, the config's ignore and --ignore-pattern are scanned; node_modules still is not", async () => {
    const { report } = await scan("--no-ignore", "--ignore-pattern", "scripts/**");
    assert.deepEqual(report.skipped.map(({ file, reason }) => [file, reason]).sort(), [
      ["packages/core/node_modules/", "node_modules"],
      ["packages/core/src/broken.ts", "unparsable"],
      ["packages/core/src/globals.d.ts", "declaration"],
    ]);
    // The 6 of the plain scan, the 3 gitignored files and generated/api.ts.
    assert.equal(report.filesScanned, 10);
    for (const file of ["build/out.js", "scripts/seed.ts"]) {
      assert.ok(report.sites.some((site) => site.file === file), file);
    }
  });

  test("--ignore-pattern adds globs, repeatable, matched from the project root", async () => {
    const { report } = await scan("--ignore-pattern", "scripts/**", "--ignore-pattern", "apps/*/src/*.js");
    const ignored = report.skipped.filter((entry) => entry.reason === "ignore-pattern").map((
      { file, detail },
    ) => [file, detail]).sort();
    assert.deepEqual(ignored, [
      ["apps/web/src/app.js", '--ignore-pattern "apps/*/src/*.js"'],
      ["generated/api.ts", 'config ignore "generated/**"'],
      ["scripts/seed.ts", '--ignore-pattern "scripts/**"'],
    ]);
    assert.equal(report.filesScanned, 4);
  });

  test("a gitignored directory named on the command line is scanned", async () => {
    const run = await runInProcess(["scan", "build", "--format", "json", "--fail-on", "none"], { cwd: root });
    assert.equal(run.code, 0);
    assert.equal(JSON.parse(run.stdout).filesScanned, 1);
  });

  test("fix rewrites a package's file, resolved and checked under the package's own config", async () => {
    const run = await runInProcess(["fix", ".", "--vendor-shim", "packages/core/src/shim"], { cwd: root });
    assert.equal(run.stderr, "");
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^\+spawnSupervised\("src\.pollForever", \(\) => pollForever\(\)\);$/m);
    assert.match(run.stdout, /^Would rewrite 2 sites in 2 files/m);
  });

  test("the text report sums up what was not scanned and shows the warnings", async () => {
    const run = await runInProcess(["scan", ".", "--max-problems", "1", "--no-color"], { cwd: root });
    assert.match(
      run.stdout,
      /^not scanned: 3 gitignored, 1 ignore-pattern, 1 node_modules, 1 declaration, 1 unparsable \(--format json lists each\)$/m,
    );
    assert.match(run.stdout, /^warning: tsconfig\.json: .*@tsconfig\/node22/m);
  });
});

describe("declaration files of dependencies, across scans in one process", () => {
  let root = "";
  const declaration = (type: string): string => `export declare function run(): ${type};\n`;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "spawn-audit-dependencies-"));
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "app", type: "module" }));
    mkdirSync(join(root, "node_modules", "dep"), { recursive: true });
    writeFileSync(
      join(root, "node_modules", "dep", "package.json"),
      JSON.stringify({ name: "dep", types: "index.d.ts" }),
    );
    writeFileSync(join(root, "node_modules", "dep", "index.d.ts"), declaration("Promise<void>"));
    writeFileSync(join(root, "main.ts"), `import { run } from "dep";\nrun();\n`);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function scan(): { dependency: unknown; kinds: string[] } {
    const project = loadProject({ paths: [root], cwd: root });
    const file = join(root, "node_modules", "dep", "index.d.ts");
    return {
      dependency: project.programs[0]!.program.getSourceFile(file),
      kinds: scanProject(project, DEFAULT_CONFIG, root).sites.map((site) => site.kind),
    };
  }

  test("are parsed once while unchanged, and again when changed on disk (same size, new modification time)", () => {
    const first = scan();
    assert.deepEqual(first.kinds, ["floating-promise"]);
    assert.notEqual(first.dependency, undefined);
    const second = scan();
    assert.equal(second.dependency, first.dependency, "the unchanged file is reused");
    const path = join(root, "node_modules", "dep", "index.d.ts");
    writeFileSync(path, declaration("Iterable<any>"));
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    const changed = scan();
    assert.notEqual(changed.dependency, first.dependency, "the changed file is parsed again");
    assert.deepEqual(changed.kinds, []);
  });
});
