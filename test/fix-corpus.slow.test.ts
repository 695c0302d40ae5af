/**
 * `fix --write --group all` on real code nobody here wrote: the installed
 * sources of @supabase/realtime-js (TypeScript), graphile-worker (ES module
 * JavaScript) and bree (CommonJS JavaScript), copied with their package.json
 * to a temporary folder under this repository's `node_modules/.cache/`, so
 * their own imports resolve through the repository's node_modules as they
 * did in place, and `@spawn-audit/shim` resolves through a
 * `node_modules/@spawn-audit/shim` link to this repository's shim (as if
 * installed). None lists the shim in its `dependencies` as published; the
 * test adds it first, as the maintainer would (fix stops without it: see
 * test/fix/engine.test.ts).
 *
 * Checked per package: every file still parses, no file gains a TypeScript
 * error, a second run changes nothing, and a re-scan finds unsupervised only
 * the sites fix reported as skipped (or in a refused file), and the task
 * names given are `scope.work`, unique per file, never named after a promise
 * chain method, with a numeric suffix only after the plain name. The figures
 * (sites per transform, refusals, wall time) are printed as test diagnostics.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { Project, ts } from "ts-morph";
import type { SpawnSite } from "../src/site.ts";
import { DEFAULT_COMPILER_OPTIONS } from "../src/project.ts";
import { runChild } from "./support/cli.ts";
import { repoRoot } from "./support/repo.ts";

/** The packages and where their sources are. */
const PACKAGES: { name: string; sources: string }[] = [
  { name: "@supabase/realtime-js", sources: "src" },
  { name: "graphile-worker", sources: "dist" },
  { name: "bree", sources: "src" },
];

const cache = join(repoRoot(), "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const workspace = mkdtempSync(join(cache, "spawn-audit-fix-corpus-"));
mkdirSync(join(workspace, "node_modules", "@spawn-audit"), { recursive: true });
symlinkSync(join(repoRoot(), "shim"), join(workspace, "node_modules", "@spawn-audit", "shim"), "dir");
after(() => rmSync(workspace, { recursive: true, force: true }));

/** Error keys (code and message) per source file under `dir`, with the options a scan without tsconfig uses. */
function errorsByFile(dir: string): Map<string, string[]> {
  const project = new Project({ compilerOptions: { ...DEFAULT_COMPILER_OPTIONS }, skipAddingFilesFromTsConfig: true });
  project.addSourceFilesAtPaths([`${dir}/**/*.{ts,js,cjs,mjs}`, `!${dir}/**/*.d.ts`]);
  const program = project.getProgram().compilerObject;
  const errors = new Map<string, string[]>();
  for (const sourceFile of project.getSourceFiles()) {
    const compiled = program.getSourceFile(sourceFile.getFilePath())!;
    const keys = [...program.getSyntacticDiagnostics(compiled), ...program.getSemanticDiagnostics(compiled)]
      .filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error)
      .map((diagnostic) => `TS${diagnostic.code} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`);
    errors.set(relative(dir, sourceFile.getFilePath()), keys.sort());
  }
  return errors;
}

function texts(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((path) => /\.(ts|js|cjs|mjs)$/.test(path))
      .map((path) => [path, readFileSync(join(dir, path), "utf8")]),
  );
}

function unsupervised(dir: string): SpawnSite[] {
  const run = runChild(["scan", ".", "--format", "json", "--fail-on", "none"], dir);
  assert.equal(run.code, 0, run.stderr);
  return (JSON.parse(run.stdout) as { sites: SpawnSite[] }).sites.filter((site) => site.status === "unsupervised");
}

/** The task names given to shim calls in `text`, in order. */
function taskNames(text: string): string[] {
  return [...text.matchAll(/\b(?:spawnLogged|spawnSupervised|superviseWorker|logWorker|logFailure)\(\s*(["'])(.*?)\1/g)]
    .map((
      match,
    ) => match[2]!);
}

function countBy(keys: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of [...keys].sort()) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

for (const { name, sources } of PACKAGES) {
  const fixArgs = ["fix", ".", "--write", "--allow-dirty"];
  describe(`fix --write on ${name}`, () => {
    const dir = join(workspace, name.replace("/", "__"));
    let beforeErrors: Map<string, string[]>;
    let beforeSites: SpawnSite[];
    let run: ReturnType<typeof runChild>;
    let seconds = 0;
    before(() => {
      const installed = join(repoRoot(), "node_modules", name);
      cpSync(join(installed, "package.json"), join(dir, "package.json"));
      cpSync(join(installed, sources), join(dir, sources), {
        recursive: true,
        filter: (path) => !path.endsWith(".map"),
      });
      beforeErrors = errorsByFile(dir);
      beforeSites = unsupervised(dir);
      const started = performance.now();
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
      const dependencies = { ...(manifest["dependencies"] as object | undefined), "@spawn-audit/shim": "^0.1.0" };
      writeFileSync(join(dir, "package.json"), JSON.stringify({ ...manifest, dependencies }));
      run = runChild(fixArgs, dir);
      seconds = (performance.now() - started) / 1000;
    });

    test("fix succeeds or names each refused file, and reports its figures", (t) => {
      assert.ok([0, 1].includes(run.code), run.stderr);
      assert.match(run.stdout, /^Rewrote \d+ sites? in \d+ files?/);
      assert.equal(run.code === 1, /\nRefused /.test(run.stdout));
      t.diagnostic(
        `${name}: ${run.stdout.split("\n")[0]} wall ${
          seconds.toFixed(1)
        } s; unsupervised before: ${beforeSites.length}`,
      );
      for (const line of run.stdout.split("\nRefused ")[1]?.split("\n").slice(1) ?? []) {
        if (line.trim() !== "") t.diagnostic(`refused: ${line.trim()}`);
      }
      assert.ok(/^Rewrote [1-9]/.test(run.stdout), "at least one site rewritten");
    });

    test("every file still parses and gains no TypeScript error", () => {
      for (const [file, errors] of errorsByFile(dir)) {
        const was = [...(beforeErrors.get(file) ?? [])];
        const gained = errors.filter((error) => {
          const at = was.indexOf(error);
          if (at === -1) return true;
          was.splice(at, 1);
          return false;
        });
        assert.deepEqual(gained, [], file);
      }
    });

    test("a second run changes nothing", () => {
      const snapshot = texts(dir);
      const again = runChild(fixArgs, dir);
      assert.match(again.stdout, /^Rewrote 0 sites in 0 files\./);
      assert.deepEqual(texts(dir), snapshot);
    });

    test("task names are scope.work, unique per file, not named after then/catch/finally, suffixed only after the plain name", (t) => {
      let count = 0;
      for (const [file, text] of texts(dir)) {
        const names = taskNames(text);
        count += names.length;
        assert.equal(new Set(names).size, names.length, `${file}: ${names.join(", ")}`);
        for (const name of names) {
          assert.match(name, /^[\w$:-]+(\.[\w$:-]+)+$/, `${file}: ${name}`);
          const [, base, suffix] = /^(.*?)(?:-(\d+))?$/.exec(name)!;
          assert.doesNotMatch(base!, /\.(then|catch|finally)$/, `${file}: ${name}`);
          if (suffix !== undefined) {
            assert.ok(
              names.includes(suffix === "2" ? base! : `${base}-${Number(suffix) - 1}`),
              `${file}: ${name} without ${base}`,
            );
          }
        }
      }
      t.diagnostic(`${name}: ${count} task names`);
    });

    test("a re-scan finds unsupervised only the sites fix skipped or left in refused files", () => {
      const refusedFiles = new Set(
        [...run.stdout.matchAll(/^ {2}(\S+) {2}(?:no longer parses|new TypeScript error|the )/gm)].map((match) =>
          match[1]!
        ),
      );
      const skipped = [...run.stdout.matchAll(/^ {2}(\S+):\d+:\d+ {2}(\S+) {2}(.*)$/gm)]
        .filter((match) => !match[3]!.startsWith("inside the "))
        .map((match) => `${match[1]} ${match[2]}`);
      const leftInRefused = beforeSites.filter((site) => refusedFiles.has(site.file)).map((site) =>
        `${site.file} ${site.kind}`
      );
      assert.deepEqual(
        countBy(unsupervised(dir).map((site) => `${site.file} ${site.kind}`)),
        countBy([...skipped, ...leftInRefused]),
      );
    });
  });
}
