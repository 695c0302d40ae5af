/**
 * File discovery: every source file under the paths a user names, each
 * either selected for scanning or set aside with the reason (gitignored,
 * an ignore glob, `node_modules`, a declaration file, too large, binary).
 * Ignored directories are not walked and ignored files are never read, so
 * an ignore rule saves the cost of loading, not only the report lines.
 *
 * @module
 */
import { closeSync, type Dirent, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import picomatch from "picomatch";
import type { ScanProblem, SkippedFile } from "../site.ts";
import { GitIgnore } from "./gitignore.ts";
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
 * each source file into scanned or skipped.
 *
 * @throws the file system's error when a directory or ignore file cannot be read.
 */
export function discoverFiles(options: DiscoverOptions): Discovered {
  const found: Discovered = { files: [], skipped: [], problems: [] };
  const globs = options.ignoreGlobs.map(({ glob, origin }) => ({
    glob,
    origin,
    matches: picomatch(glob, { dot: true }),
  }));
  const seen = new Set<string>();

  const consider = (file: string): void => {
    if (seen.has(file) || !isSourceFile(file)) return;
    seen.add(file);
    const fromRoot = relative(options.root, file).split(sep).join("/");
    const glob = globs.find((candidate) => candidate.matches(fromRoot));
    if (glob !== undefined) {
      found.skipped.push({ file, reason: "ignore-pattern", detail: `${glob.origin} "${glob.glob}"` });
    } else if (isDeclarationFile(file)) {
      found.skipped.push({ file, reason: "declaration", detail: "declaration file: types only, no code to run" });
    } else {
      const unreadable = unreadableReason(file, options.maxFileBytes);
      if (unreadable === undefined) {
        found.files.push(file);
      } else {
        found.skipped.push({ file, ...unreadable });
        if (unreadable.reason !== "vendored") {
          found.problems.push({ file, line: null, column: null, message: `skipped: ${unreadable.detail}` });
        }
      }
    }
  };

  // Real paths of the directories walked: a symbolic link back up is not followed twice.
  const walked = new Set<string>();
  const walk = (dir: string, rules: GitIgnore, named: boolean): void => {
    const real = realpathSync(dir);
    if (walked.has(real)) return;
    walked.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      // A folder the user named must be readable (an environment error); one found below it is a problem of the scan.
      if (named) throw error;
      const detail = `folder cannot be read: ${describeError(error)}`;
      found.skipped.push({ file: dir + sep, reason: "unreadable", detail });
      found.problems.push({ file: dir, line: null, column: null, message: `skipped: ${detail}` });
      return;
    }
    for (const dirent of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, dirent.name);
      // A symbolic link is followed, as TypeScript's own file listing does; a broken one is passed over.
      const entry = dirent.isSymbolicLink() ? statSync(full, { throwIfNoEntry: false }) : dirent;
      if (entry === undefined) continue;
      if (entry.isDirectory()) {
        if (dirent.name === ".git") continue;
        if (dirent.name === "node_modules") {
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
      } else if (entry.isFile() && isSourceFile(full)) {
        const ignored = rules.match(full, false);
        if (ignored !== undefined) {
          found.skipped.push({ file: full, reason: "gitignored", detail: describe(ignored, options.root) });
        } else consider(full);
      }
    }
  };

  for (const path of options.paths) {
    if (statSync(path).isDirectory()) walk(path, options.gitignore ? GitIgnore.forRoot(path) : GitIgnore.none(), true);
    else consider(path);
  }
  return found;
}

/** Whether `file` has a source extension ({@link SOURCE_EXTENSIONS}); declaration files included. */
export function isSourceFile(file: string): boolean {
  return SOURCE_EXTENSIONS.some((extension) => file.endsWith(extension));
}

/** Whether `file` is a declaration file: `.d.ts`, `.d.mts`, `.d.cts`, or `.d.<ext>.ts` (arbitrary-extension declarations). */
export function isDeclarationFile(file: string): boolean {
  return /\.d\.[cm]?ts$/.test(file) || /\.d\.[^.]+\.ts$/.test(file);
}

/** A file system error in a few words: `permission denied` for EACCES/EPERM, else its code. */
function describeError(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code === "EACCES" || code === "EPERM" ? "permission denied" : code ?? message;
}

function describe(match: { source: string; pattern: string }, root: string): string {
  return `${relative(root, match.source).split(sep).join("/") || match.source}: ${match.pattern}`;
}

/** Why a file is not read as source (too large, binary, unreadable, or the vendored shim), or undefined. */
function unreadableReason(file: string, maxBytes: number): Pick<SkippedFile, "reason" | "detail"> | undefined {
  const size = statSync(file).size;
  if (size > maxBytes) {
    return { reason: "too-large", detail: `${size} bytes is over the ${maxBytes}-byte limit (--max-file-size)` };
  }
  const head = Buffer.alloc(Math.min(size, 8192));
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    return { reason: "unreadable", detail: `file cannot be read: ${describeError(error)}` };
  }
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.includes(0)) return { reason: "binary", detail: "binary file (contains NUL bytes)" };
  return isVendored(head.toString("utf8"))
    ? { reason: "vendored", detail: "the shim as spawn-audit fix --vendor-shim wrote it" }
    : undefined;
}
