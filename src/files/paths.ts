/**
 * Where a path belongs and how it is shown, without loading a program: the
 * project root `scan` uses for a path, and a path as reports print it. The
 * ESLint plugin uses these too, so this module imports neither ts-morph nor
 * TypeScript.
 *
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { escapeControl } from "./names.ts";

/**
 * The project root `scan` uses for a path (see `ScanPlan`'s `root` in
 * project.ts): the directory of the tsconfig.json at or above it, up to the
 * package or repository boundary, else of the nearest package.json, else the
 * path's own directory. The ESLint plugin takes each linted file's root from it.
 *
 * @param start an existing file or directory (absolute).
 * @throws the file system's error when `start` does not exist.
 */
export function projectRoot(start: string): string {
  const tsconfig = findTsconfig(start);
  return tsconfig !== undefined ? dirname(tsconfig) : packageRoot(start);
}

/**
 * The nearest tsconfig.json at or above `start`, not crossing the enclosing
 * package root (a folder with a package.json) or repository root (a folder
 * with .git); undefined when there is none.
 *
 * @param start an existing file or directory (absolute).
 * @throws the file system's error when `start` does not exist.
 */
export function findTsconfig(start: string): string | undefined {
  let dir = statSync(start).isDirectory() ? start : dirname(start);
  for (;;) {
    const candidate = join(dir, "tsconfig.json");
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, "package.json")) || existsSync(join(dir, ".git"))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The nearest directory at or above `start` holding a package.json, else
 * `start`'s own directory (`start` itself when it is one).
 *
 * @param start an existing file or directory (absolute).
 * @throws the file system's error when `start` does not exist.
 */
export function packageRoot(start: string): string {
  const first = statSync(start).isDirectory() ? start : dirname(start);
  for (let dir = first;; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return first;
  }
}

/**
 * `file` relative to `from`, with `/` separators and control characters
 * escaped (for reports; see names.ts); `.` for `from` itself.
 *
 * @param file an absolute path.
 * @param from the absolute directory it is shown relative to.
 */
export function displayPath(file: string, from: string): string {
  const rel = relative(from, file);
  return escapeControl((rel === "" ? "." : rel).split(sep).join("/"));
}
