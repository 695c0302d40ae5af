/**
 * Re-runs on two application-shaped programs, each a git repository: a
 * copy of kafkajs' sources (385 CommonJS files, one program; pinned in
 * devDependencies) and a generated TypeScript application (bench/synthetic.ts,
 * {@link APP_MODULES} modules, one tsconfig). Each is run as the CLI runs,
 * in a fresh process, one run each: cold without a cache, cold writing the
 * cache, unchanged with the cache, after a one-line edit of one module with
 * `--cache`, and `--changed` with that module (the cache of the unedited
 * tree in place). Each row has wall time (planning included), its ratio to
 * the cold run, the same for CPU time (steadier when other work shares the
 * machine), peak RSS and how many files were analysed (the others came from
 * the cache). A last row scans the edited module alone, without a cache: a
 * program of it and what it imports, the language's lib and the visible
 * `@types` packages, and no other file analysed — what a re-run in a fresh
 * process costs at the least, however little it takes from a cache. Then
 * the cache's size and the cost of reading and writing it.
 *
 * @module
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CACHE_FILE, ResultCache } from "../src/cache/store.ts";
import { formatTable, git, measure, type Measurement } from "./measure.ts";
import { writeSyntheticApp } from "./synthetic.ts";

/** The module of kafkajs edited: the consumer's run loop, which the package's entry imports through the consumer. */
export const EDITED_MODULE = "src/consumer/runner.js";

/** How many modules the generated application has. */
export const APP_MODULES = 600;

/** The module of the generated application edited: the middle one, which about half of the modules import, directly or not. */
export const EDITED_APP_MODULE = `src/area${(APP_MODULES / 2) % 50}/module${APP_MODULES / 2}.ts`;

/**
 * Runs the re-run benchmark.
 *
 * @returns a printable report for each program: the runs (ms, ratio to cold, target, CPU ms and its ratio to cold, RSS MiB, files analysed) and the cache's size and read/write ms.
 */
export function benchIncremental(): string {
  const work = mkdtempSync(join(tmpdir(), "spawn-audit-bench-incremental-"));
  try {
    const kafkajs = join(work, "kafkajs");
    const from = resolve("node_modules/kafkajs");
    for (const entry of ["src", "index.js", "package.json"]) {
      cpSync(join(from, entry), join(kafkajs, entry), { recursive: true });
    }
    // A project without a tsconfig sees the @types above its own files: the repository's, as when installed.
    mkdirSync(join(kafkajs, "node_modules"));
    symlinkSync(resolve("node_modules/@types"), join(kafkajs, "node_modules", "@types"), "dir");
    writeFileSync(join(kafkajs, ".gitignore"), "node_modules\n");
    const app = join(work, "app");
    writeSyntheticApp(app, APP_MODULES);
    return [
      reruns(kafkajs, EDITED_MODULE, join(work, "kafkajs-cache"), "kafkajs 2.2.4's sources"),
      reruns(app, EDITED_APP_MODULE, join(work, "app-cache"), `a generated application of ${APP_MODULES} modules`),
    ].join("\n\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Measures the five runs and the floor on `repo` (made a git repository here), editing
 * `module` (relative to `repo`) by one line, with the cache in `cache`.
 *
 * @returns the table and the cache's size and read/write cost, titled with `name`.
 */
function reruns(repo: string, module: string, cache: string, name: string): string {
  git(repo, "init", "--quiet", "--initial-branch=main");
  git(repo, "add", ".");
  git(repo, "commit", "--quiet", "-m", name);

  const edited = join(repo, module);
  const original = readFileSync(edited, "utf8");
  const cacheFile = join(cache, CACHE_FILE);
  const cacheOfOriginal = `${cache}-of-original.json`;

  const cold = measure("run", repo);
  const coldCached = measure("run", repo, "--cache", cache);
  cpSync(cacheFile, cacheOfOriginal);
  const unchanged = measure("run", repo, "--cache", cache);
  writeFileSync(edited, original.replace("\n", "\nconst benchEdited = 1;\n"));
  const oneEdit = measure("run", repo, "--cache", cache);
  cpSync(cacheOfOriginal, cacheFile);
  const changed = measure("run", repo, "--changed", "--cache", cache);
  const alone = measure("run", edited);

  const row = (label: string, target: string, measured: Measurement): string[] => [
    label,
    measured.ms.toFixed(0),
    (measured.ms / cold.ms).toFixed(2) + "×",
    target,
    measured.cpuMs.toFixed(0),
    (measured.cpuMs / cold.cpuMs).toFixed(2) + "×",
    measured.maxRssMiB.toFixed(0),
    String(measured.analysed),
  ];
  const table = formatTable([
    ["run (planning included)", "ms", "vs cold", "target", "CPU ms", "vs cold", "RSS MiB", "files analysed"],
    row("cold, no cache", "", cold),
    row("cold, writing the cache", "≤ 1.05×", coldCached),
    row("--cache, nothing changed", "≤ 0.05×", unchanged),
    row(`--cache, one line of ${module} edited`, "≤ 0.2×", oneEdit),
    row("--changed, that file", "≤ 0.25×", changed),
    row("that file alone, no cache (the floor)", "", alone),
  ]);

  // The cache's own cost: read and validated whole, then written whole (one entry touched so it is written).
  let started = performance.now();
  const reread = new ResultCache(cache);
  const readMs = performance.now() - started;
  const paths = Object.keys((JSON.parse(readFileSync(cacheFile, "utf8")) as { files: object }).files);
  reread.set(paths[0]!, reread.get(paths[0]!)!);
  started = performance.now();
  reread.save(new Set(paths));
  const writeMs = performance.now() - started;
  return [
    `Re-runs on ${name} (${cold.files} files, one program), one fresh-process run each:`,
    ...table,
    `cache: ${(statSync(cacheFile).size / 1024).toFixed(0)} KiB for ${paths.length} files; ` +
    `read and validated in ${readMs.toFixed(0)} ms, written in ${writeMs.toFixed(0)} ms`,
  ].join("\n");
}
