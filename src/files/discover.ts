/**
 * File discovery: every source file under the paths a user names, each
 * either selected for scanning or set aside with the reason (gitignored,
 * an ignore glob, `node_modules`, a declaration file, too large, binary).
 * Ignored directories are not walked and ignored files are never read, so
 * an ignore rule saves the cost of loading, not only the report lines.
 *
 * Whatever is wrong with one entry below a named path — a name that is not
 * valid UTF-8, a symbolic link loop, a path too long for the system, a
 * FIFO or device with a source extension, a file deleted while the walk
 * runs — is a problem listed for that entry, and the walk goes on.
 *
 * @module
 */
import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { Buffer } from "node:buffer";
import { basename, join, relative, sep } from "node:path";
import { getHeapStatistics } from "node:v8";
import picomatch from "picomatch";
import { isTemporaryName } from "../atomic-write.ts";
import { fileSystemReason, UsageError } from "../errors.ts";
import type { ScanProblem, SkippedFile } from "../site.ts";
import { GitIgnore } from "./gitignore.ts";
import { displayName, isUtf8Name } from "./names.ts";
import { isVendored } from "./vendored.ts";

/** File extensions of the source files a scan looks at. */
export const SOURCE_EXTENSIONS: readonly string[] = [".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".jsx"];

/** An ignore glob and where it was given, for the skip detail (e.g. `config ignore`, `--ignore-pattern`). */
export interface IgnoreGlob {
  glob: string;
  origin: string;
}

/**
 * What to discover.
 *
 * - `paths`: absolute paths of existing files or directories.
 * - `root`: the project root; ignore globs match paths relative to it.
 * - `ignoreGlobs`: picomatch globs; a matching file is skipped, even one
 *   named in `paths`.
 * - `gitignore`: whether `.gitignore` files and `.git/info/exclude` apply
 *   (to what is below a named directory, never to a named path itself).
 * - `maxFileBytes`: larger files are skipped.
 *
 * A file or folder below a named path that cannot be read is skipped as a
 * problem; a named folder that cannot be read throws.
 */
export interface DiscoverOptions {
  paths: readonly string[];
  root: string;
  ignoreGlobs: readonly IgnoreGlob[];
  gitignore: boolean;
  maxFileBytes: number;
}

/**
 * The outcome: `files` to scan (absolute, in walk order), `skipped`
 * entries with absolute paths (a directory's ending in the separator), and
 * `problems` for the skipped files that could not be analysed (too large,
 * binary, unreadable), which fail a run as findings do.
 */
export interface Discovered {
  files: string[];
  skipped: SkippedFile[];
  problems: ScanProblem[];
}

/**
 * Walks the paths (entries sorted by name, symbolic links followed once,
 * `.git` and `node_modules` below a named path never entered) and sorts
 * each source file into scanned or skipped. A file or folder reached
 * through a symbolic link whose target lies under a named folder is left to
 * the walk of that folder, so it is reported once, under its real path.
 *
 * @throws the file system's error when a named directory or an ignore file cannot be read.
 * @throws {UsageError} when an ignore glob is empty (`--ignore-pattern ''`).
 */
export function discoverFiles(options: DiscoverOptions): Discovered {
  const found: Discovered = { files: [], skipped: [], problems: [] };
  const empty = options.ignoreGlobs.find(({ glob }) => glob === "");
  if (empty !== undefined) throw new UsageError(`${empty.origin} needs a glob; an empty one matches nothing`);
  const globs = options.ignoreGlobs.map(({ glob, origin }) => ({
    glob,
    origin,
    matches: picomatch(glob, { dot: true }),
  }));
  const seen = new Set<string>();
  /** Lists an entry that cannot be scanned as a problem of the scan. */
  const unreadable = (file: string, detail: string): void => {
    found.skipped.push({ file, reason: "unreadable", detail });
    found.problems.push({
      file: file.endsWith(sep) ? file.slice(0, -1) : file,
      line: null,
      column: null,
      message: `skipped: ${detail}`,
    });
  };

  // The heap left before any file is read: what a file's analysis will have (discovery itself takes next to none).
  const heap = heapLeft();
  /** Sorts `file` into scanned or skipped; `known` is its real path when the walk knows it (not a link, its folder's real path known). */
  const consider = (file: string, known?: string): void => {
    if (!isSourceFile(file)) return;
    let real: string;
    try {
      real = known ?? realpathSync(file);
    } catch (error) {
      return unreadable(file, `file cannot be read: ${fileSystemReason(error)}`);
    }
    if (seen.has(real)) return;
    seen.add(real);
    const fromRoot = relative(options.root, file).split(sep).join("/");
    const glob = globs.find((candidate) => candidate.matches(fromRoot));
    if (glob !== undefined) {
      found.skipped.push({ file, reason: "ignore-pattern", detail: `${glob.origin} "${glob.glob}"` });
    } else if (isDeclarationFile(file)) {
      found.skipped.push({ file, reason: "declaration", detail: "declaration file: types only, no code to run" });
    } else {
      const why = unreadableReason(file, options.maxFileBytes, heap);
      if (why === undefined) {
        found.files.push(file);
      } else {
        found.skipped.push({ file, ...why });
        if (why.reason !== "vendored") {
          found.problems.push({ file, line: null, column: null, message: `skipped: ${why.detail}` });
        }
      }
    }
  };

  // Real paths of the directories walked: a symbolic link back up is not followed twice.
  const walked = new Set<string>();
  // Real paths of the named folders: what a symbolic link points to below one of them is walked there.
  const roots: string[] = [];
  const underRoot = (real: string): boolean => roots.some((root) => real === root || real.startsWith(root + sep));
  const walk = (dir: string, rules: GitIgnore, named: boolean): void => {
    let entries: Dirent<Buffer>[];
    let real: string;
    try {
      real = realpathSync(dir);
      if (walked.has(real)) return;
      walked.add(real);
      entries = readdirSync(dir, { withFileTypes: true, encoding: "buffer" });
    } catch (error) {
      // A folder the user named must be readable (an environment error); one found below it is a problem of the scan.
      if (named) throw error;
      return unreadable(dir + sep, `folder cannot be read: ${fileSystemReason(error)}`);
    }
    const byName = entries.map((dirent) => ({ dirent, name: dirent.name.toString("utf8") }));
    for (const { dirent, name } of byName.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!isUtf8Name(dirent.name)) {
        // Never opened under its decoded (wrong) name; a folder's files or a source file's sites are not seen.
        const shown = join(dir, displayName(dirent.name));
        if (dirent.isDirectory() || isSourceFile(shown)) {
          unreadable(
            shown + (dirent.isDirectory() ? sep : ""),
            "its name is not valid UTF-8 (shown with \\x escapes); rename it to scan it",
          );
        }
        continue;
      }
      const full = join(dir, name);
      let entry: Dirent<Buffer> | Stats = dirent;
      if (dirent.isSymbolicLink()) {
        let target: Stats;
        try {
          target = statSync(full);
        } catch (error) {
          // A broken link is passed over, as TypeScript's own file listing does; a loop or an overlong path is a problem.
          const code = (error as NodeJS.ErrnoException).code;
          if (code !== "ENOENT" && code !== "ENOTDIR") {
            unreadable(full, `symbolic link cannot be followed: ${fileSystemReason(error)}`);
          }
          continue;
        }
        // A link to a file or folder under a named folder: reported there, under its real path.
        if (underRoot(realpathOrSelf(full))) continue;
        entry = target;
      }
      if (entry.isDirectory()) {
        if (name === ".git") continue;
        if (name === "node_modules") {
          found.skipped.push({
            file: full + sep,
            reason: "node_modules",
            detail: "dependencies are never walked (name a path inside to scan one)",
          });
          continue;
        }
        const ignored = rules.match(full, true);
        if (ignored !== undefined) {
          found.skipped.push({ file: full + sep, reason: "gitignored", detail: describe(ignored, options.root) });
        } else walk(full, rules.enter(full), false);
      } else if (isSourceFile(full)) {
        const ignored = rules.match(full, false);
        if (ignored !== undefined) {
          found.skipped.push({ file: full, reason: "gitignored", detail: describe(ignored, options.root) });
        } else if (!entry.isFile()) {
          unreadable(full, `not a regular file (${fileKind(entry, full)})`);
        } else consider(full, entry === dirent ? join(real, name) : undefined);
      }
    }
  };

  for (const path of options.paths) {
    if (statSync(path).isDirectory()) roots.push(realpathSync(path));
  }
  for (const path of options.paths) {
    if (statSync(path).isDirectory()) walk(path, options.gitignore ? GitIgnore.forRoot(path) : GitIgnore.none(), true);
    else consider(path);
  }
  return found;
}

/** `path` with symbolic links resolved, or `path` when that fails. */
function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * What kind of file system entry that is not a regular file or folder `stats`
 * describes, in a word or two. A directory entry of Deno's `readdir` says
 * false to every type but file, folder and link, so the entry at `path` is
 * then asked again through `lstat`.
 */
function fileKind(stats: Dirent<Buffer> | Stats, path?: string): string {
  if (
    path !== undefined && !(stats.isFIFO() || stats.isSocket() || stats.isCharacterDevice() || stats.isBlockDevice())
  ) {
    const again = lstatSync(path, { throwIfNoEntry: false });
    if (again !== undefined) return fileKind(again);
  }
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "not a file";
}

/**
 * Whether `file` has a source extension ({@link SOURCE_EXTENSIONS});
 * declaration files included, spawn-audit's own temporary files (a copy a
 * linter reads while fix runs) not.
 */
export function isSourceFile(file: string): boolean {
  return SOURCE_EXTENSIONS.some((extension) => file.endsWith(extension)) && !isTemporaryName(basename(file));
}

/** Whether `file` is a declaration file: `.d.ts`, `.d.mts`, `.d.cts`, or `.d.<ext>.ts` (arbitrary-extension declarations). */
export function isDeclarationFile(file: string): boolean {
  return /\.d\.[cm]?ts$/.test(file) || /\.d\.[^.]+\.ts$/.test(file);
}

function describe(match: { source: string; pattern: string }, root: string): string {
  return `${relative(root, match.source).split(sep).join("/") || match.source}: ${match.pattern}`;
}

/**
 * Bytes of heap the analysis of one byte of source takes at most, measured
 * (Node 20, `v8.getHeapStatistics()` before and after a scan of one
 * generated file): about 70 for ordinary code (13 MB of functions), about
 * 100 for dense tokens (3 MB of a number array literal); 150 leaves room
 * for the peak. A file whose size times this exceeds the heap left is
 * refused before V8 runs out of memory and ends the process.
 */
const HEAP_BYTES_PER_SOURCE_BYTE = 150;

/** The heap left to this process, in bytes: its limit less what is in use (asked once per discovery: V8 computes it on each call). */
function heapLeft(): number {
  const { heap_size_limit, used_heap_size } = getHeapStatistics();
  return heap_size_limit - used_heap_size;
}

/**
 * Why a file is not read as source (too large, binary, unreadable, not a
 * regular file, gone, or the vendored shim), or undefined. The file is
 * opened without blocking and checked through its descriptor, so a FIFO
 * named as a path never hangs the run and a file replaced meanwhile is
 * judged by what was opened. `heap`: the heap left to analyse it, in bytes.
 */
function unreadableReason(
  file: string,
  maxBytes: number,
  heap: number,
): Pick<SkippedFile, "reason" | "detail"> | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { reason: "unreadable", detail: `file cannot be read: ${fileSystemReason(error)}` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { reason: "unreadable", detail: `not a regular file (${fileKind(stats)})` };
    if (stats.size > maxBytes) {
      return {
        reason: "too-large",
        detail: `${stats.size} bytes is over the ${maxBytes}-byte limit (--max-file-size)`,
      };
    }
    const needed = stats.size * HEAP_BYTES_PER_SOURCE_BYTE;
    if (needed > heap) {
      const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;
      return {
        reason: "too-large",
        detail: `${stats.size} bytes would take about ${mib(needed)} of memory to analyse, more than the ${
          mib(heap)
        } left (a larger heap: node --max-old-space-size=MiB)`,
      };
    }
    const head = Buffer.alloc(Math.min(stats.size, 8192));
    readSync(fd, head, 0, head.length, 0);
    if (head.includes(0)) return { reason: "binary", detail: "binary file (contains NUL bytes)" };
    return isVendored(head.toString("utf8"))
      ? { reason: "vendored", detail: "the shim as spawn-audit fix --vendor-shim wrote it" }
      : undefined;
  } catch (error) {
    return { reason: "unreadable", detail: `file cannot be read: ${fileSystemReason(error)}` };
  } finally {
    closeSync(fd);
  }
}
