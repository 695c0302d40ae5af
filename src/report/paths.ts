/**
 * Paths as CI reports need them: relative to the repository being scanned,
 * whatever folder the tool was started from, so code scanning and pull
 * request annotations find the files.
 *
 * @module
 */
import { resolve } from "node:path";
import { gitRoot } from "../files/gitignore.ts";
import { displayPath } from "../files/paths.ts";

/**
 * The directory CI report paths are relative to: the git work tree that
 * contains the scan root, else the working directory.
 *
 * @param scanRoot the scan result's root, relative to `cwd` (as {@link ScanResult} gives it).
 * @param cwd the working directory, absolute.
 */
export function reportBase(scanRoot: string, cwd: string): string {
  return gitRoot(resolve(cwd, scanRoot)) ?? cwd;
}

/**
 * Rewrites a report path (relative to `cwd`) to be relative to `base`, with
 * `/` separators.
 *
 * @param file a path relative to `cwd`, as in {@link SpawnSite.file}.
 * @param cwd the working directory the path is relative to, absolute.
 * @param base the directory the result should be relative to, absolute.
 */
export function rebase(file: string, cwd: string, base: string): string {
  return displayPath(resolve(cwd, file), base);
}
