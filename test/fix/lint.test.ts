/**
 * fix runs the project's own linter on each edited file before writing it:
 * ESLint's fixer, then its check. The fixture project lints with ESLint
 * (this repository's devDependency, linked into the project's
 * node_modules/.bin as an install would) and two rules of its own in the
 * manner of eslint-plugin-import: `import/order` (relative imports after
 * packages; fixable) and `import/newline-after-import` (fixable); a
 * project may also forbid an import outright (`no-restricted-imports`,
 * which nothing fixes). `deno lint` is checked the same way on a Deno
 * project, and Biome (this repository's devDependency) on a project with a
 * biome.json: its import sorting (fixable) and `noRestrictedImports` (not).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { delimiter, join } from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { repoRoot } from "../support/repo.ts";
import { runInProcess } from "../support/cli.ts";
import { fixProject, makeProject, testTsconfig } from "./support.ts";

/** The fixture's local plugin: two import rules with fixers, as eslint-plugin-import's `order` and `newline-after-import` behave on these files. */
const ESLINT_CONFIG = `
const imports = (program) => program.body.filter((node) => node.type === "ImportDeclaration");
const isRelative = (node) => node.source.value.startsWith(".");
const order = {
  meta: { type: "suggestion", fixable: "code" },
  create: (context) => ({
    Program(program) {
      const all = imports(program);
      const wanted = [...all.filter((node) => !isRelative(node)), ...all.filter(isRelative)];
      const at = all.findIndex((node, index) => node !== wanted[index]);
      if (at === -1) return;
      const source = context.sourceCode;
      context.report({
        node: all[at],
        message: "package imports go before relative imports",
        fix: (fixer) => all.map((node, index) => fixer.replaceText(node, source.getText(wanted[index]))),
      });
    },
  }),
};
const newlineAfterImport = {
  meta: { type: "layout", fixable: "whitespace" },
  create: (context) => ({
    Program(program) {
      const last = imports(program).at(-1);
      const next = last === undefined ? undefined : program.body[program.body.indexOf(last) + 1];
      if (next === undefined || next.loc.start.line > last.loc.end.line + 1) return;
      context.report({ node: last, message: "a blank line after the imports", fix: (fixer) => fixer.insertTextAfter(last, "\\n") });
    },
  }),
};
export default [
  {
    files: ["**/*.js"],
    plugins: { import: { rules: { order, "newline-after-import": newlineAfterImport } } },
    rules: {
      "import/order": "error",
      "import/newline-after-import": "error",
      "no-console": "error",
      "no-restricted-imports": ["error", RESTRICTED],
    },
  },
];
`;

const PACKAGE = JSON.stringify({
  type: "module",
  private: true,
  dependencies: { "@spawn-audit/shim": "*" },
  devDependencies: { eslint: "10.15.0" },
});

/** The edited module: a relative import, then a blank line, then an interval (fix imports the shim after `./tick.js`). */
const EDITED = `import { tick } from "./tick.js";\n\nsetInterval(() => tick(), 5);\n`;
const TICK = `export function tick() {\n  if (Math.random() > 2) throw new Error("tick");\n}\n`;

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A project linted by ESLint with the fixture's rules, forbidding the imports `restricted` names. */
function withEslint(files: Record<string, string>, restricted: string[] = ["lodash"]): string {
  const dir = makeProject({
    "tsconfig.json": testTsconfig({ allowJs: true }),
    "package.json": PACKAGE,
    "eslint.config.mjs": ESLINT_CONFIG.replace("RESTRICTED", JSON.stringify({ paths: restricted })),
    "src/tick.js": TICK,
    ...files,
  });
  made.push(dir);
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(
    join(repoRoot(), "node_modules", "eslint", "bin", "eslint.js"),
    join(dir, "node_modules", ".bin", "eslint"),
  );
  return dir;
}

/** A project linted by Biome: sorted imports, and the imports `restricted` names forbidden; its formatter is off (formatting is --format's). */
function withBiome(files: Record<string, string>, restricted: string[] = ["lodash"]): string {
  const dir = makeProject({
    "tsconfig.json": testTsconfig({ allowJs: true }),
    "package.json": JSON.stringify({
      type: "module",
      private: true,
      dependencies: { "@spawn-audit/shim": "*" },
      devDependencies: { "@biomejs/biome": "2.6.8" },
    }),
    "biome.json": JSON.stringify({
      formatter: { enabled: false },
      linter: {
        rules: {
          style: {
            noRestrictedImports: {
              level: "error",
              options: { paths: Object.fromEntries(restricted.map((name) => [name, `${name} is not allowed here`])) },
            },
          },
        },
      },
      assist: { actions: { source: { organizeImports: "on" } } },
    }),
    "src/tick.js": TICK,
    ...files,
  });
  made.push(dir);
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(
    join(repoRoot(), "node_modules", "@biomejs", "biome", "bin", "biome"),
    join(dir, "node_modules", ".bin", "biome"),
  );
  return dir;
}

/** Biome's own check of files of `dir`, as the project's CI would run it. */
function runBiome(dir: string, ...files: string[]): ReturnType<typeof spawnSync> {
  return spawnSync(join(dir, "node_modules", ".bin", "biome"), ["check", ...files], { cwd: dir, encoding: "utf8" });
}

describe("fix runs the project's linter before writing", () => {
  test("ESLint's fixer puts the shim import where the project's import rules want it", () => {
    const dir = withEslint({ "src/edited.js": EDITED });
    const result = fixProject(dir);
    assert.deepEqual(result.lint, { linters: ["ESLint"], files: 1, fixed: 1 });
    assert.equal(result.changes[0]!.refused, null);
    assert.equal(
      readFileSync(join(dir, "src/edited.js"), "utf8"),
      `import { logFailure } from "@spawn-audit/shim";\nimport { tick } from "./tick.js";\n\n` +
        `setInterval(() => { try { tick(); } catch (error) { logFailure("edited.tick", error); } }, 5);\n`,
    );
  });

  test("the dry run shows the text the linter left, and writes nothing", async () => {
    const dir = withEslint({ "src/edited.js": EDITED });
    const run = await runInProcess(["fix", "."], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^\+import \{ logFailure \} from "@spawn-audit\/shim";\n import \{ tick \} from "\.\/tick\.js";$/m,
    );
    assert.match(run.stdout, /^Linted 1 edited file with ESLint \(its fixer changed 1\)\.$/m);
    assert.equal(readFileSync(join(dir, "src/edited.js"), "utf8"), EDITED);
  });

  test("a rule nothing fixes refuses the file, naming the rule and place; nothing of it is written", async () => {
    const dir = withEslint({ "src/edited.js": EDITED }, ["@spawn-audit/shim"]);
    const result = fixProject(dir);
    assert.match(
      result.changes[0]!.refused ?? "",
      /^would break the project's lint \(ESLint\): no-restricted-imports at 1:1;/,
    );
    assert.equal(readFileSync(join(dir, "src/edited.js"), "utf8"), EDITED);
    const run = await runInProcess(["fix", ".", "--write"], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stdout, /src\/edited\.js {2}would break the project's lint \(ESLint\): no-restricted-imports/);
  });

  test("a rule the original already broke as often is not fix's doing; --no-lint runs no linter", async () => {
    const code = `import { tick } from "./tick.js";\n\nconsole.log("start");\nsetInterval(() => tick(), 5);\n`;
    const dir = withEslint({ "src/edited.js": code, "src/other.js": EDITED }, ["@spawn-audit/shim"]);
    const result = fixProject(dir, { files: ["src/edited.js"], allowDirty: true, lint: true });
    // The restricted import is new; the console call is not: only the former is named.
    assert.match(result.changes[0]!.refused ?? "", /no-restricted-imports at 1:1;/);
    assert.doesNotMatch(result.changes[0]!.refused ?? "", /no-console/);
    const unlinted = await runInProcess(["fix", ".", "--write", "--no-lint"], { cwd: dir });
    assert.equal(unlinted.code, 0, unlinted.stdout + unlinted.stderr);
    assert.doesNotMatch(unlinted.stdout, /Linted/);
    assert.match(
      readFileSync(join(dir, "src/other.js"), "utf8"),
      /^import \{ tick \} from "\.\/tick\.js";\nimport \{ logFailure \}/,
    );
  });

  test("a project whose lint passes before passes after: the linter run on the written file finds nothing", () => {
    const dir = withEslint({ "src/edited.js": EDITED });
    fixProject(dir);
    const check = runEslint(dir, "src/edited.js");
    assert.equal(check.status, 0, check.stdout);
  });

  test("Biome's fixer sorts the shim import as the project's biome.json wants, and its check passes after", () => {
    const dir = withBiome({ "src/edited.js": EDITED });
    assert.equal(runBiome(dir, "src/edited.js").status, 0, "the original passes Biome's check");
    const result = fixProject(dir);
    assert.deepEqual(result.lint, { linters: ["Biome"], files: 1, fixed: 1 });
    assert.equal(result.changes[0]!.refused, null);
    assert.match(
      readFileSync(join(dir, "src/edited.js"), "utf8"),
      /^import \{ logFailure \} from "@spawn-audit\/shim";\nimport \{ tick \} from "\.\/tick\.js";\n/,
    );
    const check = runBiome(dir, "src/edited.js");
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
    assert.deepEqual(readdirSync(join(dir, "src")).sort(), ["edited.js", "tick.js"], "no copy is left behind");
  });

  test("a rule Biome cannot fix refuses the file before writing, naming the rule and place", () => {
    const dir = withBiome({ "src/edited.js": EDITED }, ["@spawn-audit/shim"]);
    const result = fixProject(dir);
    assert.match(
      result.changes[0]!.refused ?? "",
      /^would break the project's lint \(Biome\): lint\/style\/noRestrictedImports at 1:\d+/,
    );
    assert.equal(readFileSync(join(dir, "src/edited.js"), "utf8"), EDITED);
    assert.deepEqual(readdirSync(join(dir, "src")).sort(), ["edited.js", "tick.js"]);
  });

  test("a linter the project uses but has not installed is a note, and the file is written", () => {
    const dir = makeProject({
      "package.json": PACKAGE,
      "eslint.config.mjs": "export default [];\n",
      "src/edited.ts": `declare function tick(): void;\nsetInterval(() => tick(), 5);\n`,
    });
    made.push(dir);
    const result = fixProject(dir);
    assert.equal(result.lint, null);
    assert.deepEqual(result.notes, [
      "the project lints with ESLint but node_modules/.bin/eslint is missing: the rewritten files were not linted",
    ]);
    assert.equal(result.changes[0]!.written, true);
  });

  test("deno lint checks a Deno project's new text: an inline npm: import its recommended rules forbid refuses the file", () => {
    const path = process.env["PATH"];
    process.env["PATH"] = `${join(repoRoot(), "node_modules", ".bin")}${delimiter}${path ?? ""}`;
    try {
      const code = `declare function tick(): void;\nsetInterval(() => tick(), 5);\n`;
      const shim = join(repoRoot(), "shim", "mod.ts");
      const tsconfig = testTsconfig({ paths: { "@spawn-audit/shim": [shim], "npm:@spawn-audit/shim": [shim] } });
      const mapped = makeProject({
        "tsconfig.json": tsconfig,
        "deno.json": JSON.stringify({ imports: { "@spawn-audit/shim": "npm:@spawn-audit/shim@^0.1.0" } }),
        "src/edited.ts": code,
      });
      const inline = makeProject({ "tsconfig.json": tsconfig, "deno.json": "{}", "src/edited.ts": code });
      made.push(mapped, inline);
      const fine = fixProject(mapped);
      assert.deepEqual(fine.lint, { linters: ["deno lint"], files: 1, fixed: 0 });
      assert.equal(fine.changes[0]!.written, true);
      assert.match(
        readFileSync(join(mapped, "src/edited.ts"), "utf8"),
        /^import \{ logFailure \} from "@spawn-audit\/shim";/,
      );
      // Without an import-map entry fix stops, naming the command; told to import it inline, deno lint refuses the file.
      assert.throws(
        () => fixProject(inline),
        /^UsageError: @spawn-audit\/shim is not in the import map of \.\/deno\.json, .*Add it \(deno add npm:@spawn-audit\/shim\)/,
      );
      const refused = fixProject(inline, { shimImport: "npm:@spawn-audit/shim" });
      assert.match(
        refused.changes[0]!.refused ?? "",
        /^would break the project's lint \(deno lint\): no-import-prefix at 1:\d+, no-unversioned-import at 1:\d+;/,
      );
      assert.equal(readFileSync(join(inline, "src/edited.ts"), "utf8"), code);
    } finally {
      process.env["PATH"] = path;
    }
  });
});

/** The project's own lint of one file, as its lint script would run it. */
function runEslint(dir: string, file: string): { status: number | null; stdout: string } {
  const run = spawnSync(join(dir, "node_modules", ".bin", "eslint"), [file], { cwd: dir, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout };
}
