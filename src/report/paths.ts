/**
 * Paths as CI reports need them: relative to the repository being scanned,
 * whatever folder the tool was started from, so code scanning and pull
 * request annotations find the files.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { displayPath } from "../project.ts";

/**
 * The root of the git work tree containing `dir`: the nearest directory at
 * or above it with a `.git` entry (a folder, or a file in a linked work
 * tree or submodule).
 *
 * @param dir an absolute directory.
 * @returns the work tree root, or undefined outside a git work tree.
 */
export function gitRoot(dir: string): string | undefined {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, ".git"))) return current;
    if (dirname(current) === current) return undefined;
  }
}

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
