/**
 * What a scan reads besides its command line: the paths of a file list
 * (`--file-list FILE`, `-` for standard input), for lists too long for a
 * command line or piped from another tool (`git diff --name-only`), and
 * the source text of one file from standard input (`--stdin-filepath
 * PATH`), as editors run linters on an unsaved buffer (Prettier's and
 * Biome's option of the same idea).
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileSystemReason, UsageError } from "./errors.ts";

/**
 * Where the inputs come from.
 *
 * - `paths`: the paths named on the command line.
 * - `fileList`: the `--file-list` value: a file of paths, or `-` for standard input.
 * - `stdinFilepath`: the `--stdin-filepath` value: the path the text on standard input is reported under.
 * - `cwd`: the working directory, absolute; listed paths and the stdin path are relative to it.
 * - `readStdin`: reads all of standard input as UTF-8.
 */
export interface ScanInputOptions {
  paths: readonly string[];
  fileList?: string | undefined;
  stdinFilepath?: string | undefined;
  cwd: string;
  readStdin: () => string;
}

/**
 * The paths to scan and the texts that stand in for files on disk (see
 * `LoadOptions.sources`): `sources` is empty unless `--stdin-filepath` is given.
 */
export interface ScanInput {
  paths: string[];
  sources: Map<string, string>;
}

/**
 * Collects the paths and texts a scan takes.
 *
 * With `stdinFilepath`, standard input is the source of that one file,
 * which is the only path scanned. With `fileList`, its paths (one a line,
 * or NUL-separated as `git diff -z` and `find -print0` write them; blank
 * lines skipped; spaces at either end trimmed) come after those of the
 * command line.
 *
 * @throws {UsageError} when both read standard input, paths are named
 *   next to `stdinFilepath`, the list cannot be read, or it names no path.
 */
export function collectScanInput(options: ScanInputOptions): ScanInput {
  const { paths, fileList, stdinFilepath, cwd } = options;
  if (stdinFilepath !== undefined) {
    if (fileList !== undefined) {
      throw new UsageError(
        "--stdin-filepath reads the source from standard input; it cannot be combined with --file-list",
      );
    }
    if (paths.length > 0) {
      throw new UsageError(
        `--stdin-filepath scans only the text on standard input; leave out the paths (${paths.join(", ")})`,
      );
    }
    if (stdinFilepath === "") throw new UsageError("--stdin-filepath needs the path the text is reported under");
    return { paths: [stdinFilepath], sources: new Map([[resolve(cwd, stdinFilepath), options.readStdin()]]) };
  }
  if (fileList === undefined) return { paths: [...paths], sources: new Map() };
  const listed = parseFileList(readList(fileList, cwd, options.readStdin));
  if (listed.length === 0) {
    throw new UsageError(
      `the file list ${
        fileList === "-" ? "on standard input" : fileList
      } names no paths (without --file-list the whole project is scanned)`,
    );
  }
  return { paths: [...paths, ...listed], sources: new Map() };
}

/** The text of a file list: standard input for `-`, else the file (relative to `cwd`). */
function readList(fileList: string, cwd: string, readStdin: () => string): string {
  if (fileList === "-") return readStdin();
  try {
    return readFileSync(resolve(cwd, fileList), "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the file list ${fileList}: ${fileSystemReason(error)}`);
  }
}

/**
 * The paths of a file list: NUL-separated when the text has a NUL, else one
 * a line (LF or CRLF); each trimmed, blank ones dropped.
 *
 * @param text the list as read.
 */
function parseFileList(text: string): string[] {
  return text.split(text.includes("\0") ? "\0" : /\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
}
