/**
 * What the analysis of one file read beyond the declarations its imports
 * reach: the whole-program lookups of src/analysis/calls.ts (a function
 * found by its name alone, the calls of a function found across the
 * program) and the files of the functions those lookups found. The result
 * cache (src/cache/) keys a file's results on its import closure plus
 * exactly these, so an edit elsewhere leaves them valid.
 *
 * The rule driver starts a record when it starts a file
 * ({@link startReads}) and takes it when the file is done
 * ({@link takeReads}); memo tables are per file (src/analysis/memo.ts), so
 * every lookup a file's results depend on is made, and recorded, while
 * that file is analysed.
 *
 * @module
 */

/**
 * The whole-program reads of one file's analysis.
 *
 * - `names`: names looked up among the functions the program's own sources
 *   declare (and their `require` bindings): the answer depends on every
 *   declaration of the name, wherever it is.
 * - `files`: absolute paths of files whose functions a lookup by name
 *   found, and whose code the analysis then read.
 * - `callers`: the functions whose calls were looked up across the
 *   program, each by its file (absolute) and name (undefined for an
 *   anonymous function).
 * - `importers`: files (absolute) whose importers were looked up (is a
 *   file imported, and only by test files?): the answer depends on every
 *   file that imports them, and on their package manifest's entry points.
 */
export interface Reads {
  names: ReadonlySet<string>;
  files: ReadonlySet<string>;
  callers: ReadonlyArray<{ file: string; name: string | undefined }>;
  importers: ReadonlySet<string>;
}

let names = new Set<string>();
let files = new Set<string>();
let callers = new Map<string, { file: string; name: string | undefined }>();
let importers = new Set<string>();
/** The sets given to {@link readFiles} since the record started: their files are in `files` already. */
let fileSets = new WeakSet<ReadonlySet<string>>();

/** Starts the record of a file's analysis, dropping what was recorded before. */
export function startReads(): void {
  names = new Set();
  files = new Set();
  callers = new Map();
  importers = new Set();
  fileSets = new WeakSet();
}

/** The record since {@link startReads}; recording goes on into a new, empty one. */
export function takeReads(): Reads {
  const taken: Reads = { names, files, callers: [...callers.values()], importers };
  startReads();
  return taken;
}

/** Records a lookup of `name` among the program's declared function names. */
export function readName(name: string): void {
  names.add(name);
}

/** Records that a lookup found a function in `file` (absolute), whose code the analysis reads. */
export function readFile(file: string): void {
  files.add(file);
}

/**
 * Records {@link readFile} of every file in `found`, a set its owner no
 * longer changes (a memoised answer's files): a set recorded before in the
 * same record is not walked again.
 */
export function readFiles(found: ReadonlySet<string>): void {
  if (fileSets.has(found)) return;
  fileSets.add(found);
  for (const file of found) files.add(file);
}

/** Records a lookup of every call of a function, declared in `file` (absolute) under `name`. */
export function readCallers(file: string, name: string | undefined): void {
  callers.set(`${file}\0${name ?? ""}`, { file, name });
}

/** Records a lookup of the files that import `file` (absolute). */
export function readImporters(file: string): void {
  importers.add(file);
}

/**
 * Runs `work` without recording its reads (an index of the whole program
 * built once, whose answers are recorded as lookups when used), then goes
 * on with the record in force.
 *
 * @param work what to run.
 * @returns what `work` returns.
 */
export function withoutReads<T>(work: () => T): T {
  const kept = { names, files, callers, importers, fileSets };
  startReads();
  try {
    return work();
  } finally {
    ({ names, files, callers, importers, fileSets } = kept);
  }
}
