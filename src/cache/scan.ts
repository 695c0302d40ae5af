/**
 * A scan of part of a plan: only some files (`--changed`), and files whose
 * cached results are still valid (`--cache`) taken from the cache instead
 * of being analysed. Programs are built only when some file must be
 * analysed, and then with all their files, so types (and the whole-program
 * lookups of the analysis) are the same as in a full scan; the report is
 * the one a full scan of those files gives.
 *
 * @module
 */
import { relative, sep } from "node:path";
import type { ts } from "ts-morph";
import { wholeProgramLookupCount } from "../analysis/calls.ts";
import { displayPath } from "../files/paths.ts";
import { buildProgram, type ScanPlan } from "../project.ts";
import { displayEntry, scanProject, type ScanResult } from "../scan.ts";
import type { ScanProblem, SkippedFile, SpawnSite } from "../site.ts";
import { VERSION } from "../version.ts";
import { type FileKeys, fileKeys } from "./keys.ts";
import type { CachedFile, ResultCache } from "./store.ts";

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
      if (entry !== undefined && entry.key === (entry.wholeProgram ? keys.wholeProgram(file) : keys.closure(file))) {
        results.set(file, entry);
      }
    }
  }
  const misses = order.filter((file) => !results.has(file));
  if (misses.length > 0) {
    for (const [file, fresh] of analyse(plan, new Set(misses), options)) {
      results.set(file, fresh);
      if (cache !== undefined && keys !== undefined) {
        cache.set(cacheKey(plan, file), {
          key: fresh.wholeProgram ? keys.wholeProgram(file) : keys.closure(file),
          ...fresh,
        });
      }
    }
  }
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

/**
 * Builds the programs of `files` and scans them; returns each file's
 * results, and whether they may depend on files outside its import closure
 * (a whole-program lookup happened since its program's scan began).
 */
function analyse(plan: ScanPlan, files: ReadonlySet<string>, options: PartialScanOptions): Map<string, FileResults> {
  options.onPhase?.("loading and type-checking the project");
  const project = buildProgram(plan, files);
  const byDisplay = new Map([...files].map((file) => [displayPath(file, options.cwd), file]));
  const programOf = new Map(
    project.programs.flatMap(({ program, targets }) => targets.map((target) => [target.fileName, program] as const)),
  );
  const wholeProgram = new Map<string, boolean>();
  let current: { file: string; program: ts.Program | undefined; start: number } | undefined;
  const finish = (): void => {
    if (current !== undefined) wholeProgram.set(current.file, wholeProgramLookupCount() > current.start);
  };
  options.onPhase?.("scanning");
  const result = scanProject(project, plan.config, options.cwd, undefined, (done, total, display) => {
    finish();
    const file = byDisplay.get(display) ?? display;
    const program = programOf.get(file);
    // Lookups are memoised per program: count from the first file of each program on.
    const start = current !== undefined && current.program === program ? current.start : wholeProgramLookupCount();
    current = { file, program, start };
    options.onFile?.(done, total, display);
  });
  finish();

  const fresh = new Map<string, FileResults>();
  for (const file of wholeProgram.keys()) {
    fresh.set(file, { wholeProgram: wholeProgram.get(file)!, scanned: true, sites: [], problems: [], skipped: [] });
  }
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
