/**
 * A scan of part of a plan: only some files (`--changed`), and files whose
 * cached results are still valid (`--cache`) taken from the cache instead
 * of being analysed. Programs are built only when some file must be
 * analysed. Without a cache they are built with all their files; with one,
 * from the files to analyse, what they import and the files their
 * whole-program lookups need, with the declarations of the whole program
 * (see `analyse`), so types and lookups answer as in a full scan. Each
 * file's results are keyed on what its analysis read (src/cache/keys.ts),
 * and the report is the one a full scan of those files gives.
 *
 * @module
 */
import { relative, sep } from "node:path";
import { type Reads, takeReads } from "../analysis/reads.ts";
import { useCallerFiles, useDeclarationIndex } from "../analysis/calls.ts";
import { useSummaryKeeper } from "../analysis/graph.ts";
import { displayPath } from "../files/paths.ts";
import { buildProgram, type LoadedProject, type ScanPlan } from "../project.ts";
import { displayEntry, scanProject, type ScanResult } from "../scan.ts";
import type { ScanProblem, SkippedFile, SpawnSite } from "../site.ts";
import { VERSION } from "../version.ts";
import { type FileKeys, fileKeys, type StoredReads } from "./keys.ts";
import type { CachedFile, ResultCache } from "./store.ts";
import { summaryKeeper } from "./summaries.ts";

/**
 * What to scan of a plan and how.
 *
 * - `cwd`: the directory report paths are relative to.
 * - `only`: absolute paths of the files to report on (others are used for
 *   types only); discovery problems and skip entries of other files are
 *   left out. Default: every file of the plan.
 * - `cache`: results of earlier runs; valid ones are reused, new ones
 *   recorded, and the cache written before returning.
 * - `version`: the tool version results are keyed on (default: this one's).
 * - `onPhase`: told each phase as it starts (for a status line).
 * - `onFile`: told before each file analysed, as `scanProject`'s callback.
 */
export interface PartialScanOptions {
  cwd: string;
  only?: ReadonlySet<string>;
  cache?: ResultCache;
  version?: string;
  onPhase?: (phase: string) => void;
  onFile?: (done: number, total: number, file: string) => void;
}

/** One file's results, without the key. */
type FileResults = Omit<CachedFile, "key">;

/**
 * Scans the files of a plan that `options.only` names, reusing the cached
 * results whose keys still match.
 *
 * @param plan the output of `planScan`.
 * @param options see {@link PartialScanOptions}.
 * @returns the report of the files scanned, with the cache's warnings (it could not be read or written).
 */
export function scanPart(plan: ScanPlan, options: PartialScanOptions): ScanResult {
  const { cwd, only, cache } = options;
  if (only === undefined && cache === undefined) {
    options.onPhase?.("loading and type-checking the project");
    const project = buildProgram(plan);
    options.onPhase?.("scanning");
    return scanProject(project, plan.config, cwd, undefined, options.onFile);
  }
  const inScope = (file: string): boolean => only?.has(file) ?? true;
  // The order a full scan reports files in: program by program.
  const order = plan.programs.flatMap((program) => program.files).filter(inScope);
  const results = new Map<string, FileResults>();
  let keys: FileKeys | undefined;
  if (cache !== undefined) {
    options.onPhase?.("checking the cache");
    keys = fileKeys(
      plan,
      cwd,
      JSON.stringify({ version: options.version ?? VERSION, config: plan.config }),
      cache.textFacts,
    );
    cache.setTextFacts(keys.textFacts);
    for (const file of order) {
      const entry = cache.get(cacheKey(plan, file));
      if (entry !== undefined && entry.key === keys.key(file, entry.reads)) results.set(file, entry);
    }
  }
  const misses = order.filter((file) => !results.has(file));
  if (misses.length > 0) {
    // What the last results of these files needed beyond their imports is likely needed again: in the program from the start.
    const needed = new Set(misses.flatMap((file) => {
      const stale = cache?.get(cacheKey(plan, file));
      return stale === undefined || keys === undefined ? [] : keys.needs(file, stale.reads);
    }));
    for (const [file, fresh] of analyse(plan, new Set(misses), options, keys, needed)) {
      results.set(file, fresh);
      if (cache !== undefined && keys !== undefined) {
        cache.set(cacheKey(plan, file), { key: keys.key(file, fresh.reads), ...fresh });
      }
    }
  }
  if (cache !== undefined && keys !== undefined) cache.setTextFacts(keys.textFacts);
  cache?.save(new Set(plan.files.map((file) => cacheKey(plan, file))));

  const perFile = order.flatMap((file) => {
    const entry = results.get(file);
    return entry === undefined ? [] : [{ file, ...entry }];
  });
  const sites: SpawnSite[] = perFile.flatMap((entry) => entry.sites);
  sites.sort((a, b) => a.file.localeCompare(b.file) || a.start.line - b.start.line || a.start.column - b.start.column);
  return {
    root: displayPath(plan.root, cwd),
    tsconfig: plan.tsconfig === null ? null : displayPath(plan.tsconfig, cwd),
    scannedFiles: perFile.filter((entry) => entry.scanned).map((entry) => displayPath(entry.file, cwd)),
    sites,
    problems: [
      ...plan.problems.filter((problem) => inScope(problem.file)).map((problem): ScanProblem => ({
        ...problem,
        file: displayPath(problem.file, cwd),
      })),
      ...perFile.flatMap((entry) => entry.problems),
    ],
    skipped: [
      ...plan.skipped.filter((entry) => inScope(entry.file)).map((entry): SkippedFile => ({
        ...entry,
        file: displayEntry(entry.file, cwd),
      })),
      ...perFile.flatMap((entry) => entry.skipped),
    ],
    warnings: [...plan.warnings, ...(cache?.warnings ?? [])].map((warning) => ({
      ...warning,
      file: displayPath(warning.file, cwd),
    })),
  };
}

/** The cache's name for a file: its path relative to the project root, `/`-separated. */
function cacheKey(plan: ScanPlan, file: string): string {
  return relative(plan.root, file).split(sep).join("/");
}

/** What a file's analysis read, as the cache keeps it: paths relative to the project root. */
function storedReads(plan: ScanPlan, reads: Reads): StoredReads {
  return {
    names: [...reads.names].sort(),
    files: [...reads.files].map((file) => cacheKey(plan, file)).sort(),
    callers: reads.callers.map(({ file, name }): [string, string | null] => [cacheKey(plan, file), name ?? null]),
    importers: [...reads.importers].map((file) => cacheKey(plan, file)).sort(),
  };
}

/**
 * Scans `files`; returns each file's results with what its analysis read
 * beyond its import closure. Without `keys` (no cache), their programs are
 * built whole. With them, each program is built from `files`, what they
 * import and the files their reads need (`needed`, to start with: those
 * of their last results), and given the whole program's declarations by
 * name and the files that can call each function (so a lookup of callers
 * reads those files, not all); when the reads of this scan need a file that program lacks, it is
 * built again with it and the files scanned again, so every answer is the
 * whole program's.
 */
function analyse(
  plan: ScanPlan,
  files: ReadonlySet<string>,
  options: PartialScanOptions,
  keys: FileKeys | undefined,
  needed: ReadonlySet<string> = new Set(),
): Map<string, FileResults> {
  const extra = new Set(needed);
  const planned = new Set(plan.files);
  for (;;) {
    options.onPhase?.("loading and type-checking the project");
    const project = keys === undefined ? buildProgram(plan, files) : buildProgram(
      plan,
      files,
      (program) => keys.rootsFor(program, [...program.files.filter((file) => files.has(file)), ...extra]),
    );
    if (keys === undefined) return scanFiles(plan, files, options, project);
    const programs = project.programs.map(({ program }) => program);
    keys.useParsed((file) => {
      for (const program of programs) {
        const found = program.getSourceFile(file);
        if (found !== undefined) return found;
      }
      return undefined;
    });
    for (const { program, targets: [first] } of project.programs) {
      if (first === undefined) continue;
      useDeclarationIndex(program, keys.declarationsOf(first.fileName));
      useCallerFiles(program, keys.callerFilesOf(first.fileName));
      if (options.cache !== undefined) {
        useSummaryKeeper(
          program,
          summaryKeeper(
            plan.root,
            planned,
            keys,
            options.cache,
            (file) => cacheKey(plan, file),
            (reads) => storedReads(plan, reads),
          ),
        );
      }
    }
    const fresh = scanFiles(plan, files, options, project);
    const lacking = [...fresh].flatMap(([file, results]) => keys.needs(file, results.reads))
      .filter((file) => !extra.has(file) && programs.every((program) => program.getSourceFile(file) === undefined));
    if (lacking.length === 0) return fresh;
    for (const file of lacking) extra.add(file);
  }
}

/** Scans the target files of a built project; returns each file's results with what its analysis read. */
function scanFiles(
  plan: ScanPlan,
  files: ReadonlySet<string>,
  options: PartialScanOptions,
  project: LoadedProject,
): Map<string, FileResults> {
  const byDisplay = new Map([...files].map((file) => [displayPath(file, options.cwd), file]));
  const fresh = new Map<string, FileResults>();
  let current: string | undefined;
  // The rule driver starts a record of reads per file; each is taken when the next file starts, and after the last.
  const finish = (): void => {
    const reads = takeReads();
    if (current !== undefined) {
      fresh.set(current, {
        reads: storedReads(plan, reads),
        scanned: true,
        sites: [],
        problems: [],
        skipped: [],
      });
    }
  };
  options.onPhase?.("scanning");
  const result = scanProject(project, plan.config, options.cwd, undefined, (done, total, display) => {
    finish();
    current = byDisplay.get(display) ?? display;
    options.onFile?.(done, total, display);
  });
  finish();

  const entryOf = (display: string): FileResults | undefined => {
    const file = byDisplay.get(display);
    return file === undefined ? undefined : fresh.get(file);
  };
  for (const site of result.sites) entryOf(site.file)?.sites.push(site);
  for (const problem of result.problems) entryOf(problem.file)?.problems.push(problem);
  for (const skipped of result.skipped) {
    const entry = entryOf(skipped.file);
    if (entry === undefined) continue;
    entry.skipped.push(skipped);
    if (skipped.reason === "unparsable") entry.scanned = false;
  }
  return fresh;
}
